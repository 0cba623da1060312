"""A small fake of Slack's Web API (and a Socket Mode websocket) on 127.0.0.1.

slack_sdk's ``base_url`` points here. Every call is recorded; the next calls of a method can
be made to fail (a 429 with Retry-After, a 5xx, an API error).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from tests.fakes.recording import Call, RecordingServer

BOT_TOKEN = "xoxb-test-bot-token"
APP_TOKEN = "xapp-test-app-token"
SIGNING_SECRET = "test-signing-secret"
JSON_FIELDS = {"blocks", "view", "attachments"}


@dataclass
class FakeSlack(RecordingServer):
    failures: list[tuple[str, int, dict[str, Any], dict[str, str]]] = field(default_factory=list)
    socket_acks: list[dict[str, Any]] = field(default_factory=list)
    # The client's end of the connection of every Web API call: one per call without
    # keep-alive, a few when the client keeps its connections.
    peers: list[Any] = field(default_factory=list)

    # Files uploaded to the URLs files.getUploadURLExternal handed out, by file id: (file
    # name, bytes); and the conversation each was shared in (files.completeUploadExternal).
    uploads: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    shared: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        super().__post_init__()
        self._ts = itertools.count(1)
        self._file_ids = itertools.count(1)
        self._upload_names: dict[str, str] = {}
        self._sockets: list[web.WebSocketResponse] = []
        self._socket_ready = asyncio.Event()

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"

    def add_routes(self, app: web.Application) -> None:
        app.router.add_post("/api/{method}", self._api)
        app.router.add_post("/respond/{id}", self._respond)
        app.router.add_post("/upload/v1/{file_id}", self._upload)
        app.router.add_get("/ws", self._websocket)

    async def stop(self) -> None:
        for socket in self._sockets:
            await socket.close()
        await super().stop()

    def fail_next(
        self,
        method: str,
        status: int,
        payload: dict[str, Any],
        headers: dict[str, str] | None = None,
    ) -> None:
        self.failures.append((method, status, payload, headers or {}))

    async def wait_for_post(self, channel: str, contains: str, after: int = 0) -> Call:
        return await self.wait_for(
            lambda c: (
                c.method in ("chat.postMessage", "chat.update")
                and self.calls.index(c) >= after
                and c.params.get("channel") == channel
                and contains in json.dumps(c.params.get("blocks"), ensure_ascii=False)
            )
        )

    # ---- Web API ------------------------------------------------------------------------

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        self.peers.append(
            request.transport.get_extra_info("peername") if request.transport else None
        )
        params: dict[str, Any] = dict(request.query)  # slack_sdk sends some as a query string
        if request.content_type == "application/json":
            params.update(await request.json())
        else:
            params.update(await request.post())
            for key in JSON_FIELDS & set(params):
                params[key] = json.loads(params[key])
        call = Call(method, params)
        failure = next((f for f in self.failures if f[0] == method), None)
        if failure is not None:
            self.failures.remove(failure)
            _, status, payload, headers = failure
            call.result = ("failed", status, payload.get("error"))
            self._record(call)
            return web.json_response({"ok": False, **payload}, status=status, headers=headers)
        expected = APP_TOKEN if method == "apps.connections.open" else BOT_TOKEN
        if request.headers.get("Authorization") != f"Bearer {expected}":
            call.result = ("failed", 200, "invalid_auth")
            self._record(call)
            return web.json_response({"ok": False, "error": "invalid_auth"})
        call.result = self._result(method, params)
        self._record(call)
        return web.json_response(call.result)

    def _result(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        ok: dict[str, Any] = {"ok": True}
        if method == "auth.test":
            return {
                **ok,
                "team": "Zorg",
                "team_id": "T1",
                "user": "vimbot",
                "user_id": "UBOT",
                "bot_id": "BBOT",
                "url": "https://zorg.slack.com/",
            }
        if method == "conversations.open":
            return {**ok, "channel": {"id": f"D{params.get('users')}"}}
        if method in ("chat.postMessage", "chat.update"):
            ts = params.get("ts") or f"{int(time.time())}.{next(self._ts):06d}"
            return {**ok, "channel": params.get("channel"), "ts": ts}
        if method == "chat.postEphemeral":
            return {**ok, "message_ts": f"{int(time.time())}.000001"}
        if method in ("views.open", "views.publish"):
            return {**ok, "view": {"id": "V1", **(params.get("view") or {})}}
        if method == "files.getUploadURLExternal":
            file_id = f"F0{next(self._file_ids):08d}"
            self._upload_names[file_id] = str(params.get("filename"))
            return {
                **ok,
                "upload_url": f"http://127.0.0.1:{self.port}/upload/v1/{file_id}",
                "file_id": file_id,
            }
        if method == "files.completeUploadExternal":
            files = json.loads(params["files"])
            missing = [f["id"] for f in files if f["id"] not in self.uploads]
            if missing:  # completed before its bytes arrived
                return {"ok": False, "error": "file_not_found"}
            channel = params.get("channel_id")
            if channel:
                if not str(channel).startswith(("C", "D", "G")):  # a user id is no conversation
                    return {"ok": False, "error": "invalid_channel"}
                for f in files:
                    self.shared[f["id"]] = str(channel)
            return {**ok, "files": [{"id": f["id"], "title": f.get("title", "")} for f in files]}
        if method == "apps.connections.open":
            return {**ok, "url": f"ws://127.0.0.1:{self.port}/ws"}
        return ok

    async def _upload(self, request: web.Request) -> web.Response:
        """The upload URL: the file's bytes as the body; Slack answers in plain text."""
        file_id = request.match_info["file_id"]
        if file_id not in self._upload_names:
            return web.Response(status=404, text="not found")
        data = await request.read()
        self.uploads[file_id] = (self._upload_names[file_id], data)
        self._record(Call("upload", {"file_id": file_id, "size": len(data)}))
        return web.Response(text=f"OK - {len(data)}")

    async def _respond(self, request: web.Request) -> web.Response:
        self._record(Call("respond", await request.json()))
        return web.Response(text="ok")

    # ---- Socket Mode --------------------------------------------------------------------

    async def _websocket(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse(autoping=True)
        await socket.prepare(request)
        self._sockets.append(socket)
        await socket.send_json(
            {"type": "hello", "num_connections": 1, "connection_info": {"app_id": "A1"}}
        )
        self._socket_ready.set()
        async for message in socket:
            if message.type == WSMsgType.TEXT:
                data = json.loads(message.data)
                if "envelope_id" in data:
                    self.socket_acks.append(data)
                    self._changed.set()
        return socket

    async def push_socket_event(self, envelope: dict[str, Any]) -> None:
        await asyncio.wait_for(self._socket_ready.wait(), 10)
        await self._sockets[-1].send_json(envelope)


def signed_headers(
    body: str, timestamp: int | None = None, secret: str = SIGNING_SECRET
) -> dict[str, str]:
    """The headers Slack sends with a request, signed as Slack signs them."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}
