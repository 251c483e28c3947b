"""Import of risk events, typically another department's data (medical insurance, civil affairs,
emergency management): one row is one event of one household.

An event is keyed by household, kind and date: importing the same file again finds the events
already there and writes nothing new. Every row is checked before anything is written: households
unknown or outside the importing user's scope (``risk.record``), a negative amount, dates in the
future or before 2013, a department's data without the department's name.
"""

from collections import defaultdict

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bangfu.core.permissions import Cap
from bangfu.core.scoping import scope
from bangfu.imports import parsing
from bangfu.imports.spec import Column, Context, ImportSpec, WriteResult, register

from . import services
from .models import RiskEvent, RiskKind, RiskSource

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
        "kind",
        gettext_lazy("风险类型"),
        parsing.Choice(RiskKind.choices),
        required=True,
        aliases=("kind",),
        example="因病",
    ),
    Column(
        "occurred_on",
        gettext_lazy("发生日期"),
        parsing.date,
        required=True,
        aliases=("日期", "date"),
        example="2025-06-12",
    ),
    Column("amount", gettext_lazy("金额(元)"), parsing.money, aliases=("金额", "amount"), example="38000"),
    Column(
        "source",
        gettext_lazy("来源"),
        parsing.Choice(RiskSource.choices),
        aliases=("source",),
        example="部门数据",
        help=gettext_lazy("留空为部门数据"),
    ),
    Column(
        "department",
        gettext_lazy("数据来源部门"),
        parsing.text,
        aliases=("部门", "department"),
        example="县医疗保障局",
        max_length=100,
    ),
    Column(
        "description",
        gettext_lazy("情况说明"),
        parsing.text,
        aliases=("说明", "description"),
        example="住院自付费用",
        max_length=300,
    ),
]
KEY = ("household", "kind", "occurred_on")


def events_check(batch, context: Context) -> dict[int, dict[str, str]]:
    from bangfu.registry.models import Household

    problems: dict[int, dict[str, str]] = defaultdict(dict)
    households = {
        h.code: h
        for h in scope(Household.objects.all(), context.user, Cap.RISK_RECORD).filter(
            code__in={v["household"] for _number, v in batch}
        )
    }
    today = timezone.localdate()
    for number, values in batch:
        errors = problems[number]
        household = households.get(values["household"])
        if household is None:
            errors["household"] = _("户编号不存在或不在您的管辖范围内")
        day = values["occurred_on"]
        if day is not None and day > today:
            errors["occurred_on"] = _("发生日期不能晚于今天")
        elif day is not None and day < services.EARLIEST:
            errors["occurred_on"] = _("发生日期不能早于2013年")
        amount = values.get("amount")
        if amount is not None and amount < 0:
            errors["amount"] = _("金额不能为负数")
        source = values.get("source") or RiskSource.DEPARTMENT
        if source == RiskSource.VISIT:
            errors["source"] = _("走访发现的风险请在走访页面记录")
        elif source == RiskSource.DEPARTMENT and not (values.get("department") or "").strip():
            errors["department"] = _("部门数据请填写来源部门")
        if errors:
            continue
        del problems[number]
        values["_household"], values["source"] = household, source
    return {number: errors for number, errors in problems.items() if errors}


def events_write(rows: list[dict], context: Context) -> WriteResult:
    result = WriteResult()
    existing = set(
        RiskEvent.objects.filter(
            household__in=[row["_household"] for row in rows],
            occurred_on__in={row["occurred_on"] for row in rows},
        ).values_list("household_id", "kind", "occurred_on")
    )
    for row in rows:
        key = (row["_household"].pk, row["kind"], row["occurred_on"])
        if key in existing:
            result.unchanged += 1
            continue
        services.risk_event_record(
            actor=context.user,
            household=row["_household"],
            kind=row["kind"],
            occurred_on=row["occurred_on"],
            amount=row.get("amount") or 0,
            source=row["source"],
            department=row.get("department") or "",
            description=row.get("description") or "",
        )
        existing.add(key)
        result.created += 1
    return result


register(
    ImportSpec(
        kind="risk_events",
        title=gettext_lazy("风险事件"),
        capability=Cap.RISK_RECORD,
        columns=COLUMNS,
        key=KEY,
        check=events_check,
        write=events_write,
        description=gettext_lazy(
            "每行一条风险事件(户编号、风险类型、发生日期相同的为同一条),金额不能为负;部门数据须写明来源部门。再次导入同一文件不会重复。"
        ),
    )
)
