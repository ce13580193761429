"""Which agent-state events from the server's stream the desk should apply (Qt-free).

The desk publishes the agent's own presence changes (PUT through the outbox) and the
server echoes each one on the event stream. An event the server produced before it
applied our latest PUT is stale: the PUT supersedes it. Applying it would make the desk
publish that old state again, and two states would chase each other for ever — seen
after a re-enrolment, whose fresh stream replays the agent's whole state history.

So after publishing a presence the agent chose, events are ignored until its echo
arrives, or until `echo_timeout_s` passed (the server may refuse the PUT, or find the
state unchanged and send nothing). States the app sets by itself (ringing, on call,
wrap-up) are driven by the call and the ACD, and wait for no echo.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from homeagent.core.agent_state import AgentState


class ServerStateFilter:
    """See the module docstring. `published()` on every publish, `accept()` per event."""

    def __init__(
        self, *, echo_timeout_s: float = 10.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._timeout_s = echo_timeout_s
        self._clock = clock
        self._awaiting: tuple[AgentState, str] | None = None
        self._deadline = 0.0

    def published(self, state: AgentState, reason: str) -> None:
        """The desk sent this presence to the server."""
        if state.is_automatic:
            return
        self._awaiting = (state, reason)
        self._deadline = self._clock() + self._timeout_s

    def accept(self, state: AgentState, reason: str) -> bool:
        """Whether the desk should apply this agent-state event from the server."""
        if self._awaiting is None:
            return True
        if (state, reason) == self._awaiting:  # our own echo: the server caught up
            self._awaiting = None
            return False
        if self._clock() >= self._deadline:  # no echo is coming: trust the server again
            self._awaiting = None
            return True
        return False  # produced before the server applied our latest change
