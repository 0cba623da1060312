"""Turns that wait for the database at the same moment are handled in one transaction.

SQLite has one writer: the turns of a busy bot take it one after the other, and each took
its own trips to the database thread (the reads with BEGIN, then the writes with COMMIT).
A trip is cheap for SQLite but dear for Python: the thread wakes, the two threads pass the
GIL back and forth for every statement while the event loop is busy with other chats' HTTP,
and the loop wakes again for the answer. Under load that was a third of a turn's CPU.

So the turns that are waiting when the writer comes free go in together: their reads are
one trip, their writes and the COMMIT another, whatever their number. Alone, a turn costs
what it did. The turns of one chat never share a batch (the service holds the chat's lock
while its turn waits here), so their order is kept.

A batch is all or nothing, like a single turn: when anything in it fails (a handler's bug,
the database), nothing of it is stored and each of its turns is handled again on its own,
where a failure concerns that turn only and the database's failures are retried. Nothing is
answered before the batch is committed.
"""

from __future__ import annotations

import asyncio
import traceback
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

import structlog

from bot.events import Inbound
from bot.outcome import Outcome

log = structlog.get_logger("vimbot.batching")

LIMIT = 64  # turns per batch at most: a batch holds the writer, others wait behind it

HandleTogether = Callable[[Sequence[Inbound]], Awaitable[Sequence[Outcome]]]


@dataclass(frozen=True, slots=True)
class Alone:
    """A turn whose batch failed (nothing of it stored), to be handled on its own: ``error``
    is why the batch failed (None when it was stopped)."""

    error: Exception | None = None


def _where(error: BaseException) -> str:
    """Where an error was raised (file and line): enough to find a bug that shows only when
    turns share a batch, without the error's text (which may hold what someone wrote)."""
    frames = traceback.extract_tb(error.__traceback__)
    if not frames:
        return ""
    path = "/".join(frames[-1].filename.rsplit("/", 2)[-2:])
    return f"{path}:{frames[-1].lineno}"


class TurnBatches:
    """Collects the turns waiting for the database and hands them over in batches."""

    def __init__(self, handle_together: HandleTogether, limit: int = LIMIT) -> None:
        self._handle_together = handle_together
        self._limit = limit
        self._waiting: list[tuple[Inbound, asyncio.Future[Outcome | Alone]]] = []
        self._draining: asyncio.Task[None] | None = None

    async def handle(self, event: Inbound) -> Outcome | Alone:
        """The turn's outcome once its batch is committed; :class:`Alone` when the batch
        failed (nothing of it was stored: the caller handles the turn on its own)."""
        answer: asyncio.Future[Outcome | Alone] = asyncio.get_running_loop().create_future()
        entry = (event, answer)
        self._waiting.append(entry)
        if self._draining is None:
            # starts after the turns that are ready now have joined the queue
            self._draining = asyncio.create_task(self._drain())
        try:
            return await asyncio.shield(answer)
        except asyncio.CancelledError:  # a shutdown, a timeout around the turn
            if entry in self._waiting:  # not in a batch yet: it is never handled
                self._waiting.remove(entry)
            elif not answer.done():
                # In the running batch, it is stored with it: the caller keeps the chat until
                # then, so the chat's next turn comes after it (and reads what it stored).
                await asyncio.wait([answer])
            raise

    async def _drain(self) -> None:
        batch: list[tuple[Inbound, asyncio.Future[Outcome | Alone]]] = []
        try:
            while self._waiting:
                batch = self._waiting[: self._limit]
                del self._waiting[: self._limit]
                outcomes: Sequence[Outcome | Alone]
                try:
                    outcomes = await self._handle_together([event for event, _ in batch])
                except Exception as error:  # each turn again on its own; see the docstring
                    log.info(
                        "batch_handled_alone",
                        turns=len(batch),
                        error=type(error).__name__,
                        where=_where(error),
                    )
                    outcomes = [Alone(error)] * len(batch)
                for (_, answer), outcome in zip(batch, outcomes, strict=True):
                    if not answer.done():  # its caller may have been cancelled meanwhile
                        answer.set_result(outcome)
        finally:
            # Stopped (cancelled at shutdown): whoever still waits goes alone.
            self._draining = None
            for _, answer in (*batch, *self._waiting):
                if not answer.done():
                    answer.set_result(Alone())
            self._waiting.clear()
