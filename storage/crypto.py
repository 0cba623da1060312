"""Encryption at rest for report texts and reporters' identities.

Keys come from ``VIMBOT_ENCRYPTION_KEY``: one Fernet key, or several separated by commas
(the first encrypts; all decrypt), which is how a key is rotated: put the new key first,
run ``vimbot privacy rotate-key``, then drop the old one.

Encrypted values are stored as ``enc1:<token>``; values without the prefix are plaintext
written before a key was set (they stay readable, and rotation encrypts them). Lookups by
an address, a chat or an anonymous code use a keyed hash (HMAC-SHA256), never the value
itself. A hash is written with the first key; queries match the hash under every configured
key (:meth:`Cipher.lookups`), so rows hashed before a rotation are still found, and
``rotate-key`` rewrites the hashes it can compute again (not those of anonymous codes: the
code itself is never stored).
"""

from __future__ import annotations

import hashlib
import hmac
from collections import OrderedDict

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

PREFIX = "enc1:"
_NO_KEY_SALT = b"vimbot-lookup-without-a-key"


class KeyError_(ValueError):
    """A configured key is not a valid Fernet key."""


class Cipher:
    __slots__ = ("_addresses", "_fernet", "_lookup_keys")

    def __init__(self, keys: list[str] | None = None) -> None:
        keys = [k.strip() for k in (keys or []) if k.strip()]
        try:
            self._fernet = MultiFernet([Fernet(k.encode()) for k in keys]) if keys else None
        except (ValueError, TypeError) as exc:
            raise KeyError_(
                "VIMBOT_ENCRYPTION_KEY is not a valid key: make one with `vimbot privacy new-key`"
            ) from exc
        # the first key writes; every key (and the key-less salt, for rows hashed before a
        # key was set) still finds
        derived = [hashlib.sha256(b"vimbot-lookup:" + k.encode()).digest() for k in keys]
        self._lookup_keys = list(dict.fromkeys([*derived, _NO_KEY_SALT]))
        self._addresses: OrderedDict[str, list[str]] = OrderedDict()

    @property
    def enabled(self) -> bool:
        return self._fernet is not None

    def encrypt(self, text: str) -> str:
        if self._fernet is None:
            return text
        return PREFIX + self._fernet.encrypt(text.encode()).decode()

    def decrypt(self, stored: str) -> str:
        if not stored.startswith(PREFIX):
            return stored  # written before a key was set
        if self._fernet is None:
            raise InvalidToken("encrypted data, but no VIMBOT_ENCRYPTION_KEY is set")
        return self._fernet.decrypt(stored[len(PREFIX) :].encode()).decode()

    def rotate(self, stored: str) -> str:
        """Re-encrypt with the first key (plaintext gets encrypted)."""
        return self.encrypt(self.decrypt(stored))

    def lookup(self, value: str) -> str:
        """The hash to write (first key)."""
        return hmac.new(self._lookup_keys[0], value.encode(), hashlib.sha256).hexdigest()

    @property
    def lookup_count(self) -> int:
        """How many hashes :meth:`lookups` gives."""
        return len(self._lookup_keys)

    def lookups(self, value: str) -> list[str]:
        """The hashes to look for: under every configured key, the writing one first."""
        return [hmac.new(k, value.encode(), hashlib.sha256).hexdigest() for k in self._lookup_keys]

    def address_lookups(self, address: str) -> list[str]:
        """:meth:`lookups` of a person's or a chat's address, kept for the next turns (a
        person writes several in a row): in this process's memory only, the most recent
        ``ADDRESSES_KEPT``. Not for codes or other secrets."""
        known = self._addresses.get(address)
        if known is not None:
            self._addresses.move_to_end(address)
            return list(known)
        hashes = self.lookups(address)
        self._addresses[address] = hashes
        if len(self._addresses) > ADDRESSES_KEPT:
            self._addresses.popitem(last=False)
        return list(hashes)


ADDRESSES_KEPT = 4096

_current = Cipher()


def configure(keys: str | list[str] | None) -> Cipher:
    """Set the process's keys (from the configuration at start-up)."""
    global _current
    if isinstance(keys, str):
        keys = keys.split(",")
    _current = Cipher(keys or [])
    return _current


def current() -> Cipher:
    return _current


def new_key() -> str:
    return Fernet.generate_key().decode()
