"""Dutch working days and the policy's deadlines.

Weekends and the national holidays of the ``holidays`` package do not count. "Within 1
working day" of a moment means: the same time of day on the next working day; a report made
on a Saturday is due at the end of Monday (the first working day counts in full).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import holidays


@cache
def _holidays(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("NL", years=year)


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _holidays(day.year)


def next_working_day(day: date) -> date:
    day += timedelta(days=1)
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def add_working_days(moment: datetime, days: int, tz: ZoneInfo) -> datetime:
    """``days`` working days after ``moment`` (aware), in the organisation's calendar."""
    local = moment.astimezone(tz)
    day, at = local.date(), local.time()
    if not is_working_day(day):
        # Counting starts at the beginning of the next working day.
        day, at = next_working_day(day), time(0, 0)
    for _ in range(days):
        day = next_working_day(day)
    return datetime.combine(day, at, tzinfo=tz)


def add_hours(moment: datetime, hours: int) -> datetime:
    return moment + timedelta(hours=hours)


def in_quiet_hours(moment: datetime, tz: ZoneInfo, start: time, end: time) -> bool:
    """Outside working hours: nights (``start``–``end``), weekends and national holidays."""
    local = moment.astimezone(tz)
    if not is_working_day(local.date()):
        return True
    now = local.time()
    return now >= start or now < end if start > end else start <= now < end


def next_working_moment(moment: datetime, tz: ZoneInfo, start: time, end: time) -> datetime:
    """The first moment at or after ``moment`` outside quiet hours (``end`` of a working day)."""
    local = moment.astimezone(tz)
    if not in_quiet_hours(local, tz, start, end):
        return moment
    day = local.date()
    if is_working_day(day) and local.time() < end:
        return datetime.combine(day, end, tzinfo=tz)
    return datetime.combine(next_working_day(day), end, tzinfo=tz)
