"""Periodic reviews: the periods, and the team's weekly review (seeds/002, sections 5 and 10).
Pure: data in, text out. The committee's quarterly analysis and the board's half-yearly
summary are short versions of the figures engine (:func:`bot.figures.chat_text`), so their
numbers are those of ``vimbot report``.

They never carry names, reporters or the text of a report: counts, references, categories,
deadlines, improvement actions and the lessons a leader marked as shareable.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.config import Config
from bot.i18n import Translator
from storage.models import ImprovementAction, Report

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True, slots=True)
class Period:
    kind: str  # weekly, quarterly, half, yearly
    key: str  # 2026-W47, 2026-Q3, 2026-H1, 2026
    start: date  # first day reviewed
    end: date  # day after the last day reviewed
    scheduled: datetime  # when it is due to go out


def _at(day: date, hhmm: str, tz: ZoneInfo) -> datetime:
    hour, minute = map(int, hhmm.split(":"))
    return datetime.combine(day, time(hour, minute), tzinfo=tz)


def last_weekly(now: datetime, config: Config) -> Period:
    """The latest weekly review due at or before ``now`` (it reviews the week before)."""
    tz = config.organisation.tz
    local = now.astimezone(tz)
    weekday = WEEKDAYS.index(config.digests.weekly_day)
    day = local.date() - timedelta(days=(local.weekday() - weekday) % 7)
    scheduled = _at(day, config.digests.weekly_time, tz)
    if scheduled > local:
        scheduled -= timedelta(days=7)
    reviewed_monday = scheduled.date() - timedelta(days=scheduled.date().weekday() + 7)
    year, week, _ = reviewed_monday.isocalendar()
    return Period(
        "weekly",
        f"{year}-W{week:02d}",
        reviewed_monday,
        reviewed_monday + timedelta(days=7),
        scheduled,
    )


def _period_of_months(now: datetime, config: Config, months: int, kind: str) -> Period:
    tz = config.organisation.tz
    local = now.astimezone(tz)
    first_month = ((local.month - 1) // months) * months + 1
    start_current = date(local.year, first_month, 1)
    scheduled = _at(start_current, config.digests.weekly_time, tz)
    if scheduled > local:
        start_current = _shift_months(start_current, -months)
        scheduled = _at(start_current, config.digests.weekly_time, tz)
    start = _shift_months(start_current, -months)
    index = (start.month - 1) // months + 1
    key = str(start.year) if months == 12 else f"{start.year}-{'Q' if months == 3 else 'H'}{index}"
    return Period(kind, key, start, start_current, scheduled)


def last_quarterly(now: datetime, config: Config) -> Period:
    return _period_of_months(now, config, 3, "quarterly")


def last_half_year(now: datetime, config: Config) -> Period:
    return _period_of_months(now, config, 6, "half")


def last_yearly(now: datetime, config: Config) -> Period:
    """The latest full calendar year at ``now`` (due on its first day after, like the others)."""
    return _period_of_months(now, config, 12, "yearly")


def previous(period: Period, config: Config) -> Period:
    """The period before (for trends)."""
    moment = period.scheduled - timedelta(days=1)
    return {
        "weekly": last_weekly,
        "quarterly": last_quarterly,
        "half": last_half_year,
        "yearly": last_yearly,
    }[period.kind](moment, config)


_KEYS = {
    "yearly": (re.compile(r"^(\d{4})$"), 12),
    "half": (re.compile(r"^(\d{4})-H([12])$"), 6),
    "quarterly": (re.compile(r"^(\d{4})-Q([1-4])$"), 3),
}


def period_of(kind: str, key: str, config: Config) -> Period:
    """The period named ``key`` (``2024``, ``2026-H1``, ``2026-Q3``); ValueError when the key
    is no such period."""
    pattern, months = _KEYS[kind]
    match = pattern.match(key.strip().upper())
    if match is None:
        raise ValueError(key)
    year = int(match.group(1))
    index = int(match.group(2)) if months < 12 else 1
    start = date(year, (index - 1) * months + 1, 1)
    end = _shift_months(start, months)
    scheduled = _at(end, config.digests.weekly_time, config.organisation.tz)
    return Period(kind, match.group(0), start, end, scheduled)


def _shift_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _counts(t: Translator, prefix: str, counter: Counter[str]) -> list[str]:
    return [f"  • {t(f'{prefix}.{key}')}: {n}" for key, n in counter.most_common()]


def weekly_review(
    t: Translator,
    team_name: str,
    period: Period,
    new: Sequence[Report],
    open_reports: Sequence[Report],
    overdue: dict[str, list[str]],
    actions: Sequence[ImprovementAction],
    lessons: Sequence[str],
    today: date,
    terms: Mapping[str, str],
    conclusions: tuple[str, str] | None = None,
) -> str:
    """The team's weekly review: no names, no reporters, no report texts. ``terms``: the
    organisation's worded terms (a deadline's name can state one); ``conclusions``: (week
    number, text) the team concluded from the review before, shown at the top."""
    lines = [
        t(
            "digest.weekly_title",
            team=team_name,
            week=period.key.split("-W")[1],
            start=t.day(period.start),
            end=t.day(period.end - timedelta(days=1)),
        )
    ]
    if conclusions is not None:
        lines.append(t("digest.conclusions", week=conclusions[0]))
        lines += [f"  • {line.strip()}" for line in conclusions[1].splitlines() if line.strip()]
    lines.append(t("digest.new_reports", count=len(new)))
    lines += _counts(t, "category", Counter(c for r in new for c in r.categories))
    lines.append(
        t(
            "digest.open_reports",
            count=len(open_reports),
            overdue=sum(1 for r in open_reports if r.reference in overdue),
        )
    )
    for reference, kinds in sorted(overdue.items()):
        lines.append(f"  • {reference}: " + ", ".join(t(f"deadline.{k}", **terms) for k in kinds))
    lines.append(t("digest.open_actions", count=len(actions)))
    for action in actions:
        late = t("case.overdue") if action.deadline < today else ""
        lines.append(f"  • {action.description} — {t.day(action.deadline)}{late}")
    if lessons:
        lines.append(t("digest.lessons"))
        lines += [f"  • {lesson}" for lesson in lessons]
    return "\n".join(lines)
