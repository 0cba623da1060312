"""Shared test helpers: a transcript driver for the service and a test configuration."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Config
from bot.events import Inbound, InboundKind, Outbound
from bot.flows.engine import DONE
from bot.service import Outcome, ReportService
from storage.db import Database

AMS = ZoneInfo("Europe/Amsterdam")
# A Wednesday morning in Amsterdam.
NOW = datetime(2026, 11, 18, 10, 30, tzinfo=AMS)
T = TypeVar("T")


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
        await self.tap("no")
        await self.say(description)
        await self.tap(when)
        await self.tap(DONE)  # categories as suggested
        await self.tap(DONE)  # affected as suggested

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
