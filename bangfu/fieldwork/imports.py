"""Import kinds of village work: visits, and stays (check-in and check-out) recorded afterwards.

Visits: one row is one visit, with at most one need raised.

A visit is keyed by household, date and visitor: importing the same file again finds the
visits already there and writes nothing new. Every row is checked before anything is
written: households unknown or outside the importing user's scope (``visit.record``),
visitors that are not active users, dates in the future or before 2013, empty findings,
a need without a description, or due before the visit.
"""

import datetime
import re
from collections import defaultdict

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bangfu.core.permissions import Cap
from bangfu.core.scoping import scope
from bangfu.imports import parsing
from bangfu.imports.spec import Column, Context, ImportSpec, WriteResult, register

from . import rule, services
from .models import CheckIn, NeedKind, TeamMember, Visit

COLUMNS = [
    Column(
        "household",
        gettext_lazy("户编号"),
        parsing.code,
        required=True,
        aliases=("household",),
        example="410423101001-0001",
        max_length=30,
    ),
    Column(
        "visited_on",
        gettext_lazy("走访日期"),
        parsing.date,
        required=True,
        aliases=("日期", "date"),
        example="2025-09-20",
    ),
    Column(
        "visitor",
        gettext_lazy("走访人用户名"),
        parsing.code,
        required=True,
        aliases=("走访人", "visitor"),
        example="cadre",
        max_length=150,
    ),
    Column("companions", gettext_lazy("同行人员"), parsing.text, aliases=("companions",), max_length=100),
    Column(
        "findings",
        gettext_lazy("走访情况"),
        parsing.text,
        required=True,
        aliases=("findings",),
        example="户主身体状况稳定",
    ),
    Column(
        "need_kind",
        gettext_lazy("诉求类别"),
        parsing.Choice(NeedKind.choices),
        aliases=("need kind",),
        example="医疗",
    ),
    Column(
        "need",
        gettext_lazy("诉求内容"),
        parsing.text,
        aliases=("诉求", "need"),
        example="申请慢性病门诊卡",
        max_length=300,
    ),
    Column("need_due", gettext_lazy("办理期限"), parsing.date, aliases=("due",), example="2025-10-20"),
]
KEY = ("household", "visited_on", "visitor")


def visits_check(batch, context: Context) -> dict[int, dict[str, str]]:
    from bangfu.registry.models import Household

    problems: dict[int, dict[str, str]] = defaultdict(dict)
    households = {
        h.code: h
        for h in scope(Household.objects.all(), context.user, Cap.VISIT_RECORD).filter(
            code__in={v["household"] for _number, v in batch}
        )
    }
    users = {
        u.username: u
        for u in get_user_model().objects.filter(
            username__in={v["visitor"] for _number, v in batch}, is_active=True
        )
    }
    today = timezone.localdate()
    for number, values in batch:
        errors = problems[number]
        household = households.get(values["household"])
        if household is None:
            errors["household"] = _("户编号不存在或不在您的管辖范围内")
        visitor = users.get(values["visitor"])
        if visitor is None:
            errors["visitor"] = _("走访人用户不存在或已停用")
        day = values["visited_on"]
        if day is not None and day > today:
            errors["visited_on"] = _("走访日期不能晚于今天")
        elif day is not None and day < services.EARLIEST_VISIT:
            errors["visited_on"] = _("走访日期不能早于2013年")
        if not (values.get("findings") or "").strip():
            errors["findings"] = _("请填写走访情况")
        if (values.get("need_kind") or values.get("need_due")) and not values.get("need"):
            errors["need"] = _("填写了诉求类别或期限时,请填写诉求内容")
        due = values.get("need_due")
        if due is not None and day is not None and due < day:
            errors["need_due"] = _("办理期限不能早于走访日期")
        if errors:
            continue
        del problems[number]
        values["_household"], values["_visitor"] = household, visitor
    return {number: errors for number, errors in problems.items() if errors}


def visits_write(rows: list[dict], context: Context) -> WriteResult:
    result = WriteResult()
    existing = set(
        Visit.objects.filter(
            household__in=[row["_household"] for row in rows],
            visited_on__in={row["visited_on"] for row in rows},
        ).values_list("household_id", "visited_on", "visitor_id")
    )
    for row in rows:
        if (row["_household"].pk, row["visited_on"], row["_visitor"].pk) in existing:
            result.unchanged += 1
            continue
        needs = []
        if row.get("need"):
            needs.append(
                services.NeedInput(
                    kind=row.get("need_kind") or NeedKind.OTHER,
                    description=row["need"],
                    due_on=row.get("need_due"),
                )
            )
        services.visit_record(
            actor=context.user,
            household=row["_household"],
            visitor=row["_visitor"],
            visited_on=row["visited_on"],
            findings=row["findings"],
            companions=row.get("companions") or "",
            needs=needs,
        )
        result.created += 1
    return result


register(
    ImportSpec(
        kind="visits",
        title=gettext_lazy("走访"),
        capability=Cap.VISIT_RECORD,
        columns=COLUMNS,
        key=KEY,
        check=visits_check,
        write=visits_write,
        description=gettext_lazy(
            "每行一次走访(户编号、日期、走访人相同的为同一次),可带一条诉求。再次导入同一文件不会重复。"
        ),
    )
)


# Stays -------------------------------------------------------------------------------------------
# One row is one stay of one member in a village: arrival and departure in Beijing time.
# Keyed by user and arrival: a re-import finds the stay and writes nothing. Checked: the user is
# a member of the village's team on the day of arrival, in the importing user's scope
# (``team.manage``); departure after arrival, not in the future, at most 14 days later; no
# overlap with another stay of the same person, in the database or earlier in the file.

DATETIME = re.compile(
    r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?[ T]+(\d{1,2})[:：](\d{2})(?:[:：](\d{2}))?$"
)


def moment(value) -> datetime.datetime | None:
    """A date and time in Beijing time: 2025-03-03 08:30, 2025/3/3 8:30[:00], or a spreadsheet datetime."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime.datetime):
        return value.replace(tzinfo=rule.ZONE) if value.tzinfo is None else value
    raw = parsing.text(value)
    if raw == "":
        return None
    match = DATETIME.match(raw)
    if not match:
        raise parsing.CellError(_("无法识别的时间,请写成2025-03-03 08:30"))
    year, month, day, hour, minute, second = (int(part or 0) for part in match.groups())
    try:
        return datetime.datetime(year, month, day, hour, minute, second, tzinfo=rule.ZONE)
    except ValueError as error:
        raise parsing.CellError(_("时间不存在")) from error


STAY_COLUMNS = [
    Column(
        "username",
        gettext_lazy("队员用户名"),
        parsing.code,
        required=True,
        aliases=("用户名", "username"),
        example="zhucun11",
        max_length=150,
    ),
    Column(
        "village",
        gettext_lazy("村代码"),
        parsing.code,
        required=True,
        aliases=("区划代码", "village"),
        example="410423101001",
        max_length=12,
    ),
    Column(
        "checked_in_at",
        gettext_lazy("签到时间"),
        moment,
        required=True,
        aliases=("到村时间", "checked in"),
        example="2025-03-03 08:30",
    ),
    Column(
        "checked_out_at",
        gettext_lazy("签退时间"),
        moment,
        required=True,
        aliases=("离村时间", "checked out"),
        example="2025-03-07 17:00",
    ),
    Column("note", gettext_lazy("备注"), parsing.text, aliases=("note",), max_length=200),
]


def stays_check(batch, context: Context) -> dict[int, dict[str, str]]:
    problems: dict[int, dict[str, str]] = defaultdict(dict)
    stints: dict[tuple[str, str], list[TeamMember]] = defaultdict(list)
    for member in (
        scope(TeamMember.objects.all(), context.user, Cap.TEAM_MANAGE)
        .filter(
            user__username__in={v["username"] for _number, v in batch},
            region_code__in={v["village"] for _number, v in batch},
        )
        .select_related("team__region", "user")
    ):
        stints[(member.user.username, member.region_code)].append(member)
    seen = context.cache.setdefault("stays", defaultdict(list))  # username -> [(in, out, row)] of the file
    now = timezone.now()
    for number, values in batch:
        errors = problems[number]
        start, end = values["checked_in_at"], values["checked_out_at"]
        if start is None or end is None:
            continue
        day = timezone.localdate(start)
        member = next(
            (
                m
                for m in stints.get((values["username"], values["village"]), [])
                if m.active_on(day) and m.team.active_on(day)
            ),
            None,
        )
        if member is None:
            errors["village"] = _("该队员当天没有派驻在这个村,或不在您的管辖范围内")
        if end <= start:
            errors["checked_out_at"] = _("签退时间应晚于签到时间")
        elif end > now:
            errors["checked_out_at"] = _("签退时间不能晚于现在")
        elif end - start > datetime.timedelta(days=services.MAX_STAY_DAYS):
            errors["checked_out_at"] = _("一次在村不能超过%(days)d天") % {"days": services.MAX_STAY_DAYS}
        if not errors:
            earlier = next((row for s, e, row in seen[values["username"]] if s < end and e > start), None)
            if earlier is not None:
                errors["checked_in_at"] = _("与第%(row)d行的时间重叠") % {"row": earlier}
        if errors:
            continue
        seen[values["username"]].append((start, end, number))
        del problems[number]
        values["_member"] = member
    return {number: errors for number, errors in problems.items() if errors}


def stays_write(rows: list[dict], context: Context) -> WriteResult:
    result = WriteResult()
    existing = {
        (member_id, start): end
        for member_id, start, end in CheckIn.objects.filter(
            member__in=[row["_member"] for row in rows],
            checked_in_at__in=[row["checked_in_at"] for row in rows],
        ).values_list("member_id", "checked_in_at", "checked_out_at")
    }
    for row in rows:
        if (row["_member"].pk, row["checked_in_at"]) in existing:
            result.unchanged += 1
            continue
        services.stay_record(
            actor=context.user,
            member=row["_member"],
            checked_in_at=row["checked_in_at"],
            checked_out_at=row["checked_out_at"],
            note=row.get("note") or "",
        )
        result.created += 1
    return result


register(
    ImportSpec(
        kind="stays",
        title=gettext_lazy("驻村签到记录"),
        capability=Cap.TEAM_MANAGE,
        columns=STAY_COLUMNS,
        key=("username", "checked_in_at"),
        check=stays_check,
        write=stays_write,
        description=gettext_lazy(
            "每行一次在村:队员用户名、村代码、签到和签退时间(北京时间)。再次导入同一文件不会重复。"
        ),
    )
)
