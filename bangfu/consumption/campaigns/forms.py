import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bangfu.accounts.forms import BootstrapMixin, RegionCodeField
from bangfu.accounts.models import Organization, OrganizationKind, User
from bangfu.consumption.models import Product
from bangfu.core.permissions import Cap
from bangfu.core.scoping import scope

from . import services
from .models import Campaign, CampaignItem, PaidBy, PickupSlot

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
LINES = 3


class CampaignForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = Campaign
        fields = [
            "organizer",
            "name",
            "description",
            "status",
            "opens_at",
            "closes_at",
            "pickup_closes_at",
            "per_member_limit",
            "eligible_organizations",
            "include_suborganizations",
        ]
        widgets = {
            "opens_at": DATETIME,
            "closes_at": DATETIME,
            "pickup_closes_at": DATETIME,
            "description": forms.Textarea(attrs={"rows": 3}),
            "eligible_organizations": forms.SelectMultiple(attrs={"size": 8}),
        }

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        in_reach = scope(Organization.objects.filter(is_active=True), user, Cap.CAMPAIGN_MANAGE)
        self.fields["organizer"].queryset = in_reach.filter(kind=OrganizationKind.UNION)
        self.fields["eligible_organizations"].queryset = in_reach
        self.fields["eligible_organizations"].help_text = _("这些单位(及其下级单位,如勾选)的会员可以预订")
        for name in ("opens_at", "closes_at", "pickup_closes_at"):
            self.fields[name].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]

    def save(self, *, actor, commit=True):  # noqa: ARG002 - services always commit
        data = {
            name: self.cleaned_data[name] for name in self.Meta.fields if name != "eligible_organizations"
        }
        eligible = list(self.cleaned_data["eligible_organizations"])
        if self.instance.pk:
            return services.campaign_update(
                actor=actor, campaign=self.instance, data=data, eligible_organizations=eligible
            )
        return services.campaign_create(actor=actor, eligible_organizations=eligible, **data)

    def _post_clean(self):
        pass  # the service validates inside its transaction


class ItemForm(forms.Form):
    name = forms.CharField(label=_("礼盒名称"), max_length=100)
    price = forms.DecimalField(label=_("单价(元)"), min_value=0, max_digits=14, decimal_places=2)
    paid_by = forms.ChoiceField(label=_("支付方"), choices=PaidBy.choices)
    stock = forms.IntegerField(label=_("库存(份)"), min_value=1)
    description = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, campaign, **kwargs):
        self.campaign = campaign
        super().__init__(*args, **kwargs)
        products = Product.objects.filter(is_active=True).select_related("supplier")
        for n in range(1, LINES + 1):
            self.fields[f"product_{n}"] = forms.ModelChoiceField(
                label=_("产品%(n)d") % {"n": n}, queryset=products, required=n == 1
            )
            self.fields[f"quantity_{n}"] = forms.IntegerField(
                label=_("数量%(n)d") % {"n": n}, min_value=1, required=False, initial=1
            )
        for field in self.fields.values():
            widget = field.widget
            widget.attrs.setdefault(
                "class", "form-select" if isinstance(widget, forms.Select) else "form-control"
            )

    def save(self, *, actor):
        data = self.cleaned_data
        lines = [
            (data[f"product_{n}"], data.get(f"quantity_{n}") or 1)
            for n in range(1, LINES + 1)
            if data.get(f"product_{n}") is not None
        ]
        return services.item_create(
            actor=actor,
            campaign=self.campaign,
            name=data["name"],
            price=data["price"],
            paid_by=data["paid_by"],
            stock=data["stock"],
            description=data["description"],
            lines=lines,
        )


class SiteForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("领取点"), max_length=100)
    address = forms.CharField(label=_("地址"), max_length=200)
    region = RegionCodeField(label=_("所在地区"))
    contact_phone = forms.CharField(label=_("预约电话"), max_length=30, required=False)
    staff = forms.CharField(
        label=_("领取点工作人员"),
        required=False,
        help_text=_("用户名,多个用空格或逗号分隔;须在该地区有扫码领取权限"),
    )

    def __init__(self, *args, campaign, **kwargs):
        self.campaign = campaign
        super().__init__(*args, **kwargs)

    def clean_staff(self):
        names = [n for n in self.cleaned_data["staff"].replace(",", " ").replace(",", " ").split() if n]
        users = list(User.objects.filter(username__in=names, is_active=True))
        unknown = sorted(set(names) - {u.username for u in users})
        if unknown:
            raise ValidationError(_("没有这些用户:%(names)s") % {"names": "、".join(unknown)})
        return users

    def save(self, *, actor):
        return services.site_create(actor=actor, campaign=self.campaign, **self.cleaned_data)


class SlotForm(BootstrapMixin, forms.Form):
    site = forms.ModelChoiceField(label=_("领取点"), queryset=None)
    starts_at = forms.DateTimeField(label=_("开始时间"), widget=DATETIME, input_formats=["%Y-%m-%dT%H:%M"])
    ends_at = forms.DateTimeField(label=_("结束时间"), widget=DATETIME, input_formats=["%Y-%m-%dT%H:%M"])
    capacity = forms.IntegerField(label=_("可约人数"), min_value=1)

    def __init__(self, *args, campaign, **kwargs):
        self.campaign = campaign
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = campaign.sites.all()

    def save(self, *, actor):
        return services.slot_create(actor=actor, **self.cleaned_data)


class OrderForm(forms.Form):
    """A member's order: one package, how many, which slot. The key makes a resubmission harmless."""

    item = forms.ModelChoiceField(label=_("礼盒"), queryset=None, widget=forms.RadioSelect, empty_label=None)
    quantity = forms.IntegerField(label=_("数量(份)"), initial=1)
    slot = forms.ModelChoiceField(
        label=_("领取时段"), queryset=None, widget=forms.RadioSelect, empty_label=None
    )
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, campaign, member, **kwargs):
        self.campaign, self.member = campaign, member
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = CampaignItem.objects.filter(campaign=campaign).order_by("pk")
        self.fields["slot"].queryset = (
            PickupSlot.objects.filter(site__campaign=campaign, ends_at__gt=timezone.now())
            .select_related("site")
            .order_by("starts_at", "site_id", "pk")
        )
        self.fields["item"].label_from_instance = lambda item: f"{item.name} · {item.price}"
        self.fields["slot"].label_from_instance = lambda slot: f"{slot.site.name} {slot}"
        self.fields["quantity"].widget.attrs.update(
            {"class": "form-control", "min": 1, "max": campaign.per_member_limit, "inputmode": "numeric"}
        )
        if not self.is_bound:
            self.initial["idempotency_key"] = uuid.uuid4().hex

    def save(self, *, actor):
        data = self.cleaned_data
        return services.order_place(
            member=actor,
            item=data["item"],
            slot=data["slot"],
            quantity=data["quantity"],
            idempotency_key=data["idempotency_key"],
        )


class ScanForm(forms.Form):
    code = forms.CharField(label=_("领取码"), max_length=200, strip=True)
    override = forms.BooleanField(label=_("确认在本领取点发放"), required=False)
