"""``vimbot run``: every configured adapter plus the scheduler, in one asyncio loop."""

from __future__ import annotations

import asyncio
import signal

import structlog

from bot.adapters.terminal import TerminalAdapter
from bot.clock import SystemClock
from bot.config import Config, ConfigError
from bot.outbox import Dispatcher, Sender
from bot.service import ReportService
from scheduler import build_scheduler
from storage import migrate
from storage.db import Database

log = structlog.get_logger("vimbot.run")


async def run_bot(config: Config, terminal_user: str) -> None:
    if config.messengers:
        raise ConfigError(
            f"{', '.join(config.messengers)} is enabled, but this version of vimbot has only "
            "the terminal adapter; disable it in the configuration for now"
        )
    db = Database(config.database.url)
    if not await migrate.is_up_to_date(db):
        if not db.is_sqlite:
            await db.dispose()
            raise ConfigError("the database schema is not up to date: run `vimbot db upgrade`")
        await migrate.upgrade(db)
    clock = SystemClock()
    service = ReportService(config, db, clock)
    senders: dict[str, Sender] = {}
    scheduler = build_scheduler(Dispatcher(db, clock, senders))
    scheduler.start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    terminal = asyncio.create_task(TerminalAdapter(service, terminal_user).run())
    stopper = asyncio.create_task(stop.wait())
    try:
        await asyncio.wait({terminal, stopper}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        # A turn in progress finishes (its transaction commits) before we stop.
        for task in (terminal, stopper):
            if not task.done():
                task.cancel()
        scheduler.shutdown(wait=False)
        await db.dispose()
