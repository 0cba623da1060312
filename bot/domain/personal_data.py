"""Personal data that does not belong in a VIM report: a BSN (it must pass the 11-test),
phone numbers and e-mail addresses. A report is about what happened, not about who."""

from __future__ import annotations

import re

REDACTED = "[weggelaten]"

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Dutch numbers: 06-12345678, +31 6 1234 5678, 0031612345678, 020-123 4567, (010) 1234567
_PHONE = re.compile(
    r"(?<![\w+])(?:\+31|0031|0)[\s.-]?(?:\(0\)[\s.-]?)?(?:\d[\s.-]?){8}\d(?!\d)"
    r"|(?<![\w+])\(0\d{2,3}\)[\s.-]?(?:\d[\s.-]?){5,6}\d(?!\d)"
)
# nine digits, possibly grouped with dots or spaces (1234.56.789, 123 45 67 89)
_NINE_DIGITS = re.compile(r"(?<![\d.])(?:\d[\s.]?){8}\d(?![\d])")


def passes_eleven_test(digits: str) -> bool:
    """The BSN check: 9×d1 + 8×d2 + … + 2×d8 − 1×d9 is divisible by 11 (and not all zeros)."""
    if len(digits) != 9 or not digits.isdigit() or set(digits) == {"0"}:
        return False
    total = sum(int(d) * w for d, w in zip(digits, range(9, 1, -1), strict=False))
    return (total - int(digits[8])) % 11 == 0


def _bsns(text: str) -> list[re.Match[str]]:
    return [
        m for m in _NINE_DIGITS.finditer(text) if passes_eleven_test(re.sub(r"\D", "", m.group(0)))
    ]


def found(text: str) -> list[str]:
    """Which kinds of personal data the text seems to contain: bsn, phone, email."""
    kinds = []
    if _bsns(text):
        kinds.append("bsn")
    if _PHONE.search(_EMAIL.sub(" ", text)):
        kinds.append("phone")
    if _EMAIL.search(text):
        kinds.append("email")
    return kinds


def redact(text: str) -> str:
    text = _EMAIL.sub(REDACTED, text)
    for match in sorted(_bsns(text), key=lambda m: m.start(), reverse=True):
        text = text[: match.start()] + REDACTED + text[match.end() :]
    return _PHONE.sub(REDACTED, text)
