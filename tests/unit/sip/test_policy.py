"""Admission of incoming INVITEs, rejection pacing, registration reports."""

from __future__ import annotations

import pytest

from homeagent.core.events import RegistrationState
from homeagent.sip.policy import (
    FLOOD_BUDGET,
    FLOOD_WINDOW_S,
    RING,
    FloodGuard,
    RejectPacer,
    admit,
    registration_event,
    retry_delay_s,
)

TRUSTED = frozenset({"10.0.0.1"})


def _admit(**kw: object) -> object:
    args: dict[str, object] = dict(
        source_host="10.0.0.1", trusted_hosts=TRUSTED, available=True, active_calls=0,
        max_calls=2,
    )  # fmt: skip
    args.update(kw)
    return admit(**args)  # type: ignore[arg-type]


def test_admit_rings_a_call_from_the_proxy() -> None:
    assert _admit() == RING
    assert RING.rings


def test_untrusted_source_is_403_before_anything_else() -> None:
    decision = _admit(source_host="6.6.6.6", available=False, active_calls=9)
    assert decision.code == 403  # type: ignore[attr-defined]


def test_not_available_is_486() -> None:
    assert _admit(available=False).code == 486  # type: ignore[attr-defined]


def test_capacity_is_486() -> None:
    assert _admit(active_calls=1) == RING
    decision = _admit(active_calls=2)
    assert decision.code == 486  # type: ignore[attr-defined]
    assert "too many" in decision.reason  # type: ignore[attr-defined]


def test_reject_pacer_allows_budget_per_sliding_window() -> None:
    pacer = RejectPacer(budget=2, window_s=1.0)
    assert pacer.try_take(0.0)
    assert pacer.try_take(0.1)
    assert not pacer.try_take(0.5)
    assert pacer.try_take(1.0)  # the first one left the window
    assert not pacer.try_take(1.05)
    with pytest.raises(ValueError):
        RejectPacer(budget=0)


def test_retry_delay_first_then_interval() -> None:
    assert retry_delay_s(1, 3, 20) == 3
    assert retry_delay_s(2, 3, 20) == 20
    assert retry_delay_s(7, 3, 20) == 20


def _reg(code: int, failures: int = 1, expiration_s: int = 300, transport_error: str = ""):  # type: ignore[no-untyped-def]
    return registration_event(
        aor="sip:1@x", code=code, reason="R", expiration_s=expiration_s,
        transport_error=transport_error, failures=failures, first_retry_s=3,
        retry_interval_s=20,
    )  # fmt: skip


def test_registration_success_and_unregistration() -> None:
    assert _reg(200).state is RegistrationState.REGISTERED
    assert _reg(200, expiration_s=0).state is RegistrationState.UNREGISTERED


def test_auth_failure_is_final_and_says_why() -> None:
    event = _reg(401)
    assert event.state is RegistrationState.FAILED
    assert event.next_retry_s is None
    assert "authentication failed" in event.reason


@pytest.mark.parametrize("code", [408, 480, 500, 502, 503, 504, 603])
def test_transient_failures_are_retried_first_soon_then_slower(code: int) -> None:
    assert _reg(code, failures=1).next_retry_s == 3
    assert _reg(code, failures=2).next_retry_s == 20


def test_transport_error_leads_the_reason() -> None:
    event = _reg(502, transport_error="TLS certificate of the registrar refused: expired")
    assert event.reason.startswith("TLS certificate of the registrar refused: expired (")


def test_flood_guard_pauses_reads_for_one_window() -> None:
    flood = FloodGuard()
    for i in range(FLOOD_BUDGET - 1):
        flood.note_arrival(10.0 + i * 0.01)
    assert not flood.flooded(10.1)
    flood.note_arrival(10.1)
    assert flood.flooded(10.1)
    assert flood.flooded(10.0 + FLOOD_WINDOW_S - 0.01)
    assert not flood.flooded(10.1 + FLOOD_WINDOW_S)
