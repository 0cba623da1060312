"""The Telegram adapter's pure parts: translating updates and rendering messages."""

from __future__ import annotations

from typing import Any

from bot.adapters.buttons import parse_button_data
from bot.adapters.telegram.render import MAX_TEXT, render, split_text
from bot.adapters.telegram.translate import translate
from bot.events import InboundKind, Option, Outbound


def _update(data: dict[str, Any]) -> dict[str, Any]:
    return data  # an update as the Bot API sends it (JSON)


def test_translate_text_command_and_callback() -> None:
    base = {
        "date": 0,
        "chat": {"id": 5, "type": "private"},
        "from": {"id": 5, "is_bot": False, "first_name": "Ann", "language_code": "en"},
    }
    text = translate(
        _update({"update_id": 1, "message": {"message_id": 1, **base, "text": "Cliënt viel"}}), 99
    )
    assert text is not None and text.kind is InboundKind.TEXT and text.text == "Cliënt viel"
    assert text.address == "telegram:5" and text.language == "en" and text.user_name == "Ann"
    assert text.dedupe_key == "telegram:99:1" and text.is_private

    command = translate(
        _update({"update_id": 2, "message": {"message_id": 2, **base, "text": "/melden"}}), 99
    )
    assert command is not None and command.kind is InboundKind.COMMAND

    callback = translate(
        _update(
            {
                "update_id": 3,
                "callback_query": {
                    "id": "q",
                    "from": base["from"],
                    "chat_instance": "x",
                    "data": "harm.7|minor",
                    "message": {"message_id": 9, **base, "text": "?"},
                },
            }
        ),
        99,
    )
    assert callback is not None and callback.kind is InboundKind.CHOICE
    assert callback.choices == ("minor",) and callback.token == "harm.7"

    group = translate(
        _update(
            {
                "update_id": 4,
                "message": {
                    "message_id": 3,
                    "date": 0,
                    "chat": {"id": -100, "type": "group", "title": "T"},
                    "from": base["from"],
                    "text": "hoi",
                },
            }
        ),
        99,
    )
    assert group is not None and not group.is_private


def test_forged_callback_data_parses_without_error() -> None:
    assert parse_button_data(None) == (None, "")
    assert parse_button_data("garbage") == ("garbage", "")


def test_user_text_is_escaped_and_buttons_carry_token_and_value() -> None:
    message = Outbound(
        "Wat: <b>x</b> & *y* _z_ 😀", (Option("yes", "Ja"), Option("no", "Nee")), token="danger.1"
    )
    [part] = render(message)
    assert part["text"] == "Wat: &lt;b&gt;x&lt;/b&gt; &amp; *y* _z_ 😀"
    assert part["parse_mode"] == "HTML"
    buttons = [b for row in part["reply_markup"]["inline_keyboard"] for b in row]
    assert [b["callback_data"] for b in buttons] == ["danger.1|yes", "danger.1|no"]
    assert all(len(b["callback_data"].encode()) <= 64 for b in buttons)


def test_multi_choice_shows_ticks_and_a_done_button() -> None:
    message = Outbound(
        "Soort?",
        (Option("fall", "Val", True), Option("other", "Anders")),
        multi=True,
        token="categories.4",
        done_label="Klaar",
    )
    [part] = render(message)
    labels = [b["text"] for row in part["reply_markup"]["inline_keyboard"] for b in row]
    assert labels[0].startswith("✅") and not labels[1].startswith("✅")
    assert labels[-1].endswith("Klaar")
    assert part["reply_markup"]["inline_keyboard"][-1][0]["callback_data"] == "categories.4|_done"


def test_long_texts_are_split_below_the_limit_with_buttons_on_the_last_part() -> None:
    text = "\n".join(["<" * 1500] * 6)  # escapes to four times its length
    parts = render(Outbound(text, (Option("send", "Versturen"),), token="summary.9"))
    assert len(parts) > 1
    assert all(len(p["text"]) <= MAX_TEXT for p in parts)
    assert "reply_markup" in parts[-1] and all("reply_markup" not in p for p in parts[:-1])
    assert "".join(split_text(text)).replace("\n", "") == text.replace("\n", "")
    assert split_text("kort") == ["kort"]


def test_updates_the_bot_does_not_act_on_translate_to_nothing() -> None:
    person = {"id": 5, "is_bot": False, "first_name": "Ann", "last_name": "de Wit"}
    chat = {"id": 5, "type": "private"}
    edited = {"update_id": 1, "edited_message": {"message_id": 1, "chat": chat, "from": person}}
    inline = {"update_id": 2, "callback_query": {"id": "q", "from": person, "data": "x|y"}}
    other_bot = {**person, "is_bot": True}
    by_a_bot = {"update_id": 3, "message": {"message_id": 2, "chat": chat, "from": other_bot}}
    assert [translate(u, 99) for u in (edited, inline, by_a_bot)] == [None, None, None]
    typed = {"message_id": 3, "chat": chat, "from": person, "caption": "foto"}
    event = translate({"update_id": 4, "message": typed}, 99)
    assert event is not None and event.user_name == "Ann de Wit" and event.text == "foto"
