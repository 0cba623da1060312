"""Opening the database at start (``run``, ``shell``, ``sweep`` and the other commands).

A database that is still starting (connection refused) is waited for, with backoff and a log
line per retry; one that can't work (login refused, database missing, an SQLite file that
can't be made) stops the command with a plain message naming the URL without its password.
"""

from __future__ import annotations

import asyncio

import structlog

from bot.config import Config, ConfigError
from bot.retry import AT_START, Backoff, Sleep, StartupError, retry
from storage import migrate
from storage.db import Database, start_problem, unavailable

log = structlog.get_logger("vimbot.startup")


async def open_database(
    config: Config,
    upgrade_sqlite: bool = True,
    *,
    backoff: Backoff = AT_START,
    sleep: Sleep = asyncio.sleep,
) -> Database:
    """The database, reachable, with the schema brought up to date on the embedded SQLite
    default. On PostgreSQL (shared by several processes) migrations are an explicit step."""
    db = Database(config.database.url)
    try:
        await reachable(db, backoff=backoff, sleep=sleep)
        if not await migrate.is_up_to_date(db):
            if not (db.is_sqlite and upgrade_sqlite):
                raise ConfigError("the database schema is not up to date: run `vimbot db upgrade`")
            await migrate.upgrade(db)
    except BaseException:
        await db.dispose()
        raise
    return db


async def reachable(
    db: Database, *, backoff: Backoff = AT_START, sleep: Sleep = asyncio.sleep
) -> None:
    """Return once the database answers; StartupError when it can't or doesn't in time."""
    # An SQLite file is local: nothing to wait for, whatever went wrong.
    temporary = (lambda error: None) if db.is_sqlite else unavailable
    try:
        await retry(
            db.ping,
            temporary,
            log=log,
            event="database_unreachable_retrying",
            backoff=backoff,
            sleep=sleep,
            url=db.safe_url,
        )
    except Exception as error:
        raise StartupError(start_problem(db, error)) from error
