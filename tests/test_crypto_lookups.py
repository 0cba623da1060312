"""The lookup hashes of addresses, kept for the next turns (storage.crypto)."""

from __future__ import annotations

import pytest

from storage import crypto


def test_kept_address_hashes_are_the_lookups_and_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    cipher = crypto.Cipher([crypto.new_key(), crypto.new_key()])
    monkeypatch.setattr(crypto, "ADDRESSES_KEPT", 2)
    first = cipher.address_lookups("telegram:1")
    assert first == cipher.lookups("telegram:1") and len(first) == 3  # two keys, no key
    first.append("changed")  # the caller's own list
    assert cipher.address_lookups("telegram:1") == cipher.lookups("telegram:1")
    cipher.address_lookups("telegram:2")
    cipher.address_lookups("telegram:3")
    assert list(cipher._addresses) == ["telegram:2", "telegram:3"]  # the oldest went
