"""The "Missed call" notice names the caller and offers Call back (UX: "explains why the
agent was set aside"); Call back dials only when the agent asks for it."""

from __future__ import annotations

from homeagent.core import commands as cmd
from homeagent.core.agent_state import RONA_REASON, AgentState
from homeagent.core.desk_snapshot import MissedCall, Notice
from homeagent.core.events import CallEnded
from homeagent.testing.fakes import RecordingSink
from tests.unit.core.test_desk_ring_out import desk  # the same desk over the fakes

__all__ = ["desk"]  # the fixture

CAMILLE = "+33612345678"  # a known contact: Camille Martin
STRANGER = "+33700000042"


def _dials(sink: RecordingSink) -> list[cmd.Command]:
    return [c for c in sink.commands if isinstance(c, cmd.Dial)]


def test_a_call_that_rang_out_names_the_caller_and_says_why(desk) -> None:  # type: ignore[no-untyped-def]
    model, engine, sink = desk
    call_id = engine.ring(CAMILLE)
    model.handle(CallEnded(call_id, 480, "no answer", 0.0, answered=False, rang_out=True))
    snap = model.snapshot()
    assert snap.notice is Notice.CALL_MISSED
    assert snap.missed_call == MissedCall(CAMILLE, "Camille Martin", set_aside=True)
    assert snap.missed_call.caller == f"Camille Martin ({CAMILLE})"
    assert (snap.presence.state, snap.presence.reason) == (AgentState.NOT_READY, RONA_REASON)
    assert _dials(sink) == []  # never dialled on its own


def test_the_acd_s_rona_before_its_cancel_sets_aside_too(desk) -> None:  # type: ignore[no-untyped-def]
    model, engine, _sink = desk
    call_id = engine.ring(STRANGER)
    model.server_set_state(AgentState.NOT_READY, RONA_REASON)
    model.handle(CallEnded(call_id, 487, "Request Terminated", 0.0, answered=False))
    assert model.snapshot().missed_call == MissedCall(STRANGER, "", set_aside=True)
    assert model.snapshot().missed_call.caller == STRANGER


def test_a_customer_who_hung_up_is_named_without_setting_aside(desk) -> None:  # type: ignore[no-untyped-def]
    model, engine, _sink = desk
    call_id = engine.ring(CAMILLE)
    model.handle(CallEnded(call_id, 487, "Request Terminated", 0.0, answered=False))
    snap = model.snapshot()
    assert snap.notice is Notice.CALL_MISSED
    assert snap.missed_call == MissedCall(CAMILLE, "Camille Martin", set_aside=False)
    assert snap.presence.state is AgentState.AVAILABLE


def test_a_declined_call_is_no_missed_call(desk) -> None:  # type: ignore[no-untyped-def]
    model, engine, _sink = desk
    engine.ring(CAMILLE)
    model.decline()
    snap = model.snapshot()
    assert snap.notice is Notice.NONE
    assert snap.missed_call is None


def test_call_back_dials_the_caller_once_asked_and_the_notice_is_done(desk) -> None:  # type: ignore[no-untyped-def]
    model, engine, sink = desk
    call_id = engine.ring(CAMILLE)
    model.handle(CallEnded(call_id, 480, "no answer", 0.0, answered=False, rang_out=True))
    missed = model.snapshot().missed_call
    assert missed is not None
    model.dial(missed.number)  # the Call back button
    assert _dials(sink) == [cmd.Dial(CAMILLE)]
    snap = model.snapshot()
    assert snap.notice is Notice.NONE
    assert snap.missed_call is None
    assert snap.presence.state is AgentState.ON_CALL


def test_the_next_call_replaces_the_notice(desk) -> None:  # type: ignore[no-untyped-def]
    model, engine, _sink = desk
    call_id = engine.ring(CAMILLE)
    model.handle(CallEnded(call_id, 480, "no answer", 0.0, answered=False, rang_out=True))
    model.set_presence(AgentState.AVAILABLE)
    assert model.snapshot().missed_call is None
    engine.ring(STRANGER)
    assert model.snapshot().missed_call is None
