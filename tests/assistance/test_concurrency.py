"""Spends racing for the last of a project's money, dividend runs racing for one year, and a burst
of public feedback from one sender, with real processes against PostgreSQL."""

import datetime
import multiprocessing
import threading
import time
from decimal import Decimal

import pytest
from django.db import connection, connections

from bangfu.accounts.models import User
from bangfu.assistance import services
from bangfu.assistance.errors import AssistanceError
from bangfu.assistance.models import FundEntry, FundKind, Project
from bangfu.assistance.selectors import project_balance
from bangfu.audit.ledger import verify

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

PROCESSES = 4
THREADS = 3


def _spend(attempt):
    user_id, project_id, amount, voucher = attempt
    try:
        services.fund_entry_record(
            actor=User.objects.get(pk=user_id),
            project=Project.objects.get(pk=project_id),
            kind=FundKind.SPENT,
            amount=amount,
            date=datetime.date(2019, 6, 1),
            voucher_number=voucher,
        )
    except AssistanceError as error:
        return ("refused", str(error.error_code))
    return ("spent", voucher)


def _reverse(attempt):
    user_id, entry_id = attempt
    try:
        services.fund_entry_reverse(
            actor=User.objects.get(pk=user_id), entry=FundEntry.objects.get(pk=entry_id)
        )
    except AssistanceError as error:
        return ("refused", str(error.error_code))
    return ("reversed", entry_id)


def _worker(job):
    kind, attempts, start_at = job
    function = {"spend": _spend, "reverse": _reverse, "dividend": _dividend, "feedback": _feedback}[kind]
    outcomes = [None] * len(attempts)

    def run(indices):
        while time.time() < start_at:
            time.sleep(0.001)
        try:
            for index in indices:
                outcomes[index] = function(attempts[index])
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(range(t, len(attempts), THREADS),)) for t in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def race(kind, attempts):
    connections.close_all()
    chunks = [attempts[p::PROCESSES] for p in range(PROCESSES)]
    start_at = time.time() + 1.5
    with multiprocessing.get_context("fork").Pool(PROCESSES) as pool:
        results = pool.map(_worker, [(kind, chunk, start_at) for chunk in chunks])
    outcomes = []
    for chunk in results:
        outcomes.extend(chunk)
    assert None not in outcomes
    return outcomes


def test_two_spends_for_the_last_of_the_balance_exactly_one_wins(world):
    # 900,000 left: two spends of 600,000 each
    outcomes = race(
        "spend",
        [
            (world.office.pk, world.project.pk, "600000", "PZ-A"),
            (world.office.pk, world.project.pk, "600000", "PZ-B"),
        ],
    )
    assert sorted(o[0] for o in outcomes) == ["refused", "spent"]
    assert [o[1] for o in outcomes if o[0] == "refused"] == ["insufficient_funds"]
    assert project_balance(world.project)["available"] == Decimal("300000.00")
    assert [p for p in verify() if not isinstance(p, int)] == []


def test_many_spends_never_take_the_balance_below_zero(world):
    # 900,000 left, 24 spends of 100,000: nine succeed
    attempts = [(world.office.pk, world.project.pk, "100000", f"PZ-{i:03d}") for i in range(24)]
    outcomes = race("spend", attempts)
    assert sum(1 for o in outcomes if o[0] == "spent") == 9
    assert {o[1] for o in outcomes if o[0] == "refused"} == {"insufficient_funds"}
    assert project_balance(world.project)["available"] == Decimal("0.00")
    seqs = list(FundEntry.objects.filter(project=world.project).order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, 13))
    assert [p for p in verify() if not isinstance(p, int)] == []


def test_racing_reversals_of_one_entry_write_one(world):
    spent = FundEntry.objects.get(kind=FundKind.SPENT)
    outcomes = race("reverse", [(world.office.pk, spent.pk)] * 8)
    assert sorted(o[0] for o in outcomes) == ["refused"] * 7 + ["reversed"]
    assert FundEntry.objects.filter(reverses=spent).count() == 1
    assert [p for p in verify() if not isinstance(p, int)] == []


def _dividend(attempt):
    user_id, project_id, year = attempt
    try:
        payouts = services.dividend_run(
            actor=User.objects.get(pk=user_id),
            project=Project.objects.get(pk=project_id),
            year=year,
            amount_per_share="700",
            paid_on=datetime.date(year, 12, 20),
        )
    except AssistanceError as error:
        return ("refused", str(error.error_code))
    return ("paid", len(payouts))


def _feedback(attempt):
    project_id, address, number = attempt
    try:
        services.feedback_submit(
            project=Project.objects.get(pk=project_id), message=f"意见{number}", address=address
        )
    except AssistanceError as error:
        return ("refused", str(error.error_code))
    return ("stored", number)


def test_racing_dividend_runs_of_one_year_pay_once(world, households):
    for household in (households["near"], households["near2"]):
        services.shareholding_add(
            actor=world.office, project=world.project, household=household, shares=1, since_year=2019
        )
    outcomes = race("dividend", [(world.office.pk, world.project.pk, 2020)] * 8)
    assert sorted(outcomes) == [("paid", 2)] + [("refused", "dividend_already_paid")] * 7
    from bangfu.assistance.models import DividendPayout

    assert DividendPayout.objects.filter(year=2020).count() == 2


def test_a_burst_of_feedback_from_one_sender_keeps_to_the_limit(world):
    from django.utils import timezone

    from bangfu.assistance.models import Feedback

    today = timezone.localdate()
    services.project_disclose(
        actor=world.office, project=world.project, disclosed_from=today, disclosed_until=None
    )
    outcomes = race("feedback", [(world.project.pk, "203.0.113.5", n) for n in range(12)])
    assert sum(1 for o in outcomes if o[0] == "stored") == services.FEEDBACK_LIMIT
    assert {o[1] for o in outcomes if o[0] == "refused"} == {"feedback_too_many"}
    assert Feedback.objects.count() == services.FEEDBACK_LIMIT
