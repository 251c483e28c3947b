"""Village work on the scorecard: stationed teams, five-days-four-nights compliance, visits.

Reads the fieldwork models and selectors; adds no selector of its own to the app."""

import datetime
from urllib.parse import urlencode

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bangfu.core.permissions import Cap
from bangfu.reports import units
from bangfu.reports.rollups import Cube, register
from bangfu.reports.scorecard import Chart, Figure, Section, add_period, add_span, region_bars, section, share

from . import rule
from .models import Team, TeamMember, Visit

TEAMS = "fieldwork.team"
VISITS = "fieldwork.visit"
COMPLIANCE_WEEKS = 13  # a quarter: enough weeks to judge, few enough to compute on every card

# visits by township and year (rollups)
VISIT_CUBE = register(Cube("fieldwork.visit", lambda: Visit.objects.all(), year=("visited_on", "date")))

add_span(TEAMS, "starts_on", "ends_on")
add_period(VISITS, "visited_on")


def compliance_weeks(card) -> tuple[datetime.date, datetime.date]:
    """The last ``COMPLIANCE_WEEKS`` complete weeks of the period (Monday, Sunday)."""
    end = min(card.period.date_to, rule.week_start(card.today) - datetime.timedelta(days=1))
    last_monday = (
        rule.week_start(end) if end.weekday() == 6 else rule.week_start(end) - datetime.timedelta(days=7)
    )
    first_monday = last_monday - datetime.timedelta(weeks=COMPLIANCE_WEEKS - 1)
    return first_monday, last_monday + datetime.timedelta(days=6)


@section("fieldwork", title=gettext_lazy("驻村工作"), capability=Cap.FIELDWORK_VIEW, order=50)
def build(card) -> Section:
    from .selectors import compliance_report

    teams = card.rows(Team.objects.all(), Cap.FIELDWORK_VIEW).filter(card.span_q("starts_on", "ends_on"))
    visits = card.rows(Visit.objects.all(), Cap.FIELDWORK_VIEW).filter(card.period_q("visited_on"))
    by_year = {
        year: n
        for year, n, _a, _b in VISIT_CUBE.read(
            card, Cap.FIELDWORK_VIEW, group=("year",), years=(card.period.first, card.period.last)
        )
    }
    visit_totals = {
        "n": sum(by_year.values()),
        **visits.aggregate(households=Count("household", distinct=True)),
    }
    first, last = compliance_weeks(card)

    def report():
        members = card.rows(TeamMember.objects.all(), Cap.FIELDWORK_VIEW)
        rows = compliance_report(user=card.user, first=first, last=last, members=members)
        return len(rows), sum(1 for row in rows if row.complies)

    assessed, compliant = report()
    query = {"week_from": first.isoformat(), "week_to": last.isoformat()}
    if len(card.scope.prefixes) == 1:
        query["region"] = card.scope.prefixes[0]
    compliance_url = f"{reverse('fieldwork:compliance')}?{urlencode(query)}"
    weeks = _("%(first)s至%(last)s") % {"first": first.isoformat(), "last": last.isoformat()}
    figures = [
        Figure("teams", _("驻村工作队"), teams.count(), units.ITEM, TEAMS),
        Figure("visits", _("走访入户"), visit_totals["n"], units.PERSON_TIME, VISITS),
        Figure(
            "households_visited",
            _("走访农户"),
            visit_totals["households"],
            units.HOUSEHOLD,
            VISITS,
            measure="distinct:household_id",
        ),
        Figure(
            "member_weeks",
            _("五天四夜考核人周(%(weeks)s)") % {"weeks": weeks},
            assessed,
            units.ITEM,
            url=compliance_url,
            in_period=False,
            check=lambda: report()[0],
        ),
        Figure(
            "compliant_weeks",
            _("其中达标人周"),
            compliant,
            units.ITEM,
            url=compliance_url,
            in_period=False,
            check=lambda: report()[1],
        ),
        Figure(
            "compliance_rate",
            _("五天四夜达标率"),
            share(compliant, assessed),
            units.PERCENT,
            url=compliance_url,
            in_period=False,
            derived_from=("compliant_weeks", "member_weeks"),
        ),
    ]
    charts = [
        Chart(
            "visits_by_year",
            _("各年度走访人次"),
            "trend",
            units.PERSON_TIME,
            [
                Figure(
                    f"visits_{y}",
                    str(y),
                    by_year.get(y, 0),
                    units.PERSON_TIME,
                    VISITS,
                    {"year_from": str(y), "year_to": str(y)},
                )
                for y in card.period.years
            ],
        ),
        Chart(
            "visits_by_region",
            _("各地走访人次"),
            "breakdown",
            units.PERSON_TIME,
            region_bars(card, VISIT_CUBE, Cap.FIELDWORK_VIEW, listing=VISITS, unit=units.PERSON_TIME),
        ),
    ]
    return Section("fieldwork", _("驻村工作"), figures, charts, narrate=narrate)


def narrate(sec: Section, card) -> list[str]:
    return [
        _(
            "%(period)s,%(scope)s在驻工作队%(teams)s,走访入户%(visits)s、覆盖农户%(households)s;近%(weeks)d周五天四夜达标率%(rate)s。"
        )
        % {
            "period": card.period.label(),
            "scope": card.scope.label,
            "teams": sec["teams"].text(),
            "visits": sec["visits"].text(),
            "households": sec["households_visited"].text(),
            "weeks": COMPLIANCE_WEEKS,
            "rate": sec["compliance_rate"].text(),
        }
    ]
