"""``/melding`` shows everything a handler needs (issue 15): when it happened, what was done
right away, the analysis, the improvement actions with their owners by name, their deadlines
and state, the feedback, what was done after the report, and the open deadlines with their
state."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.clock import FrozenClock
from bot.events import Inbound, InboundKind
from bot.flows.engine import SKIP
from bot.service import ReportService
from storage.db import Database
from storage.models import Person
from tests.helpers import CASE, REFERENCE, Chat


async def _send(service: ReportService, **fields: Any) -> None:
    raw: dict[str, Any] = {
        "description": "Mevrouw is gevallen naast het bed",
        "when": "today",
        "categories": ["fall"],
        "affected": ["client"],
        "harm": "minor",
        "first_aid": "given",
        "measures": "Wond gekoeld en de huisarts gebeld",
        "contact": "team_leader",
        "team": "noord",
    }
    raw.update(fields)
    who = Inbound("shell", "nina", "nina", InboundKind.TEXT, user_name="Nina")
    errors, _ = await service.submit_form(who, raw, False)
    assert errors == {}


async def test_melding_lists_what_happened_the_analysis_actions_by_owner_name_and_deadlines(
    service: ReportService, sqlite_db: Database, clock: FrozenClock
) -> None:
    async with sqlite_db.transaction() as store:  # the coordinator's name is known
        await store.keep_person(
            Person(address="shell:coord", name="Cor de Vries", created_at=clock.now())
        )
    await _send(service)
    leader = Chat(service, user="lead-noord", name="Lea")
    await leader.triage()
    clock.advance(timedelta(hours=3))
    await leader.analyse("Het bedhek stond niet omhoog", cause="organisational")
    await leader.press(CASE, "action")
    await leader.say("Bedhekken bij elke overdracht controleren")
    await leader.tap("structural")
    await leader.tap("shell:coord")  # someone else owns it
    await leader.say("1-12")
    await leader.tap("confirm")
    await leader.press(CASE, "action")
    await leader.say("Team instrueren over valpreventie")
    await leader.tap("immediate")
    await leader.tap("shell:lead-noord")  # the leader (no stored name)
    await leader.say("25-11")
    await leader.tap("confirm")
    await leader.press(CASE, "feedback")
    await leader.say("We controleren de bedhekken voortaan bij elke overdracht.")
    await leader.tap(SKIP)
    await leader.tap("confirm")
    await leader.press(CASE, "client_informed")

    clock.set(clock.now() + timedelta(days=15))  # the analysis's 14 days have passed
    await leader.command(f"/melding {REFERENCE}")
    shown = leader.text
    for line in (
        "Gebeurd: ",  # when it happened
        "Eerste hulp: Ja",
        "Meteen gedaan: Wond gekoeld en de huisarts gebeld",
        "5× waarom: Het bedhek stond niet omhoog",
        "Verbeteracties:",
        "Bedhekken bij elke overdracht controleren — eigenaar Cor de Vries, uiterlijk",
        "Team instrueren over valpreventie — eigenaar teamleider Wijkteam Noord, uiterlijk",
        "Terugkoppeling: We controleren de bedhekken voortaan bij elke overdracht.",
        "Cliënt of vertegenwoordiger geïnformeerd — Lea",
        "Termijnen:",
        "verbeteractie",
    ):
        assert line in shown, line
    assert "te laat" in shown  # the leader's own action is overdue (25-11)
    assert "shell:coord" not in shown and "shell:lead-noord" not in shown
