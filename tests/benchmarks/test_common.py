"""The benchmarks' own machinery: CPU read at the load's "finished" mark, the report check."""

from __future__ import annotations

import sys
from pathlib import Path

from benchmarks.common import report_problems, report_text, run_pair


def test_cpu_is_read_when_the_load_says_it_finished(tmp_path: Path) -> None:
    bot = [sys.executable, "-c", "import time; time.sleep(30)"]
    result = run_pair(["tests.benchmarks.fake_load"], bot, tmp_path, timeout=30)
    assert result["cpu_read_at"] == "finished"
    assert result["bot_cpu_ms_per_turn"] >= 0
    assert result["turns"] == 10


def record(n: int, **changes: object) -> dict[str, object]:
    return {
        "reporter": f"telegram:{n}",
        "description": report_text(n),
        "categories": ["fall"],
        "affected": ["client"],
        "harm": "none",
        "contact_wish": "team_leader",
        **changes,
    }


def person_of(reporter: str) -> int:
    return int(reporter.split(":")[1])


def test_complete_and_unmixed_reports_pass() -> None:
    assert report_problems([record(0), record(1)], 2, person_of, b"x enc1:abc") == []


def test_a_mixed_a_missing_and_a_doubled_report_are_named() -> None:
    mixed = record(1, description=report_text(0))
    problems = report_problems([record(0), mixed, record(0)], 4, person_of)
    assert problems == [
        "3 reports for 4 people",
        "report of person 1: wrong description",
        "person 0 has more than one report",
    ]


def test_plaintext_in_the_database_is_a_problem() -> None:
    stored = report_text(0).encode()
    assert report_problems([record(0)], 1, person_of, stored) == [
        "report text stored unencrypted in the database",
        "nothing encrypted in the database",
    ]
