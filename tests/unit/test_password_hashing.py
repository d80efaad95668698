"""Password hashes: argon2id at or above OWASP's minimum, and older parameters still verify."""

from __future__ import annotations

from argon2 import PasswordHasher, extract_parameters
from argon2.low_level import Type

from engine.services.users.accounts import hash_password, verify_password


def test_hashes_are_argon2id_at_or_above_the_owasp_minimum() -> None:
    found = extract_parameters(hash_password("correct horse"))
    assert found.type is Type.ID
    assert found.memory_cost >= 19 * 1024 and found.time_cost >= 2 and found.parallelism >= 1


def test_a_hash_made_with_the_library_defaults_still_verifies() -> None:
    older = PasswordHasher().hash("correct horse")
    assert verify_password(older, "correct horse")
    assert not verify_password(older, "wrong")
