"""The database tables. Timestamps are UTC; the organisation's timezone is applied on display."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from storage.types import UTCDateTime

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSON(),
        list[str]: JSON(),
    }


class Report(Base):
    """A sent report (melding). ``reporter_*`` are NULL when it was sent anonymously."""

    __tablename__ = "reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    created_at: Mapped[datetime]
    occurred_on: Mapped[date] = mapped_column(Date)
    occurred_at: Mapped[datetime | None]  # only when the reporter gave a time of day
    description: Mapped[str] = mapped_column(Text)
    categories: Mapped[list[str]]
    category_other: Mapped[str | None] = mapped_column(String(200))
    affected: Mapped[list[str]]
    report_type: Mapped[str] = mapped_column(String(10))  # MIC, MIM or MIC+MIM
    harm: Mapped[str] = mapped_column(String(20))
    first_aid: Mapped[str | None] = mapped_column(String(30))
    measures: Mapped[str | None] = mapped_column(Text)
    possible_calamity: Mapped[bool] = mapped_column(Boolean, default=False)
    danger_at_start: Mapped[bool] = mapped_column(Boolean, default=False)
    team_id: Mapped[str | None] = mapped_column(String(64))
    contact_wish: Mapped[str] = mapped_column(String(30))
    status: Mapped[str] = mapped_column(String(30), default="new")
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    reporter_address: Mapped[str | None] = mapped_column(String(200))
    reporter_name: Mapped[str | None] = mapped_column(String(200))
    anonymous_code_hash: Mapped[str | None] = mapped_column(String(200))
    language: Mapped[str] = mapped_column(String(5), default="nl")

    events: Mapped[list[ReportEvent]] = relationship(
        back_populates="report", order_by="ReportEvent.id", lazy="raise"
    )

    __table_args__ = (
        Index("ix_reports_status_team", "status", "team_id"),
        Index("ix_reports_created_at", "created_at"),
        Index("ix_reports_reporter_address", "reporter_address"),
    )


class ReportEvent(Base):
    """Append-only history of a report: created, notified, and what later steps add."""

    __tablename__ = "report_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime]
    kind: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str | None] = mapped_column(String(200))
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)

    report: Mapped[Report] = relationship(back_populates="events", lazy="raise")


class ReferenceCounter(Base):
    """The last report number handed out per year (``VIM-<year>-<number>``)."""

    __tablename__ = "reference_counters"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_number: Mapped[int] = mapped_column(Integer, default=0)


class Conversation(Base):
    """The draft and position of one chat's conversation, written with every turn."""

    __tablename__ = "conversations"

    platform: Mapped[str] = mapped_column(String(20), primary_key=True)
    chat_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    flow: Mapped[str] = mapped_column(String(40))
    state: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime] = mapped_column(index=True)


class Person(Base):
    """Someone who talks to the bot: their address, name, language and remembered team."""

    __tablename__ = "people"

    address: Mapped[str] = mapped_column(String(200), primary_key=True)
    name: Mapped[str | None] = mapped_column(String(200))
    language: Mapped[str | None] = mapped_column(String(5))
    team_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime]


class OutboxMessage(Base):
    """A message to someone other than the person in the conversation, until it is delivered."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    address: Mapped[str] = mapped_column(String(200))
    payload: Mapped[dict[str, Any]]
    report_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id", ondelete="SET NULL"))
    created_at: Mapped[datetime]
    due_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(20), default="pending")  # pending, sent, failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(500))

    __table_args__ = (
        Index("ix_outbox_status_due", "status", "due_at"),
        Index("ix_outbox_address_status", "address", "status"),
    )


class ProcessedUpdate(Base):
    """Platform deliveries already handled (Telegram update ids, Slack event ids), for a while."""

    __tablename__ = "processed_updates"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)
