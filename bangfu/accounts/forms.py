from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from bangfu.core.permissions import Cap
from bangfu.core.scoping import in_scope, scope
from bangfu.regions.models import Region

from . import services
from .models import Organization


class BootstrapMixin:
    """Tabler/Bootstrap classes on every widget."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            css = "form-check-input" if isinstance(widget, forms.CheckboxInput) else "form-control"
            if isinstance(widget, forms.Select):
                css = "form-select"
            widget.attrs.setdefault("class", css)


class LoginForm(BootstrapMixin, forms.Form):
    username = forms.CharField(label=_("用户名"), max_length=150)
    password = forms.CharField(label=_("密码"), widget=forms.PasswordInput)

    def __init__(self, *args, request=None, **kwargs):
        self.request = request
        self.user = None
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        result = services.login_attempt(
            request=self.request, username=data["username"], password=data["password"]
        )
        if result.error == "locked":
            raise ValidationError(_("登录失败次数过多,账户已锁定,请稍后再试。"), code="locked")
        if result.user is None:
            raise ValidationError(_("用户名或密码错误。"), code="invalid")
        self.user = result.user
        return data


class RegionCodeField(forms.CharField):
    """A region chosen by its 12-digit code (the list is far too long for a select)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 12)
        kwargs.setdefault("help_text", _("12位统计用区划代码,例如 410423000000(鲁山县)。"))
        super().__init__(*args, **kwargs)

    def clean(self, value):
        code = super().clean(value).strip()
        if not code:
            return None
        code = code.ljust(12, "0") if code.isdigit() and len(code) < 12 else code
        region = Region.objects.filter(code=code).first()
        if region is None:
            raise ValidationError(
                _("区划代码 %(code)s 不存在。"), code="unknown_region", params={"code": code}
            )
        return region


class OrganizationForm(BootstrapMixin, forms.ModelForm):
    region = RegionCodeField(label=_("所在地区"))

    class Meta:
        model = Organization
        fields = [
            "name",
            "kind",
            "parent",
            "region",
            "credit_code",
            "contact_name",
            "contact_phone",
            "address",
            "is_active",
        ]

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = scope(Organization.objects.all(), user, Cap.ORGANIZATION_VIEW)
        if self.instance.pk:
            self.initial["region"] = self.instance.region_id

    def clean_region(self):
        region = self.cleaned_data["region"]
        if region is not None and not in_scope(self.user, Cap.ORGANIZATION_MANAGE, region.code):
            raise ValidationError(_("该地区不在您的管辖范围内。"), code="out_of_scope")
        return region

    def save(self, *, actor, commit=True):  # noqa: ARG002 - services always commit
        data = {name: self.cleaned_data[name] for name in self.Meta.fields}
        if self.instance.pk:
            return services.organization_update(actor=actor, organization=self.instance, data=data)
        return services.organization_create(actor=actor, **data)

    def _post_clean(self):
        # The service validates the model (inside its transaction); skip ModelForm's copy into the instance.
        pass


class TokenForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("名称"), max_length=100)
    days = forms.IntegerField(
        label=_("有效天数"),
        required=False,
        min_value=1,
        max_value=3650,
        help_text=_("留空表示长期有效,可随时吊销。"),
    )


class PasswordChangeForm(BootstrapMixin, forms.Form):
    old_password = forms.CharField(label=_("原密码"), widget=forms.PasswordInput)
    new_password = forms.CharField(label=_("新密码"), widget=forms.PasswordInput)
