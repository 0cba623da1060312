"""The bot's own HTTP server (aiohttp), shared by the adapters' webhooks."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
MAX_BODY = 1024 * 1024  # bigger bodies are refused before they are parsed


class HttpServer:
    def __init__(self, host: str = "127.0.0.1", port: int = 8080) -> None:
        self.host, self.port = host, port
        self.app = web.Application(client_max_size=MAX_BODY)
        self.app.router.add_get("/health", self._health)
        self._runner: web.AppRunner | None = None

    def add_post(self, path: str, handler: Handler) -> None:
        self.app.router.add_post(path, handler)

    async def _health(self, request: web.Request) -> web.Response:
        return web.Response(text="ok")

    async def start(self) -> None:
        self._runner = web.AppRunner(self.app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        server: Any = site._server
        if self.port == 0 and server is not None and server.sockets:  # an ephemeral port
            self.port = server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
