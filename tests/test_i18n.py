"""Both catalogues are complete, and every text the flows use exists."""

from __future__ import annotations

import re
import string

from bot.flows.engine import Kind, View
from bot.flows.report import REPORT_FLOW
from bot.i18n import LANGUAGES, Translator, catalogue, normalise_language

ROOT_KEYS = set(catalogue("nl"))


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_catalogues_have_the_same_keys_and_placeholders() -> None:
    for language in LANGUAGES:
        assert set(catalogue(language)) == ROOT_KEYS, language
        for key in ROOT_KEYS:
            assert _placeholders(catalogue(language)[key]) == _placeholders(catalogue("nl")[key])


def test_every_key_used_in_code_exists() -> None:
    from pathlib import Path

    bot_dir = Path(__file__).resolve().parents[1] / "bot"
    source = "\n".join(p.read_text() for p in bot_dir.rglob("*.py"))
    used = set(
        re.findall(
            r'"((?:engine|step|done|notify|idle|shell|error|summary|field|case|nudge|digest|'
            r'report|date|when|answer)\.[a-z_.]+)"',
            source,
        )
    )
    assert used - ROOT_KEYS == set()


def test_report_flow_prompts_and_options_exist() -> None:
    from bot.flows.engine import Context
    from tests.helpers import NOW

    view = View({}, Context(Translator("nl"), NOW, {"teams": [("a", "A"), ("b", "B")]}), {})
    for step in REPORT_FLOW.steps:
        prompt = step.prompt(view) if callable(step.prompt) else step.prompt
        assert prompt in ROOT_KEYS
        options = step.options(view) if callable(step.options) else step.options
        for choice in options:
            assert choice.literal or choice.label in ROOT_KEYS
        if step.kind is not Kind.REVIEW and step.field:
            assert step.field in ROOT_KEYS


def test_language_fallbacks() -> None:
    assert normalise_language("en-GB") == "en"
    assert normalise_language("de") == "nl"
    assert normalise_language(None) == "nl"
    assert Translator("en")("no.such.key") == "no.such.key"
