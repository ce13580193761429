"""What the team-lead console reads from the server (docs/lead-contract.md), parsed strictly.

The board (GET /teams/{id}/board), the queue figures (GET /teams/{id}/queues), a remote
state change's answer (POST /agents/{id}/state), the teams an admin may pick (GET /teams),
and the stream events that keep the board live: `agent_state`, `agent_figures`,
`call_quality`, `state_change_pending`, `queue_stats`. The team's thresholds and alerts
(GET/PUT /teams/{id}/settings, the `team_settings` event) are in
`homeagent.core.lead_settings`.

The rules are `homeagent.core.records`' (the `Fields` reader of `homeagent.core.payload`
is shared): every field the contract declares is required, a null-able one may be null;
unknown fields are ignored; numbers are checked against the contract's ranges; a
malformed payload is one `MalformedPayload` naming the route and the field, never a
guessed default. The only optional fields are the ones the contract calls optional:
`agent_state`'s `changed_by`, `note` and `call`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal, cast

from homeagent.core.agent_state import AgentState
from homeagent.core.payload import (
    MAX_COUNT,
    MAX_DAY_SECONDS,
    MAX_SECONDS,
    Fields,
    MalformedPayload,
    kind_of,
    parse_items,
)
from homeagent.core.records import AgentStateRow, Breaks, read_agent_state

__all__ = ["MAX_DAY_SECONDS", "MalformedPayload"]

Direction = Literal["inbound", "outbound"]
RemoteState = Literal["break", "not_ready", "offline"]
_DIRECTIONS = ("inbound", "outbound")
_REMOTE_STATES = ("break", "not_ready", "offline")
_STATES = tuple(s.value for s in AgentState)
MAX_MS = 60_000  # jitter and round trip (contract: 0–60000)
MOS_RANGE = (1.0, 4.5)


def read_number(f: Fields, name: str, low: float, high: float) -> float:
    """An int or a float (never a bool) within [low, high]."""
    value = f.raw(name)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise f.fail(name, f"expected a number, got {kind_of(value)}")
    if value != value or not low <= value <= high:  # NaN fails the first test
        raise f.fail(name, f"out of range ({low:g}..{high:g})")
    return float(value)


def read_number_or_none(f: Fields, name: str, low: float, high: float) -> float | None:
    return None if f.raw(name) is None else read_number(f, name, low, high)


def read_integer_or_none(f: Fields, name: str, low: int, high: int) -> int | None:
    return None if f.raw(name) is None else f.integer(name, low, high)


def _has(f: Fields, name: str) -> bool:
    try:
        f.raw(name)
    except MalformedPayload:
        return False
    return True


# --- the parts of a board row ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Person:
    """Who did something (a lead): `{id, name}`."""

    id: str
    name: str


@dataclass(frozen=True, slots=True)
class PendingState:
    """A remote state change waiting for the agent's call and wrap-up to end."""

    state: AgentState  # break, not_ready or offline
    reason: str
    by: Person
    note: str
    at: dt.datetime


@dataclass(frozen=True, slots=True)
class CurrentCall:
    """The call behind ringing / on_call / wrap_up."""

    started_at: dt.datetime
    queue: str
    direction: Direction


@dataclass(frozen=True, slots=True)
class TodayFigures:
    """An agent's day as the board shows it (definitions: docs/api.md "Figures")."""

    calls_handled: int
    avg_handle_s: int
    missed: int
    missed_in_row: int
    breaks: Breaks


@dataclass(frozen=True, slots=True)
class CallQuality:
    """The agent app's last call-quality report."""

    mos: float
    loss_pct: float
    jitter_ms: float
    rtt_ms: float
    at: dt.datetime
    final: bool  # the call's last report


NETWORK_LEVELS = ("green", "amber", "red")


@dataclass(frozen=True, slots=True)
class NetworkBadge:
    """The agent's last pre-shift check of today (the board's network badge)."""

    level: Literal["green", "amber", "red"]
    mos: float | None  # G.722, the E-model estimate
    loss_pct: float | None
    jitter_ms: float | None
    rtt_ms: float | None
    at: dt.datetime


@dataclass(frozen=True, slots=True)
class BoardRow:
    """One agent on the board."""

    agent_id: str
    name: str
    display_name: str
    state: AgentState
    reason: str
    since: dt.datetime
    changed_by: Person | None  # a lead set this state
    pending: PendingState | None
    call: CurrentCall | None
    today: TodayFigures
    quality: CallQuality | None
    network: NetworkBadge | None = None

    @property
    def label(self) -> str:
        """The name a lead reads: the display name, else the login name."""
        return self.display_name or self.name


@dataclass(frozen=True, slots=True)
class Board:
    team_id: str
    team_name: str
    wrap_up_s: int
    generated_at: dt.datetime
    agents: tuple[BoardRow, ...]


def _person(f: Fields) -> Person:
    return Person(id=f.text("id"), name=f.text("name"))


def _person_or_none(f: Fields, name: str) -> Person | None:
    child = f.child_or_none(name)
    return _person(child) if child is not None else None


def _pending(f: Fields) -> PendingState:
    return PendingState(
        state=AgentState(f.choice("state", _REMOTE_STATES)),
        reason=f.text("reason"),
        by=_person(f.child("by")),
        note=f.text("note"),
        at=f.moment("at"),
    )


def _pending_or_none(f: Fields, name: str) -> PendingState | None:
    child = f.child_or_none(name)
    return _pending(child) if child is not None else None


def _call(f: Fields) -> CurrentCall:
    return CurrentCall(
        started_at=f.moment("started_at"),
        queue=f.text("queue"),
        direction=cast(Direction, f.choice("direction", _DIRECTIONS)),
    )


def _call_or_none(f: Fields, name: str) -> CurrentCall | None:
    child = f.child_or_none(name)
    return _call(child) if child is not None else None


def _today(f: Fields) -> TodayFigures:
    b = f.child("breaks")
    return TodayFigures(
        calls_handled=f.integer("calls_handled", 0, MAX_COUNT),
        avg_handle_s=f.integer("avg_handle_s", 0, MAX_SECONDS),
        missed=f.integer("missed", 0, MAX_COUNT),
        missed_in_row=f.integer("missed_in_row", 0, MAX_COUNT),
        breaks=Breaks(
            count=b.integer("count", 0, MAX_COUNT),
            duration_s=b.integer("duration_s", 0, MAX_SECONDS),
        ),
    )


def _quality(f: Fields) -> CallQuality:
    return CallQuality(
        mos=read_number(f, "mos", *MOS_RANGE),
        loss_pct=read_number(f, "loss_pct", 0, 100),
        jitter_ms=read_number(f, "jitter_ms", 0, MAX_MS),
        rtt_ms=read_number(f, "rtt_ms", 0, MAX_MS),
        at=f.moment("at"),
        final=f.flag("final"),
    )


def _network(f: Fields) -> NetworkBadge:
    return NetworkBadge(
        level=cast(Literal["green", "amber", "red"], f.choice("level", NETWORK_LEVELS)),
        mos=read_number_or_none(f, "mos", *MOS_RANGE),
        loss_pct=read_number_or_none(f, "loss_pct", 0, 100),
        jitter_ms=read_number_or_none(f, "jitter_ms", 0, MAX_MS),
        rtt_ms=read_number_or_none(f, "rtt_ms", 0, MAX_MS),
        at=f.moment("at"),
    )


def _row(f: Fields) -> BoardRow:
    network = f.child_or_none("network")  # the pre-shift badge: null or an object
    quality = f.child_or_none("quality")
    return BoardRow(
        agent_id=f.text("agent_id"),
        name=f.text("name"),
        display_name=f.text("display_name"),
        state=AgentState(f.choice("state", _STATES)),
        reason=f.text("reason"),
        since=f.moment("since"),
        changed_by=_person_or_none(f, "changed_by"),
        pending=_pending_or_none(f, "pending"),
        call=_call_or_none(f, "call"),
        today=_today(f.child("today")),
        quality=_quality(quality) if quality is not None else None,
        network=_network(network) if network is not None else None,
    )


def parse_board(obj: object, *, route: str = "GET /teams/{id}/board") -> Board:
    f = Fields(route, obj, "")
    return Board(
        team_id=f.text("team_id"),
        team_name=f.text("team_name"),
        wrap_up_s=f.integer("wrap_up_s", 0, MAX_DAY_SECONDS),
        generated_at=f.moment("generated_at"),
        agents=f.items("agents", _row),
    )


# --- the teams an admin may pick (GET /teams) ---------------------------------------------


@dataclass(frozen=True, slots=True)
class TeamRef:
    """A team in the admin's team selector."""

    id: str
    name: str
    pause_reasons: tuple[str, ...] | None  # None: the answer does not list them


def _team_ref(f: Fields) -> TeamRef:
    return TeamRef(
        id=f.text("id"),
        name=f.text("name"),
        pause_reasons=f.texts("pause_reasons") if _has(f, "pause_reasons") else None,
    )


def parse_teams(obj: object, *, route: str = "GET /teams") -> tuple[TeamRef, ...]:
    return parse_items(route, obj, "", _team_ref)


# --- stream events ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AgentStateEvent:
    """`agent_state` as a lead receives it."""

    agent_id: str
    state: AgentState
    reason: str
    since: dt.datetime
    changed_by: Person | None  # absent or null: the agent (or the ACD) moved
    note: str
    call: CurrentCall | None
    call_known: bool  # False: the event had no `call` field (an older publisher)


def parse_agent_state_event(obj: object, *, route: str = "event agent_state") -> AgentStateEvent:
    f = Fields(route, obj, "")
    row = read_agent_state(f)
    call_known = _has(f, "call")
    return AgentStateEvent(
        agent_id=row.agent_id,
        state=row.state,
        reason=row.reason,
        since=row.since,
        changed_by=_person_or_none(f, "changed_by") if _has(f, "changed_by") else None,
        note=(f.text_or_none("note") or "") if _has(f, "note") else "",
        call=_call_or_none(f, "call") if call_known else None,
        call_known=call_known,
    )


@dataclass(frozen=True, slots=True)
class AgentFiguresEvent:
    agent_id: str
    today: TodayFigures


def parse_agent_figures(obj: object, *, route: str = "event agent_figures") -> AgentFiguresEvent:
    f = Fields(route, obj, "")
    return AgentFiguresEvent(agent_id=f.text("agent_id"), today=_today(f.child("today")))


@dataclass(frozen=True, slots=True)
class CallQualityEvent:
    agent_id: str
    quality: CallQuality


def parse_call_quality(obj: object, *, route: str = "event call_quality") -> CallQualityEvent:
    f = Fields(route, obj, "")
    return CallQualityEvent(agent_id=f.text("agent_id"), quality=_quality(f))


@dataclass(frozen=True, slots=True)
class NetworkCheckEvent:
    agent_id: str
    network: NetworkBadge


def parse_network_check(obj: object, *, route: str = "event network_check") -> NetworkCheckEvent:
    """`network_check {agent_id, level, mos, loss_pct, jitter_ms, rtt_ms, at}`."""
    f = Fields(route, obj, "")
    return NetworkCheckEvent(agent_id=f.text("agent_id"), network=_network(f))


@dataclass(frozen=True, slots=True)
class StateChangePendingEvent:
    agent_id: str
    pending: PendingState | None  # None: cancelled (or applied: an agent_state follows)


def parse_state_change_pending(
    obj: object, *, route: str = "event state_change_pending"
) -> StateChangePendingEvent:
    f = Fields(route, obj, "")
    return StateChangePendingEvent(
        agent_id=f.text("agent_id"), pending=_pending_or_none(f, "pending")
    )


# --- remote state change (POST /agents/{id}/state) -----------------------------------------


@dataclass(frozen=True, slots=True)
class RemoteStateResult:
    applied: bool  # False: pending until the call and its wrap-up end
    state: AgentStateRow
    pending: PendingState | None


def parse_remote_state(obj: object, *, route: str = "POST /agents/{id}/state") -> RemoteStateResult:
    f = Fields(route, obj, "")
    return RemoteStateResult(
        applied=f.flag("applied"),
        state=read_agent_state(f.child("state")),
        pending=_pending_or_none(f, "pending"),
    )


# --- queue figures ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class QueueStats:
    """One queue's day (definitions: docs/lead-contract.md "Queue figures")."""

    queue: str
    label: str
    team_id: str
    waiting: int
    longest_wait_s: int
    oldest_since: dt.datetime | None  # the oldest waiting call's entry (None: nobody waits)
    offered: int
    answered: int
    abandoned: int
    timed_out: int
    service_level_pct: float | None  # None: no call counts yet
    sl_threshold_s: int
    asa_s: float | None
    day: dt.date

    @property
    def title(self) -> str:
        return self.label or self.queue


def _queue_stats(f: Fields) -> QueueStats:
    return QueueStats(
        queue=f.text("queue"),
        label=f.text("label"),
        team_id=f.text("team_id"),
        waiting=f.integer("waiting", 0, MAX_COUNT),
        longest_wait_s=f.integer("longest_wait_s", 0, MAX_SECONDS),
        oldest_since=f.moment_or_none("oldest_since"),
        offered=f.integer("offered", 0, MAX_COUNT),
        answered=f.integer("answered", 0, MAX_COUNT),
        abandoned=f.integer("abandoned", 0, MAX_COUNT),
        timed_out=f.integer("timed_out", 0, MAX_COUNT),
        service_level_pct=read_number_or_none(f, "service_level_pct", 0, 100),
        sl_threshold_s=f.integer("sl_threshold_s", 0, MAX_DAY_SECONDS),
        asa_s=read_number_or_none(f, "asa_s", 0, MAX_SECONDS),
        day=f.day("day"),
    )


def parse_queue_stats(obj: object, *, route: str = "event queue_stats") -> QueueStats:
    return _queue_stats(Fields(route, obj, ""))


def parse_queues(obj: object, *, route: str = "GET /teams/{id}/queues") -> tuple[QueueStats, ...]:
    return parse_items(route, obj, "", _queue_stats)
