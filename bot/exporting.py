"""Reports as plain records (``vimbot export``), in the organisation's timezone."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from storage.models import ImprovementAction, Report, ReportEvent


def report_record(report: Report, tz: ZoneInfo) -> dict[str, Any]:
    """One report as a JSON-able dict. ``reporter`` is null when the report is anonymous.

    ``occurred_at`` is a date-time with offset when the reporter gave a time of day, else the
    date alone.
    """
    occurred = (
        report.occurred_at.astimezone(tz).isoformat()
        if report.occurred_at is not None
        else report.occurred_on.isoformat()
    )
    return {
        "reference": report.reference,
        "created_at": report.created_at.astimezone(tz).isoformat(),
        "occurred_at": occurred,
        "description": report.description,
        "categories": list(report.categories),
        "category_other": report.category_other,
        "affected": list(report.affected),
        "harm": report.harm,
        "first_aid": report.first_aid,
        "measures": report.measures,
        "possible_calamity": report.possible_calamity,
        "report_type": report.report_type,
        "team": report.team_id,
        "status": report.status,
        "contact_wish": report.contact_wish,
        "anonymous": report.anonymous,
        "reporter": None if report.anonymous else report.reporter_address,
        "reporter_name": None if report.anonymous else report.reporter_name,
        # What was done after the report: step, value, when, by whom (a handler's address).
        "after_report": [
            {**record, "at": _local(str(record["at"]), tz)} for record in report.after_report or ()
        ],
    }


def _local(moment: str, tz: ZoneInfo) -> str:
    return datetime.fromisoformat(moment).astimezone(tz).isoformat()


# ---- the register: every report with every follow-up field (``vimbot export``) -----------

# Free texts and identities: left out of an anonymised export (for the committee).
TEXT_FIELDS = (
    "description",
    "category_other",
    "measures",
    "triage_reason",
    "why_chain",
    "analysis",
    "feedback",
    "reporter",
    "reporter_name",
    "contacted_by",
    "retention_held_by",
    "retention_hold_reason",
    "strict_followup_by",
    "progress_reports",
)


def _moment(value: datetime | None, tz: ZoneInfo) -> str | None:
    return value.astimezone(tz).isoformat() if value is not None else None


def _day(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def register_record(
    report: Report,
    actions: Sequence[ImprovementAction],
    events: Sequence[ReportEvent],
    tz: ZoneInfo,
    anonymised: bool = False,
) -> dict[str, Any]:
    """:func:`report_record` with the whole follow-up: triage and reason, risk, causes, each
    step's date and by whom, the actions, feedback, calamity, IGJ and Arbeidsinspectie
    dates. ``anonymised``: no texts and no identities."""
    record = report_record(report, tz)
    record.update(
        {
            "discovered_at": _moment(report.discovered_at, tz),
            "contacted_at": _moment(report.contacted_at, tz),
            "contacted_by": report.contacted_by,
            "triaged_at": _moment(report.triaged_at, tz),
            "triage_outcome": report.triage_outcome,
            "triage_reason": report.triage_reason,
            "risk_frequency": report.risk_frequency,
            "risk_consequence": report.risk_consequence,
            "risk_score": report.risk_score,
            "explored_at": _moment(report.explored_at, tz),
            "analysed_at": _moment(report.analysed_at, tz),
            "causes": list(report.causes or []),
            "why_chain": list(report.why_chain or []),
            # §6.6: direct and underlying causes, timeline, who took part (null: not recorded)
            "analysis": dict(report.analysis) if report.analysis else None,
            "feedback": report.feedback,
            "feedback_at": _moment(report.feedback_at, tz),
            "shareable_lesson": report.shareable_lesson,
            "established_on": _day(report.established_on),
            "client_informed_at": _moment(report.client_informed_at, tz),
            "igj_reported_on": _day(report.igj_reported_on),
            "arbeidsinspectie_reported_on": _day(report.arbeidsinspectie_reported_on),
            "closed_at": _moment(report.closed_at, tz),
            # A retention hold (§13): since when, by whom, ground and reason (null: none).
            "retention_held_at": _moment(report.retention_held_at, tz),
            "retention_held_by": report.retention_held_by,
            "retention_hold_ground": report.retention_hold_ground,
            "retention_hold_reason": report.retention_hold_reason,
            # Stricter follow-up (§14): since when, by whom, when lifted, each progress report.
            "strict_followup_at": _moment(report.strict_followup_at, tz),
            "strict_followup_by": report.strict_followup_by,
            "strict_followup_ended_at": _moment(report.strict_followup_ended_at, tz),
            "progress_reports": [
                {**record, "at": _local(str(record["at"]), tz)}
                for record in report.progress_reports or ()
            ],
            "steps": [
                {
                    "step": event.kind,
                    "to": (event.data or {}).get("to"),  # a status change: the new status
                    "at": _moment(event.at, tz),
                    "by": None if anonymised else event.actor,
                }
                for event in events
            ],
            "actions": [
                {
                    "description": action.description,
                    "owner": None if anonymised else action.owner,
                    "deadline": _day(action.deadline),
                    "status": action.status,
                    "done_at": _moment(action.done_at, tz),
                    "effectiveness": action.effectiveness,
                    "kind": action.kind,  # immediate or structural (§6.7)
                }
                for action in actions
            ],
        }
    )
    if anonymised:
        for key in TEXT_FIELDS:
            record[key] = [] if key in ("why_chain", "progress_reports") else None
        record["anonymised"] = True
    return record


# The register's columns in CSV and XLSX (lists joined with "; ", steps and actions as JSON).
def flat_register_row(record: dict[str, Any]) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for key, value in record.items():
        if key in ("steps", "actions", "progress_reports"):
            row[key] = json.dumps(value, ensure_ascii=False) if value else ""
        elif isinstance(value, list):
            row[key] = "; ".join(str(v) for v in value)
        else:
            row[key] = value
    return row
