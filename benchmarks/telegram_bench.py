"""Telegram: the bot's per-turn cost against a bare echo bot, 1,000 interleaved people, junk.

python -m benchmarks.telegram_bench [--quick] [--check]
"""

from __future__ import annotations

import json
from typing import Any

from benchmarks.common import (
    PYTHON,
    ROOT,
    alternate,
    bot_config,
    check_reports,
    clean_env,
    messenger_arguments,
    prepare_bot,
    ratios,
    run_pair,
    temp_dir,
    vimbot_env,
)
from benchmarks.fake_bot_api import FIRST_CHAT, TOKEN
from benchmarks.targets import enforce, telegram_misses

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
    profile: bool = False,
) -> dict[str, Any]:
    workdir = temp_dir("telegram")
    config = workdir / "config.toml"
    env = vimbot_env()

    def write_config(port: str) -> None:
        text = CONFIG.format(db=workdir / "bench.db", token=TOKEN).replace("{port}", port)
        prepare_bot(config, text, env)

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
        bot_env=env,
        before_bot=write_config,
        profile=workdir / "profile.txt" if profile else None,
    )
    result["reports_checked"] = check_reports(config, people, env, person_of)
    return result


def person_of(reporter: str) -> int:
    """The load's person number of a reporter's address (``telegram:<chat id>``)."""
    return int(reporter.split(":")[1]) - FIRST_CHAT


def echo(people: int, concurrency: int, transport: str) -> dict[str, Any]:
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


def main() -> None:
    args = messenger_arguments()
    quick = args.quick
    concurrency = 20 if quick else 50
    # The capacity run: people without pauses. Each contender gets enough people for a
    # steady state of about five seconds (the echo bot on aiohttp serves turns ~1.5x as fast
    # as vimbot, the httpx one ~5x slower); what is compared is CPU per turn.
    people = {"vimbot": 900, "echo_on_aiohttp": 1000, "echo_httpx": 300}
    if quick:
        people = {"vimbot": 60, "echo_on_aiohttp": 200, "echo_httpx": 60}
    if args.profile:
        profiled = vimbot(people["vimbot"] * 2, concurrency, profile=True)
        print(json.dumps(profiled.get("profile"), indent=2))
        return
    results: dict[str, Any] = alternate(
        {
            "echo_on_aiohttp": lambda: echo(people["echo_on_aiohttp"], concurrency, "aiohttp"),
            "echo_httpx": lambda: echo(people["echo_httpx"], concurrency, "httpx"),
            "vimbot": lambda: vimbot(people["vimbot"], concurrency),
        },
        times=1 if quick else 3,
    )
    results["vimbot_with_10pct_junk"] = vimbot(people["vimbot"], concurrency, junk=0.1)
    # Below capacity (people pause between turns): does junk slow the others?
    some = 20 if quick else 200
    paced: dict[str, Any] = {"think": (2.0, 4.0), "ramp": 10.0}
    if quick:
        paced = {"think": (0.5, 1.0), "ramp": 1.0}
    results["paced"] = vimbot(some, some, **paced)
    results["paced_with_10pct_junk"] = vimbot(some, some, junk=0.1, **paced)
    # Many people interleaved, every one halfway through a report: fast typists all at once
    # (above capacity), then slower typists arriving over a while (below capacity). The
    # quick run keeps the shape with a tenth of the people and shorter pauses.
    many = 100 if quick else 1000
    fast, slow, arrival = (2.0, 6.0), (10.0, 20.0), 100.0
    if quick:
        fast, slow, arrival = (0.2, 0.6), (1.0, 2.0), 5.0
    results["interleaved_1000"] = vimbot(many, many, think=fast)
    results["interleaved_1000_slow_typists"] = vimbot(many, many, think=slow, ramp=arrival)
    for baseline in ("echo_on_aiohttp", "echo_httpx"):
        results[f"ratio_to_{baseline}"] = ratios(results["vimbot"], results[baseline])
    print(json.dumps(results, indent=2))
    enforce(telegram_misses(results), args.check)


if __name__ == "__main__":
    main()
