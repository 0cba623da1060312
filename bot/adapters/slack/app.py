"""Wiring of the Slack adapter: bolt's AsyncApp over Socket Mode or HTTP, and delivery."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable, Coroutine
from datetime import timedelta
from typing import Any

import structlog
from aiohttp import ClientError, ClientSession, ClientTimeout, web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_bolt.middleware.async_middleware import AsyncMiddleware
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.request.payload_utils import is_block_actions, is_event, to_action
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.delivery import Apologies, deliver_in_order
from bot.adapters.slack import render, translate
from bot.adapters.slack.translate import ACTION_PREFIX, PLATFORM
from bot.commands import BY_NAME, Name
from bot.config import Config, ConfigError
from bot.core import Core
from bot.events import Inbound, InboundKind, Outbound
from bot.http_server import HttpServer
from bot.i18n import Translator
from bot.outbox import PermanentFailure, TemporaryFailure
from bot.outcome import Outcome
from bot.retry import Sleep, StartupError, retry

log = structlog.get_logger("vimbot.slack")

EVENTS_PATH = "/slack/events"


def classify(error: Exception) -> TemporaryFailure | PermanentFailure:
    """Retry network trouble, 5xx and rate limits (with Retry-After); record the rest."""
    if isinstance(error, SlackApiError):
        response = error.response
        status = getattr(response, "status_code", 200)
        code = str(response.get("error", "")) if hasattr(response, "get") else ""
        if status == 429 or code == "ratelimited":
            headers = getattr(response, "headers", {}) or {}
            retry = headers.get("Retry-After") or headers.get("retry-after") or 1
            return TemporaryFailure("ratelimited", retry_after=float(retry))
        if status >= 500 or code in ("internal_error", "fatal_error", "service_unavailable"):
            return TemporaryFailure(code or f"HTTP {status}")
        return PermanentFailure(code or f"HTTP {status}")
    if isinstance(error, ClientError | asyncio.TimeoutError | OSError):
        return TemporaryFailure(type(error).__name__)
    return PermanentFailure(type(error).__name__)


def _unreachable(error: BaseException) -> str | None:
    """Why Slack could not be reached, when trying again may help (network, 5xx, 429)."""
    if not isinstance(error, Exception):
        return None
    failure = classify(error)
    return str(failure.args[0]) if isinstance(failure, TemporaryFailure) else None


class SlackSender:
    """Delivers outbox messages to ``slack:<user or channel id>`` addresses."""

    def __init__(self, client: AsyncWebClient) -> None:
        self.client = client

    async def _channel(self, recipient: str) -> str:
        """A file is shared in a conversation: a person's id (U…) opens their direct one."""
        if not recipient.startswith(("U", "W")):
            return recipient
        opened = await self.client.conversations_open(users=recipient)
        return str(opened["channel"]["id"])

    async def send(self, recipient: str, message: Outbound) -> None:
        try:
            await self.client.chat_postMessage(
                channel=recipient, text=render.fallback_text(message), blocks=render.blocks(message)
            )
            if message.attachment is not None:  # files.upload is retired: the v2 upload
                name, data = message.attachment
                await self.client.files_upload_v2(
                    channel=await self._channel(recipient), content=data, filename=name, title=name
                )
        except Exception as error:
            raise classify(error) from error


class _Turns(AsyncMiddleware):
    """The two requests nearly every turn is, a person's message in their DM and a press on a
    question's button, taken before bolt looks for a listener: after bolt has checked the
    signature, authorised the request and dropped the app's own events, as for any request.

    Bolt's listener machinery (a matcher per registered listener, each handed every argument
    a listener may ask for; a task per listener; an acknowledgement polled every 10 ms) was
    about a fifth of the adapter's CPU per turn. The other requests (commands, forms, App
    Home, mentions) keep their listeners."""

    def __init__(self, adapter: SlackAdapter) -> None:
        self.adapter = adapter

    async def async_process(
        self,
        *,
        req: AsyncBoltRequest,
        resp: BoltResponse,
        next: Callable[[], Awaitable[BoltResponse]],  # bolt calls it by this name
    ) -> BoltResponse | None:
        body = req.body
        if is_event(body) and body["event"]["type"] == "message":
            return await self.adapter._on_message(body)
        if is_block_actions(body):
            action = to_action(body) or {}
            if str(action.get("action_id", "")).startswith(ACTION_PREFIX):
                return await self.adapter._on_button(body)
        return await next()


def _sdk_logger() -> logging.Logger:
    """slack_sdk's logger, given a level of its own: while its own level is unset, slack_sdk
    writes out the debug lines of every call (the request's blocks, the response's body, ~20
    µs a call) before logging drops them."""
    logger = logging.getLogger("slack_sdk.web.async_base_client")
    if logger.level == logging.NOTSET:
        logger.setLevel(logger.getEffectiveLevel())
    return logger


def _ack() -> BoltResponse:
    return BoltResponse(status=200, body="")


class SlackAdapter:
    def __init__(
        self,
        config: Config,
        core: Core,
        http: HttpServer | None = None,
        on_queued: Any = None,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        settings = config.slack
        self.config = config
        self.core = core
        self.on_queued = on_queued
        self.sleep = sleep
        self.http_mode = settings.mode == "http"
        client_options: dict[str, Any] = {"token": settings.bot_token, "logger": _sdk_logger()}
        if settings.api_url:
            client_options["base_url"] = settings.api_url
        self.client = AsyncWebClient(**client_options)
        self.app = AsyncApp(
            client=self.client,
            signing_secret=settings.signing_secret if self.http_mode else None,
            request_verification_enabled=self.http_mode,
            process_before_response=False,  # ack first (Slack waits 3 s at most), work after
        )
        self._register()
        if self.http_mode:
            if http is None:
                raise RuntimeError("HTTP mode needs the bot's HTTP server")
            http.add_post(EVENTS_PATH, self._on_http)
        self.socket: AsyncSocketModeHandler | None = None
        self.sender = SlackSender(self.client)
        self._dm: dict[str, str] = {}
        self.t = Translator(config.organisation.language)
        self._apologies = Apologies()
        self._sending: set[asyncio.Task[None]] = set()

    def _register(self) -> None:
        app = self.app
        app.use(_Turns(self))  # DMs and the questions' buttons
        app.event("app_home_opened")(self._on_home_opened)
        app.event("app_mention")(self._on_mention)
        app.action(re.compile(r"^vim_home_"))(self._on_home_button)
        app.command(translate.SLASH_COMMAND)(self._on_command)
        app.view(render.FORM_CALLBACK)(self._on_form)
        app.action(render.REPLY_BUTTON)(self._on_reply_button)
        app.view(render.REPLY_CALLBACK)(self._on_reply_form)

    # ---- life cycle -------------------------------------------------------------------

    async def start(self) -> None:
        # slack_sdk opens a new HTTP session (and connection, with TLS) for every API call
        # unless it is given one: keep one for the bot's life, with keep-alive.
        if self.client.session is None or self.client.session.closed:
            self.client.session = ClientSession(timeout=ClientTimeout(total=self.client.timeout))
        try:
            await self._connect()
        except BaseException:
            await self._close_session()
            raise
        log.info("slack_started", mode=self.config.slack.mode)

    async def _connect(self) -> None:
        """auth.test (and the Socket Mode connection), retried while Slack can't be reached:
        a network blip at boot does not end the bot. A rejected token ends it at once."""
        try:
            await self._retry(self.client.auth_test)
        except SlackApiError as error:
            raise ConfigError(
                "Slack rejected the bot token: check [slack] bot_token or VIMBOT_SLACK_BOT_TOKEN"
                f" ({error.response.get('error')})"
            ) from error
        if not self.http_mode:
            if not self.config.slack.app_token:
                raise ConfigError(
                    "Socket Mode needs an app token: set [slack] app_token or "
                    'VIMBOT_SLACK_APP_TOKEN (or use mode = "http")'
                )
            self.socket = AsyncSocketModeHandler(self.app, self.config.slack.app_token)
            await self._retry(self.socket.connect_async)

    async def _retry(self, action: Any) -> None:
        try:
            await retry(
                action, _unreachable, log=log, event="slack_unreachable_retrying", sleep=self.sleep
            )
        except Exception as error:
            reason = _unreachable(error)
            if reason is None:
                raise
            raise StartupError(
                f"could not reach Slack ({reason}): check the network connection (DNS, proxy, "
                "firewall) of this machine"
            ) from error

    async def stop(self) -> None:
        if self._sending:
            await asyncio.gather(*self._sending, return_exceptions=True)
        if self.socket is not None:
            await self.socket.close_async()
            self.socket = None
        await self._close_session()

    async def _close_session(self) -> None:
        if self.client.session is not None and not self.client.session.closed:
            await self.client.session.close()

    async def _on_http(self, request: web.Request) -> web.Response:
        response = await self.app.async_dispatch(await to_bolt_request(request))
        return await to_aiohttp_response(response)

    # ---- conversation -------------------------------------------------------------------

    async def _dm_channel(self, user_id: str) -> str:
        if user_id not in self._dm:
            response = await self.client.conversations_open(users=user_id)
            self._dm[user_id] = str(response["channel"]["id"])
        return self._dm[user_id]

    async def _turn(self, event: Inbound, message_ts: str | None = None) -> None:
        outcome = await self.core.handle(event)
        if not outcome.duplicate:
            await self._answer(event.chat_id, outcome, message_ts)

    async def _answer(self, channel: str, outcome: Outcome, message_ts: str | None = None) -> None:
        """A turn's replies, in order, then the outbox's wake-up for what it queued."""
        await self._deliver(channel, outcome.replies, message_ts)
        if outcome.notifications and self.on_queued is not None:
            self.on_queued()

    async def _deliver(self, channel: str, replies: list[Outbound], message_ts: str | None) -> None:
        async def send_one(reply: Outbound) -> timedelta | None:
            try:
                if reply.edit and message_ts:
                    await self.client.chat_update(
                        channel=channel,
                        ts=message_ts,
                        text=render.fallback_text(reply),
                        blocks=render.blocks(reply),
                    )
                else:
                    await self.client.chat_postMessage(
                        channel=channel,
                        text=render.fallback_text(reply),
                        blocks=render.blocks(reply),
                    )
            except Exception as error:
                failure = classify(error)
                if isinstance(failure, TemporaryFailure):
                    return timedelta(seconds=failure.retry_after or 0)
                log.warning("slack_reply_undeliverable", reason=str(failure))
            return None

        queued = await deliver_in_order(self.core, f"{PLATFORM}:{channel}", replies, send_one)
        if queued and self.on_queued is not None:
            self.on_queued()

    async def _after_ack(self, work: Coroutine[Any, Any, None]) -> None:
        """Work that follows Slack's answer (Slack waits 3 s at most): a task the adapter
        keeps until it is done (``stop`` waits for it). An app that processes before it
        responds (bolt's ``process_before_response``, as the tests run it) does it first."""
        if self.app.process_before_response:
            await work
        else:
            self._in_background(work)

    def _in_background(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(self._logged(work))
        self._sending.add(task)
        task.add_done_callback(self._sending.discard)

    @staticmethod
    async def _logged(work: Coroutine[Any, Any, None]) -> None:
        try:
            await work
        except Exception:  # as bolt's listener runner does: logged, the next turn goes on
            log.exception("slack_turn_failed")

    async def _on_message(self, body: dict[str, Any]) -> BoltResponse:
        """A DM's turn runs before Slack gets its answer. When the database could not store
        it, Slack gets a 503 (HTTP) or no acknowledgement (Socket Mode), and delivers the
        event again; the replies are sent after the answer."""
        inbound = translate.from_dm_message(body["event"], body.get("event_id"))
        if inbound is None:  # messages in channels are ignored and never stored
            return _ack()
        outcome = await self.core.handle(inbound)
        if outcome.unavailable:
            if self._apologies.first(inbound.dedupe_key):  # once, not at every retry
                self._in_background(self._deliver(inbound.chat_id, outcome.replies, None))
            return BoltResponse(status=503, body="")
        self._apologies.forget(inbound.dedupe_key)
        if not outcome.duplicate:
            await self._after_ack(self._answer(inbound.chat_id, outcome))
        return _ack()

    async def _on_button(self, body: dict[str, Any]) -> BoltResponse:
        """A question's button: Slack has its answer at once, the turn follows."""
        await self._after_ack(self._button_turn(body))
        return _ack()

    async def _button_turn(self, body: dict[str, Any]) -> None:
        user = str((body.get("user") or {}).get("id"))
        channel = (body.get("channel") or {}).get("id") or await self._dm_channel(user)
        message_ts = (body.get("message") or {}).get("ts")
        await self._turn(translate.from_button(body, channel), message_ts)

    async def _on_command(self, ack: Any, body: dict[str, Any], respond: Any) -> None:
        await ack()
        user = str(body.get("user_id"))
        text = body.get("text") or ""
        trigger = str(body.get("trigger_id"))
        found = translate.subcommand(text)
        if found is None:
            await respond(text=render.command_help(self.t), response_type="ephemeral")
            return
        command, argument = found
        if command.name is Name.FORM:
            await self._open_form(user, trigger)
            return
        if command.name is Name.ANONYMOUS:
            # Anonymous reports use the form: the text never stays in the DM's history.
            await self._open_form(user, trigger, anonymous=True)
            return
        if command.name is Name.STATUS and argument:
            await self._status_by_code(user, argument, respond)
            return
        dm = await self._dm_channel(user)
        if body.get("channel_id") != dm:
            await respond(text=self.t("slack.moved_to_dm"), response_type="ephemeral")
        typed = translate.slash(command, argument)
        await self._turn(translate.command(user, dm, typed, body.get("user_name")))

    async def _status_by_code(self, user: str, code: str, respond: Any) -> None:
        """Shown only to the person (ephemeral), with a reply form: nothing in the DM."""
        text = await self.core.status_by_code(f"{PLATFORM}:{user}", code)
        if text is None:
            await respond(text=self.t("status.unknown_code"), response_type="ephemeral")
            return
        blocks = [
            *render.blocks(Outbound(f"{text}\n\n{self.t('slack.status_hint')}")),
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "action_id": render.REPLY_BUTTON,
                        "value": code,
                        "text": {"type": "plain_text", "text": self.t("slack.reply")},
                    }
                ],
            },
        ]
        await respond(
            text=render.fallback_text(Outbound(text)), blocks=blocks, response_type="ephemeral"
        )

    async def _on_reply_button(self, ack: Any, body: dict[str, Any]) -> None:
        await ack()
        code = str((body.get("actions") or [{}])[0].get("value") or "")
        await self.client.views_open(
            trigger_id=str(body.get("trigger_id")), view=render.reply_view(self.t, code)
        )

    async def _on_reply_form(self, ack: Any, body: dict[str, Any], view: dict[str, Any]) -> None:
        raw = translate.form_values(view.get("state") or {})
        user = str((body.get("user") or {}).get("id"))
        outcome = await self.core.reply_by_code(
            f"{PLATFORM}:{user}",
            str(view.get("private_metadata") or ""),
            str(raw.get("text") or ""),
        )
        if outcome is None:
            await ack(response_action="errors", errors={"text": self.t("status.unknown_code")})
            return
        await ack(
            response_action="update",
            view=render.info_view(
                self.t("slack.sent_title"), outcome.replies[0].text, self.t("summary.cancel")
            ),
        )
        if outcome.notifications and self.on_queued is not None:
            self.on_queued()

    async def _on_mention(self, event: dict[str, Any]) -> None:
        """Mentioned in a channel: point to the DM, privately; store nothing."""
        channel, user = event.get("channel"), event.get("user")
        if channel and user:
            await self.client.chat_postEphemeral(
                channel=channel, user=user, text=self.t("slack.channel_hint")
            )

    # ---- App Home and the form ----------------------------------------------------------

    async def _on_home_opened(self, event: dict[str, Any]) -> None:
        if event.get("tab") != "home":
            return
        user = str(event.get("user"))
        own = await self.core.status_of(f"{PLATFORM}:{user}")
        await self.client.views_publish(user_id=user, view=render.home_view(self.t, own))

    async def _on_home_button(self, ack: Any, body: dict[str, Any]) -> None:
        await ack()
        user = str((body.get("user") or {}).get("id"))
        action = (body.get("actions") or [{}])[0].get("action_id")
        if action == render.HOME_FORM:
            await self._open_form(user, str(body.get("trigger_id")))
            return
        if action == render.HOME_ANONYMOUS:
            await self._open_form(user, str(body.get("trigger_id")), anonymous=True)
            return
        dm = await self._dm_channel(user)
        await self._turn(translate.command(user, dm, translate.slash(BY_NAME[Name.REPORT])))

    async def _open_form(self, user: str, trigger_id: str, anonymous: bool = False) -> None:
        form = await self.core.form_context(f"{PLATFORM}:{user}")
        await self.client.views_open(
            trigger_id=trigger_id, view=render.form_view(form.flow, form.view, anonymous)
        )

    async def _on_form(self, ack: Any, body: dict[str, Any], view: dict[str, Any]) -> None:
        raw = translate.form_values(view.get("state") or {})
        anonymous = raw.pop(render.ANONYMOUS_BLOCK, None) == ["yes"]
        user = body.get("user") or {}
        user_id = str(user.get("id"))
        person = Inbound(
            platform=PLATFORM,
            chat_id=user_id,
            user_id=user_id,
            kind=InboundKind.TEXT,
            user_name=user.get("name"),
        )
        errors, outcome = await self.core.submit_form(person, raw, anonymous)
        if errors:
            await ack(response_action="errors", errors=errors)
            return
        if anonymous:
            # The confirmation and the code are shown in the form itself, never in the DM.
            text = "\n\n".join(reply.text for reply in outcome.replies)
            await ack(
                response_action="update",
                view=render.info_view(self.t("slack.sent_title"), text, self.t("summary.cancel")),
            )
            if outcome.notifications and self.on_queued is not None:
                self.on_queued()
            return
        await ack()
        dm = await self._dm_channel(user_id)
        await self._deliver(dm, outcome.replies, None)
        if outcome.notifications and self.on_queued is not None:
            self.on_queued()
