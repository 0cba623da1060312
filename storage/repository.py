"""The store: the named queries of one transaction, composed from ``storage.queries``.

No business rules here, and nothing that hands out the session, the connection or SQL
conditions (the last of those are below, for ``bot/casework.py`` only, until it is reshaped)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ImprovementAction, Report
from storage.queries.actions import ActionQueries
from storage.queries.audit import AuditQueries
from storage.queries.conversations import ConversationQueries, StoredConversation
from storage.queries.digests import DigestQueries
from storage.queries.nudges import NudgeQueries
from storage.queries.outbox import OutboxQueries
from storage.queries.people import PeopleQueries
from storage.queries.privacy import PrivacyQueries
from storage.queries.reports import ReportQueries
from storage.queries.tables import chat_key, upsert_insert
from storage.queries.turn import TurnStatements

__all__ = ["Store", "StoredConversation", "TurnStatements", "chat_key", "upsert_insert"]


class Store(
    ConversationQueries,
    PeopleQueries,
    ReportQueries,
    ActionQueries,
    NudgeQueries,
    OutboxQueries,
    DigestQueries,
    AuditQueries,
    PrivacyQueries,
):
    """The queries of one transaction, on its connection (see ``StoreBase``)."""

    __slots__ = ()

    # used only by bot/casework.py until the core reshape; remove then
    @property
    def session(self) -> AsyncSession:
        return self._session

    # used only by bot/casework.py until the core reshape; remove then
    async def reports_where(self, *conditions: Any, limit: int = 200) -> Sequence[Report]:
        stmt = select(Report).where(*conditions).order_by(Report.id).limit(limit)
        return (await self._session.execute(stmt)).scalars().all()

    # used only by bot/casework.py until the core reshape; remove then
    async def actions_where(self, *conditions: Any) -> Sequence[ImprovementAction]:
        stmt = select(ImprovementAction).where(*conditions).order_by(ImprovementAction.deadline)
        return (await self._session.execute(stmt)).scalars().all()
