"""The analysis as the policy describes it (seeds/002 §6.6, §6.7): for an investigation, the
direct and underlying causes, a timeline and who took part, besides 5× waarom and the kinds
of causes; each improvement action immediate or structural. Shown in /melding, exported."""

from __future__ import annotations

from datetime import timedelta

from bot.clock import FrozenClock
from bot.config import Config
from bot.exporting import register_record
from bot.service import ReportService
from storage.db import Database
from storage.models import ImprovementAction, Report
from tests.helpers import CASE, DONE, REFERENCE, SKIP, Chat, table_rows


async def test_an_investigation_records_causes_timeline_and_who_took_part(
    service: ReportService, sqlite_db: Database, clock: FrozenClock, config: Config
) -> None:
    await Chat(service, user="nina", name="Nina").report()
    leader = Chat(service, user="lead-noord", name="Lea")
    await leader.triage(outcome="investigate")
    clock.advance(timedelta(days=2))
    await leader.press(CASE, "analyse")
    await leader.say("Het bedhek stond niet omhoog")
    await leader.tap(SKIP)
    await leader.tap("technical")
    await leader.tap(DONE)
    await leader.say("Bedhek niet vergrendeld")
    await leader.say("Geen controle van de bedhekken bij de overdracht")
    await leader.say("21:40 laatste ronde; 22:15 mevrouw naast het bed gevonden")
    await leader.say("Lea (teamleider), Karim (verpleegkundige), extern: ergotherapeut")
    await leader.tap("confirm")
    await leader.press(CASE, "action")
    await leader.say("Bedhekken bij elke overdracht controleren")
    assert {"immediate", "structural"} <= {o.value for o in leader.question.options}
    await leader.tap("structural")
    await leader.tap("shell:lead-noord")
    await leader.say("1-12")
    await leader.tap("confirm")

    await leader.command(f"/melding {REFERENCE}")
    shown = leader.text
    assert "5× waarom: Het bedhek stond niet omhoog" in shown
    assert "Directe oorzaak: Bedhek niet vergrendeld" in shown
    assert "Onderliggende oorzaak: Geen controle" in shown
    assert "Tijdlijn: 21:40" in shown and "extern: ergotherapeut" in shown

    [report] = await table_rows(sqlite_db, Report)
    [action] = await table_rows(sqlite_db, ImprovementAction)
    assert action.kind == "structural"
    async with sqlite_db.transaction() as store:
        events = await store.events_of(report.id)
    record = register_record(report, [action], events, config.organisation.tz)
    assert record["analysis"]["direct_cause"] == "Bedhek niet vergrendeld"
    assert record["actions"][0]["kind"] == "structural"
    anonymised = register_record(report, [action], events, config.organisation.tz, True)
    assert anonymised["analysis"] is None


async def test_handled_within_the_team_the_analysis_stays_short(
    service: ReportService, sqlite_db: Database
) -> None:
    await Chat(service, user="nina", name="Nina").report()
    leader = Chat(service, user="lead-noord", name="Lea")
    await leader.triage()  # internal
    await leader.analyse("Haast", cause="organisational")
    [report] = await table_rows(sqlite_db, Report)
    assert report.analysed_at is not None and report.analysis is None
