"""The clock of the bot: APScheduler triggers periodic work; the truth lives in the database.

A restart loses nothing (due work is found again in the tables) and sends nothing twice
(each row is marked when it is done).
"""

from __future__ import annotations

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.outbox import Dispatcher

OUTBOX_INTERVAL_SECONDS = 5


def build_scheduler(dispatcher: Dispatcher) -> AsyncIOScheduler:
    scheduler = AsyncIOScheduler(timezone="UTC")
    scheduler.add_job(
        dispatcher.dispatch_due,
        "interval",
        seconds=OUTBOX_INTERVAL_SECONDS,
        id="outbox",
        max_instances=1,
        coalesce=True,
    )
    return scheduler
