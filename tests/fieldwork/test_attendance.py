"""Check-in and check-out, leave, and the weekly five-days-four-nights report."""

import csv
import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bangfu.fieldwork import rule, selectors, services
from bangfu.fieldwork.errors import ErrorCode
from bangfu.fieldwork.models import CheckIn, Leave, LeaveStatus, PublicHoliday, TeamRole

from .conftest import START

pytestmark = pytest.mark.django_db

WEEK = datetime.date(2025, 3, 3)  # a Monday


def codes(error: ValidationError) -> set[str]:
    return {e.code for errors in error.error_dict.values() for e in errors}


def local(day: datetime.date, hour: float) -> datetime.datetime:
    midnight = datetime.datetime.combine(day, datetime.time(), tzinfo=rule.ZONE)
    return midnight + datetime.timedelta(hours=hour)


@pytest.fixture
def clock(monkeypatch):
    """``clock(moment)`` sets the server's time."""

    def set_to(moment: datetime.datetime):
        monkeypatch.setattr(timezone, "now", lambda: moment)

    return set_to


def stays(member, *spans):
    """Closed stays written directly (test data): (day, hour in, day, hour out)."""
    for day_in, hour_in, day_out, hour_out in spans:
        CheckIn.objects.create(
            member=member,
            region_code=member.region_code,
            checked_in_at=local(day_in, hour_in),
            checked_out_at=local(day_out, hour_out),
        )


def day(n: int) -> datetime.date:
    return WEEK + datetime.timedelta(days=n)


# Check-in and check-out --------------------------------------------------------------------------


def test_check_in_and_out_with_location(world, clock):
    clock(local(WEEK, 8))
    record = services.check_in(
        actor=world.cadre, team=world.team, latitude=33.7391, longitude=112.9, accuracy=25.4
    )
    assert record.member == world.member
    assert (str(record.in_latitude), record.in_accuracy) == ("33.739100", 25)
    clock(local(WEEK, 18))
    closed = services.check_out(actor=world.cadre, note="入户走访")
    assert closed.checked_out_at == local(WEEK, 18)
    assert closed.in_latitude is not None and closed.out_latitude is None
    assert closed.note == "入户走访"


def test_check_in_where_not_stationed_is_refused(world, clock, unchanged):
    clock(local(WEEK, 8))
    with unchanged(), pytest.raises(ValidationError) as error:
        services.check_in(actor=world.cadre, team=world.second)
    assert codes(error.value) == {ErrorCode.NOT_STATIONED}


def test_check_in_after_leaving_the_team_is_refused(world, clock, unchanged):
    services.member_end(actor=None, member=world.member, ends_on=WEEK - datetime.timedelta(days=1))
    clock(local(WEEK, 8))
    with unchanged(), pytest.raises(ValidationError) as error:
        services.check_in(actor=world.cadre, team=world.team)
    assert codes(error.value) == {ErrorCode.NOT_STATIONED}


def test_check_in_before_the_stint_starts_is_refused(world, clock, unchanged):
    clock(local(START - datetime.timedelta(days=1), 8))
    with unchanged(), pytest.raises(ValidationError) as error:
        services.check_in(actor=world.cadre, team=world.team)
    assert codes(error.value) == {ErrorCode.NOT_STATIONED}


def test_second_check_in_and_check_out_without_check_in_are_refused(world, clock, unchanged):
    clock(local(WEEK, 8))
    with unchanged():
        with pytest.raises(ValidationError) as error:
            services.check_out(actor=world.cadre)
        assert codes(error.value) == {ErrorCode.NOT_CHECKED_IN}
    services.check_in(actor=world.cadre, team=world.team)
    with unchanged(), pytest.raises(ValidationError) as error:
        services.check_in(actor=world.cadre, team=world.team)
    assert codes(error.value) == {ErrorCode.ALREADY_CHECKED_IN}


@pytest.mark.parametrize(
    "location",
    [
        {"latitude": 91, "longitude": 112},
        {"latitude": 33, "longitude": -181},
        {"latitude": 33},
        {"latitude": 33, "longitude": 112, "accuracy": -1},
        {"accuracy": 10},
    ],
)
def test_invalid_location_is_refused(world, clock, unchanged, location):
    clock(local(WEEK, 8))
    with unchanged(), pytest.raises(ValidationError) as error:
        services.check_in(actor=world.cadre, team=world.team, **location)
    assert codes(error.value) == {ErrorCode.INVALID_LOCATION}


# Leave -------------------------------------------------------------------------------------------


def test_overlapping_leave_is_refused_and_rejected_leave_frees_the_days(world, unchanged):
    first = services.leave_request(
        actor=world.cadre, member=world.member, starts_on=day(3), ends_on=day(4), reason="就医"
    )
    with unchanged(), pytest.raises(ValidationError) as error:
        services.leave_request(
            actor=world.cadre, member=world.member, starts_on=day(4), ends_on=day(6), reason="事假"
        )
    assert codes(error.value) == {ErrorCode.LEAVE_OVERLAP}
    services.leave_decide(actor=world.leader, leave=first, approve=False, note="工作需要")
    services.leave_request(
        actor=world.cadre, member=world.member, starts_on=day(4), ends_on=day(6), reason="事假"
    )


@pytest.mark.parametrize(
    ("starts", "ends", "code"),
    [(4, 3, ErrorCode.PERIOD_REVERSED), (0, 70, ErrorCode.LEAVE_TOO_LONG)],
)
def test_leave_with_bad_dates_is_refused(world, unchanged, starts, ends, code):
    with unchanged(), pytest.raises(ValidationError) as error:
        services.leave_request(
            actor=world.cadre, member=world.member, starts_on=day(starts), ends_on=day(ends), reason="x"
        )
    assert codes(error.value) == {code}


def test_leave_is_decided_by_the_team_leader_or_the_office_once(world, unchanged):
    leave = services.leave_request(
        actor=world.cadre, member=world.member, starts_on=day(3), ends_on=day(4), reason="就医"
    )
    with unchanged():
        with pytest.raises(ValidationError) as error:
            services.leave_decide(actor=world.cadre, leave=leave, approve=True)  # not one's own
        assert codes(error.value) == {ErrorCode.NOT_AN_APPROVER}
        with pytest.raises(ValidationError) as error:
            services.leave_decide(actor=world.outsider, leave=leave, approve=True)
        assert codes(error.value) == {ErrorCode.NOT_AN_APPROVER}
    decided = services.leave_decide(actor=world.leader, leave=leave, approve=True)
    assert (decided.status, decided.decided_by) == (LeaveStatus.APPROVED, world.leader)
    with unchanged(), pytest.raises(ValidationError) as error:
        services.leave_decide(actor=world.office, leave=leave, approve=False)
    assert codes(error.value) == {ErrorCode.LEAVE_NOT_PENDING}
    own = services.leave_request(
        actor=world.leader, member=world.head, starts_on=day(3), ends_on=day(3), reason="开会"
    )
    assert services.leave_decide(actor=world.office, leave=own, approve=True).status == LeaveStatus.APPROVED


# The report --------------------------------------------------------------------------------------


def test_report_gives_failing_weeks_and_why(world):
    # week 1: Monday 08:00 to Friday 17:00 (5 days, 4 nights); week 2: Monday to Wednesday (3 days, 2 nights)
    stays(world.member, (day(0), 8, day(4), 17), (day(7), 8, day(9), 17))
    rows = selectors.compliance_report(user=world.office, first=WEEK, last=day(13))
    mine = [row for row in rows if row.member == world.member]
    assert [(r.week.start, r.week.days, r.week.nights, r.complies) for r in mine] == [
        (WEEK, 5, 4, True),
        (day(7), 3, 2, False),
    ]
    assert mine[1].reason == "在村3天2夜,要求5天4夜"
    failing = selectors.compliance_report(user=world.office, first=WEEK, last=day(13), failing_only=True)
    assert {(r.member, r.week.start) for r in failing} == {
        (world.member, day(7)),
        (world.head, WEEK),
        (world.head, day(7)),
    }


def test_approved_leave_and_holidays_reduce_the_requirement(world):
    stays(world.member, (day(0), 8, day(3), 17))  # 4 days, 3 nights
    leave = services.leave_request(
        actor=world.cadre, member=world.member, starts_on=day(4), ends_on=day(4), reason="事假"
    )
    (row,) = [
        r
        for r in selectors.compliance_report(user=world.office, first=WEEK, last=WEEK)
        if r.member == world.member
    ]
    assert not row.complies  # pending leave excuses nothing
    services.leave_decide(actor=world.office, leave=leave, approve=True)
    (row,) = [
        r
        for r in selectors.compliance_report(user=world.office, first=WEEK, last=WEEK)
        if r.member == world.member
    ]
    assert row.complies and row.reason == "在村4天3夜,要求4天3夜;请假1天"
    PublicHoliday.objects.create(date=day(5), name="测试假日")
    (row,) = [
        r
        for r in selectors.compliance_report(user=world.office, first=WEEK, last=WEEK)
        if r.member == world.member
    ]
    assert (row.week.required_days, row.week.required_nights, row.week.holiday_days) == (4, 3, 1)


def test_report_is_scoped_and_its_query_count_does_not_grow(world, make_user, region):
    stays(world.member, (day(0), 8, day(4), 17))
    far_member = services.member_add(actor=None, team=world.far, user=make_user(None), starts_on=START)
    stays(far_member, (day(0), 8, day(4), 17))
    assert far_member not in {
        r.member for r in selectors.compliance_report(user=world.office, first=WEEK, last=WEEK)
    }
    with CaptureQueriesContext(connection) as few:
        selectors.compliance_report(user=world.office, first=WEEK, last=day(20))
    for _n in range(5):
        member = services.member_add(
            actor=None, team=world.second, user=make_user(None), role=TeamRole.MEMBER, starts_on=START
        )
        stays(member, (day(0), 8, day(2), 17), (day(7), 8, day(12), 9))
        services.leave_request(actor=None, member=member, starts_on=day(15), ends_on=day(16), reason="x")
    with CaptureQueriesContext(connection) as many:
        rows = selectors.compliance_report(user=world.office, first=WEEK, last=day(20))
    assert len(rows) == 7 * 3
    assert len(many.captured_queries) == len(few.captured_queries)


# Pages -------------------------------------------------------------------------------------------


def test_phone_page_checks_in_and_out_and_stays_small(world, client_for, clock):
    client = client_for(world.cadre)
    clock(local(WEEK, 8))
    page = client.get("/fieldwork/checkin/")
    assert page.status_code == 200
    assert len(page.content) < 8_000
    assert b"/static/" not in page.content  # no stylesheet or script to download
    response = client.post(
        "/fieldwork/checkin/",
        {"action": "in", "team": world.team.pk, "latitude": "33.74", "longitude": "112.91", "accuracy": "30"},
    )
    assert response.status_code == 302
    assert CheckIn.objects.get(member=world.member).checked_out_at is None
    clock(local(WEEK, 17))
    assert "已在" in client.get("/fieldwork/checkin/").content.decode()
    response = client.post("/fieldwork/checkin/", {"action": "out"})  # no location: the browser had none
    assert response.status_code == 302
    assert CheckIn.objects.get(member=world.member).checked_out_at == local(WEEK, 17)


def test_phone_page_refuses_another_village_and_writes_nothing(world, client_for, clock, unchanged):
    client = client_for(world.cadre)
    clock(local(WEEK, 8))
    with unchanged():
        response = client.post("/fieldwork/checkin/", {"action": "in", "team": world.second.pk})
        assert response.status_code == 400
        assert "没有派驻" in response.content.decode()
        response = client.post(
            "/fieldwork/checkin/", {"action": "in", "team": world.team.pk, "latitude": "abc"}
        )
        assert response.status_code == 400


def test_leave_pages_request_and_decide(world, client_for, unchanged):
    client = client_for(world.cadre)
    today = timezone.localdate()
    data = {
        "member": world.member.pk,
        "starts_on": today.isoformat(),
        "ends_on": today.isoformat(),
        "reason": "就医",
    }
    assert client.post("/fieldwork/leave/new/", data).status_code == 302
    leave = Leave.objects.get(member=world.member)
    with unchanged():
        response = client.post("/fieldwork/leave/new/", data)
        assert response.status_code == 400
        assert "重叠" in response.content.decode()
        assert client.get(f"/fieldwork/leave/{leave.pk}/").status_code == 403  # not one's own
    response = client_for(world.leader).post(f"/fieldwork/leave/{leave.pk}/", {"decision": "approve"})
    assert response.status_code == 302
    leave.refresh_from_db()
    assert leave.status == LeaveStatus.APPROVED


def test_compliance_page_per_member_per_team_and_export(world, client_for):
    stays(world.member, (day(0), 8, day(2), 17))
    client = client_for(world.office)
    query = f"week_from={WEEK}&week_to={WEEK}"
    page = client.get(f"/fieldwork/compliance/?{query}")
    assert page.status_code == 200
    assert "在村3天2夜,要求5天4夜" in page.content.decode()
    team_page = client.get(f"/fieldwork/compliance/?{query}&per=team")
    assert "0%" in team_page.content.decode()
    export = client.get(f"/fieldwork/compliance/?{query}&export=csv")
    assert export.status_code == 200
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert rows[0][0] == "队员" and len(rows) == 3
    assert any("在村3天2夜" in row[-1] for row in rows)
    assert client.get(f"/fieldwork/compliance/?week_from={day(7)}&week_to={WEEK}").status_code == 400


def test_stay_recorded_afterwards_is_checked(world, unchanged):
    services.stay_record(
        actor=world.office, member=world.member, checked_in_at=local(WEEK, 8), checked_out_at=local(WEEK, 17)
    )
    cases = [
        (local(WEEK, 12), local(WEEK, 20), ErrorCode.STAY_OVERLAP),
        (local(day(1), 17), local(day(1), 8), ErrorCode.PERIOD_REVERSED),
        (local(day(1), 8), local(day(20), 8), ErrorCode.STAY_TOO_LONG),
        (
            local(START - datetime.timedelta(days=3), 8),
            local(START - datetime.timedelta(days=3), 17),
            ErrorCode.NOT_STATIONED,
        ),
    ]
    with unchanged():
        for start, end, code in cases:
            with pytest.raises(ValidationError) as error:
                services.stay_record(
                    actor=world.office, member=world.member, checked_in_at=start, checked_out_at=end
                )
            assert codes(error.value) == {code}
        with pytest.raises(ValidationError) as error:
            services.stay_record(
                actor=world.outsider,
                member=world.member,
                checked_in_at=local(day(2), 8),
                checked_out_at=local(day(2), 17),
            )
        assert codes(error.value) == {ErrorCode.OUT_OF_SCOPE}
