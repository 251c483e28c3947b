"""Reads of the fieldwork app, narrowed to the acting user's scope."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from bangfu.core.permissions import Cap
from bangfu.core.scoping import scope

from . import rule
from .models import CheckIn, Leave, LeaveStatus, Need, NeedStatus, PublicHoliday, Team, TeamMember, Visit
from .services import effective_end


def team_roll(*, team: Team) -> list[TeamMember]:
    """Everyone who has served on the team, current members first, then by role and date."""
    current_first = F("ends_on").desc(nulls_first=True)
    return list(team.members.select_related("user").order_by(current_first, "role", "starts_on", "pk"))


def teams_for(*, user, capability: str = Cap.FIELDWORK_VIEW):
    return scope(Team.objects.select_related("region", "organization"), user, capability)


# The five-days-four-nights report ----------------------------------------------------------------


@dataclass
class ComplianceRow:
    """One member's week in the weekly compliance report."""

    member: TeamMember
    week: rule.Week

    @property
    def name(self) -> str:
        return str(self.member.user)

    @property
    def team(self) -> str:
        return str(self.member.team)

    @property
    def village(self) -> str:
        return self.member.team.region.name

    @property
    def role(self) -> str:
        return self.member.get_role_display()

    @property
    def complies(self) -> bool:
        return self.week.complies

    @property
    def reason(self) -> str:
        week = self.week
        text = _("在村%(days)d天%(nights)d夜,要求%(required_days)d天%(required_nights)d夜") % {
            "days": week.days,
            "nights": week.nights,
            "required_days": week.required_days,
            "required_nights": week.required_nights,
        }
        parts = [text]
        if week.leave_days:
            parts.append(_("请假%(count)d天") % {"count": week.leave_days})
        if week.holiday_days:
            parts.append(_("节假日%(count)d天") % {"count": week.holiday_days})
        if week.off_duty_days:
            parts.append(_("不在岗%(count)d天") % {"count": week.off_duty_days})
        return ";".join(parts)


@dataclass
class TeamWeek:
    team: Team
    start: datetime.date
    members: int = 0
    compliant: int = 0
    failing: list[ComplianceRow] = field(default_factory=list)

    @property
    def rate(self) -> int:
        return round(100 * self.compliant / self.members) if self.members else 100


def weeks_between(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    monday, end = rule.week_start(first), rule.week_start(last)
    weeks = []
    while monday <= end:
        weeks.append(monday)
        monday += datetime.timedelta(days=7)
    return weeks


def default_weeks(today: datetime.date | None = None) -> tuple[datetime.date, datetime.date]:
    """The last four complete weeks."""
    this_monday = rule.week_start(today or timezone.localdate())
    return this_monday - datetime.timedelta(days=28), this_monday - datetime.timedelta(days=1)


def _local_midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(), tzinfo=rule.ZONE)


def compliance_report(
    *,
    user,
    first: datetime.date,
    last: datetime.date,
    members: QuerySet | None = None,
    failing_only: bool = False,
) -> list[ComplianceRow]:
    """Every in-scope member's weeks between ``first`` and ``last`` (whole weeks), with the rule applied.

    Four queries whatever the size: the members, their stays, their approved leave and
    the holidays; the stays are read as plain tuples and split into days and nights in one
    pass (see rule.py).
    """
    weeks = weeks_between(first, last)
    if not weeks:
        return []
    first_day, last_day = weeks[0], weeks[-1] + datetime.timedelta(days=6)
    base = members if members is not None else scope(TeamMember.objects.all(), user, Cap.FIELDWORK_VIEW)
    base = base.filter(starts_on__lte=last_day).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=first_day))
    roll = list(
        base.select_related("team__region", "user").order_by(
            "team__region_code", "team_id", "role", "user__username", "pk"
        )
    )
    if not roll:
        return []
    ids = base.values("pk")
    stays: dict[int, list[tuple[int, int]]] = defaultdict(list)
    since = _local_midnight(first_day)
    until = _local_midnight(last_day + datetime.timedelta(days=1)) + datetime.timedelta(
        hours=rule.NIGHT_ENDS_HOUR
    )
    rows = (
        CheckIn.objects.filter(member_id__in=ids, checked_in_at__lt=until, checked_out_at__gt=since)
        .values_list("member_id", "checked_in_at", "checked_out_at")
        .iterator(chunk_size=20_000)
    )
    for member_id, start, end in rows:
        stays[member_id].append((rule.local_seconds(start), rule.local_seconds(end)))
    leave_days: dict[int, set[datetime.date]] = defaultdict(set)
    leaves = Leave.objects.filter(
        member_id__in=ids, status=LeaveStatus.APPROVED, starts_on__lte=last_day, ends_on__gte=first_day
    ).values_list("member_id", "starts_on", "ends_on")
    for member_id, start, end in leaves:
        day = max(start, first_day)
        while day <= min(end, last_day):
            leave_days[member_id].add(day)
            day += datetime.timedelta(days=1)
    holidays = set(
        PublicHoliday.objects.filter(date__gte=first_day, date__lte=last_day).values_list("date", flat=True)
    )
    result = []
    for member in roll:
        end = effective_end(member)
        member_weeks = [
            w for w in weeks if w <= (end or last_day) and w + datetime.timedelta(days=6) >= member.starts_on
        ]
        for week in rule.evaluate_weeks(
            stays=stays.get(member.pk, ()),
            weeks=member_weeks,
            on_duty=(member.starts_on, end),
            leave_days=leave_days.get(member.pk, set()),
            holidays=holidays,
        ):
            if failing_only and week.complies:
                continue
            result.append(ComplianceRow(member=member, week=week))
    return result


def team_summary(rows: list[ComplianceRow]) -> list[TeamWeek]:
    """The report folded per team and week (rows in the order compliance_report gives them)."""
    summary: dict[tuple[int, datetime.date], TeamWeek] = {}
    for row in rows:
        key = (row.member.team_id, row.week.start)
        team_week = summary.get(key)
        if team_week is None:
            team_week = summary[key] = TeamWeek(team=row.member.team, start=row.week.start)
        team_week.members += 1
        if row.complies:
            team_week.compliant += 1
        else:
            team_week.failing.append(row)
    return sorted(summary.values(), key=lambda t: (t.team.region_code, t.team.pk, t.start))


def member_week(*, member: TeamMember, day: datetime.date | None = None) -> rule.Week:
    """The member's current week so far (for the phone page)."""
    day = day or timezone.localdate()
    monday = rule.week_start(day)
    rows = compliance_report(
        user=None, first=monday, last=monday, members=TeamMember.objects.filter(pk=member.pk)
    )
    return rows[0].week if rows else rule.Week(start=monday)


# Visits ------------------------------------------------------------------------------------------


def photo_count():
    """An annotation: how many photos (attachments of kind photo) each visit has, as a subquery
    on the attachments by owner type and id."""
    from django.contrib.contenttypes.models import ContentType

    from bangfu.attachments.models import Attachment, AttachmentKind

    photos = (
        Attachment.objects.filter(
            owner_type=ContentType.objects.get_for_model(Visit),
            owner_id=OuterRef("pk"),
            kind=AttachmentKind.PHOTO,
        )
        .order_by()
        .values("owner_id")
        .annotate(total=Count("pk"))
        .values("total")
    )
    return Coalesce(Subquery(photos, output_field=IntegerField()), 0)


def household_fieldwork(*, household, user, limit: int = 20) -> dict:
    """A household's recent visits and its open needs (for its page, itself already scoped)."""
    visits = list(
        Visit.objects.filter(household=household)
        .select_related("visitor")
        .annotate(photo_count=photo_count(), need_count=Count("needs", distinct=True))
        .order_by("-visited_on", "-pk")[:limit]
    )
    open_needs = list(
        Need.objects.filter(household=household)
        .exclude(status=NeedStatus.CLOSED)
        .select_related("owner")
        .order_by("due_on", "pk")
    )
    can_record = (
        user.has_capability(Cap.VISIT_RECORD)
        and scope(type(household).objects.filter(pk=household.pk), user, Cap.VISIT_RECORD).exists()
    )
    return {"visits": visits, "open_needs": open_needs, "can_record": can_record}
