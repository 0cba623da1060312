"""What was done after a report (seeds/002 §6.8, seeds/003 §3): aftercare for the reporter, a
conversation with the client, care ended, a police report, the client informed — each a case
step on the procedure table, recorded with who and when, shown in ``/melding`` and exported."""

from __future__ import annotations

from typing import Any

import pytest

from bot.events import Inbound, InboundKind
from bot.outcome import Outcome
from bot.service import ReportService
from storage.db import Database
from storage.models import Report
from tests.helpers import CASE, Chat, table_rows


async def _send(service: ReportService, anonymous: bool = False, **fields: Any) -> Outcome:
    raw: dict[str, Any] = {
        "description": "Mevrouw is gevallen naast het bed",
        "when": "today",
        "categories": ["fall"],
        "affected": ["client"],
        "harm": "none",
        "contact": "team_leader",
        "team": "noord",
    }
    raw.update(fields)
    who = Inbound("shell", "nina", "nina", InboundKind.TEXT, user_name="Nina")
    errors, outcome = await service.submit_form(who, raw, anonymous)
    assert errors == {}
    return outcome


async def _triaged(service: ReportService, **fields: Any) -> Chat:
    await _send(service, **fields)
    leader = Chat(service, user="lead-noord", name="Lea")
    await leader.triage()
    return leader


@pytest.mark.xfail(strict=True, reason="client informed is only offered for calamities")
async def test_the_client_is_informed_of_every_report_that_affected_them(
    service: ReportService, sqlite_db: Database
) -> None:
    leader = await _triaged(service)  # handled internally: no calamity
    assert "client_informed" in [o.value for o in leader.question.options]
    await leader.press(CASE, "client_informed")
    [report] = await table_rows(sqlite_db, Report)
    assert report.client_informed_at is not None
