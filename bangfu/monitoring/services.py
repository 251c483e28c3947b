"""Every write of the monitoring app, each in one transaction with its audit entry.

Rules that surface as field errors (codes in errors.ErrorCode):
- a threshold belongs to a province or a county in the actor's scope (``threshold.manage``);
  its shares are ratios (expense share above 0, drop share between 0 and 1);
- a risk event is on a household in the actor's scope (``risk.record``), of a known kind, on a
  day not in the future nor before 2013, with an amount of at least 0; a department's data
  names the department; an event from a visit is on the visit's household;
- a case is opened on a household with no other open case (``case.village`` in scope);
- the approval path has five steps in order; each is recorded by someone holding the step's
  capability in a scope that covers the step's level: the village steps (home verification,
  democratic review, public notice) ``case.village`` over the village, the township check
  ``case.township`` over the whole township, the county decision ``case.county`` over the whole
  county. Home verification on identification needs the household's signed authorisation; the
  public notice runs at least 5 days and the township check comes after it ends;
- closing (risk eliminated) starts only with written evidence and then takes the same path;
- a measure links to a target of its kind that belongs to the case's household or village.
"""

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Max, Min
from django.utils import timezone
from django.utils.translation import gettext as _

from bangfu.audit.services import acting_user, audited_create, audited_update
from bangfu.core.permissions import Cap
from bangfu.core.scoping import in_scope, user_prefixes

from .errors import ErrorCode
from .models import (
    NOTICE_MIN_DAYS,
    STEP_ORDER,
    CaseStatus,
    CaseStep,
    Decision,
    Flag,
    FlagStatus,
    Measure,
    MeasureKind,
    MonitoredCase,
    Path,
    RiskEvent,
    RiskKind,
    RiskSource,
    Step,
    Threshold,
    identification_due,
)

EARLIEST = datetime.date(2013, 1, 1)


def _error(field: str, message, code) -> ValidationError:
    return ValidationError({field: [ValidationError(message, code=code)]})


def _check_scope(actor, capability: str, region_code: str, field: str) -> None:
    if acting_user(actor) is not None and not in_scope(actor, capability, region_code):
        raise _error(field, _("不存在或不在您的管辖范围内。"), ErrorCode.OUT_OF_SCOPE)


def _money(value, field: str) -> Decimal:
    try:
        amount = Decimal(str(value if value is not None else 0)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError) as error:
        raise _error(field, _("请填写有效的金额。"), ErrorCode.NEGATIVE_AMOUNT) from error
    if amount < 0:
        raise _error(field, _("金额不能为负数。"), ErrorCode.NEGATIVE_AMOUNT)
    return amount


# Thresholds --------------------------------------------------------------------------------------


def threshold_save(
    *,
    actor,
    region,
    year: int,
    income_line,
    expense_share=Decimal("0.50"),
    drop_share=Decimal("0.30"),
    event_kinds: list[str] | str = ("illness", "disability", "disaster", "accident"),
) -> Threshold:
    """Creates or updates the threshold of ``region`` (a province or a county) for ``year``."""
    if region.level not in ("province", "county"):
        raise _error("region", _("监测标准按省或县设置。"), ErrorCode.NOT_A_THRESHOLD_LEVEL)
    prefix = region.code[:2] if region.level == "province" else region.code[:6]
    _check_scope(actor, Cap.THRESHOLD_MANAGE, region.code, "region")
    line = _money(income_line, "income_line")
    expense_share, drop_share = Decimal(str(expense_share)), Decimal(str(drop_share))
    if not Decimal("0") < expense_share <= Decimal("10"):
        raise _error("expense_share", _("刚性支出比例应大于0且不超过10。"), ErrorCode.SHARE_RANGE)
    if not Decimal("0") < drop_share < Decimal("1"):
        raise _error("drop_share", _("收入下降比例应在0和1之间。"), ErrorCode.SHARE_RANGE)
    kinds = event_kinds.split(",") if isinstance(event_kinds, str) else list(event_kinds)
    kinds = [kind.strip() for kind in kinds if kind.strip()]
    if any(kind not in RiskKind.values for kind in kinds):
        raise _error("event_kinds", _("风险类型无效。"), ErrorCode.KIND_INVALID)
    data = {
        "income_line": line,
        "expense_share": expense_share,
        "drop_share": drop_share,
        "event_kinds": ",".join(kinds),
        "updated_at": timezone.now(),
    }
    with transaction.atomic():
        existing = Threshold.objects.select_for_update().filter(region_code=prefix, year=year).first()
        if existing is not None:
            return audited_update(actor=actor, instance=existing, data=data)
        return audited_create(
            actor=actor, instance=Threshold(region=region, region_code=prefix, year=year, **data)
        )


def threshold_for(*, region_code: str, year: int) -> Threshold | None:
    """The county's threshold of the year, else the province's."""
    rows = {
        t.region_code: t
        for t in Threshold.objects.filter(region_code__in=[region_code[:6], region_code[:2]], year=year)
    }
    return rows.get(region_code[:6]) or rows.get(region_code[:2])


# Risk events -------------------------------------------------------------------------------------


def risk_event_record(
    *,
    actor,
    household,
    kind: str,
    occurred_on: datetime.date,
    amount=Decimal("0"),
    source: str,
    visit=None,
    department: str = "",
    description: str = "",
) -> RiskEvent:
    _check_scope(actor, Cap.RISK_RECORD, household.region_code, "household")
    if kind not in RiskKind.values:
        raise _error("kind", _("风险类型无效。"), ErrorCode.KIND_INVALID)
    if source not in RiskSource.values:
        raise _error("source", _("来源无效。"), ErrorCode.KIND_INVALID)
    amount = _money(amount, "amount")
    if occurred_on > timezone.localdate():
        raise _error("occurred_on", _("发生日期不能晚于今天。"), ErrorCode.FUTURE_DATE)
    if occurred_on < EARLIEST:
        raise _error("occurred_on", _("发生日期不能早于2013年。"), ErrorCode.DATE_TOO_OLD)
    department = (department or "").strip()
    if source == RiskSource.DEPARTMENT and not department:
        raise _error("department", _("部门数据请填写来源部门。"), ErrorCode.DEPARTMENT_REQUIRED)
    if visit is not None and visit.household_id != household.pk:
        raise _error("visit", _("走访记录不是这一户的。"), ErrorCode.VISIT_MISMATCH)
    if visit is not None:
        source = RiskSource.VISIT
    event = RiskEvent(
        household=household,
        region_code=household.region_code,
        kind=kind,
        occurred_on=occurred_on,
        amount=amount,
        source=source,
        visit=visit,
        department=department[:100],
        description=(description or "").strip()[:300],
        recorded_by=acting_user(actor),
    )
    with transaction.atomic():
        return audited_create(actor=actor, instance=event)


# Flags -------------------------------------------------------------------------------------------


def flag_dismiss(*, actor, flag: Flag, note: str) -> Flag:
    _check_scope(actor, Cap.CASE_VILLAGE, flag.region_code, "flag")
    if not (note or "").strip():
        raise _error("note", _("请填写核实情况。"), ErrorCode.EVIDENCE_REQUIRED)
    with transaction.atomic():
        locked = Flag.objects.select_for_update().get(pk=flag.pk)
        if locked.status != FlagStatus.OPEN:
            raise _error("note", _("该线索已处理。"), ErrorCode.FLAG_CLOSED)
        return audited_update(
            actor=actor,
            instance=locked,
            data={
                "status": FlagStatus.DISMISSED,
                "decided_by": acting_user(actor),
                "decision_note": note.strip()[:200],
            },
        )


# Cases -------------------------------------------------------------------------------------------

STEP_LEVEL = {
    Step.VERIFICATION: (Cap.CASE_VILLAGE, 12),
    Step.DEMOCRATIC_REVIEW: (Cap.CASE_VILLAGE, 12),
    Step.PUBLIC_NOTICE: (Cap.CASE_VILLAGE, 12),
    Step.TOWNSHIP_CHECK: (Cap.CASE_TOWNSHIP, 9),
    Step.COUNTY_DECISION: (Cap.CASE_COUNTY, 6),
}


def step_allowed(*, user, case: MonitoredCase, step: str) -> bool:
    """The user holds the step's capability in a scope covering the whole village, township or county."""
    if acting_user(user) is None:
        return True
    capability, length = STEP_LEVEL[step]
    return any(
        len(prefix) <= length and case.region_code.startswith(prefix)
        for prefix in user_prefixes(user, capability)
    )


def _name(actor) -> str:
    user = acting_user(actor)
    if user is None:
        return _("系统")
    return (getattr(user, "display_name", "") or user.get_username())[:100]


def case_open(
    *,
    actor,
    household,
    category: str,
    source: str,
    risk_kind: str,
    summary: str,
    opened_on: datetime.date | None = None,
    flags=(),
) -> MonitoredCase:
    from .models import CaseCategory, CaseSource

    _check_scope(actor, Cap.CASE_VILLAGE, household.region_code, "household")
    if category not in CaseCategory.values:
        raise _error("category", _("监测对象类别无效。"), ErrorCode.KIND_INVALID)
    if source not in CaseSource.values:
        raise _error("source", _("发现方式无效。"), ErrorCode.KIND_INVALID)
    if risk_kind not in RiskKind.values:
        raise _error("risk_kind", _("风险类型无效。"), ErrorCode.KIND_INVALID)
    if not (summary or "").strip():
        raise _error("summary", _("请填写风险情况。"), ErrorCode.EVIDENCE_REQUIRED)
    opened_on = opened_on or timezone.localdate()
    if opened_on > timezone.localdate():
        raise _error("opened_on", _("日期不能晚于今天。"), ErrorCode.FUTURE_DATE)
    with transaction.atomic():
        if (
            MonitoredCase.objects.select_for_update()
            .filter(
                household=household,
                status__in=[CaseStatus.IDENTIFYING, CaseStatus.MONITORED, CaseStatus.CLOSING],
            )
            .exists()
        ):
            raise _error("household", _("这一户已有未结束的监测记录。"), ErrorCode.CASE_OPEN)
        case = audited_create(
            actor=actor,
            instance=MonitoredCase(
                household=household,
                region_code=household.region_code,
                category=category,
                source=source,
                risk_kind=risk_kind,
                summary=summary.strip()[:300],
                opened_on=opened_on,
                due_on=identification_due(opened_on),
                opened_by=acting_user(actor),
            ),
        )
        for flag in flags:
            if flag.household_id != household.pk or flag.status != FlagStatus.OPEN:
                raise _error("flags", _("预警线索不属于这一户或已处理。"), ErrorCode.FLAG_CLOSED)
            audited_update(
                actor=actor,
                instance=flag,
                data={"status": FlagStatus.CASE, "case": case, "decided_by": acting_user(actor)},
            )
    return case


def case_step_record(
    *,
    actor,
    case: MonitoredCase,
    step: str,
    acted_on: datetime.date | None = None,
    decision: str = Decision.APPROVED,
    note: str = "",
    authorisation_signed: bool = False,
    notice_starts_on: datetime.date | None = None,
    notice_ends_on: datetime.date | None = None,
) -> CaseStep:
    """Records the case's next step; the county decision moves the case on (or back)."""
    from bangfu.registry import services as registry
    from bangfu.registry.models import StatusKind

    acted_on = acted_on or timezone.localdate()
    _check_scope(actor, Cap.MONITORING_VIEW, case.region_code, "case")
    if step not in STEP_ORDER:
        raise _error("step", _("审核环节无效。"), ErrorCode.STEP_ORDER)
    if decision not in Decision.values:
        raise _error("decision", _("结论无效。"), ErrorCode.KIND_INVALID)
    if not step_allowed(user=actor, case=case, step=step):
        raise _error(
            "step",
            _("您没有办理“%(step)s”的权限,或这一户不在您负责的范围内。") % {"step": Step(step).label},
            ErrorCode.NOT_ALLOWED,
        )
    if acted_on > timezone.localdate():
        raise _error("acted_on", _("办理日期不能晚于今天。"), ErrorCode.FUTURE_DATE)
    with transaction.atomic():
        locked = MonitoredCase.objects.select_for_update().get(pk=case.pk)
        if locked.status not in (CaseStatus.IDENTIFYING, CaseStatus.CLOSING):
            raise _error("step", _("这一户当前没有进行中的审核流程。"), ErrorCode.CASE_CLOSED)
        if step != locked.next_step:
            raise _error(
                "step",
                _("下一步应是“%(step)s”。") % {"step": Step(locked.next_step).label},
                ErrorCode.STEP_ORDER,
            )
        previous = locked.steps.filter(path=locked.path).order_by("-recorded_at", "-pk").first()
        started = locked.opened_on if locked.path == Path.IDENTIFY else locked.closing_started_on
        if acted_on < (previous.acted_on if previous else started):
            raise _error("acted_on", _("办理日期不能早于上一环节。"), ErrorCode.STEP_ORDER)
        fields = {}
        if step == Step.VERIFICATION and locked.path == Path.IDENTIFY and not authorisation_signed:
            raise _error(
                "authorisation_signed",
                _("入户核实须有农户签署的授权承诺书。"),
                ErrorCode.AUTHORISATION_REQUIRED,
            )
        if step == Step.VERIFICATION:
            fields["authorisation_signed"] = bool(authorisation_signed)
        if step == Step.PUBLIC_NOTICE and decision == Decision.APPROVED:
            if notice_starts_on is None or notice_ends_on is None:
                raise _error("notice_ends_on", _("请填写公示起止日期。"), ErrorCode.NOTICE_TOO_SHORT)
            if (notice_ends_on - notice_starts_on).days + 1 < NOTICE_MIN_DAYS:
                raise _error(
                    "notice_ends_on",
                    _("公示期不少于%(days)d天。") % {"days": NOTICE_MIN_DAYS},
                    ErrorCode.NOTICE_TOO_SHORT,
                )
            if notice_starts_on < acted_on:
                raise _error("notice_starts_on", _("公示不能早于办理日期开始。"), ErrorCode.STEP_ORDER)
            fields.update(notice_starts_on=notice_starts_on, notice_ends_on=notice_ends_on)
        if step == Step.TOWNSHIP_CHECK and previous is not None and previous.notice_ends_on is not None:
            if acted_on <= previous.notice_ends_on:
                raise _error(
                    "acted_on",
                    _("公示期到 %(day)s 才结束,结束后才能乡镇初审。") % {"day": previous.notice_ends_on},
                    ErrorCode.NOTICE_NOT_OVER,
                )
        record = audited_create(
            actor=actor,
            instance=CaseStep(
                case=locked,
                region_code=locked.region_code,
                path=locked.path,
                step=step,
                decision=decision,
                acted_on=acted_on,
                actor=acting_user(actor),
                actor_name=_name(actor),
                note=(note or "").strip()[:300],
                **fields,
            ),
        )
        data: dict = {}
        if decision == Decision.REJECTED:
            # a refusal at any step ends this round: not included, or back to monitoring
            data = {
                "status": CaseStatus.NOT_INCLUDED if locked.path == Path.IDENTIFY else CaseStatus.MONITORED,
                "next_step": "",
            }
        elif step == Step.COUNTY_DECISION:
            if locked.path == Path.IDENTIFY:
                data = {"status": CaseStatus.MONITORED, "next_step": "", "identified_on": acted_on}
                registry.status_change_add(
                    actor=actor,
                    household=locked.household,
                    kind=StatusKind.MONITORED,
                    date=acted_on,
                    reason=locked.get_category_display(),
                    approved_by=_name(actor),
                )
            else:
                data = {"status": CaseStatus.RISK_ELIMINATED, "next_step": "", "closed_on": acted_on}
                registry.status_change_add(
                    actor=actor,
                    household=locked.household,
                    kind=StatusKind.RISK_ELIMINATED,
                    date=acted_on,
                    reason=locked.closing_evidence[:300],
                    approved_by=_name(actor),
                )
        else:
            data = {"next_step": STEP_ORDER[STEP_ORDER.index(step) + 1]}
        audited_update(actor=actor, instance=locked, data=data)
        case.refresh_from_db()
    return record


def case_close_start(
    *, actor, case: MonitoredCase, evidence: str, started_on: datetime.date | None = None
) -> MonitoredCase:
    """Starts closing a monitored case as risk eliminated; the evidence is required and the same
    five steps follow."""
    started_on = started_on or timezone.localdate()
    _check_scope(actor, Cap.CASE_VILLAGE, case.region_code, "case")
    evidence = (evidence or "").strip()
    if not evidence:
        raise _error(
            "evidence",
            _("风险消除须写明依据,例如收入连续超过监测标准、风险已解除的情况。"),
            ErrorCode.EVIDENCE_REQUIRED,
        )
    if started_on > timezone.localdate():
        raise _error("started_on", _("日期不能晚于今天。"), ErrorCode.FUTURE_DATE)
    with transaction.atomic():
        locked = MonitoredCase.objects.select_for_update().get(pk=case.pk)
        if locked.status != CaseStatus.MONITORED:
            raise _error("evidence", _("只有监测帮扶中的对象才能申请风险消除。"), ErrorCode.CASE_CLOSED)
        updated = audited_update(
            actor=actor,
            instance=locked,
            data={
                "status": CaseStatus.CLOSING,
                "path": Path.CLOSE,
                "next_step": Step.VERIFICATION,
                "closing_started_on": started_on,
                "closing_evidence": evidence[:2000],
            },
        )
    case.refresh_from_db()
    return updated


def measure_add(
    *,
    actor,
    case: MonitoredCase,
    kind: str,
    description: str,
    started_on: datetime.date | None = None,
    project=None,
    pairing=None,
    team=None,
    enrolment=None,
) -> Measure:
    _check_scope(actor, Cap.CASE_VILLAGE, case.region_code, "case")
    if kind not in MeasureKind.values:
        raise _error("kind", _("措施类型无效。"), ErrorCode.KIND_INVALID)
    if not case.open:
        raise _error("kind", _("监测已结束,不能再添加措施。"), ErrorCode.CASE_CLOSED)
    targets = {"project": project, "pairing": pairing, "team": team, "supermarket": enrolment}
    given = {name for name, value in targets.items() if value is not None}
    if given - {kind} or (kind != MeasureKind.OTHER and kind not in given):
        raise _error(
            "kind", _("请选择与措施类型对应的项目、结对、工作队或爱心超市。"), ErrorCode.MEASURE_TARGET
        )
    if pairing is not None and pairing.household_id != case.household_id:
        raise _error("pairing", _("结对帮扶不是这一户的。"), ErrorCode.MEASURE_TARGET)
    if enrolment is not None and enrolment.household_id != case.household_id:
        raise _error("enrolment", _("爱心超市救助对象不是这一户。"), ErrorCode.MEASURE_TARGET)
    if team is not None and team.region_code != case.region_code:
        raise _error("team", _("工作队不在这一户所在的村。"), ErrorCode.MEASURE_TARGET)
    if (
        project is not None
        and acting_user(actor) is not None
        and not in_scope(actor, Cap.ASSISTANCE_VIEW, project.region_code)
    ):
        raise _error("project", _("不存在或不在您的管辖范围内。"), ErrorCode.OUT_OF_SCOPE)
    if not (description or "").strip():
        raise _error("description", _("请填写措施内容。"), ErrorCode.EVIDENCE_REQUIRED)
    with transaction.atomic():
        return audited_create(
            actor=actor,
            instance=Measure(
                case=case,
                region_code=case.region_code,
                kind=kind,
                project=project,
                pairing=pairing,
                team=team,
                enrolment=enrolment,
                description=description.strip()[:300],
                started_on=started_on or timezone.localdate(),
                created_by=acting_user(actor),
            ),
        )


# Rules -------------------------------------------------------------------------------------------
# Each rule is one INSERT … SELECT over a range of household ids: set-based, the same SQL on SQLite
# and PostgreSQL. A household is evaluated when it is not moved or dissolved and has no open case;
# a flag already raised for the same household, rule, year (and risk event) is not raised again.

OPEN_CASE_STATUSES = ("identifying", "monitored", "closing")
# Household ids per chunk. Measured at 300,000 households: one chunk took 14–17 s, chunks of
# 50,000 took 32–37 s (each small range is planned with nested loops where the whole range gets
# hash joins), so chunks are large and progress is reported after each rule instead.
CHUNK = 1_000_000

_THRESHOLDS = """
  LEFT JOIN monitoring_threshold tc ON tc.region_code = substr(h.region_code, 1, 6) AND tc.year = %(year)s
  LEFT JOIN monitoring_threshold tp ON tp.region_code = substr(h.region_code, 1, 2) AND tp.year = %(year)s
"""
_SCOPE = """
  h.id BETWEEN %(first)s AND %(last)s AND h.region_code BETWEEN %(low)s AND %(high)s
  AND h.status NOT IN ('moved', 'dissolved')
  AND NOT EXISTS (SELECT 1 FROM monitoring_monitoredcase c WHERE c.household_id = h.id
                  AND c.status IN ('identifying', 'monitored', 'closing'))
"""
_NEW = """
  AND NOT EXISTS (SELECT 1 FROM monitoring_flag f WHERE f.household_id = h.id AND f.rule = '{rule}'
                  AND f.year = %(year)s AND f.{key_column} = {key})
"""
INSERT = (
    "INSERT INTO monitoring_flag (household_id, region_code, rule, year, {key_column}, measured, line, base,"
    " risk_event_id, status, raised_at, decision_note) "
)

# The SELECT parts, shared with the benchmark's bare queries.
CONDITIONS = {
    "income_below_line": (
        "SELECT h.id, h.region_code, 'income_below_line', %(year)s, 0, i.per_capita_net,"  # noqa: S608 - constant SQL, values are parameters
        " COALESCE(tc.income_line, tp.income_line), NULL, NULL, 'open', %(now)s, ''"
        " FROM registry_household h"
        " JOIN registry_incomerecord i ON i.household_id = h.id AND i.year = %(year)s"
        + _THRESHOLDS
        + " WHERE "
        + _SCOPE
        + " AND i.per_capita_net < COALESCE(tc.income_line, tp.income_line)"
    ),
    "rigid_expense": (
        "SELECT h.id, h.region_code, 'rigid_expense', %(year)s, 0, x.spent,"  # noqa: S608 - constant SQL, values are parameters
        " ROUND(COALESCE(tc.expense_share, tp.expense_share) * i.net_income, 2), i.net_income,"
        " NULL, 'open', %(now)s, ''"
        " FROM (SELECT household_id, SUM(amount) AS spent FROM monitoring_riskevent"
        "       WHERE kind IN ('illness', 'disaster') AND occurred_on BETWEEN %(jan1)s AND %(dec31)s"
        "       AND household_id BETWEEN %(first)s AND %(last)s GROUP BY household_id) x"
        " JOIN registry_household h ON h.id = x.household_id"
        " JOIN registry_incomerecord i ON i.household_id = h.id AND i.year = %(year)s"
        + _THRESHOLDS
        + " WHERE "
        + _SCOPE
        + " AND x.spent > COALESCE(tc.expense_share, tp.expense_share) * i.net_income"
    ),
    "income_drop": (
        "SELECT h.id, h.region_code, 'income_drop', %(year)s, 0, i.per_capita_net,"  # noqa: S608 - constant SQL, values are parameters
        " ROUND(p.per_capita_net * (1 - COALESCE(tc.drop_share, tp.drop_share)), 2), p.per_capita_net,"
        " NULL, 'open', %(now)s, ''"
        " FROM registry_household h"
        " JOIN registry_incomerecord i ON i.household_id = h.id AND i.year = %(year)s"
        " JOIN registry_incomerecord p ON p.household_id = h.id AND p.year = %(previous)s"
        + _THRESHOLDS
        + " WHERE "
        + _SCOPE
        + " AND p.per_capita_net > 0"
        " AND i.per_capita_net < p.per_capita_net * (1 - COALESCE(tc.drop_share, tp.drop_share))"
    ),
    "risk_event": (
        "SELECT h.id, h.region_code, 'risk_event', %(year)s, e.id, e.amount, NULL, NULL,"  # noqa: S608 - constant SQL, values are parameters
        " e.id, 'open', %(now)s, ''"
        " FROM monitoring_riskevent e"
        " JOIN registry_household h ON h.id = e.household_id"
        + _THRESHOLDS
        + " WHERE e.occurred_on BETWEEN %(jan1)s AND %(dec31)s"
        " AND e.household_id BETWEEN %(first)s AND %(last)s AND "
        + _SCOPE
        + " AND (',' || COALESCE(tc.event_kinds, tp.event_kinds) || ',') LIKE ('%%,' || e.kind || ',%%')"
    ),
}


def _rule_sql(rule: str) -> str:
    key = "e.id" if rule == "risk_event" else "0"
    return (
        INSERT.format(key_column='"key"')
        + CONDITIONS[rule]
        + _NEW.format(rule=rule, key_column='"key"', key=key)
    )


def rules_params(*, year: int, prefix: str, first: int, last: int) -> dict:
    from bangfu.core.scoping import prefix_range

    ops = connection.ops
    low, high = prefix_range(prefix)
    return {
        "year": year,
        "previous": year - 1,
        "jan1": ops.adapt_datefield_value(datetime.date(year, 1, 1)),
        "dec31": ops.adapt_datefield_value(datetime.date(year, 12, 31)),
        "first": first,
        "last": last,
        "low": low,
        "high": high,
        "now": ops.adapt_datetimefield_value(timezone.now()),
    }


def rules_run(*, year: int, prefix: str = "", progress=None, chunk: int = CHUNK) -> dict[str, int]:
    """Evaluates all four rules for ``year`` over the households under ``prefix``; returns the new
    flags per rule. Works through household ids in chunks, reporting progress after each rule of
    each chunk (chunks × 4 steps)."""
    from bangfu.core.scoping import prefix_range
    from bangfu.registry.models import Household

    low, high = prefix_range(prefix)
    bounds = Household.objects.filter(region_code__gte=low, region_code__lte=high).aggregate(
        first=Min("id"), last=Max("id")
    )
    counts = dict.fromkeys(CONDITIONS, 0)
    if bounds["first"] is None:
        if progress:
            progress(0, 0)
        return counts
    first, last = bounds["first"], bounds["last"]
    total = -(-(last - first + 1) // chunk) * len(CONDITIONS)
    done = 0
    start = first
    while start <= last:
        end = min(start + chunk - 1, last)
        params = rules_params(year=year, prefix=prefix, first=start, last=end)
        with transaction.atomic(), connection.cursor() as cursor:
            for rule in CONDITIONS:
                cursor.execute(_rule_sql(rule), params)
                counts[rule] += max(cursor.rowcount, 0)
                done += 1
                if progress:
                    progress(done, total)
        start = end + 1
    return counts
