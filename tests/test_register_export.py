"""`vimbot export`: the full register with every follow-up field, as JSON lines, CSV and
XLSX; filtered by date and team; anonymised for the committee; audited; formula-like cells
escaped."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

from openpyxl import load_workbook

from bot.clock import FrozenClock
from bot.config import Config
from bot.register import load_register
from bot.service import ReportService
from bot.spreadsheet import read_xlsx
from storage.db import Database
from storage.models import ImprovementAction
from tests.helpers import REFERENCE, Chat, vimbot
from tests.seed003 import seed003_jsonl, seed003_records
from tests.test_cli import REPORT_END, REPORT_START


def _imported_year(workdir: Path) -> None:
    (workdir / "2024.jsonl").write_text(seed003_jsonl(), encoding="utf-8")
    assert vimbot("import", "2024.jsonl", cwd=workdir).returncode == 0


def test_export_as_csv(workdir: Path) -> None:
    _imported_year(workdir)
    result = vimbot("export", "--format", "csv", cwd=workdir)
    assert result.returncode == 0, result.stderr
    table = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(table) == 53
    assert table[0]["reference"] == "VIM-2024-0001" and table[0]["status"] == "closed"


def _made_and_followed_up(workdir: Path) -> None:
    """A report made in the shell (a named reporter) whose "anders" text looks like a formula,
    then imported history."""
    vimbot(
        "shell",
        "--user",
        "alice",
        "--name",
        "Alice",
        cwd=workdir,
        stdin=REPORT_START + "\n" + REPORT_END,
    )
    record = dict(
        seed003_records()[0],
        reference="VIM-2024-0100",
        team="noord",
        categories=["Anders"],
        category_other='=HYPERLINK("http://x.invalid")',
        description="+31 6 1234 5678 belde",
        reporter="shell:carol",
        reporter_name="@carol",
        anonymous=False,
    )
    assert vimbot("import", "-", cwd=workdir, stdin=json.dumps(record)).returncode == 0


def test_the_register_with_follow_up_filtered_audited_and_escaped(workdir: Path) -> None:
    _made_and_followed_up(workdir)
    lines = vimbot("export", cwd=workdir).stdout.splitlines()
    records = {r["reference"]: r for r in map(json.loads, lines)}
    made = next(r for ref, r in records.items() if ref != "VIM-2024-0100")
    for key in (
        "triaged_at",
        "triage_outcome",
        "risk_score",
        "causes",
        "feedback_at",
        "igj_reported_on",
        "established_on",
        "closed_at",
        "actions",
    ):
        assert key in made
    assert [s["step"] for s in made["steps"]] == ["created", "notified"]
    assert made["steps"][0]["by"] == "shell:alice"

    result = vimbot("export", "--format", "csv", "--to", "2024-12-31", cwd=workdir)
    assert result.returncode == 0, result.stderr
    [row] = list(csv.DictReader(io.StringIO(result.stdout)))
    assert row["reference"] == "VIM-2024-0100"
    assert row["category_other"] == '\'=HYPERLINK("http://x.invalid")'
    assert row["description"] == "'+31 6 1234 5678 belde"
    assert row["reporter_name"] == "'@carol"

    assert vimbot("export", "--format", "xlsx", "--out", "r.xlsx", cwd=workdir).returncode == 0
    sheet = read_xlsx((workdir / "r.xlsx").read_bytes())["Register"]
    header, rows = sheet[0], sheet[1:]
    assert len(rows) == 2
    old = dict(zip(header, next(r for r in rows if r[0] == "VIM-2024-0100"), strict=True))
    assert old["category_other"] == '=HYPERLINK("http://x.invalid")'  # text, not a formula
    book = load_workbook(workdir / "r.xlsx")
    cells = [c for row in book["Register"].iter_rows() for c in row]
    assert not any(c.data_type == "f" for c in cells)

    hidden = vimbot("export", "--anonymised", "--from", "2025-01-01", cwd=workdir).stdout
    [anonymous] = [json.loads(line) for line in hidden.splitlines()]
    assert anonymous["reference"] != "VIM-2024-0100"
    assert anonymous["description"] is None and anonymous["reporter"] is None
    assert anonymous["reporter_name"] is None and anonymous["steps"][0]["by"] is None
    assert "Alice" not in hidden and "alice" not in hidden

    noord = vimbot("export", "--team", "noord", cwd=workdir).stdout.splitlines()
    assert [json.loads(line)["reference"] for line in noord] == ["VIM-2024-0100"]

    audit = vimbot("audit", "VIM-2024-0100", cwd=workdir)
    assert audit.stdout.count("export") >= 4, audit.stdout  # jsonl, csv, xlsx, team


def test_an_export_imports_into_another_database_unchanged(workdir: Path, tmp_path: Path) -> None:
    _imported_year(workdir)
    exported = vimbot("export", cwd=workdir).stdout
    other = tmp_path / "other"
    other.mkdir()
    (other / "config.toml").write_text(
        (workdir / "config.toml").read_text().replace("cli.db", "other.db")
    )
    first = vimbot("import", "-", cwd=other, stdin=exported)
    assert first.returncode == 0 and "Imported 53" in first.stderr, first.stderr
    again = vimbot("import", "-", cwd=workdir, stdin=exported)  # back into the first: same
    assert again.returncode == 0 and "53 already present" in again.stderr, again.stderr


async def test_actions_and_steps_in_the_register_on_both_engines(
    database: Database, config: Config, clock: FrozenClock
) -> None:
    service = ReportService(config, database, clock)
    await Chat(service).report()
    await Chat(service, "lead-noord", name="Lea").triage()
    async with database.transaction() as store:
        [report] = await store.register_reports(None, None, None)
        await store.add_action(
            ImprovementAction(
                description="Bedhekken nalopen",
                owner="shell:lead-noord",
                deadline=date(2026, 12, 1),
                created_at=clock.now(),
            ),
            [report.id],
        )
    [record] = await load_register(
        database, config, None, None, "noord", False, clock.now(), "cli:test", "jsonl"
    )
    assert record["triage_outcome"] == "internal" and record["risk_score"] == 1
    assert record["triaged_at"] is not None
    assert ("status", "triaged") in [(step["step"], step["to"]) for step in record["steps"]]
    [action] = record["actions"]
    assert action["description"] == "Bedhekken nalopen" and action["status"] == "open"
    assert action["deadline"] == "2026-12-01" and action["owner"] == "shell:lead-noord"
    [hidden] = await load_register(
        database, config, None, None, None, True, clock.now(), "cli:test", "csv"
    )
    assert hidden["actions"][0]["owner"] is None and hidden["description"] is None
    async with database.transaction() as store:
        audit = await store.audit_of(REFERENCE)
    exports = [e for e in audit if e.action == "export"]
    assert [e.detail for e in exports] == [
        {"format": "jsonl", "anonymised": False},
        {"format": "csv", "anonymised": True},
    ]
    assert {e.actor for e in exports} == {"cli:test"}
