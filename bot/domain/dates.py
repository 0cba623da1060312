"""Forgiving reading of when something happened, as people type it on a phone.

Accepts Dutch and ISO forms: ``21-11``, ``21/11/2026``, ``21.11.26 14:30``, ``2026-11-21``,
``2026-11-21T14:30``, ``21 november``, ``21 nov 2026 om 14.30``, ``gisteren``,
``eergisteren``, ``vandaag 9:15``, ``maandag``, ``14:30`` (today) — and the English words.
A moment in the future is refused, as is one more than ten years ago (most likely a typo).
The date must be the whole answer, apart from a time and a few words the reader already
understands ("op", "om", "rond", a weekday before a date): ``1-1-99999`` or ``18-11-2026x`` is
refused, never read as the valid part inside it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from bot.domain.text import fold

MONTHS = {
    "jan": 1, "januari": 1, "january": 1,
    "feb": 2, "februari": 2, "february": 2,
    "mrt": 3, "maart": 3, "mar": 3, "march": 3,
    "apr": 4, "april": 4,
    "mei": 5, "may": 5,
    "jun": 6, "juni": 6, "june": 6,
    "jul": 7, "juli": 7, "july": 7,
    "aug": 8, "augustus": 8, "august": 8,
    "sep": 9, "sept": 9, "september": 9,
    "okt": 10, "oct": 10, "oktober": 10, "october": 10,
    "nov": 11, "november": 11,
    "dec": 12, "december": 12,
}  # fmt: skip

WEEKDAYS = {
    "maandag": 0, "monday": 0, "ma": 0,
    "dinsdag": 1, "tuesday": 1, "di": 1,
    "woensdag": 2, "wednesday": 2, "wo": 2,
    "donderdag": 3, "thursday": 3, "do": 3,
    "vrijdag": 4, "friday": 4, "vr": 4,
    "zaterdag": 5, "saturday": 5, "za": 5,
    "zondag": 6, "sunday": 6, "zo": 6,
}  # fmt: skip

FUTURE_DAYS = {"morgen": 1, "tomorrow": 1, "overmorgen": 2}

RELATIVE_DAYS = {
    "vandaag": 0, "today": 0, "vanochtend": 0, "vanmiddag": 0, "vanavond": 0,
    "vannacht": 0, "this morning": 0, "this afternoon": 0, "tonight": 0,
    "gisteren": 1, "gister": 1, "yesterday": 1, "gisteravond": 1, "gistermiddag": 1,
    "gisterochtend": 1, "eergisteren": 2, "eergister": 2,
}  # fmt: skip

# A part of the day, and how many days back when the word also names the day ("gisteravond").
PARTS: dict[str, tuple[str, int | None]] = {
    "vanochtend": ("morning", 0), "vanmorgen": ("morning", 0), "this morning": ("morning", 0),
    "vanmiddag": ("afternoon", 0), "this afternoon": ("afternoon", 0),
    "vanavond": ("evening", 0), "tonight": ("evening", 0), "this evening": ("evening", 0),
    "vannacht": ("night", 0), "last night": ("night", 0),
    "gisterochtend": ("morning", 1), "gistermorgen": ("morning", 1),
    "gistermiddag": ("afternoon", 1), "gisteravond": ("evening", 1),
    "ochtend": ("morning", None), "ochtends": ("morning", None), "morgens": ("morning", None),
    "morning": ("morning", None), "am": ("morning", None), "middag": ("afternoon", None),
    "middags": ("afternoon", None), "afternoon": ("afternoon", None), "pm": ("afternoon", None),
    "avond": ("evening", None), "avonds": ("evening", None), "evening": ("evening", None),
    "nacht": ("night", None), "nachts": ("night", None), "night": ("night", None),
}  # fmt: skip
_PARTS = re.compile(
    r"(?:\bs\s+|\bin de\s+|\bin the\s+)?\b("
    + "|".join(sorted(PARTS, key=len, reverse=True))
    + r")\b"
)
_WEEKDAY_PART = re.compile(
    r"\b(maandag|dinsdag|woensdag|donderdag|vrijdag|zaterdag|zondag)"
    r"(ochtend|morgen|middag|avond|nacht)\b"
)
# Spoken clock times: "half 8" is 07:30, "kwart voor 11" 10:45, "kwart over 3" 03:15.
_SPOKEN = re.compile(r"\b(?:om\s+|rond\s+)?(half|kwart\s+voor|kwart\s+over)\s+(\d{1,2})\b")
_AM_PM = re.compile(r"\b(?:at\s+|om\s+)?(\d{1,2})(?:[:.]([0-5]\d))?\s*(am|pm)\b")
_HOUR_U = re.compile(r"(?<![\d./-])\b(?:om\s+|rond\s+)?([01]?\d|2[0-3])u\b")
_BARE_HOUR = re.compile(
    r"\b(?:om|rond|around|at|tegen|ongeveer)\s+([01]?\d|2[0-3])\b(?!\s*[-/.:]\s*\d)"
)
_AGO = re.compile(
    r"(een|\d{1,3}|een half|half)\s*(minuten|minuut|min|kwartier|uur|uren|dagen|dag|weken|week"
    r"|minutes?|hours?|days?|weeks?)\s+(?:geleden|ago)"
)

JUST_NOW = {"net", "zojuist", "nu", "just now", "now", "net nu", "daarnet", "zonet"}

_TIME = re.compile(
    r"(?:\bom\s+|\bat\s+)?(?<![\d./-])\b([01]?\d|2[0-3])(?:[:.u]([0-5]\d)|\s*uur)(?![./-]?\d)"
)
_ISO_T = re.compile(r"(\d)t(\d)")
# Each is matched against the whole answer (``fullmatch``), never searched inside it.
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_NUMERIC = re.compile(r"(\d{1,2})[-/.](\d{1,2})(?:[-/.](\d{2}|\d{4}))?")
_WRITTEN = re.compile(r"(\d{1,2})\s+([a-z]+)\.?(?:\s+(\d{4}))?")
# Words around a date that add nothing: "op 21-11", "rond 14:00", "on the 21 nov".
_FILLER = frozenset({"om", "at", "op", "on", "the", "rond", "around", "ongeveer", "about", "circa"})
_PAST_WORDS = ("afgelopen ", "vorige ", "last ")


class DateError(ValueError):
    """The text is not a date we can read, or not an acceptable one. ``key`` names the hint;
    ``options`` are the readings to choose from when the text can mean more than one."""

    def __init__(self, key: str, options: tuple[When, ...] = ()) -> None:
        super().__init__(key)
        self.key = key
        self.options = options


@dataclass(frozen=True, slots=True)
class When:
    """A local date, and the local time of day when the person gave one."""

    day: date
    at: time | None = None

    def to_json(self) -> dict[str, str | None]:
        return {
            "date": self.day.isoformat(),
            "time": self.at.strftime("%H:%M") if self.at else None,
        }

    @classmethod
    def from_json(cls, data: dict[str, str | None]) -> When:
        day = date.fromisoformat(str(data["date"]))
        raw_time = data.get("time")
        at = time.fromisoformat(raw_time) if raw_time else None
        return cls(day, at)


def _take_time(text: str) -> tuple[str, time | None]:
    for match in _TIME.finditer(text):
        hour, minute = int(match.group(1)), int(match.group(2) or 0)
        separator = text[match.start(2) - 1] if match.group(2) else ""
        said_at = match.group(0).startswith(("om", "at"))
        if separator == "." and minute <= 12 and not said_at:
            continue  # "21.11" is a date in Dutch; "14.30" or "om 10.05" is a time
        return (text[: match.start()] + " " + text[match.end() :]).strip(), time(hour, minute)
    return text, None


def _build(year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except (ValueError, OverflowError) as exc:
        raise DateError("date.invalid") from exc


def _essential(text: str) -> str:
    """The answer without the words that add nothing to the date."""
    words = [word for word in text.replace(",", " ").split() if word not in _FILLER]
    if len(words) > 1 and words[0] in WEEKDAYS:
        words = words[1:]  # "zondag 22 november": the date says which day
    return " ".join(words)


def _day_part(text: str, today: date) -> date | None:
    text = _essential(text)
    if not text:
        return None
    if text in RELATIVE_DAYS:
        return today - timedelta(days=RELATIVE_DAYS[text])
    if m := _ISO.fullmatch(text):
        return _build(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    if m := _NUMERIC.fullmatch(text):
        day, month, year_text = int(m.group(1)), int(m.group(2)), m.group(3)
        return _with_year(day, month, year_text, today)
    if (m := _WRITTEN.fullmatch(text)) and m.group(2) in MONTHS:
        return _with_year(int(m.group(1)), MONTHS[m.group(2)], m.group(3), today)
    for prefix in ("vorige week ", "last week "):
        if text.removeprefix(prefix) in WEEKDAYS and text.startswith(prefix):
            monday = today - timedelta(days=today.weekday())
            return monday - timedelta(days=7) + timedelta(days=WEEKDAYS[text[len(prefix) :]])
    for word in _PAST_WORDS:
        text = text.removeprefix(word)
    if text in WEEKDAYS:
        back = (today.weekday() - WEEKDAYS[text]) % 7
        return today - timedelta(days=back)
    raise DateError("date.unreadable")


def _with_year(day: int, month: int, year_text: str | None, today: date) -> date:
    if year_text is None:
        candidate = _build(today.year, month, day)
        # "30-12" typed on 2 January means last December, not next.
        return _build(today.year - 1, month, day) if candidate > today else candidate
    year = int(year_text) + (2000 if len(year_text) == 2 else 0)
    return _build(year, month, day)


@dataclass(frozen=True, slots=True)
class _Clock:
    """A time of day as typed: ``ambiguous`` when it names an hour of 1 to 12 without saying
    which half of the day ("3 uur", "half 8"), not when written as a clock ("09:15")."""

    hour: int
    minute: int
    ambiguous: bool


def _take_clock(text: str) -> tuple[str, _Clock | None]:
    def cut(match: re.Match[str]) -> str:
        return (text[: match.start()] + " " + text[match.end() :]).strip()

    if m := _SPOKEN.search(text):
        word, number = m.group(1), int(m.group(2))
        if 1 <= number <= 12:
            if word == "half":
                return cut(m), _Clock((number - 1) % 12 or 12, 30, True)
            if word.endswith("voor"):
                return cut(m), _Clock((number - 1) % 12 or 12, 45, True)
            return cut(m), _Clock(number, 15, True)
    if (m := _AM_PM.search(text)) and 1 <= int(m.group(1)) <= 12:
        hour = int(m.group(1)) % 12 + (12 if m.group(3) == "pm" else 0)
        return cut(m), _Clock(hour, int(m.group(2) or 0), False)
    rest, at = _take_time(text)
    if at is not None:
        spelled = not re.search(r"\d[:.u]\d", text)  # "3 uur" rather than "03:00"
        return rest, _Clock(at.hour, at.minute, spelled and 1 <= at.hour <= 12)
    for pattern in (_HOUR_U, _BARE_HOUR):
        if m := pattern.search(text):
            hour = int(m.group(1))
            return cut(m), _Clock(hour, 0, 1 <= hour <= 12)
    return text, None


def _in_part(clock: _Clock, part: str) -> time:
    hour = clock.hour % 12 if clock.ambiguous else clock.hour
    if clock.ambiguous and (
        part in ("afternoon", "evening") or (part == "night" and clock.hour >= 7)
    ):
        hour = (hour + 12) % 24 if not (part == "night" and clock.hour == 12) else 0
    return time(hour, clock.minute)


def _take_part(text: str) -> tuple[str, str | None, int | None]:
    text = _WEEKDAY_PART.sub(r"\1 \2", text)
    m = _PARTS.search(text)
    if m is None:
        return text, None, None
    part, days_back = PARTS[m.group(1)]
    return (text[: m.start()] + " " + text[m.end() :]).strip(), part, days_back


def _ago(text: str, now_local: datetime) -> When | None:
    m = _AGO.fullmatch(text)
    if m is None:
        return None
    amount = {"een": 1.0, "een half": 0.5, "half": 0.5}.get(m.group(1)) or float(m.group(1))
    unit = m.group(2)
    if unit.startswith(("min", "kwartier")):
        minutes = 15 * amount if unit == "kwartier" else amount
        moment = now_local - timedelta(minutes=minutes)
    elif unit.startswith(("uur", "uren", "hour")):
        moment = now_local - timedelta(hours=amount)
    else:
        days = amount * (7 if unit.startswith("we") else 1)
        return When((now_local - timedelta(days=days)).date())
    return When(moment.date(), moment.time().replace(second=0, microsecond=0))


def parse_when(text: str, now_local: datetime) -> When:
    """Read a typed date (and optional time) relative to ``now_local`` (the organisation's time).

    An hour said without the half of the day ("gisteren 3 uur") takes the one reading that is
    not in the future; when both are possible, :class:`DateError` ``date.which_time`` carries
    both readings to ask which (never a guess). Raises :class:`DateError` with a message key
    when the text can't be used.
    """
    folded = fold(text).strip(" .,!?")
    if not folded:
        raise DateError("date.unreadable")
    today = now_local.date()
    if folded in JUST_NOW:
        return When(today, now_local.time().replace(second=0, microsecond=0))
    if (ago := _ago(folded, now_local)) is not None:
        return _checked(ago, now_local)
    rest, clock = _take_clock(_ISO_T.sub(r"\1 \2", folded.replace("'", "")))
    rest, part, part_days = _take_part(rest)
    day = _day_part(rest, today)
    if day is None and part_days is not None:
        day = today - timedelta(days=part_days)
    if clock is None:
        if day is None:
            raise DateError("date.unreadable")
        return _checked(When(day), now_local)
    if part is not None or not clock.ambiguous:
        at = _in_part(clock, part) if part else time(clock.hour, clock.minute)
        if day is None:
            day = today
        elif part == "night" and part_days is not None and at.hour >= 18:
            day -= timedelta(days=1)  # "vannacht half 12": the evening before
        return _checked(When(day, at), now_local)
    night = time(clock.hour % 12, clock.minute)
    day_time = time(clock.hour % 12 + 12, clock.minute)
    if day is None:  # the last time each was on the clock
        readings = [
            When(today if at <= now_local.time() else today - timedelta(days=1), at)
            for at in (night, day_time)
        ]
    else:
        readings = [When(day, night), When(day, day_time)]
    possible = [w for w in readings if not _in_future(w, now_local)]
    if len(possible) == 2:
        raise DateError("date.which_time", tuple(possible))
    return _checked(possible[0] if possible else readings[0], now_local)


def _in_future(when: When, now_local: datetime) -> bool:
    today = now_local.date()
    return when.day > today or (
        when.day == today and when.at is not None and when.at > now_local.time()
    )


def _checked(when: When, now_local: datetime) -> When:
    if _in_future(when, now_local):
        raise DateError("date.future")
    if when.day < now_local.date() - timedelta(days=3653):
        raise DateError("date.too_old")
    return when


_AHEAD = re.compile(
    r"over\s+(een|\d{1,3})\s+(dagen|dag|weken|week|days?|weeks?)|in\s+(\d{1,3})\s+(days?|weeks?)"
)


def parse_day(text: str, today: date, future: bool) -> date:
    """A typed date without time: in the future (a deadline, ``future=True``; today allowed) or
    not in the future (a date something happened). Raises :class:`DateError`."""
    folded = _essential(fold(text).strip(" .,!?"))
    if not folded:
        raise DateError("date.unreadable")
    if future and folded in FUTURE_DAYS:
        return today + timedelta(days=FUTURE_DAYS[folded])
    if future and (m := _AHEAD.fullmatch(folded)):
        number, unit = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
        amount = 1 if number == "een" else int(number)
        return today + timedelta(days=amount * (7 if unit.startswith("we") else 1))
    if future and folded in WEEKDAYS:  # the next one: "vrijdag" said on a Friday is next week
        return today + timedelta(days=(WEEKDAYS[folded] - today.weekday()) % 7 or 7)
    if future and (m := _NUMERIC.fullmatch(folded) or _WRITTEN.fullmatch(folded)):
        day_text, month_text, year_text = m.group(1), m.group(2), m.group(3)
        month = int(month_text) if month_text.isdigit() else MONTHS.get(month_text, 0)
        if not month:
            raise DateError("date.unreadable")
        if year_text is None:  # "1-12" typed in November means next December 1st
            candidate = _build(today.year, month, int(day_text))
            return candidate if candidate >= today else _build(today.year + 1, month, int(day_text))
        year = int(year_text) + (2000 if len(year_text) == 2 else 0)
        day = _build(year, month, int(day_text))
    else:
        found = _day_part(folded, today)
        if found is None:
            raise DateError("date.unreadable")
        day = found
    if future and day < today:
        raise DateError("date.past")
    if not future and day > today:
        raise DateError("date.future")
    if abs((day - today).days) > 3653:
        raise DateError("date.too_old")
    return day
