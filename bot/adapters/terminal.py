"""The terminal adapter (``vimbot shell``): the report conversation on standard input/output.

One answer per line, so a whole conversation can be scripted with a pipe. Options are
printed as ``[1] label``; an answer may be the number (several numbers, comma- or
space-separated, for a multi-choice) or the label. When several messages with buttons come at
once (queued notifications), their buttons are numbered on across them, so that each number
belongs to one message (one report) only. Messages to anyone else are printed as
``→ ADDRESS: text``. A queued message that carries a document (the committee's quarterly,
the board's half-yearly digest) is printed the same way, followed by the path of its PDF,
made when it is read, in a directory only this person can read (``--out`` or a new
temporary one). A session without a draft opens with the welcome (its buttons), so a
command such as ``/status CODE`` can come first. End of input ends the session; a draft stays
stored (the terminal says so), and starting the shell again resumes it.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import sys
import tempfile
import threading
from collections.abc import Awaitable, Callable, Iterable, Mapping
from pathlib import Path
from typing import TextIO

import structlog

from bot.core import Core
from bot.events import Inbound, InboundKind, Outbound
from bot.flows.engine import DONE
from bot.i18n import Translator

PLATFORM = "shell"
log = structlog.get_logger(__name__)
# Makes a document instruction ("quarterly/2026-Q3") into (file name, bytes).
RenderDocument = Callable[[str], Awaitable[tuple[str, bytes]]]
_NUMBERS = re.compile(r"^\s*\d+(?:\s*[, ]\s*\d+)*\s*$")


def translate(
    line: str,
    user_id: str,
    last: Outbound | None,
    name: str | None = None,
    language: str | None = None,
    numbered: Mapping[int, tuple[str | None, str]] | None = None,
) -> Inbound:
    """A typed line → a neutral event. Numbers pick options of the last question shown, or,
    after several messages with buttons at once, the button with that number (``numbered``:
    number → the message's token and the option's value)."""
    text = line.rstrip("\r\n")
    kind, token = InboundKind.TEXT, None
    choices: tuple[str, ...] = ()
    if numbered and text.strip().isdigit() and int(text) in numbered:
        token, value = numbered[int(text)]
        kind, choices, text = InboundKind.CHOICE, (value,), ""
    elif last is not None and last.options and _NUMBERS.match(text):
        numbers = [int(n) for n in re.split(r"[,\s]+", text.strip()) if n]
        values = _values(last)
        if all(1 <= n <= len(values) for n in numbers) and (last.multi or len(numbers) == 1):
            kind, token = InboundKind.CHOICE, last.token
            choices = tuple(values[n - 1] for n in numbers)
            text = ""
    if kind is InboundKind.TEXT and text.startswith("/"):
        kind = InboundKind.COMMAND
    return Inbound(
        platform=PLATFORM,
        chat_id=user_id,
        user_id=user_id,
        kind=kind,
        text=text,
        choices=choices,
        token=token,
        user_name=name,
        language=language,
    )


def _values(message: Outbound) -> list[str]:
    values = [o.value for o in message.options]
    if message.multi:
        values.append(DONE)
    return values


def render(message: Outbound, start: int = 1) -> str:
    """A message as the terminal shows it, its options numbered from ``start``."""
    lines = [message.text] if message.text else []
    for number, option in enumerate(message.options, start=start):
        mark = " ✓" if message.multi and option.selected else ""
        lines.append(f"[{number}] {option.label}{mark}")
    if message.multi and message.done_label:
        lines.append(f"[{start + len(message.options)}] {message.done_label}")
    return "\n".join(lines)


def render_notification(message: Outbound) -> str:
    first, *rest = (message.text or "").split("\n")
    return "\n".join([f"→ {message.address}: {first}", *(f"  {line}" for line in rest)])


class TerminalAdapter:
    """Reads lines, hands them to the core, prints what comes back."""

    def __init__(
        self,
        core: Core,
        user_id: str,
        name: str | None = None,
        language: str | None = None,
        stdin: TextIO | None = None,
        stdout: TextIO | None = None,
        render_document: RenderDocument | None = None,
        out_dir: Path | None = None,
    ) -> None:
        self.core = core
        self.user_id = user_id
        self.name = name
        self.language = language
        self.stdin = stdin or sys.stdin
        self.stdout = stdout or sys.stdout
        self.last_question: Outbound | None = None
        # After several messages with buttons at once: number → (token, option value).
        self.numbered: dict[int, tuple[str | None, str]] = {}
        self.render_document = render_document
        self.out_dir = out_dir

    @property
    def address(self) -> str:
        return f"{PLATFORM}:{self.user_id}"

    def _print(self, text: str) -> None:
        self.stdout.write(text + "\n\n")
        self.stdout.flush()

    async def _document(self, message: Outbound) -> Path | None:
        """The message's document, made now and written where only this person reads it;
        ``None`` when it can't be made (the text is shown all the same)."""
        if message.document is None or self.render_document is None:
            return None
        try:
            name, data = await self.render_document(message.document)
            return await asyncio.to_thread(self._write, Path(name).name, data)
        except Exception:
            log.warning("shell_document_not_made", exc_info=True)
            return None

    def _write(self, name: str, data: bytes) -> Path:
        if self.out_dir is None:  # mkdtemp: a new directory, readable by its owner only
            self.out_dir = Path(tempfile.mkdtemp(prefix="vimbot-"))
        self.out_dir.mkdir(parents=True, exist_ok=True)
        path = self.out_dir / name
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as file:
            file.write(data)
        return path.resolve()

    async def _show_inbox(self, inbox: list[Outbound]) -> None:
        """Queued messages: a document's message as ``→ ADDRESS: text`` plus its path."""
        language = self.language or self.core.language
        t = Translator(language)
        self._print(t("shell.inbox"))
        self._show([m for m in inbox if m.document is None])
        for message in inbox:
            if message.document is None:
                continue
            path = await self._document(message)
            text = render_notification(message)
            if path is not None:
                text += "\n  " + t("shell.document", path=str(path))
            self._print(text)

    def _show(self, replies: Iterable[Outbound]) -> None:
        replies = list(replies)
        asking = [reply for reply in replies if reply.options]
        if asking:
            self.numbered = {}
        on = len(asking) > 1 and not any(reply.multi for reply in asking)
        number = 1
        for reply in replies:
            self._print(render(reply, start=number if on else 1))
            if reply.options:
                self.last_question = reply
            if on:
                for option in reply.options:
                    self.numbered[number] = (reply.token, option.value)
                    number += 1

    async def _read_line(self) -> str:
        """One line from standard input without blocking the event loop ("" at the end).

        The read runs in a daemon thread, so Ctrl-C or SIGTERM never waits for a line.
        """
        if self.stdin.isatty():
            self.stdout.write("> ")
            self.stdout.flush()
        loop = asyncio.get_running_loop()
        future: asyncio.Future[str] = loop.create_future()
        read: Callable[[], str] = self.stdin.readline

        def deliver(line: str) -> None:
            if not future.done():
                future.set_result(line)

        def reader() -> None:
            line = read()
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
                loop.call_soon_threadsafe(deliver, line)

        threading.Thread(target=reader, name="terminal-input", daemon=True).start()
        return await future

    async def run(self) -> None:
        inbox = await self.core.inbox(self.address)
        if inbox:
            await self._show_inbox(inbox)
        resumed = await self.core.resume(PLATFORM, self.user_id, self.address)
        if resumed:
            self._show(resumed)
        elif not inbox:  # the welcome: report, or first type a command such as /status CODE
            self._show(await self.core.welcome(self.address, self.language))
        while True:
            line = await self._read_line()
            if line == "":
                break  # end of input: the draft stays stored
            if not line.strip():
                continue
            await self._send(line)
        if await self.core.resume(PLATFORM, self.user_id, self.address):
            language = self.language or self.core.language
            self._print(Translator(language)("shell.draft_kept"))

    async def _send(self, line: str) -> None:
        event = translate(
            line, self.user_id, self.last_question, self.name, self.language, self.numbered
        )
        outcome = await self.core.handle(event)
        self._show(outcome.replies)
        for message in outcome.notifications:
            self._print(render_notification(message))
