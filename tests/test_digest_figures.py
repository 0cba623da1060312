"""The chat digests are short versions of the figures engine: the quarterly and half-yearly
texts carry the same numbers as ``vimbot report`` (contact within the policy's term, what was
done after reports, calamities, actions)."""

from __future__ import annotations

from datetime import datetime

from bot.casework.scheduled import Sweeper
from bot.clock import FrozenClock
from bot.config import Config
from bot.digests import period_of
from bot.register import load_figures
from bot.service import ReportService
from storage.db import Database
from tests.helpers import AMS, Chat
from tests.helpers import send_form as _send

FIRST = "case:VIM-2026-0001"


async def test_the_quarterly_digest_has_the_numbers_of_the_quarterly_report(
    service: ReportService, sqlite_db: Database, clock: FrozenClock, config: Config
) -> None:
    clock.set(datetime(2026, 8, 7, 10, 0, tzinfo=AMS))  # a Friday in Q3
    await _send(
        service,
        description="Een cliënt sloeg mij",
        categories=["physical_aggression"],
        affected=["client", "employee"],
        harm="minor",
        first_aid="given",
    )  # urgent: contact due within 24 hours
    leader = Chat(service, user="lead-noord", name="Lea")
    await leader.triage()
    clock.set(datetime(2026, 8, 8, 20, 0, tzinfo=AMS))  # Saturday evening: late
    await leader.press(FIRST, "contact")
    await leader.press(FIRST, "police_report")
    await leader.press(FIRST, "client_talk")

    quarter = period_of("quarterly", "2026-Q3", config)
    figures = await load_figures(sqlite_db, config, quarter, None)
    assert figures.after_report["contact_in_time"] == 0

    clock.set(datetime(2026, 10, 1, 9, 0, tzinfo=AMS))
    planned = await Sweeper(config, sqlite_db, clock).send_due_digests()
    [quarterly] = [p for p in planned if p.what.startswith("digest:quarterly")]
    text = quarterly.message.text
    assert "Meldingen: 1 (vorige periode 0, +1)" in text
    assert "contact: 0% (0/1)" in text  # the urgent term, as in vimbot report
    assert "Aangifte bij de politie: 1" in text
    assert "Gesprek met de cliënt (ordegesprek): 1" in text
    assert "Lea" not in text and "sloeg" not in text
