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

from storage.types import EncryptedJSON, EncryptedText, UTCDateTime

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
    description: Mapped[str] = mapped_column(EncryptedText)
    categories: Mapped[list[str]]
    category_other: Mapped[str | None] = mapped_column(EncryptedText)
    affected: Mapped[list[str]]
    report_type: Mapped[str] = mapped_column(String(10))  # MIC, MIM or MIC+MIM
    harm: Mapped[str] = mapped_column(String(20))
    first_aid: Mapped[str | None] = mapped_column(String(30))
    measures: Mapped[str | None] = mapped_column(EncryptedText)
    possible_calamity: Mapped[bool] = mapped_column(Boolean, default=False)
    danger_at_start: Mapped[bool] = mapped_column(Boolean, default=False)
    team_id: Mapped[str | None] = mapped_column(String(64))
    contact_wish: Mapped[str] = mapped_column(String(30))
    status: Mapped[str] = mapped_column(String(30), default="new")
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    reporter_address: Mapped[str | None] = mapped_column(EncryptedText)
    reporter_name: Mapped[str | None] = mapped_column(EncryptedText)
    # keyed hash of the reporter's address, for "my reports" (the address itself is encrypted)
    reporter_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    anonymous_code_hash: Mapped[str | None] = mapped_column(String(200))
    # keyed hash to find the report for a code; the scrypt hash above then proves it
    code_lookup: Mapped[str | None] = mapped_column(String(64), index=True)
    language: Mapped[str] = mapped_column(String(5), default="nl")

    # ---- follow-up (each change is also an event in report_events) ----
    discovered_at: Mapped[datetime | None]  # starts the 6-week window when in doubt
    contacted_at: Mapped[datetime | None]
    contacted_by: Mapped[str | None] = mapped_column(String(200))
    triaged_at: Mapped[datetime | None]
    triage_outcome: Mapped[str | None] = mapped_column(String(20))
    triage_reason: Mapped[str | None] = mapped_column(EncryptedText)
    risk_frequency: Mapped[str | None] = mapped_column(String(20))
    risk_consequence: Mapped[str | None] = mapped_column(String(20))
    risk_score: Mapped[int | None] = mapped_column(Integer)
    analysed_at: Mapped[datetime | None]
    causes: Mapped[list[str] | None]
    why_chain: Mapped[list[str] | None]
    # The analysis as §6.6 describes it (investigation or calamity): direct and underlying
    # causes, a timeline, who took part — texts that may name people, so encrypted.
    analysis: Mapped[dict[str, Any] | None] = mapped_column(EncryptedJSON)
    feedback: Mapped[str | None] = mapped_column(EncryptedText)
    feedback_at: Mapped[datetime | None]
    shareable_lesson: Mapped[str | None] = mapped_column(EncryptedText)
    established_on: Mapped[date | None] = mapped_column(Date)
    client_informed_at: Mapped[datetime | None]
    igj_reported_on: Mapped[date | None] = mapped_column(Date)
    explored_at: Mapped[datetime | None]  # the exploratory investigation started
    arbeidsinspectie_reported_on: Mapped[date | None] = mapped_column(Date)  # MIM work accident
    # What was done after the report: [{"step", "value", "at" (ISO), "by" (an address)}]
    after_report: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON, default=list)
    adviser_contacted_at: Mapped[datetime | None]  # the confidential adviser's own record
    adviser_closed_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    personal_data_removed_at: Mapped[datetime | None]  # retention or erasure applied
    # A retention hold (§13: investigation, complaint, inspection): kept past the retention
    # period until released; who holds it is a handler (an address, like ``contacted_by``).
    retention_held_at: Mapped[datetime | None]
    retention_held_by: Mapped[str | None] = mapped_column(String(200))
    retention_hold_ground: Mapped[str | None] = mapped_column(String(20))
    retention_hold_reason: Mapped[str | None] = mapped_column(EncryptedText)
    # Stricter follow-up after an IGJ measure (§14): since when, by whom (an address), when
    # lifted; each progress report a record {text, at, by, by_name} (encrypted).
    strict_followup_at: Mapped[datetime | None]
    strict_followup_by: Mapped[str | None] = mapped_column(String(200))
    strict_followup_ended_at: Mapped[datetime | None]
    progress_reports: Mapped[list[dict[str, Any]] | None] = mapped_column(EncryptedJSON)

    events: Mapped[list[ReportEvent]] = relationship(
        back_populates="report", order_by="ReportEvent.id", lazy="raise"
    )

    __table_args__ = (
        Index("ix_reports_status_team", "status", "team_id"),
        Index("ix_reports_created_at", "created_at"),
    )


class ReportEvent(Base):
    """Append-only history of a report: created, notified, and what later steps add."""

    __tablename__ = "report_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime]
    kind: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str | None] = mapped_column(EncryptedText)  # an address: encrypted
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)

    report: Mapped[Report] = relationship(back_populates="events", lazy="raise")


class ReferenceCounter(Base):
    """The last report number handed out per year (``VIM-<year>-<number>``)."""

    __tablename__ = "reference_counters"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_number: Mapped[int] = mapped_column(Integer, default=0)


class Conversation(Base):
    """The draft and position of one chat's conversation, written with every turn.

    Found by a keyed hash of ``platform:chat_id``; the chat id itself is encrypted (a
    reminder of an unsent draft is sent to it)."""

    __tablename__ = "conversations"

    platform: Mapped[str] = mapped_column(String(20), primary_key=True)
    chat_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    chat_id: Mapped[str] = mapped_column(EncryptedText)
    flow: Mapped[str] = mapped_column(String(40))
    state: Mapped[dict[str, Any]] = mapped_column(EncryptedJSON)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime] = mapped_column(index=True)


class Person(Base):
    """Someone who talks to the bot: their address, name, language and remembered team.

    Found by a keyed hash of the address; address and name are encrypted."""

    __tablename__ = "people"

    address_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    address: Mapped[str] = mapped_column(EncryptedText)
    name: Mapped[str | None] = mapped_column(EncryptedText)
    language: Mapped[str | None] = mapped_column(String(5))
    team_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime]


class OutboxMessage(Base):
    """A message to someone other than the person in the conversation, until it is delivered."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    address: Mapped[str] = mapped_column(EncryptedText)
    address_hash: Mapped[str] = mapped_column(String(64))  # keyed hash, for pending_for
    platform: Mapped[str] = mapped_column(String(20))  # who delivers it
    payload: Mapped[dict[str, Any]] = mapped_column(EncryptedJSON)
    report_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id", ondelete="SET NULL"))
    created_at: Mapped[datetime]
    due_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(20), default="pending")  # pending, sent, failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(500))
    # who holds the message while it is sent (a fresh token per claim, with ``due_at`` as its
    # lease): only the holder may record the outcome or extend the lease
    claim_token: Mapped[str | None] = mapped_column(String(32))

    __table_args__ = (
        Index("ix_outbox_status_due", "status", "due_at"),
        Index("ix_outbox_address_hash_status", "address_hash", "status"),
    )


class StartCount(Base):
    """New reports started per person per hour, for the flood limit across restarts and
    processes. ``person`` is a keyed hash of the address; there is no reference, no report
    and nothing finer than the hour, and rows older than the previous hour are deleted."""

    __tablename__ = "report_starts"

    hour: Mapped[datetime] = mapped_column(primary_key=True)  # the hour's start, UTC
    person: Mapped[str] = mapped_column(String(64), primary_key=True)
    starts: Mapped[int] = mapped_column(Integer)


class ProcessedUpdate(Base):
    """Platform deliveries already handled (Telegram update ids, Slack event ids), for a while."""

    __tablename__ = "processed_updates"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)


class ImprovementAction(Base):
    """An entry of the improvement register (verbeterregister): a SMART action."""

    __tablename__ = "improvement_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    description: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(200))
    deadline: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="open")  # open, done, not_doing
    reason: Mapped[str | None] = mapped_column(Text)
    team_id: Mapped[str | None] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime]
    created_by: Mapped[str | None] = mapped_column(String(200))
    done_at: Mapped[datetime | None]
    effectiveness_due: Mapped[date | None] = mapped_column(Date)
    effectiveness: Mapped[str | None] = mapped_column(String(20))  # effective, partly, not
    kind: Mapped[str | None] = mapped_column(String(20))  # immediate, structural (§6.7)


class ActionReport(Base):
    """Which reports an improvement action answers (one action can serve several)."""

    __tablename__ = "action_reports"

    action_id: Mapped[int] = mapped_column(
        ForeignKey("improvement_actions.id", ondelete="CASCADE"), primary_key=True
    )
    report_id: Mapped[int] = mapped_column(
        ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True
    )


class Nudge(Base):
    """A reminder or escalation: what, to whom, when. Created when a step opens, cancelled
    when it is done, sent once by the sweep."""

    __tablename__ = "nudges"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"))
    action_id: Mapped[int | None] = mapped_column(
        ForeignKey("improvement_actions.id", ondelete="CASCADE")
    )
    kind: Mapped[str] = mapped_column(String(30))  # a Deadline
    stage: Mapped[str] = mapped_column(String(20))  # reminder, escalation, board
    recipient: Mapped[str] = mapped_column(String(200))
    due_at: Mapped[datetime]  # the deadline itself
    send_at: Mapped[datetime]
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    sent_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]

    __table_args__ = (
        Index("ix_nudges_pending", "sent_at", "cancelled_at", "send_at"),
        Index("ix_nudges_report_kind", "report_id", "kind"),
        Index("ix_nudges_action_kind", "action_id", "kind"),
    )


class AppState(Base):
    """Facts about the installation itself, by key (e.g. the procedure rules' version that
    open reports are planned by)."""

    __tablename__ = "app_state"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class BoardRecord(Base):
    """What the board records (§10, §16): its half-yearly evaluation of the VIM policy with the
    measures it decides, and the yearly policy review; who and when."""

    __tablename__ = "board_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # half_year_evaluation, policy_review
    period: Mapped[str] = mapped_column(String(20))  # 2026-H1, or the year: 2026
    text: Mapped[str] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[datetime]


class DigestRun(Base):
    """A digest sent for one period and scope: the key that makes it go out exactly once."""

    __tablename__ = "digest_runs"

    kind: Mapped[str] = mapped_column(String(20), primary_key=True)  # weekly, quarterly, half
    scope: Mapped[str] = mapped_column(String(64), primary_key=True)  # team id, or ""
    period: Mapped[str] = mapped_column(String(20), primary_key=True)  # 2026-W47, 2026-Q3
    sent_at: Mapped[datetime]


class WeeklyConclusion(Base):
    """What a team concluded from its weekly review (issue 15), recorded by a team leader;
    shown at the top of the next weekly review. The last one recorded for a week counts."""

    __tablename__ = "weekly_conclusions"

    team_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    week: Mapped[str] = mapped_column(String(20), primary_key=True)  # 2026-W47
    text: Mapped[str] = mapped_column(EncryptedText)
    recorded_at: Mapped[datetime]


class ReporterMessage(Base):
    """The reporter's mailbox: feedback and questions for them, and their answers.

    For an anonymous reporter this is the only way back (through their code)."""

    __tablename__ = "reporter_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime]
    direction: Mapped[str] = mapped_column(String(20))  # to_reporter, from_reporter
    kind: Mapped[str] = mapped_column(String(20))  # feedback, status, question, answer
    text: Mapped[str] = mapped_column(EncryptedText)


class AuditEntry(Base):
    """Who viewed or changed which report, when, through which channel (NEN 7513 style).

    Append-only: the application only inserts, and database triggers refuse updates and
    deletes."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(EncryptedText)
    actor_hash: Mapped[str] = mapped_column(String(64), index=True)  # keyed hash, for inzage
    action: Mapped[str] = mapped_column(String(40))  # view, change, export, erase, …
    reference: Mapped[str | None] = mapped_column(String(20), index=True)
    channel: Mapped[str] = mapped_column(String(20))  # telegram, slack, shell, cli, scheduler
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
