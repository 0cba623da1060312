"""`vimbot export --format fhir`: a FHIR R4B Bundle of AdverseEvent resources, every resource
validated by the fhir.resources models; subject a placeholder Patient or the team's Group,
never a person; no reporter identity and no free text (docs/fhir.md)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fhir.resources.R4B.adverseevent import AdverseEvent
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.group import Group
from fhir.resources.R4B.location import Location

from bot.fhir import CLIENT_SYSTEM, HARM_MAPPING
from tests.helpers import vimbot
from tests.seed003 import seed003_records

MODELS = {"AdverseEvent": AdverseEvent, "Group": Group, "Location": Location}


def _record(**changes: Any) -> dict[str, Any]:
    return dict(seed003_records()[0], **changes)


def _export(workdir: Path, records: list[dict[str, Any]], *args: str) -> dict[str, Any]:
    lines = "".join(json.dumps(r) + "\n" for r in records)
    assert vimbot("import", "-", cwd=workdir, stdin=lines).returncode == 0
    result = vimbot("export", "--format", "fhir", *args, cwd=workdir)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def _events(bundle: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        e["resource"]["identifier"]["value"]: e["resource"]
        for e in bundle["entry"]
        if e["resource"]["resourceType"] == "AdverseEvent"
    }


def test_the_register_as_a_valid_r4b_bundle_of_adverse_events(workdir: Path) -> None:
    records = [
        _record(
            reference="VIM-2024-0201",
            affected=["client"],
            categories=["Medicatieverstrekking"],
            harm="serious",
            team="noord",
            reporter="shell:carol",
            reporter_name="Carol de Vries",
            anonymous=False,
            description="Mevrouw Jansen kreeg haar insuline niet",
            occurred_at="2024-03-04T08:15:00+01:00",
        ),
        _record(reference="VIM-2024-0202", harm="near_miss", affected=["employee"]),
        _record(
            reference="VIM-2024-0203",
            affected=["client"],
            harm="death",
            anonymous=True,
            categories=["Ongeval"],
        ),
        _record(reference="VIM-2024-0204", harm="minor", affected=["employee"]),
    ]
    bundle = _export(workdir, records)
    Bundle.model_validate(bundle)
    assert bundle["resourceType"] == "Bundle" and bundle["type"] == "collection"
    for entry in bundle["entry"]:  # every resource on its own, with the library
        resource = entry["resource"]
        MODELS[resource["resourceType"]].model_validate(resource)
        assert entry["fullUrl"].startswith("urn:uuid:")

    events = _events(bundle)
    assert len(events) == 4
    client = events["VIM-2024-0201"]
    assert client["actuality"] == "actual"
    assert client["subject"] == {
        "type": "Patient",
        "identifier": {"system": CLIENT_SYSTEM, "value": "VIM-2024-0201"},
    }
    assert client["date"] == "2024-03-04T08:15:00+01:00"
    assert client["recordedDate"] == "2024-01-01T10:00:00+01:00"
    assert client["detected"]
    assert client["seriousness"]["coding"][0]["code"] == "Serious"
    assert client["severity"]["coding"][0]["code"] == "severe"
    assert client["event"]["coding"][0]["code"] == "medication_dispensing"
    codes = {c["coding"][0]["code"] for c in client["category"]}
    assert codes == {"MIC", "medication_dispensing"}

    by_url = {e["fullUrl"]: e["resource"] for e in bundle["entry"]}
    location = by_url[client["location"]["reference"]]
    assert location["resourceType"] == "Location" and location["identifier"][0]["value"] == "noord"

    near = events["VIM-2024-0202"]
    assert near["actuality"] == "potential"
    group = by_url[near["subject"]["reference"]]  # an employee's report: the team, no person
    assert group["resourceType"] == "Group" and group["identifier"][0]["value"] == "zuid"
    assert "MIM" in {c["coding"][0]["code"] for c in near["category"]}

    anonymous = events["VIM-2024-0203"]  # a client report, but anonymous: the team's Group
    assert anonymous["subject"]["type"] == "Group"
    assert anonymous["outcome"]["coding"][0]["code"] == "fatal"
    assert anonymous["seriousness"]["coding"][0]["code"] == "SeriousResultsInDeath"
    assert events["VIM-2024-0204"]["severity"]["coding"][0]["code"] == "mild"

    text = json.dumps(bundle)
    for secret in ("carol", "Carol", "Jansen", "insuline", "Melding 1"):
        assert secret not in text


def test_every_harm_answer_is_mapped() -> None:
    from bot.domain.taxonomy import HARM_LEVELS

    assert set(HARM_MAPPING) == set(HARM_LEVELS)


def test_an_empty_register_is_an_empty_valid_bundle(workdir: Path) -> None:
    assert vimbot("db", "upgrade", cwd=workdir).returncode == 0
    result = vimbot("export", "--format", "fhir", cwd=workdir)
    assert result.returncode == 0, result.stderr
    bundle = json.loads(result.stdout)
    Bundle.model_validate(bundle)
    assert bundle.get("entry", []) == []
