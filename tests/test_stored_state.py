"""The upgrade path of a chat's conversation: rows stored in today's shape (the state as a plain
dict) still load, continue and complete; a stored state that cannot be read never crashes a
turn."""

from __future__ import annotations

from typing import Any

import pytest

from bot.clock import FrozenClock
from bot.config import Config
from bot.flows.engine import SKIP
from bot.service import ReportService
from storage.db import Database
from storage.models import Conversation, Report, ReporterMessage
from tests.helpers import Chat, table_rows

TOKEN = "case:VIM-2026-0001"

# ---- rows as the code before the typed state wrote them (captured from real turns) --------

REPORT_AT_HARM: dict[str, Any] = {
    "flow": "report",
    "step": "harm",
    "answers": {
        "team": "noord",
        "danger": "no",
        "description": "Mevrouw is gevallen naast het bed",
        "when": {"date": "2026-11-18", "time": None},
        "categories": ["fall"],
        "affected": ["client"],
    },
    "history": ["danger", "description", "when", "categories", "affected", "harm"],
    "seq": 6,
    "mode": None,
    "returning": False,
    "selection": None,
    "meta": {"anonymous": True},
}

REPORT_PICKING_CATEGORIES: dict[str, Any] = {
    "flow": "report",
    "step": "categories",
    "answers": {
        "team": "noord",
        "danger": "no",
        "description": "Mevrouw is gevallen naast het bed",
        "when": {"date": "2026-11-18", "time": None},
    },
    "history": ["danger", "description", "when", "categories"],
    "seq": 4,
    "mode": None,
    "returning": False,
    "selection": ["fall"],
    "meta": {"anonymous": False},
    "reminded": True,
}

REPLY_BY_CODE_AT_CODE: dict[str, Any] = {
    "flow": "reply",
    "step": "code",
    "answers": {"text": "Nog een aanvulling"},
    "history": ["text", "code"],
    "seq": 2,
    "mode": None,
    "returning": False,
    "selection": None,
    "meta": {"by_code": True},
}

REPLY_BY_REFERENCE_AT_TEXT: dict[str, Any] = {
    "flow": "reply",
    "step": "text",
    "answers": {},
    "history": ["text"],
    "seq": 1,
    "mode": None,
    "returning": False,
    "selection": None,
    "meta": {"report": "VIM-2026-0001"},
}

TRIAGE_AT_FREQUENCY: dict[str, Any] = {
    "flow": "triage",
    "step": "frequency",
    "answers": {"outcome": "internal"},
    "history": ["outcome", "frequency"],
    "seq": 2,
    "mode": None,
    "returning": False,
    "selection": None,
    "meta": {
        "report": "VIM-2026-0001",
        "near_miss": False,
        "same_category_this_month": 1,
        "category_threshold": 5,
    },
}

TRIAGE_CHANGING: dict[str, Any] = {
    **TRIAGE_AT_FREQUENCY,
    "step": "review",
    "answers": {"outcome": "internal", "frequency": "monthly", "consequence": "major"},
    "history": ["outcome", "frequency", "consequence", "review"],
    "seq": 5,
    "mode": "change_pick",
}


async def _store(db: Database, user: str, state: dict[str, Any], clock: FrozenClock) -> None:
    async with db.transaction() as store:
        await store.save_conversation("shell", user, state["flow"], state, clock.now())


async def _stored(db: Database) -> dict[str, dict[str, Any]]:
    return {row.chat_id: row.state for row in await table_rows(db, Conversation)}


async def _reported(service: ReportService, send: str = "send") -> str:
    """Nina's report, sent; returns the anonymous code (or "")."""
    chat = Chat(service, user="nina", name="Nina")
    await chat.answer_up_to_harm("Mevrouw is gevallen naast het bed", when="today")
    await chat.tap("none")
    await chat.tap(SKIP)
    await chat.tap("team_leader")
    await chat.tap(send)
    return chat.text.split("code is: ")[1].split("\n")[0] if send == "send_anonymous" else ""


async def test_a_report_draft_of_the_old_shape_continues_and_is_sent(
    database: Database, config: Config, clock: FrozenClock
) -> None:
    service = ReportService(config, database, clock)
    await _store(database, "nina", REPORT_AT_HARM, clock)
    chat = Chat(service, user="nina", name="Nina")
    await chat.say("none")  # the harm, typed
    assert chat.question is not None and "Wat heb je meteen gedaan" in chat.question.text
    await chat.tap(SKIP)
    await chat.tap("team_leader")
    # the stored meta still counts: the anonymous send comes first on the summary
    assert [o.value for o in chat.question.options][:2] == ["send_anonymous", "send"]
    await chat.tap("send_anonymous")
    [report] = await table_rows(database, Report)
    assert report.anonymous and report.description == "Mevrouw is gevallen naast het bed"
    assert report.categories == ["fall"] and report.team_id == "noord"
    assert await _stored(database) == {}


async def test_a_multi_choice_of_the_old_shape_keeps_its_ticks_and_the_reminder(
    database: Database, config: Config, clock: FrozenClock
) -> None:
    service = ReportService(config, database, clock)
    await _store(database, "nina", REPORT_PICKING_CATEGORIES, clock)
    chat = Chat(service, user="nina", name="Nina")
    [resumed, question] = await service.resume("shell", "nina", "shell:nina")
    assert "We gaan verder" in resumed.text
    assert question.multi and [o.value for o in question.options if o.selected] == ["fall"]
    chat.question = question
    await chat.tap("medication_error")
    state = (await _stored(database))["nina"]
    assert state["selection"] == ["fall", "medication_error"] and state["reminded"] is True
    assert state["meta"] == {"anonymous": False} and state["step"] == "categories"


async def test_a_reply_by_code_of_the_old_shape_is_relayed(
    database: Database, config: Config, clock: FrozenClock
) -> None:
    service = ReportService(config, database, clock)
    code = await _reported(service, send="send_anonymous")
    await _store(database, "nina", REPLY_BY_CODE_AT_CODE, clock)
    chat = Chat(service, user="nina", name="Nina")
    await chat.say(code)
    assert "doorgegeven" in chat.text
    [message] = await table_rows(database, ReporterMessage)
    assert (message.direction, message.text) == ("from_reporter", "Nog een aanvulling")
    assert await _stored(database) == {}


async def test_a_named_reply_of_the_old_shape_is_relayed(
    database: Database, config: Config, clock: FrozenClock
) -> None:
    service = ReportService(config, database, clock)
    await _reported(service)
    await _store(database, "nina", REPLY_BY_REFERENCE_AT_TEXT, clock)
    chat = Chat(service, user="nina", name="Nina")
    await chat.say("Het bed staat nog steeds te laag")
    await chat.tap("send")
    [message] = await table_rows(database, ReporterMessage)
    assert (message.direction, message.text) == (
        "from_reporter",
        "Het bed staat nog steeds te laag",
    )
    assert await _stored(database) == {}


async def test_a_triage_of_the_old_shape_continues_and_is_recorded(
    database: Database, config: Config, clock: FrozenClock
) -> None:
    service = ReportService(config, database, clock)
    await _reported(service)
    await _store(database, "lead-noord", TRIAGE_AT_FREQUENCY, clock)
    leader = Chat(service, user="lead-noord", name="Lea")
    await leader.say("monthly")
    await leader.tap("major")
    assert "Risicoscore: 3" in leader.question.text and "nader onderzoek" in leader.question.text
    await leader.tap("confirm")
    [report] = await table_rows(database, Report)
    assert (report.status, report.triage_outcome, report.risk_score) == ("triaged", "internal", 3)
    assert "lead-noord" not in await _stored(database)


async def test_a_triage_in_the_change_menu_of_the_old_shape_goes_on(
    database: Database, config: Config, clock: FrozenClock
) -> None:
    service = ReportService(config, database, clock)
    await _reported(service)
    await _store(database, "lead-noord", TRIAGE_CHANGING, clock)
    leader = Chat(service, user="lead-noord", name="Lea")
    await leader.say("Gevolg")  # the change menu, typed
    await leader.tap("minor")
    await leader.tap("confirm")
    [report] = await table_rows(database, Report)
    assert (report.status, report.risk_frequency, report.risk_consequence) == (
        "triaged",
        "monthly",
        "minor",
    )


# ---- a stored state that cannot be read ------------------------------------------------------

UNREADABLE: dict[str, tuple[str, Any]] = {
    "a flow that no longer exists": ("retired", {**REPORT_AT_HARM, "flow": "retired"}),
    "a state that is not an object": ("report", ["harm", 6]),
    "answers that are not an object": ("report", {**REPORT_AT_HARM, "answers": "kapot"}),
    "a case flow without its report": ("triage", {**TRIAGE_AT_FREQUENCY, "meta": {}}),
    "a reference that is not text": (
        "reply",
        {**REPLY_BY_REFERENCE_AT_TEXT, "meta": {"report": 7}},
    ),
}


@pytest.mark.parametrize("case", list(UNREADABLE))
async def test_an_unreadable_draft_ends_kindly_and_the_person_can_start_again(
    database: Database, config: Config, clock: FrozenClock, case: str
) -> None:
    service = ReportService(config, database, clock)
    flow, state = UNREADABLE[case]
    async with database.transaction() as store:
        await store.save_conversation("shell", "lead-noord", flow, state, clock.now())
    assert await service.resume("shell", "lead-noord", "shell:lead-noord") == []
    chat = Chat(service, user="lead-noord", name="Lea")
    await chat.say("monthly")
    assert "kon je vorige gesprek niet voortzetten" in chat.text
    assert "er ging iets mis" not in chat.text
    assert chat.question is not None and chat.question.token == "idle"
    assert await _stored(database) == {}
    await chat.command("/melden")
    assert await _stored(database) != {}


async def test_a_mode_that_does_not_exist_is_read_as_answering(
    database: Database, config: Config, clock: FrozenClock
) -> None:
    service = ReportService(config, database, clock)
    await _store(database, "nina", {**REPORT_AT_HARM, "mode": "nonsense"}, clock)
    chat = Chat(service, user="nina", name="Nina")
    await chat.say("terug")
    assert chat.question is not None and chat.question.multi
    assert str(chat.question.token).startswith("affected.")
    state = (await _stored(database))["nina"]
    assert state["mode"] is None and state["step"] == "affected"


async def test_a_draft_at_a_step_that_no_longer_exists_resumes_at_what_is_missing(
    database: Database, config: Config, clock: FrozenClock
) -> None:
    service = ReportService(config, database, clock)
    retired = {**REPORT_AT_HARM, "step": "retired-step"}
    # after a restart
    await _store(database, "nina", retired, clock)
    [resumed, question] = await service.resume("shell", "nina", "shell:nina")
    assert "We gaan verder" in resumed.text and "gewond" in question.text
    nina = Chat(service, user="nina", name="Nina")
    await nina.say("none")
    assert (await _stored(database))["nina"]["answers"]["harm"] == "none"
    # /melden in the middle of it: it goes on where it was
    await _store(database, "piet", retired, clock)
    piet = Chat(service, user="piet", name="Piet")
    await piet.command("/melden")
    assert "We gaan verder" in piet.text and "gewond" in piet.text
    assert "er ging iets mis" not in piet.text
    await piet.say("none")
    assert (await _stored(database))["piet"]["answers"]["harm"] == "none"
