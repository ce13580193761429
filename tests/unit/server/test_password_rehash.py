"""Stored password hashes follow the server's argon2id costs at the next login."""

from __future__ import annotations

from argon2 import PasswordHasher

from homeagent.server.auth import hash_password, needs_rehash, verify_password


def test_own_hash_is_current_and_verifies() -> None:
    h = hash_password("s3cret-phrase")
    assert verify_password(h, "s3cret-phrase")
    assert not needs_rehash(h)


def test_hash_with_other_costs_is_flagged_for_rehash() -> None:
    other = PasswordHasher(time_cost=5, memory_cost=16 * 1024, parallelism=2).hash("pw")
    assert verify_password(other, "pw")  # still verifies: costs live in the hash
    assert needs_rehash(other)


def test_garbage_hash_is_flagged_not_raised() -> None:
    assert needs_rehash("not-a-hash")
    assert not verify_password("not-a-hash", "pw")
