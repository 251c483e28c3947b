"""Every write of the fieldwork app, each in one transaction with its audit entry.

Rules that surface as field errors (codes in errors.ErrorCode):
- a check-in is accepted only from a member of the team stationed in that village on that
  day (both the stint and the team's period cover today); times are the server's;
- one open stay per member: a second check-in before checking out is refused, and so is a
  check-out with nothing open; a location, when given, is a latitude in [-90, 90], a
  longitude in [-180, 180] and an accuracy of 0 to 100,000 metres;
- leave is requested for whole days inside the member's stint; it may not overlap another
  pending or approved leave of the same person; the team's leader or first secretary (not
  the person on leave) or an office user holding ``leave.approve`` decides it, once;
- a visit is to a household in the actor's scope (``visit.record``), on a day not in the
  future nor before 2013; its photos are real JPEG, PNG or WebP images, at most 6 of at
  most 5 MB each, stored as attachments of the visit (bangfu.attachments); each need
  raised has a description and a due date not before the visit; a need is closed once,
  with a closing note;
- a team is stationed in a village (level ``village``) inside the actor's scope, and its
  period does not end before it starts;
- a member's stint lies inside the team's period, and one person serves on one team at a
  time (stints of the same person never overlap, whichever the team);
- a member who leaves gets an end date; rows are never deleted, so the roll keeps its history.
"""

import datetime
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from bangfu.audit.services import acting_user, audited_create, audited_delete, audited_update
from bangfu.core.permissions import Cap
from bangfu.core.scoping import in_scope

from .errors import ErrorCode
from .models import (
    CheckIn,
    Leave,
    LeaveStatus,
    Need,
    NeedKind,
    NeedStatus,
    PublicHoliday,
    Team,
    TeamMember,
    TeamRole,
    Visit,
)


def _error(field: str, message, code) -> ValidationError:
    """A field error that keeps its code."""
    return ValidationError({field: [ValidationError(message, code=code)]})


def _check_scope(actor, capability: str, region_code: str, field: str) -> None:
    """Services called on behalf of a user refuse regions outside the user's scope."""
    if acting_user(actor) is not None and not in_scope(actor, capability, region_code):
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


# Attendance --------------------------------------------------------------------------------------

MAX_ACCURACY_METRES = 100_000
MAX_LEAVE_DAYS = 60


def stationed_member(*, user, team: Team, day: datetime.date) -> TeamMember | None:
    """The user's stint on ``team`` that covers ``day`` (the team stationed that day too), if any."""
    if not team.active_on(day):
        return None
    return (
        TeamMember.objects.filter(team=team, user=user, starts_on__lte=day)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=day))
        .select_related("team")
        .first()
    )


def _location(prefix: str, latitude, longitude, accuracy) -> dict:
    if latitude is None and longitude is None:
        if accuracy is not None:
            raise _error("accuracy", _("没有位置时不应有定位精度。"), ErrorCode.INVALID_LOCATION)
        return {}
    if latitude is None or longitude is None:
        raise _error("latitude", _("纬度和经度须同时提供。"), ErrorCode.INVALID_LOCATION)
    if not -90 <= latitude <= 90:
        raise _error("latitude", _("纬度应在 -90 到 90 之间。"), ErrorCode.INVALID_LOCATION)
    if not -180 <= longitude <= 180:
        raise _error("longitude", _("经度应在 -180 到 180 之间。"), ErrorCode.INVALID_LOCATION)
    if accuracy is not None and not 0 <= accuracy <= MAX_ACCURACY_METRES:
        raise _error("accuracy", _("定位精度应在 0 到 100000 米之间。"), ErrorCode.INVALID_LOCATION)
    from decimal import ROUND_HALF_UP, Decimal

    places = Decimal("0.000001")
    return {
        f"{prefix}_latitude": Decimal(str(latitude)).quantize(places, rounding=ROUND_HALF_UP),
        f"{prefix}_longitude": Decimal(str(longitude)).quantize(places, rounding=ROUND_HALF_UP),
        f"{prefix}_accuracy": None if accuracy is None else int(round(accuracy)),
    }


def check_in(
    *,
    actor,
    team: Team,
    latitude: float | None = None,
    longitude: float | None = None,
    accuracy: float | None = None,
    note: str = "",
) -> CheckIn:
    """The actor arrives in the team's village now."""
    now = timezone.now()
    member = stationed_member(user=actor, team=team, day=timezone.localdate(now))
    if member is None:
        raise _error(
            "team",
            _("您今天没有派驻在%(village)s,不能在这里签到。") % {"village": team.region.name},
            ErrorCode.NOT_STATIONED,
        )
    location = _location("in", latitude, longitude, accuracy)
    try:
        with transaction.atomic():
            if CheckIn.objects.filter(member__user=actor, checked_out_at__isnull=True).exists():
                raise _error("team", _("您已签到,请先签退。"), ErrorCode.ALREADY_CHECKED_IN)
            record = CheckIn(
                member=member, region_code=member.region_code, checked_in_at=now, note=note, **location
            )
            return audited_create(actor=actor, instance=record)
    except IntegrityError as error:  # a second check-in racing the first: the open-stay constraint
        raise _error("team", _("您已签到,请先签退。"), ErrorCode.ALREADY_CHECKED_IN) from error


def open_check_in(*, user) -> CheckIn | None:
    return (
        CheckIn.objects.filter(member__user=user, checked_out_at__isnull=True)
        .select_related("member__team__region")
        .first()
    )


def check_out(
    *,
    actor,
    latitude: float | None = None,
    longitude: float | None = None,
    accuracy: float | None = None,
    note: str = "",
) -> CheckIn:
    """The actor leaves the village now: closes the open stay."""
    location = _location("out", latitude, longitude, accuracy)
    with transaction.atomic():
        record = (
            CheckIn.objects.select_for_update()
            .filter(member__user=actor, checked_out_at__isnull=True)
            .select_related("member__user", "member__team")
            .first()
        )
        if record is None:
            raise _error("team", _("您还没有签到。"), ErrorCode.NOT_CHECKED_IN)
        data = {"checked_out_at": timezone.now(), **location}
        if note:
            data["note"] = f"{record.note} / {note}" if record.note else note
            data["note"] = data["note"][:200]
        return audited_update(actor=actor, instance=record, data=data)


MAX_STAY_DAYS = 14


def stay_record(
    *,
    actor,
    member: TeamMember,
    checked_in_at: datetime.datetime,
    checked_out_at: datetime.datetime,
    note: str = "",
) -> CheckIn:
    """A past stay recorded afterwards (an import from paper sign-in sheets or another system):
    the member was stationed there on the day of arrival, the stay is over, lasts at most
    14 days and overlaps no other stay of the same person."""
    _check_scope(actor, Cap.TEAM_MANAGE, member.region_code, "member")
    if checked_out_at <= checked_in_at:
        raise _error("checked_out_at", _("签退时间应晚于签到时间。"), ErrorCode.PERIOD_REVERSED)
    if checked_out_at > timezone.now():
        raise _error("checked_out_at", _("签退时间不能晚于现在。"), ErrorCode.FUTURE_DATE)
    if checked_out_at - checked_in_at > datetime.timedelta(days=MAX_STAY_DAYS):
        raise _error(
            "checked_out_at",
            _("一次在村不能超过%(days)d天。") % {"days": MAX_STAY_DAYS},
            ErrorCode.STAY_TOO_LONG,
        )
    if not member.active_on(timezone.localdate(checked_in_at)) or not member.team.active_on(
        timezone.localdate(checked_in_at)
    ):
        raise _error(
            "checked_in_at",
            _("%(user)s 当天没有派驻在%(village)s。")
            % {"user": member.user, "village": member.team.region.name},
            ErrorCode.NOT_STATIONED,
        )
    with transaction.atomic():
        list(TeamMember.objects.select_for_update().filter(user_id=member.user_id).values_list("pk"))
        clash = (
            CheckIn.objects.filter(member__user_id=member.user_id, checked_in_at__lt=checked_out_at)
            .filter(Q(checked_out_at__isnull=True) | Q(checked_out_at__gt=checked_in_at))
            .first()
        )
        if clash is not None:
            raise _error(
                "checked_in_at",
                _("与已有的签到记录 %(stay)s 重叠。") % {"stay": clash},
                ErrorCode.STAY_OVERLAP,
            )
        record = CheckIn(
            member=member,
            region_code=member.region_code,
            checked_in_at=checked_in_at,
            checked_out_at=checked_out_at,
            note=note,
        )
        return audited_create(actor=actor, instance=record)


def leave_request(
    *, actor, member: TeamMember, starts_on: datetime.date, ends_on: datetime.date, reason: str
) -> Leave:
    """A member asks for leave (the member themself, or the office on their behalf)."""
    if acting_user(actor) is not None and actor.pk != member.user_id:
        _check_scope(actor, Cap.TEAM_MANAGE, member.region_code, "member")
    _check_period(starts_on, ends_on)
    if (ends_on - starts_on).days + 1 > MAX_LEAVE_DAYS:
        raise _error(
            "ends_on", _("一次请假不能超过%(days)d天。") % {"days": MAX_LEAVE_DAYS}, ErrorCode.LEAVE_TOO_LONG
        )
    end = effective_end(member)
    if starts_on < member.starts_on or (end is not None and ends_on > end):
        raise _error("starts_on", _("请假日期必须在驻村期间内。"), ErrorCode.OUTSIDE_TEAM_PERIOD)
    with transaction.atomic():
        # lock the person's stints so that two requests at once see each other
        list(TeamMember.objects.select_for_update().filter(user_id=member.user_id).values_list("pk"))
        clash = (
            Leave.objects.filter(member__user_id=member.user_id)
            .exclude(status__in=[LeaveStatus.REJECTED, LeaveStatus.CANCELLED])
            .filter(starts_on__lte=ends_on, ends_on__gte=starts_on)
            .first()
        )
        if clash is not None:
            raise _error(
                "starts_on",
                _("与已有的请假(%(start)s 至 %(end)s)重叠。")
                % {"start": clash.starts_on, "end": clash.ends_on},
                ErrorCode.LEAVE_OVERLAP,
            )
        leave = Leave(
            member=member, region_code=member.region_code, starts_on=starts_on, ends_on=ends_on, reason=reason
        )
        return audited_create(actor=actor, instance=leave)


def can_decide(*, user, leave: Leave) -> bool:
    """The office (``leave.approve`` in scope), or the team's leader or first secretary on duty today,
    never the person on leave."""
    if user is None or not user.is_authenticated or user.pk == leave.member.user_id:
        return False
    if in_scope(user, Cap.LEAVE_APPROVE, leave.region_code):
        return True
    today = timezone.localdate()
    return (
        TeamMember.objects.filter(
            team_id=leave.member.team_id,
            user=user,
            role__in=[TeamRole.LEADER, TeamRole.FIRST_SECRETARY],
            starts_on__lte=today,
        )
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
        .exists()
    )


def leave_decide(*, actor, leave: Leave, approve: bool, note: str = "") -> Leave:
    if not can_decide(user=actor, leave=leave):
        raise _error("leave", _("您不能审批这条请假。"), ErrorCode.NOT_AN_APPROVER)
    with transaction.atomic():
        locked = Leave.objects.select_for_update().select_related("member").get(pk=leave.pk)
        if locked.status != LeaveStatus.PENDING:
            raise _error("leave", _("这条请假已经审批过了。"), ErrorCode.LEAVE_NOT_PENDING)
        return audited_update(
            actor=actor,
            instance=locked,
            data={
                "status": LeaveStatus.APPROVED if approve else LeaveStatus.REJECTED,
                "decided_by": actor,
                "decided_at": timezone.now(),
                "decision_note": note,
            },
        )


def can_cancel(*, user, leave: Leave) -> bool:
    """The member themself, or the office (``team.manage`` in scope), while the leave is still ahead."""
    if user is None or not user.is_authenticated:
        return False
    if (
        leave.status not in (LeaveStatus.PENDING, LeaveStatus.APPROVED)
        or leave.starts_on <= timezone.localdate()
    ):
        return False
    return user.pk == leave.member.user_id or in_scope(user, Cap.TEAM_MANAGE, leave.region_code)


def leave_cancel(*, actor, leave: Leave, note: str = "") -> Leave:
    """A member withdraws a pending or approved leave that has not begun; the row stays, cancelled."""
    user = acting_user(actor)
    if user is not None and user.pk != leave.member.user_id:
        _check_scope(actor, Cap.TEAM_MANAGE, leave.region_code, "leave")
    with transaction.atomic():
        locked = Leave.objects.select_for_update().select_related("member").get(pk=leave.pk)
        if locked.status not in (LeaveStatus.PENDING, LeaveStatus.APPROVED):
            raise _error("leave", _("只能撤销待审批或已批准的请假。"), ErrorCode.LEAVE_NOT_CANCELLABLE)
        if locked.starts_on <= timezone.localdate():
            raise _error("leave", _("请假已经开始,不能撤销;请提前销假。"), ErrorCode.LEAVE_NOT_CANCELLABLE)
        data = {"status": LeaveStatus.CANCELLED}
        if note:
            data["decision_note"] = note[:200]
        return audited_update(actor=actor, instance=locked, data=data)


# Public holidays ---------------------------------------------------------------------------------


def holiday_add(*, actor, date: datetime.date, name: str) -> PublicHoliday:
    """A statutory public holiday (法定节假日, as announced each year by the State Council)."""
    name = (name or "").strip()
    if not name:
        raise _error("name", _("请填写节日名称。"), ErrorCode.NAME_REQUIRED)
    with transaction.atomic():
        if PublicHoliday.objects.filter(date=date).exists():
            raise _error("date", _("%(day)s 已是节假日。") % {"day": date}, ErrorCode.HOLIDAY_EXISTS)
        return audited_create(actor=actor, instance=PublicHoliday(date=date, name=name[:50]))


def holiday_delete(*, actor, holiday: PublicHoliday) -> None:
    with transaction.atomic():
        audited_delete(actor=actor, instance=holiday)


# Visits ------------------------------------------------------------------------------------------

EARLIEST_VISIT = datetime.date(2013, 1, 1)  # targeted assistance (精准扶贫) began in 2013
MAX_PHOTOS = 6
MAX_PHOTO_BYTES = 5 * 1024 * 1024
PHOTO_FORMATS = {"JPEG", "MPO", "PNG", "WEBP"}  # what an attachment keeps as a photo (MPO: as JPEG)


@dataclass
class NeedInput:
    kind: str
    description: str
    due_on: datetime.date | None = None
    owner: Any = None


def _check_photos(photos) -> None:
    from bangfu.core.uploads import UploadError, image_format

    if len(photos) > MAX_PHOTOS:
        raise _error(
            "photos", _("一次最多上传%(count)d张照片。") % {"count": MAX_PHOTOS}, ErrorCode.TOO_MANY_PHOTOS
        )
    for photo in photos:
        if photo.size > MAX_PHOTO_BYTES:
            raise _error(
                "photos",
                _("照片 %(name)s 超过%(mb)dMB。")
                % {"name": photo.name, "mb": MAX_PHOTO_BYTES // (1024 * 1024)},
                ErrorCode.PHOTO_TOO_LARGE,
            )
        try:
            image_format(photo, PHOTO_FORMATS)
        except UploadError as error:
            raise _error("photos", error.message, ErrorCode.PHOTO_INVALID) from error


def _attach_photos(actor, visit: Visit, photos) -> None:
    """The photos as attachments of the visit (inside the visit's transaction: a photo the
    attachment check refuses undoes the visit too), refusals told with fieldwork's codes."""
    from bangfu.attachments.services import attachments_add
    from bangfu.core.uploads import UploadErrorCode

    try:
        attachments_add(actor=actor, owner=visit, files=photos)
    except ValidationError as error:
        refusal = error.error_dict.get("files", [None])[0] if hasattr(error, "error_dict") else None
        if refusal is None or refusal.code not in set(UploadErrorCode):  # not about the file itself
            raise
        code = (
            ErrorCode.PHOTO_TOO_LARGE
            if refusal.code == UploadErrorCode.TOO_LARGE
            else ErrorCode.PHOTO_INVALID
        )
        raise _error("photos", refusal.messages[0], code) from error


def visit_record(
    *,
    actor,
    household,
    visited_on: datetime.date,
    findings: str,
    visitor=None,
    companions: str = "",
    needs: list[NeedInput] = (),
    photos=(),
) -> Visit:
    """A visit with the needs it raised (each a follow-up item) and its photos, in one transaction."""
    visitor = visitor or acting_user(actor)
    if visitor is None:
        raise _error("visitor", _("请填写走访人。"), ErrorCode.VISITOR_REQUIRED)
    _check_scope(actor, Cap.VISIT_RECORD, household.region_code, "household")
    if visited_on > timezone.localdate():
        raise _error("visited_on", _("走访日期不能晚于今天。"), ErrorCode.FUTURE_DATE)
    if visited_on < EARLIEST_VISIT:
        raise _error("visited_on", _("走访日期不能早于2013年。"), ErrorCode.DATE_TOO_OLD)
    if not findings.strip():
        raise _error("findings", _("请填写走访情况。"), ErrorCode.FINDINGS_REQUIRED)
    for need in needs:
        if not need.description.strip():
            raise _error("needs", _("诉求内容不能为空。"), ErrorCode.NEED_DESCRIPTION_REQUIRED)
        if need.kind not in NeedKind.values:
            raise _error("needs", _("诉求类别无效。"), ErrorCode.NEED_KIND_INVALID)
        if need.due_on is not None and need.due_on < visited_on:
            raise _error("needs", _("办理期限不能早于走访日期。"), ErrorCode.PERIOD_REVERSED)
    photos = list(photos)
    _check_photos(photos)
    with transaction.atomic():
        visit = audited_create(
            actor=actor,
            instance=Visit(
                household=household,
                region_code=household.region_code,
                visited_on=visited_on,
                visitor=visitor,
                companions=companions,
                findings=findings.strip(),
            ),
        )
        for need in needs:
            audited_create(
                actor=actor,
                instance=Need(
                    household=household,
                    visit=visit,
                    region_code=household.region_code,
                    kind=need.kind,
                    description=need.description.strip(),
                    due_on=need.due_on,
                    owner=need.owner or visitor,
                ),
            )
        if photos:
            _attach_photos(actor, visit, photos)
    return visit


def need_update(*, actor, need: Need, data: dict[str, Any]) -> Need:
    """Follow-up of a need: owner, due date, kind, status; closing it (status ``closed``) needs a
    ``closing_note``. A closed need is final."""
    _check_scope(actor, Cap.VISIT_RECORD, need.region_code, "need")
    data = {
        key: value
        for key, value in data.items()
        if key in ("owner", "due_on", "status", "kind", "closing_note")
    }
    with transaction.atomic():
        locked = Need.objects.select_for_update().get(pk=need.pk)
        if locked.status == NeedStatus.CLOSED:
            raise _error("status", _("该诉求已办结。"), ErrorCode.NEED_CLOSED)
        if data.get("status") == NeedStatus.CLOSED:
            note = (data.get("closing_note") or "").strip()
            if not note:
                raise _error("closing_note", _("办结请填写办结说明。"), ErrorCode.CLOSING_NOTE_REQUIRED)
            data.update(closing_note=note, closed_at=timezone.now(), closed_by=acting_user(actor))
        else:
            data.pop("closing_note", None)
        return audited_update(actor=actor, instance=locked, data=data)


def need_close(*, actor, need: Need, note: str) -> Need:
    return need_update(actor=actor, need=need, data={"status": NeedStatus.CLOSED, "closing_note": note})
