"""Shared test helpers: a transcript driver for the service, a test configuration, copies of
the migrated template database, and the ``vimbot`` command run in this process."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol, TypeVar
from zoneinfo import ZoneInfo

import structlog
from rich.console import Console
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from typer.testing import CliRunner

from bot import cli, logs
from bot.config import Config
from bot.domain.taxonomy import suggest_affected, suggest_categories
from bot.events import Inbound, InboundKind, Outbound
from bot.flows.engine import DONE, SKIP
from bot.service import Outcome, ReportService
from storage import crypto
from storage.db import Database

EXAMPLE = Path(__file__).resolve().parents[1] / "config.example.toml"
AMS = ZoneInfo("Europe/Amsterdam")
# A Wednesday morning in Amsterdam.
NOW = datetime(2026, 11, 18, 10, 30, tzinfo=AMS)
T = TypeVar("T")
# The first report of a test: its reference, the token of its case buttons, its description.
REFERENCE = "VIM-2026-0001"
CASE = f"case:{REFERENCE}"
DESCRIPTION = "Mevrouw is gevallen naast het bed"
HARMED = ("minor", "serious", "death")  # harms that ask whether first aid was given


def make_config(**overrides: Any) -> Config:
    data: dict[str, Any] = {
        "organisation": {"name": "Test Thuiszorg", "timezone": "Europe/Amsterdam"},
        "roles": {
            "coordinator": ["shell:coord"],
            "board": ["shell:board"],
            "confidential_adviser": ["shell:vp"],
            "committee": ["shell:committee"],
        },
        "teams": [
            {
                "id": "noord",
                "name": "Wijkteam Noord",
                "leaders": ["shell:lead-noord"],
                "members": ["shell:nina"],
                "channels": ["shell:chan-noord"],
            },
            {"id": "zuid", "name": "Wijkteam Zuid", "leaders": ["shell:lead-zuid"]},
        ],
    }
    data.update(overrides)
    return Config(**data)


class Phone(Protocol):
    """Where a person answers the report's questions: the service's :class:`Chat`, or the
    Telegram and Slack test harnesses."""

    async def say(self, text: str) -> object: ...

    async def tap(self, value: str) -> object: ...


async def answer_report(
    phone: Phone, description: str = DESCRIPTION, when: str = "today", harm: str | None = "none"
) -> None:
    """Answer a report just started, from "anonymous?" (no) up to who to contact: the
    suggested categories and affected confirmed, no context. With ``harm=None`` it stops at
    the harm question."""
    await phone.tap("no")
    await phone.say(description)
    await phone.tap(when)
    if kind_is_clear(description):
        await phone.tap("yes")  # "Klopt dit?": the suggested kind and who it happened to
    else:
        await phone.tap(DONE)  # categories as suggested
        await phone.tap(DONE)  # affected as suggested
    if harm is None:
        return
    await phone.tap(harm)
    if harm in HARMED:
        await phone.tap("given")
    await phone.tap(SKIP)  # no context


def kind_is_clear(description: str) -> bool:
    """Whether the description suggests both the kind and who it happened to: one question
    ("Klopt dit?") then confirms both."""
    categories = suggest_categories(description)
    return bool(categories) and bool(suggest_affected(description, categories))


def anonymous_code(text: str) -> str:
    """The code an anonymous report's confirmation shows."""
    return text.split("code is: ")[1].split("\n")[0]


class Chat:
    """Push an answer, read the reply: a person talking to the service."""

    def __init__(
        self,
        service: ReportService,
        user: str = "alice",
        platform: str = "shell",
        name: str | None = "Alice",
        language: str | None = None,
    ) -> None:
        self.service = service
        self.user = user
        self.platform = platform
        self.name = name
        self.language = language
        self.replies: list[Outbound] = []
        self.outcomes: list[Outcome] = []
        self.question: Outbound | None = None
        self.interactions = 0

    def _event(self, kind: InboundKind, **fields: Any) -> Inbound:
        return Inbound(
            platform=self.platform,
            chat_id=self.user,
            user_id=self.user,
            kind=kind,
            user_name=self.name,
            language=self.language,
            **fields,
        )

    async def _push(self, event: Inbound) -> list[Outbound]:
        self.interactions += 1
        outcome = await self.service.handle(event)
        self.outcomes.append(outcome)
        self.replies = outcome.replies
        for reply in outcome.replies:
            if reply.options:
                self.question = reply
        return outcome.replies

    async def say(self, text: str) -> list[Outbound]:
        return await self._push(self._event(InboundKind.TEXT, text=text))

    async def command(self, text: str) -> list[Outbound]:
        return await self._push(self._event(InboundKind.COMMAND, text=text))

    async def tap(self, *values: str, token: str | None = None) -> list[Outbound]:
        """Press buttons of the current question (by option value)."""
        assert self.question is not None, "no question on screen"
        known = {o.value for o in self.question.options} | {DONE}
        for value in values:
            assert value in known, f"{value!r} is not an option of {self.question.text!r}"
        return await self._push(
            self._event(
                InboundKind.CHOICE,
                choices=values,
                token=token if token is not None else self.question.token,
            )
        )

    async def press(self, token: str, value: str) -> list[Outbound]:
        """A button on a notification or case message (not the current question)."""
        return await self._push(self._event(InboundKind.CHOICE, choices=(value,), token=token))

    async def tap_label(self, label: str) -> list[Outbound]:
        assert self.question is not None
        value = next(o.value for o in self.question.options if o.label == label)
        return await self.tap(value)

    async def answer_up_to_harm(
        self, description: str = "Cliënt is gevallen in de badkamer", when: str = "yesterday"
    ) -> None:
        """Start a report and confirm the suggestions, up to the harm question."""
        await self.command("/melden")
        await answer_report(self, description, when, harm=None)

    async def report(
        self,
        description: str = DESCRIPTION,
        when: str = "today",
        harm: str = "none",
        contact: str = "team_leader",
        send: str = "send",
        team: str = "noord",
        start: bool = True,
    ) -> None:
        """Make a whole report (``start=False``: one already started with ``/melden``); where
        the team is asked, ``team``."""
        if start:
            await self.command("/melden")
        await answer_report(self, description, when, harm)
        if self.question is not None and "team" in (self.question.token or ""):
            await self.tap(team)
        await self.tap(contact)
        await self.tap(send)

    @property
    def code(self) -> str:
        """The code the last replies gave for an anonymous report."""
        return anonymous_code(self.text)

    async def triage(
        self, outcome: str = "internal", likelihood: str = "yearly", impact: str = "minor"
    ) -> None:
        """Triage the first report (as its handler) and confirm."""
        await self.press(CASE, "triage")
        await self.tap(outcome)
        await self.tap(likelihood)
        await self.tap(impact)
        await self.tap("confirm")

    async def not_vim(self, reason: str) -> None:
        """Triage the first report as no VIM report, for ``reason``, and confirm."""
        await self.press(CASE, "triage")
        await self.tap("not_vim")
        await self.say(reason)
        await self.tap("confirm")

    async def analyse(self, *whys: str, cause: str = "human") -> None:
        """Analyse the first report: the whys, one cause, confirmed."""
        await self.press(CASE, "analyse")
        for why in whys:
            await self.say(why)
        await self.tap(SKIP)
        await self.tap(cause)
        await self.tap(DONE)
        await self.tap("confirm")

    @property
    def text(self) -> str:
        return "\n".join(r.text for r in self.replies)

    @property
    def selected(self) -> list[str]:
        assert self.question is not None
        return [o.value for o in self.question.options if o.selected]


async def table_rows(db: Database, model: type[T], *where: Any) -> list[T]:
    """The rows of ``model``'s table (those matching ``where``), read in a transaction of the
    test's own: tests look at the tables directly; the bot only through the store's named
    queries, which keep their session to themselves."""
    async with AsyncSession(db.engine, expire_on_commit=False) as session:
        return list((await session.execute(select(model).where(*where))).scalars())


async def count_rows(db: Database, model: type) -> int:
    """How many rows the table of ``model`` holds."""
    async with AsyncSession(db.engine) as session:
        result = await session.execute(select(func.count()).select_from(model))
        return int(result.scalar_one())


SORRY = "er ging iets mis"  # what a person hears when the database is down


class Outage:
    """Every commit fails as when the connection to the database is lost (the transaction
    is rolled back), while ``active`` or for the next ``remaining`` commits."""

    def __init__(self, monkeypatch: Any) -> None:
        from sqlalchemy.exc import DBAPIError

        from storage.repository import Store

        self.active = False
        self.remaining = 0
        self.failed = 0
        self.changed = asyncio.Event()  # set at every failed commit
        original = Store.end

        async def end(store: Store, commit: bool) -> None:
            if commit and (self.active or self.remaining > 0):
                self.remaining = max(0, self.remaining - 1)
                self.failed += 1
                self.changed.set()
                await original(store, commit=False)
                lost = ConnectionResetError(104, "Connection reset by peer")
                raise DBAPIError("COMMIT", None, lost, connection_invalidated=True)
            await original(store, commit)

        monkeypatch.setattr(Store, "end", end)


def copy_sqlite(template: Path, path: Path) -> Database:
    """A database of its own on a byte copy of the migrated template (see tests/conftest.py)."""
    shutil.copyfile(template, path)
    return Database(f"sqlite:///{path}")


# ---- process-wide state -------------------------------------------------------------------


@contextlib.contextmanager
def process_state() -> Iterator[None]:
    """Put back what code sets for the whole process: the encryption keys
    (``crypto.configure``), the standard logging levels and handlers and structlog's
    configuration (``logs.configure``, whose logger writes to the ``sys.stderr`` of the
    moment), and the CLI's options and console."""
    cipher = crypto.current()
    structlog_config = structlog.get_config()
    root = logging.getLogger()
    root_handlers, root_level = root.handlers[:], root.level
    levels = {name: logging.getLogger(name).level for name in logs.QUIET}
    cli_state = (cli._State.config_path, cli._State.warned, cli.err)
    try:
        yield
    finally:
        crypto._current = cipher
        structlog.configure(**structlog_config)
        root.handlers[:] = root_handlers
        root.setLevel(root_level)
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)
        cli._State.config_path, cli._State.warned, cli.err = cli_state


# ---- the vimbot command -------------------------------------------------------------------


@dataclass
class CliResult:
    """What a run of the command gave, as ``subprocess.run`` names it."""

    returncode: int
    stdout: str
    stderr: str


def _environment(env: dict[str, str] | None) -> dict[str, str | None]:
    """Only the test's own VIMBOT_ variables: those of the shell running the tests go."""
    environment: dict[str, str | None] = {k: None for k in os.environ if k.startswith("VIMBOT_")}
    environment.update(env or {})
    return environment


def vimbot(*args: str, cwd: Path, stdin: str = "", env: dict[str, str] | None = None) -> CliResult:
    """``vimbot ARGS`` run in this process (typer's CliRunner) through ``bot.cli.main``, with
    its exit codes and its error handling, as a fresh process would start it: the keys, the
    logging and the CLI's options are set anew and put back afterwards."""
    runner = CliRunner()
    with (
        process_state(),
        contextlib.chdir(cwd),
        runner.isolation(input=stdin, env=_environment(env)) as (out, err, _),
    ):
        cli._State.config_path, cli._State.warned = None, False
        crypto.configure(None)
        cli.err = Console(stderr=True)  # detects the captured stream: no colour codes
        try:
            cli.main(list(args))
            code = 0
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else int(exit_.code is not None)
        sys.stdout.flush()
        sys.stderr.flush()
        return CliResult(code, out.getvalue().decode(), err.getvalue().decode())


def vimbot_process(
    *args: str, cwd: Path, stdin: str = "", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """The installed ``vimbot`` console script in a process of its own (the smoke tests)."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("VIMBOT_")}
    environment.update(env or {})
    script = Path(sys.executable).with_name("vimbot")
    return subprocess.run(
        [str(script), *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=cwd,
        env=environment,
        timeout=60,
    )


# A report sent as one form (the Slack modal's path: the conversation's rules, all at once),
# by Nina of team Noord; ``fields`` replace the defaults.
FORM_DEFAULTS: dict[str, Any] = {
    "description": "Mevrouw is gevallen naast het bed",
    "when": "today",
    "categories": ["fall"],
    "affected": ["client"],
    "harm": "none",
    "contact": "team_leader",
    "team": "noord",
}


async def send_form(service: ReportService, anonymous: bool = False, **fields: Any) -> Outcome:
    who = Inbound("shell", "nina", "nina", InboundKind.TEXT, user_name="Nina")
    errors, outcome = await service.submit_form(who, {**FORM_DEFAULTS, **fields}, anonymous)
    assert errors == {}
    return outcome
