"""The contract suite (tests/adapters/contract.py) run by every adapter against its own fake."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from slack_bolt.async_app import AsyncApp

from bot.adapters.slack import app as slack_app
from bot.clock import FrozenClock
from storage.db import Database
from tests.adapters import contract
from tests.fakes.recording import free_port
from tests.fakes.slack_api import FakeSlack
from tests.fakes.telegram_api import FakeTelegram

ADAPTERS = ["terminal", "telegram", "slack"]


async def _telegram(sqlite_db: Database, clock: FrozenClock) -> AsyncIterator[Any]:
    fake = FakeTelegram()
    await fake.start()
    driver = contract.TelegramDriver(fake, sqlite_db, clock)
    await driver.start()
    try:
        yield driver
    finally:
        await driver.close()
        await fake.stop()


async def _slack(
    sqlite_db: Database, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Any]:
    class ProcessingBeforeAck(AsyncApp):
        """A request's turn is over (its replies sent) when the request returns."""

        def __init__(self, **options: Any) -> None:
            super().__init__(**{**options, "process_before_response": True})

    monkeypatch.setattr(slack_app, "AsyncApp", ProcessingBeforeAck)
    fake = FakeSlack()
    await fake.start()
    driver = contract.SlackDriver(fake, sqlite_db, clock, free_port())
    await driver.start()
    try:
        yield driver
    finally:
        await driver.close()
        await fake.stop()


@pytest.fixture(params=ADAPTERS)
async def driver(
    request: pytest.FixtureRequest,
    sqlite_db: Database,
    clock: FrozenClock,
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[Any]:
    if request.param == "terminal":
        terminal = contract.TerminalDriver(sqlite_db, clock)
        try:
            yield terminal
        finally:
            await terminal.close()
        return
    drivers = _telegram(sqlite_db, clock) if request.param == "telegram" else None
    if drivers is None:
        drivers = _slack(sqlite_db, clock, monkeypatch)
    async for running in drivers:
        yield running


async def test_a_full_report_takes_the_same_inputs_on_every_adapter(driver: Any) -> None:
    await contract.full_report(driver)


async def test_a_draft_is_resumed_after_a_restart_on_every_adapter(driver: Any) -> None:
    await contract.resumed_draft(driver)


async def test_an_anonymous_report_then_status_code_on_every_adapter(driver: Any) -> None:
    await contract.anonymous_status(driver)


async def test_a_leader_triages_from_the_notification_on_every_adapter(driver: Any) -> None:
    await contract.leader_triage(driver)


async def test_a_message_queued_after_a_429_comes_whole_on_every_adapter(driver: Any) -> None:
    if not driver.rate_limited:
        pytest.skip(f"{type(driver).__name__}.rate_limited is False: no rate limit to meet")
    await contract.queued_after_429(driver)
