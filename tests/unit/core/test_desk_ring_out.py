"""A ringing call that nobody answers ends the same way in the desk, whoever ends it.

- the engine's own ring timeout (480, ``CallEnded.rang_out``): an INVITE no proxy guards;
- the ACD (Kamailio's timer CANCELs: 487 at the agent; the server sets the agent
  Not ready "missed" — RONA — before or after the CANCEL reaches us).

Both: a missed call (notice + interaction outcome "missed") and Not ready "missed".
"""

from __future__ import annotations

import pytest

from homeagent.core import commands as cmd
from homeagent.core.agent_state import RONA_REASON, AgentState
from homeagent.core.desk import DeskModel
from homeagent.core.desk_snapshot import Notice, Screen
from homeagent.core.desk_types import CallOutcome
from homeagent.core.eventlog import MemoryEventLog
from homeagent.core.events import CallEnded
from homeagent.testing.demo_team import DEMO_TEAM
from homeagent.testing.fakes import FakeDirectory, FakeEngine, RecordingSink

NUMBER = "+33612345678"


@pytest.fixture
def desk() -> tuple[DeskModel, FakeEngine, RecordingSink]:
    directory = FakeDirectory()
    sink = RecordingSink(directory=directory)
    model = DeskModel(directory=directory, sink=sink, log=MemoryEventLog())
    engine = FakeEngine(model.handle)
    sink.engine = engine
    model.configure(agent_name="Alice", team=DEMO_TEAM)
    model.set_presence(AgentState.AVAILABLE)
    return model, engine, sink


def _ends_as_missed(model: DeskModel, sink: RecordingSink) -> None:
    snap = model.snapshot()
    assert snap.screen is Screen.IDLE
    assert snap.presence.state is AgentState.NOT_READY
    assert snap.presence.reason == RONA_REASON == "missed"
    assert snap.notice is Notice.CALL_MISSED
    assert sink.interactions[-1].outcome is CallOutcome.MISSED
    assert sink.states[-1].state is AgentState.NOT_READY
    assert not any(s.state is AgentState.AVAILABLE for s in sink.states[-2:])


def test_engine_ring_timeout_is_a_missed_call_and_not_ready(desk) -> None:  # type: ignore[no-untyped-def]
    model, engine, sink = desk
    call_id = engine.ring(NUMBER)
    model.handle(CallEnded(call_id, 480, "no answer", 0.0, answered=False, rang_out=True))
    _ends_as_missed(model, sink)
    # the engine is told to turn further INVITEs away until the agent is Available again
    assert sink.commands[-1] == cmd.SetAvailable(False)


def test_acd_rona_news_before_the_cancel(desk) -> None:  # type: ignore[no-untyped-def]
    model, engine, sink = desk
    call_id = engine.ring(NUMBER)
    model.server_set_state(AgentState.NOT_READY, RONA_REASON)
    model.handle(CallEnded(call_id, 487, "Request Terminated", 0.0, answered=False))
    _ends_as_missed(model, sink)


def test_acd_rona_news_after_the_cancel(desk) -> None:  # type: ignore[no-untyped-def]
    model, engine, _sink = desk
    call_id = engine.ring(NUMBER)
    model.handle(CallEnded(call_id, 487, "Request Terminated", 0.0, answered=False))
    model.server_set_state(AgentState.NOT_READY, RONA_REASON)
    snap = model.snapshot()
    assert snap.presence.state is AgentState.NOT_READY
    assert snap.presence.reason == "missed"


def test_engine_ring_timeout_then_the_late_rona_news_changes_nothing(desk) -> None:  # type: ignore[no-untyped-def]
    model, engine, sink = desk
    call_id = engine.ring(NUMBER)
    model.handle(CallEnded(call_id, 480, "no answer", 0.0, answered=False, rang_out=True))
    published = len(sink.states)
    model.server_set_state(AgentState.NOT_READY, RONA_REASON)
    _ends_as_missed(model, sink)
    assert len(sink.states) == published


def test_the_customer_hanging_up_while_it_rings_is_not_a_rona(desk) -> None:  # type: ignore[no-untyped-def]
    model, engine, sink = desk
    call_id = engine.ring(NUMBER)
    model.handle(CallEnded(call_id, 487, "Request Terminated", 0.0, answered=False))
    assert model.snapshot().presence.state is AgentState.AVAILABLE
    assert sink.interactions[-1].outcome is CallOutcome.ABANDONED


def test_a_rang_out_flag_on_an_answered_call_is_ignored(desk) -> None:  # type: ignore[no-untyped-def]
    model, engine, _sink = desk
    call_id = engine.ring(NUMBER)
    model.answer()
    model.handle(CallEnded(call_id, 200, "BYE", 12.0, answered=True, rang_out=True))
    assert model.snapshot().presence.state is AgentState.WRAP_UP


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def _acd_offer(rona_ms: str) -> tuple[DeskModel, RecordingSink, Clock]:
    from homeagent.core.events import CallDirection, CallRinging

    clock = Clock()
    directory = FakeDirectory()
    sink = RecordingSink(directory=directory)
    model = DeskModel(directory=directory, sink=sink, log=MemoryEventLog(), clock=clock)
    model.configure(agent_name="Alice", team=DEMO_TEAM)
    model.set_presence(AgentState.AVAILABLE)
    model.handle(
        CallRinging(
            call_id=7,
            direction=CallDirection.INBOUND,
            remote_uri=f"sip:{NUMBER}@acd",
            remote_number=NUMBER,
            queue="ventes",
            headers={"X-Acd-Rona-Ms": rona_ms},
        )
    )
    return model, sink, clock


def test_the_acd_s_cancel_at_its_rona_time_sets_aside_before_any_server_news() -> None:
    """Kamailio's timer CANCEL carries no reason; the offer said when the RONA comes."""
    model, sink, clock = _acd_offer("15000")
    clock.now += 14.5  # the desk saw the INVITE a moment after Kamailio armed its timer
    model.handle(CallEnded(7, 487, "Request Terminated", 0.0, answered=False))
    _ends_as_missed(model, sink)
    assert model.snapshot().missed_call is not None
    assert model.snapshot().missed_call.set_aside
    published = len(sink.states)
    model.server_set_state(AgentState.NOT_READY, RONA_REASON)  # the ACD's news, late
    assert len(sink.states) == published


def test_an_earlier_cancel_of_an_acd_offer_is_the_customer_hanging_up() -> None:
    model, sink, clock = _acd_offer("15000")
    clock.now += 6.0
    model.handle(CallEnded(7, 487, "Request Terminated", 0.0, answered=False))
    assert model.snapshot().presence.state is AgentState.AVAILABLE
    assert sink.interactions[-1].outcome is CallOutcome.ABANDONED


@pytest.mark.parametrize("value", ["", "soon", "-5", "0", "99999999999"])
def test_a_rona_time_that_makes_no_sense_is_ignored(value: str) -> None:
    model, sink, clock = _acd_offer(value)
    clock.now += 3600.0
    model.handle(CallEnded(7, 487, "Request Terminated", 0.0, answered=False))
    assert sink.interactions[-1].outcome is CallOutcome.ABANDONED
