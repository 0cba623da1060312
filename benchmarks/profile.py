"""Where a bot process spends its CPU under load: py-spy attached to the running bot.

``attach`` starts py-spy (sampling only the thread that holds the GIL: CPU, not waiting)
on the bot's process; ``areas`` reads py-spy's raw output and gives each sample to the
first area its stack meets from the innermost frame outwards, so the areas add up to 100 %
(an encryption call made inside SQLAlchemy counts as encryption, SQLAlchemy called by the
service as SQLAlchemy, the service's own Python as the service).

    python -m benchmarks.telegram_bench --profile   # the capacity run, profiled
    python -m benchmarks.profile <raw file>          # the areas of a recorded profile
"""

from __future__ import annotations

import collections
import subprocess
import sys
from pathlib import Path

# (area, what a frame's "function (file:line)" text contains), innermost match wins
AREAS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("encryption (Fernet, keyed hashes)", ("(cryptography/", "(storage/crypto.py", "(hmac.py")),
    ("SQLite and the hop to its thread", ("(aiosqlite/", "(storage/sqlite_driver.py")),
    ("JSON", ("(json/",)),
    ("SQLAlchemy", ("(sqlalchemy/",)),
    ("python-telegram-bot", ("(telegram/",)),
    ("slack-bolt / slack_sdk", ("(slack_bolt/", "(slack_sdk/")),
    ("HTTP (aiohttp)", ("(aiohttp/", "(yarl/", "(multidict/")),
    ("logging", ("(structlog/", "(logging/")),
    ("flow engine and domain rules", ("(bot/flows/", "(bot/domain/", "(bot/i18n.py", "(babel/")),
    ("outbox", ("(bot/outbox.py",)),
    ("storage queries", ("(storage/",)),
    ("adapters", ("(bot/adapters/",)),
    ("service and casework", ("(bot/",)),
    ("event loop", ("(asyncio/", "(selectors.py", "(uvloop/")),
)
OTHER = "other (interpreter, libraries)"


def attach(pid: int, out: Path, seconds: int) -> subprocess.Popen[bytes]:
    """py-spy recording ``pid`` for ``seconds`` into ``out`` (raw), in the background."""
    command = [
        str(Path(sys.executable).with_name("py-spy")),
        "record",
        "--pid",
        str(pid),
        "--duration",
        str(seconds),
        "--rate",
        "250",
        "--gil",
        "--nonblocking",
        "--format",
        "raw",
        "-o",
        str(out),
    ]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def areas(raw: Path) -> dict[str, float]:
    """The share of the samples (in %) per area, largest first."""
    counts: collections.Counter[str] = collections.Counter()
    for line in raw.read_text().splitlines():
        stack, _, n = line.rpartition(" ")
        if not stack or not n.isdigit():
            continue
        counts[_area(stack.split(";"))] += int(n)
    total = sum(counts.values()) or 1
    return {area: round(100 * n / total, 1) for area, n in counts.most_common()}


def _area(frames: list[str]) -> str:
    for frame in reversed(frames):
        for area, marks in AREAS:
            if any(mark in frame for mark in marks):
                return area
    return OTHER


def main() -> None:
    for area, share in areas(Path(sys.argv[1])).items():
        print(f"{share:5.1f} %  {area}")


if __name__ == "__main__":
    main()
