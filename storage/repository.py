"""The store: the named queries of one transaction, composed from ``storage.queries``.

No business rules here, and nothing that hands out the session, the connection or SQL
conditions."""

from __future__ import annotations

from storage.queries.actions import ActionQueries
from storage.queries.adviser import AdviserQueries
from storage.queries.app_state import AppStateQueries
from storage.queries.audit import AuditQueries
from storage.queries.board import BoardQueries
from storage.queries.conclusions import ConclusionQueries
from storage.queries.conversations import ConversationQueries, StoredConversation
from storage.queries.digests import DigestQueries
from storage.queries.nudges import NudgeQueries
from storage.queries.outbox import OutboxQueries
from storage.queries.people import PeopleQueries
from storage.queries.privacy import PrivacyQueries
from storage.queries.register import RegisterQueries
from storage.queries.reports import ReportQueries
from storage.queries.tables import chat_key, upsert_insert
from storage.queries.turn import TurnStatements
from storage.queries.turns import TurnKey, TurnQueries

__all__ = [
    "Store",
    "StoredConversation",
    "TurnKey",
    "TurnStatements",
    "chat_key",
    "upsert_insert",
]


class Store(
    TurnQueries,
    ConversationQueries,
    PeopleQueries,
    ReportQueries,
    RegisterQueries,
    ActionQueries,
    NudgeQueries,
    OutboxQueries,
    DigestQueries,
    AuditQueries,
    PrivacyQueries,
    AppStateQueries,
    AdviserQueries,
    ConclusionQueries,
    BoardQueries,
):
    """The queries of one transaction, on its connection (see ``StoreBase``)."""

    __slots__ = ()
