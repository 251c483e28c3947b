"""Relapse monitoring on the scorecard: risk events, households flagged by the rules, cases
opened by category and source, cases whose risk was eliminated, and cases overdue now.

Reads the monitoring models; adds nothing to the app's own modules."""

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bangfu.core.listings import add_filter
from bangfu.core.permissions import Cap
from bangfu.reports import units
from bangfu.reports.scorecard import Chart, Figure, Section, add_period, period_q, region_bars, section

from .models import CaseCategory, CaseStatus, Flag, MonitoredCase, RiskEvent, RiskKind

EVENTS = "monitoring.risk_event"
FLAGS = "monitoring.flag"
CASES = "monitoring.case"

add_period(EVENTS, "occurred_on")
add_period(FLAGS, "raised_at", kind="datetime")
add_period(CASES, "opened_on")


def _closed_between(bound: str):
    def apply(queryset, value):
        year = int(value)
        first, last = (year, 2100) if bound == "from" else (1900, year)
        return queryset.filter(period_q("closed_on", "date", first, last))

    return apply


# Cases are counted by the year they were opened; those closed are counted by the year closed.
add_filter(CASES, "closed_from", gettext_lazy("风险消除起始年度"), _closed_between("from"))
add_filter(CASES, "closed_to", gettext_lazy("风险消除截止年度"), _closed_between("to"))


@section("monitoring", title=gettext_lazy("防止返贫监测"), capability=Cap.MONITORING_VIEW, order=60)
def build(card) -> Section:
    events = card.rows(RiskEvent.objects.all(), Cap.MONITORING_VIEW).filter(card.period_q("occurred_on"))
    flags = card.rows(Flag.objects.all(), Cap.MONITORING_VIEW).filter(card.period_q("raised_at", "datetime"))
    cases = card.rows(MonitoredCase.objects.all(), Cap.MONITORING_VIEW)
    opened = cases.filter(card.period_q("opened_on"))
    by_category = dict(opened.order_by().values_list("category").annotate(n=Count("pk")))
    by_kind = dict(events.order_by().values_list("kind").annotate(n=Count("pk")))
    closed = cases.filter(status=CaseStatus.RISK_ELIMINATED).filter(card.period_q("closed_on")).count()
    # as the case list's overdue filter counts them: identifying past the 15 days, today
    overdue = cases.filter(status=CaseStatus.IDENTIFYING, due_on__lt=timezone.localdate()).count()
    closed_params = {
        "status": CaseStatus.RISK_ELIMINATED,
        "closed_from": str(card.period.first),
        "closed_to": str(card.period.last),
    }
    category_labels, kind_labels = dict(CaseCategory.choices), dict(RiskKind.choices)
    figures = [
        Figure("risk_events", _("登记风险事件"), events.count(), units.ITEM, EVENTS),
        Figure(
            "flagged_households",
            _("规则预警农户"),
            flags.values("household").distinct().count(),
            units.HOUSEHOLD,
            FLAGS,
            measure="distinct:household_id",
        ),
        Figure("cases_opened", _("启动识别监测对象"), sum(by_category.values()), units.HOUSEHOLD, CASES),
        *[
            Figure(
                f"cases_{c}",
                category_labels[c],
                by_category.get(c, 0),
                units.HOUSEHOLD,
                CASES,
                {"category": c},
            )
            for c in CaseCategory.values
        ],
        Figure(
            "cases_closed", _("风险消除户"), closed, units.HOUSEHOLD, CASES, closed_params, in_period=False
        ),
        Figure(
            "cases_overdue",
            _("当前识别超期"),
            overdue,
            units.HOUSEHOLD,
            CASES,
            {"overdue": "true"},
            in_period=False,
        ),
    ]
    charts = [
        Chart(
            "events_by_kind",
            _("各类风险事件(个)"),
            "breakdown",
            units.ITEM,
            [
                Figure(f"kind_{k}", str(kind_labels.get(k, k)), n, units.ITEM, EVENTS, {"kind": k})
                for k, n in sorted(by_kind.items(), key=lambda item: -item[1])
            ],
        ),
        Chart(
            "cases_by_region",
            _("各地启动识别监测对象"),
            "breakdown",
            units.HOUSEHOLD,
            region_bars(card, opened, Cap.MONITORING_VIEW, listing=CASES, unit=units.HOUSEHOLD),
        ),
    ]
    return Section("monitoring", _("防止返贫监测"), figures, charts, narrate=narrate)


def narrate(sec: Section, card) -> list[str]:
    return [
        _(
            "%(period)s,%(scope)s记录风险事件%(events)s,规则预警农户%(flagged)s;启动识别监测对象%(opened)s,"
            "其中脱贫不稳定户%(unstable)s、边缘易致贫户%(marginal)s、突发严重困难户%(sudden)s;"
            "风险消除%(closed)s,目前识别超期%(overdue)s。"
        )
        % {
            "period": card.period.label(),
            "scope": card.scope.label,
            "events": sec["risk_events"].text(),
            "flagged": sec["flagged_households"].text(),
            "opened": sec["cases_opened"].text(),
            "unstable": sec["cases_unstable"].text(),
            "marginal": sec["cases_marginal"].text(),
            "sudden": sec["cases_sudden"].text(),
            "closed": sec["cases_closed"].text(),
            "overdue": sec["cases_overdue"].text(),
        }
    ]
