"""A turn's own statements on SQLite: its reads in one trip, its last write with the commit.

On SQLite every statement is a trip to aiosqlite's thread and back through the event loop,
and SQLAlchemy's execution of a prebuilt statement (cache key, parameters, result proxy,
two greenlet switches) costs more than SQLite's work. A turn reads the person, the chat's
conversation and claims the update id: here those are one function run on the database
thread (with the transaction's BEGIN), and the conversation's new state is deferred to the
transaction's next trip (``OneTripConnection.defer``): at the end of a turn, the COMMIT.
Values go through the columns' own type processors (encryption, UTC datetimes), so what is
stored is exactly what SQLAlchemy stores and reads back.

PostgreSQL keeps the Core statements of :class:`storage.queries.turn.TurnStatements`
(asyncpg has no thread to hop to; its cost is the round trip to the server).
"""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Callable, Sequence
from typing import Any, ClassVar

from sqlalchemy import Table
from sqlalchemy.engine import Dialect
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler

from storage.queries.tables import CONVERSATION_KEPT, CONVERSATIONS, PEOPLE, PROCESSED, STARTS

Processor = Callable[[Any], Any] | None

PERSON_COLUMNS = ("address_hash", "address", "name", "language", "team_id", "created_at")
CONVERSATION_COLUMNS = ("chat_hash", "flow", "state", "created_at", "updated_at")


def _marks(count: int) -> str:
    return ", ".join("?" * count)


def _bind(table: Table, names: Sequence[str], dialect: Dialect) -> tuple[Processor, ...]:
    return tuple(table.c[n].type.dialect_impl(dialect).bind_processor(dialect) for n in names)


@functools.lru_cache(maxsize=64)
def result_processors(
    table: Table, names: tuple[str, ...], dialect: Dialect
) -> tuple[Processor, ...]:
    """The type processors of the columns ``names`` for what SQLite returns (made once)."""
    return tuple(
        table.c[n].type.dialect_impl(dialect).result_processor(dialect, None) for n in names
    )


def apply(processors: Sequence[Processor], values: Sequence[Any]) -> tuple[Any, ...]:
    return tuple(v if p is None else p(v) for p, v in zip(processors, values, strict=True))


class SqliteTurn:
    """The SQL and the type processors of a turn's statements, built once per number of
    lookup hashes (the configured keys)."""

    _built: ClassVar[dict[tuple[int, int], SqliteTurn]] = {}

    def __init__(self, dialect: Dialect, hashes: int) -> None:
        marks = _marks(hashes)
        each = "IN (SELECT value FROM json_each(?))"  # the values of a JSON list
        self.people = f"SELECT {', '.join(PERSON_COLUMNS)} FROM people WHERE address_hash {each}"
        self.conversations = (
            f"SELECT {', '.join(CONVERSATION_COLUMNS)} FROM conversations "
            f"WHERE platform = ? AND chat_hash {each}"
        )
        self.claims = (  # ("WHERE true": SQLite's parser wants it before ON CONFLICT)
            "INSERT INTO processed_updates (key, at) SELECT value, ? FROM json_each(?) "
            "WHERE true ON CONFLICT DO NOTHING RETURNING key"
        )
        self.update_conversation = (
            f"UPDATE conversations SET {', '.join(f'{c} = ?' for c in CONVERSATION_KEPT)} "
            "WHERE platform = ? AND chat_hash = ?"
        )
        # what a batch of turns needs to number and store new reports without a trip of
        # their own (see ReportQueries): the counters of every year, the last report's id
        self.numbers = "SELECT year, last_number FROM reference_counters"
        self.last_report = "SELECT coalesce(max(id), 0) FROM reports"
        self.delete_conversation = (
            f"DELETE FROM conversations WHERE platform = ? AND chat_hash IN ({marks})"
        )
        # the address is not decrypted: the row was found by its keyed hash, so it is the
        # address asked for (see TurnQueries._as_loaded)
        self.person_out = tuple(
            None if column == "address" else processor
            for column, processor in zip(
                PERSON_COLUMNS, result_processors(PEOPLE, PERSON_COLUMNS, dialect), strict=True
            )
        )
        self.conversation_out = result_processors(CONVERSATIONS, CONVERSATION_COLUMNS, dialect)
        self.claim_at = _bind(PROCESSED, ("at",), dialect)
        self.starts = (
            f"SELECT person, hour, starts FROM report_starts WHERE person {each} AND hour >= ?"
        )
        self.starts_since = _bind(STARTS, ("hour",), dialect)
        self.starts_out = result_processors(STARTS, ("hour", "starts"), dialect)
        self.update_in = _bind(CONVERSATIONS, CONVERSATION_KEPT, dialect)

    @classmethod
    def for_hashes(cls, dialect: Dialect, hashes: int) -> SqliteTurn:
        key = (id(dialect), hashes)
        if key not in cls._built:
            cls._built[key] = cls(dialect, hashes)
        return cls._built[key]


class Insert:
    """An INSERT of the given columns of a table (or an upsert by its primary key; or one that
    returns a column of the new row), with their type processors, built once."""

    _built: ClassVar[dict[tuple[str, tuple[str, ...], int, tuple[str, ...], str], Insert]] = {}

    def __init__(
        self,
        table: Table,
        columns: tuple[str, ...],
        dialect: Dialect,
        upsert: tuple[str, ...],
        returning: str = "",
    ) -> None:
        self.sql = (
            f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({_marks(len(columns))})"
        )
        if upsert:
            keys = ", ".join(c.name for c in table.primary_key.columns)
            taken = ", ".join(f"{c} = excluded.{c}" for c in upsert)
            self.sql += f" ON CONFLICT ({keys}) DO UPDATE SET {taken}"
        if returning:
            self.sql += f" RETURNING {returning}"
        self.binds = _bind(table, columns, dialect)

    @classmethod
    def of(
        cls,
        table: Table,
        columns: tuple[str, ...],
        dialect: Dialect,
        upsert: tuple[str, ...] = (),
        returning: str = "",
    ) -> Insert:
        key = (table.name, columns, id(dialect), upsert, returning)
        if key not in cls._built:
            cls._built[key] = cls(table, columns, dialect, upsert, returning)
        return cls._built[key]


class Raw:
    """A prebuilt Core statement as SQLite's own SQL, run without SQLAlchemy's execution (which
    costs more than SQLite's work for a one-row statement): its parameters in order, with
    their type processors and the values fixed in the statement, compiled once."""

    _built: ClassVar[dict[tuple[int, int], Raw]] = {}

    def __init__(self, statement: ClauseElement, dialect: Dialect) -> None:
        compiled = statement.compile(dialect=dialect)
        assert isinstance(compiled, SQLCompiler)
        self.sql = compiled.string
        names = tuple(compiled.positiontup or ())
        binds = compiled.binds
        assert not any(b.expanding for b in binds.values()), "IN lists are not supported"
        self.names = names
        self.fixed = {n: binds[n].value for n in names if not binds[n].required}
        self.binds = tuple(
            binds[n].type.dialect_impl(dialect).bind_processor(dialect) for n in names
        )

    @classmethod
    def of(cls, statement: ClauseElement, dialect: Dialect) -> Raw:
        key = (id(statement), id(dialect))
        if key not in cls._built:
            cls._built[key] = cls(statement, dialect)
        return cls._built[key]

    def params(self, values: dict[str, Any]) -> tuple[Any, ...]:
        """The statement's parameters, in order, as SQLite takes them."""
        fixed = self.fixed
        return apply(self.binds, [values[n] if n in values else fixed[n] for n in self.names])


# ---- run on the database thread: statements only ------------------------------------------


def fetch_all(conn: sqlite3.Connection, sql: str, params: Sequence[Any]) -> list[Any]:
    """The rows of one statement."""
    return conn.execute(sql, params).fetchall()


def read_turns(
    conn: sqlite3.Connection,
    sql: SqliteTurn,
    people: str,
    chats: Sequence[tuple[str, str]],
    claims: str | None,
    at: Any,
    starts: tuple[str, Any] | None,
) -> tuple[list[Any], list[Any], set[str], list[Any], dict[int, int], int]:
    """The rows of a batch of turns, a statement each whatever their number (each statement
    hands the GIL to the event loop and back, more so than each row): the people of the
    lookup hashes in ``people`` (a JSON list), the conversations of each platform's chat
    hashes, and the update keys in ``claims`` claimed now (those claimed before are not
    returned); the flood counts of the people in ``starts`` (a JSON list, and from when);
    then the year counters and the last report's id."""
    person_rows = conn.execute(sql.people, (people,)).fetchall()
    conversation_rows = [
        row
        for platform, hashes in chats
        for row in conn.execute(sql.conversations, (platform, hashes))
    ]
    claimed = set()
    if claims is not None:
        claimed = {key for (key,) in conn.execute(sql.claims, (at, claims))}
    start_rows = [] if starts is None else conn.execute(sql.starts, starts).fetchall()
    numbers = dict(conn.execute(sql.numbers).fetchall())
    (last_report,) = conn.execute(sql.last_report).fetchone()
    return person_rows, conversation_rows, claimed, start_rows, numbers, int(last_report)


__all__ = [
    "Insert",
    "Raw",
    "SqliteTurn",
    "apply",
    "fetch_all",
    "read_turns",
    "result_processors",
]
