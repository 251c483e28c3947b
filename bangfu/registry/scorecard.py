"""The registry's scorecard section: households, persons, lifted by year, safety net, causes."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bangfu.core.listings import add_filter
from bangfu.core.permissions import Cap
from bangfu.reports import units
from bangfu.reports.rollups import Cube, Watch, register
from bangfu.reports.scorecard import Chart, Figure, Section, add_period, region_bars, section

from .models import Household, Person, PovertyCause, SafetyNet

HOUSEHOLDS = "registry.household"
PERSONS = "registry.person"

# A household's period is the year it was lifted out of poverty.
add_period(HOUSEHOLDS, "lifted_year", "year")


# What the section reads, kept per township (rollups): households by the year they were lifted,
# whether registered and their safety net; households by cause; persons on the register.
HOUSEHOLD_CUBE = register(
    Cube(
        "registry.household",
        lambda: Household.objects.all(),
        year=("lifted_year", "year"),
        dims=("registered", "safety_net"),
    )
)
CAUSE_CUBE = register(
    Cube(
        "registry.household_cause",
        lambda: Household.objects.filter(causes__isnull=False),
        dims=("causes",),
        watch=(
            Watch("registry_household", "{r}.region_code"),
            Watch(
                "registry_household_causes",
                "(SELECT h.region_code FROM registry_household h WHERE h.id = {r}.household_id)",
            ),
        ),
    )
)
PERSON_CUBE = register(Cube("registry.person", lambda: Person.objects.filter(is_active=True)))


def _any_safety_net(queryset, value):
    if value not in ("1", "true", "True"):
        raise ValueError(value)
    return queryset.exclude(safety_net=SafetyNet.NONE)


add_filter(HOUSEHOLDS, "safety_net_any", gettext_lazy("兜底保障户"), _any_safety_net)


@section("registry", title=gettext_lazy("建档立卡"), capability=Cap.REGISTRY_VIEW, order=10)
def build(card) -> Section:
    cap = Cap.REGISTRY_VIEW
    counts = {"total": 0, "registered": 0, "safety_net": 0}
    lifted_by_year: dict[int, int] = {}
    net_kinds: dict[str, int] = {}
    for year, registered, net, n, _a, _b in HOUSEHOLD_CUBE.read(card, cap, group=("year", "d1", "d2")):
        counts["total"] += n
        counts["registered"] += n if registered == "True" else 0
        if net != SafetyNet.NONE:
            counts["safety_net"] += n
            net_kinds[net] = net_kinds.get(net, 0) + n
        if card.period.first <= year <= card.period.last:
            lifted_by_year[year] = lifted_by_year.get(year, 0) + n
    causes = {code: n for code, n, _a, _b in CAUSE_CUBE.read(card, cap, group=("d1",))}
    persons = sum(n for n, _a, _b in PERSON_CUBE.read(card, cap))
    cause_names = dict(PovertyCause.objects.filter(code__in=causes).values_list("code", "name"))
    present = {"in_period": False}
    figures = [
        Figure("households", _("农户"), counts["total"], units.HOUSEHOLD, HOUSEHOLDS, **present),
        Figure(
            "registered",
            _("建档立卡户"),
            counts["registered"],
            units.HOUSEHOLD,
            HOUSEHOLDS,
            {"registered": "true"},
            **present,
        ),
        Figure("persons", _("家庭成员"), persons, units.PERSON, PERSONS, **present),
        Figure("lifted", _("期内脱贫户"), sum(lifted_by_year.values()), units.HOUSEHOLD, HOUSEHOLDS),
        Figure(
            "safety_net",
            _("兜底保障户"),
            counts["safety_net"],
            units.HOUSEHOLD,
            HOUSEHOLDS,
            {"safety_net_any": "1"},
            **present,
        ),
    ]
    labels = dict(SafetyNet.choices)
    charts = [
        Chart(
            "lifted_by_year",
            _("各年度脱贫户数"),
            "trend",
            units.HOUSEHOLD,
            [
                Figure(
                    f"lifted_{year}",
                    str(year),
                    lifted_by_year.get(year, 0),
                    units.HOUSEHOLD,
                    HOUSEHOLDS,
                    {"lifted_year": str(year)},
                    **present,
                )
                for year in card.period.years
            ],
        ),
        Chart(
            "safety_net_kinds",
            _("兜底保障类型"),
            "breakdown",
            units.HOUSEHOLD,
            [
                Figure(
                    f"net_{kind}",
                    str(labels.get(kind, kind)),
                    n,
                    units.HOUSEHOLD,
                    HOUSEHOLDS,
                    {"safety_net": kind},
                    **present,
                )
                for kind, n in sorted(net_kinds.items())
            ],
        ),
        Chart(
            "causes",
            _("致贫原因(户)"),
            "breakdown",
            units.HOUSEHOLD,
            [
                Figure(
                    f"cause_{code}",
                    cause_names.get(code, code),
                    n,
                    units.HOUSEHOLD,
                    HOUSEHOLDS,
                    {"cause": code},
                    **present,
                )
                for code, n in sorted(causes.items(), key=lambda item: -item[1])
            ],
        ),
        Chart(
            "households_by_region",
            _("各地农户数"),
            "breakdown",
            units.HOUSEHOLD,
            region_bars(card, HOUSEHOLD_CUBE, cap, listing=HOUSEHOLDS, unit=units.HOUSEHOLD, in_period=False),
        ),
    ]
    return Section("registry", _("建档立卡"), figures, charts, narrate=narrate)


def _q(**kwargs):
    from django.db.models import Q

    return Q(**kwargs)


def narrate(sec: Section, card) -> list[str]:
    return [
        _(
            "%(scope)s现有农户%(households)s,其中建档立卡户%(registered)s、家庭成员%(persons)s;"
            "%(period)s脱贫%(lifted)s,兜底保障%(safety_net)s。"
        )
        % {
            "scope": card.scope.label,
            "households": sec["households"].text(),
            "registered": sec["registered"].text(),
            "persons": sec["persons"].text(),
            "period": card.period.label(),
            "lifted": sec["lifted"].text(),
            "safety_net": sec["safety_net"].text(),
        }
    ]
