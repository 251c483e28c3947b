"""GET /api/v1/reports/scorecard: the scorecard page's figures as numbers, with links and narrative."""

import re
from decimal import Decimal

import pytest
from django.test import Client

from bangfu.accounts.services import token_create
from bangfu.core.permissions import Cap, Role
from bangfu.reports.scorecard import Period, build_scorecard, resolve_scope
from tests.conftest import DEMO_COUNTY, OTHER_COUNTY
from tests.consumption.conftest import DAY, World

pytestmark = pytest.mark.django_db
URL = "/api/v1/reports/scorecard"
CJK = re.compile(r"[\u4e00-\u9fff]")


def api(user, **headers) -> Client:
    _token, raw = token_create(user=user, name="tests")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}", **headers)


@pytest.fixture
def shop(make_org, region):
    world = World(make_org, region)
    world.buy(world.hospital, lines=[(world.mushroom, 10, "68.00")])
    world.buy(world.union, lines=[(world.honey, 100, "45.00")], supplier=world.base)
    return world


@pytest.fixture
def office(make_user):
    return make_user(Role.OFFICE, DEMO_COUNTY)


def _figures(body) -> dict:
    return {(s["key"], f["key"]): f for s in body["sections"] for f in s["figures"]}


def test_the_scorecard_of_a_region_and_year_in_numbers(shop, office):
    response = api(office).get(URL, {"region": DEMO_COUNTY[:6], "year": str(DAY.year)})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["language"] == "zh-hans"
    assert body["scope"]["prefixes"] == [DEMO_COUNTY[:6]]
    assert (body["period"]["first"], body["period"]["last"], body["period"]["cumulative"]) == (
        DAY.year,
    ) * 2 + (False,)
    figures = _figures(body)
    amount = figures[("consumption", "amount")]
    assert amount["value"] == 5180.0 and isinstance(amount["value"], float)
    assert (amount["unit"], amount["text"], amount["label"]) == ("yuan", "5180元", "消费帮扶金额")
    assert amount["url"].startswith("/consumption/purchases/?") and "year_from=2025" in amount["url"]
    assert figures[("consumption", "purchases")]["value"] == 2
    assert body["narrative"] and all(CJK.search(sentence) for sentence in body["narrative"])

    # the very figures the page builds, value for value
    scope = resolve_scope(user=office, params={"region": DEMO_COUNTY[:6]}, capability=Cap.DASHBOARD_VIEW)
    card = build_scorecard(user=office, scope=scope, period=Period(DAY.year, DAY.year))
    expected = {(s.key, f.key): f for s in card.sections for f in s.figures}
    assert set(figures) == set(expected)
    for key, figure in expected.items():
        value = figure.value
        plain = float(value) if isinstance(value, Decimal) else value
        assert figures[key]["value"] == plain, key
        assert figures[key]["url"] == figure.url, key
    assert body["digest"] == card.digest()


def test_the_scorecard_in_english(shop, office):
    body = api(office).get(URL, {"region": DEMO_COUNTY[:6], "year": str(DAY.year), "lang": "en"}).json()
    assert body["language"] == "en"
    amount = _figures(body)[("consumption", "amount")]
    assert amount["text"] == "5,180 yuan" and not CJK.search(amount["label"])
    consumption = next(s for s in body["sections"] if s["key"] == "consumption")
    assert not CJK.search(consumption["title"])
    scope = resolve_scope(user=office, params={"region": DEMO_COUNTY[:6]}, capability=Cap.DASHBOARD_VIEW)
    card = build_scorecard(user=office, scope=scope, period=Period(DAY.year, DAY.year))
    english = {s.key: s.sentences["en"] for s in card.sections}
    assert (
        consumption["narrative"]
        == english["consumption"]
        != next(s for s in card.sections if s.key == "consumption").sentences["zh-hans"]
    )
    assert body["narrative"] == [sentence for s in card.sections for sentence in english[s.key]]
    # the request's own language when no lang is given
    accepted = api(office, HTTP_ACCEPT_LANGUAGE="en").get(
        URL, {"region": DEMO_COUNTY[:6], "year": str(DAY.year)}
    )
    assert accepted.json()["language"] == "en"


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"year": "20x5"}, "年度应为四位数字:20x5"),
        ({"from": "2024", "to": "2020"}, "年度范围无效:2024—2020"),
        ({"region": "4104x", "year": "2025"}, "区划代码应为2、4、6、9或12位数字:4104x"),
        ({"region": OTHER_COUNTY[:6], "year": "2025"}, f"区划 {OTHER_COUNTY[:6]} 不在您的管辖范围内"),
        ({"organization": "abc"}, "单位编号应为数字"),
        ({"year": "2025", "lang": "fr"}, "不支持的语言:fr"),
    ],
)
def test_bad_parameters_answer_400_with_the_message(office, params, message):
    response = api(office).get(URL, params)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_parameter" and error["message"].startswith(message), error


def test_an_organisation_out_of_sight_is_missing_and_one_in_sight_covers_its_regions(shop, office, make_user):
    response = api(office).get(URL, {"organization": str(shop.far_buyer.pk), "year": "2025"})
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
    body = api(office).get(URL, {"organization": str(shop.hospital.pk), "year": "2025"}).json()
    assert body["scope"]["organization_id"] == shop.hospital.pk and body["scope"]["label"] == "县医院"


def test_the_same_permission_as_the_page(shop, office, make_user):
    nobody = make_user()  # no role: no dashboard.view
    response = api(nobody).get(URL, {"year": "2025"})
    assert response.status_code == 403 and response.json()["error"]["code"] == "forbidden"
    assert Client().get(URL, {"year": "2025"}).status_code == 401
    far = make_user(Role.OFFICE, OTHER_COUNTY)
    body = api(far).get(URL, {"year": "2025"}).json()
    assert (
        _figures(body)[("consumption", "amount")]["value"] == 0.0
    )  # the county's purchases are not in its scope
