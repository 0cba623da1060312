"""``vimbot run``: every configured adapter plus the scheduler, in one asyncio loop.

With no messenger configured the terminal adapter runs, so a newcomer can report at once.
SIGTERM/SIGINT stop it cleanly: the turn in progress is finished and stored first.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import signal
from typing import Protocol

import structlog

from bot.adapters.terminal import TerminalAdapter
from bot.casework.scheduled import Sweeper
from bot.clock import Clock, SystemClock
from bot.config import Config
from bot.http_server import HttpServer
from bot.outbox import ROUND, Dispatcher, DispatchResult, Sender
from bot.retry import Backoff, Sleep
from bot.service import ReportService
from bot.startup import open_database
from scheduler import build_scheduler
from storage.db import Database

log = structlog.get_logger("vimbot.run")


class Adapter(Protocol):
    async def start(self) -> None: ...
    async def stop(self) -> None: ...


class Bot:
    """Everything `vimbot run` starts, so tests can start and stop the same thing."""

    def __init__(
        self,
        config: Config,
        db: Database,
        clock: Clock | None = None,
        sleep: Sleep = asyncio.sleep,  # the pause between retries at start (tests don't wait)
    ) -> None:
        self.config = config
        self.db = db
        self.clock = clock or SystemClock()
        self.service = ReportService(config, db, self.clock)
        self.senders: dict[str, Sender] = {}
        self.dispatcher = Dispatcher(db, self.clock, self.senders, self._render)
        self.adapters: list[Adapter] = []
        self.http: HttpServer | None = None
        self._kicks: set[asyncio.Task[None]] = set()  # the running delivery round, if any
        self._kick_again = False
        webhook = config.telegram.enabled and config.telegram.mode == "webhook"
        if webhook or (config.slack.enabled and config.slack.mode == "http"):
            self.http = HttpServer(config.server.host, config.server.port)
        if config.telegram.enabled:
            from bot.adapters.telegram import TelegramAdapter

            telegram = TelegramAdapter(
                config, self.service, self.http, self.kick_outbox, sleep, self.clock
            )
            self.adapters.append(telegram)
            self.senders["telegram"] = telegram.sender
        if config.slack.enabled:
            from bot.adapters.slack import SlackAdapter

            slack = SlackAdapter(config, self.service, self.http, self.kick_outbox, sleep)
            self.adapters.append(slack)
            self.senders["slack"] = slack.sender
        self.sweeper = Sweeper(config, db, self.clock)
        self.scheduler = build_scheduler(self.dispatcher, self.sweeper)

    async def _render(self, instruction: str) -> tuple[str, bytes]:
        """A digest's document, made when it is sent (bot.register.render_document)."""
        from bot.register import render_document

        return await render_document(self.db, self.config, instruction)

    def kick_outbox(self) -> None:
        """Deliver new notifications now rather than at the next scheduler tick.

        One round at a time: kicks that come while a round runs make one more round after
        it (what they queued may have been committed after the round looked), not a round
        each."""
        if self._kicks:
            self._kick_again = True
            return
        task = asyncio.get_running_loop().create_task(self._kicked_rounds())
        self._kicks.add(task)
        task.add_done_callback(self._kicks.discard)

    async def _kicked_rounds(self) -> None:
        again = True
        while again:
            self._kick_again = False
            try:
                result = await self.dispatcher.dispatch_due(limit=ROUND)
            except Exception as error:  # the scheduler's tick tries again
                log.warning("outbox_round_failed", error=type(error).__name__)
                result = DispatchResult()
            again = self._kick_again or result.handled >= ROUND  # a full round: more may wait
        # Forgotten now, not by the done-callback a step later: a kick in between would
        # otherwise only mark this finished task for another round.
        current = asyncio.current_task()
        if current is not None:
            self._kicks.discard(current)  # type: ignore[arg-type]

    async def start(self) -> None:
        if self.http is not None:
            await self.http.start()
        for adapter in self.adapters:
            await adapter.start()
        self.scheduler.start()
        # Open reports planned again if the deadline rules changed since the last start.
        await self.sweeper.replan_if_rules_changed()
        # Catch up on what fell due while the bot was down: digests once, nudges, the outbox.
        await self.sweeper.send_due_digests()
        await self.sweeper.sweep_nudges()
        await self.dispatcher.dispatch_due()

    async def stop(self) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        for adapter in reversed(self.adapters):
            with contextlib.suppress(Exception):
                await adapter.stop()
        if self._kicks:
            await asyncio.gather(*self._kicks, return_exceptions=True)
        if self.http is not None:
            await self.http.stop()


# Objects made before the garbage collector looks at the youngest ones again (Python's
# default: 700). A turn makes a few thousand, nearly all freed at once by their reference
# counts; at 700 the collector ran several times a turn for the few left.
YOUNG_OBJECTS = 10_000


def set_aside_what_lives_forever() -> None:
    """Once built, before it starts (so no turn waits for it): everything made so far (the
    modules, SQLAlchemy's tables and mappers, Babel's locale data, the flows, the adapters
    and their clients) lives as long as the process. Left where it is, the garbage
    collector's full collections walked all of it again and again under load, about a
    seventh of a turn's CPU (benchmarks/README.md); frozen (``gc.freeze``), they look only at
    what turns make. Garbage made so far is collected first; what is frozen and becomes
    garbage later (little: it is made to last) stays. The youngest objects are then looked
    at less often (``YOUNG_OBJECTS``): another thirtieth of a turn."""
    gc.collect()
    gc.freeze()
    _, middle, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG_OBJECTS, middle, oldest)


async def run_bot(config: Config, terminal_user: str) -> None:
    db = await open_database(config, backoff=Backoff(total=config.database.wait_at_start))
    bot = Bot(config, db)
    set_aside_what_lives_forever()  # before the first turn can come in
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    waiters: set[asyncio.Task[object]] = {asyncio.create_task(stop.wait())}
    try:
        await bot.start()
        if not bot.adapters:
            terminal = TerminalAdapter(bot.service, terminal_user, render_document=bot._render)
            waiters.add(asyncio.create_task(terminal.run()))
        log.info("vimbot_running", adapters=[type(a).__name__ for a in bot.adapters])
        await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in waiters:
            task.cancel()
        await bot.stop()
        await db.dispose()
