"""Holes found when issue 11 was tried again from a fresh clone: a database URL that is no
URL, a queued notification about an anonymous report that keeps its exact moment until it
goes out, an erasure that leaves the name in what the reporter typed, an erasure of an
address that is no address, and a named reporter told their answer went without their name."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bot.clock import FrozenClock
from bot.privacy import erase_person
from bot.service import ReportService
from storage.db import Database
from storage.models import OutboxMessage, Report, ReporterMessage
from tests.helpers import Chat, table_rows, vimbot

NAME = "Nina Verbeek"


async def _report(service: ReportService, user: str, send: str, text: str) -> Chat:
    chat = Chat(service, user=user, name=NAME)
    await chat.report(text, when="now", send=send)
    return chat


@pytest.mark.parametrize("url", ["not a url", "mysql://vim@db/vim", "http://example.org/x"])
def test_a_database_url_that_vimbot_cannot_use_is_a_plain_message(tmp_path: Path, url: str) -> None:
    (tmp_path / "config.toml").write_text(f'[database]\nurl = "{url}"\n')
    for command in (["check-config"], ["shell", "--user", "a"], ["db", "upgrade"]):
        result = vimbot(*command, cwd=tmp_path, stdin="nee\n")
        assert result.returncode == 2, (command, result)
        assert "Traceback" not in result.stderr + result.stdout
        assert "database.url" in result.stderr and "sqlite:///" in result.stderr


async def test_a_queued_notification_about_an_anonymous_report_keeps_no_finer_moment(
    service: ReportService, sqlite_db: Database, clock: FrozenClock
) -> None:
    await _report(service, "nina", "send_anonymous", "Mevrouw viel naast het bed")
    [message] = await table_rows(sqlite_db, OutboxMessage)
    assert message.status == "pending"
    assert (message.due_at.minute, message.due_at.second, message.due_at.microsecond) == (0, 0, 0)
    # and it still waits its random few minutes: not before two minutes from now
    assert await service.inbox("shell:lead-noord") == []
    clock.advance(timedelta(minutes=1))
    assert await service.inbox("shell:lead-noord") == []
    clock.advance(timedelta(minutes=8))
    [delivered] = await service.inbox("shell:lead-noord")
    assert "VIM-2026-0001" in delivered.text


async def test_erase_removes_the_name_from_what_the_reporter_typed(
    service: ReportService, sqlite_db: Database, clock: FrozenClock
) -> None:
    chat = await _report(
        service, "nina", "send", "Mevrouw is gevallen naast het bed, zag Nina Verbeek"
    )
    await chat.command("/status VIM-2026-0001")
    await chat.say("Groet, Nina")
    await chat.tap("send")
    await erase_person(sqlite_db, "shell:nina", clock.now())
    [report] = await table_rows(sqlite_db, Report)
    assert "Verbeek" not in report.description and "Nina" not in report.description
    texts = " ".join(m.text for m in await table_rows(sqlite_db, ReporterMessage))
    assert "Nina" not in texts
    payloads = " ".join(str(m.payload) for m in await table_rows(sqlite_db, OutboxMessage))
    assert "Nina" not in payloads


def test_erase_refuses_an_address_that_is_no_address(tmp_path: Path) -> None:
    assert vimbot("db", "upgrade", cwd=tmp_path).returncode == 0
    result = vimbot("privacy", "erase", "--person", "alice", cwd=tmp_path)
    assert result.returncode == 2 and "platform:id" in result.stderr
    result = vimbot("privacy", "erase", "--person", "shell:nobody", cwd=tmp_path)
    assert result.returncode == 0 and "nothing" in (result.stdout + result.stderr).lower()


async def test_a_named_reporter_is_not_told_their_answer_went_without_their_name(
    service: ReportService,
) -> None:
    chat = await _report(service, "nina", "send", "Mevrouw viel naast het bed")
    await chat.command("/status VIM-2026-0001")
    await chat.say("Het was kamer 4")
    await chat.tap("send")
    assert "doorgegeven" in chat.text and "zonder je naam" not in chat.text


async def test_nobody_told_is_not_called_sent(sqlite_db: Database, clock: FrozenClock) -> None:
    from bot.config import Config

    chat = Chat(ReportService(Config(), sqlite_db, clock), user="alice")
    await chat.report("Cliënt viel", when="now")
    assert "verstuurd" not in chat.text and "bewaard" in chat.text
