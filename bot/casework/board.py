"""The board's own records (seeds/002 §10, §16): the half-yearly evaluation of the VIM policy
with the measures it decides (``/evaluatie``), and the yearly policy review (``/beleid``),
which has a deadline of its own, nudged like any other.

That deadline belongs to no report and no action: its moment is kept in ``app_state``
(one value for the installation, like the procedure version), and its nudges are rows
without a report or an action.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from bot.casework.actions import add_months
from bot.config import Config
from bot.digests import last_half_year
from bot.domain.lifecycle import Deadline, Due
from bot.events import Outbound
from bot.i18n import Translator
from bot.nudges import nudge_rows, plan
from storage.models import BoardRecord
from storage.repository import Store

POLICY_REVIEW_DUE = "policy_review_due"  # app_state: when the next review is due (ISO)
EVALUATION, POLICY_REVIEW = "half_year_evaluation", "policy_review"
SHOWN = 3  # earlier records listed without an argument


def _due_after(day: date, config: Config) -> datetime:
    """The end of the day ``policy_review_months`` after ``day``."""
    end = add_months(day, config.policy.policy_review_months) + timedelta(days=1)
    return datetime.combine(end, time(0), tzinfo=config.organisation.tz)


async def plan_policy_review(store: Store, config: Config, now: datetime, day: date) -> datetime:
    """The next policy review due ``policy_review_months`` after ``day``: its nudges
    planned (those of the previous one closed), its moment kept."""
    due = _due_after(day, config)
    kind = Deadline.POLICY_REVIEW
    await store.cancel_board_nudges(now, [kind.value])
    await store.add_nudges(nudge_rows(plan(Due(kind, due), None, config, now)))
    await store.set_app_state(POLICY_REVIEW_DUE, due.isoformat())
    return due


async def ensure_policy_review(store: Store, config: Config, now: datetime) -> bool:
    """Plan the first policy review once (after the installation); True when it did."""
    if await store.app_state(POLICY_REVIEW_DUE) is not None:
        return False
    await plan_policy_review(store, config, now, now.astimezone(config.organisation.tz).date())
    return True


async def record(
    store: Store, config: Config, now: datetime, address: str, kind: str, text: str, t: Translator
) -> list[Outbound]:
    """Record an evaluation or a policy review, or (without a text) show the latest ones and
    when the next review is due."""
    tz = config.organisation.tz
    today = now.astimezone(tz).date()
    if not text.strip():
        return [Outbound(await _overview(store, kind, t, config))]
    period = last_half_year(now, config).key if kind == EVALUATION else str(today.year)
    row = BoardRecord(
        kind=kind, period=period, text=text.strip(), recorded_by=address, recorded_at=now
    )
    await store.add_board_record(row)
    await store.add_audit(now, address, kind, None, address.partition(":")[0], {"period": period})
    if kind == EVALUATION:
        return [Outbound(t("board.evaluation_noted", period=period))]
    due = await plan_policy_review(store, config, now, today)
    return [Outbound(t("board.policy_review_noted", next=t.day(due.date() - timedelta(days=1))))]


async def _overview(store: Store, kind: str, t: Translator, config: Config) -> str:
    lines = [t(f"board.{kind}.usage")]
    for row in await store.board_records(kind, SHOWN):
        day = t.day(row.recorded_at.astimezone(config.organisation.tz).date())
        lines.append(f"• {row.period} · {day}: {row.text}")
    due = await store.app_state(POLICY_REVIEW_DUE)
    if kind == POLICY_REVIEW and due is not None:
        next_day = datetime.fromisoformat(due).date() - timedelta(days=1)
        lines.append(t("board.policy_review_due", due=t.day(next_day)))
    return "\n".join(lines)
