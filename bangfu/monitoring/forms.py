import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bangfu.accounts.forms import BootstrapMixin, RegionCodeField
from bangfu.core.permissions import Cap
from bangfu.core.scoping import scope

from . import services
from .models import (
    CaseCategory,
    CaseSource,
    Decision,
    MeasureKind,
    MonitoredCase,
    RiskKind,
    RiskSource,
    Step,
    Threshold,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _household(user, capability, code: str):
    from bangfu.registry.models import Household

    household = scope(Household.objects.all(), user, capability).filter(code=code.strip()).first()
    if household is None:
        raise ValidationError(_("户编号不存在或不在您的管辖范围内。"), code="out_of_scope")
    return household


class ThresholdForm(BootstrapMixin, forms.ModelForm):
    region = RegionCodeField(label=_("省或县(区划代码)"))
    event_kinds = forms.MultipleChoiceField(
        label=_("新发风险预警类型"),
        choices=RiskKind.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = Threshold
        fields = ["region", "year", "income_line", "expense_share", "drop_share", "event_kinds"]

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        self.fields["income_line"].min_value = None
        if self.instance.pk:
            self.initial["region"] = self.instance.region_id
            self.initial["event_kinds"] = self.instance.kinds()
            self.fields["region"].disabled = True
            self.fields["region"].required = False
            self.fields["year"].disabled = True
        else:
            self.initial.setdefault("year", timezone.localdate().year)
            self.initial.setdefault("event_kinds", ["illness", "disability", "disaster", "accident"])

    def _post_clean(self):
        pass  # the service validates inside its transaction

    def save(self, *, actor, commit=True):
        data = self.cleaned_data
        region = self.instance.region if self.instance.pk else data["region"]
        year = self.instance.year if self.instance.pk else data["year"]
        return services.threshold_save(
            actor=actor,
            region=region,
            year=year,
            income_line=data["income_line"],
            expense_share=data["expense_share"],
            drop_share=data["drop_share"],
            event_kinds=data["event_kinds"],
        )


class RiskEventForm(forms.Form):
    household = forms.CharField(label=_("户编号"), max_length=30)
    kind = forms.ChoiceField(label=_("风险类型"), choices=RiskKind.choices)
    occurred_on = forms.DateField(label=_("发生日期"), widget=DATE)
    amount = forms.DecimalField(
        label=_("金额(元)"),
        max_digits=14,
        decimal_places=2,
        initial=0,
        help_text=_("支出或损失金额,不能为负"),
    )
    source = forms.ChoiceField(label=_("来源"), choices=RiskSource.choices, initial=RiskSource.VISIT)
    department = forms.CharField(label=_("数据来源部门"), max_length=100, required=False)
    description = forms.CharField(
        label=_("情况说明"), max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, user, visit=None, **kwargs):
        self.user, self.visit = user, visit
        super().__init__(*args, **kwargs)
        self.fields["occurred_on"].initial = timezone.localdate()
        if visit is not None:
            self.fields["household"].initial = visit.household.code
            self.fields["source"].initial = RiskSource.VISIT

    def clean_household(self):
        return _household(self.user, Cap.RISK_RECORD, self.cleaned_data["household"])

    def save(self, *, actor):
        data = self.cleaned_data
        return services.risk_event_record(
            actor=actor,
            household=data["household"],
            kind=data["kind"],
            occurred_on=data["occurred_on"],
            amount=data["amount"],
            source=data["source"],
            visit=self.visit
            if self.visit is not None and self.visit.household_id == data["household"].pk
            else None,
            department=data["department"],
            description=data["description"],
        )


class CaseOpenForm(BootstrapMixin, forms.Form):
    household = forms.CharField(label=_("户编号"), max_length=30)
    category = forms.ChoiceField(label=_("监测对象类别"), choices=CaseCategory.choices)
    source = forms.ChoiceField(label=_("发现方式"), choices=CaseSource.choices)
    risk_kind = forms.ChoiceField(label=_("主要风险类型"), choices=RiskKind.choices)
    summary = forms.CharField(label=_("风险情况"), max_length=300, widget=forms.Textarea(attrs={"rows": 3}))
    opened_on = forms.DateField(label=_("启动识别日期"), widget=DATE)

    def __init__(self, *args, user, flag=None, **kwargs):
        self.user, self.flag = user, flag
        super().__init__(*args, **kwargs)
        self.fields["opened_on"].initial = timezone.localdate()
        if flag is not None:
            self.fields["household"].initial = flag.household.code
            self.fields["source"].initial = CaseSource.DEPARTMENT
            self.fields["summary"].initial = flag.explanation()
            if flag.risk_event_id:
                self.fields["risk_kind"].initial = flag.risk_event.kind

    def clean_household(self):
        return _household(self.user, Cap.CASE_VILLAGE, self.cleaned_data["household"])

    def save(self, *, actor):
        data = dict(self.cleaned_data)
        flags = (
            [self.flag] if self.flag is not None and self.flag.household_id == data["household"].pk else []
        )
        return services.case_open(actor=actor, flags=flags, **data)


class CaseStepForm(BootstrapMixin, forms.Form):
    step = forms.ChoiceField(label=_("环节"), choices=Step.choices, widget=forms.HiddenInput)
    decision = forms.ChoiceField(label=_("结论"), choices=Decision.choices)
    acted_on = forms.DateField(label=_("办理日期"), widget=DATE)
    note = forms.CharField(label=_("意见"), max_length=300, required=False)
    authorisation_signed = forms.BooleanField(label=_("农户已签署授权承诺书"), required=False)
    notice_starts_on = forms.DateField(label=_("公示开始日期"), widget=DATE, required=False)
    notice_ends_on = forms.DateField(label=_("公示结束日期"), widget=DATE, required=False)

    def __init__(self, *args, case: MonitoredCase, **kwargs):
        self.case = case
        super().__init__(*args, **kwargs)
        self.fields["step"].initial = case.next_step
        self.fields["acted_on"].initial = timezone.localdate()
        if case.next_step != Step.VERIFICATION:
            del self.fields["authorisation_signed"]
        if case.next_step != Step.PUBLIC_NOTICE:
            del self.fields["notice_starts_on"], self.fields["notice_ends_on"]
        else:
            today = timezone.localdate()
            self.fields["notice_starts_on"].initial = today
            self.fields["notice_ends_on"].initial = today + datetime.timedelta(days=6)

    def save(self, *, actor):
        return services.case_step_record(actor=actor, case=self.case, **self.cleaned_data)


class CaseCloseForm(BootstrapMixin, forms.Form):
    evidence = forms.CharField(
        label=_("风险消除依据"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_("例如:连续两年人均纯收入超过监测标准,医疗费用已报销,风险已解除。"),
    )
    started_on = forms.DateField(label=_("启动日期"), widget=DATE)

    def __init__(self, *args, case: MonitoredCase, **kwargs):
        self.case = case
        super().__init__(*args, **kwargs)
        self.fields["started_on"].initial = timezone.localdate()

    def save(self, *, actor):
        return services.case_close_start(actor=actor, case=self.case, **self.cleaned_data)


class MeasureForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(label=_("措施类型"), choices=MeasureKind.choices)
    target = forms.ChoiceField(label=_("对应的项目 / 结对 / 工作队 / 爱心超市"), required=False)
    description = forms.CharField(label=_("措施内容"), max_length=300)
    started_on = forms.DateField(label=_("开始日期"), widget=DATE)

    def __init__(self, *args, case: MonitoredCase, user, **kwargs):
        from bangfu.assistance.models import Project
        from bangfu.fieldwork.models import Team
        from bangfu.registry.models import HouseholdPairing
        from bangfu.supermarket.models import Enrolment

        self.case, self.user = case, user
        super().__init__(*args, **kwargs)
        self.fields["started_on"].initial = timezone.localdate()
        self.targets = {}
        choices = [("", "—")]
        projects = (
            scope(Project.objects.all(), user, Cap.ASSISTANCE_VIEW)
            .filter(region_code__startswith=case.region_code[:6])
            .order_by("-pk")[:50]
        )
        for project in projects:
            self.targets[f"project:{project.pk}"] = ("project", project)
            choices.append((f"project:{project.pk}", f"{_('帮扶项目')}:{project.name}"))
        for pairing in HouseholdPairing.objects.filter(household_id=case.household_id):
            self.targets[f"pairing:{pairing.pk}"] = ("pairing", pairing)
            choices.append((f"pairing:{pairing.pk}", f"{_('结对帮扶')}:{pairing.helper_name}"))
        for team in Team.objects.filter(region_code=case.region_code):
            self.targets[f"team:{team.pk}"] = ("team", team)
            choices.append((f"team:{team.pk}", f"{_('驻村工作队')}:{team}"))
        for enrolment in Enrolment.objects.filter(
            household_id=case.household_id, is_active=True
        ).select_related("store"):
            self.targets[f"supermarket:{enrolment.pk}"] = ("enrolment", enrolment)
            choices.append((f"supermarket:{enrolment.pk}", f"{_('爱心超市救助')}:{enrolment.store}"))
        self.fields["target"].choices = choices

    def save(self, *, actor):
        data = self.cleaned_data
        links = {}
        if data["target"]:
            name, target = self.targets[data["target"]]
            links[name] = target
        return services.measure_add(
            actor=actor,
            case=self.case,
            kind=data["kind"],
            description=data["description"],
            started_on=data["started_on"],
            **links,
        )


class FlagDismissForm(BootstrapMixin, forms.Form):
    note = forms.CharField(label=_("核实情况"), max_length=200)

    def __init__(self, *args, flag, **kwargs):
        self.flag = flag
        super().__init__(*args, **kwargs)

    def save(self, *, actor):
        return services.flag_dismiss(actor=actor, flag=self.flag, note=self.cleaned_data["note"])


class RulesRunForm(BootstrapMixin, forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2013, max_value=2100)
    region = forms.CharField(
        label=_("区划代码前缀"), max_length=12, required=False, help_text=_("留空为您的全部管辖范围")
    )
