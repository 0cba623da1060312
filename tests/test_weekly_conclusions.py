"""The weekly review's conclusions (issue 15): a button under the weekly review lets a team
leader record what the team concluded; the next weekly review shows them at its top."""

from __future__ import annotations

from datetime import datetime

from bot.casework.scheduled import Sweeper
from bot.clock import FrozenClock
from bot.config import Config
from bot.service import ReportService
from storage.db import Database
from tests.helpers import AMS, Chat
from tests.test_casework import _report

CONCLUSION = "We bespreken valrisico's voortaan in elk teamoverleg"


async def test_a_leader_records_the_conclusions_shown_in_the_next_weekly_review(
    service: ReportService, sqlite_db: Database, clock: FrozenClock, config: Config
) -> None:
    await _report(service)  # Wednesday 18 November, team Noord
    clock.set(datetime(2026, 11, 23, 9, 0, tzinfo=AMS))
    planned = await Sweeper(config, sqlite_db, clock).send_due_digests()
    [weekly] = [p for p in planned if p.what.startswith("digest:weekly/noord")]
    assert [o.value for o in weekly.message.options] == ["conclusions"]
    assert weekly.message.options[0].label == "Conclusies vastleggen"
    token = weekly.message.token
    assert token == "week:noord/2026-W47"

    stranger = Chat(service, user="nina")  # not a leader of the team
    await stranger.press(token, "conclusions")
    assert stranger.question is None and "team" in stranger.text

    leader = Chat(service, user="lead-noord", name="Lea")
    await leader.press(token, "conclusions")
    assert "week 47" in leader.text and "geconcludeerd" in leader.text  # asked to write
    await leader.say(CONCLUSION)
    await leader.tap("confirm")
    assert "Conclusies van week 47 vastgelegd" in leader.text

    clock.set(datetime(2026, 11, 30, 9, 0, tzinfo=AMS))
    planned = await Sweeper(config, sqlite_db, clock).send_due_digests()
    [weekly] = [p for p in planned if p.what.startswith("digest:weekly/noord")]
    lines = weekly.message.text.splitlines()
    assert "week 48" in lines[0]
    assert lines[1] == "Conclusies van week 47:" and lines[2] == f"  • {CONCLUSION}"
    assert "Lea" not in weekly.message.text
