"""The assistance API: projects with balances, the fund ledger (record, refuse, override, reverse),
beneficiaries, outcomes, activities, figures — scoped, with error codes, nothing written on refusal."""

import json

import pytest
from django.test import Client

from bangfu.accounts.services import token_create
from bangfu.assistance.models import Activity, FundEntry
from tests.conftest import DEMO_COUNTY, DEMO_VILLAGE

pytestmark = pytest.mark.django_db
BASE = "/api/v1/assistance"


def api(user) -> Client:
    _token, raw = token_create(user=user, name="tests")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def post(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


def test_projects_and_ledger_in_scope(world):
    client = api(world.office)
    listed = client.get(f"{BASE}/projects").json()
    assert listed["count"] == 1
    row = listed["results"][0]
    assert (row["name"], row["invested"], row["coordinated"], row["spent"]) == (
        "肉牛养殖基地",
        "1000000.00",
        "200000.00",
        "300000.00",
    )
    ledger = client.get(f"{BASE}/projects/{world.project.pk}/funds").json()
    assert [e["seq"] for e in ledger] == [1, 2, 3] and len(ledger[0]["entry_hash"]) == 64
    outsider = api(world.outsider)
    assert outsider.get(f"{BASE}/projects").json()["count"] == 0
    assert outsider.get(f"{BASE}/projects/{world.project.pk}").status_code == 404
    assert outsider.get(f"{BASE}/projects/{world.project.pk}/funds").status_code == 404


def test_recording_refusing_overriding_and_reversing(world, unchanged):
    client = api(world.office)
    url = f"{BASE}/projects/{world.project.pk}/funds"
    spend = {"kind": "spent", "amount": "950000", "date": "2019-06-01", "voucher_number": "PZ-9"}
    with unchanged():
        refused = post(client, url, spend)
        no_voucher = post(client, url, {**spend, "voucher_number": ""})
        outside = post(client, url, {**spend, "amount": "10", "date": "2018-01-01"})
    assert (refused.status_code, refused.json()["error"]["code"]) == (422, "insufficient_funds")
    assert no_voucher.json()["error"]["code"] == "voucher_required"
    assert outside.json()["error"]["code"] == "date_outside_project"
    assert "amount" in refused.json()["error"]["fields"]
    done = post(client, url, {**spend, "override_reason": "配套资金下月到位"})
    assert done.status_code == 201, done.content
    assert done.json()["override_reason"] == "配套资金下月到位"
    reversed_ = post(client, f"{BASE}/funds/{done.json()['id']}/reverse", {"note": "录错"})
    assert reversed_.status_code == 201 and reversed_.json()["amount"] == "-950000.00"
    assert FundEntry.objects.count() == 5
    with unchanged():
        assert post(api(world.outsider), url, spend).status_code == 404


def test_beneficiaries_outcomes_activities_and_figures(world, households, unchanged):
    client = api(world.office)
    base = f"{BASE}/projects/{world.project.pk}"
    added = post(client, f"{base}/beneficiaries", {"household_code": "LS0001"})
    assert added.status_code == 201 and added.json()["household_code"] == "LS0001"
    counted = post(
        client, f"{base}/beneficiaries", {"households": 2, "persons": 5, "unregistered_reason": "外村"}
    )
    assert counted.status_code == 201
    with unchanged():
        outside = post(client, f"{base}/beneficiaries", {"household_code": "LS0101"})
    assert outside.json()["error"]["code"] == "outside_project_regions"
    assert len(client.get(f"{base}/beneficiaries").json()) == 2
    outcome = post(client, f"{base}/outcomes", {"kind": "people_home", "value": "93", "as_of": "2021-12-31"})
    assert outcome.status_code == 201
    activity = post(
        client,
        f"{BASE}/activities",
        {
            "kind": "clinic",
            "title": "义诊",
            "date": "2021-06-01",
            "region_code": DEMO_VILLAGE,
            "person_times": 150,
            "distinct_people": 140,
            "value_given": "14000",
        },
    )
    assert activity.status_code == 201, activity.content
    with unchanged():
        bad = post(
            client,
            f"{BASE}/activities",
            {
                "kind": "clinic",
                "title": "义诊",
                "date": "2021-06-01",
                "region_code": DEMO_VILLAGE,
                "person_times": 5,
                "distinct_people": 6,
            },
        )
    assert bad.json()["error"]["code"] == "invalid_people"
    assert client.get(f"{BASE}/activities").json()["count"] == Activity.objects.count() == 1
    figures = client.get(f"{BASE}/figures", {"region": DEMO_COUNTY}).json()
    assert figures["funds"]["invested"] == "1000000.00"
    assert figures["beneficiaries"] == {"households": 3, "persons": 6, "registered": 1}
    assert figures["outcomes"] == {"people_home": "93.00"}
    assert "吸引93人返乡" in figures["sentence"]
    assert api(world.outsider).get(f"{BASE}/figures").json()["projects"] == 0
