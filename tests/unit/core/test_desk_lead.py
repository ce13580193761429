"""The team lead's news at the desk (docs/lead-contract.md), over the in-memory fakes:
call quality published, remote state changes said, help status, messages both ways."""

from __future__ import annotations

import datetime as dt

import pytest

from homeagent.core import commands as cmd
from homeagent.core.agent_state import AgentState
from homeagent.core.desk import DeskModel
from homeagent.core.desk_snapshot import Screen
from homeagent.core.desk_types import Delivery, HelpStatus, Message, Priority, RemoteChange
from homeagent.core.eventlog import MemoryEventLog
from homeagent.core.events import CallDirection, CallQuality, CallRinging
from homeagent.testing.demo_team import DEMO_TEAM
from homeagent.testing.fakes import FakeDirectory, FakeEngine, RecordingSink

T0 = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
CLAIRE_BREAK = RemoteChange(AgentState.BREAK, "Café", "Claire M.", "Réunion d'équipe")


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


def _in_call(model: DeskModel, engine: FakeEngine) -> int:
    model.handle(
        CallRinging(1, CallDirection.INBOUND, "sip:x@h", "+33612345678", sip_call_id="sip-1")
    )
    model.answer()
    assert model.snapshot().screen is Screen.IN_CALL
    return 1


# -- call quality ------------------------------------------------------------------------


def test_the_call_s_quality_is_published_during_the_call_and_once_at_its_end(desk) -> None:  # type: ignore[no-untyped-def]
    model, engine, sink = desk
    call_id = _in_call(model, engine)
    engine.measure(call_id, CallQuality(rx_loss_pct=0.5, jitter_ms=12, rtt_ms=40, mos=4.3))
    engine.measure(call_id, CallQuality(mos=0.0))  # no RTCP yet in that window: nothing
    engine.measure(99, CallQuality(mos=2.0))  # another call (a consultation): not the board's
    engine.remote_hangup(call_id, CallQuality(rx_loss_pct=4.0, jitter_ms=30, rtt_ms=80, mos=3.4))
    assert [(q.sip_call_id, q.mos, q.final) for q in sink.qualities] == [
        ("sip-1", 4.3, False),
        ("sip-1", 3.4, True),
    ]
    assert sink.qualities[1].loss_pct == 4.0


def test_the_final_sample_falls_back_on_the_last_measure(desk) -> None:  # type: ignore[no-untyped-def]
    model, engine, sink = desk
    call_id = _in_call(model, engine)
    engine.measure(call_id, CallQuality(mos=4.1))
    engine.remote_hangup(call_id)  # the engine had no last figure
    assert [(q.mos, q.final) for q in sink.qualities] == [(4.1, False), (4.1, True)]


def test_a_failing_quality_sink_never_disturbs_the_call(desk) -> None:  # type: ignore[no-untyped-def]
    model, engine, sink = desk

    def broken(_sample: object) -> None:
        raise RuntimeError("no network lane")

    sink.publish_quality = broken  # type: ignore[method-assign]
    call_id = _in_call(model, engine)
    engine.measure(call_id, CallQuality(mos=4.1))
    engine.remote_hangup(call_id)
    assert model.snapshot().screen is Screen.WRAP_UP


# -- remote state changes -------------------------------------------------------------


def test_a_lead_s_change_says_who_and_why_while_it_holds(desk) -> None:  # type: ignore[no-untyped-def]
    model, _engine, sink = desk
    published = len(sink.states)
    model.server_set_state(AgentState.BREAK, "Café")
    model.remote_state_change(CLAIRE_BREAK)
    snap = model.snapshot()
    assert (snap.presence.state, snap.presence.reason) == (AgentState.BREAK, "Café")
    assert snap.remote_change == CLAIRE_BREAK
    assert len(sink.states) == published  # the server's own change is not sent back
    model.set_presence(AgentState.AVAILABLE)  # the agent moves on: no more news
    assert model.snapshot().remote_change is None


def test_offline_by_the_lead_stops_the_calls(desk) -> None:  # type: ignore[no-untyped-def]
    model, _engine, sink = desk
    model.server_set_state(AgentState.OFFLINE)
    model.remote_state_change(RemoteChange(AgentState.OFFLINE, "", "Claire M."))
    assert model.snapshot().presence.state is AgentState.OFFLINE
    assert sink.commands[-1] == cmd.SetAvailable(False)  # INVITEs now get 486
    assert model.snapshot().remote_change is not None


def test_a_pending_change_is_shown_during_the_call_and_never_interrupts_it(desk) -> None:  # type: ignore[no-untyped-def]
    model, engine, _sink = desk
    call_id = _in_call(model, engine)
    model.set_pending(CLAIRE_BREAK)
    model.server_set_state(AgentState.BREAK, "Café")  # even a bad server: the call goes on
    snap = model.snapshot()
    assert snap.screen is Screen.IN_CALL
    assert snap.pending == CLAIRE_BREAK
    engine.remote_hangup(call_id)
    assert model.snapshot().pending == CLAIRE_BREAK  # wrap-up: still to come
    model.set_pending(None)  # the lead cancelled it
    assert model.snapshot().pending is None


def test_a_pending_change_goes_when_the_call_is_over(desk) -> None:  # type: ignore[no-untyped-def]
    model, engine, _sink = desk
    call_id = _in_call(model, engine)
    model.set_pending(CLAIRE_BREAK)
    engine.remote_hangup(call_id)
    model.edit_wrap_up(notes="", disposition="resolved", callback_at=None)
    model.submit_wrap_up()
    model.wrap_up_durable(model.snapshot().wrap_up.record_id)  # type: ignore[union-attr]
    snap = model.snapshot()
    assert snap.presence.state is AgentState.AVAILABLE  # until the server answers
    assert snap.pending is None


# -- help requests ----------------------------------------------------------------------


def test_the_help_request_shows_its_status_live(desk) -> None:  # type: ignore[no-untyped-def]
    model, engine, sink = desk
    _in_call(model, engine)
    model.request_help()
    request_id = sink.help_requests[0].id
    assert model.snapshot().help.status is HelpStatus.SAVED  # type: ignore[union-attr]
    model.help_updated(41, "acknowledged", "Claire M.")  # before the answer: kept
    model.help_answered(request_id, 41, "open")
    help_ = model.snapshot().help
    assert help_ is not None
    assert (help_.status, help_.by) == (HelpStatus.ACKNOWLEDGED, "Claire M.")
    model.help_updated(7, "resolved")  # someone else's request: not ours
    assert model.snapshot().help.status is HelpStatus.ACKNOWLEDGED  # type: ignore[union-attr]
    model.help_updated(41, "resolved")
    assert model.snapshot().help.status is HelpStatus.RESOLVED  # type: ignore[union-attr]
    model.help_answered(request_id, 41, "open")  # a late answer never goes back
    assert model.snapshot().help.status is HelpStatus.RESOLVED  # type: ignore[union-attr]


def test_a_new_call_starts_without_help(desk) -> None:  # type: ignore[no-untyped-def]
    model, engine, _sink = desk
    call_id = _in_call(model, engine)
    model.request_help()
    engine.remote_hangup(call_id)
    model.edit_wrap_up(notes="", disposition="resolved", callback_at=None)
    model.submit_wrap_up()
    model.wrap_up_durable(model.snapshot().wrap_up.record_id)  # type: ignore[union-attr]
    engine.ring("+33612345678")
    assert model.snapshot().help is None


# -- messages -----------------------------------------------------------------------------


def _lead(id_: str, minutes: int, priority: Priority = Priority.NORMAL) -> Message:
    return Message(id_, "Claire M.", f"message {id_}", T0 + dt.timedelta(minutes=minutes), priority)


def test_urgent_waits_for_bien_recu_and_normal_gets_a_discreet_line(desk) -> None:  # type: ignore[no-untyped-def]
    model, engine, sink = desk
    _in_call(model, engine)
    model.add_message(_lead("1", 1))
    model.add_message(_lead("2", 2, Priority.URGENT))
    snap = model.snapshot()
    assert snap.screen is Screen.IN_CALL  # nothing interrupts the call
    assert (snap.unread, snap.banner.id, snap.new_message.id) == (2, "2", "1")  # type: ignore[union-attr]
    model.read_messages()  # the agent opened the inbox
    assert sink.receipts == ["1", "2"]
    snap = model.snapshot()
    assert (snap.unread, snap.new_message) == (0, None)
    assert snap.banner is not None  # read is not acknowledged
    model.ack_message("1")  # not urgent: nothing to acknowledge
    model.ack_message("2")
    assert sink.acks == ["2"]
    assert model.snapshot().banner is None


def test_writing_to_the_lead_says_saved_then_sent(desk) -> None:  # type: ignore[no-untyped-def]
    model, _engine, sink = desk
    assert model.send_to_lead("   ") is None
    local_id = model.send_to_lead("  Je reviens dans 5 min  ")
    assert local_id is not None
    assert sink.to_lead == [(local_id, "Je reviens dans 5 min")]
    mine = model.inbox.get(local_id)
    assert mine is not None
    assert mine.mine
    assert mine.delivery is Delivery.SAVING
    assert model.snapshot().unread == 0  # one's own message is no news
    model.message_delivery(local_id, Delivery.SAVED)
    model.message_delivery(local_id, Delivery.SENT)
    model.message_delivery(local_id, Delivery.SAVED)  # never backwards
    assert model.inbox.get(local_id).delivery is Delivery.SENT  # type: ignore[union-attr]


def test_an_outbound_call_without_a_sip_call_id_is_named_by_its_interaction(desk) -> None:  # type: ignore[no-untyped-def]
    model, engine, sink = desk
    model.dial("01 45 67 89 01")  # the fake answers at once: no 180, no Call-ID told
    call_id = model.snapshot().call.call_id  # type: ignore[union-attr]
    engine.measure(call_id, CallQuality(mos=4.0))
    engine.remote_hangup(call_id)
    ids = {q.sip_call_id for q in sink.qualities}
    assert ids == {sink.interactions[-1].id}
