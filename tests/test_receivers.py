"""A report always reaches someone, and the reporter is told who (issue 11, item 8)."""

from __future__ import annotations

from typer.testing import CliRunner

from bot.cli import app
from bot.clock import FrozenClock
from bot.config import Config
from bot.service import ReportService
from storage.db import Database
from storage.models import OutboxMessage, Report
from tests.helpers import Chat, make_config, table_rows


async def _serious_report(chat: Chat) -> None:
    """A serious report sent, in a chat where ``/melden`` has already started it."""
    await chat.report(
        "Cliënt is gevallen en heeft haar heup gebroken",
        when="now",
        harm="serious",
        start=False,
    )


async def test_without_any_receiver_the_bot_says_so_and_promises_nothing(
    sqlite_db: Database, clock: FrozenClock
) -> None:
    chat = Chat(ReportService(Config(), sqlite_db, clock), user="alice")
    await chat.command("/melden")
    first = chat.text
    assert "niemand" in first  # said plainly before the first question
    await _serious_report(chat)
    [report] = await table_rows(sqlite_db, Report)  # stored, nothing lost
    assert report.possible_calamity
    assert await table_rows(sqlite_db, OutboxMessage) == []
    confirmation = chat.text
    assert "directie" not in confirmation and "ingelicht" not in confirmation
    assert "contact met je op" not in confirmation
    assert "niemand" in confirmation


async def test_confirmation_names_who_was_told(sqlite_db: Database, clock: FrozenClock) -> None:
    config = make_config(
        roles={"coordinator": ["shell:coord"]}, teams=[{"id": "solo", "name": "Praktijk"}]
    )
    chat = Chat(ReportService(config, sqlite_db, clock), user="sam")
    await chat.command("/melden")
    await _serious_report(chat)
    assert {m.address for m in await table_rows(sqlite_db, OutboxMessage)} == {"shell:coord"}
    confirmation = chat.text
    assert "kwaliteitscoördinator" in confirmation
    assert "directie" not in confirmation  # no board configured: not claimed
    assert "leidinggevende" not in confirmation  # the team has no leader


async def test_the_calamity_line_names_the_board_only_when_it_was_told(
    sqlite_db: Database, clock: FrozenClock
) -> None:
    chat = Chat(ReportService(make_config(), sqlite_db, clock), user="nina")
    await chat.command("/melden")
    await _serious_report(chat)
    assert "directie" in chat.text and "kwaliteitscoördinator" in chat.text


def test_check_config_says_reports_cannot_be_delivered(tmp_path) -> None:
    path = tmp_path / "empty.toml"
    path.write_text("")
    result = CliRunner().invoke(app, ["--config", str(path), "check-config"])
    assert "cannot deliver reports" in result.output
