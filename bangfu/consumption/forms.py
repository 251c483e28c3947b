from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bangfu.accounts.forms import BootstrapMixin, RegionCodeField
from bangfu.accounts.models import Organization, OrganizationKind
from bangfu.core.permissions import Cap
from bangfu.core.scoping import in_scope, scope

from . import selectors, services
from .models import (
    Certification,
    Channel,
    LinkKind,
    PaidBy,
    Product,
    Purpose,
    QuotaKind,
    Supplier,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class SupplierForm(BootstrapMixin, forms.ModelForm):
    region = RegionCodeField(label=_("所在地区(12位代码)"))
    household_code = forms.CharField(
        label=_("对应农户户编号"), required=False, max_length=30, help_text=_("类型为农户时填写")
    )

    class Meta:
        model = Supplier
        fields = [
            "name",
            "kind",
            "region",
            "organization",
            "credit_code",
            "contact_name",
            "contact_phone",
            "address",
            "description",
            "is_active",
        ]

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = scope(
            Organization.objects.filter(is_active=True), user, Cap.ORGANIZATION_VIEW
        ).order_by("name")
        if self.instance.pk:
            self.initial["region"] = self.instance.region_id
            if self.instance.household_id:
                self.initial["household_code"] = self.instance.household.code

    def clean_region(self):
        region = self.cleaned_data["region"]
        if region is not None and not in_scope(self.user, Cap.SUPPLIER_MANAGE, region.code):
            raise ValidationError(_("该地区不在您的管辖范围内。"), code="out_of_scope")
        return region

    def clean_household_code(self):
        from bangfu.registry.models import Household

        code = self.cleaned_data["household_code"].strip()
        if not code:
            return None
        household = scope(Household.objects.all(), self.user, Cap.REGISTRY_VIEW).filter(code=code).first()
        if household is None:
            raise ValidationError(_("户编号不存在或不在您的管辖范围内。"), code="unknown_household")
        return household

    def _post_clean(self):
        pass  # the service validates inside its transaction

    def save(self, *, actor, commit=True):
        data = {name: self.cleaned_data[name] for name in self.Meta.fields}
        data["household"] = self.cleaned_data.get("household_code")
        if self.instance.pk:
            return services.supplier_update(actor=actor, supplier=self.instance, data=data)
        return services.supplier_create(actor=actor, **data)


class ProductForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = Product
        fields = [
            "supplier",
            "name",
            "category",
            "specification",
            "unit",
            "price",
            "photo",
            "description",
            "is_active",
        ]

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        self.fields["supplier"].queryset = selectors.supplier_list(
            user=user, capability=Cap.PRODUCT_MANAGE
        ).filter(is_active=True)
        if self.instance.pk:
            del self.fields["supplier"]
        elif self.fields["supplier"].queryset.count() == 1:
            self.initial["supplier"] = self.fields["supplier"].queryset.first().pk
        self.fields["photo"].widget.attrs["accept"] = "image/*"

    def clean_price(self):
        price = self.cleaned_data["price"]
        if price is not None and price < 0:
            raise ValidationError(_("单价不能为负数。"), code="negative_price")
        return price

    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        if photo and getattr(photo, "size", 0) > services.MAX_PHOTO_BYTES:
            raise ValidationError(
                _("图片不能超过%(mb)dMB。") % {"mb": services.MAX_PHOTO_BYTES // (1024 * 1024)},
                code="photo_too_large",
            )
        return photo

    def _post_clean(self):
        pass

    def save(self, *, actor, commit=True):
        data = {name: self.cleaned_data[name] for name in self.fields}
        if data.get("photo") is None:
            data.pop("photo", None)  # no new upload: keep the current photo
        elif data.get("photo") is False:
            data["photo"] = ""  # "clear" ticked
        if self.instance.pk:
            return services.product_update(actor=actor, product=self.instance, data=data)
        return services.product_create(actor=actor, **data)


class CertificationForm(BootstrapMixin, forms.ModelForm):
    products = forms.ModelMultipleChoiceField(
        label=_("认定产品"),
        queryset=Product.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("只能选择该供应商的产品"),
    )

    class Meta:
        model = Certification
        fields = ["supplier", "body", "number", "valid_from", "valid_to", "is_revoked", "notes"]
        widgets = {"valid_from": DATE, "valid_to": DATE}

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        suppliers = selectors.supplier_list(user=user, capability=Cap.SUPPLIER_MANAGE)
        self.fields["supplier"].queryset = suppliers
        products = selectors.product_list(user=user, capability=Cap.SUPPLIER_MANAGE).order_by(
            "supplier__name", "name"
        )
        if self.instance.pk:
            del self.fields["supplier"]
            products = products.filter(supplier_id=self.instance.supplier_id)
            self.initial["products"] = list(self.instance.products.values_list("pk", flat=True))
        self.fields["products"].queryset = products
        self.fields["products"].label_from_instance = lambda p: f"{p.supplier.name} · {p}"

    def _post_clean(self):
        pass

    def save(self, *, actor, commit=True):
        data = {name: self.cleaned_data[name] for name in self.Meta.fields if name in self.fields}
        products = list(self.cleaned_data["products"])
        if self.instance.pk:
            return services.certification_update(
                actor=actor, certification=self.instance, data=data, products=products
            )
        return services.certification_create(actor=actor, products=products, **data)


# Purchases ---------------------------------------------------------------------------------------


class PurchaseForm(BootstrapMixin, forms.Form):
    buyer = forms.ModelChoiceField(label=_("采购单位"), queryset=Organization.objects.none())
    supplier = forms.ModelChoiceField(label=_("供应商"), queryset=Supplier.objects.none())
    date = forms.DateField(label=_("采购日期"), widget=DATE)
    channel = forms.ChoiceField(label=_("销售渠道"), choices=Channel.choices, initial=Channel.DIRECT)
    purpose = forms.ChoiceField(label=_("用途"), choices=Purpose.choices, initial=Purpose.WELFARE)
    invoice_number = forms.CharField(label=_("发票号"), required=False, max_length=50)
    paid_by = forms.ChoiceField(label=_("付款方"), choices=PaidBy.choices, initial=PaidBy.UNIT)
    union = forms.ModelChoiceField(
        label=_("代为采购的工会"), queryset=Organization.objects.none(), required=False
    )
    staff_name = forms.CharField(label=_("职工姓名"), required=False, max_length=50)
    note = forms.CharField(label=_("备注"), required=False, max_length=200)

    def __init__(self, *args, user, purchase=None, **kwargs):
        self.user = user
        self.purchase = purchase
        if purchase is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "buyer": purchase.buyer_id,
                "supplier": purchase.supplier_id,
                "date": purchase.date,
                "channel": purchase.channel,
                "purpose": purchase.purpose,
                "invoice_number": purchase.invoice_number,
                "paid_by": purchase.paid_by,
                "union": purchase.union_id,
                "staff_name": purchase.staff_name,
                "note": purchase.note,
            }
        super().__init__(*args, **kwargs)
        units = selectors.buyer_units(user=user).order_by("name")
        self.fields["buyer"].queryset = units
        self.fields["union"].queryset = units.filter(kind=OrganizationKind.UNION)
        self.fields["supplier"].queryset = (
            selectors.supplier_list(user=user).filter(is_active=True).order_by("name")
        )
        self.fields["date"].initial = timezone.localdate()
        self.fields["supplier"].widget.attrs["data-supplier-select"] = "1"

    def purchase_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.fields}


class PurchaseLineForm(BootstrapMixin, forms.Form):
    product = forms.ModelChoiceField(label=_("产品"), queryset=Product.objects.none())
    quantity = forms.IntegerField(label=_("数量"), min_value=1)
    unit_price = forms.DecimalField(
        label=_("单价(元)"), max_digits=14, decimal_places=2, min_value=Decimal("0.01")
    )

    def __init__(self, *args, products=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = products if products is not None else Product.objects.none()
        self.fields["product"].label_from_instance = lambda p: f"{p} ({p.unit}, {p.price}元)"
        self.fields["quantity"].widget.attrs.update(inputmode="numeric", min="1")
        self.fields["unit_price"].widget.attrs.update(inputmode="decimal", step="0.01")


class BaseLineFormSet(forms.BaseFormSet):
    def __init__(self, *args, products=None, **kwargs):
        self.products = products
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "products": self.products}

    def blank_line(self, index: int):
        """A new empty line numbered ``index`` (the form adds it to its lines)."""
        form = self.form(
            prefix=self.add_prefix(index),
            empty_permitted=True,
            use_required_attribute=False,
            products=self.products,
        )
        self.add_fields(form, index)
        return form

    def lines(self) -> list[services.LineInput]:
        result = []
        for form in self.forms:
            if not form.has_changed() or self._should_delete_form(form):
                continue
            data = form.cleaned_data
            result.append(
                services.LineInput(
                    product=data["product"], quantity=data["quantity"], unit_price=data["unit_price"]
                )
            )
        return result


LineFormSet = forms.formset_factory(
    PurchaseLineForm, formset=BaseLineFormSet, extra=1, can_delete=True, max_num=200, validate_max=True
)


def line_products(user, supplier_id=None):
    products = selectors.product_list(user=user).filter(is_active=True).order_by("name")
    if supplier_id:
        try:
            products = products.filter(supplier_id=int(supplier_id))
        except (TypeError, ValueError):
            return products.none()
    return products


# Quotas, declarations, household links ------------------------------------------------------------


def _year_choices():
    this = timezone.localdate().year
    return [(year, str(year)) for year in range(this + 1, this - 6, -1)]


class QuotaForm(BootstrapMixin, forms.Form):
    organization = forms.ModelChoiceField(label=_("单位"), queryset=Organization.objects.none())
    year = forms.TypedChoiceField(label=_("年度"), coerce=int, choices=_year_choices)
    kind = forms.ChoiceField(label=_("类型"), choices=QuotaKind.choices)
    share_percent = forms.DecimalField(
        label=_("比例(%)"),
        required=False,
        max_digits=5,
        decimal_places=2,
        help_text=_("不填则按默认比例:工会福利慰问品为80,预留份额为10"),
    )
    has_canteen = forms.BooleanField(label=_("有食堂"), required=False, initial=True)
    canteen_outsourced = forms.BooleanField(label=_("食堂外包"), required=False)
    filed_by = forms.ModelChoiceField(
        label=_("合并填报单位"),
        queryset=Organization.objects.none(),
        required=False,
        help_text=_("与其他单位共用食堂时,由该单位统一填报"),
    )
    note = forms.CharField(label=_("备注"), required=False, max_length=200)

    def __init__(self, *args, user, quota=None, **kwargs):
        self.user = user
        self.quota = quota
        if quota is not None:
            kwargs.setdefault(
                "initial",
                {
                    "organization": quota.organization_id,
                    "year": quota.year,
                    "kind": quota.kind,
                    "share_percent": quota.share_percent,
                    "has_canteen": quota.has_canteen,
                    "canteen_outsourced": quota.canteen_outsourced,
                    "filed_by": quota.filed_by_id,
                    "note": quota.note,
                },
            )
        else:
            kwargs.setdefault("initial", {"year": timezone.localdate().year})
        super().__init__(*args, **kwargs)
        units = scope(Organization.objects.filter(is_active=True), user, Cap.QUOTA_MANAGE).order_by("name")
        self.fields["organization"].queryset = units
        self.fields["filed_by"].queryset = units
        if quota is not None:
            for name in ("organization", "year", "kind"):
                self.fields[name].disabled = True

    def save(self, *, actor):
        data = dict(self.cleaned_data)
        if self.quota is not None:
            for name in ("organization", "year", "kind"):
                data.pop(name)
            if data["share_percent"] is None:
                data["share_percent"] = self.quota.share_percent
            return services.quota_update(actor=actor, quota=self.quota, data=data)
        return services.quota_save(actor=actor, **data)


class DeclarationForm(BootstrapMixin, forms.Form):
    organization = forms.ModelChoiceField(label=_("单位"), queryset=Organization.objects.none())
    year = forms.TypedChoiceField(label=_("年度"), coerce=int, choices=_year_choices)
    welfare_total = forms.DecimalField(
        label=_("福利慰问品支出总额(元)"), required=False, max_digits=14, decimal_places=2, min_value=0
    )
    food_total = forms.DecimalField(
        label=_("食堂食材采购总额(元)"), required=False, max_digits=14, decimal_places=2, min_value=0
    )
    note = forms.CharField(label=_("备注"), required=False, max_length=200)

    def __init__(self, *args, user, **kwargs):
        self.user = user
        kwargs.setdefault("initial", {"year": timezone.localdate().year})
        super().__init__(*args, **kwargs)
        units = selectors.buyer_units(user=user).order_by("name")
        self.fields["organization"].queryset = units
        if units.count() == 1:
            self.initial["organization"] = units.first().pk

    def clean(self):
        data = super().clean()
        if data.get("welfare_total") is None and data.get("food_total") is None and not self.errors:
            raise ValidationError(_("请至少填写一项支出总额。"), code="empty")
        return data

    def save(self, *, actor):
        return services.declaration_save(actor=actor, **self.cleaned_data)


class HouseholdLinkForm(BootstrapMixin, forms.Form):
    household_code = forms.CharField(label=_("户编号"), max_length=30)
    head_name = forms.CharField(label=_("户主姓名"), max_length=50, help_text=_("用于核对户编号"))
    kind = forms.ChoiceField(label=_("带动方式"), choices=LinkKind.choices)
    year = forms.TypedChoiceField(label=_("年度"), coerce=int, choices=_year_choices)
    amount = forms.DecimalField(
        label=_("支付金额(元)"),
        required=False,
        max_digits=14,
        decimal_places=2,
        min_value=0,
        help_text=_("收购款、工资或分红,已知时填写"),
    )
    note = forms.CharField(label=_("备注"), required=False, max_length=200)

    def __init__(self, *args, supplier, **kwargs):
        self.supplier = supplier
        kwargs.setdefault("initial", {"year": timezone.localdate().year})
        super().__init__(*args, **kwargs)

    def clean(self):
        from bangfu.registry.models import Household

        data = super().clean()
        code, name = (data.get("household_code") or "").strip(), (data.get("head_name") or "").strip()
        if code and name:
            # the code and the head's name must agree: a typed code alone reveals nothing
            household = Household.objects.filter(code=code, head_name=name).first()
            if household is None:
                raise ValidationError(_("户编号与户主姓名不符,或该户不存在。"), code="unknown_household")
            data["household"] = household
        return data

    def save(self, *, actor):
        data = self.cleaned_data
        return services.household_link_save(
            actor=actor,
            supplier=self.supplier,
            household=data["household"],
            kind=data["kind"],
            year=data["year"],
            amount=data["amount"],
            note=data["note"],
        )
