"""The clock of the bot: APScheduler triggers periodic work; the truth lives in the database.

A restart loses nothing (due work is found again in the tables) and sends nothing twice
(each row is marked when it is done).
"""

from __future__ import annotations

from datetime import timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.clock import Clock
from bot.outbox import Dispatcher
from scheduler.sweep import Sweeper
from storage.db import Database

OUTBOX_INTERVAL_SECONDS = 5
REMEMBER_UPDATES = timedelta(days=7)  # platforms redeliver within hours, not weeks


async def forget_old_updates(db: Database, clock: Clock) -> int:
    """Drop the record of processed platform deliveries once no redelivery can come."""
    async with db.transaction() as store:
        return await store.forget_updates_before(clock.now() - REMEMBER_UPDATES)


def build_scheduler(
    dispatcher: Dispatcher, db: Database, clock: Clock, sweeper: Sweeper | None = None
) -> AsyncIOScheduler:
    scheduler = AsyncIOScheduler(timezone="UTC")
    if sweeper is not None:
        config = sweeper.config
        tz = config.organisation.tz
        hour, minute = map(int, config.digests.weekly_time.split(":"))

        async def sweep() -> None:
            await sweeper.sweep_nudges()
            await sweeper.housekeeping()
            await dispatcher.dispatch_due()

        async def digests() -> None:
            await sweeper.send_due_digests()
            await dispatcher.dispatch_due()

        scheduler.add_job(sweep, "interval", minutes=1, id="nudges", max_instances=1, coalesce=True)
        scheduler.add_job(
            digests,
            "cron",
            day_of_week=config.digests.weekly_day,
            hour=hour,
            minute=minute,
            timezone=tz,
            id="weekly",
            coalesce=True,
        )
        scheduler.add_job(
            digests,
            "cron",
            month="1,4,7,10",
            day=1,
            hour=hour,
            minute=minute,
            timezone=tz,
            id="quarterly",
            coalesce=True,
        )
    scheduler.add_job(
        dispatcher.dispatch_due,
        "interval",
        seconds=OUTBOX_INTERVAL_SECONDS,
        id="outbox",
        max_instances=1,
        coalesce=True,
    )
    scheduler.add_job(
        forget_old_updates,
        "interval",
        hours=6,
        args=(db, clock),
        id="forget-updates",
        max_instances=1,
        coalesce=True,
    )
    return scheduler
