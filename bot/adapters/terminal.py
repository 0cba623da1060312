"""The terminal adapter (``vimbot shell``): the report conversation on standard input/output.

One answer per line, so a whole conversation can be scripted with a pipe. Options are
printed as ``[1] label``; an answer may be the number (several numbers, comma- or
space-separated, for a multi-choice) or the label. Messages to anyone else are printed as
``→ ADDRESS: text``. End of input ends the session; the draft stays stored, and starting
the shell again resumes it.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import sys
import threading
from collections.abc import Callable, Iterable
from typing import TextIO

from bot.commands import Name
from bot.core import Core
from bot.events import Inbound, InboundKind, Outbound
from bot.flows.engine import DONE
from bot.i18n import Translator

PLATFORM = "shell"
_NUMBERS = re.compile(r"^\s*\d+(?:\s*[, ]\s*\d+)*\s*$")


def translate(
    line: str,
    user_id: str,
    last: Outbound | None,
    name: str | None = None,
    language: str | None = None,
) -> Inbound:
    """A typed line → a neutral event. Numbers pick options of the last question shown."""
    text = line.rstrip("\r\n")
    kind, token = InboundKind.TEXT, None
    choices: tuple[str, ...] = ()
    if last is not None and last.options and _NUMBERS.match(text):
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


def render(message: Outbound) -> str:
    """A message as the terminal shows it."""
    lines = [message.text] if message.text else []
    for number, option in enumerate(message.options, start=1):
        mark = " ✓" if message.multi and option.selected else ""
        lines.append(f"[{number}] {option.label}{mark}")
    if message.multi and message.done_label:
        lines.append(f"[{len(message.options) + 1}] {message.done_label}")
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
    ) -> None:
        self.core = core
        self.user_id = user_id
        self.name = name
        self.language = language
        self.stdin = stdin or sys.stdin
        self.stdout = stdout or sys.stdout
        self.last_question: Outbound | None = None

    @property
    def address(self) -> str:
        return f"{PLATFORM}:{self.user_id}"

    def _print(self, text: str) -> None:
        self.stdout.write(text + "\n\n")
        self.stdout.flush()

    def _show(self, replies: Iterable[Outbound]) -> None:
        for reply in replies:
            self._print(render(reply))
            if reply.options:
                self.last_question = reply

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
            language = self.language or self.core.language
            self._print(Translator(language)("shell.inbox"))
            self._show(inbox)
        resumed = await self.core.resume(PLATFORM, self.user_id, self.address)
        if resumed:
            self._show(resumed)
        elif not inbox:  # nothing waiting for them: they came to report
            await self._send(f"/{Name.REPORT.value}")
        while True:
            line = await self._read_line()
            if line == "":
                break  # end of input: the draft stays stored
            if not line.strip():
                continue
            await self._send(line)

    async def _send(self, line: str) -> None:
        event = translate(line, self.user_id, self.last_question, self.name, self.language)
        outcome = await self.core.handle(event)
        self._show(outcome.replies)
        for message in outcome.notifications:
            self._print(render_notification(message))
