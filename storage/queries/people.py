"""People (address, name, language, team) and their report starts per hour (flood limit)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update

from storage import crypto
from storage.models import Person
from storage.queries.base import StoreBase
from storage.queries.one_trip import Raw, apply, fetch_all, result_processors
from storage.queries.tables import PEOPLE, PERSON_KEPT, STARTS


class PeopleQueries(StoreBase):
    __slots__ = ()

    async def get_person(self, address: str) -> Person | None:
        stmt = select(Person).where(Person.address_hash.in_(crypto.current().lookups(address)))
        return (await self._session.execute(stmt)).scalars().first()

    async def person_for_turn(
        self, address: str, now: datetime, name: str | None, language: str | None
    ) -> Person:
        """The stored person (name and language kept up to date), or a new one that is not
        stored until there is a reason to (:meth:`keep_person`): someone who only reports
        anonymously leaves no row behind. The object is not attached to the session: change
        it and call :meth:`keep_person` to store the change."""
        hashes = crypto.current().lookups(address)
        row = (await self._connection.execute(self._turn.person, {"hashes": hashes})).first()
        return await self._person_as_read(
            None if row is None else dict(row._mapping), hashes, address, now, name, language
        )

    async def _person_as_read(
        self,
        row: dict[str, Any] | None,
        hashes: list[str],
        address: str,
        now: datetime,
        name: str | None,
        language: str | None,
    ) -> Person:
        """The person of a row read (see :meth:`person_for_turn`), name and language stored
        when they changed."""
        if row is None:
            return Person(
                address_hash=hashes[0],
                address=address,
                name=name,
                language=language,
                created_at=now,
            )
        person = Person(**row)
        changes = {}
        if name and row["name"] != name:
            changes["name"] = person.name = name
        if language and row["language"] != language:
            changes["language"] = person.language = language
        if changes:
            await self._connection.execute(
                update(PEOPLE).where(PEOPLE.c.address_hash == row["address_hash"]).values(**changes)
            )
        return person

    async def keep_person(self, person: Person) -> None:
        """Store the person: a new row, or name, language and team brought up to date."""
        row = {
            # the stored row's hash (it may be an earlier key's), else the current one
            "address_hash": person.address_hash or crypto.current().lookup(person.address),
            "address": person.address,
            "name": person.name,
            "language": person.language,
            "team_id": person.team_id,
            "created_at": person.created_at,
        }
        if not await self._insert_later(PEOPLE, [row], upsert=PERSON_KEPT):
            await self._connection.execute(self._turn.keep_person, row)

    async def delete_person(self, address: str) -> None:
        """The person's row gone (whichever key its hash was made with)."""
        hashes = crypto.current().lookups(address)
        await self._session.execute(delete(Person).where(Person.address_hash.in_(hashes)))

    # ---- new reports per person per hour (the flood limit) ------------------------------

    async def starts_since(self, person: str, since: datetime) -> dict[datetime, int]:
        """The counted starts of ``person`` (a keyed hash) per hour, from ``since`` on."""
        driver = await self._one_trip()
        if driver is None:
            result = await self._connection.execute(
                self._turn.starts_since, {"person": person, "since": since}
            )
            return {row.hour: row.starts for row in result}
        known = self._starts_read.get(person)
        if known is not None and known[0] == since:  # read with the turn (see load_turns)
            return dict(known[1])
        dialect = self._connection.dialect
        raw = Raw.of(self._turn.starts_since, dialect)
        rows = await driver.call(fetch_all, raw.sql, raw.params({"person": person, "since": since}))
        processors = result_processors(STARTS, ("hour", "starts"), dialect)
        counts = dict(apply(processors, row) for row in rows)
        # SQLite's one writer holds its lock from the transaction's first statement: what is
        # read here stays true until the COMMIT (see count_start)
        self._starts_read[person] = (since, dict(counts))
        return counts

    async def count_start(self, person: str, hour: datetime, allowed: int) -> bool:
        """Count one start of ``person`` in ``hour`` unless the hour already holds ``allowed``
        (one statement, so concurrent turns can't both take the last one): True if counted.

        On SQLite, after :meth:`starts_since` read this person's counts in the same
        transaction, nobody else can have changed them (SQLite has one writer, and this
        transaction holds it): the answer is known, and the count goes with the next trip
        (the same statement, its condition included)."""
        values = {"person": person, "hour": hour, "allowed": allowed}
        driver = await self._one_trip()
        read = self._starts_read.get(person)
        if driver is not None and read is not None and hour >= read[0]:  # the hour was read
            seen = read[1].get(hour)
            if seen is not None and seen >= allowed:  # the statement's condition
                return False
            raw = Raw.of(self._turn.count_start, self._connection.dialect)
            driver.defer(raw.sql, [raw.params(values)])
            read[1][hour] = (seen or 0) + 1  # (a new hour's row is made whatever ``allowed``)
            return True
        result = await self._connection.execute(self._turn.count_start, values)
        return result.scalar_one_or_none() is not None

    async def forget_starts_before(self, before: datetime) -> int:
        """Delete the counts of the hours before ``before``."""
        result = await self._connection.execute(self._turn.forget_starts, {"before": before})
        return int(getattr(result, "rowcount", 0) or 0)

    async def forget_starts_soon(self, before: datetime) -> None:
        """As :meth:`forget_starts_before`, without the number: on SQLite written with the
        transaction's next trip (no trip of its own)."""
        driver = await self._one_trip()
        if driver is None:
            await self.forget_starts_before(before)
            return
        raw = Raw.of(self._turn.forget_starts, self._connection.dialect)
        driver.defer(raw.sql, [raw.params({"before": before})])
