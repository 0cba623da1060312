"""The privacy promises, proven: anonymous leaves no trace, need-to-know, encryption at rest,
erasure, retention, abandoned drafts, the audit trail."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

import pytest
import structlog
from sqlalchemy import text

from bot.clock import FrozenClock
from bot.config import Config
from bot.domain.permissions import PERMISSIONS, Act, Role, allowed, roles_of
from bot.privacy import apply_retention, erase_person, export_person, rotate_keys, tidy_drafts
from bot.service import ReportService
from storage import crypto
from storage.db import Database
from storage.models import AuditEntry, Base, Conversation, OutboxMessage, Report
from tests.helpers import CASE, Chat, copy_sqlite, make_config, table_rows
from tests.test_casework import _report


async def dump(db: Database) -> str:
    """Every row of every table, as text (what a database dump would show, decrypted)."""
    parts = []
    async with db.engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            rows = [tuple(row) for row in await conn.execute(table.select())]  # untruncated
            parts.append(f"{table.name}: {rows!r}")
    return "\n".join(parts)


@pytest.fixture(autouse=True)
def no_key():
    crypto.configure(None)
    yield
    crypto.configure(None)


async def test_anonymous_report_leaves_no_trace_in_tables_or_logs(
    service: ReportService, sqlite_db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    with structlog.testing.capture_logs() as logs:
        chat = Chat(service, user="nina", name="Fatima El Amrani")
        await chat.say("hallo")
        chat.name = "Fatima El Amrani"
        await chat.answer_up_to_harm("Meneer schold mij uit", when="today")
        await chat.tap("none")
        await chat.tap("_skip")
        await chat.tap("none")
        await chat.tap("send_anonymous")
    stored = await dump(sqlite_db)
    assert "Meneer schold mij uit" in stored  # the report is there …
    for trace in ("nina", "Fatima", "Amrani"):  # … but nothing of who sent it
        assert trace not in stored, trace
        assert trace not in repr(logs) and trace not in caplog.text, trace
    assert "VIM-2026-0001" not in repr(logs)  # nothing to match the log line with


@pytest.mark.parametrize(
    "role_address",
    [
        "shell:nina",
        "shell:lead-noord",
        "shell:lead-zuid",
        "shell:coord",
        "shell:board",
        "shell:vp",
        "shell:committee",
    ],
)
def test_permission_matrix_covers_every_role_and_action(role_address: str) -> None:
    """Each role × action against reports that differ in team, calamity and contact wish."""
    config = make_config()

    class R:
        def __init__(self, **kw):
            self.team_id, self.possible_calamity = kw.get("team", "noord"), kw.get("cal", False)
            self.contact_wish = kw.get("wish", "team_leader")
            self.anonymous = kw.get("anon", False)
            self.reporter_address = None if self.anonymous else kw.get("by", "shell:nina")

    plain, calamity = R(), R(cal=True)
    asked = R(wish="confidential_adviser")
    anonymous, other_team = R(anon=True), R(team="zuid", by="shell:someone")
    expected = {
        # address: (view plain, view calamity, view asked-for-VP, view anonymous, view zuid,
        #           handle plain, handle calamity, handle zuid, aggregates)
        "shell:nina": (True, True, True, False, False, False, False, False, False),
        "shell:lead-noord": (True, True, True, True, False, True, True, False, True),
        "shell:lead-zuid": (False, False, False, False, True, False, False, True, True),
        "shell:coord": (True, True, True, True, True, True, True, True, True),
        "shell:board": (False, True, False, False, False, False, True, False, True),
        "shell:vp": (False, False, True, False, False, False, False, False, False),
        "shell:committee": (False, False, False, False, False, False, False, False, True),
    }[role_address]
    got = tuple(
        [
            allowed(role_address, Act.VIEW_REPORT, r, config)
            for r in (plain, calamity, asked, anonymous, other_team)
        ]
        + [
            allowed(role_address, Act.HANDLE_REPORT, r, config)
            for r in (plain, calamity, other_team)
        ]
        + [allowed(role_address, Act.VIEW_AGGREGATES, None, config)]
    )
    assert got == expected
    assert roles_of(role_address, config) <= set(Role)
    assert set(PERMISSIONS) == set(Role) and all(set(v) == set(Act) for v in PERMISSIONS.values())


async def test_encrypted_at_rest_and_key_rotation(
    config: Config, clock: FrozenClock, tmp_path, sqlite_template
) -> None:
    path = tmp_path / "enc.db"
    db = copy_sqlite(sqlite_template, path)
    old = crypto.new_key()
    crypto.configure(old)
    service = ReportService(config, db, clock)
    await _report(service)  # named: Nina, "Mevrouw is gevallen naast het bed"
    chat = Chat(service, user="nina")
    await chat.command("/melden")
    await chat.tap("no")
    await chat.say("Een tweede verhaal in concept")  # a draft, also protected

    raw = "\n".join(
        repr(row)
        for table in ("reports", "conversations", "outbox")
        for row in sqlite3.connect(path).execute(f"SELECT * FROM {table}")
    )
    for secret in ("Mevrouw is gevallen", "shell:nina", "Nina", "tweede verhaal"):
        assert secret not in raw
    assert "enc1:" in raw

    new = crypto.new_key()
    crypto.configure(f"{new},{old}")
    assert await rotate_keys(db) > 0
    crypto.configure(new)  # the old key is gone: everything still reads
    [report] = await table_rows(db, Report)
    assert report.description == "Mevrouw is gevallen naast het bed"
    assert report.reporter_address == "shell:nina"
    async with db.transaction() as store:
        assert [r.reference for r in await store.reports_of("shell:nina", 10)] == ["VIM-2026-0001"]
    await db.dispose()


async def test_erase_removes_identity_and_export_shows_everything(
    service: ReportService, sqlite_db: Database, clock: FrozenClock, config: Config
) -> None:
    await _report(service)
    exported = await export_person(sqlite_db, config, "shell:nina", clock.now())
    assert exported["person"]["name"] == "Nina" and exported["person"]["team"] == "noord"
    assert [r["reference"] for r in exported["reports"]] == ["VIM-2026-0001"]
    assert exported["reports"][0]["description"] == "Mevrouw is gevallen naast het bed"

    assert (await erase_person(sqlite_db, "shell:nina", clock.now())).reports == 1
    stored = await dump(sqlite_db)
    assert "shell:nina" not in stored and "Nina" not in stored
    [report] = await table_rows(sqlite_db, Report)
    assert report.description == "Mevrouw is gevallen naast het bed"  # the lesson stays
    assert report.categories == ["fall"]
    assert (await export_person(sqlite_db, config, "shell:nina", clock.now()))["reports"] == []


async def test_retention_removes_personal_data_and_keeps_counts(
    service: ReportService, sqlite_db: Database, clock: FrozenClock, config: Config
) -> None:
    await _report(service)
    leader = Chat(service, user="lead-noord")
    await leader.not_vim("Geaccepteerd risico")
    assert await apply_retention(sqlite_db, config, clock.now()) == 0  # not yet
    later = clock.now() + timedelta(days=365 * 5 + 2)
    assert await apply_retention(sqlite_db, config, later) == 1
    assert await apply_retention(sqlite_db, config, later) == 0  # once
    [report] = await table_rows(sqlite_db, Report)
    assert report.description == "[verwijderd]" and report.reporter_name is None
    assert report.triage_reason is None
    assert (report.categories, report.harm, report.team_id) == (["fall"], "none", "noord")


async def test_abandoned_drafts_get_a_reminder_then_go(
    service: ReportService, sqlite_db: Database, clock: FrozenClock, config: Config
) -> None:
    chat = Chat(service, user="nina")
    await chat.command("/melden")
    await chat.tap("no")
    start = clock.now()
    assert await tidy_drafts(sqlite_db, config, start + timedelta(hours=1)) == (0, 0)
    assert await tidy_drafts(sqlite_db, config, start + timedelta(hours=2, minutes=1)) == (1, 0)
    assert await tidy_drafts(sqlite_db, config, start + timedelta(hours=3)) == (0, 0)  # once
    [reminder] = await table_rows(sqlite_db, OutboxMessage)
    assert reminder.address == "shell:nina" and "nog niet verstuurd" in reminder.payload["text"]
    assert await tidy_drafts(sqlite_db, config, start + timedelta(hours=73)) == (0, 1)
    assert await table_rows(sqlite_db, Conversation) == []


async def test_audit_trail_records_views_and_changes_and_is_append_only(
    database: Database, config: Config, clock: FrozenClock
) -> None:
    service = ReportService(config, database, clock)
    await _report(service)
    leader = Chat(service, user="lead-noord")
    await leader.press(CASE, "contact")
    await leader.command("/melding VIM-2026-0001")
    async with database.transaction() as store:
        entries = await store.audit_of("VIM-2026-0001")
    assert [(e.actor, e.action, e.channel) for e in entries] == [
        ("shell:lead-noord", "change", "shell"),
        ("shell:lead-noord", "view", "shell"),
    ]
    assert entries[0].detail["to"] == "contacted"
    for statement in ("UPDATE audit_log SET actor = 'x'", "DELETE FROM audit_log"):
        with pytest.raises(Exception, match="append-only"):
            async with database.engine.begin() as conn:
                await conn.execute(text(statement))
    assert len(await table_rows(database, AuditEntry)) == 2


async def test_a_flood_of_new_reports_gets_a_friendly_limit(sqlite_db, clock) -> None:
    config = make_config(privacy={"max_reports_per_hour": 2})
    chat = Chat(ReportService(config, sqlite_db, clock), user="nina")
    for _ in range(2):
        await chat.command("/melden")
        await chat.say("stop")
        await chat.tap("yes")
    await chat.command("/melden")
    assert "veel meldingen gestart" in chat.text
    clock.advance(timedelta(hours=1, minutes=1))
    await chat.command("/melden")
    assert "direct gevaar" in chat.text


def test_production_refuses_to_start_without_a_key(tmp_path) -> None:
    from tests.helpers import vimbot

    (tmp_path / "config.toml").write_text("[privacy]\nproduction = true\n")
    result = vimbot("check-config", cwd=tmp_path)
    assert result.returncode == 2 and "VIMBOT_ENCRYPTION_KEY" in result.stderr
    demo = tmp_path / "demo"
    demo.mkdir()
    result = vimbot("check-config", cwd=demo)
    assert result.returncode == 0 and "WARNING: no VIMBOT_ENCRYPTION_KEY" in result.stderr
    key = crypto.new_key()
    result = vimbot("check-config", cwd=tmp_path, env={"VIMBOT_ENCRYPTION_KEY": key})
    assert result.returncode == 0 and "WARNING: no VIMBOT_ENCRYPTION_KEY" not in result.stderr
    result = vimbot("check-config", cwd=tmp_path, env={"VIMBOT_ENCRYPTION_KEY": "nonsense"})
    assert result.returncode == 2 and "not a valid key" in result.stderr
