"""``--check``: the issue's targets, met and missed."""

from __future__ import annotations

from typing import Any

import pytest

from benchmarks import targets


def telegram(vimbot_cpu: float, p99: float, problems: int = 0) -> dict[str, Any]:
    checked = {"reports": 100, "problems": ["x"] * problems, "problem_count": problems}
    return {
        "vimbot": {"reports_checked": checked},
        "interleaved_1000_slow_typists": {"people": 1000, "p99_ms": p99},
        "ratio_to_echo_on_aiohttp": {
            "cpu_per_turn": round(vimbot_cpu / 0.8, 2),
            "bot_cpu_ms_per_turn": vimbot_cpu,
            "bare_cpu_ms_per_turn": 0.8,
        },
    }


def test_telegram_within_the_targets() -> None:
    assert targets.telegram_misses(telegram(1.6, 29.0)) == []


def test_telegram_misses_are_named_with_their_figures() -> None:
    misses = targets.telegram_misses(telegram(4.4, 38.0, problems=2))
    assert len(misses) == 3
    assert "5.5×" in misses[0] and "4.4 ms" in misses[0]
    assert "p99 38.0 ms" in misses[1]
    assert misses[2].startswith("vimbot: reports not complete and unmixed (2 problems")


def test_service_target_is_the_ordinary_turn_on_sqlite() -> None:
    met = {"sqlite_1_at_a_time": {"cpu_ms_per_ordinary_turn": 0.9, "cpu_ms_per_turn": 1.6}}
    assert targets.service_misses(met) == []
    missed = {"sqlite_1_at_a_time": {"cpu_ms_per_ordinary_turn": 2.0}}
    assert targets.service_misses(missed) == [
        "the service alone, SQLite: 2.0 ms CPU per ordinary turn (≤ 1 ms wanted)"
    ]


def test_check_exits_non_zero_on_a_miss_and_only_with_check(
    capsys: pytest.CaptureFixture[str],
) -> None:
    targets.enforce(["a miss"], check=False)
    with pytest.raises(SystemExit) as stopped:
        targets.enforce(["a miss"], check=True)
    assert stopped.value.code == 1
    targets.enforce([], check=True)
    assert capsys.readouterr().err.count("target missed: a miss") == 2
