"""The register as a FHIR R4B ``Bundle`` of ``AdverseEvent`` resources
(``vimbot export --format fhir``). The mapping is written down in docs/fhir.md.

Built from the register's records (:func:`bot.exporting.register_record`), it carries no
reporter identity and no free text: the subject is a placeholder ``Patient`` (by the report's
reference, for the organisation to map to its own client) or a ``Group`` for the team, never a
person; the location is the team. Every resource is validated by the ``fhir.resources``
models before it is written.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from fhir.resources.R4B.adverseevent import AdverseEvent
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.group import Group
from fhir.resources.R4B.location import Location

from bot.config import Config
from bot.i18n import Translator

# Our own code systems (URNs: no address that must resolve); the organisation maps them.
REFERENCE_SYSTEM = "urn:vimbot:report-reference"
CLIENT_SYSTEM = "urn:vimbot:client-of-report"  # the client of report X (a placeholder)
CATEGORY_SYSTEM = "urn:vimbot:category"
REPORT_TYPE_SYSTEM = "urn:vimbot:report-type"
TEAM_SYSTEM = "urn:vimbot:team"
HL7 = "http://terminology.hl7.org/CodeSystem/"
SERIOUSNESS_SYSTEM = HL7 + "adverse-event-seriousness"
SEVERITY_SYSTEM = HL7 + "adverse-event-severity"
OUTCOME_SYSTEM = HL7 + "adverse-event-outcome"

# The harm answer → (actuality, seriousness, severity, outcome); None: left out.
HARM_MAPPING: dict[str, tuple[str, str | None, str | None, str | None]] = {
    "near_miss": ("potential", "Non-serious", None, None),
    "none": ("actual", "Non-serious", None, "resolved"),
    "minor": ("actual", "Non-serious", "mild", "unknown"),
    "serious": ("actual", "Serious", "severe", "unknown"),
    "death": ("actual", "SeriousResultsInDeath", "severe", "fatal"),
    "unknown": ("actual", None, None, "unknown"),
}
_DISPLAY = {
    "Non-serious": "Non-serious",
    "Serious": "Serious",
    "SeriousResultsInDeath": "Results in death",
    "mild": "Mild",
    "severe": "Severe",
    "resolved": "Resolved",
    "unknown": "Unknown",
    "fatal": "Fatal",
}
_NAMESPACE = uuid.UUID("6f1c0b43-4a70-4b5e-9d55-2f4f3e0c9a11")


def _urn(kind: str, key: str) -> str:
    """A stable ``urn:uuid:`` for a resource of this export (the same team, the same URN)."""
    return f"urn:uuid:{uuid.uuid5(_NAMESPACE, f'{kind}:{key}')}"


def _coded(system: str, code: str, display: str | None = None) -> dict[str, Any]:
    coding: dict[str, Any] = {"system": system, "code": code}
    if display:
        coding["display"] = display
    return {"coding": [coding], **({"text": display} if display else {})}


def _hl7(system: str, code: str | None) -> dict[str, Any] | None:
    return None if code is None else _coded(system, code, _DISPLAY[code])


def is_patient_subject(record: dict[str, Any]) -> bool:
    """A client was affected and the report is not anonymous: a placeholder ``Patient``.
    An employee (MIM), someone else's, or an anonymous report: the team's ``Group``."""
    return "client" in record.get("affected", ()) and not record.get("anonymous")


def adverse_event(
    record: dict[str, Any], t: Translator, location: str, group: str
) -> dict[str, Any]:
    """One register record as an R4B AdverseEvent (a JSON-able dict, validated)."""
    harm = record.get("harm") or "unknown"
    actuality, seriousness, severity, outcome = HARM_MAPPING.get(harm, HARM_MAPPING["unknown"])
    reference = record["reference"]
    kinds = [c for c in record.get("categories", ()) if c != "other"] or ["other"]
    categories = [
        _coded(REPORT_TYPE_SYSTEM, kind, kind) for kind in str(record["report_type"]).split("+")
    ] + [_coded(CATEGORY_SYSTEM, code, t(f"category.{code}")) for code in kinds]
    subject: dict[str, Any]
    if is_patient_subject(record):
        subject = {"type": "Patient", "identifier": {"system": CLIENT_SYSTEM, "value": reference}}
    else:
        subject = {"type": "Group", "reference": group}
    resource: dict[str, Any] = {
        "resourceType": "AdverseEvent",
        "identifier": {"system": REFERENCE_SYSTEM, "value": reference},
        "actuality": actuality,
        "category": categories,
        "event": _coded(CATEGORY_SYSTEM, kinds[0], t(f"category.{kinds[0]}")),
        "subject": subject,
        "date": record["occurred_at"],
        "detected": record.get("discovered_at") or record["created_at"],
        "recordedDate": record["created_at"],
        "location": {"reference": location},
        "seriousness": _hl7(SERIOUSNESS_SYSTEM, seriousness),
        "severity": _hl7(SEVERITY_SYSTEM, severity),
        "outcome": _hl7(OUTCOME_SYSTEM, outcome),
    }
    resource = {key: value for key, value in resource.items() if value is not None}
    return AdverseEvent.model_validate(resource).model_dump(mode="json")


def _team_resources(team_id: str, name: str) -> tuple[dict[str, Any], dict[str, Any]]:
    identifier = {"system": TEAM_SYSTEM, "value": team_id}
    location = {"resourceType": "Location", "identifier": [identifier], "name": name}
    group = {
        "resourceType": "Group",
        "identifier": [identifier],
        "type": "person",
        "actual": True,
        "name": name,
    }
    return (
        Location.model_validate(location).model_dump(mode="json"),
        Group.model_validate(group).model_dump(mode="json"),
    )


def bundle(records: Sequence[dict[str, Any]], config: Config, now: datetime) -> dict[str, Any]:
    """The records as a ``collection`` Bundle: one Location and one Group per team used,
    then one AdverseEvent per report (validated as a whole too)."""
    t = Translator(config.organisation.language)
    names = {team.id: team.name for team in config.teams}
    entries: list[dict[str, Any]] = []
    teams_done: set[str] = set()
    events: list[dict[str, Any]] = []
    for record in records:
        team_id = record.get("team") or "-"
        location, group = _urn("location", team_id), _urn("group", team_id)
        if team_id not in teams_done:
            teams_done.add(team_id)
            for url, resource in zip(
                (location, group),
                _team_resources(team_id, names.get(team_id, team_id)),
                strict=True,
            ):
                entries.append({"fullUrl": url, "resource": resource})
        event = adverse_event(record, t, location, group)
        events.append({"fullUrl": _urn("adverse-event", record["reference"]), "resource": event})
    result = {
        "resourceType": "Bundle",
        "type": "collection",
        "timestamp": now.astimezone(config.organisation.tz).isoformat(),
        "entry": entries + events,
    }
    return Bundle.model_validate(result).model_dump(mode="json")


def resources(bundle_json: dict[str, Any]) -> Iterable[dict[str, Any]]:
    """The resources of a bundle (tests and readers)."""
    return (entry["resource"] for entry in bundle_json.get("entry", ()))
