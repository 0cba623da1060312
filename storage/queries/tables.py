"""The tables the Core statements use, the dialect's upsert and a chat's lookup key."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite

from storage.models import (
    AuditEntry,
    Conversation,
    Nudge,
    OutboxMessage,
    Person,
    ProcessedUpdate,
    ReferenceCounter,
    ReportEvent,
    StartCount,
)

CONVERSATIONS = cast(Table, Conversation.__table__)
PEOPLE = cast(Table, Person.__table__)
PROCESSED = cast(Table, ProcessedUpdate.__table__)
NUDGES = cast(Table, Nudge.__table__)
COUNTERS = cast(Table, ReferenceCounter.__table__)
OUTBOX = cast(Table, OutboxMessage.__table__)
STARTS = cast(Table, StartCount.__table__)
AUDIT = cast(Table, AuditEntry.__table__)
EVENTS = cast(Table, ReportEvent.__table__)


# What an upsert of an existing row takes over from the new one (the Core statements of
# ``TurnStatements`` and the deferred SQLite rows of ``StoreBase._insert_later`` alike).
CONVERSATION_KEPT = ("flow", "state", "updated_at")
PERSON_KEPT = ("name", "language", "team_id")


def upsert_insert(dialect: str) -> Any:
    """The dialect's ``insert`` that knows ``ON CONFLICT`` (SQLite and PostgreSQL)."""
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


def chat_key(platform: str, chat_id: str) -> str:
    """What a chat's keyed hash is made of (the same as its person's address)."""
    return f"{platform}:{chat_id}"
