"""`vimbot run` sets aside what it made while starting: the garbage collector's full
collections then look only at what turns make (benchmarks/README.md: about a seventh of a
turn's CPU under load)."""

from __future__ import annotations

import gc
from typing import Any

import pytest

from bot import runner
from bot.adapters.terminal import TerminalAdapter
from bot.config import Config
from storage.db import Database


async def test_the_started_bot_sets_aside_what_lives_forever(
    config: Config, sqlite_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def opened(*args: Any, **kwargs: Any) -> Database:
        return sqlite_db

    frozen_while_running: list[int] = []
    thresholds: list[tuple[int, int, int]] = []

    async def person_leaves(self: TerminalAdapter) -> None:  # the terminal's person: gone
        frozen_while_running.append(gc.get_freeze_count())
        thresholds.append(gc.get_threshold())

    monkeypatch.setattr(runner, "open_database", opened)
    monkeypatch.setattr(TerminalAdapter, "run", person_leaves)
    before = gc.get_threshold()
    gc.unfreeze()
    try:
        await runner.run_bot(config, "tester")
    finally:
        gc.unfreeze()  # the other tests' objects are not the bot's
        gc.set_threshold(*before)
    assert frozen_while_running and frozen_while_running[0] > 10_000
    assert thresholds[0][0] == runner.YOUNG_OBJECTS > before[0]
