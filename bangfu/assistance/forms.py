from django import forms
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from bangfu.accounts.forms import BootstrapMixin, RegionCodeField
from bangfu.accounts.models import Organization
from bangfu.attachments import services as attachments
from bangfu.attachments.forms import MultipleFileField
from bangfu.core.permissions import Cap
from bangfu.core.scoping import in_scope, scope

from . import services
from .models import (
    Activity,
    Feedback,
    FundEntry,
    FundKind,
    Helper,
    OutcomeKind,
    Partnership,
    Project,
)

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
    override_reason = forms.CharField(
        label=_("超支说明"),
        required=False,
        max_length=200,
        help_text=_("仅在支出超过项目可用资金、确需先行支付时填写;将记入资金账本和操作记录。"),
    )
    vouchers = MultipleFileField(
        label=_("凭证附件"),
        required=False,
        help_text=_("凭证的扫描件或照片(PDF、JPEG、PNG等),可多选;记账后只能追加,不能删除。"),
    )

    def __init__(self, *args, project: Project, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.project = project
        if not in_scope(user, Cap.FUNDS_OVERRIDE, project.region_code):
            del self.fields["override_reason"]

    def save(self, *, actor):
        data = dict(self.cleaned_data)
        vouchers = data.pop("vouchers", [])
        with transaction.atomic():  # the entry and its vouchers, or neither
            entry = services.fund_entry_record(actor=actor, project=self.project, **data)
            if vouchers:
                attachments.attachments_add(
                    actor=actor, owner=entry, files=vouchers, caption=str(_("记账凭证"))
                )
        return entry


class ReversalForm(BootstrapMixin, forms.Form):
    note = forms.CharField(label=_("冲销原因"), max_length=200)

    def __init__(self, *args, entry: FundEntry, **kwargs):
        super().__init__(*args, **kwargs)
        self.entry = entry

    def save(self, *, actor):
        return services.fund_entry_reverse(actor=actor, entry=self.entry, note=self.cleaned_data["note"])


# Beneficiaries, outcomes, dividends ---------------------------------------------------------------


class BeneficiaryForm(BootstrapMixin, forms.Form):
    household = forms.CharField(label=_("户编号"), max_length=30, help_text=_("人口库中的户编号"))
    note = forms.CharField(label=_("备注"), required=False, max_length=200)

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        self.project = project

    def save(self, *, actor):
        return services.beneficiary_add(actor=actor, project=self.project, **self.cleaned_data)


class CountedBeneficiaryForm(BootstrapMixin, forms.Form):
    households = forms.IntegerField(label=_("受益户数"), min_value=0, initial=0)
    persons = forms.IntegerField(label=_("受益人数"), min_value=0, initial=0)
    unregistered_reason = forms.CharField(
        label=_("未登记原因"), max_length=200, help_text=_("例如:非建档立卡户、外村务工人员")
    )
    region = RegionCodeField(label=_("所在地区(12位代码)"), required=False, help_text=_("不填为项目实施地区"))
    note = forms.CharField(label=_("备注"), required=False, max_length=200)

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        self.project = project

    def save(self, *, actor):
        data = self.cleaned_data
        return services.beneficiary_count(
            actor=actor,
            project=self.project,
            households=data["households"],
            persons=data["persons"],
            reason=data["unregistered_reason"],
            region=data.get("region") or None,
            note=data["note"],
        )


class OutcomeForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(label=_("指标"), choices=OutcomeKind.choices)
    value = forms.DecimalField(label=_("数值"), max_digits=14, decimal_places=2, min_value=0)
    as_of = forms.DateField(label=_("截至日期"), widget=DATE)
    note = forms.CharField(label=_("备注"), required=False, max_length=200)

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        self.project = project

    def save(self, *, actor):
        return services.outcome_record(actor=actor, project=self.project, **self.cleaned_data)


class ShareholdingForm(BootstrapMixin, forms.Form):
    household = forms.CharField(label=_("户编号"), max_length=30)
    shares = forms.IntegerField(label=_("股数"), min_value=1, initial=1)
    since_year = forms.IntegerField(label=_("入股年份"))

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        self.project = project

    def save(self, *, actor):
        return services.shareholding_add(actor=actor, project=self.project, **self.cleaned_data)


class DividendRunForm(BootstrapMixin, forms.Form):
    year = forms.IntegerField(label=_("分红年度"))
    amount_per_share = forms.DecimalField(label=_("每股分红(元)"), max_digits=14, decimal_places=2)
    paid_on = forms.DateField(label=_("发放日期"), widget=DATE)

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        self.project = project

    def save(self, *, actor):
        return services.dividend_run(actor=actor, project=self.project, **self.cleaned_data)


class DisclosureForm(BootstrapMixin, forms.Form):
    disclosed_from = forms.DateField(label=_("公示开始"), widget=DATE)
    disclosed_until = forms.DateField(
        label=_("公示截止"), widget=DATE, required=False, help_text=_("公示期内公众可在公示页提交意见")
    )

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        self.project = project
        self.initial.update(disclosed_from=project.disclosed_from, disclosed_until=project.disclosed_until)

    def save(self, *, actor):
        return services.project_disclose(actor=actor, project=self.project, **self.cleaned_data)


# Activities and helpers -----------------------------------------------------------------------------


class ActivityForm(BootstrapMixin, forms.ModelForm):
    region = RegionCodeField(label=_("活动地区(12位代码)"))

    class Meta:
        model = Activity
        fields = [
            "kind",
            "title",
            "date",
            "region",
            "organization",
            "organiser",
            "helper",
            "project",
            "person_times",
            "distinct_people",
            "value_given",
            "description",
        ]
        widgets = {"date": DATE, "description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = _organizations(user)
        self.fields["helper"].queryset = scope(Helper.objects.all(), user, Cap.ASSISTANCE_VIEW)
        self.fields["project"].queryset = scope(Project.objects.all(), user, Cap.ASSISTANCE_VIEW)

    def _post_clean(self):
        pass

    def save(self, *, actor, commit=True):
        return services.activity_record(actor=actor, **self.cleaned_data)


class HelperForm(BootstrapMixin, forms.ModelForm):
    region = RegionCodeField(label=_("帮扶地区(12位代码)"))

    class Meta:
        model = Helper
        fields = ["kind", "name", "level", "honours", "organization", "studio", "region", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = _organizations(user)

    def _post_clean(self):
        pass

    def save(self, *, actor, commit=True):
        return services.helper_create(actor=actor, **self.cleaned_data)


class HelperResultForm(BootstrapMixin, forms.Form):
    year = forms.IntegerField(label=_("年度"))
    bases_built = forms.IntegerField(label=_("建成基地"), min_value=0, initial=0)
    trainings_held = forms.IntegerField(label=_("培训场次"), min_value=0, initial=0)
    trainees = forms.IntegerField(label=_("培训人数"), min_value=0, initial=0)
    jobs = forms.IntegerField(label=_("带动就业"), min_value=0, initial=0)
    households_lifted = forms.IntegerField(label=_("带动脱贫户数"), min_value=0, initial=0)

    def __init__(self, *args, helper: Helper, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = helper

    def save(self, *, actor):
        return services.helper_result_record(actor=actor, helper=self.helper, **self.cleaned_data)


# Public feedback ------------------------------------------------------------------------------------


class FeedbackForm(BootstrapMixin, forms.Form):
    message = forms.CharField(label=_("意见内容"), max_length=1000, widget=forms.Textarea(attrs={"rows": 4}))
    contact = forms.CharField(
        label=_("联系方式(选填)"), required=False, max_length=100, help_text=_("仅帮扶办公室可见")
    )
    # The honeypot: hidden from people by the page's style, filled by form robots.
    website = forms.CharField(label=_("网站"), required=False, max_length=200)


class FeedbackHandleForm(BootstrapMixin, forms.Form):
    reply = forms.CharField(label=_("处理情况"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, feedback: Feedback, **kwargs):
        super().__init__(*args, **kwargs)
        self.feedback = feedback

    def save(self, *, actor):
        return services.feedback_handle(actor=actor, feedback=self.feedback, **self.cleaned_data)
