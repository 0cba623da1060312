"""Running a load generator and a bot as separate processes, and reading their figures."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

from benchmarks.profile import areas, attach

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
PROFILE_SECONDS = 8  # how long a profiled run is sampled (from its first turn on)


def peak_rss_mb(pid: int) -> float:
    """The process's peak resident memory so far (VmHWM), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return float("nan")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time the process has used so far, in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VIMBOT_")}
    env.update(extra)
    return env


def vimbot_env() -> dict[str, str]:
    """A bot's environment as in production: encryption on, with a fresh key for the run
    (give the same environment to ``db upgrade``, ``run`` and ``export``)."""
    from storage.crypto import new_key

    return clean_env(VIMBOT_ENCRYPTION_KEY=new_key())


def run_pair(
    load_args: list[str],
    bot_command: list[str],
    workdir: Path,
    bot_env: dict[str, str] | None = None,
    timeout: float = 900,
    port_placeholder: str = "{port}",
    before_bot: Callable[[str], None] | None = None,
    profile: Path | None = None,
) -> dict[str, Any]:
    """Start the load generator (which prints its port), then the bot pointed at it; wait for
    the load to finish; return its figures plus the bot's peak memory. With ``profile``, the
    bot is profiled (py-spy, ``benchmarks/profile.py``) from the first turn served on, and
    the result carries the share of each area."""
    out = workdir / "result.json"
    load = subprocess.Popen(
        [PYTHON, "-m", *load_args, "--out", str(out)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        env=clean_env(),
    )
    assert load.stdout is not None
    port = load.stdout.readline().strip()
    command = [part.replace(port_placeholder, port) for part in bot_command]
    if before_bot is not None:
        before_bot(port)
    log = (workdir / "bot.log").open("w")
    bot = subprocess.Popen(command, cwd=workdir, stdout=log, stderr=log, env=bot_env or clean_env())
    peak = 0.0
    bot_cpu = load_cpu = 0.0
    # CPU time at the first turn served ("started") and at the last turn done ("finished"):
    # the load prints each line the moment it happens, and this thread reads both processes'
    # CPU right then.
    marks: dict[str, dict[str, float]] = {}

    def read_marks() -> None:
        assert load.stdout is not None
        for line in load.stdout:
            mark = line.strip()
            if mark in ("started", "finished"):
                with contextlib.suppress(OSError):
                    marks[mark] = {"bot": cpu_seconds(bot.pid)}
                    marks[mark]["load"] = cpu_seconds(load.pid)  # unless it has exited
            if mark == "started" and profile is not None:
                spies.append(attach(bot.pid, profile, PROFILE_SECONDS))

    spies: list[subprocess.Popen[bytes]] = []

    reader = threading.Thread(target=read_marks, daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + timeout
        while load.poll() is None and time.monotonic() < deadline:
            time.sleep(0.5)
            if bot.poll() is not None:
                load.kill()
                raise RuntimeError(f"the bot stopped early: see {workdir / 'bot.log'}")
            peak = max(peak, peak_rss_mb(bot.pid))
            with contextlib.suppress(OSError):
                load_cpu = cpu_seconds(load.pid)
            bot_cpu = cpu_seconds(bot.pid)
        if load.poll() is None:
            load.kill()
            raise RuntimeError("the load did not finish in time")
        if bot.poll() is not None:
            raise RuntimeError(f"the bot stopped early: see {workdir / 'bot.log'}")
        peak = max(peak, peak_rss_mb(bot.pid))
        reader.join(5)
    finally:
        if bot.poll() is None:
            bot.send_signal(signal.SIGTERM)
            try:
                bot.wait(20)
            except subprocess.TimeoutExpired:
                bot.kill()
        log.close()
    for spy in spies:
        spy.wait(PROFILE_SECONDS + 30)
    result = json.loads(out.read_text())
    result["bot_peak_rss_mb"] = peak
    if profile is not None and profile.exists():
        result["profile"] = {"raw": str(profile), "areas_percent": areas(profile)}
    turns = result.get("turns") or 1
    # CPU per turn from the first turn served to the last turn done: what each process
    # spends on a turn, start-up excluded, independent of who waits for whom. Without the
    # "finished" mark (a load that timed out) the last half-second sample stands in.
    start = {"bot": 0.0, "load": 0.0, **marks.get("started", {})}
    end = {"bot": bot_cpu, "load": load_cpu, **marks.get("finished", {})}
    result["cpu_read_at"] = "finished" if "finished" in marks else "last sample"
    result["bot_cpu_ms_per_turn"] = round((end["bot"] - start["bot"]) * 1000 / turns, 3)
    result["load_cpu_ms_per_turn"] = round((end["load"] - start["load"]) * 1000 / turns, 3)
    # what the old method (the last half-second sample) reads, to show the difference
    result["bot_cpu_ms_per_turn_sampled"] = round((bot_cpu - start["bot"]) * 1000 / turns, 3)
    return result


def messenger_arguments() -> argparse.Namespace:
    """The options of a messenger's benchmark (``telegram_bench``, ``slack_bench``)."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="small loads (a smoke test)")
    parser.add_argument(
        "--check", action="store_true", help="exit non-zero when a target is missed"
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="only profile vimbot's capacity run: where its CPU goes (py-spy)",
    )
    return parser.parse_args()


def prepare_bot(config: Path, text: str, env: dict[str, str]) -> None:
    """Write the bot's configuration and create its database (``vimbot db upgrade``)."""
    config.write_text(text)
    subprocess.run(
        [PYTHON, "-m", "bot", "--config", str(config), "db", "upgrade"],
        cwd=config.parent,
        check=True,
        capture_output=True,
        env=env,
    )


def check_reports(
    config: Path,
    people: int,
    env: dict[str, str],
    person_of: Callable[[str], int],
) -> dict[str, Any]:
    """Every report arrived complete and unmixed, checked through ``vimbot export``: one
    report per person, and person n's report holds person n's text and answers
    (``person_of`` reads n from the reporter's address). Also: the report texts are
    encrypted at rest (the text appears nowhere in the SQLite files). Returns the count of
    reports and the problems found (none when all is well)."""
    exported = subprocess.run(
        [PYTHON, "-m", "bot", "--config", str(config), "export"],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    records = [json.loads(line) for line in exported.stdout.splitlines()]
    stored = b"".join(f.read_bytes() for f in sorted(config.parent.glob("*.db*")))
    problems = report_problems(records, people, person_of, stored)
    return {"reports": len(records), "problems": problems[:10], "problem_count": len(problems)}


def report_problems(
    records: list[dict[str, Any]],
    people: int,
    person_of: Callable[[str], int],
    stored: bytes = b"",
) -> list[str]:
    """What is wrong with the exported reports of a run (nothing: an empty list), and with
    the database's bytes ``stored`` (the report text must not appear in them, encrypted
    values must)."""
    problems: list[str] = []
    if len(records) != people:
        problems.append(f"{len(records)} reports for {people} people")
    seen: set[int] = set()
    for record in records:
        try:
            n = person_of(str(record.get("reporter")))
        except (ValueError, IndexError, AssertionError):
            problems.append(f"a report from an unknown reporter: {record.get('reporter')!r}")
            continue
        if n in seen:
            problems.append(f"person {n} has more than one report")
        seen.add(n)
        wrong = [
            field
            for field, wanted in (
                ("description", report_text(n)),
                ("categories", ["fall"]),
                ("affected", ["client"]),
                ("harm", "none"),
                ("contact_wish", "team_leader"),
            )
            if record.get(field) != wanted
        ]
        if wrong:
            problems.append(f"report of person {n}: wrong {', '.join(wrong)}")
    if stored and REPORT_TEXT_MARK.encode() in stored:
        problems.append("report text stored unencrypted in the database")
    if stored and b"enc1:" not in stored:
        problems.append("nothing encrypted in the database")
    return problems


REPORT_TEXT_MARK = "cliënt is gevallen in de badkamer"


def report_text(n: int) -> str:
    """Person n's description in the report script (``fake_bot_api.vimbot_script``)."""
    return f"Gesprek {n}: {REPORT_TEXT_MARK}"


def bot_config(leader: str, messenger: str) -> str:
    """The bot's configuration in a benchmark, to ``.format`` with ``db`` (its SQLite file)
    and what ``messenger`` (the messenger's own sections) asks: one team led by ``leader``,
    and a report limit no load reaches."""
    return f"""
[database]
url = "sqlite:///{{db}}"

[[teams]]
id = "noord"
name = "Wijkteam Noord"
leaders = ["{leader}"]
{messenger}
[privacy]
max_reports_per_hour = 1000
"""


def free_port() -> int:
    """A loopback port nothing listens on (once this returns), for a server to take."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def temp_dir(prefix: str) -> Path:
    return Path(tempfile.mkdtemp(prefix=f"vimbot-bench-{prefix}-"))


def summarize(latencies: list[float], seconds: float) -> dict[str, float | int]:
    """Turns per second and the latency distribution (in ms) of one run."""
    import statistics

    ordered = sorted(latencies)
    q = statistics.quantiles(ordered, n=100) if len(ordered) > 1 else [0.0] * 99
    return {
        "turns": len(ordered),
        "seconds": round(seconds, 3),
        "turns_per_second": round(len(ordered) / seconds, 1) if seconds else 0.0,
        "median_ms": round(statistics.median(ordered) * 1000, 2) if ordered else 0.0,
        "p95_ms": round(q[94] * 1000, 2),
        "p99_ms": round(q[98] * 1000, 2),
        "max_ms": round(ordered[-1] * 1000, 2) if ordered else 0.0,
    }


def bench_database_url() -> str | None:
    """PostgreSQL for the benchmarks, when one is configured."""
    return os.environ.get("VIMBOT_BENCH_DATABASE_URL") or os.environ.get("VIMBOT_TEST_DATABASE_URL")


@contextlib.asynccontextmanager
async def postgres_schema(url: str) -> AsyncIterator[dict[str, Any]]:
    """A fresh schema for one run, dropped afterwards; yields the engine options to use it."""
    import uuid

    from sqlalchemy import text

    from storage.db import Database

    schema = f"bench_{uuid.uuid4().hex[:8]}"
    admin = Database(url)
    async with admin.engine.begin() as conn:
        await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield {"connect_args": {"server_settings": {"search_path": schema}}}
    finally:
        async with admin.engine.begin() as conn:
            await conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        await admin.dispose()


def alternate(runs: dict[str, Callable[[], dict[str, Any]]], times: int) -> dict[str, Any]:
    """Run each contender ``times`` times, taking turns (A B C A B C …) so that a slow
    moment of a shared machine falls on all of them, and keep for each the run with the
    median throughput (all runs' throughputs are listed with it)."""
    done: dict[str, list[dict[str, Any]]] = {name: [] for name in runs}
    for _ in range(times):
        for name, run in runs.items():
            done[name].append(run())
    chosen = {}
    for name, results in done.items():
        ordered = sorted(results, key=lambda r: r["turns_per_second"])
        chosen[name] = {
            **ordered[len(ordered) // 2],
            "runs_turns_per_second": [r["turns_per_second"] for r in results],
        }
    return chosen


def ratios(bot: dict[str, Any], bare: dict[str, Any]) -> dict[str, float]:
    """How many times the bare bot's cost the bot's is: CPU per turn (the gate), median,
    throughput; with the two CPU figures compared."""
    return {
        "cpu_per_turn": round(bot["bot_cpu_ms_per_turn"] / bare["bot_cpu_ms_per_turn"], 2),
        "median": round(bot["median_ms"] / bare["median_ms"], 2),
        "throughput": round(bare["turns_per_second"] / bot["turns_per_second"], 2),
        "bot_cpu_ms_per_turn": bot["bot_cpu_ms_per_turn"],
        "bare_cpu_ms_per_turn": bare["bot_cpu_ms_per_turn"],
    }
