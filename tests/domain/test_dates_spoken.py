"""Dates and times as people say them (issue 16), never in the future; an hour that can be
night or day, both in the past, is asked back — never guessed."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest

from bot.domain.dates import DateError, When, parse_day, parse_when

NOW = datetime(2026, 11, 18, 10, 30)  # a Wednesday morning
TODAY, YESTERDAY = date(2026, 11, 18), date(2026, 11, 17)

SAID = [
    ("gisteren 15u", When(YESTERDAY, time(15, 0))),
    ("gister", When(YESTERDAY)),
    ("gistermiddag 3 uur", When(YESTERDAY, time(15, 0))),
    ("gisteravond om half 10", When(YESTERDAY, time(21, 30))),
    ("gisteren 3 uur 's nachts", When(YESTERDAY, time(3, 0))),
    ("gisteren 3 uur s middags", When(YESTERDAY, time(15, 0))),
    ("vanmorgen", When(TODAY)),
    ("vanochtend om half 8", When(TODAY, time(7, 30))),
    ("vanochtend kwart over 9", When(TODAY, time(9, 15))),
    ("9u vanmorgen", When(TODAY, time(9, 0))),
    ("vandaag half 8", When(TODAY, time(7, 30))),  # 19:30 is still to come
    ("vandaag 3 uur", When(TODAY, time(3, 0))),
    ("eergister", When(date(2026, 11, 16))),
    ("zaterdag", When(date(2026, 11, 14))),
    ("zaterdagavond", When(date(2026, 11, 14))),
    ("vorige week dinsdag", When(date(2026, 11, 10))),
    ("16-11 21u", When(date(2026, 11, 16), time(21, 0))),
    ("15 nov om 8 uur s avonds", When(date(2026, 11, 15), time(20, 0))),
    ("yesterday 3pm", When(YESTERDAY, time(15, 0))),
    ("vannacht om 2 uur", When(TODAY, time(2, 0))),
    ("vannacht half 12", When(YESTERDAY, time(23, 30))),  # across midnight
    ("vannacht rond 11 uur", When(YESTERDAY, time(23, 0))),
    ("een uur geleden", When(TODAY, time(9, 30))),
    ("20 min geleden", When(TODAY, time(10, 10))),
    ("2 dagen geleden", When(date(2026, 11, 16))),
]


def test_dates_and_times_as_people_say_them() -> None:
    wrong = {}
    for typed, expected in SAID:
        try:
            got: object = parse_when(typed, NOW)
        except DateError as problem:
            got = problem.key
        if got != expected:
            wrong[typed] = got
    assert not wrong


@pytest.mark.parametrize(
    ("typed", "night", "day"),
    [
        ("3 uur", When(TODAY, time(3, 0)), When(YESTERDAY, time(15, 0))),
        ("gister rond 3 uur", When(YESTERDAY, time(3, 0)), When(YESTERDAY, time(15, 0))),
        ("half 8", When(TODAY, time(7, 30)), When(YESTERDAY, time(19, 30))),
        ("kwart voor 11", When(YESTERDAY, time(10, 45)), When(YESTERDAY, time(22, 45))),
    ],
)
def test_an_hour_both_readings_of_which_are_past_is_asked_back(
    typed: str, night: When, day: When
) -> None:
    with pytest.raises(DateError) as caught:
        parse_when(typed, NOW)
    assert caught.value.key == "date.which_time"
    assert set(caught.value.options) == {night, day}


def test_deadlines_as_people_say_them() -> None:
    said = {
        "over 2 weken": date(2026, 12, 2),
        "over 3 dagen": date(2026, 11, 21),
        "vrijdag": date(2026, 11, 20),
        "1 maart": date(2027, 3, 1),
    }
    got = {}
    for typed in said:
        try:
            got[typed] = parse_day(typed, TODAY, future=True)
        except DateError as problem:
            got[typed] = problem.key  # type: ignore[assignment]
    assert got == said
