"""Love supermarkets on the scorecard: stores, donations, households and person-times served,
counted the way the county's published yearly figures count them (``selectors.figures``),
with donations and redemptions read through rollups."""

import datetime
from decimal import Decimal

from django.db.models import Count, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bangfu.core.listings import add_filter
from bangfu.core.permissions import Cap
from bangfu.reports import units
from bangfu.reports.rollups import Cube, register
from bangfu.reports.scorecard import Chart, Figure, Section, add_period, region_bars, section

from .models import Donation, Redemption, Store

STORES = "supermarket.store"
DONATIONS = "supermarket.donation"
REDEMPTIONS = "supermarket.redemption"
ZERO = Decimal("0.00")

# donations (cash, goods value) and redemptions by township and year (rollups)
DONATION_CUBE = register(
    Cube(
        "supermarket.donation",
        lambda: Donation.objects.all(),
        year=("date", "date"),
        sums=("cash", "goods_value"),
    )
)
REDEMPTION_CUBE = register(
    Cube("supermarket.redemption", lambda: Redemption.objects.all(), year=("date", "date"))
)

add_period(STORES, "opened_on")
add_period(DONATIONS, "date")
add_period(REDEMPTIONS, "date")


def operating_q(year: int) -> Q:
    """Open at the end of ``year``: the way ``selectors.figures`` counts stores operating."""
    end = datetime.date(year, 12, 31)
    return Q(opened_on__lte=end) & (Q(closed_on__isnull=True) | Q(closed_on__gt=end))


def _operating_at(queryset, value):
    value = value.strip()
    if not value.isdigit():
        raise ValueError(value)
    return queryset.filter(operating_q(int(value)))


add_filter(STORES, "operating_at", gettext_lazy("年末运营"), _operating_at)


@section("supermarket", title=gettext_lazy("爱心超市"), capability=Cap.SUPERMARKET_VIEW, order=40)
def build(card) -> Section:
    cap = Cap.SUPERMARKET_VIEW
    stores = card.rows(Store.objects.all(), cap)
    last = min(card.period.last, card.today.year)
    period = (card.period.first, card.period.last)
    donated = {
        year: (n, a + b) for year, n, a, b in DONATION_CUBE.read(card, cap, group=("year",), years=period)
    }
    served = {year: n for year, n, _a, _b in REDEMPTION_CUBE.read(card, cap, group=("year",), years=period)}
    redemptions = card.rows(Redemption.objects.all(), cap).filter(card.period_q("date"))
    # count(DISTINCT …) in one aggregate: a DISTINCT subquery counted outside is several times slower
    households = redemptions.aggregate(n=Count("household_id", distinct=True))["n"]
    figures = [
        Figure(
            "stores_operating",
            _("%(year)d年末运营的爱心超市") % {"year": last},
            stores.filter(operating_q(last)).count(),
            units.ITEM,
            STORES,
            {"operating_at": str(last)},
            in_period=False,
        ),
        Figure(
            "stores_new",
            _("期内新建爱心超市"),
            stores.filter(card.period_q("opened_on")).count(),
            units.ITEM,
            STORES,
        ),
        Figure(
            "donation_value",
            _("捐赠物资和现金"),
            sum((value for _n, value in donated.values()), ZERO),
            units.YUAN,
            DONATIONS,
            measure="sum:cash,goods_value",
        ),
        Figure("donations", _("捐赠笔数"), sum(n for n, _v in donated.values()), units.ITEM, DONATIONS),
        Figure(
            "households_served",
            _("救助户数"),
            households,
            units.HOUSEHOLD,
            REDEMPTIONS,
            measure="distinct:household_id",
        ),
        Figure(
            "person_times",
            _("救助人次"),
            sum(served.values()),
            units.PERSON_TIME,
            REDEMPTIONS,
        ),
    ]
    charts = [
        Chart(
            "donations_by_year",
            _("各年度捐赠(元)"),
            "trend",
            units.YUAN,
            [
                Figure(
                    f"donation_{y}",
                    str(y),
                    donated.get(y, (0, ZERO))[1],
                    units.YUAN,
                    DONATIONS,
                    {"year": str(y)},
                    measure="sum:cash,goods_value",
                )
                for y in card.period.years
            ],
        ),
        Chart(
            "person_times_by_year",
            _("各年度救助人次"),
            "trend",
            units.PERSON_TIME,
            [
                Figure(
                    f"person_times_{y}",
                    str(y),
                    served.get(y, 0),
                    units.PERSON_TIME,
                    REDEMPTIONS,
                    {"year": str(y)},
                )
                for y in card.period.years
            ],
        ),
        Chart(
            "person_times_by_region",
            _("各地救助人次"),
            "breakdown",
            units.PERSON_TIME,
            region_bars(card, REDEMPTION_CUBE, cap, listing=REDEMPTIONS, unit=units.PERSON_TIME),
        ),
    ]
    return Section("supermarket", _("爱心超市"), figures, charts, narrate=narrate)


def narrate(sec: Section, card) -> list[str]:
    return [
        _(
            "%(period)s,%(scope)s新建爱心超市%(new)s,年末运营%(operating)s,收到社会各界捐赠物资共计%(value)s,"
            "救助兜底贫困户%(households)s%(times)s。"
        )
        % {
            "period": card.period.label(),
            "scope": card.scope.label,
            "new": sec["stores_new"].text(),
            "operating": sec["stores_operating"].text(),
            "value": sec["donation_value"].text(),
            "households": sec["households_served"].text(),
            "times": sec["person_times"].text(),
        }
    ]
