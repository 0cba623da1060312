"""The clock of the bot, and nothing else: APScheduler says when the periodic work of
``bot/casework/scheduled.py`` and the outbox runs; the truth lives in the database.

A restart loses nothing (due work is found again in the tables) and sends nothing twice
(each row is marked when it is done).
"""

from __future__ import annotations

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.casework.scheduled import Sweeper
from bot.outbox import Dispatcher

OUTBOX_INTERVAL_SECONDS = 5


def build_scheduler(dispatcher: Dispatcher, sweeper: Sweeper) -> AsyncIOScheduler:
    scheduler = AsyncIOScheduler(timezone="UTC")
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
    # the weekly review, and the quarterly and half-yearly ones on the first of their month
    for job, when in (
        ("weekly", {"day_of_week": config.digests.weekly_day}),
        ("quarterly", {"month": "1,4,7,10", "day": 1}),
    ):
        scheduler.add_job(
            digests, "cron", hour=hour, minute=minute, timezone=tz, id=job, coalesce=True, **when
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
        sweeper.forget_old_updates,
        "interval",
        hours=6,
        id="forget-updates",
        max_instances=1,
        coalesce=True,
    )
    return scheduler
