"""A bare slack-bolt AsyncApp echo app over HTTP: the framework's own per-turn cost.

Every DM and every button press gets one message with one button, nothing stored. Its Web
API client keeps one HTTP session (and its connections) for the app's life, as vimbot's does
(bot/adapters/slack/app.py): slack_sdk would otherwise open a new one for every call.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import AsyncIterator
from typing import Any

from aiohttp import ClientSession, ClientTimeout, web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient


def build(api_url: str, token: str, secret: str) -> web.Application:
    web_client = AsyncWebClient(token=token, base_url=api_url)
    app = AsyncApp(client=web_client, signing_secret=secret)

    def blocks(text: str) -> list[dict[str, Any]]:
        return [
            {"type": "section", "text": {"type": "mrkdwn", "text": text[:100] or "?"}},
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "action_id": "vim:0",
                        "value": "t|yes",
                        "text": {"type": "plain_text", "text": "Ja"},
                    }
                ],
            },
        ]

    @app.event("message")
    async def on_message(event: dict[str, Any], client: AsyncWebClient) -> None:
        await client.chat_postMessage(
            channel=event["channel"],
            text=event.get("text", ""),
            blocks=blocks(event.get("text", "")),
        )

    @app.action(re.compile("^vim:"))
    async def on_button(ack: Any, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        await client.chat_postMessage(channel=body["channel"]["id"], text="ok", blocks=blocks("ok"))

    async def events(request: web.Request) -> web.Response:
        return await to_aiohttp_response(await app.async_dispatch(await to_bolt_request(request)))

    async def health(request: web.Request) -> web.Response:
        return web.Response(text="ok")

    async def shared_session(_: web.Application) -> AsyncIterator[None]:
        web_client.session = ClientSession(timeout=ClientTimeout(total=web_client.timeout))
        yield
        await web_client.session.close()

    web_app = web.Application()
    web_app.cleanup_ctx.append(shared_session)
    web_app.router.add_post("/slack/events", events)
    web_app.router.add_get("/health", health)
    return web_app


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--api-url", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--token", default="xoxb-bench")
    parser.add_argument("--secret", default="bench-signing-secret")
    args = parser.parse_args()
    web.run_app(
        build(args.api_url, args.token, args.secret),
        host="127.0.0.1",
        port=args.port,
        print=None,
        access_log=None,
    )


if __name__ == "__main__":
    main()
