from __future__ import annotations

import pytest

from homeagent.core.agent_state import AgentState, InvalidTransition, Presence


def test_available_to_break_keeps_reason_and_time() -> None:
    p = Presence(AgentState.AVAILABLE).to(AgentState.BREAK, reason="Déjeuner", at_s=10.0)
    assert (p.state, p.reason, p.since_s) == (AgentState.BREAK, "Déjeuner", 10.0)


def test_break_needs_a_reason() -> None:
    with pytest.raises(InvalidTransition, match="reason"):
        Presence(AgentState.AVAILABLE).to(AgentState.BREAK, at_s=1.0)


def test_offline_cannot_ring() -> None:
    with pytest.raises(InvalidTransition, match="offline -> ringing"):
        Presence(AgentState.OFFLINE).to(AgentState.RINGING, at_s=1.0)


def test_same_state_is_a_no_op() -> None:
    p = Presence(AgentState.AVAILABLE, since_s=5.0)
    assert p.to(AgentState.AVAILABLE, at_s=9.0) is p


def test_reason_dropped_outside_break() -> None:
    p = Presence(AgentState.BREAK, "Pause", 1.0).to(AgentState.AVAILABLE, reason="x", at_s=2.0)
    assert p.reason == ""


def test_only_available_accepts_calls() -> None:
    assert [s for s in AgentState if s.accepts_calls] == [AgentState.AVAILABLE]
