"""The pages: a case walked through a step on the page, the notice without private data, the board."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from bangfu.monitoring import models, services
from bangfu.registry import services as registry

from .conftest import YEAR, walk

pytestmark = pytest.mark.django_db


def _case(world, days_ago=10):
    start = timezone.localdate() - datetime.timedelta(days=days_ago)
    return services.case_open(
        actor=world.cadre,
        household=world.poor,
        category="sudden",
        source="application",
        risk_kind="illness",
        summary="户主患尿毒症,透析费用高",
        opened_on=start,
    ), start


def test_step_recorded_on_the_page_and_refused_for_the_wrong_person(world, client_for, unchanged):
    case, start = _case(world)
    page = client_for(world.cadre).get(case.get_absolute_url())
    assert page.status_code == 200 and b'data-testid="step-form"' in page.content
    with unchanged():
        refused = client_for(world.cadre).post(
            case.get_absolute_url(),
            {"action": "step", "step": "verification", "decision": "approved", "acted_on": start.isoformat()},
        )
    assert refused.status_code == 400
    assert "授权承诺书" in refused.content.decode()
    done = client_for(world.cadre).post(
        case.get_absolute_url(),
        {
            "action": "step",
            "step": "verification",
            "decision": "approved",
            "acted_on": start.isoformat(),
            "authorisation_signed": "on",
        },
    )
    assert done.status_code == 302
    case.refresh_from_db()
    assert case.next_step == "democratic_review"
    walk_rest = [models.Step.DEMOCRATIC_REVIEW, models.Step.PUBLIC_NOTICE]
    for step in walk_rest:
        extra = {}
        if step == models.Step.PUBLIC_NOTICE:
            extra = {
                "notice_starts_on": start + datetime.timedelta(days=1),
                "notice_ends_on": start + datetime.timedelta(days=6),
            }
        services.case_step_record(
            actor=world.cadre, case=case, step=step, acted_on=start + datetime.timedelta(days=1), **extra
        )
    # the cadre sees no form for the township check, and a post is refused
    page = client_for(world.cadre).get(case.get_absolute_url())
    assert b'data-testid="step-form"' not in page.content
    with unchanged():
        assert (
            client_for(world.cadre)
            .post(case.get_absolute_url(), {"action": "step", "step": "township_check"})
            .status_code
            == 403
        )


def test_notice_never_shows_private_data(world, client_for):
    household = world.poor
    registry.household_update(actor=None, household=household, data={"phone": "13912345678"})
    head = household.head
    case, start = _case(world)
    walk(case, world, upto=models.Step.PUBLIC_NOTICE, start=start)
    response = client_for(world.cadre).get(f"/monitoring/cases/{case.pk}/notice/")
    html = response.content.decode()
    assert response.status_code == 200
    assert head.name in html and "突发严重困难户" in html
    for private in ("13912345678", head.id_number, head.id_number_masked, "尿毒症", "透析", "因病"):
        assert private not in html


def test_no_notice_before_the_notice_step(world, client_for):
    case, _start = _case(world)
    assert client_for(world.cadre).get(f"/monitoring/cases/{case.pk}/notice/").status_code == 404


def test_close_without_evidence_on_the_page(world, client_for, unchanged):
    case, start = _case(world, days_ago=20)
    walk(case, world, upto=models.Step.COUNTY_DECISION, start=start)
    with unchanged():
        response = client_for(world.cadre).post(
            case.get_absolute_url(),
            {"action": "close", "evidence": "", "started_on": timezone.localdate().isoformat()},
        )
    assert response.status_code == 400 and "风险消除须写明依据" in response.content.decode()


def test_board_quality_and_lists(world, client_for):
    services.rules_run(year=YEAR)
    _case(world, days_ago=20)
    client = client_for(world.office)
    board = client.get("/monitoring/")
    assert board.status_code == 200
    assert board.context["flag_total"] == 1  # raised before the case was opened, still to be decided
    assert board.context["overdue_total"] == 1
    assert client.get("/monitoring/flags/").status_code == 200
    assert client.get("/monitoring/cases/?overdue=true").status_code == 200
    assert client.get("/monitoring/events/").status_code == 200
    assert client.get("/monitoring/thresholds/").status_code == 200
    quality = client.get(f"/monitoring/quality/?year={YEAR}")
    assert quality.status_code == 200


def test_board_counts_open_flags_by_age(world, client_for):
    services.rules_run(year=YEAR)
    models.Flag.objects.update(raised_at=timezone.now() - datetime.timedelta(days=20))
    rows = client_for(world.office).get("/monitoring/").context["flags"]
    assert [(row.kind, row.total, row.ages) for row in rows] == [("income_below_line", 1, [0, 0, 1, 0])]


def test_quality_checks_find_the_examples(world):
    from bangfu.monitoring import selectors
    from bangfu.registry.models import Person

    # a lifted household with no income for the year
    registry.household_update(actor=None, household=world.poor, data={"status": "lifted"})
    registry.income_record_save(actor=None, household=world.poor, year=YEAR - 3, members=1, wage_income=1)
    assert selectors.check_households("lifted_no_income", year=YEAR - 2).filter(pk=world.poor.pk).exists()
    assert not selectors.check_households("lifted_no_income", year=YEAR).filter(pk=world.poor.pk).exists()
    # a risk of unstable employment where no one can work
    Person.objects.filter(household=world.fine).update(labor_capacity="lost")
    services.risk_event_record(
        actor=None,
        household=world.fine,
        kind="unemployment",
        occurred_on=timezone.localdate(),
        source="self_report",
    )
    assert list(selectors.check_households("unemployment_no_labour", year=YEAR)) == [world.fine]
    # the income record counts 2 persons, the household has 1
    assert set(selectors.check_households("members_mismatch", year=YEAR)) == {world.poor, world.fine}
    Person.objects.filter(household=world.fine).update(health="disabled")
    assert list(selectors.check_households("disability_mismatch", year=YEAR)) == [world.fine]


def test_running_the_rules_queues_a_job_within_scope(world, client_for):
    from bangfu.core.models import Job

    response = client_for(world.office).post("/monitoring/flags/run/", {"year": YEAR, "region": ""})
    job = Job.objects.get(kind="monitoring_rules")
    assert response.status_code == 302 and response["Location"] == reverse("core:job-detail", args=[job.pk])
    assert job.params["prefix"] == "410423" and job.params["year"] == YEAR
    refused = client_for(world.office).post("/monitoring/flags/run/", {"year": YEAR, "region": "410402"})
    assert refused.status_code == 302 and Job.objects.count() == 1
