"""Working hours: a reminder comes before the deadline it warns about, on working time;
escalations wait for working time; a deadline outside working hours says so (issue 14)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest

from bot.casework.scheduled import Sweeper
from bot.clock import FrozenClock
from bot.config import Config
from bot.domain.workdays import is_working_day
from bot.service import ReportService
from storage.db import Database
from storage.models import Nudge
from tests.helpers import AMS, table_rows
from tests.test_casework import _report


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


@pytest.mark.xfail(
    strict=True, reason="issue 14: a reminder in quiet hours waits past its deadline"
)
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
