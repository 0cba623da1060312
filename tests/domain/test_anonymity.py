from __future__ import annotations

from bot.domain.anonymity import ALPHABET, ENTROPY_BITS, hash_code, new_code, verify_code


def test_codes_are_long_unambiguous_and_distinct() -> None:
    codes = {new_code() for _ in range(200)}
    assert len(codes) == 200
    assert ENTROPY_BITS >= 60
    for code in codes:
        groups = code.split("-")
        assert [len(g) for g in groups] == [4, 4, 4, 4]
        assert set("".join(groups)) <= set(ALPHABET)
        assert not set("ILOU") & set(code)


def test_hash_verifies_forgiving_typing_and_rejects_others() -> None:
    code = new_code()
    stored = hash_code(code)
    assert code not in stored and stored.startswith("scrypt$")
    assert verify_code(code.lower().replace("-", " "), stored)
    assert not verify_code(new_code(), stored)
    assert hash_code(code) != stored  # salted
