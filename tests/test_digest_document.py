"""The committee's quarterly and the board's half-yearly digest carry the period's report as
a document, anonymised: the outbox keeps an instruction to render it, never the file; the
PDF is made when the digest is sent and handed to the platform's sender from memory."""

from __future__ import annotations

import io
import json
from datetime import datetime

from pypdf import PdfReader

from bot.casework.scheduled import Sweeper
from bot.clock import FrozenClock
from bot.config import Config
from bot.events import Outbound, payload_of
from bot.outbox import Dispatcher
from bot.register import render_document
from bot.service import ReportService
from storage.db import Database
from storage.models import OutboxMessage
from tests.helpers import AMS, table_rows
from tests.helpers import send_form as _send


class DocumentSender:
    def __init__(self) -> None:
        self.sent: list[tuple[str, Outbound]] = []

    async def send(self, recipient: str, message: Outbound) -> None:
        self.sent.append((recipient, message))


async def test_the_quarterly_digest_carries_the_anonymised_report_made_when_sent(
    service: ReportService, sqlite_db: Database, clock: FrozenClock, config: Config
) -> None:
    clock.set(datetime(2026, 8, 7, 10, 0, tzinfo=AMS))
    await _send(
        service,
        description="Mevrouw Jansen sloeg mij",
        categories=["physical_aggression"],
        affected=["client", "employee"],
        harm="minor",
        first_aid="given",
    )
    clock.set(datetime(2026, 10, 1, 9, 0, tzinfo=AMS))
    planned = await Sweeper(config, sqlite_db, clock).send_due_digests()
    quarterly = [p for p in planned if p.what.startswith("digest:quarterly")]
    assert quarterly and all(p.message.document == "quarterly/2026-Q3" for p in quarterly)

    rows = [r for r in await table_rows(sqlite_db, OutboxMessage) if "document" in r.payload]
    assert rows, "the digest's outbox row carries the instruction"
    for row in rows:  # an instruction, not a file
        assert "%PDF" not in json.dumps(row.payload)
        assert set(row.payload) <= {"text", "document", "coarse"}

    async def render(instruction: str) -> tuple[str, bytes]:
        return await render_document(sqlite_db, config, instruction)

    sender = DocumentSender()
    platforms = {row.address.partition(":")[0] for row in rows}
    dispatcher = Dispatcher(sqlite_db, clock, dict.fromkeys(platforms, sender), render)
    await dispatcher.dispatch_due()
    documents = [m for _, m in sender.sent if m.document is not None]
    assert documents
    name, data = documents[0].attachment or ("", b"")
    assert name == "vim-quarterly-2026-Q3.pdf" and data.startswith(b"%PDF")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    assert "Fysieke agressie" in text
    assert "Jansen" not in text and "sloeg" not in text  # anonymised: no free texts


async def test_a_document_that_cannot_be_made_does_not_hold_back_the_digest(
    sqlite_db: Database, clock: FrozenClock
) -> None:
    async with sqlite_db.transaction() as store:
        payload = payload_of(Outbound("Kwartaalanalyse", document="quarterly/nonsense"))
        await store.enqueue("shell:committee", payload, clock.now())

    async def broken(instruction: str) -> tuple[str, bytes]:
        raise ValueError(instruction)

    sender = DocumentSender()
    dispatcher = Dispatcher(sqlite_db, clock, {"shell": sender}, render=broken)
    assert (await dispatcher.dispatch_due()).sent == 1  # the text goes, without the file
    [(_, message)] = sender.sent
    assert message.text == "Kwartaalanalyse" and message.attachment is None
