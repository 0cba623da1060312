"""What the fake APIs share: a loopback server that records the calls it answers, and a way
for a test to wait until a call it expects has arrived."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web


def free_port() -> int:
    """A loopback port that nothing listens on (once this returns) and a server may take."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Reconnecting:
    """The ``sleep`` a bot waits with between attempts to reach its messenger at start: it
    records the pauses and, at the second, runs ``back`` (the API is reachable again)."""

    def __init__(self, back: Callable[[], Awaitable[None]]) -> None:
        self.pauses: list[float] = []
        self._back = back

    async def __call__(self, seconds: float) -> None:
        self.pauses.append(seconds)
        if len(self.pauses) == 2:
            await self._back()

    def assert_backed_off(self, logs: list[dict[str, Any]], event: str, secret: str) -> None:
        """Three pauses growing exponentially, each logged as ``event``, no ``secret`` logged."""
        assert self.pauses == [0.5, 1.0, 2.0]  # exponential backoff
        retried = [e for e in logs if e["event"] == event]
        assert len(retried) == 3 and secret not in str(logs)


async def never_sleep(seconds: float) -> None:
    """The ``sleep`` of a bot that must not try again."""
    raise AssertionError("a wrong token is not retried")


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    result: Any = None


@dataclass
class RecordingServer:
    """A fake API on 127.0.0.1 (a free port); subclasses add their routes."""

    calls: list[Call] = field(default_factory=list)
    port: int = 0

    def __post_init__(self) -> None:
        self._changed = asyncio.Event()
        self._runner: web.AppRunner | None = None

    def add_routes(self, app: web.Application) -> None:
        raise NotImplementedError

    async def start(self) -> None:
        app = web.Application()
        self.add_routes(app)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", self.port)  # 0: any free port
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def calls_of(self, *methods: str) -> list[Call]:
        return [call for call in self.calls if call.method in methods]

    def _record(self, call: Call) -> None:
        self.calls.append(call)
        self._changed.set()

    async def wait_for(self, predicate: Callable[[Call], bool], timeout: float = 10.0) -> Call:
        """The first recorded call for which ``predicate(call)`` holds, waiting if needed."""
        deadline = asyncio.get_running_loop().time() + timeout
        seen = 0
        while True:
            for call in self.calls[seen:]:
                if predicate(call):
                    return call
            seen = len(self.calls)
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                methods = [c.method for c in self.calls[-15:]]
                raise AssertionError(f"no matching call within {timeout}s; last: {methods}")
            self._changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), remaining)
