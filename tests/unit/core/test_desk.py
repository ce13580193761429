"""The agent desk's decisions, over the in-memory fakes (no Qt)."""

from __future__ import annotations

import pytest

from homeagent.core import commands as cmd
from homeagent.core.agent_state import AgentState
from homeagent.core.desk import DeskModel
from homeagent.core.desk_snapshot import DeskSnapshot, Notice, QualityLevel, Screen
from homeagent.core.desk_types import CallOutcome, Delivery
from homeagent.core.eventlog import MemoryEventLog
from homeagent.core.events import (
    CallPhase,
    CallQuality,
    CallQualityMeasured,
    CallStateChanged,
    CommandFailed,
)
from homeagent.testing.demo_team import DEMO_TEAM
from homeagent.testing.fakes import FakeDirectory, FakeEngine, RecordingSink


class Clock:
    def __init__(self) -> None:
        self.now_s = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now_s


@pytest.fixture
def desk() -> tuple[DeskModel, FakeEngine, RecordingSink, MemoryEventLog, Clock]:
    directory = FakeDirectory()
    sink = RecordingSink(directory=directory)
    log = MemoryEventLog()
    clock = Clock()
    model = DeskModel(directory=directory, sink=sink, log=log, clock=clock)
    engine = FakeEngine(model.handle)
    sink.engine = engine
    model.configure(agent_name="Alice", team=DEMO_TEAM)
    model.set_presence(AgentState.AVAILABLE)
    return model, engine, sink, log, clock


def test_ringing_pops_the_card_by_number(desk) -> None:
    model, engine, _sink, log, _ = desk
    engine.ring("0612345678")
    snap = model.snapshot()
    assert snap.screen is Screen.RINGING
    assert snap.card is not None
    assert snap.card.contact is not None
    assert snap.card.contact.id == "c-001"
    assert snap.presence.state is AgentState.RINGING
    ringing = next(r for r in log.records if r["event"] == "call_ringing")
    assert ringing["contact_id"] == "c-001"
    assert ringing["remote_number"] == "*******678"


def test_contact_id_header_wins_over_the_number(desk) -> None:
    model, engine, *_ = desk
    engine.ring("+33700000000", contact_id="c-004")
    assert model.snapshot().card.contact.id == "c-004"


def test_unknown_caller_then_quick_create(desk) -> None:
    model, engine, sink, *_ = desk
    engine.ring("+33700000042")
    assert model.snapshot().card.known is False
    model.create_contact("Paul", "Girard")
    card = model.snapshot().card
    assert card.known
    assert card.contact.full_name == "Paul Girard"
    assert sink.created[0].phones == ("+33700000042",)


def test_answer_hold_mute_hang_up_then_wrap_up(desk) -> None:
    model, engine, sink, log, clock = desk
    call_id = engine.ring("+33612345678")
    model.answer()
    snap = model.snapshot()
    assert snap.screen is Screen.IN_CALL
    assert snap.presence.state is AgentState.ON_CALL
    model.toggle_hold()
    assert model.snapshot().call.held
    model.toggle_hold()
    model.toggle_mute()
    assert model.snapshot().call.muted
    model.send_dtmf("12#")
    assert cmd.SendDtmf(call_id, "12#") in sink.commands
    clock.now_s += 90
    model.hang_up()
    snap = model.snapshot()
    assert snap.screen is Screen.WRAP_UP
    assert snap.presence.state is AgentState.WRAP_UP
    assert snap.card.contact.id == "c-001"  # the card stays
    assert snap.wrap_up.deadline_s == clock.now_s + DEMO_TEAM.wrap_up_s
    assert sink.interactions[-1].outcome is CallOutcome.ANSWERED
    assert log.events()[-1] == "wrap_up_started"


def test_wrap_up_needs_a_disposition_and_says_saved_only_when_durable(desk) -> None:
    model, engine, sink, log, _ = desk
    call_id = engine.ring("+33612345678")
    model.answer()
    engine.remote_hangup(call_id)
    assert model.submit_wrap_up() is False
    assert model.snapshot().notice is Notice.DISPOSITION_REQUIRED
    model.edit_wrap_up(notes="Box redémarrée", disposition="resolved", callback_at=None)
    assert model.submit_wrap_up() is True
    snap = model.snapshot()
    assert snap.wrap_up.delivery is Delivery.SAVING  # not "Enregistré" yet
    assert snap.presence.state is AgentState.WRAP_UP
    record = sink.wrap_ups[0]
    assert (record.disposition, record.notes, record.contact_id) == (
        "resolved",
        "Box redémarrée",
        "c-001",
    )
    model.wrap_up_durable(record.id)
    snap = model.snapshot()
    assert snap.last_delivery is Delivery.SAVED
    assert snap.screen is Screen.IDLE
    assert snap.presence.state is AgentState.AVAILABLE
    model.wrap_up_sent(record.id)
    assert model.snapshot().last_delivery is Delivery.SENT
    assert "wrap_up_saved" in log.events()
    assert "wrap_up_sent" in log.events()


def test_presence_cannot_change_during_unsaved_wrap_up(desk) -> None:
    model, engine, *_ = desk
    engine.remote_hangup(_answered(model, engine))
    assert model.set_presence(AgentState.BREAK, "Café") is False
    assert model.snapshot().notice is Notice.WRAP_UP_FIRST


def _answered(model: DeskModel, engine: FakeEngine) -> int:
    call_id = engine.ring("+33612345678")
    model.answer()
    return call_id


def test_declined_call_goes_back_to_available(desk) -> None:
    model, engine, sink, *_ = desk
    engine.ring("+33612345678")
    model.decline()
    snap = model.snapshot()
    assert snap.screen is Screen.IDLE
    assert snap.presence.state is AgentState.AVAILABLE
    assert any(isinstance(c, cmd.Reject) and c.code == 486 for c in sink.commands)
    assert sink.interactions[-1].outcome is CallOutcome.BUSY


def test_toggle_available_goes_back_to_the_last_break(desk) -> None:
    model, _engine, sink, *_ = desk
    model.set_presence(AgentState.BREAK, "Déjeuner")
    model.toggle_available()
    assert model.snapshot().presence.state is AgentState.AVAILABLE
    model.toggle_available()
    snap = model.snapshot()
    assert (snap.presence.state, snap.presence.reason) == (AgentState.BREAK, "Déjeuner")
    assert cmd.SetAvailable(False) in sink.commands
    assert sink.states[-1].reason == "Déjeuner"


def test_quality_and_help_request_mask_the_number(desk) -> None:
    model, engine, sink, *_ = desk
    call_id = _answered(model, engine)
    model.handle(CallQualityMeasured(call_id, CallQuality(mos=3.2)))
    assert model.snapshot().call.quality is QualityLevel.POOR
    model.request_help("Client très mécontent")
    model.request_help("twice")
    assert len(sink.help_requests) == 1
    assert sink.help_requests[0].remote_number_masked.endswith("678")
    assert "612345" not in sink.help_requests[0].remote_number_masked
    assert model.snapshot().call.help_requested


def test_attended_transfer(desk) -> None:
    model, engine, sink, *_ = desk
    call_id = _answered(model, engine)
    model.start_consultation("2002")
    snap = model.snapshot()
    assert snap.consult is not None
    assert snap.call.held
    model.complete_transfer()
    assert cmd.AttendedTransfer(call_id, snap.consult.call_id) in sink.commands
    assert model.snapshot().notice is Notice.TRANSFER_DONE


def test_wrap_up_times_out_with_disposition(desk) -> None:
    model, engine, sink, _log, clock = desk
    engine.remote_hangup(_answered(model, engine))
    model.edit_wrap_up(notes="", disposition="sale", callback_at=None)
    clock.now_s += DEMO_TEAM.wrap_up_s + 1
    model.tick()
    assert len(sink.wrap_ups) == 1


def test_urgent_message_banner_until_acknowledged(desk) -> None:
    import datetime as dt

    from homeagent.testing.fakes import demo_messages

    model, engine, sink, *_ = desk
    _answered(model, engine)
    for message in demo_messages(dt.datetime(2026, 11, 23, 10, tzinfo=dt.UTC)):
        model.add_message(message)
        model.add_message(message)  # replay: nothing twice
    snap = model.snapshot()
    assert snap.unread == 2
    assert snap.banner is not None
    assert snap.banner.id == "m-2"
    assert snap.screen is Screen.IN_CALL  # the call is not interrupted
    model.read_message("m-2")  # read in the inbox: the banner waits for "Bien reçu"
    assert model.snapshot().banner is not None
    model.ack_message("m-2")
    model.ack_message("m-2")
    assert model.snapshot().banner is None
    assert sink.receipts == ["m-2"]
    assert sink.acks == ["m-2"]  # once
    assert model.snapshot().unread == 1


def test_listeners_get_every_snapshot(desk) -> None:
    model, engine, *_ = desk
    seen: list[DeskSnapshot] = []
    model.subscribe(seen.append)
    engine.ring("+33612345678")
    assert [s.screen for s in seen][-1] is Screen.RINGING


def test_outbound_dial_pops_card(desk) -> None:
    model, _engine, *_ = desk
    model.dial("01 45 67 89 01")
    snap = model.snapshot()
    assert snap.screen is Screen.IN_CALL
    assert snap.card.contact.id == "c-003"
    model.handle(CallStateChanged(99, CallPhase.ACTIVE))  # unknown call: ignored
    assert snap.call.call_id != 99


def test_server_not_ready_during_ringing_wins_over_going_back_to_available(desk) -> None:
    """RONA: the server sets the agent aside while the call still rings; the desk keeps it."""
    model, engine, sink, *_ = desk
    call_id = engine.ring("+33612345678")
    model.server_set_state(AgentState.NOT_READY, "missed")  # arrives before the CANCEL
    engine.remote_hangup(call_id)
    snap = model.snapshot()
    assert snap.presence.state is AgentState.NOT_READY
    assert snap.presence.reason == "missed"
    assert sink.states[-1].state is AgentState.NOT_READY  # never published Available
    assert not any(p.state is AgentState.AVAILABLE for p in sink.states[-2:])


def test_caller_abandoning_while_ringing_goes_back_to_available(desk) -> None:
    model, engine, *_ = desk
    call_id = engine.ring("+33612345678")
    engine.remote_hangup(call_id)
    assert model.snapshot().presence.state is AgentState.AVAILABLE


def test_the_wrap_up_says_when_the_customer_hung_up(desk) -> None:
    model, engine, _sink, _log, _clock = desk
    call_id = engine.ring("+33612345678")
    model.answer()
    engine.remote_hangup(call_id)
    assert model.snapshot().screen is Screen.WRAP_UP
    assert model.snapshot().notice is Notice.CUSTOMER_HUNG_UP


def test_the_agents_own_hang_up_says_nothing(desk) -> None:
    model, engine, _sink, _log, _clock = desk
    engine.ring("+33612345678")
    model.answer()
    model.hang_up()
    assert model.snapshot().screen is Screen.WRAP_UP
    assert model.snapshot().notice is Notice.NONE


def test_a_missed_call_is_in_the_event_log_with_the_caller_masked(desk) -> None:
    from homeagent.core.events import CallEnded

    model, engine, _sink, log, _clock = desk
    call_id = engine.ring("+33612345678")
    model.handle(CallEnded(call_id, 480, "no answer", 0.0, answered=False, rang_out=True))
    missed = next(r for r in log.records if r["event"] == "call_missed")
    assert missed["set_aside"] is True
    assert missed["contact_id"] == "c-001"
    assert "612345678" not in str(missed["remote_number"])


def test_a_resume_the_far_end_refused_tells_the_agent_the_customer_still_waits(desk) -> None:
    model, engine, _sink, log, _clock = desk
    call_id = engine.ring("+33612345678")
    model.answer()
    model.handle(CommandFailed("Resume", "refused by the other side: 488 Not Acceptable", call_id))
    assert model.snapshot().notice is Notice.RESUME_FAILED
    assert any(r["event"] == "hold_failed" for r in log.records)
    model.handle(CommandFailed("Dial", "invalid destination"))  # not a hold: no such notice
    assert model.snapshot().notice is Notice.RESUME_FAILED
