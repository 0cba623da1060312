"""The one table of report categories, who can be affected, and how bad the harm was.

Categories are those of a real VIM annual report (seeds/003) plus the examples of the
policy text (seeds/002). Labels live in the message catalogue under ``category.<code>``;
the keyword patterns (Dutch and English) let the bot suggest categories from the
description, so that usually one tap confirms.
"""

from __future__ import annotations

import functools
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
    # A match of ``pattern`` that lies inside a match of ``unless`` does not count: the same
    # word in another sense ("viel me op", "rook naar alcohol", "dreigend gebaar").
    unless: str = ""
    # Categories that this one replaces when both are found (the more precise one wins).
    supersedes: tuple[str, ...] = ()


CATEGORIES: tuple[Category, ...] = (
    Category(
        "fall",
        "002",
        r"\b(val|valt|viel|vielen|gevallen|vallen|valpartij\w*|uitgegleden|gegleden|gleed"
        r"|gestruikeld|struikel\w*|uit bed (gerold|gegleden)|lag op de (grond|vloer)"
        r"|op de (grond|vloer) (gevonden|aangetroffen)|fall|fell|fallen|slipped|tripped)\b",
        ("client",),
        unless=r"\b(viel|vielen|valt|vallen|gevallen)( \w+){0,2} (op|uit|aan|mee|tegen)\b"
        r"(?! (bed|de|het|zijn|haar|een)\b)"
        r"|\b(tablet\w*|pil|pillen|medicatie|bord|beker|kopje|telefoon|bril|\w*zakje)"
        r"( \w+){0,2} (viel|vielen|gevallen|valt)\b|\bin slaap (\w+ )?(vallen|gevallen|viel)\b",
    ),
    Category(
        "medication_error",
        "002",
        r"\b(\w*medicatie\w*|medicijn\w*|pil|pillen|tablet\w*|dosis|baxter\w*|weekdoos"
        r"|insuline|morfine|medication|dose|pills?)\b",
        ("client",),
    ),
    Category(
        "medication_dispensing",
        "003",
        r"\b((\w*medicatie\w*|medicijn\w*|pil|pillen|insuline|tablet\w*)( \w+){0,2}"
        r" (niet|te laat) (gegeven|gekregen|geleverd|toegediend|ingenomen|uitgereikt)"
        r"|geen (medicatie|medicijnen|pillen|insuline) (\w+ )?(gehad|gekregen)"
        r"|\w*medicatie ?(vergeten|niet gegeven|te laat)"
        r"|vergeten (te )?(geven|toedienen)|niet uitgereikt|missed dose)\b",
        ("client",),
        supersedes=("medication_error",),
    ),
    Category(
        "verbal_aggression",
        "003",
        r"\b(uitgescholden|scheld\w*|schold|geschreeuwd|schreeuw\w*|tekeer|beledig\w*"
        r"|vloek\w*|tier\w*|viel tegen (\w+ ){0,2}uit|viel (\w+ )?uit tegen|uitgevallen tegen"
        r"|noemde (mij|me|haar|hem) een|shouted|yelled|swore|verbal\w*)\b",
        ("employee",),
    ),
    Category(
        "nonverbal_aggression",
        "003",
        r"\b(gespuugd|bespuugd|spuug\w*|spuwde|dreigend\w* (gebaar|gebaren|blik|houding)"
        r"|middelvinger|smeet|gesmeten|gooide (met )?spullen|sloeg (\w+ )?met de deur\w*"
        r"|sloeg (\w+ )?op (de )?tafel|trapte tegen (de|een) (deur|muur|kast)|spat|gesture)\b",
        ("employee",),
    ),
    Category(
        "physical_aggression",
        "003",
        r"\b(geslagen|sloeg|slaan|schop\w*|geschopt|geduwd|duwde|gebeten|beet|gekrabd"
        r"|krab\w*|knijp\w*|kneep|geknepen|klap|vuistslag|trok aan|viel (\w+ )?aan"
        r"|aangevallen|hit|kicked|pushed|bit|punched)\b",
        ("employee",),
        unless=r"\bsloeg (\w+ )?(met de deur\w*|op (de )?tafel)"
        r"|\bdreig\w* (\w+ ){0,2}te (slaan|schoppen|duwen)\b"
        r"|\bgebeten door (de|een) (hond|kat)\b",
    ),
    Category(
        "threat",
        "003",
        r"\b(bedreig\w*|dreig\w*|mes|wapen|opwachten|kapot (zou |gaan )?maken"
        r"|threat\w*|knife|weapon)\b",
        ("employee",),
        unless=r"\bdreigend\w* (gebaar|gebaren|blik|houding)\b|\bdreigde (\w+ )?te vallen\b"
        r"|\b(sneed|snijd\w*|gesneden)( \w+){0,4} mes\b|\bmes en vork\b",
    ),
    Category(
        "transgressive_behaviour",
        "003",
        r"\b(seksu\w*|betast\w*|\w*intimid\w*|grensover\w*|zoenen|te dichtbij"
        r"|aan (mij|me|haar) (zitten|zat)|ongewenst\w*|harass\w*|groped)\b",
        ("employee",),
    ),
    Category("discrimination", "002", r"\b(\w*discrimin\w*|racis\w*|racist\w*)\b", ("employee",)),
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
        r"\b(\w*ongeval\w*|\w*ongeluk|prikaccident|\w*naald\w*|gesneden|sneed|snijwond"
        r"|verdraaid|verstapt|klem|klemde|bekneld|stootte|gestoten"
        r"|gebeten door (de|een) (hond|kat)|accident|needle\w*|injury)\b",
        ("employee",),
    ),
    Category(
        "near_accident",
        "003",
        r"\b(bijna (\w+ ){0,3}(gevallen|vallen|gegeven|toegediend|verkeerde|verkeerd|geprikt"
        r"|verbrand|gestikt|verslikt|fout|mis|ongeluk|ongeval|prikaccident|aangereden|ingeslikt)"
        r"|net (op tijd|goed)|op tijd (gezien|ontdekt|opgemerkt|gemerkt)|zag op tijd"
        r"|(kon|konden) (\w+ ){0,2}opvangen|had (\w+ ){0,3}kunnen (vallen|gebeuren)"
        r"|dreigde (\w+ )?te vallen|near miss|almost|nearly)\b",
        (),
    ),
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
        r"\b(\w*brand\w*|vuur|rookontwikkeling|rook (uit|in|op|kwam)|(heet|hete|kokend\w*)"
        r" (\w+ )?(thee|koffie|water|kraan|soep|pan|douche)|kaars\w*|fire|smoke|burn\w*)\b",
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
        "suicide_attempt",
        "003",
        r"\b(suicid\w*|zelfmoord\w*|tentamen|suicide)\b",
        ("client",),
        supersedes=("medication_error",),
    ),
    Category("other", "003", ""),
)

CATEGORY_CODES: tuple[str, ...] = tuple(c.code for c in CATEGORIES)
OTHER = "other"
_BY_CODE = {c.code: c for c in CATEGORIES}
_COMPILED = {c.code: re.compile(c.pattern) for c in CATEGORIES if c.pattern}
_UNLESS = {c.code: re.compile(c.unless) for c in CATEGORIES if c.unless}
# A word denied just before (at most one word between): "niet gevallen", "geen brand".
_DENIED = re.compile(r"\b(niet|geen|nooit|not|no|never)( \w+)? ?$")

# Who was affected; decides MIC (client) versus MIM (employee).
NEAR_MISS = "near_accident"  # the category "Bijna ongeval"; the harm answer "near_miss" is it too

AFFECTED: tuple[str, ...] = ("client", "employee", "someone_else")

# Harm, from least to most; serious harm or death marks a possible calamity. "unknown" is a
# witness's "weet ik niet": no calamity by itself, but the leader is asked to find out.
HARM_LEVELS: tuple[str, ...] = ("near_miss", "none", "minor", "serious", "death", "unknown")
HARM_UNKNOWN = "unknown"
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
    """Categories whose words occur in the description, in table order.

    A word does not count when it is denied just before ("niet gevallen", "geen brand") or
    used in another sense (the category's ``unless``); a more precise category replaces the
    general one it supersedes (medication forgotten is not also a medication error). Measured
    on a labelled set in tests/corpus/test_categories.py.
    """
    return list(_suggested(description))


# A turn's conditions ask for the same description's categories several times: the last one
# is kept (in memory only) for the next time.
@functools.lru_cache(maxsize=1)
def _suggested(description: str) -> tuple[str, ...]:
    folded = fold(description)
    found = [code for code, rx in _COMPILED.items() if _counts(code, rx, folded)]
    replaced = {gone for code in found for gone in _BY_CODE[code].supersedes}
    return tuple(code for code in found if code not in replaced)


def _counts(code: str, rx: re.Pattern[str], folded: str) -> bool:
    unless = _UNLESS.get(code)
    other_senses = [(m.start(), m.end()) for m in unless.finditer(folded)] if unless else []
    for match in rx.finditer(folded):
        if any(start <= match.start() and match.end() <= end for start, end in other_senses):
            continue
        if _DENIED.search(folded, 0, match.start()):
            continue
        return True
    return False


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
