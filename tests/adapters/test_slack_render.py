"""The Slack adapter's pure parts: escaping, Block Kit, payload translation, the manifest."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.adapters.slack.render import blocks, command_help, escape, fallback_text, form_view
from bot.adapters.slack.translate import (
    command_text,
    form_values,
    from_dm_message,
    subcommand,
)
from bot.commands import MENU, Name
from bot.events import Option, Outbound
from bot.flows.engine import Context, View
from bot.flows.report import REPORT_FLOW
from bot.i18n import Translator
from tests.helpers import NOW


def test_escape_defuses_mentions_and_links() -> None:
    assert escape("<!channel> & <@U1> <http://x|y>") == (
        "&lt;!channel&gt; &amp; &lt;@U1&gt; &lt;http://x|y&gt;"
    )
    assert "<" not in fallback_text(Outbound("<!here> " + "x" * 500))
    assert len(fallback_text(Outbound("x" * 500))) <= 300


def test_blocks_carry_token_and_value_and_long_text_is_split() -> None:
    message = Outbound("a" * 7000, (Option("yes", "Ja"),), token="danger.1")
    rendered = blocks(message)
    sections = [b for b in rendered if b["type"] == "section"]
    assert len(sections) == 3 and all(len(b["text"]["text"]) <= 3000 for b in sections)
    [button] = rendered[-1]["elements"]
    assert button["value"] == "danger.1|yes" and button["action_id"] == "vim:0"


def test_dm_messages_only() -> None:
    dm = {"type": "message", "channel": "D1", "channel_type": "im", "user": "U1", "text": "hoi"}
    assert from_dm_message(dm, "Ev1") is not None
    assert from_dm_message({**dm, "channel_type": "channel"}, "Ev1") is None
    assert from_dm_message({**dm, "bot_id": "B1"}, "Ev1") is None
    assert from_dm_message({**dm, "subtype": "message_changed"}, "Ev1") is None
    assert command_text("") == "/melden" and command_text("Anoniem") == "/anoniem"
    assert command_text("onzin") is None


@pytest.mark.parametrize(
    ("typed", "name", "argument", "as_typed"),
    [
        ("", Name.REPORT, "", "/melden"),
        ("melden", Name.REPORT, "", "/melden"),
        ("Melding", Name.REPORT, "", "/melden"),
        ("report", Name.REPORT, "", "/melden"),
        ("formulier", Name.FORM, "", "/formulier"),
        ("form", Name.FORM, "", "/formulier"),
        ("anoniem", Name.ANONYMOUS, "", "/anoniem"),
        ("anonymous", Name.ANONYMOUS, "", "/anoniem"),
        ("status", Name.STATUS, "", "/status"),
        ("status ABCD-1234", Name.STATUS, "ABCD-1234", "/status ABCD-1234"),
        ("help", Name.HELP, "", "/help"),
        ("hulp", Name.HELP, "", "/help"),
        ("stop", Name.STOP, "", "/stop"),
    ],
)
def test_vim_subcommands_come_from_the_command_registry(
    typed: str, name: Name, argument: str, as_typed: str
) -> None:
    found = subcommand(typed)
    assert found is not None and (found[0].name, found[1]) == (name, argument)
    assert command_text(typed) == as_typed


def test_slack_help_lists_exactly_the_registrys_menu() -> None:
    for language in ("nl", "en"):
        t = Translator(language)
        first, *listed = command_help(t).split("\n")
        assert first == t("slack.unknown_subcommand")
        assert listed == [f"/vim {c.name.value}: {t(c.description)}" for c in MENU]


def test_form_is_built_from_the_flow_and_read_back() -> None:
    ctx = Context(Translator("nl"), NOW, {"teams": [("a", "A"), ("b", "B")], "team_known": False})
    view = form_view(REPORT_FLOW, View({}, ctx, {}))
    ids = [b.get("block_id") for b in view["blocks"] if b["type"] == "input"]
    assert ids == [
        "description",
        "when",
        "when_date",
        "categories",
        "category_other",
        "affected",
        "harm",
        "first_aid",
        "measures",
        "team",
        "contact",
        "anonymous",
    ]
    state = {
        "values": {
            "description": {"value": {"type": "plain_text_input", "value": "x"}},
            "categories": {
                "value": {"type": "multi_static_select", "selected_options": [{"value": "fall"}]}
            },
            "harm": {"value": {"type": "static_select", "selected_option": None}},
        }
    }
    assert form_values(state) == {"description": "x", "categories": ["fall"], "harm": None}


def test_manifest_has_what_the_adapter_uses() -> None:
    manifest = yaml.safe_load(Path(__file__).parents[2].joinpath("slack/manifest.yml").read_text())
    assert set(manifest["oauth_config"]["scopes"]["bot"]) == {
        "chat:write",
        "im:history",
        "im:write",
        "files:write",  # the periodic report as a PDF (files_upload_v2)
        "commands",
        "app_mentions:read",
    }
    assert set(manifest["settings"]["event_subscriptions"]["bot_events"]) == {
        "message.im",
        "app_home_opened",
        "app_mention",
    }
    assert manifest["features"]["slash_commands"][0]["command"] == "/vim"
    assert manifest["features"]["app_home"]["home_tab_enabled"]
    assert manifest["settings"]["interactivity"]["is_enabled"]
