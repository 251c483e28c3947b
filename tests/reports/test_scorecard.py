"""Every figure of every registered scorecard section equals the total of the records it links to."""

import datetime
from decimal import Decimal
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.urls import resolve

from bangfu.accounts.models import User
from bangfu.reports.scorecard import (
    SECTIONS,
    Card,
    Period,
    Scope,
    build_scorecard,
    drill_total,
    resolve_scope,
)

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 24)
PERIODS = {
    "cumulative": Period(2013, TODAY.year, cumulative=True),
    "one_year": Period(2023, 2023),
    "range": Period(2020, 2022),
}


def _card(user, scope, period):
    return Card(user=user, scope=scope, period=period, today=TODAY)


@pytest.mark.parametrize("period_name", sorted(PERIODS))
@pytest.mark.parametrize("key", sorted(SECTIONS))
def test_every_figure_equals_the_total_of_its_records(demo, key, period_name):
    office = User.objects.get(username="office")
    period = PERIODS[period_name]
    for scope in (Scope(), Scope(prefixes=("410423",), label="鲁山县")):
        card = build_scorecard(user=office, scope=scope, period=period, keys=[key], today=TODAY)
        assert [s.key for s in card.sections] == [key]
        section = card.sections[0]
        figures = section.all_figures()
        assert figures, f"section {key} shows no figure"
        problems = []
        by_key = {f.key: f for f in section.figures}
        for figure in figures:
            if figure.derived_from:
                part, whole = (by_key[k].value for k in figure.derived_from)
                expected = (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1")) if whole else None
                if figure.value != expected:
                    problems.append((figure.key, figure.value, expected))
                continue
            assert figure.url, f"{key}.{figure.key} links nowhere"
            total = drill_total(figure, _card(office, scope, period))
            if Decimal(total or 0) != Decimal(figure.value or 0):
                problems.append((figure.key, figure.value, total))
        assert problems == [], f"{key} figures differ from their records: {problems}"


def test_the_demo_scorecard_shows_every_section_with_figures(demo):
    office = User.objects.get(username="office")
    card = build_scorecard(user=office, scope=Scope(), period=PERIODS["cumulative"], today=TODAY)
    assert {s.key for s in card.sections} == set(SECTIONS)
    for section in card.sections:
        assert any(f.value for f in section.figures), f"{section.key} is all zeros in the demo"
        assert section.sentences["zh-hans"] and section.sentences["en"]


def test_a_figure_link_opens_a_list_whose_total_is_the_figure(demo, client_for):
    office = User.objects.get(username="office")
    client = client_for(office)
    card = build_scorecard(
        user=office, scope=Scope(), period=PERIODS["cumulative"], keys=["supermarket"], today=TODAY
    )
    figure = card.sections[0]["donation_value"]
    response = client.get(figure.url)
    assert response.status_code == 200
    assert response.context["column_sum"] == figure.value
    count = card.sections[0]["person_times"]
    response = client.get(count.url)
    assert response.context["page"].paginator.count == count.value
    assert resolve(urlsplit(count.url).path).url_name == "redemption-list"
    assert dict(parse_qsl(urlsplit(count.url).query))["year_from"] == "2013"


def test_the_scorecard_page_renders_every_section(demo, client_for):
    office = User.objects.get(username="office")
    response = client_for(office).get("/reports/scorecard/", {"since": "2013"})
    assert response.status_code == 200
    for key in SECTIONS:
        assert f'data-testid="section-{key}"'.encode() in response.content


def test_a_region_outside_the_users_scope_is_refused(demo, client_for):
    office = User.objects.get(username="office")
    response = client_for(office).get("/reports/scorecard/", {"region": "410402"})
    assert response.status_code == 400
    assert "card" not in response.context
    with pytest.raises(ValueError):
        resolve_scope(user=office, params={"region": "4104x"}, capability="dashboard.view")
