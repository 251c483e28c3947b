"""Risk events through the API and the import engine: scoped, refusals with codes, nothing written."""

import datetime
import json

import pytest
from django.test import Client
from django.utils import timezone

from bangfu.accounts.services import token_create
from bangfu.imports import engine
from bangfu.imports.models import Mode, RunStatus
from bangfu.monitoring import services
from bangfu.monitoring.models import RiskEvent

from .conftest import walk

pytestmark = pytest.mark.django_db
BASE = "/api/v1/monitoring"


def api(user) -> Client:
    _token, raw = token_create(user=user, name="tests")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def post(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


def test_create_and_list_risk_events(world):
    client = api(world.cadre)
    day = timezone.localdate().isoformat()
    response = post(
        client,
        f"{BASE}/risk-events",
        {
            "household_code": "H-POOR",
            "kind": "illness",
            "occurred_on": day,
            "amount": "300000",
            "source": "self_report",
        },
    )
    assert response.status_code == 201, response.content
    assert response.json()["amount"] == "300000.00"
    listed = client.get(f"{BASE}/risk-events").json()
    assert listed["count"] == 1 and listed["results"][0]["household_code"] == "H-POOR"
    assert api(world.outsider).get(f"{BASE}/risk-events").json()["count"] == 0


def test_negative_amount_and_out_of_scope_are_refused(world, unchanged):
    day = timezone.localdate().isoformat()
    body = {
        "household_code": "H-POOR",
        "kind": "illness",
        "occurred_on": day,
        "amount": "-5",
        "source": "self_report",
    }
    with unchanged():
        response = post(api(world.cadre), f"{BASE}/risk-events", body)
        assert response.status_code == 422
        assert response.json()["error"]["code"] == "negative_amount"
        response = post(api(world.outsider), f"{BASE}/risk-events", {**body, "amount": "5"})
        assert response.status_code == 422
        assert response.json()["error"]["code"] == "out_of_scope"


def test_case_step_through_the_api(world, unchanged):
    start = timezone.localdate() - datetime.timedelta(days=10)
    case = services.case_open(
        actor=world.cadre,
        household=world.poor,
        category="marginal",
        source="survey",
        risk_kind="illness",
        summary="x",
        opened_on=start,
    )
    walk(case, world, upto="public_notice", start=start)
    with unchanged():
        refused = post(api(world.cadre), f"{BASE}/cases/{case.pk}/steps", {"step": "township_check"})
        assert refused.status_code == 422 and refused.json()["error"]["code"] == "not_allowed"
    done = post(api(world.township), f"{BASE}/cases/{case.pk}/steps", {"step": "township_check"})
    assert done.status_code == 201, done.content
    assert done.json()["next_step"] == "county_decision"
    assert [s["step"] for s in done.json()["steps"]][-1] == "township_check"
    assert api(world.outsider).get(f"{BASE}/cases/{case.pk}").status_code == 404


HEADER = "户编号,风险类型,发生日期,金额(元),来源,数据来源部门,情况说明\n"


def run(user, tmp_path, text):
    source = tmp_path / "events.csv"
    source.write_text(HEADER + text, encoding="utf-8")
    created = engine.import_create(
        user=user,
        kind="risk_events",
        source=source,
        original_name="events.csv",
        mode=Mode.ALL_OR_NOTHING,
        dry_run=False,
    )
    return engine.import_execute(created)


def test_import_risk_events_and_reimport_adds_nothing(world, tmp_path):
    text = f"H-POOR,因病,{timezone.localdate().year - 1}-05-01,38000,,县医疗保障局,住院自付\n"
    done = run(world.office, tmp_path, text)
    assert done.status == RunStatus.IMPORTED, done.message
    event = RiskEvent.objects.get()
    assert (event.kind, event.source, event.department) == ("illness", "department", "县医疗保障局")
    again = run(world.office, tmp_path, text)
    assert (again.created_count, again.unchanged_count) == (0, 1)


def test_import_bad_rows_reported_nothing_written(world, tmp_path, unchanged):
    future = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    text = (
        "H-POOR,因病,2025-01-01,-100,,县医保局,\n"  # negative
        "H-POOR,因病,2025-01-02,100,,,\n"  # department data without the department
        f"H-POOR,因病,{future},100,,县医保局,\n"
        "NOPE,因病,2025-01-03,100,,县医保局,\n"
        "H-POOR,因灾,2025-01-04,100,,县应急局,\n"  # good
    )
    with unchanged():
        rejected = run(world.office, tmp_path, text)
    assert rejected.status == RunStatus.REJECTED and rejected.error_rows == 4
    assert {issue.column for issue in rejected.issues.all()} >= {
        "金额(元)",
        "数据来源部门",
        "发生日期",
        "户编号",
    }
