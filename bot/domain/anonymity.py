"""Private codes for anonymous reporters.

A code is the only link between an anonymous reporter and their report. It is easy to type
on a phone (Crockford's base-32 alphabet: no I, L, O or U, case-insensitive), carries 80 bits
of entropy, and the database keeps only a salted scrypt hash of it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_GROUPS, _GROUP_LEN = 4, 4  # 16 characters of 5 bits each
ENTROPY_BITS = _GROUPS * _GROUP_LEN * 5  # 80 bits
_CONFUSABLE = str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V"})
# scrypt cost: ~16 MiB and tens of milliseconds per check — slow for guessing, fine per person.
_N, _R, _P = 2**14, 8, 1


def new_code() -> str:
    """A fresh code such as ``7KQ2-M9XD-4RTB-0HVE``."""
    value = secrets.randbits(ENTROPY_BITS)
    chars = []
    for _ in range(_GROUPS * _GROUP_LEN):
        chars.append(ALPHABET[value & 31])
        value >>= 5
    raw = "".join(reversed(chars))
    return "-".join(raw[i : i + _GROUP_LEN] for i in range(0, len(raw), _GROUP_LEN))


def normalise_code(typed: str) -> str:
    """What a person typed, as the canonical code (spaces, dashes and case don't matter)."""
    cleaned = "".join(ch for ch in typed.upper() if ch.isalnum()).translate(_CONFUSABLE)
    return "-".join(cleaned[i : i + _GROUP_LEN] for i in range(0, len(cleaned), _GROUP_LEN))


def looks_like_code(typed: str) -> bool:
    """Whether a typed text has the shape of a code (says nothing about whether it is one)."""
    code = normalise_code(typed)
    return len(code) == _GROUPS * _GROUP_LEN + _GROUPS - 1 and all(
        ch in ALPHABET for ch in code.replace("-", "")
    )


def coarse(moment: datetime) -> datetime:
    """A moment kept no finer than the hour: what is stored and said about an anonymous
    report, so no time can be matched with who was typing to the bot."""
    return moment.replace(minute=0, second=0, microsecond=0)


def hash_code(code: str, salt: bytes | None = None) -> str:
    """``scrypt$<salt hex>$<hash hex>`` for storage."""
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(
        normalise_code(code).encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32, maxmem=64 * 2**20
    )
    return f"scrypt${salt.hex()}${digest.hex()}"


def verify_code(code: str, stored: str) -> bool:
    scheme, salt_hex, digest_hex = stored.split("$")
    if scheme != "scrypt":
        return False
    expected = hash_code(code, bytes.fromhex(salt_hex)).split("$")[2]
    return hmac.compare_digest(expected, digest_hex)
