"""Turns that queue notifications wake the outbox; kicks that come while a delivery round is
running are folded into one more round, not a round each (under load every report kicked
its own round, and each round is a transaction, most of them finding nothing)."""

from __future__ import annotations

import asyncio

from bot.clock import FrozenClock
from bot.config import Config
from bot.outbox import ROUND, DispatchResult
from bot.runner import Bot
from storage.db import Database


class CountingDispatcher:
    def __init__(self) -> None:
        self.rounds = 0
        self.release = asyncio.Event()
        self.started = asyncio.Event()

    async def dispatch_due(self, limit: int = 100) -> DispatchResult:
        self.rounds += 1
        self.started.set()
        await self.release.wait()
        return DispatchResult()


async def _settled(bot: Bot) -> None:
    while bot._kicks:
        await asyncio.gather(*bot._kicks)


async def test_kicks_during_a_round_make_one_more_round(
    config: Config, sqlite_db: Database, clock: FrozenClock
) -> None:
    bot = Bot(config, sqlite_db, clock)
    dispatcher = CountingDispatcher()
    bot.dispatcher = dispatcher  # type: ignore[assignment]
    bot.kick_outbox()
    await dispatcher.started.wait()
    for _ in range(20):  # twenty turns queue notifications while the first round runs
        bot.kick_outbox()
    dispatcher.release.set()
    await _settled(bot)
    assert dispatcher.rounds == 2  # the round that ran, and one for what came during it
    bot.kick_outbox()  # a later kick starts a round of its own
    await _settled(bot)
    assert dispatcher.rounds == 3


async def test_a_full_round_is_followed_by_another(
    config: Config, sqlite_db: Database, clock: FrozenClock
) -> None:
    """More due than one round takes: the rounds go on until one is not full."""
    bot = Bot(config, sqlite_db, clock)
    handled = [ROUND, ROUND, 3]

    class Busy:
        async def dispatch_due(self, limit: int = 100) -> DispatchResult:
            return DispatchResult(sent=handled.pop(0))

    bot.dispatcher = Busy()  # type: ignore[assignment]
    bot.kick_outbox()
    await _settled(bot)
    assert handled == []


async def test_a_failing_round_does_not_stop_later_kicks(
    config: Config, sqlite_db: Database, clock: FrozenClock
) -> None:
    bot = Bot(config, sqlite_db, clock)

    class Failing:
        rounds = 0

        async def dispatch_due(self, limit: int = 100) -> DispatchResult:
            Failing.rounds += 1
            raise RuntimeError("database gone")

    bot.dispatcher = Failing()  # type: ignore[assignment]
    bot.kick_outbox()
    await _settled(bot)
    bot.kick_outbox()
    await _settled(bot)
    assert Failing.rounds == 2


async def test_a_kick_right_after_the_last_round_starts_a_round(
    config: Config, sqlite_db: Database, clock: FrozenClock
) -> None:
    """The round decided it was the last; a turn kicks in the same step of the loop, before
    the finished task is forgotten: that kick still makes a round (not the scheduler's)."""
    bot = Bot(config, sqlite_db, clock)
    dispatcher = CountingDispatcher()
    bot.dispatcher = dispatcher  # type: ignore[assignment]
    bot.kick_outbox()
    await dispatcher.started.wait()
    dispatcher.release.set()
    asyncio.get_running_loop().call_soon(bot.kick_outbox)
    await _settled(bot)
    for _ in range(5):  # let the loop run what the kick scheduled
        await asyncio.sleep(0)
    await _settled(bot)
    assert dispatcher.rounds == 2
