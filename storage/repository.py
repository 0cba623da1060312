"""The queries the bot needs, on one session (one transaction). No business rules here."""

from __future__ import annotations

from collections.abc import AsyncIterator, Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, ClassVar, cast

from sqlalchemy import Table, bindparam, delete, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from storage import crypto
from storage.models import (
    ActionReport,
    AuditEntry,
    Conversation,
    DigestRun,
    ImprovementAction,
    Nudge,
    OutboxMessage,
    Person,
    ProcessedUpdate,
    ReferenceCounter,
    Report,
    ReporterMessage,
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


@dataclass(frozen=True, slots=True)
class StoredConversation:
    """A chat's conversation as stored: which flow, and its state (the draft)."""

    flow: str
    state: dict[str, Any]
    created_at: datetime
    updated_at: datetime


def upsert_insert(dialect: str) -> Any:
    """The dialect's ``insert`` that knows ``ON CONFLICT`` (SQLite and PostgreSQL)."""
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


def chat_key(platform: str, chat_id: str) -> str:
    """What a chat's keyed hash is made of (the same as its person's address)."""
    return f"{platform}:{chat_id}"


def _audit_guard(dialect: str, lift: bool) -> list[str]:
    """The statements that lift or restore the audit log's append-only triggers (as made by
    migration 0004)."""
    if dialect == "postgresql":
        if lift:
            return ["DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log"]
        return [
            "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
            "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()"
        ]
    if lift:
        return [f"DROP TRIGGER IF EXISTS audit_log_no_{e}" for e in ("update", "delete")]
    return [
        f"CREATE TRIGGER audit_log_no_{event.lower()} BEFORE {event} ON audit_log "
        "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END"
        for event in ("UPDATE", "DELETE")
    ]


class TurnStatements:
    """The statements of every turn, built once per dialect with named parameters.

    People and chats are found by keyed hash: ``hashes`` / ``chat_hashes`` is the list of
    :meth:`storage.crypto.Cipher.lookups` (an expanding IN, so the statement stays built)."""

    _built: ClassVar[dict[str, TurnStatements]] = {}

    def __init__(self, dialect: str) -> None:
        insert_ = upsert_insert(dialect)
        conv = CONVERSATIONS.c
        this_chat = (
            conv.platform == bindparam("platform"),
            conv.chat_hash.in_(bindparam("chat_hashes", expanding=True)),
        )
        self.load_conversation = (
            select(conv.chat_hash, conv.flow, conv.state, conv.created_at, conv.updated_at)
            .where(*this_chat)
            .with_for_update()
        )
        upsert = insert_(CONVERSATIONS).values(
            platform=bindparam("platform"),
            chat_hash=bindparam("chat_hash"),
            chat_id=bindparam("chat_id", type_=conv.chat_id.type),
            flow=bindparam("flow"),
            state=bindparam("state", type_=conv.state.type),
            created_at=bindparam("now", type_=conv.created_at.type),
            updated_at=bindparam("now", type_=conv.updated_at.type),
        )
        self.save_conversation = upsert.on_conflict_do_update(
            index_elements=[conv.platform, conv.chat_hash],
            set_={
                "flow": upsert.excluded.flow,
                "state": upsert.excluded.state,
                "updated_at": upsert.excluded.updated_at,
            },
        )
        self.delete_conversation = delete(CONVERSATIONS).where(*this_chat)
        self.person = select(PEOPLE).where(
            PEOPLE.c.address_hash.in_(bindparam("hashes", expanding=True))
        )
        keep = insert_(PEOPLE).values(
            {c.key: bindparam(c.key, type_=c.type) for c in PEOPLE.columns}
        )
        self.keep_person = keep.on_conflict_do_update(
            index_elements=[PEOPLE.c.address_hash],
            set_={key: keep.excluded[key] for key in ("name", "language", "team_id")},
        )
        counter = COUNTERS.c
        self.open_year = (
            insert_(COUNTERS)
            .values(year=bindparam("the_year"), last_number=0)
            .on_conflict_do_nothing()
        )
        self.next_number = (
            update(COUNTERS)
            .where(counter.year == bindparam("the_year"))
            .values(last_number=counter.last_number + 1)
            .returning(counter.last_number)
        )
        self.claim_update = (
            insert_(PROCESSED)
            .values(key=bindparam("key"), at=bindparam("at", type_=PROCESSED.c.at.type))
            .on_conflict_do_nothing()
            .returning(PROCESSED.c.key)
        )
        started = STARTS.c
        hour = bindparam("hour", type_=started.hour.type)
        count = insert_(STARTS).values(person=bindparam("person"), hour=hour, starts=1)
        self.count_start = count.on_conflict_do_update(
            index_elements=[started.hour, started.person],
            set_={"starts": started.starts + 1},
            where=started.starts < bindparam("allowed"),
        ).returning(started.starts)
        self.starts_since = select(started.hour, started.starts).where(
            started.person == bindparam("person"),
            started.hour >= bindparam("since", type_=started.hour.type),
        )
        self.forget_starts = delete(STARTS).where(
            started.hour < bindparam("before", type_=started.hour.type)
        )

    @classmethod
    def for_dialect(cls, dialect: str) -> TurnStatements:
        if dialect not in cls._built:
            cls._built[dialect] = cls(dialect)
        return cls._built[dialect]


class Store:
    """The queries of one transaction, on its connection.

    A turn's own statements run on the connection directly. The ORM session is opened on
    the same connection and transaction the first time something needs it (a report, a
    case, the outbox): most turns never do, and skip its cost.

    New rows (events, nudges, outbox messages, audit entries) are written together when the
    transaction commits, or before the next query reads them (autoflush): one batch instead
    of a round trip each. Methods whose caller needs the new row's id flush at once."""

    __slots__ = ("_chat_hashes", "_session", "connection")

    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection
        self._session: AsyncSession | None = None
        # the stored hash of each chat loaded in this transaction (it may have been written
        # with an earlier key): saving the conversation updates that row, not a new one
        self._chat_hashes: dict[tuple[str, str], str] = {}

    @property
    def session(self) -> AsyncSession:
        if self._session is None:
            self._session = AsyncSession(
                bind=self.connection,
                expire_on_commit=False,
                join_transaction_mode="control_fully",  # its commit is the transaction's
            )
        return self._session

    async def end(self, commit: bool) -> None:
        """Commit (or roll back) the transaction, with whatever the session holds."""
        session, self._session = self._session, None
        if session is None:
            await (self.connection.commit() if commit else self.connection.rollback())
            return
        try:
            await (session.commit() if commit else session.rollback())
        finally:
            await session.close()

    @property
    def _dialect(self) -> str:
        return self.connection.dialect.name

    # ---- conversations ----------------------------------------------------------------

    # A turn's own statements (read the person and the conversation, claim the update, save
    # the conversation) are plain Core statements, built once (see TurnStatements): no
    # identity map, no unit of work, no statement to build and fingerprint again. They run
    # on every message, and that bookkeeping was most of a turn's cost.

    @property
    def _turn(self) -> TurnStatements:
        return TurnStatements.for_dialect(self._dialect)

    async def load_conversation(self, platform: str, chat_id: str) -> StoredConversation | None:
        """The chat's conversation, locked for this transaction (PostgreSQL)."""
        hashes = crypto.current().lookups(chat_key(platform, chat_id))
        result = await self.connection.execute(
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
        await self.connection.execute(
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
        await self.connection.execute(
            self._turn.delete_conversation, {"platform": platform, "chat_hashes": hashes}
        )

    # ---- people -----------------------------------------------------------------------

    async def get_person(self, address: str) -> Person | None:
        stmt = select(Person).where(Person.address_hash.in_(crypto.current().lookups(address)))
        return (await self.session.execute(stmt)).scalars().first()

    async def person_for_turn(
        self, address: str, now: datetime, name: str | None, language: str | None
    ) -> Person:
        """The stored person (name and language kept up to date), or a new one that is not
        stored until there is a reason to (:meth:`keep_person`): someone who only reports
        anonymously leaves no row behind. The object is not attached to the session: change
        it and call :meth:`keep_person` to store the change."""
        hashes = crypto.current().lookups(address)
        row = (await self.connection.execute(self._turn.person, {"hashes": hashes})).first()
        if row is None:
            return Person(
                address_hash=hashes[0],
                address=address,
                name=name,
                language=language,
                created_at=now,
            )
        person = Person(**row._mapping)
        changes = {}
        if name and row.name != name:
            changes["name"] = person.name = name
        if language and row.language != language:
            changes["language"] = person.language = language
        if changes:
            await self.connection.execute(
                update(PEOPLE).where(PEOPLE.c.address_hash == row.address_hash).values(**changes)
            )
        return person

    async def keep_person(self, person: Person) -> None:
        """Store the person: a new row, or name, language and team brought up to date."""
        await self.connection.execute(
            self._turn.keep_person,
            {
                # the stored row's hash (it may be an earlier key's), else the current one
                "address_hash": person.address_hash or crypto.current().lookup(person.address),
                "address": person.address,
                "name": person.name,
                "language": person.language,
                "team_id": person.team_id,
                "created_at": person.created_at,
            },
        )

    # ---- reports ----------------------------------------------------------------------

    async def next_report_number(self, year: int) -> int:
        """The next number of ``year``, safe against concurrent writers."""
        await self.connection.execute(self._turn.open_year, {"the_year": year})
        result = await self.connection.execute(self._turn.next_number, {"the_year": year})
        return int(result.scalar_one())

    async def add_report(self, report: Report) -> Report:
        self.session.add(report)
        await self.session.flush()
        return report

    async def add_event(
        self,
        report_id: int,
        kind: str,
        at: datetime,
        actor: str | None = None,
        data: dict[str, Any] | None = None,
    ) -> ReportEvent:
        event = ReportEvent(report_id=report_id, kind=kind, at=at, actor=actor, data=data or {})
        self.session.add(event)
        return event

    async def report_by_reference(self, reference: str) -> Report | None:
        stmt = select(Report).where(Report.reference == reference)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def events_of(self, report_id: int) -> Sequence[ReportEvent]:
        stmt = (
            select(ReportEvent).where(ReportEvent.report_id == report_id).order_by(ReportEvent.id)
        )
        return (await self.session.execute(stmt)).scalars().all()

    async def stream_reports(self, batch: int = 500) -> AsyncIterator[Report]:
        """Every report in reference order, fetched in batches (constant memory)."""
        stmt = select(Report).order_by(Report.id).execution_options(yield_per=batch)
        async for report in await self.session.stream_scalars(stmt):
            yield report

    async def reports_of(self, address: str, limit: int) -> Sequence[Report]:
        stmt = (
            select(Report)
            .where(Report.reporter_hash.in_(crypto.current().lookups(address)))
            .order_by(Report.id.desc())
            .limit(limit)
        )
        return (await self.session.execute(stmt)).scalars().all()

    # ---- deliveries processed once ------------------------------------------------------

    async def claim_update(self, key: str, now: datetime) -> bool:
        """True the first time ``key`` is seen; False for a redelivery."""
        result = await self.connection.execute(self._turn.claim_update, {"key": key, "at": now})
        return result.scalar_one_or_none() is not None

    async def forget_updates_before(self, before: datetime) -> int:
        result = await self.session.execute(
            delete(ProcessedUpdate).where(ProcessedUpdate.at < before)
        )
        return int(getattr(result, "rowcount", 0) or 0)

    # ---- outbox -----------------------------------------------------------------------

    async def enqueue(
        self,
        address: str,
        payload: dict[str, Any],
        now: datetime,
        report_id: int | None = None,
        due_at: datetime | None = None,
    ) -> OutboxMessage:
        message = OutboxMessage(
            address=address,
            address_hash=crypto.current().lookup(address),
            platform=address.partition(":")[0],
            payload=payload,
            report_id=report_id,
            created_at=now,
            due_at=due_at or now,
            status="pending",
            attempts=0,
        )
        self.session.add(message)
        return message

    async def pending_for(self, address: str) -> Sequence[OutboxMessage]:
        stmt = (
            select(OutboxMessage)
            .where(
                OutboxMessage.address_hash.in_(crypto.current().lookups(address)),
                OutboxMessage.status == "pending",
            )
            .order_by(OutboxMessage.id)
        )
        return (await self.session.execute(stmt)).scalars().all()

    async def due_messages(
        self, now: datetime, platforms: Sequence[str], limit: int = 100
    ) -> Sequence[OutboxMessage]:
        """Pending messages due now for the given platforms, locked (SKIP LOCKED on PostgreSQL)."""
        stmt = (
            select(OutboxMessage)
            .where(
                OutboxMessage.status == "pending",
                OutboxMessage.due_at <= now,
                OutboxMessage.platform.in_(list(platforms)),
            )
            .order_by(OutboxMessage.due_at, OutboxMessage.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return (await self.session.execute(stmt)).scalars().all()

    async def claim_messages(self, message_ids: Sequence[int], token: str, until: datetime) -> None:
        """Hold the messages under ``token`` until ``until`` (their lease: not due before)."""
        if message_ids:
            await self.connection.execute(
                update(OUTBOX)
                .where(OUTBOX.c.id.in_(message_ids))
                .values(claim_token=token, due_at=until)
            )

    async def renew_claims(
        self, message_ids: Sequence[int], token: str, until: datetime
    ) -> set[int]:
        """Extend the lease of those messages still pending and held by ``token``: their ids."""
        if not message_ids:
            return set()
        result = await self.connection.execute(
            update(OUTBOX)
            .where(
                OUTBOX.c.id.in_(message_ids),
                OUTBOX.c.claim_token == token,
                OUTBOX.c.status == "pending",
            )
            .values(due_at=until)
            .returning(OUTBOX.c.id)
        )
        return set(result.scalars().all())

    async def record_delivery(
        self,
        message_id: int,
        token: str,
        status: str,
        now: datetime,
        error: str | None,
        retry_in: timedelta | None,
    ) -> bool:
        """The outcome of one delivery attempt, written only by the holder of the message's
        claim (and ending it). False, and nothing written, when the claim was taken over."""
        values: dict[str, Any] = {
            "attempts": OUTBOX.c.attempts + 1,
            "status": status,
            "last_error": error[:500] if error else None,
            "claim_token": None,
        }
        if status == "sent":
            values["sent_at"] = now
        if retry_in is not None:
            values["due_at"] = now + retry_in
        elif status != "pending":
            values["due_at"] = now  # settled: no lease or delay moment stays behind
        result = await self.connection.execute(
            update(OUTBOX)
            .where(OUTBOX.c.id == message_id, OUTBOX.c.claim_token == token)
            .values(values)
            .returning(OUTBOX.c.id)
        )
        return result.scalar_one_or_none() is not None

    # ---- new reports per person per hour (the flood limit) ------------------------------

    async def starts_since(self, person: str, since: datetime) -> dict[datetime, int]:
        """The counted starts of ``person`` (a keyed hash) per hour, from ``since`` on."""
        result = await self.connection.execute(
            self._turn.starts_since, {"person": person, "since": since}
        )
        return {row.hour: row.starts for row in result}

    async def count_start(self, person: str, hour: datetime, allowed: int) -> bool:
        """Count one start of ``person`` in ``hour`` unless the hour already holds ``allowed``
        (one statement, so concurrent turns can't both take the last one): True if counted."""
        result = await self.connection.execute(
            self._turn.count_start, {"person": person, "hour": hour, "allowed": allowed}
        )
        return result.scalar_one_or_none() is not None

    async def forget_starts_before(self, before: datetime) -> int:
        """Delete the counts of the hours before ``before``."""
        result = await self.connection.execute(self._turn.forget_starts, {"before": before})
        return int(getattr(result, "rowcount", 0) or 0)

    # ---- follow-up: reports ---------------------------------------------------------------

    async def open_reports(
        self, statuses: Sequence[str], team_ids: Collection[str] | None, limit: int
    ) -> Sequence[Report]:
        """Reports in ``statuses`` of ``team_ids`` (None: every team), oldest first."""
        stmt = select(Report).where(Report.status.in_(list(statuses)))
        if team_ids is not None:
            stmt = stmt.where(Report.team_id.in_(sorted(team_ids)))
        stmt = stmt.order_by(Report.id).limit(limit)
        return (await self.session.execute(stmt)).scalars().all()

    async def categories_since(self, since: datetime) -> list[list[str]]:
        """The categories of each report created at or after ``since``."""
        stmt = select(Report.categories).where(Report.created_at >= since)
        return [list(categories or []) for (categories,) in await self.session.execute(stmt)]

    async def open_actions(self) -> Sequence[ImprovementAction]:
        stmt = (
            select(ImprovementAction)
            .where(ImprovementAction.status == "open")
            .order_by(ImprovementAction.deadline)
        )
        return (await self.session.execute(stmt)).scalars().all()

    async def report_for_update(self, reference: str) -> Report | None:
        stmt = select(Report).where(Report.reference == reference).with_for_update()
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def reports_where(self, *conditions: Any, limit: int = 200) -> Sequence[Report]:
        stmt = select(Report).where(*conditions).order_by(Report.id).limit(limit)
        return (await self.session.execute(stmt)).scalars().all()

    async def add_reporter_message(
        self, report_id: int, at: datetime, direction: str, kind: str, text: str
    ) -> None:
        self.session.add(
            ReporterMessage(report_id=report_id, at=at, direction=direction, kind=kind, text=text)
        )
        await self.session.flush()

    # ---- improvement register -------------------------------------------------------------

    async def add_action(self, action: ImprovementAction, report_ids: Sequence[int]) -> None:
        self.session.add(action)
        await self.session.flush()
        for report_id in report_ids:
            self.session.add(ActionReport(action_id=action.id, report_id=report_id))
        await self.session.flush()

    async def action(self, action_id: int) -> ImprovementAction | None:
        return await self.session.get(ImprovementAction, action_id, with_for_update=True)

    async def actions_where(self, *conditions: Any) -> Sequence[ImprovementAction]:
        stmt = select(ImprovementAction).where(*conditions).order_by(ImprovementAction.deadline)
        return (await self.session.execute(stmt)).scalars().all()

    async def actions_of_report(self, report_id: int) -> Sequence[ImprovementAction]:
        stmt = (
            select(ImprovementAction)
            .join(ActionReport, ActionReport.action_id == ImprovementAction.id)
            .where(ActionReport.report_id == report_id)
            .order_by(ImprovementAction.id)
        )
        return (await self.session.execute(stmt)).scalars().all()

    async def references_of_action(self, action_id: int) -> list[str]:
        stmt = (
            select(Report.reference)
            .join(ActionReport, ActionReport.report_id == Report.id)
            .where(ActionReport.action_id == action_id)
            .order_by(Report.id)
        )
        return list((await self.session.execute(stmt)).scalars())

    # ---- nudges ---------------------------------------------------------------------------

    async def add_nudges(self, nudges: Sequence[Nudge]) -> None:
        """New nudge rows in one statement (a new report opens a dozen at once)."""
        if nudges:
            columns = [c.key for c in NUDGES.columns if c.key != "id"]
            rows = [{key: getattr(nudge, key) for key in columns} for nudge in nudges]
            for row in rows:
                row["urgent"] = bool(row["urgent"])
            await self.session.execute(insert(NUDGES), rows)

    async def cancel_nudges(
        self,
        now: datetime,
        kinds: Sequence[str],
        report_id: int | None = None,
        action_id: int | None = None,
    ) -> None:
        """Close the nudges of finished steps (those already sent stay as history)."""
        target = (
            Nudge.report_id == report_id
            if report_id is not None
            else (Nudge.action_id == action_id)
        )
        await self.session.execute(
            update(Nudge)
            .where(
                target,
                Nudge.kind.in_(list(kinds)),
                Nudge.sent_at.is_(None),
                Nudge.cancelled_at.is_(None),
            )
            .values(cancelled_at=now)
        )

    async def due_nudges(self, now: datetime, limit: int = 500) -> Sequence[Nudge]:
        """Unsent, uncancelled nudges whose time has come — locked, skipping rows another
        sweeper holds (PostgreSQL), so two processes never send the same nudge."""
        stmt = (
            select(Nudge)
            .where(Nudge.sent_at.is_(None), Nudge.cancelled_at.is_(None), Nudge.send_at <= now)
            .order_by(Nudge.send_at, Nudge.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return (await self.session.execute(stmt)).scalars().all()

    async def open_nudges_of(self, report_ids: Sequence[int]) -> Sequence[Nudge]:
        if not report_ids:
            return []
        stmt = (
            select(Nudge)
            .where(
                Nudge.report_id.in_(list(report_ids)),
                Nudge.cancelled_at.is_(None),
                Nudge.stage == "reminder",
            )
            .order_by(Nudge.due_at)
        )
        return (await self.session.execute(stmt)).scalars().all()

    # ---- digests --------------------------------------------------------------------------

    async def claim_digest(self, kind: str, scope: str, period: str, now: datetime) -> bool:
        """True once per (kind, scope, period), whatever the number of processes."""
        result = await self.session.execute(
            upsert_insert(self._dialect)(DigestRun)
            .values(kind=kind, scope=scope, period=period, sent_at=now)
            .on_conflict_do_nothing()
            .returning(DigestRun.kind)
        )
        return result.scalar_one_or_none() is not None

    async def digest_sent(self, kind: str, scope: str, period: str) -> bool:
        return await self.session.get(DigestRun, (kind, scope, period)) is not None

    # ---- audit log (append-only: there is no update or delete here) --------------------------

    async def add_audit(
        self,
        at: datetime,
        actor: str,
        action: str,
        reference: str | None,
        channel: str,
        detail: dict[str, Any],
    ) -> None:
        self.session.add(
            AuditEntry(
                at=at,
                actor=actor,
                actor_hash=crypto.current().lookup(actor),
                action=action,
                reference=reference,
                channel=channel,
                detail=detail,
            )
        )

    async def rewrite_audit_actors(self) -> int:
        """Key rotation: every actor encrypted and hashed again with the first key.

        The log is append-only: the triggers that refuse updates are lifted for this
        transaction only, and it holds the table's lock (PostgreSQL) or the database's
        (SQLite) until they are back. Returns the rows rewritten."""
        cipher = crypto.current()
        for statement in _audit_guard(self._dialect, lift=True):
            await self.connection.exec_driver_sql(statement)
        rewrite = (
            update(AUDIT)
            .where(AUDIT.c.id == bindparam("row_id"))
            .values(
                actor=bindparam("new_actor", type_=AUDIT.c.actor.type),
                actor_hash=bindparam("new_hash"),
            )
        )
        touched = last = 0
        while rows := (
            await self.connection.execute(
                select(AUDIT.c.id, AUDIT.c.actor)
                .where(AUDIT.c.id > last)
                .order_by(AUDIT.c.id)
                .limit(500)
            )
        ).all():
            await self.connection.execute(
                rewrite,
                [
                    {"row_id": i, "new_actor": actor, "new_hash": cipher.lookup(actor)}
                    for i, actor in rows
                ],
            )
            touched, last = touched + len(rows), rows[-1].id
        for statement in _audit_guard(self._dialect, lift=False):
            await self.connection.exec_driver_sql(statement)
        return touched

    async def audit_of(self, reference: str) -> Sequence[AuditEntry]:
        stmt = select(AuditEntry).where(AuditEntry.reference == reference).order_by(AuditEntry.id)
        return (await self.session.execute(stmt)).scalars().all()

    async def report_by_code(self, lookups: Sequence[str]) -> Report | None:
        """The report whose code hashes to one of ``lookups`` (:meth:`Cipher.lookups`)."""
        stmt = select(Report).where(Report.code_lookup.in_(list(lookups)))
        return (await self.session.execute(stmt)).scalars().first()

    async def last_message_kind(self, report_id: int, direction: str) -> str | None:
        """The kind of the newest mailbox message of a report in one direction."""
        stmt = (
            select(ReporterMessage.kind)
            .where(ReporterMessage.report_id == report_id, ReporterMessage.direction == direction)
            .order_by(ReporterMessage.id.desc())
            .limit(1)
        )
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def messages_of(self, report_id: int) -> Sequence[ReporterMessage]:
        stmt = (
            select(ReporterMessage)
            .where(ReporterMessage.report_id == report_id, ReporterMessage.kind != "status")
            .order_by(ReporterMessage.id)
        )
        return (await self.session.execute(stmt)).scalars().all()
