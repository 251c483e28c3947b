from django import forms
from django.utils.translation import gettext_lazy as _

from bangfu.accounts.forms import BootstrapMixin, RegionCodeField
from bangfu.accounts.models import Organization
from bangfu.core.permissions import Cap
from bangfu.core.scoping import scope

from . import services
from .models import FundEntry, FundKind, Partnership, Project

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _organizations(user):
    """Any active organisation: the one that assists usually sits far from the region it assists
    (a central enterprise for a county), so the choice is not narrowed to the user's scope."""
    return Organization.objects.filter(is_active=True).order_by("name")


class PartnershipForm(BootstrapMixin, forms.ModelForm):
    region = RegionCodeField(label=_("帮扶地区(县或村的12位代码)"))

    class Meta:
        model = Partnership
        fields = ["organization", "kind", "region", "start_year", "end_year", "note"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = _organizations(user)

    def _post_clean(self):
        pass  # the service validates inside its transaction

    def save(self, *, actor, commit=True):
        return services.partnership_create(actor=actor, **self.cleaned_data)


class ProjectForm(BootstrapMixin, forms.ModelForm):
    region = RegionCodeField(label=_("实施地区(12位代码)"))
    other_region_codes = forms.CharField(
        label=_("其他受益地区"), required=False, help_text=_("12位代码,以空格或逗号分隔")
    )
    milestones = forms.CharField(
        label=_("项目节点"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("每行一个:日期 名称,例如 2020-06-01 牛舍建成"),
    )

    class Meta:
        model = Project
        fields = [
            "name",
            "organization",
            "partnership",
            "region",
            "type",
            "budget",
            "status",
            "start_date",
            "end_date",
            "description",
        ]
        widgets = {"start_date": DATE, "end_date": DATE}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["organization"].queryset = _organizations(user)
        self.fields["partnership"].queryset = scope(
            Partnership.objects.select_related("organization", "region"), user, Cap.ASSISTANCE_VIEW
        )
        if self.instance.pk:
            self.initial["region"] = self.instance.region_id
            self.initial["other_region_codes"] = " ".join(r.code for r in self.instance.other_regions.all())
            self.fields["organization"].disabled = True
            del self.fields["milestones"]

    def clean_other_region_codes(self):
        from bangfu.regions.models import Region

        codes = self.cleaned_data["other_region_codes"].replace(",", " ").replace(",", " ").split()
        regions = list(Region.objects.filter(code__in=codes))
        missing = sorted(set(codes) - {r.code for r in regions})
        if missing:
            raise forms.ValidationError(
                _("区划代码 %(code)s 不存在。"), code="unknown_region", params={"code": missing[0]}
            )
        return regions

    def clean_milestones(self):
        import datetime

        rows = []
        for line in self.cleaned_data["milestones"].splitlines():
            if not line.strip():
                continue
            day, _sep, title = line.strip().partition(" ")
            try:
                planned_on = datetime.date.fromisoformat(day)
            except ValueError as error:
                raise forms.ValidationError(
                    _("无法识别的节点:%(line)s"), code="bad_milestone", params={"line": line}
                ) from error
            rows.append((title.strip(), planned_on))
        return rows

    def _post_clean(self):
        pass

    def save(self, *, actor, commit=True):
        data = {name: self.cleaned_data[name] for name in self.Meta.fields if name != "organization"}
        data["other_regions"] = self.cleaned_data["other_region_codes"]
        if self.instance.pk:
            return services.project_update(actor=actor, project=self.instance, data=data)
        return services.project_create(
            actor=actor,
            organization=self.cleaned_data["organization"],
            milestones=self.cleaned_data["milestones"],
            **data,
        )


class FundEntryForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(label=_("资金类型"), choices=FundKind.choices)
    amount = forms.DecimalField(label=_("金额(元)"), max_digits=14, decimal_places=2)
    date = forms.DateField(label=_("日期"), widget=DATE)
    source = forms.CharField(label=_("资金来源"), required=False, max_length=200, help_text=_("协调资金必填"))
    voucher_number = forms.CharField(
        label=_("凭证号"), required=False, max_length=50, help_text=_("支出必填")
    )
    note = forms.CharField(label=_("备注"), required=False, max_length=200)

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        self.project = project

    def save(self, *, actor):
        return services.fund_entry_record(actor=actor, project=self.project, **self.cleaned_data)


class ReversalForm(BootstrapMixin, forms.Form):
    note = forms.CharField(label=_("冲销原因"), max_length=200)

    def __init__(self, *args, entry: FundEntry, **kwargs):
        super().__init__(*args, **kwargs)
        self.entry = entry

    def save(self, *, actor):
        return services.fund_entry_reverse(actor=actor, entry=self.entry, note=self.cleaned_data["note"])
