"""The five-days-four-nights rule: days, nights, weeks and excused days, on hand-made stays."""

import datetime

import pytest

from bangfu.fieldwork import rule

MONDAY = datetime.date(2025, 3, 3)


def at(day: datetime.date, hour: float) -> int:
    moment = datetime.datetime.combine(day, datetime.time(), tzinfo=rule.ZONE) + datetime.timedelta(
        hours=hour
    )
    return rule.local_seconds(moment)


def stay(day_from, hour_from, day_to, hour_to):
    return (at(day_from, hour_from), at(day_to, hour_to))


def day(n: int) -> datetime.date:
    return MONDAY + datetime.timedelta(days=n)


def evaluate(stays, *, leave=(), holidays=(), on_duty=(MONDAY, None)):
    return rule.evaluate_weeks(
        stays=stays, weeks=[MONDAY], on_duty=on_duty, leave_days=set(leave), holidays=set(holidays)
    )[0]


def test_required_scales_with_available_days():
    assert [rule.required(a) for a in range(7, -1, -1)] == [
        (5, 4),
        (4, 3),
        (4, 3),
        (3, 2),
        (2, 2),
        (1, 1),
        (1, 1),
        (0, 0),
    ]


def test_monday_to_friday_living_in_the_village_complies():
    # in Monday 08:00, out Friday 17:00: 5 days, 4 nights (Mon–Thu)
    week = evaluate([stay(day(0), 8, day(4), 17)])
    assert (week.days, week.nights, week.complies) == (5, 4, True)


def test_a_day_needs_four_hours_and_a_night_six_of_its_eight():
    exactly = evaluate([stay(day(0), 9, day(0), 13)])  # 4 h
    assert exactly.days == 1
    short = evaluate([stay(day(0), 9, day(0), 12.99)])
    assert short.days == 0
    night = evaluate([stay(day(1), 0, day(1), 6)])  # Tuesday 00:00–06:00: Monday's night, 6 h
    assert (night.nights, night.days) == (1, 1)
    late = evaluate([stay(day(0), 23.5, day(1), 6)])  # 6.5 h of Monday's night, under 4 h on either day
    assert (late.nights, late.days) == (1, 1)  # Tuesday 00:00–06:00 is 6 h of Tuesday
    brief = evaluate([stay(day(0), 22, day(1), 3.9)])  # 5.9 h
    assert brief.nights == 0


def test_sunday_night_belongs_to_its_week():
    week = evaluate([stay(day(6), 21, day(7), 7)])
    assert week.nights == 1


def test_stays_split_by_trips_add_up_and_overlaps_count_once():
    split = evaluate([stay(day(2), 8, day(2), 10), stay(day(2), 14, day(2), 16)])
    assert split.days == 1
    overlapping = evaluate([stay(day(2), 8, day(2), 11), stay(day(2), 9, day(2), 11.5)])
    assert overlapping.days == 0  # 3.5 h, not 5


def test_three_days_two_nights_fails_with_the_reason_in_numbers():
    week = evaluate([stay(day(0), 8, day(2), 17)])
    assert (week.days, week.nights, week.complies) == (3, 2, False)


@pytest.mark.parametrize(
    ("leave", "holidays", "expected"),
    [((day(4),), (), (4, 3)), ((), (day(3), day(4)), (4, 3)), ((day(4),), (day(4),), (4, 3))],
)
def test_leave_and_holidays_reduce_the_requirement(leave, holidays, expected):
    week = evaluate([stay(day(0), 8, day(3), 17)], leave=leave, holidays=holidays)
    assert (week.required_days, week.required_nights) == expected
    assert week.days == 4 and week.nights == 3
    assert week.complies
    assert week.excused_days == len(set(leave) | set(holidays))


def test_joining_mid_week_counts_the_days_before_as_off_duty():
    week = evaluate([stay(day(3), 8, day(6), 17)], on_duty=(day(3), None))
    assert week.off_duty_days == 3
    assert (week.required_days, week.required_nights) == (3, 2)
    assert (week.days, week.nights, week.complies) == (4, 3, True)
