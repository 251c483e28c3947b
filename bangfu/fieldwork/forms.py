from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bangfu.accounts.forms import BootstrapMixin, RegionCodeField
from bangfu.accounts.models import Organization
from bangfu.core.permissions import Cap
from bangfu.core.scoping import scope

from . import services
from .models import Need, NeedKind, NeedStatus, Team, TeamMember, TeamRole

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class TeamForm(BootstrapMixin, forms.ModelForm):
    region = RegionCodeField(label=_("驻点村(12位代码)"))

    class Meta:
        model = Team
        fields = ["region", "organization", "name", "starts_on", "ends_on", "notes"]
        widgets = {"starts_on": DATE, "ends_on": DATE}

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = scope(
            Organization.objects.filter(is_active=True), user, Cap.ORGANIZATION_VIEW
        ).order_by("name")
        if self.instance.pk:
            self.initial["region"] = self.instance.region_id
            self.fields["region"].disabled = True
            self.fields["region"].required = False

    def _post_clean(self):
        pass  # the service validates inside its transaction

    def save(self, *, actor, commit=True):
        data = {
            name: self.cleaned_data[name]
            for name in ("organization", "name", "starts_on", "ends_on", "notes")
        }
        if self.instance.pk:
            return services.team_update(actor=actor, team=self.instance, data=data)
        return services.team_create(actor=actor, region=self.cleaned_data["region"], **data)


class UsernameField(forms.CharField):
    def clean(self, value):
        username = super().clean(value).strip()
        if not username and not self.required:
            return None
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise ValidationError(
                _("用户 %(name)s 不存在或已停用。"), code="unknown_user", params={"name": username}
            )
        return user


class MemberForm(BootstrapMixin, forms.Form):
    user = UsernameField(label=_("队员用户名"), max_length=150)
    role = forms.ChoiceField(label=_("职务"), choices=TeamRole.choices)
    starts_on = forms.DateField(label=_("到岗日期"), widget=DATE)
    ends_on = forms.DateField(label=_("离岗日期"), widget=DATE, required=False)

    def __init__(self, *args, team: Team, **kwargs):
        self.team = team
        super().__init__(*args, **kwargs)
        self.fields["starts_on"].initial = max(team.starts_on, timezone.localdate())

    def save(self, *, actor):
        return services.member_add(actor=actor, team=self.team, **self.cleaned_data)


class MemberEndForm(BootstrapMixin, forms.Form):
    ends_on = forms.DateField(label=_("离岗日期"), widget=DATE)
    reason = forms.CharField(
        label=_("离岗原因"), max_length=200, required=False, help_text=_("如:轮换、期满、调离")
    )

    def __init__(self, *args, member: TeamMember, **kwargs):
        self.member = member
        super().__init__(*args, **kwargs)
        self.fields["ends_on"].initial = timezone.localdate()

    def save(self, *, actor):
        return services.member_end(actor=actor, member=self.member, **self.cleaned_data)


# Attendance --------------------------------------------------------------------------------------


class LocationFields(forms.Form):
    """Filled by the page's script from the browser's geolocation; absent without it."""

    latitude = forms.FloatField(required=False, widget=forms.HiddenInput)
    longitude = forms.FloatField(required=False, widget=forms.HiddenInput)
    accuracy = forms.FloatField(required=False, widget=forms.HiddenInput)
    note = forms.CharField(label=_("备注"), max_length=200, required=False)

    def location(self) -> dict:
        return {key: self.cleaned_data.get(key) for key in ("latitude", "longitude", "accuracy", "note")}


class CheckInForm(LocationFields):
    team = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_team(self):
        team = Team.objects.select_related("region").filter(pk=self.cleaned_data["team"]).first()
        if team is None:
            raise ValidationError(_("工作队不存在。"), code="unknown_team")
        return team

    def save(self, *, actor):
        return services.check_in(actor=actor, team=self.cleaned_data["team"], **self.location())


class CheckOutForm(LocationFields):
    def save(self, *, actor):
        return services.check_out(actor=actor, **self.location())


class LeaveRequestForm(BootstrapMixin, forms.Form):
    member = forms.ModelChoiceField(label=_("驻村任务"), queryset=TeamMember.objects.none())
    starts_on = forms.DateField(label=_("请假开始日期"), widget=DATE)
    ends_on = forms.DateField(label=_("请假结束日期"), widget=DATE)
    reason = forms.CharField(label=_("事由"), max_length=200)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        stints = (
            TeamMember.objects.filter(user=user)
            .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
            .select_related("team__region", "user")
        )
        self.fields["member"].queryset = stints
        self.fields["member"].label_from_instance = lambda m: str(m.team)
        if len(stints) == 1:
            self.fields["member"].initial = stints[0].pk

    def save(self, *, actor):
        return services.leave_request(actor=actor, **self.cleaned_data)


class LeaveDecideForm(BootstrapMixin, forms.Form):
    decision = forms.ChoiceField(
        label=_("审批结果"),
        choices=[("approve", _("批准")), ("reject", _("不批准"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("审批意见"), max_length=200, required=False)

    def __init__(self, *args, leave, **kwargs):
        self.leave = leave
        super().__init__(*args, **kwargs)
        self.fields["decision"].widget.attrs["class"] = "form-check-input"

    def save(self, *, actor):
        return services.leave_decide(
            actor=actor,
            leave=self.leave,
            approve=self.cleaned_data["decision"] == "approve",
            note=self.cleaned_data["note"],
        )


class ComplianceForm(BootstrapMixin, forms.Form):
    week_from = forms.DateField(label=_("从(所在周)"), widget=DATE, required=False)
    week_to = forms.DateField(label=_("到(所在周)"), widget=DATE, required=False)
    region = forms.CharField(label=_("区划代码"), max_length=12, required=False)
    team = forms.IntegerField(label=_("工作队编号"), required=False, min_value=1)
    failing = forms.BooleanField(label=_("只看未达标"), required=False)
    per = forms.ChoiceField(
        label=_("汇总"), choices=[("member", _("按队员")), ("team", _("按工作队"))], required=False
    )

    MAX_WEEKS = 60

    def clean(self):
        data = super().clean()
        first, last = data.get("week_from"), data.get("week_to")
        if first and last and last < first:
            raise ValidationError(_("结束日期不能早于开始日期。"), code="period_reversed")
        if first and last and (last - first).days > 7 * self.MAX_WEEKS:
            raise ValidationError(_("一次最多查看%(weeks)d周。") % {"weeks": self.MAX_WEEKS}, code="too_long")
        region = data.get("region", "").strip()
        if region and (not region.isdigit() or len(region) > 12):
            self.add_error("region", ValidationError(_("区划代码应为不超过12位的数字。"), code="bad_region"))
        return data


# Visits ------------------------------------------------------------------------------------------


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultiplePhotoField(forms.FileField):
    """Several photos from one file input (the service checks that each is an image)."""

    widget = MultipleFileInput

    def clean(self, data, initial=None):
        if not data:
            return []
        files = data if isinstance(data, list | tuple) else [data]
        return [super(MultiplePhotoField, self).clean(item, initial) for item in files]


NEED_ROWS = 3


class VisitForm(forms.Form):
    household = forms.CharField(label=_("户编号"), max_length=30)
    visited_on = forms.DateField(label=_("走访日期"), widget=DATE)
    companions = forms.CharField(label=_("同行人员"), max_length=100, required=False)
    findings = forms.CharField(label=_("走访情况"), widget=forms.Textarea(attrs={"rows": 4}))
    photos = MultiplePhotoField(
        label=_("照片"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": "image/*"}),
        help_text=_("最多6张,每张不超过5MB"),
    )

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        self.fields["visited_on"].initial = timezone.localdate()
        for index in range(1, NEED_ROWS + 1):
            self.fields[f"need{index}_kind"] = forms.ChoiceField(
                label=_("诉求%(n)d 类别") % {"n": index},
                choices=[("", "—"), *NeedKind.choices],
                required=False,
            )
            self.fields[f"need{index}_text"] = forms.CharField(
                label=_("诉求%(n)d 内容") % {"n": index}, max_length=300, required=False
            )
            self.fields[f"need{index}_due"] = forms.DateField(
                label=_("诉求%(n)d 办理期限") % {"n": index}, widget=DATE, required=False
            )

    def clean_household(self):
        from bangfu.registry.models import Household

        code = self.cleaned_data["household"].strip()
        household = scope(Household.objects.all(), self.user, Cap.VISIT_RECORD).filter(code=code).first()
        if household is None:
            raise ValidationError(_("户编号不存在或不在您的管辖范围内。"), code="out_of_scope")
        return household

    def needs(self) -> list:
        rows = []
        for index in range(1, NEED_ROWS + 1):
            text = self.cleaned_data.get(f"need{index}_text", "").strip()
            if text:
                rows.append(
                    services.NeedInput(
                        kind=self.cleaned_data.get(f"need{index}_kind") or NeedKind.OTHER,
                        description=text,
                        due_on=self.cleaned_data.get(f"need{index}_due"),
                    )
                )
        return rows

    def save(self, *, actor):
        data = self.cleaned_data
        return services.visit_record(
            actor=actor,
            household=data["household"],
            visited_on=data["visited_on"],
            findings=data["findings"],
            companions=data["companions"],
            needs=self.needs(),
            photos=data["photos"],
        )


class NeedForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(label=_("诉求类别"), choices=NeedKind.choices)
    owner = UsernameField(label=_("责任人用户名"), max_length=150, required=False)
    due_on = forms.DateField(label=_("办理期限"), widget=DATE, required=False)
    status = forms.ChoiceField(label=_("状态"), choices=NeedStatus.choices)
    closing_note = forms.CharField(
        label=_("办结说明"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("办结时必填"),
    )

    def __init__(self, *args, need: Need, **kwargs):
        self.need = need
        super().__init__(*args, **kwargs)
        self.initial.update(
            kind=need.kind,
            owner=need.owner.username if need.owner_id else "",
            due_on=need.due_on,
            status=need.status,
            closing_note=need.closing_note,
        )

    def save(self, *, actor):
        return services.need_update(actor=actor, need=self.need, data=self.cleaned_data)


class HolidayForm(BootstrapMixin, forms.Form):
    date = forms.DateField(label=_("日期"), widget=DATE)
    name = forms.CharField(label=_("名称"), max_length=50, help_text=_("例如:国庆节"))

    def save(self, *, actor):
        return services.holiday_add(actor=actor, **self.cleaned_data)
