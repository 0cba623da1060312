"""Working hours: a reminder comes before the deadline it warns about, on working time;
escalations wait for working time; a deadline outside working hours says so (issue 14)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from pydantic import ValidationError

from bot.casework.scheduled import Sweeper
from bot.clock import FrozenClock
from bot.config import Config
from bot.domain.workdays import is_working_day
from bot.service import ReportService
from storage.db import Database
from storage.models import Nudge
from tests.helpers import AMS, Chat, make_config, table_rows
from tests.test_casework import TOKEN, _report


def _on_working_time(moment: datetime) -> bool:
    local = moment.astimezone(AMS)
    return is_working_day(local.date()) and time(8) <= local.time() < time(18)


async def _walk(sweeper: Sweeper, clock: FrozenClock, start: datetime, days: int):
    """Sweep every quarter of an hour; the first moment each nudge went out, and its text."""
    sent: dict[str, tuple[datetime, str]] = {}
    moment = start
    while moment < start + timedelta(days=days):
        clock.set(moment)
        for planned in await sweeper.sweep_nudges():
            sent.setdefault(planned.what, (moment, planned.message.text))
        moment += timedelta(minutes=15)
    return sent


@pytest.mark.parametrize(
    "reported",
    [
        # Monday evening in the week of Ascension Day (Thursday 14 May): due Tuesday 22:29.
        datetime(2026, 5, 11, 22, 29, tzinfo=AMS),
        # Monday evening on King's Day (a holiday): contact due Wednesday 00:00, triage
        # Tuesday 22:29.
        datetime(2026, 4, 27, 22, 29, tzinfo=AMS),
    ],
    ids=["ascension-week", "kings-day"],
)
async def test_reminders_come_before_the_deadline_on_working_time(
    service: ReportService,
    sqlite_db: Database,
    clock: FrozenClock,
    config: Config,
    reported: datetime,
) -> None:
    clock.set(reported)
    await _report(service)
    due = {n.kind: n.due_at for n in await table_rows(sqlite_db, Nudge)}
    sent = await _walk(Sweeper(config, sqlite_db, clock), clock, reported, days=5)
    for kind in ("contact", "triage"):
        reminded, text = sent[f"nudge:{kind}/reminder"]
        assert reminded < due[kind], kind
        assert _on_working_time(reminded), (kind, reminded.astimezone(AMS))
        assert "(buiten werktijd)" in text  # the deadline itself ends outside working hours
        escalated, _ = sent[f"nudge:{kind}/escalation"]
        assert escalated >= due[kind] and _on_working_time(escalated), kind
        board, _ = sent[f"nudge:{kind}/board"]
        assert _on_working_time(board), kind


async def test_the_dry_run_shows_the_reminder_moved_earlier(
    service: ReportService, sqlite_db: Database, clock: FrozenClock, config: Config
) -> None:
    """What `vimbot sweep --dry-run --at …` lists: on Tuesday 14:00 the reminders of a report
    made on Monday 22:29, stating that the deadline ends outside working hours."""
    clock.set(datetime(2026, 5, 11, 22, 29, tzinfo=AMS))
    await _report(service)
    sweeper = Sweeper(config, sqlite_db, clock)
    before = await sweeper.sweep_nudges(datetime(2026, 5, 12, 13, 59, tzinfo=AMS), dry_run=True)
    at_two = await sweeper.sweep_nudges(datetime(2026, 5, 12, 14, 0, tzinfo=AMS), dry_run=True)
    assert before == []
    assert sorted(p.what for p in at_two) == ["nudge:contact/reminder", "nudge:triage/reminder"]
    assert "uiterlijk dinsdag 12 mei 2026 om 22:29 (buiten werktijd)" in at_two[0].message.text


async def test_quiet_hours_still_hold_escalations_when_set(
    service: ReportService, sqlite_db: Database, clock: FrozenClock
) -> None:
    """Set, the quiet-hours keys keep their meaning: escalations wait until they end."""
    config = make_config(policy={"quiet_hours_start": "22:00", "quiet_hours_end": "07:00"})
    await _report(service)  # Wednesday 10:30: contact and triage due Thursday 10:30
    sweeper = Sweeper(config, sqlite_db, clock)
    late = datetime(2026, 11, 19, 21, 0, tzinfo=AMS)  # after working hours, before quiet
    at_night = datetime(2026, 11, 19, 23, 0, tzinfo=AMS)
    assert await sweeper.sweep_nudges(at_night, dry_run=True) == []
    escalations = await sweeper.sweep_nudges(late, dry_run=True)
    assert {p.what for p in escalations} >= {"nudge:contact/escalation"}


def test_working_hours_are_validated() -> None:
    policy = make_config(policy={"working_hours_start": "07:30", "working_hours_end": "16:00"})
    assert (policy.policy.working_start, policy.policy.working_end) == (time(7, 30), time(16))
    # unset, the quiet hours are the hours outside working hours
    assert (policy.policy.quiet_start, policy.policy.quiet_end) == (time(16), time(7, 30))
    for wrong in ({"working_hours_start": "8:00"}, {"working_hours_end": "24:00"}):
        with pytest.raises(ValidationError):
            make_config(policy=wrong)
    with pytest.raises(ValidationError, match="working_hours_start"):
        make_config(policy={"working_hours_start": "18:00", "working_hours_end": "08:00"})


@pytest.mark.parametrize(
    ("done_at", "check_on"),
    [
        # done on Saturday 21 November: three months on is Sunday 21 February → Monday
        (datetime(2026, 11, 21, 10, 0, tzinfo=AMS), "2027-02-22"),
        # done on Tuesday 29 December: three months on is Easter Monday 2027 → Tuesday
        (datetime(2026, 12, 29, 10, 0, tzinfo=AMS), "2027-03-30"),
    ],
    ids=["sunday", "easter-monday"],
)
async def test_the_effectiveness_check_falls_on_a_working_day(
    service: ReportService,
    sqlite_db: Database,
    clock: FrozenClock,
    done_at: datetime,
    check_on: str,
) -> None:
    from bot.flows.engine import DONE, SKIP
    from storage.models import ImprovementAction

    clock.set(done_at)
    await _report(service)
    leader = Chat(service, user="lead-noord")
    await leader.press(TOKEN, "triage")
    for answer in ("internal", "yearly", "minor", "confirm"):
        await leader.tap(answer)
    await leader.press(TOKEN, "analyse")
    for answer in (SKIP, "technical", DONE, "confirm"):
        await leader.tap(answer)
    await leader.press(TOKEN, "action")
    await leader.say("Bedhekken laten nakijken")
    await leader.tap("structural")  # §6.7
    await leader.tap("shell:lead-noord")
    await leader.say("15-1")
    await leader.tap("confirm")
    [action] = await table_rows(sqlite_db, ImprovementAction)
    await leader.press(f"act:{action.id}", "done")
    [action] = await table_rows(sqlite_db, ImprovementAction)
    assert action.effectiveness_due.isoformat() == check_on
    [nudge] = await table_rows(
        sqlite_db, Nudge, Nudge.kind == "effectiveness", Nudge.stage == "reminder"
    )
    # due at the end of that day; reminded on it, on working time
    assert (nudge.due_at - timedelta(seconds=1)).astimezone(AMS).date().isoformat() == check_on
    assert nudge.send_at.astimezone(AMS).date().isoformat() == check_on
    assert _on_working_time(nudge.send_at)
