"""The drill-down parameters every listing understands (``within``, a figure's ``sum``) and the
period filters a scorecard section declares (``year_from``/``year_to``)."""

import datetime

import pytest

from bangfu.core import idnumber
from bangfu.registry import services
from bangfu.registry.models import Household
from tests.conftest import DEMO_VILLAGE, OTHER_COUNTY

pytestmark = pytest.mark.django_db

HOUSEHOLDS = "/registry/households/"
OTHER_VILLAGE = "410423102201"


@pytest.fixture
def households(region):
    made = []
    for n, (village, lifted) in enumerate(
        [(DEMO_VILLAGE, 2019), (DEMO_VILLAGE, 2020), (OTHER_VILLAGE, 2020)]
    ):
        number = idnumber.make(village[:6], datetime.date(1960, 1, 1), n * 2 + 1)
        made.append(
            services.household_create(
                actor=None,
                code=f"H{n}",
                region=region(village),
                head={"name": "王芳", "id_number": number},
                lifted_year=lifted,
            )
        )
    return made


def codes(response) -> set[str]:
    assert response.status_code == 200
    return {row[0].code for row in response.context["rows"]}


def test_within_narrows_a_list_to_a_region(households, office_user, client_for):
    client = client_for(office_user)
    assert codes(client.get(HOUSEHOLDS, {"within": DEMO_VILLAGE[:9]})) == {"H0", "H1"}
    assert codes(client.get(HOUSEHOLDS, {"within": f"{DEMO_VILLAGE[:9]},{OTHER_VILLAGE[:9]}"})) == {
        "H0",
        "H1",
        "H2",
    }


def test_within_never_widens_the_users_scope(households, make_user, client_for):
    from bangfu.core.permissions import Role

    outsider = make_user(Role.OFFICE, OTHER_COUNTY)
    assert codes(client_for(outsider).get(HOUSEHOLDS, {"within": "41"})) == set()


@pytest.mark.parametrize("value", ["abc", "4104231010019", "41,x"])
def test_a_bad_within_empties_the_list(households, office_user, client_for, value):
    assert codes(client_for(office_user).get(HOUSEHOLDS, {"within": value})) == set()


def test_year_filters_declared_by_the_scorecard(households, office_user, client_for):
    client = client_for(office_user)
    response = client.get(HOUSEHOLDS, {"year_from": "2020", "year_to": "2020"})
    assert codes(response) == {"H1", "H2"}
    assert [label for _name, label, _v in response.context["extra_filters"]]
    assert b'data-testid="extra-filter"' in response.content
    assert b'type="hidden" name="year_from" value="2020"' in response.content
    assert codes(client.get(HOUSEHOLDS, {"year_from": "twenty"})) == set()


def test_sum_shows_the_total_of_a_numeric_field_only(households, office_user, client_for):
    Household.objects.filter(code="H0").update(latest_per_capita=5000)
    Household.objects.filter(code="H1").update(latest_per_capita=7000)
    client = client_for(office_user)
    assert client.get(HOUSEHOLDS, {"sum": "latest_per_capita"}).context["column_sum"] == 12000
    assert client.get(HOUSEHOLDS, {"sum": "head_name"}).context["column_sum"] is None
    assert client.get(HOUSEHOLDS, {"sum": "password"}).context["column_sum"] is None


def test_records_page_of_an_unknown_listing_is_not_found(office_user, client_for):
    assert client_for(office_user).get("/reports/records/nothing.here/").status_code == 404
    assert client_for(office_user).get("/reports/records/reports.fund_entry/").status_code == 200
