"""The VIM procedure checked against the policy (seeds/002, sections 4–16): a report closes
only when its measures proved to work, contact is only asked where it is possible and
wanted, calamities and aggression against staff do not wait for office hours, the
exploratory investigation can be marked as started, and a report about an employee (MIM)
reaches HR and, after a serious work accident, the Arbeidsinspectie duty."""

from __future__ import annotations

from datetime import timedelta

from bot.casework.scheduled import Sweeper
from bot.clock import FrozenClock
from bot.config import Config
from bot.service import ReportService
from storage.db import Database
from storage.models import ImprovementAction, Nudge, OutboxMessage, Report
from tests.helpers import Chat, make_config, table_rows
from tests.helpers import send_form as _send

TOKEN = "case:VIM-2026-0001"


async def _nudge_kinds(db: Database) -> set[str]:
    return {n.kind for n in await table_rows(db, Nudge) if n.cancelled_at is None}


# ---- close only what proved to work ----------------------------------------------------------


async def _to_an_action_done(service: ReportService, db: Database) -> Chat:
    await _send(service)
    leader = Chat(service, user="lead-noord", name="Lea")
    await leader.press(TOKEN, "triage")
    for value in ("internal", "monthly", "minor", "confirm"):
        await leader.tap(value)
    await leader.press(TOKEN, "analyse")
    await leader.say("De vloer was nat")
    await leader.tap("_skip")
    await leader.tap("technical")
    await leader.tap("_done")
    await leader.tap("confirm")
    await leader.press(TOKEN, "action")
    await leader.say("Antislipmatten in de badkamers")
    await leader.tap("structural")  # §6.7
    await leader.tap("shell:lead-noord")
    await leader.say("1-12")
    await leader.tap("confirm")
    await leader.press(TOKEN, "feedback")
    await leader.say("Er komen antislipmatten")
    await leader.tap("_skip")
    await leader.tap("confirm")
    [action] = await table_rows(db, ImprovementAction)
    await leader.press(f"act:{action.id}", "done")
    return leader


async def test_a_report_is_not_closed_before_its_actions_proved_to_work(
    service: ReportService, sqlite_db: Database
) -> None:
    leader = await _to_an_action_done(service, sqlite_db)
    await leader.press(TOKEN, "close")
    [report] = await table_rows(sqlite_db, Report)
    assert report.status == "feedback_given"  # still open: the check is still to come
    [action] = await table_rows(sqlite_db, ImprovementAction)
    await leader.press(f"act:{action.id}", "effective")
    await leader.press(TOKEN, "close")
    [report] = await table_rows(sqlite_db, Report)
    assert report.status == "closed"


async def test_not_effective_asks_for_a_follow_up_action_and_keeps_the_report_open(
    service: ReportService, sqlite_db: Database
) -> None:
    leader = await _to_an_action_done(service, sqlite_db)
    [action] = await table_rows(sqlite_db, ImprovementAction)
    await leader.press(f"act:{action.id}", "not")
    assert "vervolgactie" in leader.text
    assert "action" in [o.value for o in leader.replies[-1].options]
    await leader.press(TOKEN, "close")
    [report] = await table_rows(sqlite_db, Report)
    assert report.status == "feedback_given"


async def test_the_coordinator_may_close_with_a_recorded_reason(
    service: ReportService, sqlite_db: Database
) -> None:
    await _to_an_action_done(service, sqlite_db)
    coordinator = Chat(service, user="coord", name="Coco")
    await coordinator.press(TOKEN, "close_with_reason")
    await coordinator.say("Maatregel vervalt: afdeling gesloten")
    await coordinator.tap("confirm")
    [report] = await table_rows(sqlite_db, Report)
    assert report.status == "closed"
    leader = Chat(service, user="lead-noord", name="Lea")
    await leader.press(TOKEN, "close_with_reason")  # the coordinator's alone
    assert "kan ik niet voor je doen" in leader.text


# ---- contact only where possible and wanted ----------------------------------------------------


async def test_no_contact_deadline_for_an_anonymous_reporter_or_one_who_wants_none(
    service: ReportService, sqlite_db: Database
) -> None:
    outcome = await _send(service, anonymous=True)
    assert "contact op met de melder" not in outcome.notifications[0].text
    assert "contact" not in [o.value for o in outcome.notifications[0].options]
    outcome = await _send(service, contact="none")
    assert "contact op met de melder" not in outcome.notifications[0].text
    reports = {r.reference: r.id for r in await table_rows(sqlite_db, Report)}
    nudges = await table_rows(sqlite_db, Nudge)
    assert not [n for n in nudges if n.kind == "contact"]
    assert {n.kind for n in nudges} >= {"triage"} and len(reports) == 2


# ---- what does not wait for office hours -------------------------------------------------------


async def test_triage_of_a_possible_calamity_is_urgent(
    service: ReportService, sqlite_db: Database
) -> None:
    await _send(service, harm="serious", first_aid="given")
    triage = [n for n in await table_rows(sqlite_db, Nudge) if n.kind == "triage"]
    assert triage and all(n.urgent for n in triage)


async def test_aggression_against_staff_gets_contact_within_24_hours_urgently(
    service: ReportService, sqlite_db: Database, clock: FrozenClock
) -> None:
    await _send(
        service,
        description="Een cliënt sloeg mij",
        categories=["physical_aggression"],
        affected=["employee"],
        harm="minor",
        first_aid="given",
    )
    contact = [n for n in await table_rows(sqlite_db, Nudge) if n.kind == "contact"]
    assert contact and all(n.urgent for n in contact)
    assert {n.due_at for n in contact} == {clock.now() + timedelta(hours=24)}


# ---- the exploratory investigation ----------------------------------------------------------


async def test_the_exploratory_investigation_can_be_marked_as_started(
    service: ReportService, sqlite_db: Database
) -> None:
    await _send(service)
    leader = Chat(service, user="lead-noord", name="Lea")
    await leader.press(TOKEN, "triage")
    for value in ("investigate", "monthly", "major", "confirm"):
        await leader.tap(value)
    assert "exploration" in await _nudge_kinds(sqlite_db)
    coordinator = Chat(service, user="coord", name="Coco")
    await coordinator.press(TOKEN, "explored")
    assert "exploration" not in await _nudge_kinds(sqlite_db)
    [report] = await table_rows(sqlite_db, Report)
    assert report.explored_at is not None


# ---- MIM: about an employee -----------------------------------------------------------------


def _with_hr() -> Config:
    return make_config(
        roles={
            "coordinator": ["shell:coord"],
            "board": ["shell:board"],
            "hr": ["shell:po"],
        }
    )


async def test_a_report_about_an_employee_reaches_hr(
    sqlite_db: Database, clock: FrozenClock
) -> None:
    service = ReportService(_with_hr(), sqlite_db, clock)
    outcome = await _send(
        service,
        description="Ik prikte mij aan een gebruikte naald",
        categories=["other"],
        category_other="prikaccident",
        affected=["employee"],
        harm="minor",
        first_aid="given",
    )
    assert "shell:po" in [m.address for m in outcome.notifications]
    await _send(service)  # about a client: HR is not told
    to_hr = [m for m in await table_rows(sqlite_db, OutboxMessage) if m.address == "shell:po"]
    assert len(to_hr) == 1


async def test_a_serious_work_accident_opens_the_arbeidsinspectie_duty(
    sqlite_db: Database, clock: FrozenClock
) -> None:
    service = ReportService(_with_hr(), sqlite_db, clock)
    outcome = await _send(
        service,
        description="Collega viel van de trap en is opgenomen in het ziekenhuis",
        categories=["fall"],
        affected=["employee"],
        harm="serious",
        first_aid="emergency_called",
    )
    told = {m.address for m in outcome.notifications}
    assert {"shell:board", "shell:po"} <= told
    duty = [n for n in await table_rows(sqlite_db, Nudge) if n.kind == "arbeidsinspectie"]
    assert duty and all(n.urgent for n in duty)
    coordinator = Chat(service, user="coord", name="Coco")
    await coordinator.command("/melding VIM-2026-0001")
    options = [o.value for o in coordinator.question.options]
    assert "arbeidsinspectie" in options and "client_informed" not in options
    await coordinator.press(TOKEN, "arbeidsinspectie")
    await coordinator.tap("today")
    await coordinator.tap("confirm")
    assert "arbeidsinspectie" not in await _nudge_kinds(sqlite_db)
    [report] = await table_rows(sqlite_db, Report)
    assert report.arbeidsinspectie_reported_on is not None


async def test_a_report_only_about_an_employee_has_no_client_steps(
    sqlite_db: Database, clock: FrozenClock
) -> None:
    service = ReportService(_with_hr(), sqlite_db, clock)
    await _send(
        service,
        description="Collega viel van de trap",
        categories=["fall"],
        affected=["employee"],
        harm="serious",
        first_aid="given",
    )
    coordinator = Chat(service, user="coord", name="Coco")
    await coordinator.press(TOKEN, "triage")
    for value in ("calamity", "monthly", "major", "confirm"):
        await coordinator.tap(value)
    assert "client_informed" not in await _nudge_kinds(sqlite_db)
    await coordinator.command("/melding VIM-2026-0001")
    assert "client_informed" not in [o.value for o in coordinator.question.options]


async def test_open_reports_are_planned_again_under_the_new_rules(
    service: ReportService, sqlite_db: Database, clock: FrozenClock
) -> None:
    await _send(service, anonymous=True)
    async with sqlite_db.transaction() as store:  # a contact deadline planned by older rules
        [report] = await store.open_reports(["new"], None, 10)
        await store.add_nudges(
            [
                Nudge(
                    report_id=report.id,
                    kind="contact",
                    stage="reminder",
                    recipient="shell:lead-noord",
                    due_at=clock.now() + timedelta(days=1),
                    send_at=clock.now() + timedelta(hours=20),
                    urgent=False,
                )
            ]
        )
    await Sweeper(service.config, sqlite_db, clock).replan_open_reports()
    assert "contact" not in await _nudge_kinds(sqlite_db)
    assert "triage" in await _nudge_kinds(sqlite_db)
