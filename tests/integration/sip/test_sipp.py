"""sipp scenarios (tests/sipp/) against the engine: answer + BYE, DTMF in, REFER out."""

from __future__ import annotations

import pytest

from homeagent.core import commands as cmd
from homeagent.core.events import (
    CallEnded,
    CallPhase,
    CallRinging,
    CallStateChanged,
    CommandFailed,
    DtmfReceived,
    TransferProgressed,
)
from tests.helpers.kamailio import Kamailio
from tests.helpers.sipp import SippRunner
from tests.integration.sip.conftest import EngineRunner, account_for

pytestmark = pytest.mark.integration


def _answer_first_call(engine, events) -> int:  # type: ignore[no-untyped-def]
    ringing = events.wait_for(CallRinging)
    engine.submit(cmd.Answer(ringing.call_id))
    return int(ringing.call_id)


def test_incoming_invite_is_answered_200_and_ends_on_bye(
    kamailio: Kamailio, engines: EngineRunner, sipp: SippRunner
) -> None:
    engine, events = engines.start(account_for(kamailio, "1001"))
    run = sipp.start("uac_answer_bye.xml", f"127.0.0.1:{engine.local_port}")
    call_id = _answer_first_call(engine, events)
    ringing = events.all(CallRinging)[0]
    assert ringing.contact_id == "C-1"
    assert ringing.queue == "sipp-queue"
    assert ringing.remote_number == "+33612341"
    result = run.wait(30)
    assert result.returncode == 0, result.errors + result.messages[-3000:]
    assert result.successful == 1
    assert "SIP/2.0 200 OK" in result.messages
    ended = events.wait_for(CallEnded)
    assert ended.call_id == call_id
    assert ended.answered


def test_dtmf_received_as_sip_info(
    kamailio: Kamailio, engines: EngineRunner, sipp: SippRunner
) -> None:
    engine, events = engines.start(account_for(kamailio, "1001"))
    run = sipp.start("uac_dtmf_info.xml", f"127.0.0.1:{engine.local_port}")
    call_id = _answer_first_call(engine, events)
    result = run.wait(30)
    assert result.returncode == 0, result.errors + result.messages[-3000:]
    events.wait_for(CallEnded)
    digits = [(d.digit, d.method) for d in events.all(DtmfReceived) if d.call_id == call_id]
    assert digits == [("5", "info"), ("#", "info")]


def test_dtmf_received_as_rfc4733_events(
    kamailio: Kamailio, engines: EngineRunner, sipp: SippRunner
) -> None:
    engine, events = engines.start(account_for(kamailio, "1001"))
    run = sipp.start("uac_dtmf_rfc4733.xml", f"127.0.0.1:{engine.local_port}")
    _answer_first_call(engine, events)
    result = run.wait(30)
    assert result.returncode == 0, result.errors + result.messages[-3000:]
    events.wait_for(CallEnded)
    digits = [(d.digit, d.method) for d in events.all(DtmfReceived)]
    assert digits == [("1", "rfc4733"), ("9", "rfc4733")]


def test_blind_transfer_sends_refer_with_the_target(
    kamailio: Kamailio, engines: EngineRunner, sipp: SippRunner
) -> None:
    engine, events = engines.start(account_for(kamailio, "1001"))
    run = sipp.start(
        "uac_expect_refer.xml",
        f"127.0.0.1:{engine.local_port}",
        keys={"refer_to": f"sip:2002@{kamailio.domain}"},
    )
    call_id = _answer_first_call(engine, events)
    events.wait_for(CallStateChanged, lambda e: e.phase is CallPhase.ACTIVE)
    engine.submit(cmd.BlindTransfer(call_id, "2002"))
    result = run.wait(30)
    assert result.returncode == 0, result.errors + result.messages[-3000:]
    refer = result.messages.split("REFER sip:", 1)[1].split("\n\n", 1)[0]
    assert f"Refer-To: <sip:2002@{kamailio.domain}>" in refer or "sip:2002@" in refer
    final = events.wait_for(TransferProgressed, lambda e: e.final)
    assert final.accepted
    assert final.code == 200
    events.wait_for(CallEnded, lambda e: e.call_id == call_id)


def test_hold_and_resume_refused_once_by_the_far_end_are_tried_again(
    kamailio: Kamailio, engines: EngineRunner, sipp: SippRunner
) -> None:
    """A re-INVITE refused 491 (glare) or 500 + Retry-After (the far end still waits for an
    ACK: reordered through the proxy) is sent again (RFC 3261 14.1), not silently dropped:
    otherwise the customer stays on hold while the agent pressed Resume."""
    engine, events = engines.start(account_for(kamailio, "1001"))
    run = sipp.start("uac_reinvite_refused_once.xml", f"127.0.0.1:{engine.local_port}")
    call_id = _answer_first_call(engine, events)
    events.wait_for(CallStateChanged, lambda e: e.phase is CallPhase.ACTIVE)
    engine.submit(cmd.Hold(call_id))
    events.wait_for(CallStateChanged, lambda e: e.phase is CallPhase.HELD, timeout_s=10)
    engine.submit(cmd.Resume(call_id))
    held_at = len(events.all(CallStateChanged))
    events.wait_for(
        CallStateChanged,
        lambda e: any(s.phase is CallPhase.ACTIVE for s in events.all(CallStateChanged)[held_at:]),
        timeout_s=10,
    )
    assert not events.all(CommandFailed)
    engine.submit(cmd.Hangup(call_id))
    result = run.wait(30)
    assert result.returncode == 0, result.errors + result.messages[-3000:]
    events.wait_for(CallEnded, lambda e: e.call_id == call_id)


def test_a_hold_the_far_end_refuses_for_good_is_reported(
    kamailio: Kamailio, engines: EngineRunner, sipp: SippRunner
) -> None:
    engine, events = engines.start(account_for(kamailio, "1001"))
    run = sipp.start("uac_reinvite_refused_488.xml", f"127.0.0.1:{engine.local_port}")
    call_id = _answer_first_call(engine, events)
    events.wait_for(CallStateChanged, lambda e: e.phase is CallPhase.ACTIVE)
    engine.submit(cmd.Hold(call_id))
    failed = events.wait_for(CommandFailed, timeout_s=10)
    assert failed.command == "Hold"
    assert failed.call_id == call_id
    assert "488" in failed.message
    assert not [e for e in events.all(CallStateChanged) if e.phase is CallPhase.HELD]
    engine.submit(cmd.Hangup(call_id))
    result = run.wait(30)
    assert result.returncode == 0, result.errors + result.messages[-3000:]
