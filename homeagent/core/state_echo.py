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

Events also carry when the server's state began (`since`): one that is not newer than
the newest already known — a replayed history, or older than the state read with
GET /agents/me/state at start — is history, never applied.
"""

from __future__ import annotations

import datetime as dt
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
        self._latest: dt.datetime | None = None  # newest `since` known from the server

    def known(self, since: dt.datetime) -> None:
        """The server's current state began at `since`: events up to it are history."""
        if self._latest is None or since > self._latest:
            self._latest = since

    def stale(self, since: dt.datetime) -> bool:
        """Whether a state that began at `since` is older than the newest one known."""
        return self._latest is not None and since < self._latest

    def settled(self, since: dt.datetime) -> None:
        """The server answered the desk's latest publish with a state that began at
        `since`: no echo is awaited any more, and what is older is history."""
        self._awaiting = None
        self.known(since)

    def published(self, state: AgentState, reason: str) -> None:
        """The desk sent this presence to the server."""
        if state.is_automatic:
            return
        self._awaiting = (state, reason)
        self._deadline = self._clock() + self._timeout_s

    def accept(self, state: AgentState, reason: str, since: dt.datetime | None = None) -> bool:
        """Whether the desk should apply this agent-state event from the server."""
        if since is not None:
            if self._latest is not None and since <= self._latest:
                return False  # replayed history
            self._latest = since
        if self._awaiting is None:
            return True
        if (state, reason) == self._awaiting:  # our own echo: the server caught up
            self._awaiting = None
            return False
        if self._clock() >= self._deadline:  # no echo is coming: trust the server again
            self._awaiting = None
            return True
        return False  # produced before the server applied our latest change


class ServerStateSync:
    """The agent's state between the desk and the server, through a `ServerStateFilter`.

    At start the desk reads the server's current state (GET /agents/me/state) while the
    event stream may already deliver agent-state events: those wait until the read
    arrived (or failed), so an event older than the read is never applied over it. After
    that, each event goes through the filter. `apply` moves the desk; whatever the desk
    publishes while applying is the server's own decision and expects no echo.
    """

    def __init__(
        self,
        apply: Callable[[AgentState, str], None],
        state_filter: ServerStateFilter | None = None,
    ) -> None:
        self._apply = apply
        self._filter = state_filter or ServerStateFilter()
        self._held: list[tuple[AgentState, str, dt.datetime | None]] | None = []
        self._applying = False

    def event(self, state: AgentState, reason: str, since: dt.datetime | None) -> None:
        """An agent-state event for this agent from the stream."""
        if self._held is not None:
            self._held.append((state, reason, since))
        elif self._filter.accept(state, reason, since):
            self._move(state, reason)

    def read(self, current: tuple[AgentState, str, dt.datetime] | None) -> None:
        """The start read's answer (None: unavailable); then the held events, in order."""
        held, self._held = self._held or [], None
        if current is not None:
            state, reason, since = current
            stale = self._filter.stale(since)  # an answer to a PUT came first
            self._filter.known(since)
            # the agent may have chosen a presence since start: then the read is stale
            if not stale and self._filter.accept(state, reason):
                self._move(state, reason)
        for held_state, held_reason, held_since in held:
            if self._filter.accept(held_state, held_reason, held_since):
                self._move(held_state, held_reason)

    def answered(
        self, published: tuple[AgentState, str], current: tuple[AgentState, str, dt.datetime]
    ) -> None:
        """The server's answer to the desk's latest presence PUT (`published`, a state the
        agent chose): the state the server applied.

        Usually the same. A lead's pending change makes it another one (the agent's move to
        Available after a call became the break the lead planned, docs/lead-contract.md):
        the desk takes the server's answer instead of insisting — re-sending Available
        would undo the lead's change, and no echo of it would ever come."""
        state, reason, since = current
        self._filter.settled(since)
        if (state, reason) != published:
            self._move(state, reason)

    def stale(self, since: dt.datetime) -> bool:
        """Whether a server state that began at `since` is older than the newest known."""
        return self._filter.stale(since)

    def published(self, state: AgentState, reason: str) -> None:
        """The desk published this state (ignored while applying the server's own)."""
        if not self._applying:
            self._filter.published(state, reason)

    def _move(self, state: AgentState, reason: str) -> None:
        self._applying = True
        try:
            self._apply(state, reason)
        finally:
            self._applying = False
