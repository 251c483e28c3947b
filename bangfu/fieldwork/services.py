"""Every write of the fieldwork app, each in one transaction with its audit entry.

Rules that surface as field errors (codes in errors.ErrorCode):
- a team is stationed in a village (level ``village``) inside the actor's scope, and its
  period does not end before it starts;
- a member's stint lies inside the team's period, and one person serves on one team at a
  time (stints of the same person never overlap, whichever the team);
- a member who leaves gets an end date; rows are never deleted, so the roll keeps its history.
"""

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from bangfu.audit.services import audited_create, audited_update
from bangfu.core.permissions import Cap
from bangfu.core.scoping import in_scope

from .errors import ErrorCode
from .models import Team, TeamMember, TeamRole


def _error(field: str, message, code) -> ValidationError:
    """A field error that keeps its code."""
    return ValidationError({field: [ValidationError(message, code=code)]})


def _user(actor):
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


def _check_scope(actor, capability: str, region_code: str, field: str) -> None:
    """Services called on behalf of a user refuse regions outside the user's scope."""
    if _user(actor) is not None and not in_scope(actor, capability, region_code):
        raise _error(field, _("不存在或不在您的管辖范围内。"), ErrorCode.OUT_OF_SCOPE)


def _check_period(starts_on, ends_on, field: str = "ends_on") -> None:
    if starts_on and ends_on and ends_on < starts_on:
        raise _error(field, _("结束日期不能早于开始日期。"), ErrorCode.PERIOD_REVERSED)


def _overlap_q(starts_on: datetime.date, ends_on: datetime.date | None) -> Q:
    """Rows whose [starts_on, ends_on] (open end: still running) meets the given period."""
    query = Q(ends_on__isnull=True) | Q(ends_on__gte=starts_on)
    if ends_on is not None:
        query &= Q(starts_on__lte=ends_on)
    return query


# Teams -------------------------------------------------------------------------------------------


def team_create(
    *, actor, region, organization, starts_on: datetime.date, ends_on: datetime.date | None = None, **fields
) -> Team:
    if region.level != "village":
        raise _error("region", _("驻村工作队只能派驻到村(社区)。"), ErrorCode.NOT_A_VILLAGE)
    _check_scope(actor, Cap.TEAM_MANAGE, region.code, "region")
    _check_period(starts_on, ends_on)
    team = Team(
        region=region,
        region_code=region.code,
        organization=organization,
        starts_on=starts_on,
        ends_on=ends_on,
        **fields,
    )
    return audited_create(actor=actor, instance=team)


def team_update(*, actor, team: Team, data: dict[str, Any]) -> Team:
    """Changes the team's sending organisation, name, period or notes; the village stays."""
    data = {key: value for key, value in data.items() if key not in ("region", "region_code")}
    starts_on = data.get("starts_on", team.starts_on)
    ends_on = data.get("ends_on", team.ends_on)
    _check_period(starts_on, ends_on)
    with transaction.atomic():
        outside = Q(starts_on__lt=starts_on)
        if ends_on is not None:
            outside |= Q(starts_on__gt=ends_on) | Q(ends_on__gt=ends_on)
        if team.members.filter(outside).exists():
            raise _error(
                "starts_on", _("有队员的在岗时间不在新的驻村期间内。"), ErrorCode.OUTSIDE_TEAM_PERIOD
            )
        return audited_update(actor=actor, instance=team, data=data)


def member_add(
    *,
    actor,
    team: Team,
    user,
    role: str = TeamRole.MEMBER,
    starts_on: datetime.date,
    ends_on: datetime.date | None = None,
) -> TeamMember:
    _check_scope(actor, Cap.TEAM_MANAGE, team.region_code, "team")
    _check_period(starts_on, ends_on)
    inside = starts_on >= team.starts_on and (
        team.ends_on is None or (starts_on <= team.ends_on and (ends_on is None or ends_on <= team.ends_on))
    )
    if not inside:
        raise _error("starts_on", _("在岗时间必须在工作队的驻村期间内。"), ErrorCode.OUTSIDE_TEAM_PERIOD)
    with transaction.atomic():
        candidates = (
            TeamMember.objects.select_for_update()
            .filter(user=user)
            .filter(_overlap_q(starts_on, ends_on))
            .select_related("team__region")
        )
        clash = next((m for m in candidates if _stint_meets(m, starts_on, ends_on)), None)
        if clash is not None:
            raise _error(
                "user",
                _("%(user)s 在这段时间已在 %(team)s 驻村,同一时间只能在一个工作队。")
                % {"user": user, "team": clash.team},
                ErrorCode.ALREADY_MEMBER,
            )
        member = TeamMember(
            team=team,
            user=user,
            region_code=team.region_code,
            role=role,
            starts_on=starts_on,
            ends_on=ends_on,
        )
        return audited_create(actor=actor, instance=member)


def effective_end(member: TeamMember) -> datetime.date | None:
    """A stint ends at its own end date or the team's, whichever comes first."""
    ends = [day for day in (member.ends_on, member.team.ends_on) if day is not None]
    return min(ends) if ends else None


def _stint_meets(member: TeamMember, starts_on: datetime.date, ends_on: datetime.date | None) -> bool:
    end = effective_end(member)
    return (end is None or end >= starts_on) and (ends_on is None or member.starts_on <= ends_on)


def member_end(*, actor, member: TeamMember, ends_on: datetime.date, reason: str = "") -> TeamMember:
    """A member leaves the team (rotation): the stint gets its end date, the row stays."""
    _check_scope(actor, Cap.TEAM_MANAGE, member.region_code, "member")
    if member.ends_on is not None and member.ends_on <= ends_on:
        raise _error(
            "ends_on", _("该队员已于 %(day)s 离岗。") % {"day": member.ends_on}, ErrorCode.ALREADY_ENDED
        )
    _check_period(member.starts_on, ends_on)
    return audited_update(actor=actor, instance=member, data={"ends_on": ends_on, "end_reason": reason})


def member_update(*, actor, member: TeamMember, role: str) -> TeamMember:
    _check_scope(actor, Cap.TEAM_MANAGE, member.region_code, "member")
    return audited_update(actor=actor, instance=member, data={"role": role})
