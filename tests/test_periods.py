"""The periods the reviews and the reports cover: a year, a half year, a quarter."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from bot.digests import Period, previous
from tests.helpers import AMS, make_config


@pytest.mark.xfail(strict=True, reason="previous() knows no yearly period: KeyError 'yearly'")
def test_the_year_before_a_year() -> None:
    year = Period(
        "yearly", "2024", date(2024, 1, 1), date(2025, 1, 1), datetime(2025, 1, 1, 9, 0, tzinfo=AMS)
    )
    before = previous(year, make_config())
    assert (before.kind, before.key) == ("yearly", "2023")
    assert (before.start, before.end) == (date(2023, 1, 1), date(2024, 1, 1))
