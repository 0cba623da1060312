"""Conversations (a chat's flow and draft) and the updates already processed."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select

from storage import crypto
from storage.models import Conversation, ProcessedUpdate
from storage.queries.base import StoreBase
from storage.queries.tables import chat_key


@dataclass(frozen=True, slots=True)
class StoredConversation:
    """A chat's conversation as stored: which flow, and its state (the draft)."""

    flow: str
    state: dict[str, Any]
    created_at: datetime
    updated_at: datetime


class ConversationQueries(StoreBase):
    __slots__ = ()

    async def load_conversation(self, platform: str, chat_id: str) -> StoredConversation | None:
        """The chat's conversation, locked for this transaction (PostgreSQL)."""
        hashes = crypto.current().lookups(chat_key(platform, chat_id))
        result = await self._connection.execute(
            self._turn.load_conversation, {"platform": platform, "chat_hashes": hashes}
        )
        row = result.first()
        if row is None:
            return None
        self._chat_hashes[(platform, chat_id)] = row.chat_hash
        return StoredConversation(row.flow, row.state, row.created_at, row.updated_at)

    async def save_conversation(
        self, platform: str, chat_id: str, flow: str, state: dict[str, Any], now: datetime
    ) -> None:
        stored = self._chat_hashes.get((platform, chat_id))
        await self._connection.execute(
            self._turn.save_conversation,
            {
                "platform": platform,
                "chat_hash": stored or crypto.current().lookup(chat_key(platform, chat_id)),
                "chat_id": chat_id,
                "flow": flow,
                "state": state,
                "now": now,
            },
        )

    async def delete_conversation(self, platform: str, chat_id: str) -> None:
        self._chat_hashes.pop((platform, chat_id), None)
        hashes = crypto.current().lookups(chat_key(platform, chat_id))
        await self._connection.execute(
            self._turn.delete_conversation, {"platform": platform, "chat_hashes": hashes}
        )

    async def stale_drafts(self, before: datetime) -> Sequence[Conversation]:
        """Conversations not touched since ``before``, locked (skipping rows another process
        holds). Change a draft's ``state`` and it is stored when the transaction commits."""
        stmt = (
            select(Conversation)
            .where(Conversation.updated_at < before)
            .with_for_update(skip_locked=True)
        )
        return (await self._session.execute(stmt)).scalars().all()

    async def delete_draft(self, draft: Conversation) -> None:
        """Delete a conversation that :meth:`stale_drafts` returned."""
        await self._session.delete(draft)

    # ---- deliveries processed once ------------------------------------------------------

    async def claim_update(self, key: str, now: datetime) -> bool:
        """True the first time ``key`` is seen; False for a redelivery."""
        result = await self._connection.execute(self._turn.claim_update, {"key": key, "at": now})
        return result.scalar_one_or_none() is not None

    async def forget_updates_before(self, before: datetime) -> int:
        result = await self._session.execute(
            delete(ProcessedUpdate).where(ProcessedUpdate.at < before)
        )
        return int(getattr(result, "rowcount", 0) or 0)
