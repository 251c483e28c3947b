"""Reads of the monitoring app: the board of open flags and cases, data-quality checks."""

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bangfu.core.permissions import Cap
from bangfu.core.scoping import scope

from .models import CaseStatus, Flag, FlagStatus, MonitoredCase, RiskKind, Rule

# Ageing buckets (days since the flag was raised or the case opened): the board's columns.
AGES = [(0, 7, "0–7"), (8, 15, "8–15"), (16, 30, "16–30"), (31, None, ">30")]
OPEN = [CaseStatus.IDENTIFYING, CaseStatus.MONITORED, CaseStatus.CLOSING]


@dataclass
class BoardRow:
    region_code: str
    village: str = ""
    kind: str = ""  # a rule (flags) or a risk kind (cases)
    kind_label: Any = ""
    what: str = "flag"  # flag | case
    total: int = 0
    ages: list[int] = field(default_factory=list)
    overdue: int = 0


def _age_counts(date_field: str, today: datetime.date, *, is_datetime: bool) -> dict:
    counts = {}
    for index, (low, high, _label) in enumerate(AGES):
        newest = today - datetime.timedelta(days=low)
        condition = Q(**{f"{date_field}__date__lte" if is_datetime else f"{date_field}__lte": newest})
        if high is not None:
            oldest = today - datetime.timedelta(days=high)
            condition &= Q(**{f"{date_field}__date__gte" if is_datetime else f"{date_field}__gte": oldest})
        counts[f"age{index}"] = Count("pk", filter=condition)
    return counts


def board(*, user, prefix: str = "") -> list[BoardRow]:
    """Open flags by village and rule, open cases by village and risk kind, each with ageing."""
    from bangfu.core.scoping import prefix_q
    from bangfu.regions.models import Region

    today = timezone.localdate()
    flags = scope(Flag.objects.filter(status=FlagStatus.OPEN), user, Cap.MONITORING_VIEW)
    cases = scope(MonitoredCase.objects.filter(status__in=OPEN), user, Cap.MONITORING_VIEW)
    if prefix:
        flags, cases = (
            flags.filter(prefix_q("region_code", [prefix])),
            cases.filter(prefix_q("region_code", [prefix])),
        )
    rows: list[BoardRow] = []
    rule_labels, kind_labels = dict(Rule.choices), dict(RiskKind.choices)
    for row in (
        flags.values("region_code", "rule")
        .annotate(total=Count("pk"), **_age_counts("raised_at", today, is_datetime=True))
        .order_by("region_code", "rule")
    ):
        rows.append(
            BoardRow(
                region_code=row["region_code"],
                kind=row["rule"],
                kind_label=rule_labels.get(row["rule"]),
                what="flag",
                total=row["total"],
                ages=[row[f"age{i}"] for i in range(len(AGES))],
            )
        )
    for row in (
        cases.values("region_code", "risk_kind")
        .annotate(
            total=Count("pk"),
            overdue=Count("pk", filter=Q(status=CaseStatus.IDENTIFYING, due_on__lt=today)),
            **_age_counts("opened_on", today, is_datetime=False),
        )
        .order_by("region_code", "risk_kind")
    ):
        rows.append(
            BoardRow(
                region_code=row["region_code"],
                kind=row["risk_kind"],
                kind_label=kind_labels.get(row["risk_kind"]),
                what="case",
                total=row["total"],
                ages=[row[f"age{i}"] for i in range(len(AGES))],
                overdue=row["overdue"],
            )
        )
    names = dict(Region.objects.filter(code__in={r.region_code for r in rows}).values_list("code", "name"))
    for row in rows:
        row.village = names.get(row.region_code, row.region_code)
    rows.sort(key=lambda r: (r.region_code, r.what, r.kind))
    return rows


# Data quality ------------------------------------------------------------------------------------
# Cross-field checks of the kind the national monitoring system runs; each is one queryset of
# households, counted per village on the page and listed for correction.


@dataclass
class Check:
    key: str
    label: Any
    explanation: Any


CHECKS = [
    Check(
        "unemployment_no_labour",
        _("务工就业不稳风险但无劳动力"),
        _("记录了务工就业不稳的风险(风险事件或监测对象),但家中没有一个有劳动能力的成员"),
    ),
    Check(
        "lifted_no_income",
        _("已脱贫户缺少年度收入"),
        _("已脱贫户在核查年度没有收入记录"),
    ),
    Check(
        "members_mismatch",
        _("收入人口与家庭人口不一致"),
        _("核查年度收入记录的家庭人口数与户内在册成员数不一致"),
    ),
    Check(
        "school_age_not_in_school",
        _("义务教育适龄未在校"),
        _("有6至15周岁的成员,在校生状况为“非在校生”"),
    ),
    Check(
        "disability_mismatch",
        _("残疾信息不一致"),
        _("健康状况为残疾但没有残疾等级,或有残疾等级但健康状况不是残疾"),
    ),
]
CHECK_KEYS = [check.key for check in CHECKS]


def check_households(key: str, *, year: int) -> QuerySet:
    """The households a check finds (unscoped: callers scope them)."""
    from bangfu.registry.models import Health, Household, IncomeRecord, LaborCapacity, Person

    from .models import RiskEvent

    active = Household.objects.exclude(status__in=["moved", "dissolved"])
    if key == "unemployment_no_labour":
        able = Person.objects.filter(
            household=OuterRef("pk"),
            is_active=True,
            labor_capacity__in=[LaborCapacity.ORDINARY, LaborCapacity.SKILLED, LaborCapacity.WEAK],
        )
        risk = RiskEvent.objects.filter(household=OuterRef("pk"), kind=RiskKind.UNEMPLOYMENT)
        case = MonitoredCase.objects.filter(
            household=OuterRef("pk"), risk_kind=RiskKind.UNEMPLOYMENT, status__in=OPEN
        )
        return active.filter(Exists(risk) | Exists(case)).exclude(Exists(able))
    if key == "lifted_no_income":
        income = IncomeRecord.objects.filter(household=OuterRef("pk"), year=year)
        return active.filter(status="lifted").exclude(Exists(income))
    if key == "members_mismatch":
        income = IncomeRecord.objects.filter(household=OuterRef("pk"), year=year).exclude(
            members=OuterRef("members_count")
        )
        return active.filter(Exists(income))
    if key == "school_age_not_in_school":
        today = timezone.localdate()
        youngest = today.replace(year=today.year - 6)
        oldest = today.replace(year=today.year - 16) + datetime.timedelta(days=1)
        child = Person.objects.filter(
            household=OuterRef("pk"),
            is_active=True,
            birth_date__gte=oldest,
            birth_date__lte=youngest,
            school_stage="",
        )
        return active.filter(Exists(child))
    if key == "disability_mismatch":
        wrong = Person.objects.filter(household=OuterRef("pk"), is_active=True).filter(
            Q(health=Health.DISABLED, disability_grade__isnull=True)
            | (Q(disability_grade__isnull=False) & ~Q(health=Health.DISABLED))
        )
        return active.filter(Exists(wrong))
    raise KeyError(key)


def quality_by_village(*, user, year: int, prefix: str = "") -> list[dict]:
    """[{region_code, village, counts: {check: n}, total}] for villages with at least one finding."""
    from bangfu.core.scoping import prefix_q
    from bangfu.regions.models import Region

    table: dict[str, dict[str, int]] = {}
    for key in CHECK_KEYS:
        households = scope(check_households(key, year=year), user, Cap.MONITORING_VIEW)
        if prefix:
            households = households.filter(prefix_q("region_code", [prefix]))
        for row in households.values("region_code").annotate(n=Count("pk")).order_by():
            table.setdefault(row["region_code"], dict.fromkeys(CHECK_KEYS, 0))[key] = row["n"]
    names = dict(Region.objects.filter(code__in=table).values_list("code", "name"))
    return [
        {
            "region_code": code,
            "village": names.get(code, code),
            "counts": [counts[key] for key in CHECK_KEYS],
            "total": sum(counts.values()),
        }
        for code, counts in sorted(table.items())
    ]


def default_year() -> int:
    """The last full year: incomes are recorded for a year after it ends."""
    return timezone.localdate().year - 1
