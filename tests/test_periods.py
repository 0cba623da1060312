"""The periods the reviews and the reports cover: a year, a half year, a quarter."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from bot.digests import Period, period_of, previous
from tests.helpers import AMS, make_config


def test_the_year_before_a_year() -> None:
    year = Period(
        "yearly", "2024", date(2024, 1, 1), date(2025, 1, 1), datetime(2025, 1, 1, 9, 0, tzinfo=AMS)
    )
    before = previous(year, make_config())
    assert (before.kind, before.key) == ("yearly", "2023")
    assert (before.start, before.end) == (date(2023, 1, 1), date(2024, 1, 1))


def test_periods_by_name_and_the_one_before() -> None:
    config = make_config()
    q3 = period_of("quarterly", "2026-q3", config)
    assert (q3.key, q3.start, q3.end) == ("2026-Q3", date(2026, 7, 1), date(2026, 10, 1))
    assert previous(q3, config).key == "2026-Q2"
    h1 = period_of("half", "2026-H1", config)
    assert (h1.start, h1.end) == (date(2026, 1, 1), date(2026, 7, 1))
    assert previous(h1, config).key == "2025-H2"
    year = period_of("yearly", "2024", config)
    assert (year.start, year.end) == (date(2024, 1, 1), date(2025, 1, 1))
    assert previous(year, config).key == "2023"
    for kind, key in (("quarterly", "2026-Q5"), ("half", "2026-H3"), ("yearly", "24")):
        with pytest.raises(ValueError):
            period_of(kind, key, config)
