"""The five-days-four-nights rule (五天四夜), defined once.

Every stationed member must be in the village at least 5 days and 4 nights a week.
bangfu counts from check-in/check-out stays, in Beijing time (Asia/Shanghai, UTC+8 all
year round, no daylight saving):

- a **day in the village** is a calendar day (00:00–24:00) on which the member's stays
  add up to at least ``DAY_MIN_HOURS`` (4) hours: half of an 8-hour working day, so a
  morning's trip to the township or county for a meeting still leaves a day in the
  village, while calling in for an hour does not;
- a **night in the village** is the span 22:00 to 06:00 the next morning, counted for the
  date on which it starts (the night of Sunday belongs to Sunday, so to that week),
  covered by stays for at least ``NIGHT_MIN_HOURS`` (6) of its 8 hours: arriving by
  midnight or leaving after 04:00 still counts, going home for the night does not;
- a **week** runs Monday to Sunday;
- an **excused day** is a day of the week the member is not on duty: approved leave, a
  statutory public holiday (``PublicHoliday``), or a day outside the member's stint on
  the team (joining or leaving mid-week). Each excused day reduces the requirement in
  proportion: with ``a`` of 7 days available, the week needs round(5 × a / 7) days and
  round(4 × a / 7) nights, halves rounded up:

  ====================  ===  ===  ===  ===  ===  ===  ===  ===
  days available           7    6    5    4    3    2    1    0
  days required            5    4    4    3    2    1    1    0
  nights required          4    3    3    2    2    1    1    0
  ====================  ===  ===  ===  ===  ===  ===  ===  ===

- a week **complies** when both the days and the nights reach what it requires. Days
  and nights are counted on every day of the week, excused or not (a member who comes
  back early from leave is not penalised).

A stay not yet checked out counts nothing until it is: the check-out time is what makes
it a stay. Overlapping stays (from imports) are merged first, so no hour counts twice.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

DAYS_REQUIRED = 5
NIGHTS_REQUIRED = 4
DAY_MIN_HOURS = 4
NIGHT_MIN_HOURS = 6
NIGHT_STARTS_HOUR = 22
NIGHT_ENDS_HOUR = 6  # on the next day

ZONE = ZoneInfo("Asia/Shanghai")
OFFSET = 8 * 3600  # Asia/Shanghai has been UTC+8 without daylight saving since 1992
DAY = 86400
DAY_MIN = DAY_MIN_HOURS * 3600
NIGHT_FROM = NIGHT_STARTS_HOUR * 3600
NIGHT_TO = (24 + NIGHT_ENDS_HOUR) * 3600
NIGHT_MIN = NIGHT_MIN_HOURS * 3600
EPOCH = datetime.date(1970, 1, 1)


def required(available: int) -> tuple[int, int]:
    """(days, nights) a week with ``available`` days on duty requires."""

    def share(total: int) -> int:
        return int((Decimal(total * available) / 7).quantize(Decimal(1), rounding=ROUND_HALF_UP))

    return share(DAYS_REQUIRED), share(NIGHTS_REQUIRED)


def week_start(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def local_seconds(moment: datetime.datetime) -> int:
    """Seconds since 1970-01-01 00:00 Beijing time."""
    return int(moment.timestamp()) + OFFSET


def day_number(day: datetime.date) -> int:
    return (day - EPOCH).days


def merged(stays: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted, non-overlapping stays from any list of (start, end) seconds."""
    result: list[list[int]] = []
    for start, end in sorted(stays):
        if end <= start:
            continue
        if result and start <= result[-1][1]:
            result[-1][1] = max(result[-1][1], end)
        else:
            result.append([start, end])
    return [(start, end) for start, end in result]


def presence(stays: Iterable[tuple[int, int]]) -> tuple[set[int], set[int]]:
    """(days, nights) in the village, as day numbers, from stays in local seconds."""
    day_seconds: dict[int, int] = defaultdict(int)
    night_seconds: dict[int, int] = defaultdict(int)
    for start, end in merged(stays):
        number = start // DAY
        while number * DAY < end:
            day_seconds[number] += min(end, (number + 1) * DAY) - max(start, number * DAY)
            number += 1
        # the night starting on day n covers [n·DAY + 22h, n·DAY + 30h)
        number = (start - NIGHT_TO) // DAY + 1
        while number * DAY + NIGHT_FROM < end:
            overlap = min(end, number * DAY + NIGHT_TO) - max(start, number * DAY + NIGHT_FROM)
            if overlap > 0:
                night_seconds[number] += overlap
            number += 1
    days = {n for n, seconds in day_seconds.items() if seconds >= DAY_MIN}
    nights = {n for n, seconds in night_seconds.items() if seconds >= NIGHT_MIN}
    return days, nights


@dataclass
class Week:
    """One member's week under the rule."""

    start: datetime.date
    days: int = 0
    nights: int = 0
    leave_days: int = 0
    holiday_days: int = 0
    off_duty_days: int = 0
    required_days: int = DAYS_REQUIRED
    required_nights: int = NIGHTS_REQUIRED
    day_list: list[datetime.date] = field(default_factory=list)

    @property
    def end(self) -> datetime.date:
        return self.start + datetime.timedelta(days=6)

    @property
    def excused_days(self) -> int:
        return self.leave_days + self.holiday_days + self.off_duty_days

    @property
    def complies(self) -> bool:
        return self.days >= self.required_days and self.nights >= self.required_nights


def evaluate_weeks(
    *,
    stays: Iterable[tuple[int, int]],
    weeks: Iterable[datetime.date],
    on_duty: tuple[datetime.date, datetime.date | None],
    leave_days: set[datetime.date],
    holidays: set[datetime.date],
) -> list[Week]:
    """Each week (given by its Monday) of one member: presence against what the week requires.

    A day that is both leave and a holiday, or off duty, is excused once: off duty first,
    then holiday, then leave.
    """
    days, nights = presence(stays)
    first, last = on_duty
    result = []
    for monday in weeks:
        week = Week(start=monday)
        for offset in range(7):
            day = monday + datetime.timedelta(days=offset)
            number = day_number(day)
            if number in days:
                week.days += 1
                week.day_list.append(day)
            if number in nights:
                week.nights += 1
            if day < first or (last is not None and day > last):
                week.off_duty_days += 1
            elif day in holidays:
                week.holiday_days += 1
            elif day in leave_days:
                week.leave_days += 1
        week.required_days, week.required_nights = required(7 - week.excused_days)
        result.append(week)
    return result
