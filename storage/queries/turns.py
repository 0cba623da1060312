"""What every turn reads and writes: the person, the chat's conversation, the update's claim.

On SQLite the reads are one trip to the database thread and the conversation's new state
goes with the COMMIT (``storage.queries.one_trip``); elsewhere they are the Core statements
of ``TurnStatements``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from storage import crypto
from storage.models import Person
from storage.queries.conversations import ConversationQueries, StoredConversation
from storage.queries.one_trip import (
    CONVERSATION_COLUMNS,
    PERSON_COLUMNS,
    SqliteTurn,
    apply,
    read_turns,
)
from storage.queries.people import PeopleQueries
from storage.queries.tables import CONVERSATION_KEPT, CONVERSATIONS, chat_key


@dataclass(frozen=True, slots=True)
class TurnKey:
    """What a turn is loaded by: the chat, the person writing, the platform's update key
    (None when the platform gives none), and the name and language the platform gives."""

    platform: str
    chat_id: str
    address: str
    update_key: str | None
    name: str | None
    language: str | None
    # the person's flood count to read with the turn (a report may start), if any
    starts_person: str | None = None


class TurnQueries(ConversationQueries, PeopleQueries):
    __slots__ = ()

    async def load_turns(
        self, wanted: Sequence[TurnKey], now: datetime, starts_since: datetime | None = None
    ) -> list[tuple[Person, StoredConversation | None] | None]:
        """For each turn: the person (see :meth:`person_for_turn`) and the chat's
        conversation (locked on PostgreSQL), with the update's key claimed; None for an update
        claimed before (a redelivery). On SQLite all of them in one trip, which also reads
        what new reports need (see ``ReportQueries.next_report_number``) and the flood counts
        since ``starts_since`` of the keys' ``starts_person`` (see
        ``PeopleQueries.starts_since``)."""
        driver = await self._one_trip()
        if driver is None:
            return [await self._load_alone(key, now) for key in wanted]
        cipher = crypto.current()
        sql = SqliteTurn.for_hashes(self._connection.dialect, cipher.lookup_count)
        people: dict[str, None] = {}
        chats: dict[str, dict[str, None]] = {}
        asked = []
        for key in wanted:
            hashes = cipher.address_lookups(key.address)
            chat = chat_key(key.platform, key.chat_id)
            chat_hashes = hashes if chat == key.address else cipher.address_lookups(chat)
            people.update(dict.fromkeys(hashes))
            chats.setdefault(key.platform, {}).update(dict.fromkeys(chat_hashes))
            asked.append((hashes, chat_hashes))
        claims = [key.update_key for key in wanted if key.update_key]
        counted = list(dict.fromkeys(k.starts_person for k in wanted if k.starts_person))
        starts = None
        if counted and starts_since is not None:
            starts = (json.dumps(counted), apply(sql.starts_since, (starts_since,))[0])
        read = await driver.call(
            read_turns,
            sql,
            json.dumps(list(people)),
            [(platform, json.dumps(list(hashes))) for platform, hashes in chats.items()],
            json.dumps(claims) if claims else None,
            apply(sql.claim_at, (now,))[0],
            starts,
        )
        person_rows, conversation_rows, claimed, start_rows = read[:4]
        self._numbers, self._last_report_id = read[4:]
        if starts_since is not None:
            for person in counted:  # read, also those without a count
                self._starts_read[person] = (starts_since, {})
            for person, *hour_starts in start_rows:
                hour, n = apply(sql.starts_out, hour_starts)
                self._starts_read[person][1][hour] = n
        person_of = {row[0]: row for row in person_rows}  # by address hash
        conversation_of = {row[0]: row for row in conversation_rows}  # by chat hash
        loaded: list[tuple[Person, StoredConversation | None] | None] = []
        for key, (hashes, chat_hashes) in zip(wanted, asked, strict=True):
            if key.update_key and key.update_key not in claimed:
                loaded.append(None)  # claimed before (or earlier in this batch): a redelivery
                continue
            if key.update_key:
                claimed.discard(key.update_key)  # the first of a key's turns takes it
            person_row = next((person_of[h] for h in hashes if h in person_of), None)
            conversation_row = next(
                (conversation_of[h] for h in chat_hashes if h in conversation_of), None
            )
            loaded.append(
                await self._as_loaded(sql, key, hashes, person_row, conversation_row, now)
            )
        return loaded

    async def _load_alone(
        self, key: TurnKey, now: datetime
    ) -> tuple[Person, StoredConversation | None] | None:
        person = await self.person_for_turn(key.address, now, key.name, key.language)
        conversation = await self.load_conversation(key.platform, key.chat_id)
        if key.update_key and not await self.claim_update(key.update_key, now):
            return None
        return person, conversation

    async def _as_loaded(
        self,
        sql: SqliteTurn,
        key: TurnKey,
        hashes: list[str],
        person_row: Any,
        conversation_row: Any,
        now: datetime,
    ) -> tuple[Person, StoredConversation | None]:
        stored_person = None
        if person_row is not None:
            stored_person = self._as_dict(sql.person_out, person_row, PERSON_COLUMNS)
            stored_person["address"] = key.address  # found by its hash: no need to decrypt
        person = await self._person_as_read(
            stored_person, hashes, key.address, now, key.name, key.language
        )
        if conversation_row is None:
            return person, None
        row = self._as_dict(sql.conversation_out, conversation_row, CONVERSATION_COLUMNS)
        self._chat_hashes[(key.platform, key.chat_id)] = row["chat_hash"]
        return person, StoredConversation(
            row["flow"], row["state"], row["created_at"], row["updated_at"]
        )

    @staticmethod
    def _as_dict(processors: Any, row: Any, columns: tuple[str, ...]) -> dict[str, Any]:
        return dict(zip(columns, apply(processors, row), strict=True))

    async def finish_conversation(
        self, platform: str, chat_id: str, flow: str, state: dict[str, Any], now: datetime
    ) -> None:
        """Save the chat's conversation (on SQLite the write waits for the transaction's next
        trip: at the end of a turn, that is the COMMIT)."""
        driver = await self._one_trip()
        if driver is None:
            await self.save_conversation(platform, chat_id, flow, state, now)
            return
        sql = SqliteTurn.for_hashes(self._connection.dialect, crypto.current().lookup_count)
        stored = self._chat_hashes.get((platform, chat_id))
        if stored is not None:  # the row exists (read this turn): no chat id to encrypt
            values = apply(sql.update_in, (flow, state, now))
            driver.defer(sql.update_conversation, [(*values, platform, stored)])
            return
        row = {
            "platform": platform,
            "chat_hash": crypto.current().lookup(chat_key(platform, chat_id)),
            "chat_id": chat_id,
            "flow": flow,
            "state": state,
            "created_at": now,
            "updated_at": now,
        }
        await self._insert_later(CONVERSATIONS, [row], upsert=CONVERSATION_KEPT)

    async def end_conversation(self, platform: str, chat_id: str) -> None:
        """Delete the chat's conversation as the transaction's last write (see
        :meth:`finish_conversation`)."""
        driver = await self._one_trip()
        if driver is None:
            await self.delete_conversation(platform, chat_id)
            return
        self._chat_hashes.pop((platform, chat_id), None)
        hashes = crypto.current().lookups(chat_key(platform, chat_id))
        sql = SqliteTurn.for_hashes(self._connection.dialect, len(hashes))
        driver.defer(sql.delete_conversation, [(platform, *hashes)])
