"""Agent presence: the states of UX.md and the transitions allowed between them."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class AgentState(enum.Enum):
    """Presence of an agent. The wire value is shared with the server's API."""

    OFFLINE = "offline"
    AVAILABLE = "available"
    BREAK = "break"  # with a reason
    NOT_READY = "not_ready"  # set aside after a missed call (RONA)
    RINGING = "ringing"
    ON_CALL = "on_call"
    WRAP_UP = "wrap_up"

    @property
    def accepts_calls(self) -> bool:
        """Whether the queue may offer this agent a new call."""
        return self is AgentState.AVAILABLE

    @property
    def is_automatic(self) -> bool:
        """States the app sets itself (the agent cannot pick them in the presence menu)."""
        return self in _AUTOMATIC


# Reason of NOT_READY after a call rang out unanswered (RONA); the server uses the same word
# (homeagent.server.state.RONA_REASON) and counts such segments as missed calls.
RONA_REASON = "missed"

_AUTOMATIC = frozenset({AgentState.RINGING, AgentState.ON_CALL, AgentState.WRAP_UP})

_S = AgentState
ALLOWED_TRANSITIONS: dict[AgentState, frozenset[AgentState]] = {
    _S.OFFLINE: frozenset({_S.AVAILABLE, _S.BREAK}),
    _S.AVAILABLE: frozenset({_S.BREAK, _S.OFFLINE, _S.RINGING, _S.ON_CALL}),
    _S.BREAK: frozenset({_S.AVAILABLE, _S.OFFLINE, _S.ON_CALL}),  # ON_CALL: outbound call
    _S.NOT_READY: frozenset({_S.AVAILABLE, _S.BREAK, _S.OFFLINE, _S.ON_CALL}),
    _S.RINGING: frozenset({_S.ON_CALL, _S.AVAILABLE, _S.NOT_READY, _S.BREAK, _S.OFFLINE}),
    _S.ON_CALL: frozenset({_S.WRAP_UP, _S.AVAILABLE, _S.BREAK, _S.OFFLINE}),
    _S.WRAP_UP: frozenset({_S.AVAILABLE, _S.BREAK, _S.OFFLINE, _S.ON_CALL}),
}


class InvalidTransition(ValueError):
    """A state change the state machine does not allow."""


@dataclass(frozen=True, slots=True)
class Presence:
    """A state with its reason (for BREAK and NOT_READY) and since when (epoch seconds)."""

    state: AgentState
    reason: str = ""
    since_s: float = 0.0

    def to(self, state: AgentState, *, reason: str = "", at_s: float) -> Presence:
        """Return the presence after moving to `state`, or raise InvalidTransition."""
        if state is self.state and reason == self.reason:
            return self
        if state is not self.state and state not in ALLOWED_TRANSITIONS[self.state]:
            raise InvalidTransition(f"{self.state.value} -> {state.value} is not allowed")
        if state is AgentState.BREAK and not reason:
            raise InvalidTransition("a break needs a reason")
        return Presence(state, reason if state in (_S.BREAK, _S.NOT_READY) else "", at_s)
