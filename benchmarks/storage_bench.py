"""Storage at scale: a nudge sweep, the weekly review for 200 teams, the quarterly analysis and
an export of everything, with 10,000 and 100,000 reports (SQLite, and PostgreSQL when
``VIMBOT_BENCH_DATABASE_URL`` or ``VIMBOT_TEST_DATABASE_URL`` is set).

The number of nudges due is the same at both sizes, so a sweep that grows with the table
(a missing index, one query per row) shows up as a growing time.

    python -m benchmarks.storage_bench [--sizes 10000 100000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from benchmarks.common import bench_database_url, postgres_schema
from bot.casework.scheduled import Sweeper
from bot.clock import FrozenClock
from bot.config import Config
from bot.exporting import report_record
from storage import migrate
from storage.db import Database
from storage.models import Nudge, Report

AMS = ZoneInfo("Europe/Amsterdam")
NOW = datetime(2026, 10, 5, 9, 0, tzinfo=AMS)  # a Monday: weekly and quarterly are due
TEAMS = 200
DUE_NUDGES = 100
CATEGORIES = ["fall", "medication_error", "verbal_aggression", "threat", "accident", "other"]


def config() -> Config:
    teams = [
        {
            "id": f"t{i}",
            "name": f"Team {i}",
            "leaders": [f"shell:lead{i}"],
            "channels": [f"shell:chan{i}"],
        }
        for i in range(TEAMS)
    ]
    return Config(
        teams=teams,
        roles={
            "coordinator": ["shell:coord"],
            "board": ["shell:board"],
            "committee": ["shell:committee"],
        },
    )


async def seed(db: Database, size: int) -> None:
    rng = random.Random(size)
    reports: list[dict[str, Any]] = []
    start = NOW - timedelta(days=730)
    for i in range(size):
        created = start + timedelta(seconds=rng.randrange(730 * 86400))
        open_ = rng.random() < 0.1
        reports.append(
            {
                "reference": f"VIM-{created.year}-{i + 1:06d}",
                "created_at": created,
                "occurred_on": created.date(),
                "description": f"Melding {i}: iets ging mis",
                "categories": rng.sample(CATEGORIES, rng.randint(1, 2)),
                "affected": ["client"],
                "report_type": "MIC",
                "harm": rng.choice(["near_miss", "none", "minor"]),
                "possible_calamity": False,
                "danger_at_start": False,
                "team_id": f"t{rng.randrange(TEAMS)}",
                "contact_wish": "none",
                "status": "new" if open_ else "closed",
                "anonymous": True,
                "language": "nl",
                "contacted_at": None if open_ else created + timedelta(hours=5),
                "triaged_at": None if open_ else created + timedelta(hours=20),
                "analysed_at": None if open_ else created + timedelta(days=10),
                "closed_at": None if open_ else created + timedelta(days=30),
            }
        )
    # seeded with a session of its own: the bot's store offers named queries only
    async with AsyncSession(db.engine) as session, session.begin():
        for offset in range(0, size, 5000):
            await session.execute(insert(Report), reports[offset : offset + 5000])
    async with AsyncSession(db.engine) as session:
        rows = (
            await session.execute(select(Report.id, Report.team_id).where(Report.status == "new"))
        ).all()
    nudges: list[dict[str, Any]] = []
    for index, (report_id, team_id) in enumerate(rows):
        for kind in ("contact", "triage"):
            for stage, recipient in (
                ("reminder", f"shell:lead{team_id[1:]}"),
                ("escalation", "shell:coord"),
                ("board", "shell:board"),
            ):
                due_now = len(nudges) < DUE_NUDGES and stage == "reminder"
                send_at = (
                    NOW - timedelta(minutes=5) if due_now else NOW + timedelta(days=1 + index % 30)
                )
                nudges.append(
                    {
                        "report_id": report_id,
                        "kind": kind,
                        "stage": stage,
                        "recipient": recipient,
                        "due_at": send_at,
                        "send_at": send_at,
                        "urgent": False,
                    }
                )
    async with AsyncSession(db.engine) as session, session.begin():
        for offset in range(0, len(nudges), 5000):
            await session.execute(insert(Nudge), nudges[offset : offset + 5000])


async def timed(coro: Any) -> tuple[float, Any]:
    began = time.perf_counter()
    result = await coro
    return round((time.perf_counter() - began) * 1000, 1), result


async def export_all(db: Database, cfg: Config) -> int:
    count = 0
    async with db.transaction() as store:
        async for report in store.stream_reports():
            json.dumps(report_record(report, cfg.organisation.tz))
            count += 1
    return count


async def measure(url: str, size: int, options: dict[str, Any]) -> dict[str, Any]:
    db = Database(url, **options)
    await migrate.upgrade(db)
    began = time.perf_counter()
    await seed(db, size)
    seeded = round(time.perf_counter() - began, 1)
    cfg = config()
    clock = FrozenClock(NOW)
    sweeper = Sweeper(cfg, db, clock)
    sweep_ms, sent = await timed(sweeper.sweep_nudges(NOW))
    digest_ms, digests = await timed(sweeper.send_due_digests(NOW))
    from bot.digests import last_quarterly

    quarter_ms, _ = await timed(sweeper.analysis_for(last_quarterly(NOW, cfg), NOW))
    export_ms, exported = await timed(export_all(db, cfg))
    await db.dispose()
    return {
        "reports": size,
        "seed_seconds": seeded,
        "sweep_ms": sweep_ms,
        "nudges_sent": len(sent),
        "digests_ms": digest_ms,
        "weekly_reviews": sum(1 for d in digests if d.what.startswith("digest:weekly")),
        "quarterly_ms": quarter_ms,
        "export_ms": export_ms,
        "exported": exported,
    }


async def postgres(size: int, base: str) -> dict[str, Any]:
    async with postgres_schema(base) as options:
        return await measure(base, size, options)


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    args = parser.parse_args()
    results: dict[str, list[dict[str, Any]]] = {"sqlite": [], "postgresql": []}
    for size in args.sizes:
        with tempfile.TemporaryDirectory() as folder:
            url = f"sqlite:///{Path(folder) / 'bench.db'}"
            results["sqlite"].append(await measure(url, size, {}))
        pg = bench_database_url()
        if pg:
            results["postgresql"].append(await postgres(size, pg))
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    asyncio.run(main())
