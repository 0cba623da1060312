"""The service alone: a report conversation's turns without any messenger in between.

What one turn costs the bot itself (flow engine, storage, encryption), measured in CPU time
per turn, one person after the other and 50 at a time. ``--profile`` prints where the time
goes (cProfile, sorted by own time).

    python -m benchmarks.service_bench [--people 300] [--profile]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import pstats
import time
from typing import Any

from benchmarks.common import bench_database_url, postgres_schema, summarize, temp_dir
from benchmarks.fake_bot_api import vimbot_script
from bot.config import Config
from bot.events import Inbound, InboundKind, Outbound
from bot.logs import configure
from bot.service import ReportService
from storage import migrate
from storage.db import Database

CONFIG: dict[str, Any] = {
    "organisation": {"name": "Bench Thuiszorg", "timezone": "Europe/Amsterdam"},
    "teams": [{"id": "noord", "name": "Wijkteam Noord", "leaders": ["shell:lead"]}],
    "privacy": {"max_reports_per_hour": 1000},
}


async def person(service: ReportService, n: int, run: str, latencies: list[float]) -> None:
    """One person's report, turn by turn, as the Telegram load generator plays it."""
    question: Outbound | None = None
    for update, (kind, value, _) in enumerate(vimbot_script(n)):
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
        started = time.perf_counter()
        outcome = await service.handle(event)
        latencies.append(time.perf_counter() - started)
        question = next((r for r in reversed(outcome.replies) if r.options), question)
    assert outcome.reference, f"person {n}: no report at the end"


async def run(
    url: str, people: int, concurrency: int, profile: bool, options: dict[str, Any] | None = None
) -> dict[str, Any]:
    db = Database(url, **(options or {}))
    await migrate.upgrade(db)
    service = ReportService(Config(**CONFIG), db)
    latencies: list[float] = []
    gate = asyncio.Semaphore(concurrency)
    run_id = f"r{time.time_ns()}"  # fresh chats and update ids for every run

    async def one(n: int) -> None:
        async with gate:
            await person(service, n, run_id, latencies)

    profiler = cProfile.Profile() if profile else None
    cpu, wall = time.process_time(), time.perf_counter()
    if profiler:
        profiler.enable()
    await asyncio.gather(*(one(n) for n in range(people)))
    if profiler:
        profiler.disable()
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    await db.dispose()
    if profiler:
        pstats.Stats(profiler).sort_stats("tottime").print_stats(35)
    result = summarize(latencies, wall)
    result["cpu_ms_per_turn"] = round(cpu * 1000 / len(latencies), 2)
    return result


async def on_postgres(url: str, people: int, concurrency: int, profile: bool) -> dict[str, Any]:
    async with postgres_schema(url) as options:
        return await run(url, people, concurrency, profile, options)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=300)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    configure("WARNING")
    results: dict[str, Any] = {}
    for concurrency in (1, 50):
        url = f"sqlite:///{temp_dir('service') / 'bench.db'}"
        results[f"sqlite_{concurrency}_at_a_time"] = asyncio.run(
            run(url, args.people, concurrency, args.profile)
        )
    pg = bench_database_url()
    for concurrency in (1, 50) if pg else ():
        results[f"postgresql_{concurrency}_at_a_time"] = asyncio.run(
            on_postgres(pg, args.people, concurrency, args.profile)
        )
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
