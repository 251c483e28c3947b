"""The visits import kind: one row is one visit, with at most one need raised.

A visit is keyed by household, date and visitor: importing the same file again finds the
visits already there and writes nothing new. Every row is checked before anything is
written: households unknown or outside the importing user's scope (``visit.record``),
visitors that are not active users, dates in the future or before 2013, empty findings,
a need without a description, or due before the visit.
"""

from collections import defaultdict

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bangfu.core.permissions import Cap
from bangfu.core.scoping import scope
from bangfu.imports import parsing
from bangfu.imports.spec import Column, Context, ImportSpec, WriteResult, register

from . import services
from .models import NeedKind, Visit

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
            code__in={v["household"] for _, v in batch}
        )
    }
    users = {
        u.username: u
        for u in get_user_model().objects.filter(
            username__in={v["visitor"] for _, v in batch}, is_active=True
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
