"""What a sent report is: its fields, classification (MIC/MIM, possible calamity), reference."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.domain.dates import When
from bot.domain.taxonomy import CALAMITY_HARM

REFERENCE_PREFIX = "VIM"


def format_reference(year: int, number: int) -> str:
    """``VIM-2026-0042``: the year of reporting and a number counting up within that year."""
    return f"{REFERENCE_PREFIX}-{year}-{number:04d}"


def report_types(affected: list[str]) -> list[str]:
    """MIC for client-related incidents, MIM when an employee was affected; can be both.

    An incident that only affected someone else (a visitor, a relative) happened in the care
    for a client, so it is registered as MIC.
    """
    types = []
    if "client" in affected or "employee" not in affected:
        types.append("MIC")
    if "employee" in affected:
        types.append("MIM")
    return types


def is_possible_calamity(harm: str | None) -> bool:
    """Serious harm or death may be a calamity (Wkkgz) until triage says otherwise."""
    return harm in CALAMITY_HARM


@dataclass(frozen=True, slots=True)
class ReportDraft:
    """The answers of a finished report conversation, ready to be stored."""

    description: str
    occurred: When
    categories: list[str]
    category_other: str | None
    affected: list[str]
    harm: str
    first_aid: str | None
    measures: str | None
    team_id: str | None
    contact_wish: str
    danger_at_start: bool

    @property
    def possible_calamity(self) -> bool:
        return is_possible_calamity(self.harm)

    @property
    def report_types(self) -> list[str]:
        return report_types(self.affected)

    def occurred_at(self, tz: ZoneInfo) -> datetime | None:
        """The moment in UTC when the person gave a time of day, else None."""
        if self.occurred.at is None:
            return None
        return datetime.combine(self.occurred.day, self.occurred.at, tzinfo=tz).astimezone(
            ZoneInfo("UTC")
        )
