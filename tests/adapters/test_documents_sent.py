"""The committee's quarterly digest carries its PDF in the chat: the real Telegram
Application (``sendDocument``) and the real slack_sdk client (``files_upload_v2``) against
the fake APIs. Assertions read what reached the fakes: the bytes, the file name, the chat."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from datetime import datetime

import pytest
from pypdf import PdfReader

from bot.clock import FrozenClock
from bot.config import Config
from bot.runner import Bot
from bot.service import ReportService
from storage.db import Database
from tests.fakes.slack_api import APP_TOKEN, BOT_TOKEN, SIGNING_SECRET, FakeSlack
from tests.fakes.telegram_api import FakeTelegram
from tests.helpers import AMS, make_config
from tests.helpers import send_form as _send

COMMITTEE = 5150
NAME = "vim-quarterly-2026-Q3.pdf"


@pytest.fixture
async def telegram() -> AsyncIterator[FakeTelegram]:
    server = FakeTelegram()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    server = FakeSlack()
    await server.start()
    yield server
    await server.stop()


def _roles(committee: list[str]) -> dict[str, list[str]]:
    return {
        "coordinator": ["shell:coord"],
        "board": ["shell:board"],
        "committee": committee,
    }


async def _a_quarter_with_a_report(config: Config, db: Database, clock: FrozenClock) -> None:
    """A report in 2026-Q3, then the first of October: the quarterly digest is due."""
    clock.set(datetime(2026, 8, 7, 10, 0, tzinfo=AMS))
    await _send(
        ReportService(config, db, clock),
        description="Mevrouw Jansen sloeg mij",
        categories=["physical_aggression"],
        affected=["client", "employee"],
        harm="minor",
        first_aid="given",
    )
    clock.set(datetime(2026, 10, 1, 9, 0, tzinfo=AMS))


def _anonymised_pdf(data: bytes) -> None:
    assert data.startswith(b"%PDF")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    assert "Fysieke agressie" in text
    assert "Jansen" not in text and "sloeg" not in text


async def test_telegram_sends_the_quarterly_pdf_after_the_digest_text(
    telegram: FakeTelegram, sqlite_db: Database, clock: FrozenClock
) -> None:
    config = make_config(
        telegram={
            "enabled": True,
            "token": telegram.token,
            "base_url": telegram.base_url,
            "poll_timeout": 1,
        },
        roles=_roles([f"telegram:{COMMITTEE}"]),
    )
    await _a_quarter_with_a_report(config, sqlite_db, clock)
    bot = Bot(config, sqlite_db, clock)
    await bot.start()  # catches up on the digests that fell due, and sends them
    try:
        sent = await telegram.wait_for(lambda c: c.method == "sendDocument")
    finally:
        await bot.stop()
    assert str(sent.params["chat_id"]) == str(COMMITTEE)
    [upload] = telegram.documents
    assert (upload.chat_id, upload.filename) == (str(COMMITTEE), NAME)
    assert sent.params["document"] == {"filename": NAME, "size": upload.size}
    _anonymised_pdf(upload.data)
    text = next(
        i
        for i, c in enumerate(telegram.calls)
        if c.method == "sendMessage" and str(c.params["chat_id"]) == str(COMMITTEE)
    )
    assert text < telegram.calls.index(sent)  # the digest's text first, then its document


@pytest.mark.parametrize("committee", ["C0COMMITTEE", "U0COMMITTEE"])
async def test_slack_uploads_the_quarterly_pdf_with_files_upload_v2(
    slack: FakeSlack, sqlite_db: Database, clock: FrozenClock, committee: str
) -> None:
    """To a channel, and to a person (their direct conversation is opened for the file)."""
    config = make_config(
        slack={
            "enabled": True,
            "bot_token": BOT_TOKEN,
            "app_token": APP_TOKEN,
            "signing_secret": SIGNING_SECRET,
            "api_url": slack.api_url,
            "mode": "socket",
        },
        roles=_roles([f"slack:{committee}"]),
    )
    await _a_quarter_with_a_report(config, sqlite_db, clock)
    bot = Bot(config, sqlite_db, clock)
    await bot.start()
    try:
        complete = await slack.wait_for(lambda c: c.method == "files.completeUploadExternal")
    finally:
        await bot.stop()
    assert complete.result["ok"], complete.result
    assert not slack.calls_of("files.upload")  # the retired method
    [(file_id, (name, data))] = slack.uploads.items()
    assert name == NAME
    _anonymised_pdf(data)
    channel = committee if committee.startswith("C") else f"D{committee}"
    assert slack.shared == {file_id: channel}
    post = next(
        c for c in slack.calls_of("chat.postMessage") if c.params.get("channel") == committee
    )
    assert slack.calls.index(post) < slack.calls.index(complete)
