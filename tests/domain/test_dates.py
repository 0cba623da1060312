from __future__ import annotations

from datetime import date, datetime, time

import pytest

from bot.domain.dates import DateError, When, parse_day, parse_when

NOW = datetime(2026, 11, 22, 15, 0)  # a Sunday afternoon


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("21-11", When(date(2026, 11, 21))),
        ("21/11/2026", When(date(2026, 11, 21))),
        ("21.11.26 14:30", When(date(2026, 11, 21), time(14, 30))),
        ("21.11", When(date(2026, 11, 21))),
        ("2026-11-21", When(date(2026, 11, 21))),
        ("2026-11-21T14:30", When(date(2026, 11, 21), time(14, 30))),
        ("21 november", When(date(2026, 11, 21))),
        ("21 nov 2026 om 14.30", When(date(2026, 11, 21), time(14, 30))),
        ("gisteren", When(date(2026, 11, 21))),
        ("Gisteren om 23u10", When(date(2026, 11, 21), time(23, 10))),
        ("eergisteren", When(date(2026, 11, 20))),
        ("vandaag 9:15", When(date(2026, 11, 22), time(9, 15))),
        ("9.15", When(date(2026, 11, 22), time(9, 15))),
        ("maandag", When(date(2026, 11, 16))),
        ("zondag", When(date(2026, 11, 22))),
        ("yesterday", When(date(2026, 11, 21))),
        ("net", When(date(2026, 11, 22), time(15, 0))),
        ("30-12", When(date(2025, 12, 30))),  # no year and later than today: last year
        ("op 21-11", When(date(2026, 11, 21))),  # words around a date that add nothing
        ("zaterdag 21 november", When(date(2026, 11, 21))),
        ("gisteren rond 14:00", When(date(2026, 11, 21), time(14, 0))),
    ],
)
def test_forgiving_dutch_and_iso_forms(typed: str, expected: When) -> None:
    assert parse_when(typed, NOW) == expected


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("23-11-2026", "date.future"),
        ("16:00", "date.future"),
        ("31-02-2026", "date.invalid"),
        ("blah", "date.unreadable"),
        ("", "date.unreadable"),
        ("01-01-1999", "date.too_old"),
    ],
)
def test_refusals_name_the_problem(typed: str, key: str) -> None:
    with pytest.raises(DateError) as caught:
        parse_when(typed, NOW)
    assert caught.value.key == key


def test_json_round_trip() -> None:
    when = When(date(2026, 11, 21), time(8, 5))
    assert When.from_json(when.to_json()) == when
    assert When.from_json(When(date(2026, 1, 2)).to_json()).at is None


JUNK_AROUND_A_DATE = [
    "1-1-99999",
    "9999999999999999999-1-1",
    "18-11-2026x",
    "21 nov 99999",
    "1-1-2026 blah",
    "blah 1-1",
    "12-11-2026-5",
    "1-1-" + "9" * 400,
]


@pytest.mark.parametrize("typed", JUNK_AROUND_A_DATE)
def test_junk_around_a_date_is_refused_not_read_as_its_valid_part(typed: str) -> None:
    with pytest.raises(DateError):
        parse_when(typed, NOW)
    with pytest.raises(DateError):
        parse_day(typed, NOW.date(), future=False)
    with pytest.raises(DateError):
        parse_day(typed, NOW.date(), future=True)


@pytest.mark.parametrize(
    "typed", ["32-1", "1-13", "00-00", "0000-01-01", "99999999999-11-2026", "31-02", "2026-11-21x"]
)
def test_impossible_dates_and_huge_numbers_are_refused_without_raising_anything_else(
    typed: str,
) -> None:
    for read in (
        lambda: parse_when(typed, NOW),
        lambda: parse_day(typed, NOW.date(), future=False),
        lambda: parse_day(typed, NOW.date(), future=True),
    ):
        with pytest.raises(DateError):
            read()
