"""The targets of issue 13, in one place, and the ``--check`` of every benchmark script.

Each ``*_misses`` function takes the results a script prints and returns the targets it
missed, each with its figure (an empty list: all met). ``enforce`` prints them and, with
``--check``, ends the process with status 1 when any was missed.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import Any

# Telegram, SQLite, the capacity run: vimbot's CPU per turn ÷ the bare PTB echo bot's on the
# same aiohttp transport.
TELEGRAM_CPU_RATIO = 2.0
# Slack, SQLite: vimbot's CPU per turn ÷ the bare bolt echo app's with a shared HTTP session.
SLACK_CPU_RATIO = 2.0
# The service alone, SQLite, one person at a time: CPU per ordinary turn (every turn but
# the one that sends the report).
SERVICE_ORDINARY_TURN_CPU_MS = 1.0
# 1,000 interleaved people below capacity: the 99th percentile of a turn's latency.
INTERLEAVED_P99_MS = 30.0


def _report_misses(results: dict[str, Any]) -> list[str]:
    """Every run whose reports were checked through the export: all complete, unmixed."""
    misses = []
    for name, run in results.items():
        checked = run.get("reports_checked") if isinstance(run, dict) else None
        if checked is not None and checked["problem_count"]:
            misses.append(
                f"{name}: reports not complete and unmixed ({checked['problem_count']} "
                f"problems: {'; '.join(checked['problems'][:3])})"
            )
    return misses


def _ratio_miss(what: str, ratio: dict[str, Any], bot: str, bare: str, limit: float) -> list[str]:
    cpu = ratio["cpu_per_turn"]
    if cpu <= limit:
        return []
    return [
        f"{what}: CPU per turn {cpu}× the bare bot (≤ {limit}× wanted): "
        f"{ratio['bot_cpu_ms_per_turn']} ms ({bot}) against {ratio['bare_cpu_ms_per_turn']} "
        f"ms ({bare})"
    ]


def telegram_misses(results: dict[str, Any]) -> list[str]:
    misses = _ratio_miss(
        "Telegram, SQLite, capacity run",
        results["ratio_to_echo_on_aiohttp"],
        "vimbot",
        "PTB echo bot on aiohttp",
        TELEGRAM_CPU_RATIO,
    )
    below = results.get("interleaved_1000_slow_typists")
    if below is not None and below["p99_ms"] >= INTERLEAVED_P99_MS:
        misses.append(
            f"{below['people']} interleaved people below capacity: p99 {below['p99_ms']} ms "
            f"(< {INTERLEAVED_P99_MS:g} ms wanted)"
        )
    return misses + _report_misses(results)


def slack_misses(results: dict[str, Any]) -> list[str]:
    misses = _ratio_miss(
        "Slack, SQLite",
        results["ratio_to_echo"],
        "vimbot",
        "bolt echo app with a shared session",
        SLACK_CPU_RATIO,
    )
    return misses + _report_misses(results)


def service_misses(results: dict[str, Any]) -> list[str]:
    run = results["sqlite_1_at_a_time"]
    cpu = run["cpu_ms_per_ordinary_turn"]
    if cpu <= SERVICE_ORDINARY_TURN_CPU_MS:
        return []
    return [
        f"the service alone, SQLite: {cpu} ms CPU per ordinary turn "
        f"(≤ {SERVICE_ORDINARY_TURN_CPU_MS:g} ms wanted)"
    ]


def enforce(misses: Iterable[str], check: bool) -> None:
    """Print the missed targets on stderr; with ``check`` (``--check``), exit with status 1
    if there are any."""
    missed = list(misses)
    for miss in missed:
        print(f"target missed: {miss}", file=sys.stderr)
    if not missed:
        print("all targets met", file=sys.stderr)
    elif check:
        sys.exit(1)
