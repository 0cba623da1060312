"""The outbox keeps the whole message: what is queued is what is delivered, field by field."""

from __future__ import annotations

import dataclasses
import json
from datetime import timedelta
from typing import Any

import pytest

from bot.clock import FrozenClock
from bot.domain.anonymity import coarse
from bot.events import Option, Outbound, delivered_at, outbound_from_payload, payload_of
from bot.outbox import Dispatcher, TemporaryFailure
from storage.db import Database

ADDRESS = "telegram:4242"

# A value other than the default for every field of Outbound. A field added to the dataclass
# without a sample here fails test_every_field_has_a_sample: give it one and serialise it.
SAMPLES: dict[str, Any] = {
    "text": "Welke soorten incident?",
    "options": (Option("fall", "Val", selected=True), Option("medication", "Medicatie")),
    "multi": True,
    "token": "q-7f3a",
    "done_label": "Klaar",
    "edit": True,
    "address": ADDRESS,
    "document": "quarterly/2026-Q3",
}
# Made at send time for the sender only, never stored: see test_the_rendered_file_stays_out.
NOT_STORED = ("attachment",)
FIELDS = [f.name for f in dataclasses.fields(Outbound) if f.name not in NOT_STORED]


def _default(name: str) -> Any:
    field = next(f for f in dataclasses.fields(Outbound) if f.name == name)
    if field.default is not dataclasses.MISSING:
        return field.default
    if field.default_factory is not dataclasses.MISSING:
        return field.default_factory()
    return dataclasses.MISSING


def _through_the_outbox(message: Outbound, coarse: bool = False) -> Outbound:
    """Out as the JSON the outbox stores, back in as the dispatcher reads it (the address is
    the row's own encrypted column, never part of the payload)."""
    payload = json.loads(json.dumps(payload_of(message, coarse=coarse)))
    return outbound_from_payload(payload, message.address)


def test_every_field_has_a_sample() -> None:
    assert set(SAMPLES) == set(FIELDS)
    for name in FIELDS:
        assert SAMPLES[name] != _default(name), name


@pytest.mark.parametrize("name", FIELDS)
def test_each_field_survives_the_outbox(name: str) -> None:
    """Only ``name`` differs from the default (``text`` is required, so always set)."""
    fields = {"text": SAMPLES["text"], name: SAMPLES[name]}
    if name in ("done_label", "multi"):
        fields["options"] = SAMPLES["options"]  # a multi-choice needs options to show
    message = Outbound(**fields)
    assert _through_the_outbox(message) == message


def test_the_whole_message_survives_the_outbox() -> None:
    message = Outbound(**SAMPLES)
    assert _through_the_outbox(message) == message
    assert _through_the_outbox(message, coarse=True) == message


def test_the_rendered_file_stays_out_of_the_payload() -> None:
    message = Outbound(**SAMPLES, attachment=("vim.pdf", b"%PDF-1.4 secret"))
    payload = json.dumps(payload_of(message))
    assert "%PDF" not in payload and "vim.pdf" not in payload
    assert _through_the_outbox(message).attachment is None


def test_the_address_stays_out_of_the_payload() -> None:
    assert "4242" not in json.dumps(payload_of(Outbound(**SAMPLES)))


def test_the_coarse_flag_still_marks_a_message_about_an_anonymous_report(
    clock: FrozenClock,
) -> None:
    now = clock.now() + timedelta(minutes=17)
    plain = json.loads(json.dumps(payload_of(Outbound(**SAMPLES))))
    anonymous = json.loads(json.dumps(payload_of(Outbound(**SAMPLES), coarse=True)))
    assert delivered_at(plain, now) == now
    assert delivered_at(anonymous, now) == coarse(now) != now


class RecordingSender:
    def __init__(self, failures: list[Exception]) -> None:
        self.failures = failures
        self.sent: list[tuple[str, Outbound]] = []

    async def send(self, recipient: str, message: Outbound) -> None:
        if self.failures:
            raise self.failures.pop(0)
        self.sent.append((recipient, message))


async def test_a_multi_choice_question_delayed_by_a_rate_limit_stays_multi_choice(
    database: Database, clock: FrozenClock
) -> None:
    question = Outbound(
        "Welke soorten incident?",
        SAMPLES["options"],
        multi=True,
        token="q-7f3a",
        done_label="Klaar",
        address=ADDRESS,
    )
    async with database.transaction() as store:
        await store.enqueue(ADDRESS, payload_of(question), clock.now())
    sender = RecordingSender([TemporaryFailure("429", retry_after=30)])
    dispatcher = Dispatcher(database, clock, {"telegram": sender})
    assert (await dispatcher.dispatch_due()).retried == 1
    clock.advance(timedelta(seconds=31))
    assert (await dispatcher.dispatch_due()).sent == 1
    assert sender.sent == [("4242", question)]


async def test_a_row_queued_in_the_old_payload_shape_is_still_delivered(
    database: Database, clock: FrozenClock
) -> None:
    """Rows written before the whole message was kept: text, [value, label] pairs, token."""
    old = {"text": "Nieuwe melding", "options": [["handle", "Oppakken"]], "token": "c-12"}
    async with database.transaction() as store:
        await store.enqueue(ADDRESS, old, clock.now())
        await store.enqueue(ADDRESS, {"text": "Alleen tekst", "coarse": True}, clock.now())
    sender = RecordingSender([])
    assert (await Dispatcher(database, clock, {"telegram": sender}).dispatch_due()).sent == 2
    assert sender.sent == [
        (
            "4242",
            Outbound(
                "Nieuwe melding", (Option("handle", "Oppakken"),), token="c-12", address=ADDRESS
            ),
        ),
        ("4242", Outbound("Alleen tekst", address=ADDRESS)),
    ]
