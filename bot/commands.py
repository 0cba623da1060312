"""Every command word in one registry, Dutch and English.

The turn's router reads it to know what a person asked for; the Telegram adapter registers
the menu commands with ``setMyCommands``; the Slack adapter reads it for ``/vim <word>``.
No adapter hard-codes a command word.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum


class Name(StrEnum):
    REPORT = "melden"
    ANONYMOUS = "anoniem"
    STATUS = "status"
    HELP = "help"
    STOP = "stop"
    OPEN = "open"  # handlers: open reports and what is due
    SHOW = "melding"  # handlers: one report (with a reference; without one, a new report)
    ACTIONS = "acties"  # handlers: open improvement actions
    FORM = "formulier"  # Slack: the report as one form
    EVALUATION = "evaluatie"  # the board: its half-yearly evaluation (§10)
    POLICY_REVIEW = "beleid"  # the board: its yearly policy review (§16)
    LANGUAGE = "taal"  # ``/taal en|nl``: the person's language, stored on them
    PROCEDURE = "procedure"  # the organisation's VIM procedure, in the chat


@dataclass(frozen=True, slots=True)
class Command:
    name: Name
    words: frozenset[str]  # what a person may type for it (after a slash, or alone)
    menu: bool = False  # in the messenger's command menu and the help
    needs_argument: bool = False  # without an argument it means ``instead``
    instead: Name | None = None

    @property
    def description(self) -> str:
        """The message key of the menu text."""
        return f"command.{self.name.value}"


COMMANDS: tuple[Command, ...] = (
    Command(Name.REPORT, frozenset({"melden", "start", "nieuw", "report", "new"}), menu=True),
    Command(Name.ANONYMOUS, frozenset({"anoniem", "anonymous"}), menu=True),
    Command(Name.STATUS, frozenset({"status"}), menu=True),
    Command(Name.HELP, frozenset({"help", "hulp", "?"}), menu=True),
    Command(
        Name.STOP,
        frozenset({"stop", "stoppen", "annuleer", "annuleren", "cancel", "quit"}),
        menu=True,
    ),
    Command(Name.OPEN, frozenset({"open"})),
    Command(Name.SHOW, frozenset({"melding"}), needs_argument=True, instead=Name.REPORT),
    Command(Name.ACTIONS, frozenset({"acties", "actions"})),
    Command(Name.FORM, frozenset({"formulier", "form"})),
    Command(Name.EVALUATION, frozenset({"evaluatie", "evaluation"})),
    Command(Name.POLICY_REVIEW, frozenset({"beleid", "beleidsevaluatie", "policy"})),
    Command(Name.LANGUAGE, frozenset({"taal", "language"})),
    Command(Name.PROCEDURE, frozenset({"procedure", "werkwijze"})),
)

_BY_WORD: Mapping[str, Command] = {word: c for c in COMMANDS for word in c.words}
BY_NAME: Mapping[Name, Command] = {c.name: c for c in COMMANDS}
MENU: tuple[Command, ...] = tuple(c for c in COMMANDS if c.menu)
CASE_COMMANDS = frozenset({Name.OPEN, Name.SHOW, Name.ACTIONS, Name.EVALUATION, Name.POLICY_REVIEW})
# Commands that answer and leave a conversation where it was: typed in the middle of a draft,
# they are answered, and the open question is asked again.
ANYTIME = CASE_COMMANDS | {Name.STATUS, Name.LANGUAGE, Name.PROCEDURE}


def find(word: str, argument: str = "") -> Command | None:
    """The command a (folded) word names, given whether an argument follows."""
    command = _BY_WORD.get(word)
    if command is not None and command.needs_argument and not argument and command.instead:
        return BY_NAME[command.instead]
    return command
