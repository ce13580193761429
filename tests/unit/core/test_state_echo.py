"""Agent-state events from the server: stale ones (before our own change) are not applied."""

from __future__ import annotations

import datetime as dt

from homeagent.core.agent_state import AgentState
from homeagent.core.state_echo import ServerStateFilter, ServerStateSync

AVAILABLE, BREAK, RINGING = AgentState.AVAILABLE, AgentState.BREAK, AgentState.RINGING


class Clock:
    def __init__(self) -> None:
        self.now_s = 100.0

    def __call__(self) -> float:
        return self.now_s


def test_server_decisions_apply_when_nothing_is_in_flight() -> None:
    f = ServerStateFilter(clock=Clock())
    assert f.accept(AgentState.NOT_READY, "missed")
    assert f.accept(BREAK, "Déjeuner")


def test_events_before_our_echo_are_stale_then_the_server_is_trusted_again() -> None:
    f = ServerStateFilter(clock=Clock())
    f.published(BREAK, "Déjeuner")
    assert not f.accept(AVAILABLE, "")  # produced before the server applied our break
    assert not f.accept(BREAK, "Déjeuner")  # our echo
    assert f.accept(AgentState.NOT_READY, "missed")  # a later server decision


def test_replayed_history_and_crossing_echoes_settle() -> None:
    """The desk (model) and the server as a pair: no endless flapping."""
    f = ServerStateFilter(clock=Clock())
    desk = (AgentState.OFFLINE, "")
    in_flight: list[tuple[AgentState, str]] = []  # echoes of our PUTs, in server order
    stream = [(AVAILABLE, ""), (RINGING, ""), (AVAILABLE, ""), (BREAK, "Déjeuner")]
    applied = 0
    while stream and applied < 50:
        event = stream.pop(0)
        if not f.accept(*event):  # the session asks first ...
            continue
        if event[0].is_automatic or event == desk:  # ... then the model ignores these
            continue
        desk = event
        applied += 1
        f.published(*desk)  # the model publishes what it moved to
        in_flight.append(desk)
        if not stream:
            stream, in_flight = in_flight, []
    assert applied <= 3
    assert desk == (BREAK, "Déjeuner")


def test_no_echo_coming_times_out_and_automatic_states_wait_for_none() -> None:
    clock = Clock()
    f = ServerStateFilter(clock=clock, echo_timeout_s=10)
    f.published(RINGING, "")  # set by the ACD already: the server sends no echo
    assert f.accept(AgentState.NOT_READY, "missed")
    f.published(AVAILABLE, "")  # refused by the server (409): no echo either
    assert not f.accept(BREAK, "Café")
    clock.now_s += 10
    assert f.accept(BREAK, "Café")


def test_replayed_history_is_not_applied_once_the_current_state_is_known() -> None:
    import datetime as dt

    t0 = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)
    f = ServerStateFilter(clock=Clock())
    f.known(t0 + dt.timedelta(minutes=30))  # GET /agents/me/state: on break since 9:30
    assert not f.accept(AVAILABLE, "", t0)  # a fresh stream replays the day
    assert not f.accept(BREAK, "Déjeuner", t0 + dt.timedelta(minutes=30))
    assert f.accept(AgentState.NOT_READY, "missed", t0 + dt.timedelta(minutes=31))
    assert not f.accept(AVAILABLE, "", t0 + dt.timedelta(minutes=31))  # not newer


def _at(minute: int) -> dt.datetime:
    return dt.datetime(2026, 12, 1, 9, minute, tzinfo=dt.UTC)


class Desk:
    """Records what the sync applied; publishes every applied state back, like the desk."""

    def __init__(self) -> None:
        self.applied: list[tuple[AgentState, str]] = []
        self.sync = ServerStateSync(self.apply, ServerStateFilter(clock=Clock()))

    def apply(self, state: AgentState, reason: str) -> None:
        self.applied.append((state, reason))
        self.sync.published(state, reason)  # the desk's sink publishes what it moved to


def test_stream_events_wait_for_the_start_read_and_older_ones_are_dropped() -> None:
    desk = Desk()
    desk.sync.event(AVAILABLE, "", _at(1))  # replayed history, older than the read
    desk.sync.event(AgentState.NOT_READY, "missed", _at(9))  # newer than the read
    assert desk.applied == []  # nothing before the read
    desk.sync.read((BREAK, "Déjeuner", _at(5)))
    assert desk.applied == [(BREAK, "Déjeuner"), (AgentState.NOT_READY, "missed")]


def test_a_failed_read_releases_the_held_events() -> None:
    desk = Desk()
    desk.sync.event(BREAK, "Café", _at(2))
    desk.sync.read(None)
    assert desk.applied == [(BREAK, "Café")]
    desk.sync.event(AVAILABLE, "", _at(3))
    assert desk.applied[-1] == (AVAILABLE, "")


def test_what_the_desk_publishes_while_applying_expects_no_echo() -> None:
    desk = Desk()
    desk.sync.read(None)
    desk.sync.event(BREAK, "Café", _at(2))
    # had the publish during apply awaited an echo, this later decision would be dropped
    desk.sync.event(AgentState.NOT_READY, "missed", _at(3))
    assert desk.applied == [(BREAK, "Café"), (AgentState.NOT_READY, "missed")]


def test_the_agents_own_change_waits_for_its_echo() -> None:
    desk = Desk()
    desk.sync.read(None)
    desk.sync.published(BREAK, "Déjeuner")  # the agent chose a break
    desk.sync.event(AVAILABLE, "", _at(4))  # produced before the server applied it
    assert desk.applied == []


def test_the_server_s_answer_to_our_put_wins_over_what_we_asked() -> None:
    """Available after a call became the lead's pending break: the desk takes the answer;
    the echo it waited for never comes, later events are applied again."""
    desk = Desk()
    desk.sync.read(None)
    desk.sync.published(AVAILABLE, "")  # wrap-up over: the desk asks for Available
    later = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
    desk.sync.answered((AVAILABLE, ""), (BREAK, "Réunion", later))
    assert desk.applied[-1] == (BREAK, "Réunion")
    desk.sync.event(AVAILABLE, "", later - dt.timedelta(seconds=1))  # older: history
    assert desk.applied == [(BREAK, "Réunion")]
    desk.sync.event(AgentState.OFFLINE, "", later + dt.timedelta(seconds=5))  # a lead, later
    assert desk.applied[-1] == (AgentState.OFFLINE, "")


def test_an_answer_that_agrees_changes_nothing() -> None:
    desk = Desk()
    desk.sync.read(None)
    desk.sync.published(BREAK, "Déjeuner")
    now = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
    desk.sync.answered((BREAK, "Déjeuner"), (BREAK, "Déjeuner", now))
    assert desk.applied == []
