"""Issue 15's "Done when" walk, as new users would take it in the shell: a physical
aggression report (police report suggested and recorded, aftercare given, conversation with
the client, care ended), a request to the confidential adviser handled by the adviser, the
committee reading the register, the board recording its half-yearly evaluation, a report
put on retention hold and released."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.clock import FrozenClock
from bot.config import Config
from bot.events import Inbound, InboundKind
from bot.exporting import register_record
from bot.privacy import apply_retention
from bot.service import ReportService
from storage.db import Database
from storage.models import Report
from tests.helpers import CASE, REFERENCE, Chat, table_rows


async def _aggression(service: ReportService) -> None:
    raw: dict[str, Any] = {
        "description": "Een cliënt sloeg mij in het gezicht tijdens de zorg",
        "when": "today",
        "categories": ["physical_aggression"],
        "affected": ["client", "employee"],
        "harm": "minor",
        "first_aid": "given",
        "contact": "team_leader",
        "team": "noord",
    }
    who = Inbound("shell", "nina", "nina", InboundKind.TEXT, user_name="Nina")
    errors, _ = await service.submit_form(who, raw, False)
    assert errors == {}


async def test_the_issue_15_walk(database: Database, clock: FrozenClock, config: Config) -> None:
    service = ReportService(config, database, clock)
    # A physical aggression report: the police report is suggested, then recorded.
    await _aggression(service)
    leader = Chat(service, user="lead-noord", name="Lea")
    await leader.triage()
    await leader.command(f"/melding {REFERENCE}")
    assert "Aangifte bij de politie aanbevolen" in leader.text
    clock.advance(timedelta(hours=2))
    await leader.press(CASE, "police_report")
    await leader.press(CASE, "aftercare")
    await leader.tap("given")
    await leader.tap("confirm")
    await leader.press(CASE, "client_talk")
    await leader.press(CASE, "care_ended")
    await leader.analyse("Cliënt was onrustig door pijn", cause="client")
    await leader.press(CASE, "action")
    await leader.say("De-escalatietraining voor het team")
    await leader.tap("structural")
    await leader.tap("shell:lead-noord")
    await leader.say("15-12")
    await leader.tap("confirm")
    await leader.command(f"/melding {REFERENCE}")
    shown = leader.text
    assert "aanbevolen" not in shown
    for line in (
        "Aangifte bij de politie — Lea",
        "Nazorg melder: Gegeven — Lea",
        "Gesprek met de cliënt (ordegesprek) — Lea",
        "Zorg beëindigd — Lea",
        "De-escalatietraining voor het team — eigenaar teamleider Wijkteam Noord",
    ):
        assert line in shown, line

    # A request to the confidential adviser, handled by the adviser alone.
    await Chat(service, user="nina", name="Nina").report(contact="confidential_adviser")
    adviser = Chat(service, user="vp", name="Vera")
    await adviser.command("/open")
    assert "VIM-2026-0002 · " in adviser.text and "nog geen contact" in adviser.text
    await adviser.press("case:VIM-2026-0002", "adviser_contacted")
    assert "contact gemaakt" in adviser.text
    await adviser.press("case:VIM-2026-0002", "adviser_closed")
    assert "is afgesloten" in adviser.text

    # The committee reads the register; the board records its half-yearly evaluation.
    committee = Chat(service, user="committee", name="Kees")
    await committee.command("/acties")
    assert "De-escalatietraining voor het team" in committee.text
    assert all(not reply.options for reply in committee.replies)
    board = Chat(service, user="board", name="Bea")
    await board.command("/evaluatie Agressie tegen medewerkers: training ingezet")
    assert "evaluatie van het VIM-beleid" in board.text
    await board.command("/evaluatie")
    assert "training ingezet" in board.text

    # A report put on retention hold, and released.
    coordinator = Chat(service, user="coord", name="Cor")
    await coordinator.press(CASE, "retention_hold")
    await coordinator.tap("investigation")
    await coordinator.say("Aangifte loopt bij de politie")
    await coordinator.tap("confirm")
    later = clock.now() + timedelta(days=365 * config.privacy.retention_years + 2)
    await coordinator.press(CASE, "close_with_reason")
    await coordinator.say("Afgehandeld met de politie")
    await coordinator.tap("confirm")
    assert await apply_retention(database, config, later) == 0  # held
    await coordinator.press(CASE, "retention_release")
    assert "niet langer apart bewaard" in coordinator.text
    assert await apply_retention(database, config, later) == 1

    # The export shows what was recorded after the report.
    [first, _] = sorted(await table_rows(database, Report), key=lambda r: r.id)
    async with database.transaction() as store:
        events = await store.events_of(first.id)
        actions = await store.actions_of_report(first.id)
    record = register_record(first, actions, events, config.organisation.tz)
    # retention kept what was done, not who did it
    assert all("by" not in r and "by_name" not in r for r in record["after_report"])
    assert [r["step"] for r in record["after_report"]] == [
        "police_report",
        "aftercare",
        "client_talk",
        "care_ended",
    ]
    assert "retention_held" in [s["step"] for s in record["steps"]]
    assert "retention_released" in [s["step"] for s in record["steps"]]
