"""Telegram: the bot's per-turn cost against a bare echo bot, 1,000 interleaved people, junk.

python -m benchmarks.telegram_bench [--quick]
"""

from __future__ import annotations

import argparse
import json
import subprocess
from pathlib import Path
from typing import Any

from benchmarks.common import (
    PYTHON,
    ROOT,
    alternate,
    bot_config,
    clean_env,
    prepare_bot,
    ratios,
    run_pair,
    temp_dir,
)
from benchmarks.fake_bot_api import FIRST_CHAT, TOKEN

CONFIG = bot_config(
    "telegram:1",
    """
[telegram]
enabled = true
token = "{token}"
base_url = "http://127.0.0.1:{{port}}/bot"
poll_timeout = 1
""",
)


def vimbot(
    people: int,
    concurrency: int,
    think: tuple[float, float] = (0, 0),
    junk: float = 0.0,
    ramp: float = 0.0,
) -> dict[str, Any]:
    workdir = temp_dir("telegram")
    config = workdir / "config.toml"

    def write_config(port: str) -> None:
        text = CONFIG.format(db=workdir / "bench.db", token=TOKEN).replace("{port}", port)
        prepare_bot(config, text)

    load = [
        "benchmarks.fake_bot_api",
        "--script",
        "vimbot",
        "--people",
        str(people),
        "--concurrency",
        str(concurrency),
        "--think-min",
        str(think[0]),
        "--think-max",
        str(think[1]),
        "--junk",
        str(junk),
        "--ramp",
        str(ramp),
    ]
    result = run_pair(
        load,
        [PYTHON, "-m", "bot", "--config", str(config), "run"],
        workdir,
        before_bot=write_config,
    )
    result["reports_checked"] = check_reports(config, people)
    return result


def echo(people: int, concurrency: int, transport: str = "httpx") -> dict[str, Any]:
    workdir = temp_dir("echo")
    load = [
        "benchmarks.fake_bot_api",
        "--script",
        "echo",
        "--people",
        str(people),
        "--concurrency",
        str(concurrency),
    ]
    command = [
        PYTHON,
        "-m",
        "benchmarks.echo_telegram",
        "--token",
        TOKEN,
        "--base-url",
        "http://127.0.0.1:{port}/bot",
        "--transport",
        transport,
    ]
    env = clean_env(PYTHONPATH=str(ROOT))
    return run_pair(load, command, workdir, bot_env=env)


def check_reports(config: Path, people: int) -> int:
    """Every report arrived complete and unmixed: person n's report holds person n's text."""
    exported = subprocess.run(
        [PYTHON, "-m", "bot", "--config", str(config), "export"],
        capture_output=True,
        text=True,
        check=True,
        env=clean_env(),
    )
    records = [json.loads(line) for line in exported.stdout.splitlines()]
    assert len(records) == people, f"{len(records)} reports for {people} people"
    for record in records:
        n = int(record["reporter"].split(":")[1]) - FIRST_CHAT
        assert record["description"] == f"Gesprek {n}: cliënt is gevallen in de badkamer"
        assert record["categories"] == ["fall"] and record["affected"] == ["client"]
        assert record["harm"] == "none" and record["contact_wish"] == "team_leader"
    assert len({r["reporter"] for r in records}) == people
    return len(records)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="small loads (a smoke test)")
    args = parser.parse_args()
    scale = 10 if args.quick else 1
    people, concurrency = 300 // scale, 50 // min(scale, 5)
    results: dict[str, Any] = alternate(
        {
            "echo": lambda: echo(people, concurrency),
            "echo_on_aiohttp": lambda: echo(people, concurrency, transport="aiohttp"),
            "vimbot": lambda: vimbot(people, concurrency),
        },
        times=1 if args.quick else 3,
    )
    results["vimbot_with_10pct_junk"] = vimbot(people, concurrency, junk=0.1)
    # The same below capacity (people pause 2-4 s between turns): does junk slow the others?
    paced = {"think": (2.0, 4.0), "ramp": 10.0 / scale}
    results["paced"] = vimbot(200 // scale, 200 // scale, **paced)
    results["paced_with_10pct_junk"] = vimbot(200 // scale, 200 // scale, junk=0.1, **paced)
    results["interleaved_1000"] = vimbot(1000 // scale, 1000 // scale, think=(2.0, 6.0))
    results["interleaved_1000_slow_typists"] = vimbot(
        1000 // scale, 1000 // scale, think=(10.0, 20.0), ramp=100.0 / scale
    )
    for baseline in ("echo", "echo_on_aiohttp"):
        results[f"ratio_to_{baseline}"] = ratios(results["vimbot"], results[baseline])
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
