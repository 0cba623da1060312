"""Neutral messages → Block Kit (pure). Person-written text is escaped for mrkdwn, so a report
can never ping ``@channel`` or fake a link."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.adapters.buttons import button_data
from bot.adapters.slack.translate import ACTION_PREFIX, SLASH_COMMAND
from bot.commands import MENU
from bot.events import Outbound
from bot.flows.engine import DONE, Flow, Kind, View
from bot.i18n import Translator

SECTION_LIMIT = 3000
BUTTON_LIMIT = 75
FALLBACK_LIMIT = 300
FORM_CALLBACK = "vim_report_form"
HOME_REPORT, HOME_ANONYMOUS, HOME_FORM = "vim_home_report", "vim_home_anonymous", "vim_home_form"
ANONYMOUS_BLOCK = "anonymous"


REPLY_CALLBACK = "vim_reply_form"
REPLY_BUTTON = "vim_reply"


def info_view(title: str, text: str, close: str) -> dict[str, Any]:
    """A modal that only shows a text (the confirmation of an anonymous report, with its code:
    it is shown here and nowhere in the DM history)."""
    return {
        "type": "modal",
        "title": _plain(title, 24),
        "close": _plain(close, 24),
        "blocks": _sections(text),
    }


def reply_view(t: Translator, code: str) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": REPLY_CALLBACK,
        "private_metadata": code,
        "title": _plain(t("slack.reply_title"), 24),
        "submit": _plain(t("summary.send"), 24),
        "close": _plain(t("summary.cancel"), 24),
        "blocks": [
            {
                "type": "input",
                "block_id": "text",
                "label": _plain(t("field.reply"), 2000),
                "element": {
                    "type": "plain_text_input",
                    "action_id": "value",
                    "multiline": True,
                    "max_length": 2000,
                },
            }
        ],
    }


def command_help(t: Translator) -> str:
    """What ``/vim`` can do: the command registry's menu, as the Telegram menu shows it."""
    lines = [f"{SLASH_COMMAND} {c.name.value}: {t(c.description)}" for c in MENU]
    return "\n".join([t("slack.unknown_subcommand"), *lines])


def escape(text: str) -> str:
    """Slack's three control characters; ``<!channel>`` then shows as text, not a ping."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _plain(text: str, limit: int) -> dict[str, Any]:
    return {
        "type": "plain_text",
        "text": text[: limit - 1] + "…" if len(text) > limit else text,
        "emoji": True,
    }


def _sections(text: str) -> list[dict[str, Any]]:
    escaped = escape(text or " ")
    chunks, current = [], ""
    for line in escaped.split("\n"):
        while len(line) > SECTION_LIMIT:
            chunks.append(line[:SECTION_LIMIT])
            line = line[SECTION_LIMIT:]
        if len(current) + len(line) + 1 > SECTION_LIMIT:
            chunks.append(current)
            current = line
        else:
            current = f"{current}\n{line}" if current else line
    chunks.append(current)
    return [{"type": "section", "text": {"type": "mrkdwn", "text": c or " "}} for c in chunks]


def _button(label: str, action_id: str, value: str, primary: bool = False) -> dict[str, Any]:
    button: dict[str, Any] = {
        "type": "button",
        "text": _plain(label, BUTTON_LIMIT),
        "action_id": action_id,
        "value": value,
    }
    if primary:
        button["style"] = "primary"
    return button


def blocks(message: Outbound) -> list[dict[str, Any]]:
    result = _sections(message.text)
    if message.options:
        buttons = []
        for index, option in enumerate(message.options):
            label = ("✅ " if message.multi and option.selected else "") + option.label
            buttons.append(
                _button(
                    label,
                    f"{ACTION_PREFIX}{index}",
                    button_data(message.token, option.value),
                    primary=message.multi and option.selected,
                )
            )
        if message.multi:
            buttons.append(
                _button(
                    f"✔️ {message.done_label or 'Klaar'}",
                    f"{ACTION_PREFIX}done",
                    button_data(message.token, DONE),
                    primary=True,
                )
            )
        result.append({"type": "actions", "elements": buttons})
    return result


def fallback_text(message: Outbound) -> str:
    """The notification text (and what screen readers and old clients show)."""
    text = escape(message.text or " ")
    return text[: FALLBACK_LIMIT - 1] + "…" if len(text) > FALLBACK_LIMIT else text


def home_view(t: Translator, own_reports: Outbound) -> dict[str, Any]:
    return {
        "type": "home",
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": escape(t("idle.welcome"))}},
            {
                "type": "actions",
                "elements": [
                    _button(t("idle.report"), HOME_REPORT, "report", primary=True),
                    _button(t("idle.anonymous"), HOME_ANONYMOUS, "anonymous"),
                    _button(t("slack.form"), HOME_FORM, "form"),
                ],
            },
            {"type": "divider"},
            *_sections(own_reports.text),
        ],
    }


def _option(choice_value: str, label: str) -> dict[str, Any]:
    return {"text": _plain(label, 75), "value": choice_value}


def form_view(flow: Flow, view: View, anonymous: bool = False) -> dict[str, Any]:
    """The report as one modal, built from the same step declarations as the conversation."""
    t = view.ctx.t
    inputs: list[dict[str, Any]] = [
        {"type": "context", "elements": [{"type": "mrkdwn", "text": escape(t("slack.form_112"))}]}
    ]
    for step in flow.steps:
        if step.kind is Kind.REVIEW or not step.in_form:
            continue
        if step.when is not None and step.id == "team" and not step.when(view):
            continue  # the person's team is known: no need to ask
        prompt = step.prompt(view) if callable(step.prompt) else step.prompt
        options: Sequence[Any] = step.options(view) if callable(step.options) else step.options
        rendered = [_option(c.value, c.label if c.literal else t(c.label)) for c in options]
        if step.kind in (Kind.TEXT, Kind.DATE):
            element: dict[str, Any] = {
                "type": "plain_text_input",
                "action_id": "value",
                "multiline": step.max_length > 200,
                "max_length": min(step.max_length, 3000),
            }
        elif step.kind is Kind.MULTI:
            element = {
                "type": "multi_static_select",
                "action_id": "value",
                "options": rendered,
                "placeholder": _plain(t("slack.pick"), 150),
            }
        else:
            element = {
                "type": "static_select",
                "action_id": "value",
                "options": rendered,
                "placeholder": _plain(t("slack.pick"), 150),
            }
        block: dict[str, Any] = {
            "type": "input",
            "block_id": step.id,
            "element": element,
            "label": _plain(t(step.field) if step.field else t(prompt), 2000),
            "optional": step.skippable or step.when is not None,
        }
        if step.field:
            block["hint"] = _plain(t(prompt) if step.when is None else t("slack.only_if"), 2000)
        inputs.append(block)
    inputs.append(
        {
            "type": "input",
            "block_id": ANONYMOUS_BLOCK,
            "optional": True,
            "label": _plain(t("slack.anonymous_label"), 2000),
            "element": {
                "type": "checkboxes",
                "action_id": "value",
                "options": [_option("yes", t("summary.send_anonymous"))],
                **(
                    {"initial_options": [_option("yes", t("summary.send_anonymous"))]}
                    if anonymous
                    else {}
                ),
            },
        }
    )
    return {
        "type": "modal",
        "callback_id": FORM_CALLBACK,
        "title": _plain(t("slack.form_title"), 24),
        "submit": _plain(t("summary.send"), 24),
        "close": _plain(t("summary.cancel"), 24),
        "blocks": inputs,
    }
