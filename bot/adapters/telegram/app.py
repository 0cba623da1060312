"""Wiring of the Telegram adapter: the PTB Application, polling or webhook, and delivery."""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import warnings
from collections import deque
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

import structlog
from aiohttp import web
from telegram import (
    BotCommand,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Update,
)
from telegram.error import (
    BadRequest,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
)
from telegram.ext import Application, ApplicationBuilder, ContextTypes, TypeHandler

from bot.adapters.delivery import deliver_in_order
from bot.adapters.telegram.render import render
from bot.adapters.telegram.translate import PLATFORM, translate
from bot.adapters.telegram.transport import AiohttpRequest
from bot.config import Config, ConfigError
from bot.events import Outbound
from bot.http_server import HttpServer
from bot.i18n import LANGUAGES, Translator
from bot.outbox import PermanentFailure, TemporaryFailure
from bot.retry import Sleep, StartupError, retry
from bot.service import ReportService

log = structlog.get_logger("vimbot.telegram")

COMMANDS = ("melden", "anoniem", "status", "help", "stop")
ALLOWED_UPDATES = ["message", "callback_query"]
WEBHOOK_PATH = "/telegram/webhook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
GROUP_REPLY_EVERY = timedelta(minutes=10)
WIPE_TOKEN = "wipe"
MAX_CONCURRENT_UPDATES = 64
WIPE_LIMIT = 300


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

    async def send(self, recipient: str, message: Outbound) -> None:
        try:
            for part in render(message):
                await self.application.bot.send_message(chat_id=_chat_id(recipient), **part)
        except TelegramError as error:
            raise classify(error) from error


class TelegramAdapter:
    def __init__(
        self,
        config: Config,
        service: ReportService,
        http: HttpServer | None = None,
        on_queued: Callable[[], None] | None = None,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        settings = config.telegram
        assert settings.token, "checked by the configuration"
        self.config = config
        self.service = service
        self.http = http
        self.on_queued = on_queued
        self.sleep = sleep
        self.webhook = settings.mode == "webhook"
        builder = (
            ApplicationBuilder()
            .token(settings.token)
            # Chats in parallel (the service keeps each chat in order), but bounded: with
            # thousands of updates in flight the connection pool spends its time queueing.
            .concurrent_updates(MAX_CONCURRENT_UPDATES)
            # Bot API calls over aiohttp rather than httpx: less CPU per call (transport.py).
            .request(AiohttpRequest(pool_size=MAX_CONCURRENT_UPDATES * 2))
            .get_updates_request(AiohttpRequest(pool_size=1))
            .job_queue(None)
        )
        if settings.base_url:
            builder = builder.base_url(settings.base_url).base_file_url(settings.base_url)
        if self.webhook:
            builder = builder.updater(None)
        self.application: Application = builder.build()
        self.application.add_handler(TypeHandler(Update, self._on_update))
        self.application.add_error_handler(self._on_error)
        if self.webhook:
            if http is None:
                raise RuntimeError("webhook mode needs the bot's HTTP server")
            http.add_post(WEBHOOK_PATH, self._on_webhook)  # before the server starts
        self.sender = TelegramSender(self.application)
        self._group_replied: dict[int, datetime] = {}
        self._seen: dict[str, deque[int]] = {}
        self.username: str | None = None

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
            assert app.updater is not None
            await app.updater.start_polling(
                allowed_updates=ALLOWED_UPDATES, timeout=settings.poll_timeout
            )
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
        if app.updater is not None and app.updater.running:
            await app.updater.stop()
        if app.running:
            await app.stop()  # waits for the turns in progress
        await app.shutdown()

    async def _register_commands(self) -> None:
        for language in (*LANGUAGES, None):
            t = Translator(language or self.config.organisation.language)
            commands = [BotCommand(name, t(f"command.{name}")) for name in COMMANDS]
            await self.application.bot.set_my_commands(commands, language_code=language)

    # ---- webhook --------------------------------------------------------------------------

    async def _on_webhook(self, request: web.Request) -> web.Response:
        expected = (self.config.telegram.webhook_secret or "").encode()
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not expected or not hmac.compare_digest(given, expected):
            return web.Response(status=403, text="forbidden")
        try:
            data = await request.json()
            if not isinstance(data, dict):  # valid JSON, but an update is always an object
                raise TypeError("an update is a JSON object")
            update = Update.de_json(data, self.application.bot)
        except (json.JSONDecodeError, ValueError, TypeError, KeyError, AttributeError):
            return web.Response(status=400, text="bad update")
        await self.application.update_queue.put(update)
        return web.Response(status=200, text="ok")

    # ---- updates ------------------------------------------------------------------------

    async def _on_update(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        if query is None:
            await self._process(update, None)
            return
        # Stop the phone's spinner while the turn runs, not before it: the reply comes one
        # round trip to Telegram sooner.
        answering = asyncio.create_task(self._answer(query))
        try:
            await self._process(update, query)
        finally:
            await answering

    @staticmethod
    async def _answer(query: CallbackQuery) -> None:
        with contextlib.suppress(TelegramError):
            await query.answer()

    async def _process(self, update: Update, query: CallbackQuery | None) -> None:
        if query is not None and (query.data or "").startswith(WIPE_TOKEN):
            await self._wipe(update)
            return
        event = translate(update, self.application.bot.id)
        if event is None:
            return
        if event.is_private and update.message is not None:
            self._remember(event.chat_id, update.message.message_id)
        if not event.is_private:
            await self._answer_group(update)
            return
        outcome = await self.service.handle(event)
        if outcome.duplicate:
            return
        queued = await deliver_in_order(
            self.service,
            f"{PLATFORM}:{event.chat_id}",
            outcome.replies,
            lambda reply: self._reply(event.chat_id, reply, query),
        )
        if self.on_queued is not None and (outcome.notifications or queued):
            self.on_queued()
        if outcome.anonymous:
            await self._offer_wipe(event.chat_id, event.language)
        elif outcome.reference:
            self._seen.pop(event.chat_id, None)

    # ---- wiping the conversation after an anonymous report -----------------------------

    def _remember(self, chat_id: str, message_id: int) -> None:
        """Message ids of the conversation, in memory only, to wipe it when asked."""
        self._seen.setdefault(chat_id, deque(maxlen=WIPE_LIMIT)).append(message_id)

    async def _offer_wipe(self, chat_id: str, language: str | None) -> None:
        t = Translator(language or self.config.organisation.language)
        markup = InlineKeyboardMarkup(
            [[InlineKeyboardButton(t("telegram.wipe"), callback_data=f"{WIPE_TOKEN}|yes")]]
        )
        with contextlib.suppress(TelegramError):
            await self.application.bot.send_message(
                chat_id=_chat_id(chat_id), text=t("telegram.wipe_offer"), reply_markup=markup
            )

    async def _wipe(self, update: Update) -> None:
        chat = update.effective_chat
        query = update.callback_query
        if chat is None or query is None:
            return
        ids = list(self._seen.pop(str(chat.id), ()))
        if query.message is not None:
            ids.append(query.message.message_id)
        bot = self.application.bot
        for start in range(0, len(ids), 100):  # Telegram deletes at most 100 at once
            with contextlib.suppress(TelegramError):
                await bot.delete_messages(chat_id=chat.id, message_ids=ids[start : start + 100])
        user = update.effective_user
        t = Translator((user.language_code if user else None) or self.config.organisation.language)
        with contextlib.suppress(TelegramError):
            await bot.send_message(chat_id=chat.id, text=t("telegram.wiped"))

    async def _reply(
        self, chat_id: str, reply: Outbound, query: CallbackQuery | None
    ) -> timedelta | None:
        """Send (or edit) a reply. None when delivered; else how long to wait before a retry."""
        bot = self.application.bot
        try:
            if reply.edit and query is not None and query.message is not None:
                part = render(reply)[-1]
                try:
                    await bot.edit_message_text(
                        chat_id=_chat_id(chat_id), message_id=query.message.message_id, **part
                    )
                    return None
                except BadRequest as error:
                    if "not modified" in error.message.lower():
                        return None
                    # the message can't be edited (too old): send the question anew below
            for part in render(reply):
                sent = await bot.send_message(chat_id=_chat_id(chat_id), **part)
                self._remember(chat_id, sent.message_id)
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
        now = self.service.clock.now()
        last = self._group_replied.get(chat.id)
        if not addressed or (last is not None and now - last < GROUP_REPLY_EVERY):
            return
        self._group_replied[chat.id] = now
        user = update.effective_user
        t = Translator((user.language_code if user else None) or self.config.organisation.language)
        link = f"https://t.me/{self.username}?start=melden"
        try:
            await message.reply_text(t("group.private_only", link=link))
        except TelegramError as error:
            log.warning("telegram_group_reply_failed", reason=error.message)

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        error: Any = context.error
        log.error("telegram_handler_error", error=type(error).__name__)
