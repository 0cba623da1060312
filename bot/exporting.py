"""Reports as plain records (``vimbot export``), in the organisation's timezone."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from storage.models import Report


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
