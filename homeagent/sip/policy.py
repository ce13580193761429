"""Decisions the engine takes, kept free of pjsua2 so they can be unit-tested.

- :func:`admit` decides what happens to an incoming INVITE (ring, 403, 486);
- :class:`RejectPacer` spreads rejections so a burst cannot exhaust pjsip's socket slots
  (each rejected call closes two media sockets whose slots are reused only after 500 ms;
  calls that wait keep their slot and make pjsua turn further INVITEs away statelessly
  with "486 Too many calls", which costs no socket);
- :class:`FloodGuard` tells the engine's loop to stop reading the network while INVITEs
  arrive faster than pjsip's socket slots are freed;
- :func:`registration_event` turns a pjsua2 registration report into an event;
- :func:`retry_delay_s` is the re-registration back-off we configure pjsua2 with.
"""

from __future__ import annotations

import collections
import logging
from dataclasses import dataclass

from homeagent.core.events import RegistrationChanged, RegistrationState

log = logging.getLogger(__name__)

# pjsip's select() ioqueue has 64 socket slots and reuses a closed slot only after 500 ms;
# every INVITE that gets a call slot opens two media sockets before we even see it. Past
# this many new incoming calls within the window, the loop stops reading the network until
# the window has passed (the kernel queues the datagrams meanwhile).
FLOOD_WINDOW_S = 0.6
FLOOD_BUDGET = 16


@dataclass(frozen=True, slots=True)
class Admission:
    """The fate of an incoming INVITE: ring (code 0) or a final response code."""

    code: int = 0
    reason: str = ""

    @property
    def rings(self) -> bool:
        return self.code == 0


RING = Admission()


def admit(
    *,
    source_host: str,
    trusted_hosts: frozenset[str],
    available: bool,
    active_calls: int,
    max_calls: int,
) -> Admission:
    """Decide on an incoming INVITE (checked in order: source, availability, capacity).

    ``active_calls`` counts the calls already admitted (ringing or up), not this one.
    """
    if source_host not in trusted_hosts:
        return Admission(403, "Forbidden: not from the proxy")
    if not available:
        return Admission(486, "Busy Here: agent not available")
    if active_calls >= max_calls:
        return Admission(486, "Busy Here: too many calls")
    return RING


class RejectPacer:
    """Allow at most ``budget`` rejections per sliding ``window_s``."""

    def __init__(self, budget: int = 4, window_s: float = 0.6) -> None:
        if budget < 1 or window_s <= 0:
            raise ValueError("budget must be >= 1 and window_s > 0")
        self._budget = budget
        self._window_s = window_s
        self._times: collections.deque[float] = collections.deque()

    def try_take(self, now_s: float) -> bool:
        """True (and count it) if a rejection may be sent at ``now_s``."""
        while self._times and now_s - self._times[0] >= self._window_s:
            self._times.popleft()
        if len(self._times) >= self._budget:
            return False
        self._times.append(now_s)
        return True


class FloodGuard:
    """Counts the INVITEs that got a call slot; says when the loop must stop reading.

    Engine thread only (the controller notes arrivals, the loop asks between turns)."""

    def __init__(self) -> None:
        self._arrivals: collections.deque[float] = collections.deque()
        self._flood_logged = False

    def note_arrival(self, now_s: float) -> None:
        """Count an INVITE that got a call slot (it opened two media sockets)."""
        self._arrivals.append(now_s)

    def flooded(self, now_s: float) -> bool:
        """True while too many INVITEs arrived recently to read the network safely."""
        while self._arrivals and now_s - self._arrivals[0] >= FLOOD_WINDOW_S:
            self._arrivals.popleft()
        flooded = len(self._arrivals) >= FLOOD_BUDGET
        if flooded and not self._flood_logged:
            log.warning("INVITE flood: pausing network reads for up to %.1f s", FLOOD_WINDOW_S)
        self._flood_logged = flooded
        return flooded


# pjsua2 re-registers by itself after these answers only; an authentication failure (401,
# 403, 407) is final: retrying with the same password would only lock the account.
_RETRIED_CODES = frozenset({408, 480, 500, 502, 503, 504})


def is_retried(code: int) -> bool:
    """True if pjsua2 schedules another REGISTER after a failure with this code."""
    return code in _RETRIED_CODES or 600 <= code < 700


def retry_delay_s(failures: int, first_retry_s: float, retry_interval_s: float) -> float:
    """Delay before the next REGISTER after ``failures`` consecutive failures (>= 1)."""
    return first_retry_s if failures <= 1 else retry_interval_s


def registration_event(
    *,
    aor: str,
    code: int,
    reason: str,
    expiration_s: int,
    transport_error: str,
    failures: int,
    first_retry_s: float,
    retry_interval_s: float,
) -> RegistrationChanged:
    """Translate a pjsua2 ``onRegState`` report.

    ``failures`` counts consecutive failures including this one when it is a failure.
    ``transport_error`` is a message from the transport (e.g. a refused TLS certificate).
    """
    if 200 <= code < 300:
        if expiration_s > 0:
            return RegistrationChanged(aor, RegistrationState.REGISTERED, code, reason)
        return RegistrationChanged(aor, RegistrationState.UNREGISTERED, code, reason)
    text = reason or "no response"
    if code in (401, 403, 407):
        text = f"authentication failed, check the user name and password ({text})"
    if transport_error:
        text = f"{transport_error} ({text})"
    retry = retry_delay_s(failures, first_retry_s, retry_interval_s) if is_retried(code) else None
    return RegistrationChanged(aor, RegistrationState.FAILED, code, text, next_retry_s=retry)
