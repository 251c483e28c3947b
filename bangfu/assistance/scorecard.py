"""Paired assistance on the scorecard: partnerships, projects by type, funds invested,
coordinated and spent, the projects' beneficiaries and the dividends paid to shareholders. Reads the assistance models; adds nothing to the app's own modules."""

from decimal import Decimal

from django.db.models import Count, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bangfu.core.permissions import Cap
from bangfu.reports import units
from bangfu.reports.rollups import Cube, register
from bangfu.reports.scorecard import Chart, Figure, Section, add_period, add_span, region_bars, section

from .models import (
    Beneficiary,
    DividendPayout,
    FundEntry,
    FundKind,
    Partnership,
    PartnershipKind,
    Project,
    ProjectType,
)

PARTNERSHIPS = "assistance.partnership"
PROJECTS = "assistance.project"
FUNDS = "reports.fund_entry"
BENEFICIARIES = "reports.beneficiary"
DIVIDENDS = "reports.dividend"
ZERO = Decimal("0.00")

# the fund ledger by township, year and kind (rollups): its sums are what the section reads
FUND_CUBE = register(
    Cube(
        "assistance.fund",
        lambda: FundEntry.objects.all(),
        year=("date", "date"),
        dims=("kind",),
        sums=("amount",),
    )
)

add_span(PARTNERSHIPS, "start_year", "end_year", "year")
add_period(PROJECTS, "start_date")
add_period(FUNDS, "date")
add_period(BENEFICIARIES, "project__start_date")  # the beneficiaries of the period's projects
add_period(DIVIDENDS, "year", kind="year")


@section("assistance", title=gettext_lazy("帮扶项目与资金"), capability=Cap.ASSISTANCE_VIEW, order=20)
def build(card) -> Section:
    partnerships = card.rows(Partnership.objects.all(), Cap.ASSISTANCE_VIEW).filter(
        card.span_q("start_year", "end_year", "year")
    )
    projects = card.rows(Project.objects.all(), Cap.ASSISTANCE_VIEW).filter(card.period_q("start_date"))
    period = (card.period.first, card.period.last)
    beneficiaries = (
        card.rows(Beneficiary.objects.all(), Cap.ASSISTANCE_VIEW)
        .filter(card.period_q("project__start_date"))
        .aggregate(households=Sum("households"), persons=Sum("persons"))
    )
    dividends = (
        card.rows(DividendPayout.objects.all(), Cap.ASSISTANCE_VIEW)
        .filter(card.period_q("year", "year"))
        .aggregate(amount=Sum("amount"), households=Count("shareholding__household", distinct=True))
    )
    by_kind = dict(partnerships.order_by().values_list("kind").annotate(n=Count("pk")))
    by_type = {
        t: (n, budget or ZERO)
        for t, n, budget in projects.order_by()
        .values("type")
        .annotate(n=Count("pk"), budget=Sum("budget"))
        .values_list("type", "n", "budget")
    }
    yearly: dict[tuple[int, str], Decimal] = {
        (year, kind): amount
        for year, kind, _n, amount, _b in FUND_CUBE.read(
            card, Cap.ASSISTANCE_VIEW, group=("year", "d1"), years=period
        )
    }
    # the period's sums are the sums of its years: one scan of the fund ledger
    sums = {kind: sum((v for (_y, k), v in yearly.items() if k == kind), ZERO) for kind in FundKind.values}
    kind_labels, type_labels = dict(PartnershipKind.choices), dict(ProjectType.choices)
    figures = [
        Figure("partnerships", _("帮扶关系"), sum(by_kind.values()), units.ITEM, PARTNERSHIPS),
        *[
            Figure(
                f"partnerships_{k}", kind_labels[k], by_kind.get(k, 0), units.ITEM, PARTNERSHIPS, {"kind": k}
            )
            for k in PartnershipKind.values
        ],
        Figure("projects", _("期内实施帮扶项目"), sum(n for n, _b in by_type.values()), units.ITEM, PROJECTS),
        Figure(
            "invested",
            _("投入资金"),
            sums[FundKind.INVESTED] or ZERO,
            units.YUAN,
            FUNDS,
            {"kind": FundKind.INVESTED},
            measure="sum:amount",
        ),
        Figure(
            "coordinated",
            _("协调资金"),
            sums[FundKind.COORDINATED] or ZERO,
            units.YUAN,
            FUNDS,
            {"kind": FundKind.COORDINATED},
            measure="sum:amount",
        ),
        Figure(
            "spent",
            _("支出资金"),
            sums[FundKind.SPENT] or ZERO,
            units.YUAN,
            FUNDS,
            {"kind": FundKind.SPENT},
            measure="sum:amount",
        ),
        Figure(
            "beneficiary_households",
            _("项目受益户"),
            beneficiaries["households"] or 0,
            units.HOUSEHOLD,
            BENEFICIARIES,
            measure="sum:households",
        ),
        Figure(
            "beneficiary_persons",
            _("项目受益人口"),
            beneficiaries["persons"] or 0,
            units.PERSON,
            BENEFICIARIES,
            measure="sum:persons",
        ),
        Figure(
            "dividend_households",
            _("获得分红户"),
            dividends["households"],
            units.HOUSEHOLD,
            DIVIDENDS,
            measure="distinct:shareholding__household",
        ),
        Figure(
            "dividends",
            _("分红金额"),
            dividends["amount"] or ZERO,
            units.YUAN,
            DIVIDENDS,
            measure="sum:amount",
        ),
    ]
    charts = [
        Chart(
            "projects_by_type",
            _("各类型帮扶项目(个)"),
            "breakdown",
            units.ITEM,
            [
                Figure(f"type_{t}", str(type_labels.get(t, t)), n, units.ITEM, PROJECTS, {"type": t})
                for t, (n, _b) in sorted(by_type.items(), key=lambda item: -item[1][0])
            ],
        ),
        *[
            Chart(
                f"{kind}_by_year",
                _("各年度%(kind)s") % {"kind": label},
                "trend",
                units.YUAN,
                [
                    Figure(
                        f"{kind}_{y}",
                        str(y),
                        yearly.get((y, kind), ZERO),
                        units.YUAN,
                        FUNDS,
                        {"kind": kind, "year": str(y)},
                        measure="sum:amount",
                    )
                    for y in card.period.years
                ],
            )
            for kind, label in FundKind.choices
        ],
        Chart(
            "invested_by_region",
            _("各地投入资金"),
            "breakdown",
            units.YUAN,
            region_bars(
                card,
                FUND_CUBE,
                Cap.ASSISTANCE_VIEW,
                where={"d1": FundKind.INVESTED},
                listing=FUNDS,
                unit=units.YUAN,
                measure="sum:amount",
                params={"kind": FundKind.INVESTED},
            ),
        ),
    ]
    return Section("assistance", _("帮扶项目与资金"), figures, charts, narrate=narrate)


def narrate(sec: Section, card) -> list[str]:
    return [
        _(
            "%(period)s,%(scope)s有帮扶关系%(partnerships)s,实施帮扶项目%(projects)s,"
            "累计投入资金%(invested)s、协调资金%(coordinated)s,支出%(spent)s;"
            "项目受益%(households)s%(persons)s,%(dividend_households)s获得入股分红%(dividends)s。"
        )
        % {
            "period": card.period.label(),
            "scope": card.scope.label,
            "partnerships": sec["partnerships"].text(),
            "projects": sec["projects"].text(),
            "invested": sec["invested"].text(),
            "coordinated": sec["coordinated"].text(),
            "spent": sec["spent"].text(),
            "households": sec["beneficiary_households"].text(),
            "persons": sec["beneficiary_persons"].text(),
            "dividend_households": sec["dividend_households"].text(),
            "dividends": sec["dividends"].text(),
        }
    ]
