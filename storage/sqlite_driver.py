"""SQLite through aiosqlite with one trip to the database thread per statement.

aiosqlite runs every call on its own thread and hands the result back through the event
loop. SQLAlchemy's adapter makes four such trips for one statement (open a cursor, execute,
fetch the rows, close the cursor), and a rollback when a connection goes back to the pool
even after a commit. Each trip wakes the thread and the loop and passes the GIL back and
forth; on a busy bot that was most of a turn's cost. Here a statement is one function run
on the connection's thread (cursor, execute, rows, close together), and commit and rollback
are skipped when no transaction is open. Everything else is SQLAlchemy's own aiosqlite
dialect; server-side (streaming) cursors keep its cursor.

``BEGIN IMMEDIATE`` takes no trip of its own either: it is sent at the start of the
transaction's first trip (a transaction that runs no statement costs none), and
:meth:`OneTripConnection.call` runs a whole function of several statements in one trip (a
turn's reads; its last write with the commit: ``storage.queries.turn``).

Used by :class:`storage.db.Database` for every ``sqlite+aiosqlite`` URL.
"""

from __future__ import annotations

import collections
import sqlite3
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import aiosqlite
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
    AsyncAdapt_aiosqlite_ss_cursor,
)
from sqlalchemy.util import EMPTY_DICT
from sqlalchemy.util.concurrency import await_

T = TypeVar("T")
Rows = list[Any]
Outcome = tuple[Any, Rows, int, Any]
BEGIN = "BEGIN IMMEDIATE"


Deferred = list[tuple[str, list[Sequence[Any]]]]  # statements and their rows, in order


def _with_begin(
    conn: sqlite3.Connection,
    begin: bool,
    deferred: Deferred,
    fn: Callable[..., Any],
    args: tuple[Any, ...],
) -> tuple[Any, bool]:
    """On the database thread: the pending BEGIN, the deferred writes, then ``fn``; and
    whether a transaction is open afterwards."""
    if begin:
        conn.execute(BEGIN)
    for statement, rows in deferred:
        conn.executemany(statement, rows)
    return fn(conn, *args), conn.in_transaction


def _run(conn: sqlite3.Connection, operation: str, parameters: Any, many: bool = False) -> Outcome:
    """On the database thread: the whole statement, from cursor to closed cursor."""
    cursor = conn.cursor()
    try:
        if many:
            cursor.executemany(operation, parameters)
        elif parameters is None:
            cursor.execute(operation)
        else:
            cursor.execute(operation, parameters)
        description = cursor.description
        rows = cursor.fetchall() if description else []
        return description, rows, cursor.rowcount, cursor.lastrowid
    finally:
        cursor.close()


def _nothing(conn: sqlite3.Connection) -> None:
    """A trip for what is pending only (the BEGIN, the deferred writes)."""


def _end(conn: sqlite3.Connection, commit: bool) -> None:
    if commit:
        conn.commit()
    else:
        conn.rollback()


class OneTripCursor(AsyncAdapt_aiosqlite_cursor):
    """A cursor whose statements each take one trip to the database thread."""

    __slots__ = ("_description", "_lastrowid", "_rowcount")

    def __init__(self, adapt_connection: OneTripConnection) -> None:  # no cursor to open
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        self._cursor = None  # type: ignore[assignment]
        self._soft_closed_memoized = EMPTY_DICT
        self._rows = collections.deque()
        self._description: Any = None
        self._rowcount = -1
        self._lastrowid: Any = None

    @property
    def description(self) -> Any:
        return self._description

    @property
    def rowcount(self) -> int:
        return self._rowcount

    @property
    def lastrowid(self) -> Any:
        return self._lastrowid

    @property
    def arraysize(self) -> int:
        return 1

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        pass

    async def _async_soft_close(self) -> None:
        """Nothing is open between trips."""

    def close(self) -> None:
        self._rows.clear()

    async def _execute_async(self, operation: Any, parameters: Any) -> Any:
        return await self._trip(operation, parameters, many=False)

    async def _executemany_async(self, operation: Any, seq_of_parameters: Any) -> Any:
        return await self._trip(operation, seq_of_parameters, many=True)

    async def _trip(self, operation: Any, parameters: Any, many: bool) -> None:
        adapt = self._adapt_connection
        assert isinstance(adapt, OneTripConnection)
        outcome: Outcome = await adapt.call(_run, operation, parameters, many)
        self._description, rows, self._rowcount, self._lastrowid = outcome
        self._rows = collections.deque(rows)


class OneTripStreamingCursor(AsyncAdapt_aiosqlite_ss_cursor):
    """SQLAlchemy's server-side (streaming) cursor, which talks to aiosqlite itself: the
    pending BEGIN and deferred writes are sent first, so the rows it reads are the
    transaction's own."""

    __slots__ = ()

    async def _execute_async(self, operation: Any, parameters: Any) -> Any:
        adapt = self._adapt_connection
        assert isinstance(adapt, OneTripConnection)
        await adapt.send_pending()
        return await super()._execute_async(operation, parameters)

    async def _executemany_async(self, operation: Any, seq_of_parameters: Any) -> Any:
        adapt = self._adapt_connection
        assert isinstance(adapt, OneTripConnection)
        await adapt.send_pending()
        return await super()._executemany_async(operation, seq_of_parameters)


class OneTripConnection(AsyncAdapt_aiosqlite_connection):
    """Commit and rollback without a trip when there is no transaction to end; BEGIN with
    the first statement; several statements in one trip (:meth:`call`)."""

    __slots__ = ("_begin_pending", "_deferred", "_in_transaction")
    _cursor_cls = OneTripCursor  # type: ignore[assignment]
    _ss_cursor_cls = OneTripStreamingCursor  # type: ignore[assignment]

    def __init__(self, dbapi: Any, connection: Any) -> None:  # an aiosqlite.Connection
        super().__init__(dbapi, connection)
        # Unknown until a statement has run; assume a transaction so the first end is real.
        self._in_transaction = True
        self._begin_pending = False
        self._deferred: Deferred = []

    def begin_with_next_trip(self) -> None:
        """Open the transaction (``BEGIN IMMEDIATE``) at the start of the next trip."""
        self._begin_pending = True
        self._deferred.clear()

    def defer(self, statement: str, rows: list[Sequence[Any]]) -> None:
        """A write sent at the start of the transaction's next trip (a later statement, or
        the COMMIT), in the order given: it costs no trip of its own."""
        self._deferred.append((statement, rows))

    async def call(self, fn: Callable[..., T], *args: Any) -> T:
        """``fn(sqlite3_connection, *args)`` on the database thread, in one trip (after the
        pending BEGIN and the deferred writes). ``fn`` runs statements only: no waiting, no
        work for the event loop."""
        async with self._execute_mutex:
            begin, self._begin_pending = self._begin_pending, False
            deferred, self._deferred = self._deferred, []
            if begin:
                self._in_transaction = True  # even if fn fails: the rollback is real
            result, in_tx = await self._connection._execute(
                _with_begin, self._connection._conn, begin, deferred, fn, args
            )
        self._in_transaction = in_tx
        return result  # type: ignore[no-any-return]

    async def send_pending(self) -> None:
        """Send the pending BEGIN and the deferred writes now (a trip), if there are any."""
        if self._begin_pending or self._deferred:
            await self.call(_nothing)

    async def reset(self) -> None:
        """After a failure: nothing pending, and no transaction left open on the database
        thread (rolled back there if one is), whatever SQLAlchemy made of the failure."""
        self._deferred.clear()
        self._begin_pending = False
        await self.call(_end, False)  # a rollback with nothing open does nothing

    def _end(self, commit: bool) -> None:
        if not commit:
            self._deferred.clear()  # never written
        if self._begin_pending and not self._deferred:  # nothing ran: nothing to end
            self._begin_pending = False
            return
        if not (self._in_transaction or self._begin_pending) or not self._connection._connection:
            return
        try:
            await_(self.call(_end, commit))
        except Exception as error:
            self._handle_exception(error)
        self._in_transaction = False

    def commit(self) -> None:
        self._end(commit=True)

    def rollback(self) -> None:
        self._end(commit=False)


class OneTripDBAPI(AsyncAdapt_aiosqlite_dbapi):
    """The DBAPI module handed to SQLAlchemy (``create_async_engine(..., module=...)``)."""

    def connect(self, *arg: Any, **kw: Any) -> OneTripConnection:
        connection = self.aiosqlite.connect(*arg, **kw)
        connection._thread.daemon = True  # as SQLAlchemy's dialect does
        return OneTripConnection(self, await_(connection))


def dbapi() -> OneTripDBAPI:
    return OneTripDBAPI(aiosqlite, sqlite3)


__all__: Sequence[str] = ("OneTripConnection", "OneTripCursor", "dbapi")
