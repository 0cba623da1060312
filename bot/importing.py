"""``vimbot import``: past reports brought in, in the shape of ``vimbot export --format jsonl``.

Pure: lines in, checked records (or the problems, each with its line number) out. The whole
file is checked before anything is stored; the command stores all of it or nothing.

Imported reports are closed historical reports: they open no deadlines, send no nudges and
no notifications. A reference already stored with the same content is skipped (a second
import adds nothing); with different content it is an error, never a silent skip.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.config import Config
from bot.domain.lifecycle import Status
from bot.domain.report import REFERENCE_PREFIX, report_types
from bot.domain.taxonomy import (
    AFFECTED,
    CALAMITY_HARM,
    CATEGORY_CODES,
    CONTACT_WISHES,
    FIRST_AID,
    HARM_LEVELS,
    OTHER,
)
from bot.domain.text import clean_text, fold
from bot.i18n import all_labels
from storage import crypto
from storage.db import Database
from storage.models import Report

REFERENCE = re.compile(rf"^{REFERENCE_PREFIX}-(\d{{4}})-(\d{{4,6}})$")
REPORT_TYPES = ("MIC", "MIM", "MIC+MIM")


def _key(text: str) -> str:
    """Letters and digits only, folded: ``(Seksueel-) grensoverschrijdend gedrag`` and
    ``(seksueel) grensoverschrijdend gedrag``, ``Non verbale agressie`` and ``Non-verbale
    agressie`` are the same."""
    return "".join(ch for ch in fold(text) if ch.isalnum())


def _category_names() -> dict[str, str]:
    names: dict[str, str] = {}
    for code in CATEGORY_CODES:
        names[_key(code)] = code
        names[_key(code.replace("_", " "))] = code
        for label in all_labels(f"category.{code}"):
            names[_key(label)] = code
    return names


def category_code(name: str) -> str | None:
    """The category code for a code or a Dutch or English label (case-insensitive)."""
    return _category_names().get(_key(name))


@dataclass(frozen=True, slots=True)
class Imported:
    """One checked report to import (the fields of :class:`storage.models.Report`)."""

    line: int
    reference: str
    year: int
    number: int
    fields: dict[str, Any] = field(hash=False)

    def same_content(self, other: dict[str, Any]) -> bool:
        """Whether a stored report (its fields as :func:`comparable` gives them) is this."""
        return comparable(self.fields) == comparable(other)


COMPARED = (
    "created_at",
    "occurred_on",
    "occurred_at",
    "description",
    "categories",
    "category_other",
    "affected",
    "report_type",
    "harm",
    "team_id",
    "possible_calamity",
)


def comparable(fields: dict[str, Any]) -> dict[str, Any]:
    """What makes two reports under one reference the same report."""
    return {key: fields.get(key) for key in COMPARED}


class _Problem(Exception):
    pass


def _text(record: dict[str, Any], key: str, required: bool = False) -> str | None:
    value = record.get(key)
    if value is None:
        if required:
            raise _Problem(f"'{key}' is missing")
        return None
    if not isinstance(value, str):
        raise _Problem(f"'{key}' must be text")
    cleaned = clean_text(value)
    return cleaned or None


def _moment(value: Any, key: str, tz: ZoneInfo) -> datetime:
    if not isinstance(value, str):
        raise _Problem(f"'{key}' must be an ISO date-time like 2024-03-05T14:30+01:00")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise _Problem(
            f"'{key}': '{value}' is not an ISO date-time like 2024-03-05T14:30+01:00"
        ) from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=tz)


def _one_of(record: dict[str, Any], key: str, allowed: Iterable[str], default: Any) -> Any:
    value = record.get(key, default)
    if value is None or value == default:
        return value
    allowed = tuple(allowed)
    if value not in allowed:
        raise _Problem(f"'{key}': '{value}' is not one of {', '.join(allowed)}")
    return value


def _categories(record: dict[str, Any]) -> list[str]:
    given = record.get("categories")
    if isinstance(given, str):
        given = [given]
    if not isinstance(given, list) or not given:
        raise _Problem("'categories' must be a list of at least one category (code or label)")
    codes: list[str] = []
    for name in given:
        code = category_code(name) if isinstance(name, str) else None
        if code is None:
            raise _Problem(f"unknown category '{name}'")
        if code not in codes:
            codes.append(code)
    return codes


def _check(record: Any, config: Config) -> tuple[str, int, int, dict[str, Any]]:
    if not isinstance(record, dict):
        raise _Problem("not a JSON object")
    tz = config.organisation.tz
    reference = record.get("reference")
    match = REFERENCE.match(reference) if isinstance(reference, str) else None
    if match is None:
        raise _Problem(f"'reference' must be like {REFERENCE_PREFIX}-2024-0001, not {reference!r}")
    created_at = _moment(record.get("created_at"), "created_at", tz)
    occurred_on: date = created_at.astimezone(tz).date()
    occurred_at: datetime | None = None
    occurred = record.get("occurred_at")
    if occurred is not None:
        if not isinstance(occurred, str):
            raise _Problem("'occurred_at' must be an ISO date or date-time")
        try:
            if "T" in occurred or " " in occurred:
                occurred_at = _moment(occurred, "occurred_at", tz)
                occurred_on = occurred_at.astimezone(tz).date()
            else:
                occurred_on = date.fromisoformat(occurred)
        except ValueError:
            raise _Problem(f"'occurred_at': '{occurred}' is not an ISO date or date-time") from None
    categories = _categories(record)
    category_other = _text(record, "category_other")
    if category_other and OTHER not in categories:
        categories.append(OTHER)
    affected = record.get("affected") or []
    if not isinstance(affected, list) or any(a not in AFFECTED for a in affected):
        raise _Problem(f"'affected' must be a list of {', '.join(AFFECTED)}")
    harm = _one_of(record, "harm", HARM_LEVELS, "none")
    report_type = _one_of(record, "report_type", REPORT_TYPES, None) or "+".join(
        report_types(affected)
    )
    teams = {team.id for team in config.teams}
    team_id = record.get("team")
    if team_id is not None and team_id not in teams:
        raise _Problem(f"unknown team '{team_id}' (configured: {', '.join(sorted(teams))})")
    status = _one_of(record, "status", [s.value for s in Status], None)
    anonymous = record.get("anonymous")
    reporter = _text(record, "reporter")
    if anonymous is None:
        anonymous = reporter is None
    if not isinstance(anonymous, bool):
        raise _Problem("'anonymous' must be true or false")
    possible_calamity = record.get("possible_calamity", harm in CALAMITY_HARM)
    if not isinstance(possible_calamity, bool):
        raise _Problem("'possible_calamity' must be true or false")
    closed_at = created_at
    if record.get("closed_at") is not None:
        closed_at = _moment(record["closed_at"], "closed_at", tz)
    fields = {
        "reference": reference,
        "created_at": created_at,
        "occurred_on": occurred_on,
        "occurred_at": occurred_at,
        "description": _text(record, "description") or "",
        "categories": categories,
        "category_other": category_other,
        "affected": list(affected),
        "report_type": report_type,
        "harm": harm,
        "first_aid": _one_of(record, "first_aid", FIRST_AID, None),
        "measures": _text(record, "measures"),
        "possible_calamity": possible_calamity,
        "team_id": team_id,
        "contact_wish": _one_of(record, "contact_wish", CONTACT_WISHES, "none"),
        # historical: closed, unless it was found to be no VIM report
        "status": Status.NOT_VIM.value if status == Status.NOT_VIM else Status.CLOSED.value,
        "closed_at": closed_at,
        "anonymous": anonymous,
        "reporter_address": None if anonymous else reporter,
        "reporter_name": None if anonymous else _text(record, "reporter_name"),
        "language": config.organisation.language,
    }
    assert isinstance(reference, str)
    return reference, int(match.group(1)), int(match.group(2)), fields


@dataclass(slots=True)
class Checked:
    """A file checked: the reports to import, or the problems (line, message)."""

    reports: list[Imported]
    problems: list[tuple[int, str]]


def check_lines(lines: Iterable[str], config: Config) -> Checked:
    """Every line checked; the same reference twice in the file must be the same report."""
    reports: list[Imported] = []
    problems: list[tuple[int, str]] = []
    seen: dict[str, Imported] = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as problem:
            problems.append((number, f"not valid JSON ({problem.msg})"))
            continue
        try:
            reference, year, count, fields = _check(record, config)
        except _Problem as problem:
            problems.append((number, str(problem)))
            continue
        imported = Imported(number, reference, year, count, fields)
        earlier = seen.get(reference)
        if earlier is not None:
            if not earlier.same_content(fields):
                problems.append(
                    (number, f"{reference} is also on line {earlier.line} with other content")
                )
            continue
        seen[reference] = imported
        reports.append(imported)
    return Checked(reports, problems)


@dataclass(frozen=True, slots=True)
class ImportResult:
    added: int
    present: int
    problems: list[tuple[int, str]]


def _stored_fields(report: Report) -> dict[str, Any]:
    return {key: getattr(report, key) for key in COMPARED}


async def import_reports(db: Database, checked: Checked, now: datetime) -> ImportResult:
    """Store the checked reports in one transaction: all of them or, when a reference is
    already stored with other content, none."""
    if checked.problems:
        return ImportResult(0, 0, checked.problems)
    cipher = crypto.current()
    problems: list[tuple[int, str]] = []
    async with db.transaction() as store:
        stored = await store.reports_by_references([r.reference for r in checked.reports])
        new = []
        for imported in checked.reports:
            existing = stored.get(imported.reference)
            if existing is None:
                new.append(imported)
            elif not imported.same_content(_stored_fields(existing)):
                problems.append(
                    (
                        imported.line,
                        f"{imported.reference} is already stored with other content",
                    )
                )
        if problems:
            return ImportResult(0, 0, problems)
        highest: dict[int, int] = {}
        for imported in new:
            fields = dict(imported.fields)
            address = fields["reporter_address"]
            report = await store.add_report(
                Report(**fields, reporter_hash=cipher.lookup(address) if address else None)
            )
            await store.add_event(report.id, "imported", now, None, {"via": "cli"})
            highest[imported.year] = max(highest.get(imported.year, 0), imported.number)
        for year, number in sorted(highest.items()):
            await store.raise_report_counter(year, number)
        if new:
            await store.add_audit(now, "cli", "import", None, "cli", {"reports": len(new)})
    return ImportResult(len(new), len(checked.reports) - len(new), [])
