"""`vimbot run` as a real process against the fake Bot API: kill -9 mid-report, then SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from tests.fakes.telegram_api import FakeTelegram

WORKER = 5151


def _config(fake: FakeTelegram, tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(f"""
[database]
url = "sqlite:///{tmp_path / "bot.db"}"

[[teams]]
id = "noord"
name = "Wijkteam Noord"
leaders = ["telegram:9001"]
members = ["telegram:{WORKER}"]

[telegram]
enabled = true
token = "{fake.token}"
base_url = "{fake.base_url}"
poll_timeout = 1
""")
    return path


async def _spawn(config: Path) -> asyncio.subprocess.Process:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VIMBOT_")}
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "--config",
        str(config),
        "run",
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )


async def test_kill_9_mid_report_then_sigterm(tmp_path: Path) -> None:
    fake = FakeTelegram()
    await fake.start()
    config = _config(fake, tmp_path)
    process = await _spawn(config)
    try:
        fake.push_text(WORKER, "/melden")
        danger = await fake.wait_for_message(WORKER, "direct gevaar", timeout=30)
        data = danger.params["reply_markup"]["inline_keyboard"][0][1]["callback_data"]
        fake.push_callback(WORKER, danger.result["message_id"], data)  # "Nee"
        await fake.wait_for_message(WORKER, "Wat is er gebeurd")
        process.kill()  # kill -9 in the middle of the report
        await process.wait()

        process = await _spawn(config)
        fake.push_text(WORKER, "Cliënt viel van de trap")
        await fake.wait_for_message(WORKER, "Wanneer gebeurde het", timeout=30)
        process.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(process.wait(), 20)
        stderr = (await process.stderr.read()).decode() if process.stderr else ""
        assert code == 0, stderr[-2000:]
        assert "Traceback" not in stderr
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
        await fake.stop()
