"""Engine and transactions: SQLite (WAL) as the embedded default, PostgreSQL by URL."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    create_async_engine,
)

from storage import sqlite_driver
from storage.repository import Store

# PostgreSQL states that pass by themselves (besides class 08, connection exceptions): the
# server shutting down or starting up, too many connections, a serialisation failure or
# deadlock (the transaction is rolled back and may simply be run again).
TEMPORARY_SQLSTATES = frozenset({"57P01", "57P02", "57P03", "53300", "40001", "40P01"})


def normalise_url(url: str) -> str:
    """Accept the plain forms people write (``sqlite:///x.db``, ``postgresql://…``)."""
    parsed = make_url(url)
    driver = {
        "sqlite": "sqlite+aiosqlite",
        "postgresql": "postgresql+asyncpg",
        "postgres": "postgresql+asyncpg",
    }.get(parsed.drivername)
    if driver:
        parsed = parsed.set(drivername=driver)
    return parsed.render_as_string(hide_password=False)


def _prepare_sqlite(engine: AsyncEngine) -> None:
    """WAL, foreign keys, a busy timeout, secure delete, and BEGIN IMMEDIATE for every
    transaction.

    ``secure_delete`` overwrites deleted and replaced values with zeros, so an erased name or
    a value written before encryption does not linger in free pages of the file.

    A turn reads and then writes; with a deferred BEGIN two writers in WAL mode can fail to
    upgrade their lock ("database is locked"). Taking the write lock at BEGIN serialises them
    and lets the busy timeout do the waiting instead.
    """

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        driver = connection.connection.dbapi_connection
        if isinstance(driver, sqlite_driver.OneTripConnection):
            driver.begin_with_next_trip()  # sent with the first statement: no trip of its own
        else:
            connection.exec_driver_sql(sqlite_driver.BEGIN)


class Database:
    """One engine per process; ``transaction()`` is the unit of work."""

    def __init__(self, url: str, **engine_options: Any) -> None:
        self.url = normalise_url(url)
        self.options = dict(engine_options)  # to open a second engine alike (tests, tools)
        parsed = make_url(self.url)
        self.is_sqlite = parsed.get_backend_name() == "sqlite"
        if self.is_sqlite and parsed.database and parsed.database != ":memory:":
            # If the directory can't be made, connecting says so (see start_problem).
            with contextlib.suppress(OSError):
                Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        if not self.is_sqlite:
            engine_options.setdefault("pool_pre_ping", True)
        elif parsed.drivername == "sqlite+aiosqlite":
            engine_options.setdefault("module", sqlite_driver.dbapi())  # one trip per statement
        self.engine = create_async_engine(self.url, **engine_options)
        if self.is_sqlite:
            _prepare_sqlite(self.engine)
        self._write_lock: asyncio.Lock | None = asyncio.Lock() if self.is_sqlite else None
        self._writer: tuple[AsyncConnection, Any] | None = None  # see _writer_connection

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Store]:
        """All reads and writes of one turn; committed together or not at all.

        SQLite has one writer at a time. Rather than let pooled connections compete for the
        lock (SQLite's busy handler then sleeps between retries, and throughput collapses),
        transactions of this process take turns on an asyncio lock; the busy timeout still
        covers other processes on the same file.
        """
        if self._write_lock is None:
            async with self.engine.connect() as connection:
                await connection.begin()
                async with self._unit_of_work(Store(connection)) as store:
                    yield store
            return
        async with self._write_lock:
            connection, driver = await self._writer_connection()
            try:
                await connection.begin()
                async with self._unit_of_work(Store(connection, driver)) as store:
                    yield store
            except BaseException:
                # The kept connection must come out of a failure as a pooled one would: no
                # transaction left open (in SQLAlchemy or in SQLite, with its write lock).
                try:
                    if connection.closed or connection.invalidated:
                        raise ConnectionError("the kept connection is gone")
                    await connection.rollback()  # also a transaction whose COMMIT failed
                    await driver.reset()
                except Exception:
                    self._writer = None  # made anew for the next transaction
                    with contextlib.suppress(Exception):
                        await connection.close()
                raise

    @staticmethod
    @asynccontextmanager
    async def _unit_of_work(store: Store) -> AsyncIterator[Store]:
        try:
            yield store
        except BaseException:
            await store.end(commit=False)
            raise
        await store.end(commit=True)  # if the COMMIT fails, the caller ends the transaction

    async def _writer_connection(self) -> tuple[AsyncConnection, Any]:
        """SQLite: the connection every transaction of this process uses in turn (they take
        turns anyway): no checkout from the pool and back for each one."""
        if self._writer is None:
            connection = await self.engine.connect()
            raw = await connection.get_raw_connection()
            self._writer = (connection, raw.dbapi_connection)
        return self._writer

    async def drop_old_copies(self, vacuum: bool = False) -> bool:
        """After an erasure or encrypting stored values: leave no old copy in the files.

        SQLite zeroes deleted values (``secure_delete``), but its write-ahead log keeps the
        earlier versions of changed pages until a checkpoint: they are copied back and the log
        is truncated. ``vacuum`` first rebuilds the whole file (after a migration, for free
        pages written before ``secure_delete`` was on). Returns False when another process
        kept the log busy (it is then emptied at a later checkpoint). PostgreSQL needs a
        ``VACUUM (FULL)`` by its administrator (see the README); nothing is done here.
        """
        if not self.is_sqlite:
            return True
        assert self._write_lock is not None
        async with self._write_lock, self.engine.connect() as connection:
            raw = await connection.get_raw_connection()
            driver = raw.driver_connection  # the aiosqlite connection, outside any transaction
            assert driver is not None
            if vacuum:
                await driver.execute("VACUUM")
            async with driver.execute("PRAGMA wal_checkpoint(TRUNCATE)") as cursor:
                row = await cursor.fetchone()
        return row is not None and row[0] == 0

    async def dispose(self) -> None:
        writer, self._writer = self._writer, None
        if writer is not None:
            await writer[0].close()
        await self.engine.dispose()

    @property
    def safe_url(self) -> str:
        """The URL without its password, to show in messages and logs."""
        return safe_url(self.url)

    async def ping(self) -> None:
        """Connect and run ``SELECT 1``: raises what the driver raises when that fails."""
        path = make_url(self.url).database
        if self.is_sqlite and path and path != ":memory:":
            # Open the file plainly first: when aiosqlite fails to open it, its thread may
            # still be finishing as the event loop closes, and prints a traceback.
            await asyncio.to_thread(_open_sqlite, path)
        async with self.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))


def _open_sqlite(path: str) -> None:
    sqlite3.connect(Path(path).expanduser()).close()


def safe_url(url: str) -> str:
    return make_url(normalise_url(url)).render_as_string(hide_password=True)


def _causes(error: BaseException) -> Iterator[BaseException]:
    """The error, the driver's error it wraps, and what caused those."""
    seen: set[int] = set()
    todo = [error]
    while todo:
        cause = todo.pop()
        if id(cause) in seen:
            continue
        seen.add(id(cause))
        yield cause
        for inner in (getattr(cause, "orig", None), cause.__cause__, cause.__context__):
            if isinstance(inner, BaseException):
                todo.append(inner)


def _sqlstate(error: BaseException) -> str | None:
    for cause in _causes(error):
        state = getattr(cause, "sqlstate", None)
        if isinstance(state, str) and state:
            return state
    return None


def unavailable(error: BaseException) -> str | None:
    """Why the database can't be used right now, when that should pass by itself (the
    connection was refused, dropped or timed out; the server is starting or shutting down; a
    lock timed out), else None: a wrong statement, a missing table or a bug is not retried."""
    for cause in _causes(error):
        if isinstance(cause, DBAPIError) and cause.connection_invalidated:
            return "connection lost"
        if isinstance(cause, OSError):  # refused, reset, unreachable, TimeoutError
            return type(cause).__name__
        if isinstance(cause, sqlite3.OperationalError) and "locked" in str(cause):
            return "database is locked"
    state = _sqlstate(error)
    if state is not None and (state.startswith("08") or state in TEMPORARY_SQLSTATES):
        return f"SQLSTATE {state}"
    return None


def start_problem(db: Database, error: BaseException) -> str:
    """A plain sentence on why the database could not be opened, and what to check."""
    url = db.safe_url
    state = _sqlstate(error) or ""
    driver_error = next((c for c in _causes(error) if not isinstance(c, DBAPIError)), error)
    detail = str(driver_error).strip().splitlines()[0] if str(driver_error).strip() else ""
    detail = detail or type(driver_error).__name__
    if db.is_sqlite:
        path = make_url(db.url).database or ""
        return (
            f"cannot open the SQLite database {path} ({detail}): check that its directory "
            "exists and that this user may write there, or set [database] url "
            "(VIMBOT_DATABASE_URL)"
        )
    if state.startswith("28"):  # invalid authorisation: wrong password, unknown role, pg_hba
        return (
            f"the database at {url} refused the login ({detail}): check the user name and "
            "password in [database] url (VIMBOT_DATABASE_URL) and the server's pg_hba.conf"
        )
    if state == "3D000":  # invalid catalog name
        return (
            f"the database at {url} does not exist ({detail}): create it (createdb) or "
            "correct the database name in [database] url (VIMBOT_DATABASE_URL)"
        )
    if unavailable(error) is not None:
        return (
            f"could not reach the database at {url} ({detail}): check that it is running and "
            "that host and port in [database] url (VIMBOT_DATABASE_URL) are right"
        )
    return f"could not use the database at {url} ({detail})"
