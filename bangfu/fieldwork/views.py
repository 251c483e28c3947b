from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from bangfu.core.permissions import Cap
from bangfu.core.views import ObjectActionView, ObjectDetailView, ObjectEditView, ObjectListView

from . import listings, selectors
from .forms import MemberEndForm, MemberForm, TeamForm
from .models import Team, TeamMember

# Teams -------------------------------------------------------------------------------------------


class TeamListView(ObjectListView):
    listing = listings.teams
    create_url_name = "fieldwork:team-create"
    create_capability = Cap.TEAM_MANAGE


class TeamDetailView(ObjectDetailView):
    model = Team
    capability = Cap.FIELDWORK_VIEW
    template_name = "fieldwork/team_detail.html"
    queryset = staticmethod(lambda: Team.objects.select_related("region", "organization"))
    edit_url_name = "fieldwork:team-edit"
    edit_capability = Cap.TEAM_MANAGE
    fields = [
        (_("驻点村"), "region.name"),
        (_("区划代码"), "region_code"),
        (_("派出单位"), "organization.name"),
        (_("驻村开始日期"), "starts_on"),
        (_("驻村结束日期"), "ends_on"),
        (_("备注"), "notes"),
    ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        team = context["object"]
        roll = selectors.team_roll(team=team)
        context.update(
            current=[m for m in roll if m.ends_on is None],
            former=[m for m in roll if m.ends_on is not None],
            can_manage=context["edit_url"] is not None,
        )
        return context


class TeamCreateView(ObjectEditView):
    model = Team
    form_class = TeamForm
    capability = Cap.TEAM_MANAGE
    success_url_name = "fieldwork:team-detail"


class TeamEditView(TeamCreateView):
    pass


class MemberAddView(ObjectActionView):
    model = Team
    form_class = MemberForm
    capability = Cap.TEAM_MANAGE
    parent_kwarg = "team"
    title = _("添加队员")

    def success_url(self, obj, saved) -> str:
        return f"{obj.get_absolute_url()}#tab-members"


class MemberEndView(ObjectActionView):
    model = TeamMember
    form_class = MemberEndForm
    capability = Cap.TEAM_MANAGE
    parent_kwarg = "member"
    title = _("队员离岗(轮换)")

    def success_url(self, obj, saved) -> str:
        return reverse("fieldwork:team-detail", args=[obj.team_id]) + "#tab-members"
