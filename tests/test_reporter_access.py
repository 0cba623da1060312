"""Who may speak as the reporter, what checking an anonymous report's status leaves behind,
and the confidential adviser for an anonymous reporter (issue 11, items 1, 2 and 9)."""

from __future__ import annotations

import json

import pytest

from bot.clock import FrozenClock
from bot.config import Config
from bot.flows.engine import SKIP
from bot.service import ReportService
from storage.db import Database
from storage.models import Conversation, OutboxMessage, ReporterMessage
from tests.helpers import REFERENCE, Chat, table_rows


async def _report(service: ReportService, send: str = "send", contact: str = "team_leader") -> Chat:
    """Nina's report, sent."""
    chat = Chat(service, user="nina", name="Nina Jansen")
    await chat.report(contact=contact, send=send)
    return chat


async def _status_by_code(service: ReportService) -> tuple[Chat, str]:
    """Nina's report sent anonymously, its status asked by code from another chat: that
    chat, and the code."""
    code = (await _report(service, send="send_anonymous")).code
    reporter = Chat(service, user="somebody-else")
    await reporter.command(f"/status {code}")
    return reporter, code


@pytest.mark.parametrize("handler", ["lead-noord", "coord"])
async def test_a_handler_never_gets_the_reporters_flow(
    service: ReportService, sqlite_db: Database, handler: str
) -> None:
    await _report(service)
    leader = Chat(service, user=handler, name="Lea")
    await leader.command(f"/status {REFERENCE}")
    assert f"/melding {REFERENCE}" in leader.text  # pointed to the handler's own view
    assert leader.question is None  # no "add something or answer" question
    await leader.say("Ik schrijf alsof ik de melder ben")
    assert await table_rows(sqlite_db, Conversation) == []
    messages = await table_rows(sqlite_db, ReporterMessage)
    assert [m for m in messages if m.direction == "from_reporter"] == []
    # the one-shot paths (Slack's ephemeral status and its reply form) refuse as well
    address = f"shell:{handler}"
    assert await service.status_by_code(address, REFERENCE) is None
    assert await service.reply_by_code(address, REFERENCE, "namens de melder") is None


async def test_the_named_reporter_still_answers_by_reference(
    service: ReportService, sqlite_db: Database
) -> None:
    chat = await _report(service)
    await chat.command(f"/status {REFERENCE}")
    assert f"{REFERENCE}: ontvangen" in chat.text
    await chat.say("Het was kamer 4")
    await chat.tap("send")
    assert "doorgegeven" in chat.text
    [answer] = [
        m for m in await table_rows(sqlite_db, ReporterMessage) if m.direction == "from_reporter"
    ]
    assert answer.text == "Het was kamer 4"


async def _conversation_text(db: Database) -> str:
    """Every stored conversation, decrypted, as one string."""
    rows = await table_rows(db, Conversation)
    return json.dumps([[r.platform, r.chat_id, r.flow, r.state] for r in rows])


async def test_checking_an_anonymous_status_writes_nothing_that_links_the_chat(
    service: ReportService, sqlite_db: Database
) -> None:
    reporter, code = await _status_by_code(service)
    assert f"{REFERENCE}: ontvangen" in reporter.text
    stored = await _conversation_text(sqlite_db)
    assert REFERENCE not in stored and code not in stored and code.replace("-", "") not in stored
    await reporter.say("Afdeling De Linde, kamer 4")
    stored = await _conversation_text(sqlite_db)
    assert REFERENCE not in stored and code not in stored
    # the answer is sent with the code typed once more: it is re-derived, never remembered
    await reporter.say(code.lower())
    assert "doorgegeven, zonder je naam" in reporter.text
    assert await table_rows(sqlite_db, Conversation) == []
    [answer] = [
        m for m in await table_rows(sqlite_db, ReporterMessage) if m.direction == "from_reporter"
    ]
    assert answer.text == "Afdeling De Linde, kamer 4"


async def test_a_wrong_code_keeps_the_answer_and_asks_again(
    service: ReportService, sqlite_db: Database
) -> None:
    reporter, code = await _status_by_code(service)
    await reporter.say("Kamer 4")
    await reporter.say("ABCD-EFGH-JKMN-PQRS")
    assert "ken ik niet" in reporter.text
    assert not [
        m for m in await table_rows(sqlite_db, ReporterMessage) if m.direction == "from_reporter"
    ]
    await reporter.say(code)
    assert "doorgegeven" in reporter.text
    assert await table_rows(sqlite_db, Conversation) == []


async def test_the_status_flow_is_left_with_one_tap(
    service: ReportService, sqlite_db: Database
) -> None:
    reporter, _ = await _status_by_code(service)
    assert reporter.question is not None
    labels = {o.label for o in reporter.question.options}
    assert "Klaar" in labels
    await reporter.tap(SKIP)
    assert await table_rows(sqlite_db, Conversation) == []
    await reporter.say("hallo")  # back to the start, not inside a flow
    assert "VIM-bot" in reporter.text


async def test_anonymous_request_for_the_confidential_adviser_reaches_the_adviser(
    service: ReportService, sqlite_db: Database, config: Config, clock: FrozenClock
) -> None:
    chat = await _report(service, send="send_anonymous", contact="confidential_adviser")
    code = chat.code
    assert "vertrouwenspersoon" in chat.text and "/status" in chat.text  # how it works
    to_adviser = [m for m in await table_rows(sqlite_db, OutboxMessage) if m.address == "shell:vp"]
    assert len(to_adviser) == 1
    text = to_adviser[0].payload["text"]
    assert "Nina" not in text and "nina" not in text and REFERENCE in text

    adviser = Chat(service, user="vp", name="Vera")
    await adviser.press(to_adviser[0].payload["token"], "adviser_message")
    await adviser.say("Ik ben Vera, de vertrouwenspersoon. Bel me gerust: 0612345678.")
    await adviser.tap("confirm")
    assert "doorgegeven" in adviser.text

    reporter = Chat(service, user="somebody-else")
    await reporter.command(f"/status {code}")
    assert "Ik ben Vera" in reporter.text and "vertrouwenspersoon" in reporter.text
    await reporter.say("Dank je, ik bel morgen")
    await reporter.say(code)
    relayed = reporter.outcomes[-1].notifications
    assert [m.address for m in relayed] == ["shell:vp"]  # the adviser, not the leader


async def test_the_adviser_cannot_act_on_reports_that_did_not_ask(
    service: ReportService, sqlite_db: Database
) -> None:
    await _report(service, send="send_anonymous")
    adviser = Chat(service, user="vp", name="Vera")
    await adviser.press(f"case:{REFERENCE}", "adviser_message")
    assert "kan ik niet voor je doen" in adviser.text
    assert adviser.question is None


async def test_a_leader_of_another_team_is_not_told_they_handle_it(
    service: ReportService,
) -> None:
    await _report(service)  # a report of team Noord
    other = Chat(service, user="lead-zuid", name="Zeno")
    await other.command(f"/status {REFERENCE}")
    assert "ken ik niet" in other.text and "/melding" not in other.text


async def test_the_adviser_lists_marks_and_closes_requests_and_the_leader_sees_none_of_it(
    service: ReportService, sqlite_db: Database
) -> None:
    await _report(service, send="send_anonymous", contact="confidential_adviser")
    await _report(service)  # a second report, not asking for the adviser
    before = await table_rows(sqlite_db, OutboxMessage)
    adviser = Chat(service, user="vp", name="Vera")
    await adviser.command("/open")
    assert "Verzoeken aan de vertrouwenspersoon (1)" in adviser.text
    assert f"{REFERENCE} · " in adviser.text and "nog geen contact" in adviser.text
    assert "VIM-2026-0002" not in adviser.text

    await adviser.press(f"case:{REFERENCE}", "adviser_contacted")
    assert "contact gemaakt" in adviser.text
    await adviser.command("/open")
    assert "contact gemaakt" in adviser.text
    assert "adviser_contacted" not in [o.value for o in adviser.question.options]

    leader = Chat(service, user="lead-noord", name="Lea")
    await leader.press(f"case:{REFERENCE}", "adviser_closed")  # not the leader's
    assert "kan ik niet voor je doen" in leader.text
    await leader.command(f"/melding {REFERENCE}")
    assert "contact gemaakt" not in leader.text.lower() and "Contact gemaakt" not in [
        o.label for o in leader.question.options
    ]

    await adviser.press(f"case:{REFERENCE}", "adviser_closed")
    assert "afgesloten" in adviser.text
    await adviser.command("/open")
    assert "geen verzoeken" in adviser.text
    assert len(await table_rows(sqlite_db, OutboxMessage)) == len(before)  # nobody was told
