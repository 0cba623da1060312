"""SQLite through aiosqlite with one trip to the database thread per statement.

aiosqlite runs every call on its own thread and hands the result back through the event
loop. SQLAlchemy's adapter makes four such trips for one statement (open a cursor, execute,
fetch the rows, close the cursor), and a rollback when a connection goes back to the pool
even after a commit. Each trip wakes the thread and the loop and passes the GIL back and
forth; on a busy bot that was most of a turn's cost. Here a statement is one function run
on the connection's thread (cursor, execute, rows, close together), and commit and rollback
are skipped when no transaction is open. Everything else is SQLAlchemy's own aiosqlite
dialect; server-side (streaming) cursors keep its cursor.

Used by :class:`storage.db.Database` for every ``sqlite+aiosqlite`` URL.
"""

from __future__ import annotations

import collections
import sqlite3
from collections.abc import Sequence
from typing import Any

import aiosqlite
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
)
from sqlalchemy.util import EMPTY_DICT
from sqlalchemy.util.concurrency import await_

Rows = list[Any]
Outcome = tuple[Any, Rows, int, Any, bool]


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
        return description, rows, cursor.rowcount, cursor.lastrowid, conn.in_transaction
    finally:
        cursor.close()


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
        async with adapt._execute_mutex:
            conn = self._connection._conn
            outcome: Outcome = await self._connection._execute(
                _run, conn, operation, parameters, many
            )
        self._description, rows, self._rowcount, self._lastrowid, in_tx = outcome
        self._rows = collections.deque(rows)
        assert isinstance(adapt, OneTripConnection)
        adapt._in_transaction = in_tx


class OneTripConnection(AsyncAdapt_aiosqlite_connection):
    """Commit and rollback without a trip when there is no transaction to end."""

    __slots__ = ("_in_transaction",)
    _cursor_cls = OneTripCursor  # type: ignore[assignment]

    def __init__(self, dbapi: Any, connection: Any) -> None:  # an aiosqlite.Connection
        super().__init__(dbapi, connection)
        # Unknown until a statement has run; assume a transaction so the first end is real.
        self._in_transaction = True

    def _end(self, commit: bool) -> None:
        if not self._in_transaction or not self._connection._connection:
            return
        try:
            await_(self._connection._execute(_end, self._connection._conn, commit))
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
