"""Text people type reaches others without invisible tricks (issue 11, item 13): a description
of only invisible characters is refused like an empty one, in the conversation and in the form,
and direction overrides never reach a leader, the reporter or the database."""

from __future__ import annotations

from bot.events import Inbound, InboundKind
from bot.service import ReportService
from storage.db import Database
from storage.models import OutboxMessage, Report, ReporterMessage
from tests.helpers import Chat, table_rows

INVISIBLE = "\u200b\u200d\ufeff \u2060\u200e\u200f\u061c"
RLO, PDF, LRI, PDI = "\u202e", "\u202c", "\u2066", "\u2069"


def _has_bidi_control(text: str) -> bool:
    return any(0x202A <= ord(c) <= 0x202E or 0x2066 <= ord(c) <= 0x2069 for c in text)


async def test_description_of_only_invisible_characters_is_asked_again(
    service: ReportService, sqlite_db: Database
) -> None:
    chat = Chat(service, user="nina")
    await chat.command("/melden")
    await chat.tap("no")
    await chat.say(INVISIBLE)
    assert "nog geen tekst" in chat.text
    assert (chat.replies[-1].token or "").startswith("description.")  # asked again


async def test_form_refuses_a_description_of_only_invisible_characters(
    service: ReportService, sqlite_db: Database
) -> None:
    who = Inbound("slack", "D1", "U1", InboundKind.TEXT, user_name="Uma")
    errors, outcome = await service.submit_form(
        who,
        {
            "description": INVISIBLE,
            "when": "yesterday",
            "categories": ["fall"],
            "affected": ["client"],
            "harm": "none",
            "measures": INVISIBLE,  # optional: nothing visible is as good as skipped
            "team": "zuid",
            "contact": "team_leader",
        },
        False,
    )
    assert set(errors) == {"description"}
    assert outcome.reference is None and not await table_rows(sqlite_db, Report)


async def test_direction_overrides_never_reach_anyone(
    service: ReportService, sqlite_db: Database
) -> None:
    # The name comes from the messenger's profile, typed by the person as well.
    chat = Chat(service, user="nina", name=f"Nina {RLO}nesnaJ{PDF}")
    await chat.command("/melden")
    await chat.tap("no")
    await chat.say(f"Mevrouw viel {RLO}ddeb{PDF} uit bed")
    await chat.tap("today")
    await chat.tap("yes")  # "Klopt dat?": the suggested kind and who
    await chat.tap("none")
    await chat.say(f"Bedhek {LRI}omhoog{PDI} gezet")
    await chat.tap("team_leader")
    await chat.tap("send")
    [report] = await table_rows(sqlite_db, Report)
    assert report.description == "Mevrouw viel ddeb uit bed"
    assert report.measures == "Bedhek omhoog gezet"
    assert report.reporter_name == "Nina nesnaJ"
    [message] = await table_rows(sqlite_db, OutboxMessage)
    assert "ddeb" in message.payload["text"] and "Nina nesnaJ" in message.payload["text"]
    assert not _has_bidi_control(message.payload["text"])

    # The Slack reply form, with the reporter's own reference.
    outcome = await service.reply_by_code("shell:nina", report.reference, f"{RLO}kO{PDF}")
    assert outcome is not None and outcome.notifications
    assert not any(_has_bidi_control(m.text) for m in outcome.notifications)
    [answer] = await table_rows(sqlite_db, ReporterMessage)
    assert answer.text == "kO"
    nothing = await service.reply_by_code("shell:nina", report.reference, INVISIBLE)
    assert nothing is not None and not nothing.notifications
