"""The drafts of the notifications to the authorities (issue 19): the IGJ calamity
notification and the Arbeidsinspectie report of a serious work accident, prefilled with
every field the form asks, marked as a draft to check and submit in the authority's own
portal, never sent by the bot; on "Calamiteit vastgesteld" the board and the coordinator get
the IGJ draft in the chat, and when a serious work accident is reported the board, HR and the
coordinator get the Arbeidsinspectie draft."""

from __future__ import annotations

from pathlib import Path

from bot.clock import FrozenClock
from bot.config import Config
from bot.domain.anonymity import coarse
from bot.drafts import ARBEIDSINSPECTIE_FIELDS, IGJ_FIELDS, igj_deadline
from bot.events import NOT_BEFORE
from bot.register import load_draft
from bot.service import ReportService
from storage.db import Database
from storage.models import OutboxMessage
from tests.helpers import CASE as TOKEN
from tests.helpers import Chat, make_config, table_rows, vimbot
from tests.helpers import send_form as _send

KVK = "000037055054"


def _config() -> Config:
    return make_config(
        organisation={
            "name": "Test Thuiszorg",
            "timezone": "Europe/Amsterdam",
            "vestigingsnummer": KVK,
        },
        roles={
            "coordinator": ["shell:coord"],
            "board": ["shell:board"],
            "hr": ["shell:po"],
        },
    )


async def _calamity(service: ReportService) -> Chat:
    """A client falls, is admitted to hospital; the coordinator triages it as a possible
    calamity, informs the client's daughter and establishes the calamity today."""
    await _send(
        service,
        description="Mevrouw viel uit de tillift en brak haar heup",
        categories=["fall"],
        affected=["client"],
        harm="serious",
        first_aid="emergency_called",
        measures="Tillift buiten gebruik gesteld",
    )
    coordinator = Chat(service, user="coord", name="Coco")
    await coordinator.triage("calamity", "monthly", "catastrophic")
    await coordinator.press(TOKEN, "client_informed")
    await coordinator.press(TOKEN, "established")
    await coordinator.tap("today")
    await coordinator.tap("confirm")
    return coordinator


async def test_the_igj_draft_carries_every_field_of_the_form(
    database: Database, clock: FrozenClock
) -> None:
    config = _config()
    service = ReportService(config, database, clock)
    await _calamity(service)
    today = clock.now().astimezone(config.organisation.tz).date()
    draft = await load_draft(database, config, "igj", "vim-2026-0001", clock.now(), "cli:test")
    assert draft is not None
    assert [f.key for f in draft.fields] == list(IGJ_FIELDS)
    assert "CONCEPT" in draft.title and "meldportaal van de IGJ" in draft.notice
    assert "verstuurt niets" in draft.notice
    assert draft.value("organisation") == "Test Thuiszorg"
    assert draft.value("kvk") == KVK
    assert draft.value("reference") == "VIM-2026-0001"
    assert str(today.year) in draft.value("occurred")
    assert draft.value("discovered") == draft.value("established")  # all today
    deadline = igj_deadline(today, config)
    assert (deadline - today).days >= 3  # three working days
    assert "3 werkdagen" in draft.value("deadline")
    assert str(deadline.day) in draft.value("deadline")
    assert draft.value("what_happened") == "Mevrouw viel uit de tillift en brak haar heup"
    assert "ernstig letsel" in draft.value("consequences").lower()
    assert "Tillift buiten gebruik gesteld" in draft.value("measures")
    assert draft.value("client_informed").startswith("ja, op ")
    assert "Nina" not in draft.text()  # no reporter


async def test_on_calamity_established_the_board_and_coordinator_get_the_draft(
    sqlite_db: Database, clock: FrozenClock
) -> None:
    service = ReportService(_config(), sqlite_db, clock)
    await _calamity(service)
    drafts = [
        m
        for m in await table_rows(sqlite_db, OutboxMessage)
        if "melding calamiteit aan de IGJ" in str(m.payload)
    ]
    assert sorted(m.address for m in drafts) == ["shell:board", "shell:coord"]
    assert all("vimbot draft igj VIM-2026-0001" in str(m.payload) for m in drafts)
    assert all(KVK in str(m.payload) for m in drafts)


async def test_the_arbeidsinspectie_draft_carries_every_field_of_the_form(
    database: Database, clock: FrozenClock
) -> None:
    config = _config()
    service = ReportService(config, database, clock)
    await _send(
        service,
        description="Collega viel van de trap en is opgenomen in het ziekenhuis",
        categories=["fall"],
        affected=["employee"],
        harm="serious",
        first_aid="emergency_called",
        measures="Trap afgezet",
    )
    draft = await load_draft(
        database, config, "arbeidsinspectie", "VIM-2026-0001", clock.now(), "cli:test"
    )
    assert draft is not None
    assert [f.key for f in draft.fields] == list(ARBEIDSINSPECTIE_FIELDS)
    assert "CONCEPT" in draft.title and "Arbeidsinspectie" in draft.title
    assert "verstuurt niets" in draft.notice
    assert draft.value("organisation") == "Test Thuiszorg"
    assert draft.value("kvk") == KVK
    assert draft.value("location") == "Wijkteam Noord"
    assert draft.value("what_happened").startswith("Collega viel van de trap")
    assert "ernstig letsel" in draft.value("injury").lower()
    assert draft.value("first_aid") == "112 of huisarts gebeld"
    assert "Trap afgezet" in draft.value("measures")
    assert draft.value("deadline").startswith("direct, uiterlijk ")
    assert "zelf" in draft.value("victim")
    assert "Nina" not in draft.text()


async def test_a_draft_without_a_kvk_number_says_what_to_configure(
    sqlite_db: Database, clock: FrozenClock
) -> None:
    config = make_config()
    service = ReportService(config, sqlite_db, clock)
    await _send(
        service, description="Valpartij", categories=["fall"], affected=["client"], harm="none"
    )
    draft = await load_draft(sqlite_db, config, "igj", "VIM-2026-0001", clock.now(), "cli:t")
    assert draft is not None
    assert "vestigingsnummer" in draft.value("kvk")
    assert draft.value("established") == "nog niet vastgesteld"
    assert draft.value("client_informed") == "nog niet"


async def _work_accident(service: ReportService, anonymous: bool = False) -> None:
    """A colleague falls down the stairs and is admitted to hospital."""
    await _send(
        service,
        anonymous,
        description="Collega viel van de trap en is opgenomen in het ziekenhuis",
        categories=["fall"],
        affected=["employee"],
        harm="serious",
        first_aid="emergency_called",
        measures="Trap afgezet",
    )


AI_TITLE = "melding ernstig arbeidsongeval aan de Arbeidsinspectie"


async def test_a_serious_work_accident_brings_board_hr_and_coordinator_the_draft(
    database: Database, clock: FrozenClock
) -> None:
    config = _config()
    service = ReportService(config, database, clock)
    await _work_accident(service)
    rows = await table_rows(database, OutboxMessage)
    drafts = [m for m in rows if AI_TITLE in str(m.payload)]
    assert sorted(m.address for m in drafts) == ["shell:board", "shell:coord", "shell:po"]
    command = await load_draft(
        database, config, "arbeidsinspectie", "VIM-2026-0001", clock.now(), "cli:test"
    )
    assert command is not None
    for message in drafts:
        text = str(message.payload["text"])
        assert text.startswith(command.title) and command.notice in text
        for line in command.text().splitlines():
            assert line in text  # every field, with the value the command shows
        assert "vimbot draft arbeidsinspectie VIM-2026-0001" in text
        assert "Nina" not in text


async def test_the_draft_of_an_anonymous_work_accident_keeps_to_the_hour(
    sqlite_db: Database, clock: FrozenClock
) -> None:
    config = _config()
    service = ReportService(config, sqlite_db, clock)
    await _work_accident(service, anonymous=True)
    rows = await table_rows(sqlite_db, OutboxMessage)
    drafts = {m.address: m for m in rows if AI_TITLE in str(m.payload)}
    assert sorted(drafts) == ["shell:board", "shell:coord", "shell:po"]
    notices = {m.address: m for m in rows if AI_TITLE not in str(m.payload)}
    hour = coarse(clock.now())
    for address, message in drafts.items():
        assert message.created_at.replace(tzinfo=None) == hour.replace(tzinfo=None)
        assert message.due_at.replace(tzinfo=None) == hour.replace(tzinfo=None)
        # held as long as the report's own notice: its arrival tells nothing more
        assert message.payload[NOT_BEFORE] == notices[address].payload[NOT_BEFORE]
        assert clock.now().minute != 0
        assert f"{clock.now().astimezone(config.organisation.tz):%H:%M}" not in str(
            message.payload["text"]
        )


def test_the_command_prints_the_draft_or_says_there_is_no_report(workdir: Path) -> None:
    assert vimbot("db", "upgrade", cwd=workdir).returncode == 0
    missing = vimbot("draft", "igj", "VIM-2026-0099", cwd=workdir)
    assert missing.returncode == 1 and "VIM-2026-0099" in missing.stderr
