"""The service: what a sent report stores, who is notified, restarts and failures."""

from __future__ import annotations

from datetime import datetime

import pytest

from bot.clock import FrozenClock
from bot.config import Config
from bot.domain.anonymity import verify_code
from bot.service import ReportService
from storage.db import Database
from storage.models import OutboxMessage, Person, Report
from tests.helpers import Chat, copy_sqlite, make_config, table_rows


async def _report(chat: Chat, harm: str = "none", send: str = "send") -> None:
    """A report sent from ``chat`` (in team Noord where the team is asked)."""
    await chat.report(harm=harm, send=send, team="noord")


async def test_sent_report_is_stored_with_events_and_leaders_notified(
    database: Database, config: Config, clock: FrozenClock
) -> None:
    service = ReportService(config, database, clock)
    chat = Chat(service, user="nina", name="Nina Jansen")
    await _report(chat)
    [report] = await table_rows(database, Report)
    assert report.reference == "VIM-2026-0001"
    assert report.team_id == "noord"
    assert report.categories == ["fall"] and report.affected == ["client"]
    assert report.report_type == "MIC" and not report.possible_calamity
    assert report.reporter_address == "shell:nina" and report.reporter_name == "Nina Jansen"
    assert report.created_at == clock.now()
    assert report.occurred_on.isoformat() == "2026-11-18" and report.occurred_at is None
    async with database.transaction() as store:
        kinds = [e.kind for e in await store.events_of(report.id)]
    assert kinds == ["created", "notified"]
    [message] = await table_rows(database, OutboxMessage)
    assert message.address == "shell:lead-noord"
    assert "VIM-2026-0001" in message.payload["text"]
    assert await table_rows(database, Report) and not await store_conversations(database)


async def store_conversations(db: Database) -> list:
    from storage.models import Conversation

    return await table_rows(db, Conversation)


async def test_anonymous_report_stores_no_identity_and_a_verifiable_code(
    service: ReportService, sqlite_db: Database
) -> None:
    chat = Chat(service, user="nina", name="Nina Jansen")
    await _report(chat, send="send_anonymous")
    [report] = await table_rows(sqlite_db, Report)
    assert report.anonymous
    assert report.reporter_address is None and report.reporter_name is None
    code = chat.code
    assert verify_code(code, report.anonymous_code_hash)
    assert code not in str(report.anonymous_code_hash)
    [message] = await table_rows(sqlite_db, OutboxMessage)
    assert "Nina" not in message.payload["text"] and "anoniem" in message.payload["text"]
    async with sqlite_db.transaction() as store:
        events = await store.events_of(report.id)
    assert all(e.actor is None for e in events)
    assert "nina" not in repr([e.data for e in events])


async def test_possible_calamity_alerts_coordinator_and_board_at_once(
    service: ReportService, sqlite_db: Database
) -> None:
    chat = Chat(service, user="nina")
    await _report(chat, harm="serious")
    [report] = await table_rows(sqlite_db, Report)
    assert report.possible_calamity
    addresses = [m.address for m in await table_rows(sqlite_db, OutboxMessage)]
    assert addresses == ["shell:lead-noord", "shell:coord", "shell:board"]
    assert "Mogelijke calamiteit" in chat.outcomes[-1].notifications[1].text


async def test_report_without_leaders_goes_to_the_coordinator(
    sqlite_db: Database, clock: FrozenClock
) -> None:
    config = make_config(teams=[{"id": "solo", "name": "Praktijk"}])
    chat = Chat(ReportService(config, sqlite_db, clock), user="sam")
    await _report(chat)
    assert [m.address for m in await table_rows(sqlite_db, OutboxMessage)] == ["shell:coord"]


async def test_references_count_per_year(service: ReportService, clock: FrozenClock) -> None:
    chat = Chat(service, user="nina")
    await _report(chat)
    await _report(chat)
    assert chat.outcomes[-1].reference == "VIM-2026-0002"
    clock.set(clock.now().replace(year=2027, month=1, day=4))
    await _report(chat)
    assert chat.outcomes[-1].reference == "VIM-2027-0001"


async def test_restart_in_the_middle_resumes_where_the_person_was(
    config: Config, clock: FrozenClock, tmp_path, sqlite_template
) -> None:
    db = copy_sqlite(sqlite_template, tmp_path / "restart.db")
    url = db.url
    chat = Chat(ReportService(config, db, clock), user="nina")
    await chat.command("/melden")
    await chat.tap("no")
    await chat.say("Cliënt kreeg de verkeerde medicatie")
    await db.dispose()  # the process dies here

    db2 = Database(url)
    service2 = ReportService(config, db2, clock)
    resumed = await service2.resume("shell", "nina", "shell:nina")
    assert "We gaan verder" in resumed[0].text
    assert "Wanneer gebeurde het" in resumed[1].text
    chat2 = Chat(service2, user="nina")
    chat2.question = resumed[1]
    await chat2.tap("now")
    await chat2.tap("change")  # "Klopt dat?": show me the suggestions ticked
    assert chat2.selected == ["medication_error"]
    await db2.dispose()


async def test_a_failing_turn_is_a_friendly_message_and_keeps_the_draft(
    service: ReportService, monkeypatch: pytest.MonkeyPatch
) -> None:
    chat = Chat(service, user="nina")
    await chat.command("/melden")
    await chat.tap("no")
    await chat.say("Cliënt viel")
    question = chat.question

    async def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(type(service.reporting), "send", broken)
    await chat.tap("now")  # works: sending is the only thing broken
    monkeypatch.setattr("bot.flows.engine.turn", lambda *a, **k: 1 / 0)
    await chat.tap("change")
    assert "ging iets mis" in chat.text and "bewaard" in chat.text
    assert "Traceback" not in chat.text
    monkeypatch.undo()
    await chat.tap("change")  # the same question still works after the failure
    assert "Wat voor soort melding" in chat.text
    assert question is not None


async def test_person_is_remembered_only_after_a_named_report(
    service: ReportService, sqlite_db
) -> None:
    chat = Chat(service, user="eve", name="Eve", language="en-GB")
    await chat.say("hello")
    assert "Hi! I am the VIM bot" in chat.text
    assert await table_rows(sqlite_db, Person) == []  # talking to the bot stores nobody
    await _report(chat)
    [person] = await table_rows(sqlite_db, Person)
    assert (person.address, person.name, person.language, person.team_id) == (
        "shell:eve",
        "Eve",
        "en",
        "noord",
    )


async def test_anonymous_report_leaves_no_person_and_coarse_time(
    service: ReportService, sqlite_db, clock
) -> None:
    chat = Chat(service, user="eve", name="Eve")
    await _report(chat, send="send_anonymous")
    assert await table_rows(sqlite_db, Person) == []
    [report] = await table_rows(sqlite_db, Report)
    assert report.created_at == clock.now().replace(minute=0, second=0, microsecond=0)
    [message] = await table_rows(sqlite_db, OutboxMessage)
    # the moment it may go out rides in the (encrypted) payload; the row says only the hour
    delay = datetime.fromisoformat(message.payload["not_before"]) - clock.now()
    assert 2 * 60 <= delay.total_seconds() <= 8 * 60  # not at the moment of sending


async def test_double_tap_on_send_never_makes_two_reports(
    service: ReportService, sqlite_db: Database
) -> None:
    chat = Chat(service, user="nina")
    await _report(chat)
    summary = chat.outcomes[-2].replies[-1]
    chat.question = summary
    await chat.tap("send", token=summary.token)
    assert len(await table_rows(sqlite_db, Report)) == 1


async def test_text_limit_comes_from_the_configuration(sqlite_db, clock) -> None:
    config = make_config(limits={"max_text_length": 200})
    chat = Chat(ReportService(config, sqlite_db, clock))
    await chat.command("/melden")
    await chat.tap("no")
    await chat.say("a" * 201)
    assert "te lang" in chat.text and "200" in chat.text
    await chat.say("a" * 200)
    assert "Wanneer" in chat.text


async def test_status_lists_own_named_reports_only(service: ReportService) -> None:
    chat = Chat(service, user="nina")
    await chat.command("/status")
    assert "nog geen meldingen" in chat.text
    await _report(chat)
    await _report(chat, send="send_anonymous")
    await chat.command("/status")
    assert "VIM-2026-0001" in chat.text and "nog niet beoordeeld" in chat.text
    assert "VIM-2026-0002" not in chat.text  # the anonymous one is not linked to her


async def test_stop_without_a_report_says_so(service: ReportService) -> None:
    chat = Chat(service)
    await chat.command("/stop")
    assert "niets om te stoppen" in chat.text


async def test_a_redelivered_update_is_processed_once(service: ReportService) -> None:
    from bot.events import Inbound, InboundKind

    event = Inbound("telegram", "5", "5", InboundKind.COMMAND, text="/melden", dedupe_key="t:1:9")
    first = await service.handle(event)
    again = await service.handle(event)
    assert first.replies and not first.duplicate
    assert again.duplicate and again.replies == []


async def test_form_uses_the_conversation_rules(service: ReportService, sqlite_db) -> None:
    from bot.events import Inbound, InboundKind

    who = Inbound("slack", "D1", "U1", InboundKind.TEXT, user_name="Uma")
    errors, outcome = await service.submit_form(
        who, {"when": "other", "when_date": "31-02", "harm": "minor", "contact": "none"}, False
    )
    assert set(errors) == {
        "description",
        "when_date",
        "categories",
        "affected",
        "first_aid",
        "team",
    }
    assert "bestaat niet" in errors["when_date"]
    assert outcome.reference is None and not await table_rows(sqlite_db, Report)

    errors, outcome = await service.submit_form(
        who,
        {
            "description": "Cliënt viel in de douche",
            "when": "yesterday",
            "categories": ["fall", "other"],
            "category_other": "natte vloer",
            "affected": ["client"],
            "harm": "minor",
            "first_aid": "given",
            "measures": "",
            "team": "zuid",
            "contact": "team_leader",
        },
        True,
    )
    assert errors == {}
    assert outcome.reference == "VIM-2026-0001" and "code is" in outcome.replies[0].text
    [report] = await table_rows(sqlite_db, Report)
    assert report.anonymous and report.category_other == "natte vloer"
    assert report.measures is None and report.team_id == "zuid"


async def test_form_refuses_personal_data_in_either_text(service: ReportService, sqlite_db) -> None:
    """The core checks the form's texts with the conversation's rule, before anything else."""
    from bot.events import Inbound, InboundKind

    who = Inbound("slack", "D1", "U1", InboundKind.TEXT, user_name="Uma")
    complete = {
        "description": "Cliënt viel in de douche",
        "when": "yesterday",
        "categories": ["fall"],
        "affected": ["client"],
        "harm": "none",
        "team": "zuid",
        "contact": "none",
    }
    for raw, block in (
        ({**complete, "measures": "Bel zijn zoon op 06-12345678"}, "measures"),
        ({**complete, "description": "Mevrouw (bsn 111222333) viel"}, "description"),
        ({"description": "mail piet@example.org", "measures": "06-12345678"}, "description"),
    ):
        errors, outcome = await service.submit_form(who, raw, False)
        assert list(errors) == [block] and errors[block].startswith("Je tekst lijkt een BSN")
        assert outcome.reference is None and not outcome.replies
    assert not await table_rows(sqlite_db, Report)
