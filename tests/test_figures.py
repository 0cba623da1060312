"""The organisation's figures: a year imported (shaped like seeds/003) gives back the seed's
table in CSV (the DESIGN contract), JSON and XLSX; reports made through the service are
counted with their follow-up; the previous period is compared."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from pathlib import Path

from bot.clock import FrozenClock
from bot.config import Config
from bot.digests import period_of
from bot.domain.taxonomy import CATEGORY_CODES
from bot.figures import as_json, rows
from bot.importing import check_lines, import_reports
from bot.register import load_figures
from bot.service import ReportService
from bot.spreadsheet import read_xlsx
from storage.db import Database
from tests.helpers import Chat, vimbot
from tests.seed003 import OTHER_TEXTS, REPORTS, SEED_TABLE, seed003_jsonl, seed003_records

DUTCH = {
    "near_accident": "Bijna ongeval",
    "verbal_aggression": "Verbale agressie",
    "nonverbal_aggression": "Non-verbale agressie",
    "physical_aggression": "Fysieke agressie",
    "transgressive_behaviour": "(Seksueel) grensoverschrijdend gedrag",
    "accident": "Ongeval",
    "threat": "Bedreigen",
    "suicide_attempt": "Tentamen suïcide",
    "medication_dispensing": "Medicatieverstrekking",
    "other": "Anders",
}


def _imported_year(workdir: Path) -> None:
    (workdir / "2024.jsonl").write_text(seed003_jsonl(), encoding="utf-8")
    result = vimbot("import", "--format", "jsonl", "2024.jsonl", cwd=workdir)
    assert result.returncode == 0, result.stderr


def test_a_seed_shaped_year_gives_back_the_seed_table_in_csv(workdir: Path) -> None:
    _imported_year(workdir)
    result = vimbot("report", "annual", "--year", "2024", "--format", "csv", cwd=workdir)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "section,code,label,count"
    assert "totals,reports,Meldingen,53" in lines
    assert "totals,category_ticks,Aangevinkte soorten melding,90" in lines
    for code, _seed_label, count in SEED_TABLE:
        assert f"categories,{code},{DUTCH[code]},{count}" in lines
    for text, count in OTHER_TEXTS:
        assert f"other,,{text},{count}" in lines  # as typed, trimmed
    table = list(csv.DictReader(io.StringIO(result.stdout)))
    categories = [row["code"] for row in table if row["section"] == "categories"]
    assert sorted(categories) == sorted(CATEGORY_CODES)  # every category, even at zero
    assert categories[: len(SEED_TABLE) - 1] == [code for code, _, _ in SEED_TABLE[:-1]]
    others = [row for row in table if row["section"] == "other"]
    assert sum(int(row["count"]) for row in others) == 7
    assert not any(row["section"] == "previous" for row in table)  # 2023 has no data
    teams = {row["code"]: int(row["count"]) for row in table if row["section"] == "teams"}
    assert teams == {"noord": 35, "zuid": 18}
    months = [row for row in table if row["section"] == "months"]
    assert [row["code"] for row in months][:2] == ["2024-01", "2024-02"] and len(months) == 12
    assert sum(int(row["count"]) for row in months) == REPORTS
    mim = next(row for row in table if row["section"] == "report_types" and row["code"] == "MIM")
    assert mim["count"] == "53"


def test_the_same_figures_in_json_xlsx_markdown_and_per_team(workdir: Path) -> None:
    _imported_year(workdir)
    as_csv = vimbot("report", "annual", "--year", "2024", "--format", "csv", cwd=workdir).stdout
    csv_rows = [r for r in csv.reader(io.StringIO(as_csv))]

    made = vimbot(
        "report", "annual", "--year", "2024", "--format", "xlsx", "--out", "j.xlsx", cwd=workdir
    )
    assert made.returncode == 0, made.stderr
    sheet = read_xlsx((workdir / "j.xlsx").read_bytes())["Cijfers"]
    assert [[str(v) if v is not None else "" for v in row] for row in sheet] == csv_rows

    figures = json.loads(
        vimbot("report", "annual", "--year", "2024", "--format", "json", cwd=workdir).stdout
    )
    assert figures["reports"] == REPORTS and figures["category_ticks"] == 90
    assert figures["categories"]["threat"] == 21 and figures["categories"]["fall"] == 0
    assert {"text": "drugs in woning", "count": 2} in figures["other"]
    assert figures["previous"] is None

    text = vimbot("report", "annual", "--year", "2024", cwd=workdir).stdout
    assert "Jaarverslag Veilig Incident Melden (VIM) 2024" in text
    assert "| Verbale agressie | 31 |" in text
    assert "90 keer aangevinkt bij 53 meldingen" in text
    assert "Inleiding" in text  # the example configuration's [reports] introduction

    zuid = json.loads(
        vimbot(
            "report", "annual", "--year", "2024", "--team", "zuid", "--format", "json", cwd=workdir
        ).stdout
    )
    assert zuid["reports"] == 18 and zuid["team"] == "zuid"

    wrong = vimbot("report", "annual", "--year", "2024", "--team", "west", cwd=workdir)
    assert wrong.returncode == 2 and "no team 'west'" in wrong.stderr
    wrong = vimbot("report", "quarterly", "--quarter", "2024-Q5", cwd=workdir)
    assert wrong.returncode == 2 and "2026-Q3" in wrong.stderr


async def test_reports_through_the_service_with_follow_up_and_the_previous_quarter(
    database: Database, config: Config, clock: FrozenClock
) -> None:
    # the quarter before: two reports imported (July and September 2026)
    earlier = seed003_records(2026)[:2]
    earlier[0]["created_at"] = "2026-07-10T10:00:00+02:00"
    earlier[1]["created_at"] = "2026-09-10T10:00:00+02:00"
    checked = check_lines([json.dumps(r) for r in earlier], config)
    assert (await import_reports(database, checked, clock.now())).added == 2

    service = ReportService(config, database, clock)
    alice, leader = Chat(service), Chat(service, "lead-noord", name="Lea")
    await alice.report()  # a fall, no harm, team noord: VIM-2026-0003
    clock.advance(timedelta(hours=2))
    await leader.press("case:VIM-2026-0003", "triage")
    for answer in ("internal", "yearly", "minor", "confirm"):
        await leader.tap(answer)
    clock.advance(timedelta(days=1))
    await Chat(service, "bob", name="Bob").report(
        "Ik ben uitgescholden en bedreigd door een cliënt", harm="minor", team="zuid"
    )

    quarter = period_of("quarterly", "2026-Q4", config)
    figures = await load_figures(database, config, quarter, None)
    assert figures.reports == 2
    assert figures.categories["fall"] == 1
    assert figures.categories["verbal_aggression"] == 1 and figures.categories["threat"] == 1
    assert figures.previous is not None and figures.previous["reports"] == 2
    assert figures.previous_key == "2026-Q3"
    assert figures.follow_up["triaged"] == 1
    assert figures.report_types == {"MIC": 1, "MIM": 1}
    assert figures.harm["minor"] == 1 and figures.harm["none"] == 1
    assert [(t, n) for t, _, n in figures.teams] == [("noord", 1), ("zuid", 1)]
    assert figures.months == [("2026-10", 0), ("2026-11", 2), ("2026-12", 0)]
    data = as_json(figures)
    assert data["previous"]["key"] == "2026-Q3" and data["previous"]["reports"] == 2
    assert ("previous", "reports", "Meldingen", 2) in rows(figures)

    only_noord = await load_figures(database, config, quarter, "noord")
    assert only_noord.reports == 1 and only_noord.previous is not None
