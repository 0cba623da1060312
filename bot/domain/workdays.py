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


def previous_working_day(day: date) -> date:
    day -= timedelta(days=1)
    while not is_working_day(day):
        day -= timedelta(days=1)
    return day


def working_day_from(day: date) -> date:
    """``day`` itself when it is a working day, else the next one (a date the bot plans)."""
    return day if is_working_day(day) else next_working_day(day)


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


def in_working_hours(
    moment: datetime, tz: ZoneInfo, start: time, end: time, end_included: bool = False
) -> bool:
    """On a working day, from ``start`` until ``end`` (a deadline at ``end`` itself, with
    ``end_included``, still ends on working time)."""
    local = moment.astimezone(tz)
    if not is_working_day(local.date()):
        return False
    now = local.time()
    return start <= now <= end if end_included else start <= now < end


def next_working_time(moment: datetime, tz: ZoneInfo, start: time, end: time) -> datetime:
    """The first moment at or after ``moment`` in working hours."""
    return next_working_moment(moment, tz, end, start)


def reminder_time(
    due: datetime, before: timedelta, now: datetime, tz: ZoneInfo, start: time, end: time
) -> datetime:
    """When to remind of a deadline: ``before`` ahead of it, on working time, never after it.

    Outside working hours the reminder moves to the next working time when that is still
    before the deadline, and otherwise *earlier*: into the last working hours before the
    deadline (``before`` ahead of their end, or at their start when they are shorter). Never
    before ``now``: when those hours are already past, it goes now.
    """
    at = due - before
    if not in_working_hours(at, tz, start, end):
        later = next_working_time(at, tz, start, end)
        if later < due:
            at = later
        else:
            local = at.astimezone(tz)
            day = local.date()
            if not (is_working_day(day) and local.time() >= end):
                day = previous_working_day(day)
            block_start = datetime.combine(day, start, tzinfo=tz)
            at = max(block_start, datetime.combine(day, end, tzinfo=tz) - before)
    return max(now, at)
