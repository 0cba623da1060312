"""Which handler takes a turn: an ordered registry, not an if/elif.

Each route says whether it matches the loaded turn and handles it (the idea of
python-telegram-bot's handler groups and bolt's listeners). The first route that matches
wins; the last one always does. Every route returns the one :class:`Outcome` type.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

import structlog

from bot.casework.recording import CASE_PREFIX, Press, is_case_token
from bot.casework.service import Casework
from bot.casework.words import STEP_PREFIX, steps_named
from bot.commands import ANYTIME, CASE_COMMANDS, Command, Name
from bot.conclusions import Conclusions, is_token
from bot.events import InboundKind, Outbound
from bot.flows import engine
from bot.flows.engine import Cancelled, Completed, Flow
from bot.i18n import LANGUAGES
from bot.outcome import KEEP, Outcome
from bot.reporting import Reporting
from bot.terms import worded_terms
from bot.turn import Turn

log = structlog.get_logger("vimbot.service")

Completion = Callable[[Turn, Completed], Awaitable[Outcome]]


@dataclass(frozen=True, slots=True)
class Route:
    name: str
    matches: Callable[[Turn], bool]
    handle: Callable[[Turn], Awaitable[Outcome]]


def names_start(choice: str | None, command: Command | None) -> bool:
    """A button or a command that starts a report (whether it does depends on the route)."""
    return choice in ("report", "anonymous") or (
        command is not None and command.name in (Name.REPORT, Name.ANONYMOUS)
    )


class Router:
    """The routes of a turn, in order, and what completes each flow."""

    def __init__(self, flows: dict[str, Flow], casework: Casework, reporting: Reporting) -> None:
        self.flows, self.casework, self.reporting = flows, casework, reporting
        self.conclusions = Conclusions(casework.config)
        # What a confirmed flow leads to, by the key the flow declares (``Flow.completes``).
        self.completions: dict[str, Completion] = {
            "report": self._send_report,
            "reply": reporting.reply,
            "case": self._complete_case,
            "conclusions": self._complete_conclusions,
        }
        self.routes: Sequence[Route] = (
            Route("case_button", self._is_case_button, self._case_button),
            Route("conclusions_button", self._is_conclusions_button, self.conclusions.on_button),
            Route("which_report", self._is_report_pick, self._report_pick),
            Route("unreadable", lambda turn: turn.unreadable, self._unreadable),
            Route("start_again", self._starts_again, self._resume),
            Route("anytime", self._is_anytime, self._anytime),
            Route("flow", lambda turn: turn.state is not None, self._flow),
            Route("case_command", self._is_case_command, self._case_command),
            Route("status", lambda turn: self._named(turn, Name.STATUS), self._status),
            Route("language", lambda turn: self._named(turn, Name.LANGUAGE), self._language),
            Route("procedure", lambda turn: self._named(turn, Name.PROCEDURE), self._procedure),
            Route("start", self._starts, self._start),
            Route("help", self._asks_help, self._help),
            Route("stop", lambda turn: self._named(turn, Name.STOP), self._nothing_to_stop),
            Route("case_word", self._names_case_step, self._case_word),
            Route("welcome", lambda turn: True, self._welcome),
        )

    async def route(self, turn: Turn) -> Outcome:
        for route in self.routes:
            if route.matches(turn):
                return await route.handle(turn)
        raise AssertionError("the last route matches every turn")

    # ---- predicates ---------------------------------------------------------------------

    @staticmethod
    def _named(turn: Turn, name: Name) -> bool:
        return turn.command is not None and turn.command.name is name

    @staticmethod
    def _is_case_button(turn: Turn) -> bool:
        return turn.event.kind is InboundKind.CHOICE and is_case_token(turn.event.token)

    @staticmethod
    def _is_conclusions_button(turn: Turn) -> bool:
        """The button under a weekly review (the team's conclusions)."""
        return turn.event.kind is InboundKind.CHOICE and is_token(turn.event.token)

    @staticmethod
    def _is_report_pick(turn: Turn) -> bool:
        token = turn.event.token
        return turn.event.kind is InboundKind.CHOICE and str(token or "").startswith(STEP_PREFIX)

    @staticmethod
    def _names_case_step(turn: Turn) -> bool:
        """A short typed text naming a case step, with no conversation open (the cheap test;
        whether it fits a report of theirs is the handler's)."""
        return (
            turn.state is None
            and turn.event.kind is InboundKind.TEXT
            and bool(steps_named(turn.event.text or ""))
        )

    def _starts_again(self, turn: Turn) -> bool:
        """A start command in the middle of a draft: the draft goes on where it was."""
        return (
            turn.state is not None
            and turn.is_command
            and (self._named(turn, Name.REPORT) or self._named(turn, Name.ANONYMOUS))
        )

    @staticmethod
    def _is_anytime(turn: Turn) -> bool:
        """A command that answers and leaves the draft where it was."""
        return (
            turn.state is not None
            and turn.is_command
            and turn.command is not None
            and turn.command.name in ANYTIME
        )

    @staticmethod
    def _is_case_command(turn: Turn) -> bool:
        return turn.command is not None and turn.command.name in CASE_COMMANDS

    def _starts(self, turn: Turn) -> bool:
        return names_start(turn.choice, turn.command)

    def _asks_help(self, turn: Turn) -> bool:
        return turn.choice == "help" or self._named(turn, Name.HELP)

    # ---- handlers -----------------------------------------------------------------------

    async def _case_button(self, turn: Turn) -> Outcome:
        """A button on a notification, a nudge or a case message (leaders, coordinator)."""
        press = Press(
            address=turn.event.address,
            token=str(turn.event.token),
            value=turn.choice or "",
            busy=turn.state is not None,
            name=turn.event.user_name,
        )
        return await self.casework.on_button(turn.store, press, turn.ctx)

    async def _report_pick(self, turn: Turn) -> Outcome:
        """The report picked for a typed case step ("which report?"): as its button."""
        step = str(turn.event.token).removeprefix(STEP_PREFIX)
        press = Press(
            address=turn.event.address,
            token=f"{CASE_PREFIX}{turn.choice or ''}",
            value=step,
            busy=turn.state is not None,
            name=turn.event.user_name,
        )
        return await self.casework.on_button(turn.store, press, turn.ctx)

    async def _case_word(self, turn: Turn) -> Outcome:
        """A typed case step (``triage``, ``afsluiten``): as its button on the report the
        person handles, or which report when several; else the welcome."""
        steps = steps_named(turn.event.text or "")
        outcome = await self.casework.on_typed_step(
            turn.store, turn.event.address, steps, turn.ctx, turn.event.user_name
        )
        return outcome if outcome is not None else await self._welcome(turn)

    async def _unreadable(self, turn: Turn) -> Outcome:
        """A stored conversation its flow cannot go on with (a flow or a shape this version
        does not know): it ends with a kind word, and the person starts again from the menu."""
        replies = [
            Outbound(turn.ctx.t("engine.draft_unreadable")),
            *self.reporting.welcome(turn.ctx),
        ]
        return Outcome(replies, state=None)

    async def _resume(self, turn: Turn) -> Outcome:
        assert turn.state is not None
        flow = self.flows[turn.state.flow]
        result = engine.resume(flow, turn.state, turn.ctx)
        state = KEEP if result.state == turn.state else result.state
        return Outcome([Outbound(turn.ctx.t("engine.resumed")), *result.replies], state=state)

    async def _anytime(self, turn: Turn) -> Outcome:
        """A command in the middle of a conversation: its answer, then the open question
        again (the conversation as it was)."""
        assert turn.state is not None and turn.command is not None
        name = turn.command.name
        if name is Name.STATUS:
            answered = await self._status(turn)
            # The status only: answering it (a conversation of its own) waits for the draft.
            answered = Outcome(answered.replies[:1], answered.notifications)
        elif name is Name.LANGUAGE:
            answered = await self._language(turn)
        elif name is Name.PROCEDURE:
            answered = await self._procedure(turn)
        else:
            answered = await self._case_command(turn)
        flow = self.flows[turn.state.flow]
        again = engine.resume(flow, turn.state, turn.ctx)
        answered.replies.extend(again.replies)
        return answered

    async def _language(self, turn: Turn) -> Outcome:
        """``/taal en``: the person's language from now on, stored on them."""
        wanted = turn.argument.strip().lower()
        if wanted not in LANGUAGES:
            choices = ", ".join(sorted(LANGUAGES))
            return Outcome([Outbound(turn.ctx.t("language.usage", languages=choices))])
        turn.person.language = wanted
        await turn.store.keep_person(turn.person)
        turn.ctx = self.reporting.context(turn.person, None)
        return Outcome([Outbound(turn.ctx.t("language.set"))])

    async def _flow(self, turn: Turn) -> Outcome:
        """The answer to the open question of the chat's conversation."""
        assert turn.state is not None
        flow = self.flows[turn.state.flow]
        result = engine.turn(flow, turn.state, turn.event, turn.ctx)
        outcome = Outcome(list(result.replies), state=result.state)
        for effect in result.effects:
            if isinstance(effect, Completed):
                outcome.extend(await self.completions[flow.completes](turn, effect))
            elif isinstance(effect, Cancelled):
                log.info("draft_cancelled", platform=turn.event.platform)
        return outcome

    async def _send_report(self, turn: Turn, effect: Completed) -> Outcome:
        return await self.reporting.send(turn.store, turn.event, turn.person, effect, turn.ctx)

    async def _complete_case(self, turn: Turn, effect: Completed) -> Outcome:
        assert turn.state is not None
        return await self.casework.complete(
            turn.store,
            turn.state.flow,
            turn.state.meta,
            effect.answers,
            turn.event.address,
            turn.ctx.t,
            name=turn.event.user_name,
        )

    async def _complete_conclusions(self, turn: Turn, effect: Completed) -> Outcome:
        assert turn.state is not None
        return await self.conclusions.complete(turn, turn.state.meta, str(effect.answers["text"]))

    async def _case_command(self, turn: Turn) -> Outcome:
        assert turn.command is not None
        replies = await self.casework.command(
            turn.store, turn.event.address, turn.command.name.value, turn.argument, turn.ctx.t
        )
        return Outcome(replies)

    async def _status(self, turn: Turn) -> Outcome:
        if turn.argument:
            return await self.reporting.status_of_one(turn)
        return Outcome(
            [await self.reporting.own_reports(turn.store, turn.event.address, turn.ctx.t)]
        )

    async def _start(self, turn: Turn) -> Outcome:
        anonymous = turn.choice == "anonymous" or self._named(turn, Name.ANONYMOUS)
        return await self.reporting.start(turn, anonymous)

    async def _help(self, turn: Turn) -> Outcome:
        return Outcome([Outbound(turn.ctx.t("idle.help_text")), self._procedure_text(turn)])

    async def _procedure(self, turn: Turn) -> Outcome:
        return Outcome([self._procedure_text(turn)])

    def _procedure_text(self, turn: Turn) -> Outbound:
        """The organisation's procedure: where to report, what happens next, when and from
        whom feedback comes, who the VIM coordinator is, when the VIM meeting is."""
        t, organisation = turn.ctx.t, self.casework.config.organisation
        terms = worded_terms(self.casework.config, t)
        lines = [t("procedure.text", organisation=organisation.name, **terms)]
        if organisation.coordinator_name:
            lines.append(t("procedure.coordinator", name=organisation.coordinator_name))
        if organisation.vim_meeting:
            lines.append(t("procedure.meeting", when=organisation.vim_meeting))
        return Outbound("\n".join(lines))

    async def _nothing_to_stop(self, turn: Turn) -> Outcome:
        return Outcome([Outbound(turn.ctx.t("idle.nothing_to_stop"))])

    async def _welcome(self, turn: Turn) -> Outcome:
        return Outcome(self.reporting.welcome(turn.ctx))
