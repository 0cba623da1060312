"""Slack: signed requests into the bolt app over HTTP, vimbot against a bare bolt echo app.

python -m benchmarks.slack_bench [--quick] [--check]
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
    free_port,
    messenger_arguments,
    prepare_bot,
    ratios,
    run_pair,
    temp_dir,
    vimbot_env,
)
from benchmarks.fake_slack_load import BOT_TOKEN, SECRET, user_id
from benchmarks.targets import enforce, slack_misses

CONFIG = bot_config(
    "slack:ULEADER",
    """
[slack]
enabled = true
mode = "http"
bot_token = "{token}"
signing_secret = "{secret}"
api_url = "http://127.0.0.1:{{port}}/api/"

[server]
port = {bot_port}
""",
)


def load(script: str, people: int, concurrency: int, bot_port: int) -> list[str]:
    """The fake Slack's command line: ``people`` following ``script`` against the bot."""
    return [
        "benchmarks.fake_slack_load",
        "--script",
        script,
        "--people",
        str(people),
        "--concurrency",
        str(concurrency),
        "--bot-url",
        f"http://127.0.0.1:{bot_port}/slack/events",
    ]


def vimbot(people: int, concurrency: int, profile: bool = False) -> dict[str, Any]:
    workdir = temp_dir("slack")
    config = workdir / "config.toml"
    bot_port = free_port()
    env = vimbot_env()

    def write_config(port: str) -> None:
        text = CONFIG.format(
            db=workdir / "bench.db", token=BOT_TOKEN, secret=SECRET, bot_port=bot_port
        )
        prepare_bot(config, text.replace("{port}", port), env)

    result = run_pair(
        load("vimbot", people, concurrency, bot_port),
        [PYTHON, "-m", "bot", "--config", str(config), "run"],
        workdir,
        bot_env=env,
        before_bot=write_config,
        profile=workdir / "profile.txt" if profile else None,
    )
    result["reports_checked"] = check_reports(config, people, env, person_of)
    return result


def person_of(reporter: str) -> int:
    """The load's person number of a reporter's address (``slack:<user id>``)."""
    user = reporter.split(":", 1)[1]
    n = int(user.lstrip("U"))
    assert user == user_id(n), reporter
    return n


def echo(people: int, concurrency: int) -> dict[str, Any]:
    workdir = temp_dir("slack-echo")
    bot_port = free_port()
    command = [
        PYTHON,
        "-m",
        "benchmarks.echo_slack",
        "--port",
        str(bot_port),
        "--api-url",
        "http://127.0.0.1:{port}/api/",
    ]
    return run_pair(
        load("echo", people, concurrency, bot_port),
        command,
        workdir,
        bot_env=clean_env(PYTHONPATH=str(ROOT)),
    )


def main() -> None:
    args = messenger_arguments()
    # Each gets enough people for a steady state of about five seconds (the echo app serves
    # turns ~2x as fast as vimbot, so it gets more people); what is compared is CPU per turn.
    people, echo_people, concurrency = (60, 200, 20) if args.quick else (600, 1200, 50)
    if args.profile:
        profiled = vimbot(people * 2, concurrency, profile=True)
        print(json.dumps(profiled.get("profile"), indent=2))
        return
    results: dict[str, Any] = alternate(
        {
            "echo": lambda: echo(echo_people, concurrency),
            "vimbot": lambda: vimbot(people, concurrency),
        },
        times=1 if args.quick else 3,
    )
    results["ratio_to_echo"] = ratios(results["vimbot"], results["echo"])
    print(json.dumps(results, indent=2))
    enforce(slack_misses(results), args.check)


if __name__ == "__main__":
    main()
