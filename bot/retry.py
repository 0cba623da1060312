"""Waiting for what comes back by itself: the database or a messenger at start.

A temporary problem (connection refused while a container starts, a 5xx, a network blip) is
retried with exponential backoff, with a log line per retry, for a bounded total wait; a
permanent one (a wrong password or token) is not retried. The pause is an injected ``sleep``
so tests don't wait.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

T = TypeVar("T")
Sleep = Callable[[float], Awaitable[None]]


class StartupError(Exception):
    """The bot cannot start for a reason outside its configuration file; the message says
    what failed and what to check (the CLI prints it and exits with code 2)."""


@dataclass(frozen=True, slots=True)
class Backoff:
    """Pauses of ``first``, doubling, at most ``longest``, adding up to at most ``total``."""

    first: float = 0.5
    longest: float = 15.0
    total: float = 120.0

    def pauses(self) -> Iterator[float]:
        waited, pause = 0.0, self.first
        while waited < self.total:
            step = min(pause, self.longest, self.total - waited)
            yield step
            waited += step
            pause *= 2


AT_START = Backoff()  # a database or messenger that is starting: up to two minutes


async def retry(
    action: Callable[[], Awaitable[T]],
    temporary: Callable[[BaseException], str | None],
    *,
    log: Any,
    event: str,
    backoff: Backoff = AT_START,
    sleep: Sleep = asyncio.sleep,
    **context: Any,
) -> T:
    """``action()``, again after a pause while ``temporary(error)`` gives a reason; the last
    error (or a permanent one) is raised."""
    pauses = backoff.pauses()
    while True:
        try:
            return await action()
        except Exception as error:
            reason = temporary(error)
            pause = next(pauses, None) if reason is not None else None
            if pause is None:
                raise
            log.warning(event, reason=reason, retry_in_seconds=round(pause, 2), **context)
            await sleep(pause)
