"""Tokens and password hashing of homeagent.server.auth."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from homeagent.server.auth import (
    FailureWindow,
    TokenError,
    hash_password,
    issue_access_token,
    new_refresh_token,
    read_access_token,
    refresh_hash,
    verify_password,
)


def test_access_token_round_trip_and_tamper() -> None:
    token = issue_access_token("secret", "u1", "d1", 60)
    claims = read_access_token("secret", token)
    assert (claims.user_id, claims.device_id) == ("u1", "d1")
    with pytest.raises(TokenError) as err:
        read_access_token("other-secret", token)
    assert err.value.code == "invalid_token"
    body, sig = token.split(".")
    with pytest.raises(TokenError):
        read_access_token("secret", body + "x." + sig)
    with pytest.raises(TokenError):
        read_access_token("secret", "garbage")


def test_expired_token_says_refresh() -> None:
    token = issue_access_token("secret", "u1", "d1", -1)
    with pytest.raises(TokenError) as err:
        read_access_token("secret", token)
    assert err.value.code == "token_expired"


def test_argon2id_hash_verifies() -> None:
    h = hash_password("correct horse")
    assert h.startswith("$argon2id$")
    assert verify_password(h, "correct horse")
    assert not verify_password(h, "wrong")
    assert not verify_password(None, "anything")
    assert not verify_password("not-a-hash", "x")


def test_without_the_test_switch_hashes_have_the_rfc_9106_low_memory_costs() -> None:
    """The suite hashes cheaply (tests/conftest.py): a process without the switch, as in
    production, hashes with RFC 9106's low-memory profile (argon2id, 64 MiB, t=3, p=4)."""
    env = {k: v for k, v in os.environ.items() if k != "HOMEAGENT_ARGON2_CHEAP"}
    code = "from homeagent.server.auth import hash_password; print(hash_password('pw'))"
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert os.environ["HOMEAGENT_ARGON2_CHEAP"] == "1"
    assert hash_password("pw").startswith("$argon2id$v=19$m=8192,t=1,p=1$")


def test_refresh_token_is_stored_hashed() -> None:
    token, digest = new_refresh_token()
    assert digest == refresh_hash(token)
    assert token not in digest


def test_failure_window_blocks_then_forgets() -> None:
    window = FailureWindow(limit=3, window_s=0.2)
    for _ in range(3):
        assert not window.blocked("10.0.0.1")
        window.record("10.0.0.1")
    assert window.blocked("10.0.0.1")
    assert not window.blocked("10.0.0.2")
    time.sleep(0.25)
    assert not window.blocked("10.0.0.1")


def test_account_backoff_doubles_then_forgets() -> None:
    from homeagent.server.auth import AccountBackoff

    now = [1000.0]
    b = AccountBackoff(free=2, base_s=10, max_s=25, memory_s=100, clock=lambda: now[0])
    for _ in range(2):
        assert b.wait_s("x") == 0
        b.failed("x")
    assert b.wait_s("x") == 10  # third failure onwards waits
    b.failed("x")
    assert b.wait_s("x") == 20
    b.failed("x")
    assert b.wait_s("x") == 25  # capped
    now[0] += 25
    assert b.wait_s("x") == 0
    b.failed("x")
    now[0] += 101
    assert b.wait_s("x") == 0  # forgotten after memory_s
    assert b.wait_s("unknown-name") == 0
