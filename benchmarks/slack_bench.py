"""Slack: signed requests into the bolt app over HTTP, vimbot against a bare bolt echo app.

python -m benchmarks.slack_bench [--quick]
"""

from __future__ import annotations

import argparse
import json
import socket
from typing import Any

from benchmarks.common import (
    PYTHON,
    ROOT,
    alternate,
    clean_env,
    prepare_bot,
    ratios,
    run_pair,
    temp_dir,
)
from benchmarks.fake_slack_load import BOT_TOKEN, SECRET

CONFIG = """
[database]
url = "sqlite:///{db}"

[[teams]]
id = "noord"
name = "Wijkteam Noord"
leaders = ["slack:ULEADER"]

[slack]
enabled = true
mode = "http"
bot_token = "{token}"
signing_secret = "{secret}"
api_url = "http://127.0.0.1:{{port}}/api/"

[server]
port = {bot_port}

[privacy]
max_reports_per_hour = 1000
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def vimbot(people: int, concurrency: int) -> dict[str, Any]:
    workdir = temp_dir("slack")
    config = workdir / "config.toml"
    bot_port = free_port()

    def write_config(port: str) -> None:
        text = CONFIG.format(
            db=workdir / "bench.db", token=BOT_TOKEN, secret=SECRET, bot_port=bot_port
        )
        prepare_bot(config, text.replace("{port}", port))

    load = [
        "benchmarks.fake_slack_load",
        "--script",
        "vimbot",
        "--people",
        str(people),
        "--concurrency",
        str(concurrency),
        "--bot-url",
        f"http://127.0.0.1:{bot_port}/slack/events",
    ]
    return run_pair(
        load,
        [PYTHON, "-m", "bot", "--config", str(config), "run"],
        workdir,
        before_bot=write_config,
    )


def echo(people: int, concurrency: int) -> dict[str, Any]:
    workdir = temp_dir("slack-echo")
    bot_port = free_port()
    load = [
        "benchmarks.fake_slack_load",
        "--script",
        "echo",
        "--people",
        str(people),
        "--concurrency",
        str(concurrency),
        "--bot-url",
        f"http://127.0.0.1:{bot_port}/slack/events",
    ]
    command = [
        PYTHON,
        "-m",
        "benchmarks.echo_slack",
        "--port",
        str(bot_port),
        "--api-url",
        "http://127.0.0.1:{port}/api/",
    ]
    return run_pair(load, command, workdir, bot_env=clean_env(PYTHONPATH=str(ROOT)))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    people, concurrency = (30, 10) if args.quick else (200, 50)
    results: dict[str, Any] = alternate(
        {"echo": lambda: echo(people, concurrency), "vimbot": lambda: vimbot(people, concurrency)},
        times=1 if args.quick else 3,
    )
    results["ratio_to_echo"] = ratios(results["vimbot"], results["echo"])
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
