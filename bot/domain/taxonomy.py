"""The one table of report categories, who can be affected, and how bad the harm was.

Categories are those of a real VIM annual report (seeds/003) plus the examples of the
policy text (seeds/002). Labels live in the message catalogue under ``category.<code>``;
the keyword patterns (Dutch and English) let the bot suggest categories from the
description, so that usually one tap confirms.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.domain.text import fold


@dataclass(frozen=True, slots=True)
class Category:
    code: str
    source: str  # which seed it comes from: "003" (annual report) or "002" (policy)
    pattern: str  # regular expression on the folded description; "" = never suggested
    # Who is typically affected by this kind of event (a hint for the next question).
    affects: tuple[str, ...] = ()


CATEGORIES: tuple[Category, ...] = (
    Category(
        "fall",
        "002",
        r"\b(val|valt|viel|vielen|gevallen|uitgegleden|gestruikeld|struikel\w*"
        r"|fall|fell|fallen|slipped)\b",
        ("client",),
    ),
    Category(
        "medication_error",
        "002",
        r"\b(medicatie\w*|medicijn\w*|pil|pillen|tablet\w*|dosis"
        r"|insuline|morfine|medication|dose|pills?)\b",
        ("client",),
    ),
    Category(
        "medication_dispensing",
        "003",
        r"\b(medicatie ?(vergeten|niet gegeven|te laat)"
        r"|vergeten (te )?(geven|toedienen)|niet uitgereikt|missed dose)\b",
        ("client",),
    ),
    Category(
        "verbal_aggression",
        "003",
        r"\b(uitgescholden|scheld\w*|schold|geschreeuwd|schreeuw\w*"
        r"|tier\w*|shouted|yelled|swore|verbal\w*)\b",
        ("employee",),
    ),
    Category(
        "nonverbal_aggression",
        "003",
        r"\b(gespuugd|spuug\w*|spuwde|dreigend gebaar"
        r"|middelvinger|spat|gesture)\b",
        ("employee",),
    ),
    Category(
        "physical_aggression",
        "003",
        r"\b(geslagen|sloeg|slaan|schop\w*|geschopt|geduwd"
        r"|duwde|gebeten|beet|gekrabd|krab\w*|knijp\w*|hit|kicked|pushed|bit|punched)\b",
        ("employee",),
    ),
    Category(
        "threat",
        "003",
        r"\b(bedreig\w*|dreig\w*|mes|wapen|threat\w*|knife|weapon)\b",
        ("employee",),
    ),
    Category(
        "transgressive_behaviour",
        "003",
        r"\b(seksu\w*|betast\w*|intimid\w*|grensover\w*"
        r"|ongewenst\w*|harass\w*|groped)\b",
        ("employee",),
    ),
    Category("discrimination", "002", r"\b(discrimin\w*|racis\w*|racist\w*)\b", ("employee",)),
    Category(  # §3: grensoverschrijdend gedrag includes "pestgedrag"
        "bullying",
        "002",
        r"\b(pest|pesten|pestte\w*|pestgedrag|gepest|getreiter\w*|treiter\w*"
        r"|buitengesloten|bull(y|ied|ies|ying)|mobbing)\b",
        ("employee",),
    ),
    Category(
        "privacy", "002", r"\b(privacy|datalek|dossier|gegevens|verkeerde adres|data breach)\b", ()
    ),
    Category(
        "accident",
        "003",
        r"\b(ongeval|ongeluk|prikaccident|naald\w*|gesneden|snijwond"
        r"|accident|needle\w*|injury)\b",
        ("employee",),
    ),
    Category("near_accident", "003", r"\b(bijna|net op tijd|near miss|almost)\b", ()),
    Category(
        "wrong_procedure",
        "002",
        r"\b(verkeerde handeling|verkeerd uitgevoerd"
        r"|wrong procedure)\b",
        ("client",),
    ),
    Category(
        "harmful_substance",
        "002",
        r"\b(schoonmaakmiddel\w*|chemisch\w*|ingeslikt|gif\w*"
        r"|bleek|swallowed|poison\w*|chemical\w*)\b",
        ("client",),
    ),
    Category(
        "fire_burn",
        "002",
        r"\b(brand|vuur|rook|verbrand\w*|brandwond\w*|heet water|fire"
        r"|smoke|burn\w*)\b",
        (),
    ),
    Category(
        "suspected_abuse",
        "002",
        r"\b(misbruik\w*|mishandel\w*|blauwe plekken"
        r"|verwaarloos\w*|abuse\w*|neglect\w*)\b",
        ("client",),
    ),
    Category(
        "suicide_attempt", "003", r"\b(suicid\w*|zelfmoord\w*|tentamen|suicide)\b", ("client",)
    ),
    Category("other", "003", ""),
)

CATEGORY_CODES: tuple[str, ...] = tuple(c.code for c in CATEGORIES)
OTHER = "other"
_BY_CODE = {c.code: c for c in CATEGORIES}
_COMPILED = {c.code: re.compile(c.pattern) for c in CATEGORIES if c.pattern}

# Who was affected; decides MIC (client) versus MIM (employee).
NEAR_MISS = "near_accident"  # the category "Bijna ongeval"; the harm answer "near_miss" is it too

AFFECTED: tuple[str, ...] = ("client", "employee", "someone_else")

# Harm, from least to most; serious harm or death marks a possible calamity.
HARM_LEVELS: tuple[str, ...] = ("near_miss", "none", "minor", "serious", "death")
HARMED: frozenset[str] = frozenset({"minor", "serious", "death"})
CALAMITY_HARM: frozenset[str] = frozenset({"serious", "death"})

FIRST_AID: tuple[str, ...] = ("given", "not_needed", "emergency_called")
CONTACT_WISHES: tuple[str, ...] = ("team_leader", "confidential_adviser", "none")

_CLIENT_WORDS = re.compile(
    r"\b(client\w*|mevrouw|meneer|mevr|dhr|bewoner\w*|patient\w*|resident|zorgvrager)\b"
)
_EMPLOYEE_WORDS = re.compile(r"\b(ik|mij|me|mijn|collega\w*|medewerker\w*|colleague|staff)\b")


def category(code: str) -> Category:
    return _BY_CODE[code]


def suggest_categories(description: str) -> list[str]:
    """Categories whose words occur in the description, in table order."""
    folded = fold(description)
    return [code for code, rx in _COMPILED.items() if rx.search(folded)]


def suggest_affected(description: str, categories: list[str]) -> list[str]:
    """Who was probably affected, from the categories chosen and the words used.

    Aggression categories point at an employee even when a client is named (the client is
    then usually the one who acted); medication or a fall points at the client.
    """
    hinted = {who for code in categories if code in _BY_CODE for who in _BY_CODE[code].affects}
    if len(hinted) == 1:
        return list(hinted)
    folded = fold(description)
    found = set()
    if _CLIENT_WORDS.search(folded):
        found.add("client")
    if "employee" in hinted and _EMPLOYEE_WORDS.search(folded):
        found.add("employee")
    return [who for who in AFFECTED if who in found]
