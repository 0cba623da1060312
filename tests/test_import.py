"""`vimbot import --format jsonl`: all or nothing, idempotent by reference, a clash is an
error, imported reports are closed history (no nudges, no messages), and the year's counter
moves past them."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Coroutine
from datetime import datetime
from pathlib import Path

from bot.clock import FrozenClock
from bot.config import Config
from bot.importing import check_lines, import_reports
from bot.service import ReportService
from storage.db import Database
from storage.models import Nudge, OutboxMessage, Report
from tests.helpers import Chat, count_rows, table_rows, vimbot
from tests.seed003 import REPORTS, seed003_jsonl, seed003_records
from tests.test_cli import REPORT_END, REPORT_START


def _write(folder: Path, text: str, name: str = "past.jsonl") -> str:
    (folder / name).write_text(text, encoding="utf-8")
    return name


def _exported(workdir: Path) -> list[dict[str, object]]:
    result = vimbot("export", "--format", "jsonl", cwd=workdir)
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def _counts(workdir: Path) -> tuple[int, int, int]:
    return asyncio.run(_count(workdir))


async def _count(workdir: Path) -> tuple[int, int, int]:
    db = Database(f"sqlite:///{workdir / 'cli.db'}")
    try:
        return (
            await count_rows(db, Report),
            await count_rows(db, Nudge),
            await count_rows(db, OutboxMessage),
        )
    finally:
        await db.dispose()


def test_import_a_year_as_closed_history_twice_adds_nothing(workdir: Path) -> None:
    name = _write(workdir, seed003_jsonl())
    first = vimbot("import", "--format", "jsonl", name, cwd=workdir)
    assert first.returncode == 0, first.stderr
    assert f"Imported {REPORTS} report(s); 0 already present" in first.stderr
    assert _counts(workdir) == (REPORTS, 0, 0)  # no nudges, no notifications

    records = _exported(workdir)
    assert len(records) == REPORTS
    assert {r["status"] for r in records} == {"closed"}
    first_one = records[0]
    assert first_one["reference"] == "VIM-2024-0001"
    # labels of the seed, in its own spelling, became codes
    assert first_one["categories"] == ["near_accident", "accident"]
    assert records[33]["categories"] == ["nonverbal_aggression", "other"]
    assert sum(len(r["categories"]) for r in records) == 90  # type: ignore[arg-type]
    assert records[51]["categories"] == ["transgressive_behaviour"]
    anders = [r["category_other"] for r in records if r["category_other"]]
    assert len(anders) == 7 and "drugs in woning" in anders

    again = vimbot("import", "--format", "jsonl", name, cwd=workdir)
    assert again.returncode == 0, again.stderr
    assert f"Imported 0 report(s); {REPORTS} already present" in again.stderr
    assert _counts(workdir) == (REPORTS, 0, 0)


def test_a_reference_with_other_content_is_an_error_and_nothing_is_imported(
    workdir: Path,
) -> None:
    assert vimbot("import", _write(workdir, seed003_jsonl()), cwd=workdir).returncode == 0
    records = seed003_records()
    records[4]["description"] = "Iets anders"
    extra = dict(records[0], reference="VIM-2024-0100")
    lines = [json.dumps(r) for r in [*records, extra]]
    result = vimbot("import", _write(workdir, "\n".join(lines), "changed.jsonl"), cwd=workdir)
    assert result.returncode == 1
    assert "line 5: VIM-2024-0005 is already stored with other content" in result.stderr
    assert "Nothing imported" in result.stderr and "Traceback" not in result.stderr
    assert (_counts(workdir))[0] == REPORTS  # the new VIM-2024-0100 did not go in


async def _table(workdir: Path, *where: object) -> list[Report]:
    db = Database(f"sqlite:///{workdir / 'cli.db'}")
    try:
        return await table_rows(db, Report, *where)
    finally:
        await db.dispose()


def _rows(workdir: Path, *where: object) -> Coroutine[None, None, list[Report]]:
    return _table(workdir, *where)


def test_every_wrong_line_is_named_and_nothing_is_imported(workdir: Path) -> None:
    assert vimbot("db", "upgrade", cwd=workdir).returncode == 0
    good, second, third = seed003_records()[:3]
    second["categories"] = ["Verbale agressie", "Kattenkwaad"]
    third_changed = dict(good, description="Een ander verhaal")
    lines = [
        json.dumps(good),
        json.dumps(second),
        "{not json",
        json.dumps(dict(third, team="west")),
        json.dumps(dict(third, created_at="gisteren", reference="VIM-2024-0009")),
        json.dumps(third_changed),
    ]
    result = vimbot("import", _write(workdir, "\n".join(lines)), cwd=workdir)
    assert result.returncode == 1
    err = result.stderr
    assert "line 2: unknown category 'Kattenkwaad'" in err
    assert "line 3: not valid JSON" in err
    assert "line 4: unknown team 'west'" in err
    assert "line 5: 'created_at': 'gisteren' is not an ISO date-time" in err
    assert "line 6: VIM-2024-0001 is also on line 1 with other content" in err
    assert "line 1:" not in err
    assert _counts(workdir) == (0, 0, 0)


def test_categories_as_codes_or_labels_in_either_language(workdir: Path) -> None:
    record = seed003_records()[0]
    record["categories"] = [
        "VERBAL_AGGRESSION",
        "non-verbal aggression",
        "(sexually) transgressive behaviour",
        "bedreigen",
    ]
    result = vimbot("import", "-", cwd=workdir, stdin=json.dumps(record) + "\n")
    assert result.returncode == 0, result.stderr
    [exported] = _exported(workdir)
    assert exported["categories"] == [
        "verbal_aggression",
        "nonverbal_aggression",
        "transgressive_behaviour",
        "threat",
    ]


def test_new_reports_never_collide_with_imported_references(workdir: Path) -> None:
    year = datetime.now().year  # the shell's report takes the real clock's year
    record = dict(seed003_records()[0], reference=f"VIM-{year}-0041")
    assert vimbot("import", "-", cwd=workdir, stdin=json.dumps(record)).returncode == 0
    shell = vimbot("shell", "--user", "alice", cwd=workdir, stdin=REPORT_START + "\n" + REPORT_END)
    assert f"VIM-{year}-0042" in shell.stdout, shell.stdout[-1500:]
    [imported] = asyncio.run(_rows(workdir, Report.reference == f"VIM-{year}-0041"))
    assert imported.status == "closed" and imported.closed_at is not None


async def test_import_moves_the_counter_on_both_engines(
    database: Database, config: Config, clock: FrozenClock
) -> None:
    records = [
        dict(seed003_records()[0], reference="VIM-2026-0041", team="noord"),
        dict(seed003_records()[1], reference="VIM-2026-0003", team="zuid"),
    ]
    checked = check_lines([json.dumps(r) for r in records], config)
    assert checked.problems == []
    result = await import_reports(database, checked, clock.now())
    assert (result.added, result.present, result.problems) == (2, 0, [])
    service = ReportService(config, database, clock)
    await Chat(service).report()
    async with database.transaction() as store:
        stored = await store.reports_by_references(["VIM-2026-0042", "VIM-2026-0041"])
    assert sorted(stored) == ["VIM-2026-0041", "VIM-2026-0042"]
    assert stored["VIM-2026-0042"].status == "new"
    again = await import_reports(database, checked, clock.now())
    assert (again.added, again.present) == (0, 2)
