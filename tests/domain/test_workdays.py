"""Deadlines on Dutch working days: weekends, Easter, Koningsdag, Christmas."""

from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from bot.config import Policy
from bot.domain.lifecycle import (
    Deadline,
    Triage,
    deadlines_on_report,
    deadlines_on_triage,
    risk_score,
    suggests_investigation,
)
from bot.domain.workdays import (
    add_working_days,
    in_quiet_hours,
    is_working_day,
    next_working_moment,
)

AMS = ZoneInfo("Europe/Amsterdam")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=AMS)


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        ("2026-11-18 10:30", 1, "2026-11-19 10:30"),  # Wednesday → Thursday
        ("2026-11-20 16:00", 1, "2026-11-23 16:00"),  # Friday → Monday
        ("2026-11-21 10:00", 1, "2026-11-24 00:00"),  # Saturday → end of Monday
        ("2026-04-02 16:00", 1, "2026-04-07 16:00"),  # Thursday before Easter: Good Friday,
        ("2026-04-03 09:00", 1, "2026-04-08 00:00"),  # the weekend and Easter Monday skipped
        ("2026-04-24 12:00", 1, "2026-04-28 12:00"),  # Koningsdag 2026 (Monday 27 April)
        ("2025-04-25 09:00", 1, "2025-04-28 09:00"),  # Koningsdag 2025 fell on a Saturday
        ("2026-12-24 10:00", 1, "2026-12-28 10:00"),  # Christmas and Boxing Day
        ("2026-12-23 10:00", 3, "2026-12-29 10:00"),
        ("2026-11-18 10:30", 3, "2026-11-23 10:30"),  # IGJ: 3 working days
    ],
)
def test_working_days(start: str, days: int, expected: str) -> None:
    assert add_working_days(at(start), days, AMS) == at(expected)


def test_holidays_and_weekends_are_not_working_days() -> None:
    for day in ("2026-04-27", "2025-04-21", "2026-12-25", "2026-12-26", "2026-11-22"):
        assert not is_working_day(datetime.fromisoformat(day).date())
    assert is_working_day(datetime.fromisoformat("2026-11-23").date())


def test_quiet_hours() -> None:
    from datetime import time

    start, end = time(18, 0), time(8, 0)
    assert in_quiet_hours(at("2026-11-18 23:00"), AMS, start, end)
    assert in_quiet_hours(at("2026-11-18 07:59"), AMS, start, end)
    assert not in_quiet_hours(at("2026-11-18 08:00"), AMS, start, end)
    assert in_quiet_hours(at("2026-11-21 12:00"), AMS, start, end)  # Saturday
    assert next_working_moment(at("2026-11-20 19:00"), AMS, start, end) == at("2026-11-23 08:00")


def test_policy_deadlines() -> None:
    policy = Policy()
    created = at("2026-11-20 16:00")
    report = SimpleNamespace(
        created_at=created,
        anonymous=False,
        contact_wish="team_leader",
        possible_calamity=False,
        harm="minor",
        categories=["fall"],
        affected=["client"],
        report_type="MIC",
    )
    dues = {d.kind: d.at for d in deadlines_on_report(report, policy, AMS)}
    assert dues == {
        Deadline.CONTACT: at("2026-11-23 16:00"),
        Deadline.TRIAGE: at("2026-11-21 16:00"),
    }
    triaged = at("2026-11-21 10:00")
    dues = {
        d.kind: d.at for d in deadlines_on_triage(Triage.CALAMITY, triaged, created, policy, AMS)
    }
    assert dues[Deadline.ANALYSIS] == at("2026-12-04 16:00")
    assert dues[Deadline.EXPLORATION] == at("2026-11-26 00:00")
    assert dues[Deadline.CLIENT_INFORMED] == at("2026-11-22 10:00")
    assert dues[Deadline.IGJ_DOUBT] == at("2027-01-01 16:00")
    assert deadlines_on_triage(Triage.NOT_VIM, triaged, created, policy, AMS) == []


def test_nhg_risk_matrix_and_suggestion() -> None:
    assert risk_score("weekly", "catastrophic") == 4
    assert risk_score("monthly", "moderate") == 2
    assert risk_score("rarely", "major") == 2
    assert risk_score("yearly", "minor") == 1
    assert suggests_investigation(3, False, "major", 0, 5)
    assert suggests_investigation(1, True, "major", 0, 5)  # serious near miss
    assert suggests_investigation(1, False, "minor", 6, 5)  # more than 5 this month
    assert not suggests_investigation(2, False, "minor", 5, 5)
