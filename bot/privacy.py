"""The rights of the people concerned and keeping only what is needed (AVG).

- ``rotate_keys``: re-encrypt every protected value with the first configured key.
- ``export_person``: everything stored about one address (inzage).
- ``erase_person``: remove someone's identity from their reports; the anonymised content
  stays for learning and the annual figures.
- ``apply_retention``: after the retention period, closed reports lose their personal data.
- ``tidy_drafts``: remind people of an unsent report, then delete abandoned drafts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import structlog

from bot.config import Config
from bot.events import Outbound, payload_of
from bot.exporting import report_record
from bot.i18n import Translator
from bot.terms import worded_terms
from storage.db import Database
from storage.models import Report
from storage.queries.privacy import ENCRYPTED

log = structlog.get_logger("vimbot.privacy")

REMOVED = "[verwijderd]"
BATCH = 500


async def rotate_keys(db: Database) -> int:
    """Re-encrypt all protected values with the current first key and write again the keyed
    hashes that can be computed again; returns rows touched.

    An anonymous code's hash cannot (the code is not stored): it stays as it was, and is
    found as long as the key it was made with is configured (see ``Cipher.lookups``)."""
    touched = 0
    for table in ENCRYPTED:
        async with db.transaction() as store:
            touched += await store.reencrypt(table, batch=BATCH)
    async with db.transaction() as store:
        touched += await store.rewrite_audit_actors()
    return touched


async def export_person(
    db: Database, config: Config, address: str, now: datetime
) -> dict[str, Any]:
    """All data about ``address``: profile, own (named) reports, messages, drafts, actions."""
    tz = config.organisation.tz
    platform, _, user_id = address.partition(":")
    async with db.transaction() as store:
        person = await store.get_person(address)
        reports = await store.reports_by_reporter(address)
        messages = await store.mailbox_of([r.id for r in reports])
        outbox = await store.outbox_to(address)
        draft = await store.load_conversation(platform, user_id)
        audit = await store.audit_by_actor(address)
        await store.add_audit(now, "cli", "privacy_export", None, "cli", {"reports": len(reports)})
    return {
        "address": address,
        "person": None
        if person is None
        else {
            "name": person.name,
            "language": person.language,
            "team": person.team_id,
            "created_at": person.created_at.astimezone(tz).isoformat(),
        },
        "reports": [_without_handlers(report_record(r, tz)) for r in reports],
        "messages_about_reports": [
            {
                "report_id": m.report_id,
                "at": m.at.astimezone(tz).isoformat(),
                "direction": m.direction,
                "kind": m.kind,
                "text": m.text,
            }
            for m in messages
        ],
        "messages_sent_to_person": [
            {
                "at": m.created_at.astimezone(tz).isoformat(),
                "status": m.status,
                "text": m.payload.get("text"),
            }
            for m in outbox
        ],
        "draft": None if draft is None else draft.state.get("answers"),
        "actions_as_handler": [
            {"at": a.at.astimezone(tz).isoformat(), "action": a.action, "reference": a.reference}
            for a in audit
        ],
    }


@dataclass(frozen=True, slots=True)
class Erased:
    reports: int  # reports whose reporter's identity was removed
    found: bool  # anything was stored about the person at all (reports, profile, drafts)


def _without_handlers(record: dict[str, Any]) -> dict[str, Any]:
    """A report as its reporter may read it: what was done after it, not who did it (the
    handlers' identities are theirs)."""
    steps = record.get("after_report")
    if steps:
        hidden = ("by", "by_name")
        record = {
            **record,
            "after_report": [{k: v for k, v in s.items() if k not in hidden} for s in steps],
        }
    return record


async def erase_person(db: Database, address: str, now: datetime, actor: str = "cli") -> Erased:
    """Remove ``address``'s identity from their reports and from every message that names
    them; returns how many reports changed.

    Messages to the person go; messages about their reports (the leaders' notifications,
    sent or still queued) keep their content with the name replaced, so a queued one is
    never delivered with it. Old copies are then dropped from the database files."""
    platform, _, user_id = address.partition(":")
    async with db.transaction() as store:
        person = await store.get_person(address)
        reports = await store.reports_by_reporter(address)
        names = {person.name} if person is not None and person.name else set()
        names |= {r.reporter_name for r in reports if r.reporter_name}
        pattern = _name_pattern(names, user_id)
        for report in reports:
            report.reporter_address = report.reporter_name = report.reporter_hash = None
            report.personal_data_removed_at = report.personal_data_removed_at or now
            for field in FREE_TEXTS:  # what was typed about the report may name them too
                setattr(report, field, _without_names(getattr(report, field), pattern))
            for event in await store.events_of(report.id):  # actors are encrypted: compared here
                if event.actor == address:
                    event.actor = None
            await store.add_event(report.id, "identity_erased", now, None, {})
            await store.add_audit(now, actor, "erase", report.reference, "cli", {})
        if reports and pattern is not None:
            ids = [r.id for r in reports]
            for message in await store.outbox_about(ids):
                payload = _without_names(message.payload, pattern)
                if payload != message.payload:
                    message.payload = payload
            for mail in await store.mailbox_of(ids):
                mail.text = _without_names(mail.text, pattern)
        draft = await store.load_conversation(platform, user_id)
        outbox = await store.outbox_to(address)
        await store.delete_outbox_to(address)
        await store.delete_conversation(platform, user_id)
        await store.delete_person(address)
    if not await db.drop_old_copies():
        log.warning("erase_checkpoint_busy")  # the log is emptied at the next checkpoint
    found = bool(reports) or person is not None or draft is not None or bool(outbox)
    return Erased(len(reports), found)


# Texts typed about a report, by the reporter or a handler, that may name the reporter.
FREE_TEXTS = (
    "description",
    "category_other",
    "measures",
    "triage_reason",
    "feedback",
    "shareable_lesson",
    "analysis",
    "progress_reports",
)


def _name_pattern(names: set[str], user_id: str) -> re.Pattern[str] | None:
    """Every way the person may be written: their full names, each part of a name (three
    letters or more: "Nina", "Verbeek"), and their platform id — whole words, any case."""
    words = {name.strip() for name in names if name and name.strip()}
    words |= {part for name in names for part in re.split(r"[\s,.'-]+", name) if len(part) >= 3}
    if len(user_id) >= 3:
        words.add(user_id)
    if not words:
        return None
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


def _without_names(value: Any, pattern: re.Pattern[str] | None) -> Any:
    """``value`` (a text, or a message payload) with every mention of the person replaced."""
    if pattern is None or value is None:
        return value
    if isinstance(value, str):
        return pattern.sub(REMOVED, value)
    if isinstance(value, list):
        return [_without_names(item, pattern) for item in value]
    if isinstance(value, dict):
        return {key: _without_names(item, pattern) for key, item in value.items()}
    return value


async def apply_retention(db: Database, config: Config, now: datetime) -> int:
    """Closed reports past the retention period keep their counts, not their personal data."""
    cutoff = now - timedelta(days=365 * config.privacy.retention_years)
    async with db.transaction() as store:
        reports = await store.reports_past_retention(cutoff, limit=BATCH)
        for report in reports:
            _strip(report)
            report.personal_data_removed_at = now
            await store.add_event(report.id, "retention_applied", now, None, {})
            await store.forget_messages_of(report.id)
    if reports:
        log.info("retention_applied", count=len(reports))
    return len(reports)


def _strip(report: Report) -> None:
    report.description = REMOVED
    report.category_other = report.measures = report.triage_reason = None
    report.reporter_address = report.reporter_name = report.reporter_hash = None
    report.feedback = report.shareable_lesson = None
    report.why_chain = report.analysis = report.progress_reports = None
    report.anonymous_code_hash = None
    # what was done after it stays (the figures count it), not who did it
    report.after_report = [
        {key: value for key, value in step.items() if key not in ("by", "by_name")}
        for step in report.after_report or []
    ]


async def tidy_drafts(db: Database, config: Config, now: datetime) -> tuple[int, int]:
    """Remind people of a report they did not send; delete drafts left too long.

    Returns (reminded, deleted)."""
    privacy = config.privacy
    remind_before = now - timedelta(hours=privacy.draft_reminder_hours)
    delete_before = now - timedelta(hours=privacy.draft_delete_hours)
    reminded = deleted = 0
    async with db.transaction() as store:
        for draft in await store.stale_drafts(remind_before):
            if draft.updated_at < delete_before:
                await store.delete_draft(draft)
                deleted += 1
            elif draft.flow == "report" and not draft.state.get("reminded"):
                t = Translator(config.organisation.language)
                await store.enqueue(
                    f"{draft.platform}:{draft.chat_id}",
                    payload_of(Outbound(t("privacy.draft_reminder", **worded_terms(config, t)))),
                    now,
                )
                draft.state = {**draft.state, "reminded": True}  # updated_at stays as it was
                reminded += 1
    if reminded or deleted:
        log.info("drafts_tidied", reminded=reminded, deleted=deleted)
    return reminded, deleted
