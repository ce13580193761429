"""The engine's call controller with fake calls: decisions, events, commands.

The controller is driven exactly as the engine loop drives it (``tick`` between turns,
``handle`` for commands, callbacks for pjsua2 reports), with duck-typed fake calls that
record what pjsua2 would have been asked to do.
"""

from __future__ import annotations

from typing import Any

import pytest

from homeagent.core import commands as cmd
from homeagent.core.events import (
    CallDirection,
    CallPhase,
    CallRinging,
    CommandFailed,
    DtmfReceived,
    Event,
    IncomingCallRefused,
    RegistrationChanged,
    RegistrationState,
    TransferProgressed,
)
from homeagent.core.sip_config import EngineConfig, SipAccountConfig
from homeagent.sip.calls import CallRecord
from homeagent.sip.controller import CallController
from homeagent.sip.headers import parse_invite

INVITE = (
    "INVITE sip:1001@10.0.0.9 SIP/2.0\r\n"
    'From: "Client" <sip:+33155@proxy>;tag=1\r\nX-Queue: q1\r\nX-Contact-Id: 9\r\n\r\n'
)


class FakeCall:
    """Records what the controller asks pjsua2 to do with a call."""

    def __init__(self, record: CallRecord) -> None:
        self.record = record
        self.ops: list[tuple[str, int]] = []

    def answer(self, prm: Any) -> None:
        self.ops.append(("answer", int(prm.statusCode)))

    def hangup(self, prm: Any) -> None:
        self.ops.append(("hangup", int(prm.statusCode)))

    def setHold(self, prm: Any) -> None:
        self.ops.append(("hold", 0))


@pytest.fixture
def ctl() -> tuple[CallController, list[Event]]:
    events: list[Event] = []
    account = SipAccountConfig("10.0.0.1", 5060, "cc.example", "1001", "pw")
    controller = CallController(
        EngineConfig(max_calls=2, auto_answer_s=None), account, events.append, None,
        frozenset({"10.0.0.1"}),
    )  # fmt: skip
    return controller, events


def _incoming(controller: CallController, source: str = "10.0.0.1") -> FakeCall:
    record = CallRecord(
        call_id=controller.calls.new_id(), direction=CallDirection.INBOUND,
        facts=parse_invite(INVITE), phase=CallPhase.RINGING, source_host=source,
    )  # fmt: skip
    call = FakeCall(record)
    controller.calls.add(record, call)  # type: ignore[arg-type]
    return call


def test_incoming_call_rings_on_the_next_turn_with_its_facts(ctl) -> None:  # type: ignore[no-untyped-def]
    controller, events = ctl
    call = _incoming(controller)
    assert call.ops == []  # nothing happens inside onIncomingCall
    controller.tick(100.0)
    assert call.ops == [("answer", 180)]
    ringing = [e for e in events if isinstance(e, CallRinging)]
    assert len(ringing) == 1
    assert ringing[0].remote_number == "+33155"
    assert ringing[0].queue == "q1"
    assert ringing[0].contact_id == "9"
    controller.tick(100.1)
    assert call.ops == [("answer", 180)]  # decided once


def test_untrusted_source_gets_403_and_never_rings(ctl) -> None:  # type: ignore[no-untyped-def]
    controller, events = ctl
    call = _incoming(controller, source="6.6.6.6")
    controller.tick(1.0)
    assert call.ops == [("hangup", 403)]
    assert [type(e) for e in events] == [IncomingCallRefused]


def test_not_available_gets_486(ctl) -> None:  # type: ignore[no-untyped-def]
    controller, events = ctl
    controller.handle(cmd.SetAvailable(False))
    call = _incoming(controller)
    controller.tick(1.0)
    assert call.ops == [("hangup", 486)]
    assert isinstance(events[-1], IncomingCallRefused)
    assert events[-1].code == 486


def test_capacity_and_rejection_pacing(ctl) -> None:  # type: ignore[no-untyped-def]
    controller, _ = ctl
    calls = [_incoming(controller) for _ in range(6)]
    controller.tick(10.0)
    # two ring (max_calls=2); the pacer lets max_calls rejections out per 0.6 s
    assert [c.ops for c in calls[:2]] == [[("answer", 180)], [("answer", 180)]]
    assert [c.ops for c in calls[2:]] == [[("hangup", 486)], [("hangup", 486)], [], []]
    controller.tick(10.3)
    assert calls[4].ops == []
    controller.tick(10.7)
    assert calls[4].ops == [("hangup", 486)]
    assert calls[5].ops == [("hangup", 486)]


def test_auto_answer_after_the_delay(ctl) -> None:  # type: ignore[no-untyped-def]
    controller, events = ctl
    controller.handle(cmd.SetAutoAnswer(2.0))
    call = _incoming(controller)
    controller.tick(50.0)
    assert next(e for e in events if isinstance(e, CallRinging)).auto_answer_in_s == 2.0
    controller.tick(51.0)
    assert call.ops == [("answer", 180)]
    controller.tick(52.0)
    assert call.ops == [("answer", 180), ("answer", 200)]


def test_answer_holds_the_call_we_were_talking_to(ctl) -> None:  # type: ignore[no-untyped-def]
    controller, _ = ctl
    first = _incoming(controller)
    second = _incoming(controller)
    controller.tick(1.0)
    first.record.phase = CallPhase.ACTIVE
    first.record.answered = True
    controller.handle(cmd.Answer(second.record.call_id))
    assert first.ops[-1] == ("hold", 0)
    assert second.ops[-1] == ("answer", 200)


def test_reject_uses_486_or_603_only(ctl) -> None:  # type: ignore[no-untyped-def]
    controller, _ = ctl
    a, b = _incoming(controller), _incoming(controller)
    controller.tick(1.0)
    controller.handle(cmd.Reject(a.record.call_id, 603))
    controller.handle(cmd.Reject(b.record.call_id, 200))
    assert a.ops[-1] == ("hangup", 603)
    assert b.ops[-1] == ("hangup", 486)


def test_commands_on_unknown_calls_and_bad_destinations_fail_cleanly(ctl) -> None:  # type: ignore[no-untyped-def]
    controller, events = ctl
    controller.account = object()  # dial() must fail before touching it
    controller.handle(cmd.Hangup(42))
    controller.handle(cmd.Dial("not a number"))
    controller.handle(cmd.BlindTransfer(42, "2002"))
    failed = [e for e in events if isinstance(e, CommandFailed)]
    assert [(f.command, f.call_id) for f in failed] == [
        ("Hangup", 42), ("Dial", None), ("BlindTransfer", 42)
    ]  # fmt: skip


def test_dtmf_and_transfer_reports(ctl) -> None:  # type: ignore[no-untyped-def]
    controller, events = ctl
    call = _incoming(controller)
    controller.dtmf_received(call, "7", 1)  # type: ignore[arg-type]
    controller.dtmf_received(call, "8", 0)  # type: ignore[arg-type]
    controller.transfer_status(call, 100, False)  # type: ignore[arg-type]
    assert call.ops == []
    controller.transfer_status(call, 200, True)  # type: ignore[arg-type]
    assert call.ops == [("hangup", 0)]  # our leg goes once the transfer succeeded
    assert [(e.digit, e.method) for e in events if isinstance(e, DtmfReceived)] == [
        ("7", "info"), ("8", "rfc4733")
    ]  # fmt: skip
    progress = [e for e in events if isinstance(e, TransferProgressed)]
    assert [(p.code, p.final, p.accepted) for p in progress] == [
        (100, False, False), (200, True, True)
    ]  # fmt: skip


def test_registration_reports_count_failures(ctl) -> None:  # type: ignore[no-untyped-def]
    controller, events = ctl
    controller.transport_failed("transport to the registrar failed: refused")
    controller.registration_reported(503, "Service Unavailable", 0)
    controller.registration_reported(503, "Service Unavailable", 0)
    controller.registration_reported(200, "OK", 300)
    regs = [e for e in events if isinstance(e, RegistrationChanged)]
    assert [r.next_retry_s for r in regs] == [3, 20, None]
    assert regs[0].reason.startswith("transport to the registrar failed")
    assert regs[-1].state is RegistrationState.REGISTERED


def test_dtmf_on_a_held_call_fails_loudly_instead_of_vanishing(ctl) -> None:  # type: ignore[no-untyped-def]
    controller, events = ctl
    call = _incoming(controller)
    controller.tick(1.0)
    call.record.phase = CallPhase.HELD
    controller.handle(cmd.SendDtmf(call.record.call_id, "1"))
    failed = [e for e in events if isinstance(e, CommandFailed)]
    assert len(failed) == 1
    assert "held" in failed[0].message


def test_an_unanswered_call_is_rejected_480_after_the_ring_timeout(ctl) -> None:  # type: ignore[no-untyped-def]
    controller, _ = ctl
    assert controller.config.ring_timeout_s == 20.0
    call = _incoming(controller)
    controller.tick(100.0)
    controller.tick(119.9)
    assert call.ops == [("answer", 180)]
    controller.tick(120.0)
    assert call.ops == [("answer", 180), ("hangup", 480)]
    assert call.record.rang_out
    controller.tick(130.0)
    assert call.ops[-1] == ("hangup", 480)  # given up once


def test_an_answered_or_declined_call_never_rings_out(ctl) -> None:  # type: ignore[no-untyped-def]
    controller, _ = ctl
    answered, declined = _incoming(controller), _incoming(controller)
    controller.tick(100.0)
    controller.handle(cmd.Answer(answered.record.call_id))
    controller.handle(cmd.Reject(declined.record.call_id, 486))
    controller.tick(150.0)
    assert ("hangup", 480) not in answered.ops + declined.ops
    assert not answered.record.rang_out


def test_a_latin1_header_rings_as_clean_text(ctl, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    controller, events = ctl
    controller.account = object()  # only handed to the (fake) call
    raw = INVITE.encode().replace(b"X-Queue: q1", b"X-Queue: Fran\xe7ais")
    whole_msg = raw.decode("utf-8", errors="surrogateescape")  # as SWIG hands it over
    monkeypatch.setattr(
        "homeagent.sip.controller.EngineCall",
        lambda listener, account, record, pj_call_id: FakeCall(record),
    )
    controller.incoming_call(0, whole_msg, "10.0.0.1:5060")
    controller.tick(1.0)
    ringing = next(e for e in events if isinstance(e, CallRinging))
    assert ringing.queue == "Français"
    assert ringing.headers["X-Queue"] == "Français"


class FakeAccount:
    def __init__(self) -> None:
        self.refreshes = 0

    def setRegistration(self, renew: bool) -> None:
        assert renew
        self.refreshes += 1


def test_udp_registration_is_refreshed_so_a_restarted_registrar_gets_it_back(ctl) -> None:  # type: ignore[no-untyped-def]
    # Over UDP nothing tells us the registrar restarted and forgot our binding: the
    # controller re-REGISTERs every `reregister_s` while registered (TCP/TLS see the
    # connection close instead).
    controller, _ = ctl
    account = controller.account = FakeAccount()
    every = controller.account_cfg.reregister_s
    controller.tick(100.0)
    assert account.refreshes == 0  # not registered yet: pjsip's own retries run
    controller.registration_reported(200, "OK", 300)
    controller.tick(100.0)
    controller.tick(100.0 + every - 1)
    assert account.refreshes == 0
    controller.tick(100.0 + every + 0.1)
    assert account.refreshes == 1
    controller.tick(100.0 + every + 0.2)
    assert account.refreshes == 1  # once per period
    controller.registration_reported(408, "Request Timeout", 0)
    controller.tick(100.0 + 3 * every)
    assert account.refreshes == 1  # failing: pjsip retries on its own schedule


def test_tls_registration_is_left_to_pjsip(ctl) -> None:  # type: ignore[no-untyped-def]
    from dataclasses import replace

    from homeagent.core.sip_config import Transport

    controller, _ = ctl
    controller.registration.account_cfg = replace(controller.account_cfg, transport=Transport.TLS)
    account = controller.account = FakeAccount()
    controller.registration_reported(200, "OK", 300)
    controller.tick(100.0)
    controller.tick(10_000.0)
    assert account.refreshes == 0


def test_a_refresh_without_answer_tells_the_desk_and_is_not_sent_twice(ctl) -> None:  # type: ignore[no-untyped-def]
    # The home link died silently: the refresh REGISTER gets no answer. After a few
    # seconds the desk hears the line is reconnecting (pjsip's transaction would only time
    # out after 32 s); no second REGISTER is started while that one is outstanding (pjsip
    # refuses it: PJSIP_EBUSY); the 200 OK when the link returns says REGISTERED again.
    from homeagent.sip.registration import REGISTRAR_SILENT_S

    controller, events = ctl
    account = controller.account = FakeAccount()
    every = controller.account_cfg.reregister_s
    controller.registration_reported(200, "OK", 300)
    controller.tick(0.0)
    controller.tick(every + 0.1)
    assert account.refreshes == 1
    events.clear()
    controller.tick(every + REGISTRAR_SILENT_S - 0.5)
    assert events == []
    controller.tick(every + REGISTRAR_SILENT_S + 0.2)
    controller.tick(every + REGISTRAR_SILENT_S + 0.3)
    assert [(e.state, bool(e.reason)) for e in events] == [(RegistrationState.REGISTERING, True)]
    controller.tick(2 * every + 1)
    assert account.refreshes == 1  # still outstanding: not sent again
    controller.registration_reported(200, "OK", 300)
    assert events[-1].state is RegistrationState.REGISTERED
    controller.tick(2 * every + 2)
    controller.tick(3 * every + 3)
    assert account.refreshes == 2
