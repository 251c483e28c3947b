from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bangfu.accounts.forms import BootstrapMixin, RegionCodeField
from bangfu.accounts.models import Organization
from bangfu.core.permissions import Cap
from bangfu.core.scoping import scope

from . import services
from .models import Team, TeamMember, TeamRole

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
