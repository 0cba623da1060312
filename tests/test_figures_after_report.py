"""The figures count what was done after reports, as far as the procedure records them
(seeds/003 §3 "Acties na melding"): the share contacted within the policy's term (the urgent
term in hours for urgent reports), aftercare, conversations with clients, police reports,
care ended and the client informed — in JSON, CSV rows and Markdown."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.clock import FrozenClock
from bot.digests import period_of
from bot.figures import as_json, markdown, rows
from bot.i18n import Translator
from bot.register import load_figures
from bot.service import ReportService
from storage.db import Database
from tests.helpers import AMS, Chat
from tests.helpers import send_form as _send

FIRST, SECOND = "case:VIM-2026-0001", "case:VIM-2026-0002"


async def _triage(leader: Chat, case: str) -> None:
    await leader.press(case, "triage")
    for answer in ("internal", "yearly", "minor", "confirm"):
        await leader.tap(answer)


async def test_what_was_done_after_reports_is_counted(
    service: ReportService, sqlite_db: Database, clock: FrozenClock
) -> None:
    clock.set(datetime(2026, 11, 20, 10, 0, tzinfo=AMS))  # a Friday
    # urgent (aggression against staff): contact due within 24 hours, day and night
    await _send(
        service,
        description="Een cliënt sloeg mij",
        categories=["physical_aggression"],
        affected=["client", "employee"],
        harm="minor",
        first_aid="given",
    )
    await _send(service)  # a fall: contact due within one working day (Monday 10:00)
    await _send(service, anonymous=True)  # nobody to contact
    leader = Chat(service, user="lead-noord", name="Lea")
    await _triage(leader, FIRST)
    await _triage(leader, SECOND)

    clock.set(datetime(2026, 11, 21, 20, 0, tzinfo=AMS))  # Saturday evening
    await leader.press(FIRST, "contact")  # late for the urgent term (in one working day)
    await leader.press(SECOND, "contact")  # in time
    await leader.press(FIRST, "police_report")
    await leader.press(FIRST, "aftercare")
    await leader.tap("offered")
    await leader.tap("confirm")
    clock.advance(timedelta(days=1))
    await leader.press(FIRST, "aftercare")
    await leader.tap("given")
    await leader.tap("confirm")
    await leader.press(FIRST, "client_talk")
    await leader.press(FIRST, "care_ended")
    await leader.press(FIRST, "client_informed")
    await leader.press(SECOND, "aftercare")
    await leader.tap("declined")
    await leader.tap("confirm")
    await leader.press(SECOND, "client_talk")

    config = service.config
    figures = await load_figures(sqlite_db, config, period_of("yearly", "2026", config), None)
    expected = {
        "contact_expected": 2,
        "contact_in_time": 1,
        "contact_in_time_percent": 50,
        "aftercare_offered": 2,
        "aftercare_given": 1,
        "aftercare_declined": 1,
        "client_talk": 2,
        "police_report": 1,
        "care_ended": 1,
        "client_informed": 1,
    }
    assert figures.after_report == expected
    assert as_json(figures)["after_report"] == expected
    table = rows(figures)
    assert ("after_report", "client_talk", "Gesprek met de cliënt (ordegesprek)", 2) in table
    assert ("after_report", "police_report", "Aangifte bij de politie", 1) in table
    assert ("after_report", "contact_in_time_percent", "Contact binnen de termijn (%)", 50) in table
    assert table[0] == ("totals", "reports", "Meldingen", 3)  # the contract's rows stay first
    text = markdown(figures, Translator("nl"))
    assert "Contact met de melder binnen de termijn: 1 van 2 (50%)" in text
    assert "Aangifte bij de politie: 1" in text and "Zorg beëindigd: 1" in text
    assert "Nazorg melder: aangeboden 2, gegeven 1, afgeslagen 1" in text
