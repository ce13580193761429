"""When a refused hold / resume re-INVITE is sent again (RFC 3261 14.1, 14.2)."""

from __future__ import annotations

import random

import pytest

from homeagent.sip.reinvite import MAX_TRIES, retry_after_s, retry_delay_s


def test_glare_waits_longer_for_the_owner_of_the_call_id() -> None:
    rng = random.Random(7)
    owner = [retry_delay_s(491, None, owns_call_id=True, tries=1, rng=rng) for _ in range(200)]
    other = [retry_delay_s(491, None, owns_call_id=False, tries=1, rng=rng) for _ in range(200)]
    assert all(d is not None and 2.1 <= d <= 4.0 for d in owner)
    assert all(d is not None and 0.0 <= d <= 2.0 for d in other)


@pytest.mark.parametrize("code", [500, 503])
def test_a_retry_after_is_honoured_up_to_ten_seconds(code: int) -> None:
    assert retry_delay_s(code, 3.0, owns_call_id=False, tries=1) == 3.0
    assert retry_delay_s(code, 11.0, owns_call_id=False, tries=1) is None
    assert retry_delay_s(code, None, owns_call_id=False, tries=1) is None


@pytest.mark.parametrize("code", [408, 480, 488, 606])
def test_other_refusals_are_final(code: int) -> None:
    assert retry_delay_s(code, 1.0, owns_call_id=True, tries=1) is None


def test_it_gives_up_after_the_last_try() -> None:
    assert retry_delay_s(491, None, owns_call_id=True, tries=MAX_TRIES - 1) is not None
    assert retry_delay_s(491, None, owns_call_id=True, tries=MAX_TRIES) is None


def test_retry_after_read_from_the_headers_only() -> None:
    msg = "SIP/2.0 500 Busy\r\nVia: x\r\nretry-after : 4;duration=10\r\n\r\nRetry-After: 9\r\n"
    assert retry_after_s(msg) == 4.0
    assert retry_after_s("SIP/2.0 500 Busy\r\nVia: x\r\n\r\nRetry-After: 9\r\n") is None
    assert retry_after_s("SIP/2.0 500 Busy\r\nRetry-After: 99999999999\r\n\r\n") is None
    assert retry_after_s("") is None
