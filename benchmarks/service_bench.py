"""The service alone: a report conversation's turns without any messenger in between.

What one turn costs the bot itself (flow engine, storage, encryption, which is on as in
production), measured in CPU time per turn, one person after the other and 50 at a time.
One person at a time, each turn is timed on its own (``time.process_time`` around
``service.handle``), so the ordinary turns and the turn that sends the report are told
apart. On PostgreSQL the server's CPU is counted too (its backends serving the bench's
connections, and its background writers). ``--profile`` prints where the time goes
(cProfile, sorted by own time); ``--check`` exits non-zero when a target is missed
(``benchmarks/targets.py``).

    python -m benchmarks.service_bench [--people 300] [--profile] [--check]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import json
import pstats
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import event

from benchmarks.common import (
    bench_database_url,
    cpu_seconds,
    postgres_schema,
    summarize,
    temp_dir,
)
from benchmarks.fake_bot_api import vimbot_script
from benchmarks.targets import enforce, service_misses
from bot.config import Config
from bot.events import Inbound, InboundKind, Outbound
from bot.logs import configure
from bot.service import ReportService
from storage import crypto, migrate
from storage.db import Database

CONFIG: dict[str, Any] = {
    "organisation": {"name": "Bench Thuiszorg", "timezone": "Europe/Amsterdam"},
    "teams": [{"id": "noord", "name": "Wijkteam Noord", "leaders": ["shell:lead"]}],
    "privacy": {"max_reports_per_hour": 1000},
}
BACKGROUND = ("checkpointer", "background writer", "walwriter", "autovacuum")


def task_cpu_seconds(pid: int) -> float:
    """CPU time a (single-threaded) process has used, in seconds: from ``schedstat`` (in
    nanoseconds), or ``stat`` (in clock ticks) where that is missing."""
    with contextlib.suppress(OSError):
        return int(Path(f"/proc/{pid}/schedstat").read_text().split()[0]) / 1e9
    return cpu_seconds(pid)


def is_postgres(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip() == "postgres"
    except OSError:
        return False


class ServerCpu:
    """The PostgreSQL server's CPU spent for this bench, read from /proc (the server runs on
    this machine): the backends of the engine's connections (each one's pid noted when it
    connects, its CPU read when it closes and whenever asked), and the server's background
    processes (WAL writer, checkpointer, …; shared with anyone else using the server)."""

    def __init__(self, db: Database) -> None:
        self.live: set[int] = set()
        self.closed = 0.0
        self.local = True
        self.background = [pid for pid in _postgres_pids() if _is_background(pid)]
        self._background_at_start = self.background_seconds()

        @event.listens_for(db.engine.sync_engine, "connect")
        def connected(dbapi_connection: Any, record: Any) -> None:
            pid = dbapi_connection.driver_connection.get_server_pid()
            record.info["backend_pid"] = pid
            if is_postgres(pid):
                self.live.add(pid)
            else:
                self.local = False  # a server elsewhere (or in another pid namespace)

        @event.listens_for(db.engine.sync_engine, "close")
        def closing(dbapi_connection: Any, record: Any) -> None:
            pid = record.info.get("backend_pid")
            if pid in self.live:
                with contextlib.suppress(OSError):
                    self.closed += task_cpu_seconds(pid)
                self.live.discard(pid)

    def backend_seconds(self) -> float:
        total = self.closed
        for pid in self.live:
            with contextlib.suppress(OSError):
                total += task_cpu_seconds(pid)
        return total

    def background_seconds(self) -> float:
        total = 0.0
        for pid in self.background:
            with contextlib.suppress(OSError):
                total += task_cpu_seconds(pid)
        return total

    def background_since_start(self) -> float:
        return self.background_seconds() - self._background_at_start


def _postgres_pids() -> list[int]:
    return [
        int(p.name)
        for p in Path("/proc").iterdir()
        if p.name.isdigit() and is_postgres(int(p.name))
    ]


def _is_background(pid: int) -> bool:
    try:
        title = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
    except OSError:
        return False
    return any(f": {name}" in title for name in BACKGROUND)


class TurnCosts:
    """CPU per turn (bot and, on PostgreSQL, server), by kind of turn: every turn but the
    last of the script is ordinary; the last sends the report."""

    def __init__(self, server: ServerCpu | None) -> None:
        self.server = server
        self.bot: dict[str, list[float]] = {"ordinary": [], "send": []}
        self.backends: dict[str, list[float]] = {"ordinary": [], "send": []}

    @contextlib.contextmanager
    def turn(self, kind: str) -> Iterator[None]:
        server = self.server.backend_seconds() if self.server else 0.0
        cpu = time.process_time()
        yield
        self.bot[kind].append(time.process_time() - cpu)
        if self.server:
            self.backends[kind].append(self.server.backend_seconds() - server)


async def person(
    service: ReportService,
    n: int,
    run: str,
    latencies: list[float],
    costs: TurnCosts | None = None,
) -> None:
    """One person's report, turn by turn, as the Telegram load generator plays it; each
    turn's CPU noted in ``costs`` (one person at a time only: with several, the others'
    work falls in a turn's time)."""
    question: Outbound | None = None
    script = vimbot_script(n)
    for update, (kind, value, _) in enumerate(script):
        fields: dict[str, Any] = {}
        if kind == "text":
            is_command = value.startswith("/")
            fields["kind"] = InboundKind.COMMAND if is_command else InboundKind.TEXT
            fields["text"] = value
        else:
            assert question is not None, f"no question for {value!r}"
            fields.update(kind=InboundKind.CHOICE, choices=(value,), token=question.token)
        event = Inbound(
            platform="shell",
            chat_id=f"{run}-{n}",
            user_id=f"{run}-{n}",
            user_name=f"P{n}",
            language="nl",
            dedupe_key=f"{run}:{n}:{update}",
            **fields,
        )
        turn_kind = "send" if update == len(script) - 1 else "ordinary"
        with costs.turn(turn_kind) if costs else contextlib.nullcontext():
            started = time.perf_counter()
            outcome = await service.handle(event)
            latencies.append(time.perf_counter() - started)
        question = next((r for r in reversed(outcome.replies) if r.options), question)
    assert outcome.reference, f"person {n}: no report at the end"


async def run(
    url: str, people: int, concurrency: int, profile: bool, options: dict[str, Any] | None = None
) -> dict[str, Any]:
    db = Database(url, **(options or {}))
    server = ServerCpu(db) if db.engine.dialect.name == "postgresql" else None
    await migrate.upgrade(db)
    service = ReportService(Config(**CONFIG), db)
    latencies: list[float] = []
    costs = TurnCosts(server) if concurrency == 1 else None
    gate = asyncio.Semaphore(concurrency)
    run_id = f"r{time.time_ns()}"  # fresh chats and update ids for every run

    async def one(n: int) -> None:
        async with gate:
            await person(service, n, run_id, latencies, costs)

    profiler = cProfile.Profile() if profile else None
    server_at_start = server.backend_seconds() if server else 0.0
    cpu, wall = time.process_time(), time.perf_counter()
    if profiler:
        profiler.enable()
    await asyncio.gather(*(one(n) for n in range(people)))
    if profiler:
        profiler.disable()
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    backends = background = 0.0
    if server:
        backends = server.backend_seconds() - server_at_start
        background = server.background_since_start()
    await db.dispose()
    if profiler:
        pstats.Stats(profiler).sort_stats("tottime").print_stats(35)
    result: dict[str, Any] = summarize(latencies, wall)
    turns = len(latencies)

    def ms(seconds: float, count: int) -> float:
        return round(seconds * 1000 / max(count, 1), 3)

    if costs:  # one at a time: the sum of the turns' own CPU (the bench's loop left out)
        cpu = sum(map(sum, costs.bot.values()))
        result["cpu_ms_per_ordinary_turn"] = ms(
            sum(costs.bot["ordinary"]), len(costs.bot["ordinary"])
        )
        result["cpu_ms_per_send_turn"] = ms(sum(costs.bot["send"]), len(costs.bot["send"]))
    result["cpu_ms_per_turn"] = ms(cpu, turns)
    if server and not server.local:
        result["server_cpu"] = "not counted: the server does not run on this machine"
    elif server:
        result["server_cpu_ms_per_turn"] = ms(backends + background, turns)
        result["server_background_cpu_ms_per_turn"] = ms(background, turns)
        result["bot_and_server_cpu_ms_per_turn"] = ms(cpu + backends + background, turns)
        if costs:  # the backends only: the background processes are read per run
            for kind, seconds in costs.backends.items():
                result[f"server_backend_cpu_ms_per_{kind}_turn"] = ms(sum(seconds), len(seconds))
    return result


async def on_postgres(url: str, people: int, concurrency: int, profile: bool) -> dict[str, Any]:
    async with postgres_schema(url) as options:
        return await run(url, people, concurrency, profile, options)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=300)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument(
        "--check", action="store_true", help="exit non-zero when a target is missed"
    )
    args = parser.parse_args()
    configure("WARNING")
    crypto.configure(crypto.new_key())  # encryption on, as in production
    results: dict[str, Any] = {}
    for concurrency in (1, 50):
        url = f"sqlite:///{temp_dir('service') / 'bench.db'}"
        results[f"sqlite_{concurrency}_at_a_time"] = asyncio.run(
            run(url, args.people, concurrency, args.profile)
        )
    pg = bench_database_url()
    for concurrency in (1, 50):
        if pg:
            results[f"postgresql_{concurrency}_at_a_time"] = asyncio.run(
                on_postgres(pg, args.people, concurrency, args.profile)
            )
    print(json.dumps(results, indent=2))
    enforce(service_misses(results), args.check)


if __name__ == "__main__":
    main()
