"""Forms of the supermarket pages: each ``save(actor=…)`` calls one service."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bangfu.accounts.forms import BootstrapMixin, RegionCodeField
from bangfu.accounts.models import Organization, User
from bangfu.core.permissions import Cap, Role
from bangfu.core.scoping import in_scope, scope
from bangfu.registry.models import Household

from . import services
from .models import (
    DeliveryRequest,
    DeliveryStatus,
    DonorKind,
    Item,
    Meeting,
    MeetingStatus,
    MoveKind,
    ScoreCategory,
    StockBalance,
    Store,
    Trip,
    TripStatus,
)
from .services import BasketLine, DonationLineInput

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DONATION_LINES = 5
DELIVERY_LINES = 4


def store_items(store: Store):
    """The catalogue entries a store may hold: its region's and every region's above it."""
    from .models import _ancestors_q

    return Item.objects.filter(
        _ancestors_q("region_code", [services.region_prefix(store.region_code)])
    ).filter(is_active=True)


class StoreForm(BootstrapMixin, forms.ModelForm):
    region = RegionCodeField(label=_("所在地区(乡镇或村)"))

    class Meta:
        model = Store
        fields = [
            "name",
            "region",
            "organization",
            "address",
            "opened_on",
            "closed_on",
            "status",
            "point_value",
            "keepers",
        ]
        widgets = {"opened_on": DATE, "closed_on": DATE}

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = scope(
            Organization.objects.filter(is_active=True), user, Cap.ORGANIZATION_VIEW
        ).order_by("name")
        self.fields["keepers"].queryset = User.objects.filter(
            memberships__role=Role.STORE_KEEPER, memberships__is_active=True
        ).distinct()
        self.fields["keepers"].required = False
        if self.instance.pk:
            self.initial["region"] = self.instance.region_id

    def clean_region(self):
        region = self.cleaned_data["region"]
        if region is not None and region.level not in ("township", "village"):
            raise ValidationError(_("爱心超市设在乡镇或村一级。"))
        if region is not None and not in_scope(self.user, Cap.SUPERMARKET_MANAGE, region.code):
            raise ValidationError(_("该地区不在您的管辖范围内。"))
        return region

    def _post_clean(self):
        pass  # the service validates inside its transaction

    def save(self, *, actor, commit=True):
        data = {name: self.cleaned_data[name] for name in self.Meta.fields if name != "keepers"}
        keepers = list(self.cleaned_data["keepers"])
        if self.instance.pk:
            return services.store_update(actor=actor, store=self.instance, data=data, keepers=keepers)
        data.pop("closed_on")
        return services.store_create(actor=actor, keepers=keepers, **data)


class ItemForm(BootstrapMixin, forms.ModelForm):
    region = RegionCodeField(label=_("目录所属地区"), help_text=_("通常为县级代码,例如 410423000000。"))

    class Meta:
        model = Item
        fields = ["name", "category", "unit", "points_price", "reference_value", "region", "is_active"]

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["region"] = self.instance.region_id

    def clean_region(self):
        region = self.cleaned_data["region"]
        if region is not None and not in_scope(self.user, Cap.SUPERMARKET_MANAGE, region.code):
            raise ValidationError(_("该地区不在您的管辖范围内。"))
        return region

    def _post_clean(self):
        pass

    def save(self, *, actor, commit=True):
        data = {name: self.cleaned_data[name] for name in self.Meta.fields}
        if self.instance.pk:
            return services.item_update(actor=actor, item=self.instance, data=data)
        return services.item_create(actor=actor, **data)


class DonationForm(BootstrapMixin, forms.Form):
    store = forms.ModelChoiceField(label=_("爱心超市"), queryset=Store.objects.none())
    donor_kind = forms.ChoiceField(
        label=_("捐赠方类型"), choices=[("", "—"), *DonorKind.choices], required=False
    )
    donor_organization = forms.ModelChoiceField(
        label=_("捐赠单位"), queryset=Organization.objects.none(), required=False
    )
    donor_name = forms.CharField(
        label=_("捐赠方"), max_length=100, required=False, help_text=_("单位名称或个人姓名")
    )
    show_on_board = forms.BooleanField(label=_("同意上荣誉榜"), required=False)
    date = forms.DateField(label=_("捐赠日期"), widget=DATE)
    cash = forms.DecimalField(label=_("现金(元)"), required=False, max_digits=14, decimal_places=2)
    note = forms.CharField(label=_("备注"), max_length=200, required=False)

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        self.fields["store"].queryset = scope(Store.objects.all(), user, Cap.DONATION_RECORD)
        self.fields["donor_organization"].queryset = scope(
            Organization.objects.filter(is_active=True), user, Cap.ORGANIZATION_VIEW
        ).order_by("name")
        self.initial.setdefault("date", timezone.localdate())
        items = Item.objects.filter(is_active=True).order_by("category", "name")
        for n in range(DONATION_LINES):
            self.fields[f"item_{n}"] = forms.ModelChoiceField(label=_("物品"), queryset=items, required=False)
            self.fields[f"quantity_{n}"] = forms.IntegerField(label=_("数量"), required=False)
            self.fields[f"value_{n}"] = forms.DecimalField(
                label=_("价值(元)"), required=False, max_digits=14, decimal_places=2
            )
        self._style()

    def _style(self):
        for field in self.fields.values():
            css = "form-check-input" if isinstance(field.widget, forms.CheckboxInput) else "form-control"
            if isinstance(field.widget, forms.Select):
                css = "form-select"
            field.widget.attrs.setdefault("class", css)

    def line_rows(self):
        return [(self[f"item_{n}"], self[f"quantity_{n}"], self[f"value_{n}"]) for n in range(DONATION_LINES)]

    def head_fields(self):
        return [
            self[name]
            for name in (
                "store",
                "donor_kind",
                "donor_organization",
                "donor_name",
                "show_on_board",
                "date",
                "cash",
                "note",
            )
        ]

    def save(self, *, actor):
        data = self.cleaned_data
        lines = []
        for n in range(DONATION_LINES):
            item, quantity, value = data.get(f"item_{n}"), data.get(f"quantity_{n}"), data.get(f"value_{n}")
            if item is None and quantity is None and value is None:
                continue
            if item is None:
                raise ValidationError({f"item_{n}": _("请选择物品。")})
            if value is None:
                value = item.reference_value * (quantity or 0)
            lines.append(DonationLineInput(item=item, quantity=quantity, value=value))
        return services.donation_record(
            actor=actor,
            store=data["store"],
            donor_kind=data["donor_kind"],
            donor_organization=data["donor_organization"],
            donor_name=data["donor_name"],
            show_on_board=data["show_on_board"],
            date=data["date"],
            cash=data["cash"],
            lines=lines,
            note=data["note"],
        )


MOVE_ACTIONS = [
    (MoveKind.PURCHASE_IN, MoveKind.PURCHASE_IN.label),
    (MoveKind.OPENING, MoveKind.OPENING.label),
    ("transfer", _("调往其他超市")),
    (MoveKind.WRITE_OFF, MoveKind.WRITE_OFF.label),
    (MoveKind.ADJUSTMENT, _("调整(可为负数)")),
]


class StockMoveForm(BootstrapMixin, forms.Form):
    action = forms.ChoiceField(label=_("类型"), choices=MOVE_ACTIONS)
    item = forms.ModelChoiceField(label=_("物品"), queryset=Item.objects.none())
    quantity = forms.IntegerField(label=_("数量"))
    to_store = forms.ModelChoiceField(label=_("调入超市"), queryset=Store.objects.none(), required=False)
    reason = forms.CharField(label=_("原因"), max_length=200, required=False)
    date = forms.DateField(label=_("日期"), widget=DATE)

    def __init__(self, *args, store: Store, user, **kwargs):
        self.store, self.user = store, user
        super().__init__(*args, **kwargs)
        self.initial.setdefault("date", timezone.localdate())
        self.fields["item"].queryset = store_items(store)
        self.fields["to_store"].queryset = scope(
            Store.objects.exclude(pk=store.pk), user, Cap.SUPERMARKET_VIEW
        )

    def save(self, *, actor):
        data = self.cleaned_data
        common = {"actor": actor, "item": data["item"], "date": data["date"]}
        action = data["action"]
        if action in (MoveKind.PURCHASE_IN, MoveKind.OPENING):
            return services.stock_receive(
                store=self.store, quantity=data["quantity"], kind=action, reason=data["reason"], **common
            )
        if action == "transfer":
            if data["to_store"] is None:
                raise ValidationError({"to_store": _("请选择调入超市。")})
            return services.stock_transfer(
                from_store=self.store,
                to_store=data["to_store"],
                quantity=data["quantity"],
                reason=data["reason"],
                **common,
            )[0]
        if action == MoveKind.WRITE_OFF:
            return services.stock_write_off(
                store=self.store, quantity=data["quantity"], reason=data["reason"], **common
            )
        return services.stock_adjust(
            store=self.store, quantity=data["quantity"], reason=data["reason"], **common
        )


class StockTakeForm(BootstrapMixin, forms.Form):
    date = forms.DateField(label=_("盘点日期"), widget=DATE)
    note = forms.CharField(label=_("备注"), max_length=200, required=False)

    def __init__(self, *args, store: Store, user=None, **kwargs):
        self.store = store
        super().__init__(*args, **kwargs)
        self.initial.setdefault("date", timezone.localdate())
        balances = dict(StockBalance.objects.filter(store=store).values_list("item_id", "quantity"))
        self.items = list(store_items(store).order_by("category", "name"))
        self.rows = []
        for item in self.items:
            ledger = balances.get(item.pk, 0)
            self.fields[f"count_{item.pk}"] = forms.IntegerField(
                label=str(item),
                required=False,
                min_value=0,
                widget=forms.NumberInput(attrs={"class": "form-control form-control-sm"}),
            )
            self.fields[f"expected_{item.pk}"] = forms.IntegerField(
                widget=forms.HiddenInput, initial=ledger, required=False
            )
            self.rows.append((item, ledger))

    def count_rows(self):
        return [
            (item, ledger, self[f"count_{item.pk}"], self[f"expected_{item.pk}"])
            for item, ledger in self.rows
        ]

    def save(self, *, actor):
        counts, expected = {}, {}
        for item in self.items:
            counted = self.cleaned_data.get(f"count_{item.pk}")
            if counted is None:
                continue
            counts[item] = counted
            expected[item.pk] = self.cleaned_data.get(f"expected_{item.pk}") or 0
        return services.stocktake_record(
            actor=actor,
            store=self.store,
            counts=counts,
            expected=expected,
            date=self.cleaned_data["date"],
            note=self.cleaned_data["note"],
        )


def _household(user, code: str) -> Household:
    household = scope(Household.objects.all(), user, Cap.SUPERMARKET_VIEW).filter(code=code.strip()).first()
    if household is None:
        household = scope(Household.objects.all(), user, Cap.REGISTRY_VIEW).filter(code=code.strip()).first()
    if household is None:
        raise ValidationError(_("户编号不存在或不在您的管辖范围内。"))
    return household


class EnrolmentForm(BootstrapMixin, forms.Form):
    household_code = forms.CharField(label=_("户编号"), max_length=30)
    reason = forms.CharField(
        label=_("理由"), max_length=200, required=False, help_text=_("非兜底保障户必须填写纳入理由")
    )
    enrolled_on = forms.DateField(label=_("纳入日期"), widget=DATE)

    def __init__(self, *args, store: Store, user, **kwargs):
        self.store, self.user = store, user
        super().__init__(*args, **kwargs)
        self.initial.setdefault("enrolled_on", timezone.localdate())

    def clean_household_code(self):
        return _household(self.user, self.cleaned_data["household_code"])

    def save(self, *, actor):
        return services.enrolment_create(
            actor=actor,
            store=self.store,
            household=self.cleaned_data["household_code"],
            reason=self.cleaned_data["reason"],
            enrolled_on=self.cleaned_data["enrolled_on"],
        )


class MeetingForm(BootstrapMixin, forms.Form):
    region = RegionCodeField(label=_("村(12位代码)"))
    held_on = forms.DateField(label=_("评议日期"), widget=DATE)
    publicity_days = forms.IntegerField(label=_("公示天数"), min_value=1, max_value=30, initial=3)
    note = forms.CharField(label=_("备注"), max_length=200, required=False)

    def __init__(self, *args, store: Store, user, **kwargs):
        self.store, self.user = store, user
        super().__init__(*args, **kwargs)
        self.initial.setdefault("held_on", timezone.localdate())

    def clean_region(self):
        region = self.cleaned_data["region"]
        if region is not None and not in_scope(self.user, Cap.POINTS_AWARD, region.code):
            raise ValidationError(_("该地区不在您的管辖范围内。"))
        return region

    def save(self, *, actor):
        return services.meeting_create(actor=actor, store=self.store, **self.cleaned_data)


class ScoreForm(BootstrapMixin, forms.Form):
    household_code = forms.CharField(label=_("户编号"), max_length=30)
    category = forms.ChoiceField(label=_("类别"), choices=ScoreCategory.choices)
    points = forms.IntegerField(label=_("积分"), help_text=_("扣分填负数"))
    reason = forms.CharField(label=_("事由"), max_length=200)

    def __init__(self, *args, meeting: Meeting, user, **kwargs):
        self.meeting, self.user = meeting, user
        super().__init__(*args, **kwargs)

    def clean_household_code(self):
        return _household(self.user, self.cleaned_data["household_code"])

    def save(self, *, actor):
        data = self.cleaned_data
        return services.meeting_score_add(
            actor=actor,
            meeting=self.meeting,
            household=data["household_code"],
            category=data["category"],
            points=data["points"],
            reason=data["reason"],
        )


class MeetingStepForm(BootstrapMixin, forms.Form):
    """Publicise a meeting's scores, or credit them once the publicity period is over."""

    on = forms.DateField(label=_("公示开始"), widget=DATE, required=False)

    def __init__(self, *args, meeting: Meeting, user=None, **kwargs):
        self.meeting = meeting
        super().__init__(*args, **kwargs)
        self.initial.setdefault("on", timezone.localdate())
        if meeting.status != MeetingStatus.DRAFT:
            del self.fields["on"]

    def save(self, *, actor):
        if self.meeting.status == MeetingStatus.DRAFT:
            return services.meeting_publicise(
                actor=actor, meeting=self.meeting, on=self.cleaned_data.get("on")
            )
        return services.meeting_confirm(actor=actor, meeting=self.meeting)


class DeliveryRequestForm(BootstrapMixin, forms.Form):
    household_code = forms.CharField(label=_("户编号"), max_length=30)
    note = forms.CharField(
        label=_("说明"), max_length=200, required=False, help_text=_("例如:行动不便、独居老人")
    )

    def __init__(self, *args, store: Store, user, **kwargs):
        self.store, self.user = store, user
        super().__init__(*args, **kwargs)
        items = store_items(store).order_by("category", "name")
        for n in range(DELIVERY_LINES):
            self.fields[f"item_{n}"] = forms.ModelChoiceField(label=_("物品"), queryset=items, required=False)
            self.fields[f"quantity_{n}"] = forms.IntegerField(label=_("数量"), required=False)
            self.fields[f"item_{n}"].widget.attrs["class"] = "form-select"
            self.fields[f"quantity_{n}"].widget.attrs["class"] = "form-control"

    def clean_household_code(self):
        return _household(self.user, self.cleaned_data["household_code"])

    def save(self, *, actor):
        data = self.cleaned_data
        lines = [
            BasketLine(item=data[f"item_{n}"], quantity=data[f"quantity_{n}"])
            for n in range(DELIVERY_LINES)
            if data.get(f"item_{n}") is not None
        ]
        return services.delivery_request_create(
            actor=actor, store=self.store, household=data["household_code"], lines=lines, note=data["note"]
        )


class TripForm(BootstrapMixin, forms.Form):
    date = forms.DateField(label=_("出车日期"), widget=DATE)
    staff = forms.CharField(label=_("送货人员"), max_length=100)
    vehicle = forms.CharField(label=_("车辆"), max_length=50, required=False)

    def __init__(self, *args, store: Store, user=None, **kwargs):
        self.store = store
        super().__init__(*args, **kwargs)
        self.initial.setdefault("date", timezone.localdate())

    def save(self, *, actor):
        return services.trip_create(actor=actor, store=self.store, **self.cleaned_data)


class DeliveryStepForm(BootstrapMixin, forms.Form):
    """Assign a request to a trip; once assigned, record who delivered it and when."""

    trip = forms.ModelChoiceField(label=_("送货行程"), queryset=Trip.objects.none(), required=False)
    delivered_by = forms.CharField(label=_("送达人"), max_length=100, required=False)
    delivered_at = forms.DateTimeField(label=_("送达时间"), widget=DATETIME, required=False)

    def __init__(self, *args, request: DeliveryRequest, user=None, **kwargs):
        self.request = request
        super().__init__(*args, **kwargs)
        if request.status == DeliveryStatus.REQUESTED:
            self.fields["trip"].queryset = Trip.objects.filter(
                store=request.store_id, status=TripStatus.PLANNED
            )
            self.fields["trip"].required = True
            del self.fields["delivered_by"], self.fields["delivered_at"]
        else:
            del self.fields["trip"]
            self.fields["delivered_by"].required = True
            self.initial.setdefault("delivered_at", timezone.localtime().replace(second=0, microsecond=0))
            if request.trip_id:
                self.initial.setdefault("delivered_by", request.trip.staff)

    def save(self, *, actor):
        if self.request.status == DeliveryStatus.REQUESTED:
            return services.delivery_assign(actor=actor, request=self.request, trip=self.cleaned_data["trip"])
        return services.delivery_complete(
            actor=actor,
            request=self.request,
            delivered_by=self.cleaned_data["delivered_by"],
            delivered_at=self.cleaned_data.get("delivered_at"),
        )


class ReversalForm(BootstrapMixin, forms.Form):
    """The office corrects a ledger entry written in error: a reversing entry with the reason.

    ``reverse`` is the service, already given the entry it reverses."""

    reason = forms.CharField(label=_("冲正原因"), max_length=200)

    def __init__(self, *args, reverse, **kwargs):
        self.reverse = reverse
        super().__init__(*args, **kwargs)

    def save(self, *, actor):
        return self.reverse(actor=actor, reason=self.cleaned_data["reason"])


def parse_basket(store: Store, data) -> list[BasketLine]:
    """The counter's basket: ``qty_<item pk>`` fields with a quantity; blanks are skipped."""
    items = {item.pk: item for item in store_items(store)}
    lines = []
    for key, value in data.items():
        if not key.startswith("qty_") or str(value).strip() in ("", "0"):
            continue
        try:
            item = items[int(key[4:])]
        except (KeyError, ValueError) as error:
            raise ValidationError(_("物品不存在。")) from error
        lines.append(BasketLine(item=item, quantity=str(value).strip()))
    return lines
