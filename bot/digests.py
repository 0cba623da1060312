"""Periodic reviews: the team's weekly review, the committee's quarterly analysis and the
board's half-yearly summary (seeds/002, sections 5 and 10). Pure: data in, text out.

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

from bot.config import Config, Policy
from bot.domain.lifecycle import Status
from bot.domain.workdays import add_working_days
from bot.i18n import Translator
from bot.terms import worded_terms
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
) -> str:
    """The team's weekly review: no names, no reporters, no report texts. ``terms``: the
    organisation's worded terms (a deadline's name can state one)."""
    lines = [
        t(
            "digest.weekly_title",
            team=team_name,
            week=period.key.split("-W")[1],
            start=t.day(period.start),
            end=t.day(period.end - timedelta(days=1)),
        )
    ]
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


def _within(reports: Sequence[Report], policy: Policy, tz: ZoneInfo) -> dict[str, tuple[int, int]]:
    """Per step: (done in time, applicable) — contact, triage, analysis."""
    result = {"contact": [0, 0], "triage": [0, 0], "analysis": [0, 0]}
    for r in reports:
        if r.status == Status.NOT_VIM:
            continue
        checks = {
            "contact": (
                r.contacted_at,
                add_working_days(r.created_at, policy.contact_working_days, tz),
            ),
            "triage": (r.triaged_at, r.created_at + timedelta(hours=policy.triage_hours)),
            "analysis": (r.analysed_at, r.created_at + timedelta(days=policy.analysis_days)),
        }
        for step, (done, due) in checks.items():
            result[step][1] += 1
            if done is not None and done <= due:
                result[step][0] += 1
    return {k: (v[0], v[1]) for k, v in result.items()}


def analysis_report(
    t: Translator,
    config: Config,
    period: Period,
    reports: Sequence[Report],
    earlier: Sequence[Report],
    actions: Sequence[ImprovementAction],
    today: date,
    title_key: str,
) -> str:
    """The quarterly analysis (committee) or the half-yearly summary (board)."""
    teams = {team.id: team.name for team in config.teams}
    lines = [
        t(
            title_key,
            period=period.key,
            start=t.day(period.start),
            end=t.day(period.end - timedelta(days=1)),
        )
    ]
    trend = len(reports) - len(earlier)
    lines.append(t("digest.total", count=len(reports), previous=len(earlier), trend=f"{trend:+d}"))
    lines.append(t("digest.by_category"))
    now_counts = Counter(c for r in reports for c in r.categories)
    before = Counter(c for r in earlier for c in r.categories)
    for code, n in now_counts.most_common():
        lines.append(f"  • {t(f'category.{code}')}: {n} ({n - before.get(code, 0):+d})")
    lines.append(t("digest.by_team"))
    for team_id, n in Counter(r.team_id or "" for r in reports).most_common():
        lines.append(f"  • {teams.get(team_id, t('notify.no_team'))}: {n}")
    lines.append(t("digest.by_harm"))
    lines += _counts(t, "harm", Counter(r.harm for r in reports))
    calamities = sum(1 for r in reports if r.possible_calamity)
    lines.append(t("digest.calamities", count=calamities))
    lines.append(t("digest.in_time"))
    for step, (done, total) in _within(reports, config.policy, config.organisation.tz).items():
        share = f"{round(100 * done / total)}%" if total else "—"
        terms = worded_terms(config, t)
        lines.append(f"  • {t(f'deadline.{step}', **terms)}: {share} ({done}/{total})")
    done = sum(1 for a in actions if a.status == "done")
    overdue = sum(1 for a in actions if a.status == "open" and a.deadline < today)
    lines.append(
        t(
            "digest.actions",
            done=done,
            overdue=overdue,
            open=sum(1 for a in actions if a.status == "open"),
        )
    )
    return "\n".join(lines)
