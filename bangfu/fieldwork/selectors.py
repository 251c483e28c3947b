"""Reads of the fieldwork app, narrowed to the acting user's scope."""

from django.db.models import F

from bangfu.core.permissions import Cap
from bangfu.core.scoping import scope

from .models import Team, TeamMember


def team_roll(*, team: Team) -> list[TeamMember]:
    """Everyone who has served on the team, current members first, then by role and date."""
    current_first = F("ends_on").desc(nulls_first=True)
    return list(team.members.select_related("user").order_by(current_first, "role", "starts_on", "pk"))


def teams_for(*, user, capability: str = Cap.FIELDWORK_VIEW):
    return scope(Team.objects.select_related("region", "organization"), user, capability)
