"""Consumption assistance on the scorecard: purchases, the certified share, quota compliance."""

from decimal import Decimal

from django.db.models import Case, Count, Sum, Value, When
from django.db.models.functions import ExtractYear, Substr
from django.db.models.lookups import Exact
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bangfu.core.permissions import Cap
from bangfu.core.scoping import NATIONWIDE, collapse, user_prefixes
from bangfu.reports import units
from bangfu.reports.rollups import Cube, register
from bangfu.reports.scorecard import Chart, Figure, Section, add_period, section, share

from .models import Channel, Purchase

ZERO = Decimal("0.00")

PURCHASES = "consumption.purchase"
add_period(PURCHASES, "date")

# A purchase counts where its buyer is and where its supplier is (``Purchase.scope_query``), so
# the rollups keep it by the buyer's township, by the supplier's, and by the buyer's with the
# length of the region prefix buyer and supplier share: for one prefix P, the purchases of P are
# those bought in P plus those supplied from P less those both bought and supplied in P.


def _shared_level():
    both = [
        When(Exact(Substr("region_code", 1, n), Substr("supplier_region_code", 1, n)), then=Value(f"{n:02d}"))
        for n in (9, 6, 4, 2)
    ]
    return Case(*both, default=Value("00"))


def _purchase_cube(name: str, region: str, dims: tuple = ()) -> Cube:
    return register(
        Cube(
            name,
            lambda: Purchase.objects.all(),
            region=region,
            year=("date", "date"),
            dims=("channel", *dims),
            sums=("total_amount", "certified_amount"),
            own_scope=True,
        )
    )


BOUGHT = _purchase_cube("consumption.purchase", "region_code")
SUPPLIED = _purchase_cube("consumption.purchase_supplied", "supplier_region_code")
SHARED = _purchase_cube("consumption.purchase_shared", "region_code", (_shared_level(),))


def _one_prefix(card) -> str | None:
    """The one region prefix the card's purchases lie in (NATIONWIDE: all of them), or None
    when the rollups cannot answer (several prefixes, a village, a scope wider than the user's)."""
    own = collapse(user_prefixes(card.user, Cap.CONSUMPTION_VIEW))
    wanted = collapse(card.scope.prefixes) or [NATIONWIDE]
    if NATIONWIDE in own:
        chosen = wanted
    elif wanted == [NATIONWIDE]:
        chosen = own
    elif all(any(w.startswith(u) for u in own) for w in wanted):
        chosen = wanted
    else:
        return None
    if len(chosen) != 1 or len(chosen[0]) > BOUGHT.level:
        return None
    return chosen[0]


def purchase_totals(card) -> list[tuple[int, str, int, Decimal, Decimal]]:
    """(year, channel, purchases, amount, certified amount) of the card's scope and period."""
    period = (card.period.first, card.period.last)
    prefix = _one_prefix(card)
    if prefix is None:
        purchases = card.rows(Purchase.objects.all(), Cap.CONSUMPTION_VIEW).filter(card.period_q("date"))
        return [
            (year, channel, n, amount or ZERO, cert or ZERO)
            for year, channel, n, amount, cert in purchases.order_by()
            .annotate(year=ExtractYear("date"))
            .values("year", "channel")
            .annotate(n=Count("pk"), amount=Sum("total_amount"), cert=Sum("certified_amount"))
            .values_list("year", "channel", "n", "amount", "cert")
        ]
    group = ("year", "d1")
    parts = [(1, BOUGHT.read(card, Cap.CONSUMPTION_VIEW, group=group, years=period))]
    if prefix != NATIONWIDE:  # nationwide every purchase has its buyer in scope
        shared = {"d2__gte": f"{len(prefix):02d}"}
        parts.append((1, SUPPLIED.read(card, Cap.CONSUMPTION_VIEW, group=group, years=period)))
        parts.append((-1, SHARED.read(card, Cap.CONSUMPTION_VIEW, group=group, years=period, where=shared)))
    totals: dict[tuple[int, str], list] = {}
    for sign, rows in parts:
        for year, channel, n, amount, cert in rows:
            total = totals.setdefault((year, channel), [0, ZERO, ZERO])
            total[0] += sign * n
            total[1] += sign * amount
            total[2] += sign * cert
    return [(year, channel, *total) for (year, channel), total in sorted(totals.items()) if total[0]]


@section("consumption", title=gettext_lazy("消费帮扶"), capability=Cap.CONSUMPTION_VIEW, order=30)
def build(card) -> Section:
    from .selectors import board_summary, compliance_board

    # the purchases by year and channel: the period's totals are the sums of its years
    yearly: dict[int, tuple[int, Decimal, Decimal]] = {}
    channels: dict[str, Decimal] = {}
    for year, channel, n, amount, cert in purchase_totals(card):
        before = yearly.get(year, (0, ZERO, ZERO))
        yearly[year] = (before[0] + n, before[1] + amount, before[2] + cert)
        channels[channel] = channels.get(channel, ZERO) + amount
    count = sum(n for n, _a, _c in yearly.values())
    total = sum((a for _n, a, _c in yearly.values()), ZERO)
    certified = sum((c for _n, _a, c in yearly.values()), ZERO)
    board_year = min(card.period.last, card.today.year)

    def board():
        rows = compliance_board(user=card.user, year=board_year, today=card.today)
        if card.scope.prefixes:
            rows = [r for r in rows if any(r.quota.region_code.startswith(p) for p in card.scope.prefixes)]
        return board_summary(rows)

    summary = board()
    board_url = f"{reverse('consumption:board')}?year={board_year}"
    labels = dict(Channel.choices)
    figures = [
        Figure("purchases", _("采购笔数"), count, units.ITEM, PURCHASES),
        Figure("amount", _("消费帮扶金额"), total, units.YUAN, PURCHASES, measure="sum:total_amount"),
        Figure(
            "certified",
            _("其中认定帮扶产品"),
            certified,
            units.YUAN,
            PURCHASES,
            measure="sum:certified_amount",
        ),
        Figure(
            "certified_share",
            _("认定产品占比"),
            share(certified, total),
            units.PERCENT,
            PURCHASES,
            measure="sum:certified_amount",
            derived_from=("certified", "amount"),
        ),
        Figure(
            "quota_units",
            _("%(year)d年有比例要求的单位") % {"year": board_year},
            summary["units"],
            units.ITEM,
            url=board_url,
            check=lambda: board()["units"],
            in_period=False,
        ),
        Figure(
            "quota_met",
            _("%(year)d年达到比例的单位") % {"year": board_year},
            summary["met"],
            units.ITEM,
            url=board_url,
            check=lambda: board()["met"],
            in_period=False,
        ),
    ]
    charts = [
        Chart(
            "amount_by_year",
            _("各年度消费帮扶金额"),
            "trend",
            units.YUAN,
            [
                Figure(
                    f"amount_{y}",
                    str(y),
                    yearly.get(y, (0, ZERO, ZERO))[1],
                    units.YUAN,
                    PURCHASES,
                    {"year": str(y)},
                    measure="sum:total_amount",
                )
                for y in card.period.years
            ],
        ),
        Chart(
            "certified_by_year",
            _("各年度认定产品金额"),
            "trend",
            units.YUAN,
            [
                Figure(
                    f"certified_{y}",
                    str(y),
                    yearly.get(y, (0, ZERO, ZERO))[2],
                    units.YUAN,
                    PURCHASES,
                    {"year": str(y)},
                    measure="sum:certified_amount",
                )
                for y in card.period.years
            ],
        ),
        Chart(
            "amount_by_channel",
            _("各销售渠道金额"),
            "breakdown",
            units.YUAN,
            [
                Figure(
                    f"channel_{c}",
                    str(labels.get(c, c)),
                    amount or ZERO,
                    units.YUAN,
                    PURCHASES,
                    {"channel": c},
                    measure="sum:total_amount",
                )
                for c, amount in sorted(channels.items())
            ],
        ),
    ]
    return Section("consumption", _("消费帮扶"), figures, charts, narrate=narrate)


def narrate(sec: Section, card) -> list[str]:
    sentences = [
        _("%(period)s,%(scope)s消费帮扶%(amount)s,其中认定帮扶产品%(certified)s(占%(share)s)。")
        % {
            "period": card.period.label(),
            "scope": card.scope.label,
            "amount": sec["amount"].text(),
            "certified": sec["certified"].text(),
            "share": sec["certified_share"].text(),
        }
    ]
    if sec["quota_units"].value:
        sentences.append(
            _("有采购比例要求的%(units)s单位中,%(met)s达到比例。")
            % {"units": sec["quota_units"].text(), "met": sec["quota_met"].text()}
        )
    return sentences
