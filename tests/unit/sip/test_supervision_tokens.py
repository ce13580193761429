"""The lead side's one-time tokens: armed, used, expired, unknown-then-armed within 2 s."""

from __future__ import annotations

import secrets

import pytest

from homeagent.sip.supervision_tokens import (
    ARM_TTL_S,
    WAIT_FOR_ARM_S,
    TokenBook,
    Verdict,
    is_token,
)


def token() -> str:
    return secrets.token_urlsafe(32)


def test_an_armed_token_is_accepted_once_then_refused_at_once() -> None:
    book, t = TokenBook(), token()
    book.arm(7, t, now_s=100.0)
    first = book.check(t, first_seen_s=101.0, now_s=101.0)
    assert (first.verdict, first.session_id) == (Verdict.ACCEPT, 7)
    replay = book.check(t, first_seen_s=102.0, now_s=102.0)  # no 2 s wait for a replay
    assert (replay.verdict, replay.reason) == (Verdict.REFUSE, "token already used")
    book.arm(7, t, now_s=103.0)  # arming it again does not revive it
    assert book.check(t, 103.0, 103.0).verdict is Verdict.REFUSE


def test_an_expired_token_is_refused_at_once() -> None:
    book, t = TokenBook(), token()
    book.arm(1, t, now_s=0.0)
    late = book.check(t, first_seen_s=ARM_TTL_S + 0.1, now_s=ARM_TTL_S + 0.1)
    assert (late.verdict, late.reason) == (Verdict.REFUSE, "token expired")


def test_a_token_just_inside_its_lifetime_is_accepted() -> None:
    book, t = TokenBook(), token()
    book.arm(1, t, now_s=0.0)
    assert book.check(t, ARM_TTL_S - 0.1, ARM_TTL_S - 0.1).verdict is Verdict.ACCEPT


def test_an_unknown_token_waits_up_to_two_seconds_for_its_arming() -> None:
    book, t = TokenBook(), token()
    assert book.check(t, first_seen_s=10.0, now_s=10.0).verdict is Verdict.WAIT
    assert book.check(t, 10.0, 10.0 + WAIT_FOR_ARM_S - 0.05).verdict is Verdict.WAIT
    book.arm(3, t, now_s=11.5)  # the POST answer arrived after the stream event
    ok = book.check(t, 10.0, 11.6)
    assert (ok.verdict, ok.session_id) == (Verdict.ACCEPT, 3)


def test_an_unknown_token_is_refused_after_two_seconds() -> None:
    book, t = TokenBook(), token()
    assert book.check(t, 10.0, 11.0).verdict is Verdict.WAIT
    late = book.check(t, 10.0, 10.0 + WAIT_FOR_ARM_S)
    assert (late.verdict, late.reason) == (Verdict.REFUSE, "unknown token")


def test_a_forged_token_is_not_another_sessions_token() -> None:
    book = TokenBook()
    book.arm(1, token(), 0.0)
    assert book.check(token(), 0.0, 5.0).verdict is Verdict.REFUSE


@pytest.mark.parametrize("bad", [None, "", "short", "a" * 43 + "\r\nVia: x", "é" * 43, "a" * 200])
def test_malformed_tokens_are_refused_at_once_and_cannot_be_armed(bad: str | None) -> None:
    book = TokenBook()
    assert book.check(bad, 0.0, 0.0).verdict is Verdict.REFUSE
    if bad is not None:
        assert not is_token(bad)
        with pytest.raises(ValueError, match="token") as err:
            book.arm(1, bad, 0.0)
        assert bad not in str(err.value) or bad == ""


def test_a_withdrawn_token_is_refused() -> None:
    book, t = TokenBook(), token()
    book.arm(5, t, 0.0)
    assert book.armed_session(5)
    assert book.disarm(5)
    assert not book.armed_session(5)
    assert not book.disarm(5)
    assert book.check(t, 1.0, 1.0).verdict is Verdict.REFUSE


def test_no_token_is_kept_in_clear() -> None:
    book, t = TokenBook(), token()
    book.arm(1, t, 0.0)
    book.check(token(), 0.0, 0.0)
    assert t not in repr(vars(book))
    assert t not in repr(book._armed)


def test_the_dead_list_is_bounded() -> None:
    book = TokenBook(dead_memory=3)
    used = [token() for _ in range(5)]
    for i, t in enumerate(used):
        book.arm(i, t, 0.0)
        assert book.check(t, 0.0, 0.0).verdict is Verdict.ACCEPT
    assert len(book._dead) == 3
