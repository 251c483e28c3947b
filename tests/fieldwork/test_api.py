"""The village-work API: check-in and out, visits with needs, lists in scope, refusals with codes."""

import datetime
import json

import pytest
from django.test import Client
from django.utils import timezone

from bangfu.accounts.services import token_create
from bangfu.fieldwork.models import CheckIn, Need, Visit

from .test_attendance import clock, local, stays  # noqa: F401 - the clock fixture

pytestmark = pytest.mark.django_db
BASE = "/api/v1/fieldwork"
WEEK = datetime.date(2025, 3, 3)


def api(user) -> Client:
    _token, raw = token_create(user=user, name="tests")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def post(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


def test_check_in_and_out(world, clock):  # noqa: F811
    client = api(world.cadre)
    clock(local(WEEK, 8))
    response = post(
        client, f"{BASE}/checkins", {"team_id": world.team.pk, "latitude": 33.7, "longitude": 112.9}
    )
    assert response.status_code == 201, response.content
    assert response.json()["team_id"] == world.team.pk
    clock(local(WEEK, 17))
    response = post(client, f"{BASE}/checkins/out", {})
    assert response.status_code == 200
    assert CheckIn.objects.get().checked_out_at == local(WEEK, 17)


def test_check_in_refusals_carry_their_code_and_write_nothing(world, clock, unchanged):  # noqa: F811
    client = api(world.cadre)
    clock(local(WEEK, 8))
    with unchanged():
        response = post(client, f"{BASE}/checkins", {"team_id": world.second.pk})
        assert response.status_code == 422
        assert response.json()["error"]["code"] == "not_stationed"
        response = post(
            client, f"{BASE}/checkins", {"team_id": world.team.pk, "latitude": 95, "longitude": 1}
        )
        assert response.json()["error"]["code"] == "invalid_location"
        assert post(client, f"{BASE}/checkins/out", {}).json()["error"]["code"] == "not_checked_in"
        assert post(api(world.office), f"{BASE}/checkins", {"team_id": world.team.pk}).status_code == 403


def test_visit_with_needs_and_refusals(world, households, unchanged):
    client = api(world.cadre)
    today = timezone.localdate().isoformat()
    body = {
        "household_code": "LS0001",
        "visited_on": today,
        "findings": "看望",
        "needs": [{"kind": "medical", "description": "申请慢病卡"}],
    }
    response = post(client, f"{BASE}/visits", body)
    assert response.status_code == 201, response.content
    visit = response.json()
    assert visit["needs"][0]["description"] == "申请慢病卡" and visit["household_code"] == "LS0001"
    with unchanged():
        response = post(client, f"{BASE}/visits", {**body, "household_code": "XH0001"})
        assert (response.status_code, response.json()["error"]["code"]) == (422, "out_of_scope")
        response = post(client, f"{BASE}/visits", {**body, "visited_on": "2099-01-01"})
        assert response.json()["error"]["code"] == "future_date"
        response = post(client, f"{BASE}/visits", {**body, "needs": [{"kind": "medical", "description": ""}]})
        assert response.status_code == 422
    assert Visit.objects.count() == 1 and Need.objects.count() == 1


def test_lists_are_scoped(world, households):
    from bangfu.fieldwork import services

    for household, visitor in ((households["near"], world.cadre), (households["far"], world.outsider)):
        services.visit_record(
            actor=None,
            household=household,
            visitor=visitor,
            visited_on=timezone.localdate(),
            findings="看望",
            needs=[services.NeedInput(kind="other", description="x")],
        )
    client = api(world.office)
    assert client.get(f"{BASE}/visits").json()["count"] == 1
    assert client.get(f"{BASE}/needs?open=true").json()["count"] == 1
    assert client.get(f"{BASE}/teams").json()["count"] == 2
    far_visit = Visit.objects.get(household=households["far"])
    assert client.get(f"{BASE}/visits/{far_visit.pk}").status_code == 404


def test_compliance_report(world):
    stays(world.member, (WEEK, 8, WEEK + datetime.timedelta(days=2), 17))
    rows = api(world.office).get(f"{BASE}/compliance?week_from={WEEK}&week_to={WEEK}&failing=true").json()
    mine = [row for row in rows if row["member_id"] == world.member.pk]
    assert mine[0]["days"] == 3 and mine[0]["nights"] == 2 and not mine[0]["complies"]
