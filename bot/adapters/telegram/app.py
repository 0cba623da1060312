"""Wiring of the Telegram adapter: the PTB Application, polling or webhook, and delivery."""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import warnings
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta

import structlog
from aiohttp import web
from telegram import BotCommand, Update
from telegram.error import (
    BadRequest,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
)
from telegram.ext import Application, ApplicationBuilder

from bot.adapters.buttons import button_data
from bot.adapters.delivery import Apologies, deliver_in_order
from bot.adapters.telegram.api import BotApi
from bot.adapters.telegram.render import button, render
from bot.adapters.telegram.translate import PLATFORM, Json, message_of, translate, user_of
from bot.adapters.telegram.transport import AiohttpRequest
from bot.clock import Clock, SystemClock
from bot.commands import MENU, Name
from bot.config import Config, ConfigError
from bot.core import Core
from bot.events import Outbound
from bot.http_server import HttpServer
from bot.i18n import LANGUAGES, Translator
from bot.outbox import PermanentFailure, TemporaryFailure
from bot.retry import Backoff, Sleep, StartupError, retry

log = structlog.get_logger("vimbot.telegram")

ALLOWED_UPDATES = ["message", "callback_query"]
WEBHOOK_PATH = "/telegram/webhook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
GROUP_REPLY_EVERY = timedelta(minutes=10)
WIPE_TOKEN = "wipe"
MAX_CONCURRENT_UPDATES = 64
WIPE_LIMIT = 300
# Pauses before fetching again after getUpdates failed, or after a turn the database could
# not store (then the same update comes again): from half a second up to a minute, forever.
POLL_BACKOFF = Backoff(first=0.5, longest=60.0, total=float("inf"))


def _seconds(value: int | float | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def classify(error: TelegramError) -> TemporaryFailure | PermanentFailure:
    """Whether a failed call is worth retrying (network, 5xx, 429) or not (blocked, bad chat)."""
    if isinstance(error, RetryAfter):
        with warnings.catch_warnings():  # PTB 22 warns that int becomes timedelta; we take both
            warnings.simplefilter("ignore")
            wait = _seconds(error.retry_after)
        return TemporaryFailure("rate limited", retry_after=wait)
    if isinstance(error, Forbidden | BadRequest):  # BadRequest is a NetworkError: check first
        return PermanentFailure(error.message)
    if isinstance(error, NetworkError):
        return TemporaryFailure(error.message)
    return PermanentFailure(error.message)


def _unreachable(error: BaseException) -> str | None:
    """Why Telegram could not be reached, when trying again may help (network, 5xx, 429)."""
    if isinstance(error, TelegramError) and isinstance(classify(error), TemporaryFailure):
        return error.message
    return None


def _chat_id(recipient: str) -> int | str:
    return int(recipient) if recipient.lstrip("-").isdigit() else recipient


class TelegramSender:
    """Delivers outbox messages (notifications) to ``telegram:<chat id>`` addresses."""

    def __init__(self, application: Application) -> None:
        self.application = application
        self.api = BotApi(application.bot)

    async def send(self, recipient: str, message: Outbound) -> None:
        try:
            for part in render(message):
                await self.api.send_message(recipient, part)
            if message.attachment is not None:  # made at send time, sent from memory
                name, data = message.attachment
                await self.application.bot.send_document(
                    chat_id=_chat_id(recipient), document=data, filename=name
                )
        except TelegramError as error:
            raise classify(error) from error


class TelegramAdapter:
    def __init__(
        self,
        config: Config,
        core: Core,
        http: HttpServer | None = None,
        on_queued: Callable[[], None] | None = None,
        sleep: Sleep = asyncio.sleep,
        clock: Clock | None = None,  # paces the pointers to the private chat in groups
    ) -> None:
        settings = config.telegram
        assert settings.token, "checked by the configuration"
        self.config = config
        self.core = core
        self.clock = clock or SystemClock()
        self.http = http
        self.on_queued = on_queued
        self.sleep = sleep
        self.webhook = settings.mode == "webhook"
        self._polling = AiohttpRequest(pool_size=1)
        builder = (
            ApplicationBuilder()
            .token(settings.token)
            # Chats in parallel (the core keeps each chat in order), but bounded: with
            # thousands of updates in flight the connection pool spends its time queueing.
            .concurrent_updates(MAX_CONCURRENT_UPDATES)
            # Bot API calls over aiohttp rather than httpx: less CPU per call (transport.py).
            .request(AiohttpRequest(pool_size=MAX_CONCURRENT_UPDATES * 2))
            .get_updates_request(self._polling)
            .job_queue(None)
        )
        if settings.base_url:
            builder = builder.base_url(settings.base_url).base_file_url(settings.base_url)
        # Updates are fetched (polling) or received (webhook) here, not by PTB's Updater and
        # update queue: an update is confirmed to Telegram only once its turn is stored.
        builder = builder.updater(None)
        self.application: Application = builder.build()
        if self.webhook:
            if http is None:
                raise RuntimeError("webhook mode needs the bot's HTTP server")
            http.add_post(WEBHOOK_PATH, self._on_webhook)  # before the server starts
        self.sender = TelegramSender(self.application)
        self.api = self.sender.api
        self._group_replied: dict[int, datetime] = {}
        self._seen: dict[str, deque[int]] = {}
        self.username: str | None = None
        self._apologies = Apologies()
        self._offset = 0  # the first update not yet stored (polling)
        self._poller: asyncio.Task[None] | None = None
        self._batch: asyncio.Future[bool] | None = None

    # ---- life cycle -------------------------------------------------------------------

    async def start(self) -> None:
        """Connect (getMe, the command menu), retrying while Telegram can't be reached: a
        network blip at boot does not end the bot. A token Telegram rejects ends it at once."""
        app = self.application
        settings = self.config.telegram
        await self._retry(self._connect)
        await app.start()
        if self.webhook:
            await self._retry(
                lambda: app.bot.set_webhook(
                    url=str(settings.webhook_url),
                    secret_token=settings.webhook_secret,
                    allowed_updates=ALLOWED_UPDATES,
                )
            )
        else:
            await self._retry(lambda: app.bot.delete_webhook())  # polling needs no webhook
            self._poller = asyncio.create_task(self._poll(), name="telegram-polling")
        log.info("telegram_started", mode=settings.mode, username=self.username)

    async def _connect(self) -> None:
        try:
            await self.application.initialize()  # getMe
        except InvalidToken as error:
            raise ConfigError(
                "Telegram rejected the token: check [telegram] token or VIMBOT_TELEGRAM_TOKEN"
            ) from error
        self.username = self.application.bot.username
        await self._register_commands()

    async def _retry(self, action: Callable[[], Awaitable[object]]) -> None:
        try:
            await retry(
                action,
                _unreachable,
                log=log,
                event="telegram_unreachable_retrying",
                sleep=self.sleep,
            )
        except TelegramError as error:
            if _unreachable(error) is None:
                raise
            where = self.config.telegram.base_url or "api.telegram.org"
            raise StartupError(
                f"could not reach Telegram at {where} ({error.message}): check the network "
                "connection (DNS, proxy, firewall) of this machine"
            ) from error

    async def stop(self) -> None:
        app = self.application
        if self._poller is not None:
            self._poller.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._poller
            self._poller = None
            if self._batch is not None:
                await self._batch  # the turns in progress are finished and stored
            if self._offset:  # confirm what was stored, so a restart does not fetch it again
                with contextlib.suppress(TelegramError):
                    await self._get_updates(wait=0)
        if app.running:
            await app.stop()
        await app.shutdown()

    # ---- polling --------------------------------------------------------------------------

    async def _poll(self) -> None:
        """Long-poll getUpdates, confirming an update only once its turn is stored.

        PTB's Updater moves the offset past a batch as soon as it is queued, before it is
        handled: an update whose turn then fails on the database would be gone. Here a batch
        is handled first and the offset moves past the updates that were stored, up to the
        first that was not. After a pause (backoff) Telegram serves that one again, with the
        ones after it (those already stored are skipped by processed_updates). Nothing is
        lost while the database is down, also not when the process stops in the meantime.
        """
        pauses = POLL_BACKOFF.pauses()
        while True:
            try:
                updates = await self._get_updates(self.config.telegram.poll_timeout)
            except TelegramError as error:
                pause = next(pauses)
                log.warning("telegram_poll_failed", reason=error.message, retry_in_seconds=pause)
                await self.sleep(pause)
                continue
            if not updates:
                continue
            self._batch = asyncio.ensure_future(self._handle_batch(updates))
            if await asyncio.shield(self._batch):
                pauses = POLL_BACKOFF.pauses()
                continue
            pause = next(pauses)
            log.warning("telegram_update_kept_for_retry", retry_in_seconds=pause)
            await self.sleep(pause)

    async def _get_updates(self, wait: float) -> list[Json]:
        read_timeout = self._polling.read_timeout or 0
        return await self.api.get_updates(
            self._offset, wait, ALLOWED_UPDATES, read_timeout=read_timeout
        )

    async def _handle_batch(self, updates: Sequence[Json]) -> bool:
        """Handle the updates (chats in parallel; the core keeps each chat in order) and
        move the offset past those stored. True when all were."""
        stored = await asyncio.gather(*(self._handle(update) for update in updates))
        for update, done in zip(updates, stored, strict=True):
            if not done:
                return False
            self._offset = update["update_id"] + 1
        return True

    async def _register_commands(self) -> None:
        for language in (*LANGUAGES, None):
            t = Translator(language or self.config.organisation.language)
            commands = [BotCommand(c.name.value, t(c.description)) for c in MENU]
            await self.application.bot.set_my_commands(commands, language_code=language)

    # ---- webhook --------------------------------------------------------------------------

    async def _on_webhook(self, request: web.Request) -> web.Response:
        expected = (self.config.telegram.webhook_secret or "").encode()
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not expected or not hmac.compare_digest(given, expected):
            return web.Response(status=403, text="forbidden")
        try:
            data = await request.json()
            # valid JSON, but an update is always an object, with its number
            if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
                raise TypeError("an update is a JSON object with an update_id")
        except (json.JSONDecodeError, ValueError, TypeError):
            return web.Response(status=400, text="bad update")
        # Answered when the turn is stored; a 503 when the database could not take it, so
        # Telegram delivers the update again.
        if not await self._handle(data):
            return web.Response(status=503, text="try again")
        return web.Response(status=200, text="ok")

    # ---- updates ------------------------------------------------------------------------

    async def _handle(self, update: Json) -> bool:
        """One update, to the end. False only when the database could not store its turn."""
        try:
            return await self._on_update(update)
        except Exception as error:  # a bug: logged; the update is not asked for again
            log.error("telegram_handler_error", error=type(error).__name__)
            return True

    async def _on_update(self, update: Json) -> bool:
        query = update.get("callback_query")
        if query is None:
            return await self._process(update, None)
        # Stop the phone's spinner while the turn runs, not before it: the reply comes one
        # round trip to Telegram sooner.
        answering = asyncio.create_task(self._answer(query["id"]))
        try:
            return await self._process(update, query)
        finally:
            await answering

    async def _answer(self, query_id: str) -> None:
        with contextlib.suppress(TelegramError):
            await self.api.answer_callback_query(query_id)

    async def _process(self, update: Json, query: Json | None) -> bool:
        if query is not None and (query.get("data") or "").startswith(WIPE_TOKEN):
            await self._wipe(update)
            return True
        event = translate(update, self.application.bot.id)
        if event is None:
            return True
        if not event.is_private:
            await self._answer_group(Update.de_json(update, self.application.bot))
            return True
        # the message the person sent, or the question whose button they pressed
        message_id: int = (message_of(update) or {})["message_id"]
        if query is None:
            self._remember(event.chat_id, message_id)
        outcome = await self.core.handle(event)
        if outcome.unavailable:
            if self._apologies.first(event.dedupe_key):  # once, not at every redelivery
                for reply in outcome.replies:
                    await self._reply(event.chat_id, reply, None)
            return False
        self._apologies.forget(event.dedupe_key)
        if outcome.duplicate:
            return True
        queued = await deliver_in_order(
            self.core,
            f"{PLATFORM}:{event.chat_id}",
            outcome.replies,
            lambda reply: self._reply(event.chat_id, reply, message_id if query else None),
        )
        if self.on_queued is not None and (outcome.notifications or queued):
            self.on_queued()
        if outcome.anonymous:
            await self._offer_wipe(event.chat_id, event.language)
        elif outcome.reference:
            self._seen.pop(event.chat_id, None)
        return True

    # ---- wiping the conversation after an anonymous report -----------------------------

    def _remember(self, chat_id: str, message_id: int) -> None:
        """Message ids of the conversation, in memory only, to wipe it when asked."""
        self._seen.setdefault(chat_id, deque(maxlen=WIPE_LIMIT)).append(message_id)

    async def _offer_wipe(self, chat_id: str, language: str | None) -> None:
        t = Translator(language or self.config.organisation.language)
        wipe = button(t("telegram.wipe"), button_data(WIPE_TOKEN, "yes"))
        offer = {"text": t("telegram.wipe_offer"), "reply_markup": {"inline_keyboard": [[wipe]]}}
        with contextlib.suppress(TelegramError):
            await self.api.send_message(chat_id, offer)

    async def _wipe(self, update: Json) -> None:
        message = message_of(update)
        if message is None:
            return
        chat_id = message["chat"]["id"]
        ids = [*self._seen.pop(str(chat_id), ()), message["message_id"]]
        bot = self.application.bot
        for start in range(0, len(ids), 100):  # Telegram deletes at most 100 at once
            with contextlib.suppress(TelegramError):
                await bot.delete_messages(chat_id=chat_id, message_ids=ids[start : start + 100])
        user = user_of(update) or {}
        t = Translator(user.get("language_code") or self.config.organisation.language)
        with contextlib.suppress(TelegramError):
            await self.api.send_message(str(chat_id), {"text": t("telegram.wiped")})

    async def _reply(self, chat_id: str, reply: Outbound, tapped: int | None) -> timedelta | None:
        """Send a reply, or edit the question whose button was ``tapped`` into it. None when
        delivered; else how long to wait before a retry."""
        try:
            if reply.edit and tapped is not None:
                part = render(reply)[-1]
                try:
                    await self.api.edit_message_text(chat_id, tapped, part)
                    return None
                except BadRequest as error:
                    if "not modified" in error.message.lower():
                        return None
                    # the message can't be edited (too old): send the question anew below
            for part in render(reply):
                self._remember(chat_id, await self.api.send_message(chat_id, part))
        except TelegramError as error:
            failure = classify(error)
            if isinstance(failure, TemporaryFailure):
                return timedelta(seconds=failure.retry_after or 0)
            log.warning("telegram_reply_undeliverable", reason=failure.args[0])
        return None

    async def _answer_group(self, update: Update) -> None:
        """Reports are made in private: in a group the bot only points there, and stores nothing."""
        message = update.effective_message
        chat = update.effective_chat
        if message is None or chat is None or update.callback_query is not None:
            return
        text = message.text or ""
        addressed = text.startswith("/") or (self.username and f"@{self.username}" in text)
        now = self.clock.now()
        last = self._group_replied.get(chat.id)
        if not addressed or (last is not None and now - last < GROUP_REPLY_EVERY):
            return
        self._group_replied[chat.id] = now
        user = update.effective_user
        t = Translator((user.language_code if user else None) or self.config.organisation.language)
        link = f"https://t.me/{self.username}?start={Name.REPORT.value}"
        try:
            await message.reply_text(t("group.private_only", link=link))
        except TelegramError as error:
            log.warning("telegram_group_reply_failed", reason=error.message)
