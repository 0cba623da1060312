"""What every query module shares: the transaction, its connection and its ORM session."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from storage.queries.one_trip import Insert, apply, fetch_all
from storage.queries.turn import TurnStatements
from storage.sqlite_driver import OneTripConnection


def _values(processors: Any, values: tuple[Any, ...]) -> tuple[Any, ...]:
    """Values as their columns store them, an unset one (None) as SQL NULL, as the ORM leaves
    it (a JSON column's processor would make it the JSON text 'null')."""
    return tuple(
        v if p is None or v is None else p(v) for p, v in zip(processors, values, strict=True)
    )


class StoreBase:
    """One transaction, on its connection; the queries are in the mixins of ``storage.queries``.

    A turn's own statements run on the connection directly. The ORM session is opened on
    the same connection and transaction the first time something needs it (a report, a
    case, the outbox): most turns never do, and skip its cost.

    New rows (events, nudges, outbox messages, audit entries) are written together when the
    transaction commits, or before the next query reads them (autoflush): one batch instead
    of a round trip each. Methods whose caller needs the new row's id flush at once."""

    __slots__ = (
        "_chat_hashes",
        "_connection",
        "_driver",
        "_last_report_id",
        "_numbers",
        "_orm",
        "_starts_read",
    )

    def __init__(self, connection: AsyncConnection, driver: Any = None) -> None:
        self._connection = connection
        self._orm: AsyncSession | None = None
        # None: not looked up yet; False: not SQLite's one-trip connection
        self._driver: OneTripConnection | Literal[False] | None = (
            driver if isinstance(driver, OneTripConnection) else None
        )
        # the stored hash of each chat loaded in this transaction (it may have been written
        # with an earlier key): saving the conversation updates that row, not a new one
        self._chat_hashes: dict[tuple[str, str], str] = {}
        # SQLite: report starts read in this transaction, per person: from when, and the
        # count of each hour since (see PeopleQueries.count_start)
        self._starts_read: dict[str, tuple[datetime, dict[datetime, int]]] = {}
        # SQLite, once a batch of turns was read: the year counters and the last report's
        # id, as they are while this transaction holds the one writer (ReportQueries)
        self._numbers: dict[int, int] | None = None
        self._last_report_id: int | None = None

    @property
    def _session(self) -> AsyncSession:
        """The ORM session of this transaction, opened on first use."""
        if self._orm is None:
            self._orm = AsyncSession(
                bind=self._connection,
                expire_on_commit=False,
                join_transaction_mode="control_fully",  # its commit is the transaction's
            )
        return self._orm

    async def _one_trip(self) -> OneTripConnection | None:
        """SQLite's connection that runs several statements in one trip; None elsewhere."""
        if self._driver is None:
            self._driver = False
            if self._dialect == "sqlite":
                raw = await self._connection.get_raw_connection()
                if isinstance(raw.dbapi_connection, OneTripConnection):
                    self._driver = raw.dbapi_connection
        return self._driver or None

    async def _insert_later(
        self, table: Table, rows: list[dict[str, Any]], upsert: tuple[str, ...] = ()
    ) -> bool:
        """SQLite: new rows (all with the same keys) written with the transaction's next trip
        (a later statement sees them; at the latest they go with the COMMIT), with no ORM
        object and no trip of their own; ``upsert`` names the columns that a row whose
        primary key exists already takes over. False elsewhere: the caller writes them."""
        driver = await self._one_trip()
        if driver is None:
            return False
        if rows:
            insert = Insert.of(table, tuple(rows[0]), self._connection.dialect, upsert)
            driver.defer(insert.sql, [apply(insert.binds, tuple(row.values())) for row in rows])
        return True

    async def _insert_now(self, new: Any, known_id: int | None = None) -> bool:
        """SQLite: a new object's row written without the session's unit of work (a third
        of the turn that sends a report), the columns' Python defaults set on the object,
        and its id set. With ``known_id`` (the transaction holds SQLite's one writer and
        knows the next id) the row goes with the next trip; else it is written at once, in
        one trip, and its id taken back (``RETURNING``). The object stays outside the
        session: a row written once and read back later by its own query. False elsewhere:
        the caller adds it to the session."""
        driver = await self._one_trip()
        if driver is None:
            return False
        table = new.__table__
        row: dict[str, Any] = {}
        for column in table.columns:
            if column.primary_key:
                continue
            value = getattr(new, column.key)
            if value is None and column.default is not None:
                default = column.default
                value = default.arg if default.is_scalar else default.arg(None)
                setattr(new, column.key, value)
            row[column.name] = value
        dialect = self._connection.dialect
        if known_id is not None:
            new.id = known_id
            insert = Insert.of(table, ("id", *row), dialect)
            driver.defer(insert.sql, [_values(insert.binds, (new.id, *row.values()))])
            return True
        insert = Insert.of(table, tuple(row), dialect, returning="id")
        params = _values(insert.binds, tuple(row.values()))
        ((new.id,),) = await driver.call(fetch_all, insert.sql, params)
        return True

    async def end(self, commit: bool) -> None:
        """Commit (or roll back) the transaction, with whatever the session holds (and, on
        SQLite, the writes deferred to the last trip)."""
        session, self._orm = self._orm, None
        if session is None:
            await (self._connection.commit() if commit else self._connection.rollback())
            return
        try:
            await (session.commit() if commit else session.rollback())
        finally:
            await session.close()

    @property
    def _dialect(self) -> str:
        return self._connection.dialect.name

    # A turn's own statements (read the person and the conversation, claim the update, save
    # the conversation) are plain Core statements, built once (see TurnStatements): no
    # identity map, no unit of work, no statement to build and fingerprint again. They run
    # on every message, and that bookkeeping was most of a turn's cost.

    @property
    def _turn(self) -> TurnStatements:
        return TurnStatements.for_dialect(self._dialect)
