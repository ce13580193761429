"""Calls between the engine (this process) and peer subprocesses through a real Kamailio."""

from __future__ import annotations

import dataclasses
import math
import struct
import threading
import time
import wave
from pathlib import Path

import pytest

from homeagent.core import commands as cmd
from homeagent.core.events import (
    CallDirection,
    CallEnded,
    CallMuteChanged,
    CallPhase,
    CallQualityMeasured,
    CallRinging,
    CallStateChanged,
    CommandFailed,
    DtmfReceived,
    EngineStopped,
    IncomingCallRefused,
    RegistrationChanged,
    RegistrationState,
    TransferProgressed,
)
from homeagent.core.sip_config import EngineConfig, SrtpMode, Transport
from tests.helpers.kamailio import Kamailio
from tests.integration.sip.conftest import EngineRunner, account_for
from tests.integration.sip.peers import Peers

pytestmark = pytest.mark.integration


def _phase(call_id: int, phase: CallPhase):  # type: ignore[no-untyped-def]
    return lambda e: e.call_id == call_id and e.phase is phase


def test_inbound_call_carries_contact_centre_headers_and_is_answered(
    kamailio: Kamailio, engines: EngineRunner, peers: Peers
) -> None:
    _, events = engines.start(account_for(kamailio, "1001"))
    engine = engines.engines[0]
    caller = peers.start(
        "--call", f"sip:1001@{kamailio.domain}",
        "--header", "X-Contact-Id: C-4242",
        "--header", "X-Queue: support-fr",
        "--header", "P-Asserted-Identity: \"Jeanne Martin\" <sip:+33612345678@homeagent.test>",
        "--header", "Call-Info: <https://crm.example/c/4242>;purpose=info",
        kamailio=kamailio, user="2001",
    )  # fmt: skip
    ringing = events.wait_for(CallRinging)
    assert ringing.direction is CallDirection.INBOUND
    assert ringing.remote_number == "+33612345678"
    assert ringing.display_name == "Jeanne Martin"
    assert ringing.contact_id == "C-4242"
    assert ringing.queue == "support-fr"
    assert ringing.call_info == "<https://crm.example/c/4242>;purpose=info"
    assert ringing.remote_uri == f"sip:2001@{kamailio.domain}"
    assert "Authorization" not in ringing.headers
    caller.wait_for("state", lambda e: e["code"] == 180)
    engine.submit(cmd.Answer(ringing.call_id))
    events.wait_for(CallStateChanged, _phase(ringing.call_id, CallPhase.ACTIVE))
    caller.wait_for("state", lambda e: e["state"] == "confirmed")
    caller.send("dtmf 1#9")
    digits = [
        events.wait_for(DtmfReceived, lambda e, i=i: len(events.all(DtmfReceived)) > i)
        for i in range(3)
    ]
    assert "".join(d.digit for d in events.all(DtmfReceived)) == "1#9"
    assert {d.method for d in digits} == {"rfc4733"}
    caller.send("hangup")
    ended = events.wait_for(CallEnded)
    assert ended.answered
    assert ended.call_id == ringing.call_id
    assert ended.duration_s > 0


def test_outbound_call_hold_resume_mute_dtmf_and_quality(
    kamailio: Kamailio, engines: EngineRunner, peers: Peers
) -> None:
    callee = peers.start("--answer", "--answer-after", "0.3", "--tone", "440",
                         kamailio=kamailio, user="2002")  # fmt: skip
    engine, events = engines.start(account_for(kamailio, "1001"))
    engine.submit(cmd.Dial("2002", {"X-Contact-Id": "C-1"}))
    dialing = events.wait_for(CallStateChanged, lambda e: e.phase is CallPhase.DIALING)
    call_id = dialing.call_id
    incoming = callee.wait_for("incoming")
    assert incoming["headers"]["X-Contact-Id"] == "C-1"
    ringing = events.wait_for(CallRinging, lambda e: e.call_id == call_id)
    assert ringing.direction is CallDirection.OUTBOUND
    events.wait_for(CallStateChanged, _phase(call_id, CallPhase.ACTIVE))
    engine.submit(cmd.SetMute(call_id, True))
    assert events.wait_for(CallMuteChanged).muted
    engine.submit(cmd.Hold(call_id))
    events.wait_for(CallStateChanged, _phase(call_id, CallPhase.HELD))
    engine.submit(cmd.Resume(call_id))
    held = events.all(CallStateChanged).index(
        events.wait_for(CallStateChanged, _phase(call_id, CallPhase.HELD))
    )
    events.wait_for(
        CallStateChanged,
        lambda e: any(
            a.phase is CallPhase.ACTIVE for a in events.all(CallStateChanged)[held + 1 :]
        ),
    )
    engine.submit(cmd.SetMute(call_id, False))
    events.wait_for(CallMuteChanged, lambda e: not e.muted)
    engine.submit(cmd.SendDtmf(call_id, "42"))
    callee.wait_for("dtmf", lambda e: e["digit"] == "2")
    assert [e["digit"] for e in callee.named("dtmf")] == ["4", "2"]
    measured = events.wait_for(CallQualityMeasured, timeout_s=12)
    assert measured.quality.codec.upper().startswith("G722")
    assert 4.0 <= measured.quality.mos <= 4.5
    assert measured.quality.rx_loss_pct == 0.0
    engine.submit(cmd.Hangup(call_id))
    ended = events.wait_for(CallEnded)
    assert ended.answered
    assert ended.quality is not None
    callee.wait_for("ended")


def test_not_available_answers_486_so_the_queue_routes_elsewhere(
    kamailio: Kamailio, engines: EngineRunner, peers: Peers
) -> None:
    engine, events = engines.start(account_for(kamailio, "1001"))
    engine.submit(cmd.SetAvailable(False))
    caller = peers.start("--call", f"sip:1001@{kamailio.domain}", kamailio=kamailio, user="2001")
    ended = caller.wait_for("ended")
    assert ended["code"] == 486
    refused = events.wait_for(IncomingCallRefused)
    assert refused.code == 486
    assert not events.all(CallRinging)
    # available again: the next call rings
    engine.submit(cmd.SetAvailable(True))
    caller.send(f"call sip:1001@{kamailio.domain}")
    events.wait_for(CallRinging)


def test_blind_transfer_sends_refer_and_the_transferee_reaches_the_target(
    kamailio: Kamailio, engines: EngineRunner, peers: Peers
) -> None:
    customer = peers.start("--answer", kamailio=kamailio, user="2001")
    target = peers.start("--answer", kamailio=kamailio, user="2002")
    engine, events = engines.start(account_for(kamailio, "1001"))
    engine.submit(cmd.Dial("2001"))
    active = events.wait_for(CallStateChanged, lambda e: e.phase is CallPhase.ACTIVE)
    engine.submit(cmd.BlindTransfer(active.call_id, "2002"))
    request = customer.wait_for("transfer_request")
    assert request["to"].startswith(f"<sip:2002@{kamailio.domain}") or request["to"].startswith(
        f"sip:2002@{kamailio.domain}"
    )
    incoming = target.wait_for("incoming")
    assert incoming["number"] == "2001"
    final = events.wait_for(TransferProgressed, lambda e: e.final)
    assert final.accepted
    assert final.code == 200
    events.wait_for(CallEnded, lambda e: e.call_id == active.call_id)
    target.wait_for("state", lambda e: e["state"] == "confirmed")


def test_attended_transfer_joins_customer_and_consulted_colleague(
    kamailio: Kamailio, engines: EngineRunner, peers: Peers
) -> None:
    customer = peers.start("--answer", kamailio=kamailio, user="2001")
    colleague = peers.start("--answer", kamailio=kamailio, user="2002")
    engine, events = engines.start(account_for(kamailio, "1001"))
    engine.submit(cmd.Dial("2001"))
    first = events.wait_for(CallStateChanged, lambda e: e.phase is CallPhase.ACTIVE).call_id
    engine.submit(cmd.Hold(first))
    events.wait_for(CallStateChanged, _phase(first, CallPhase.HELD))
    engine.submit(cmd.Dial("2002"))
    consult = events.wait_for(
        CallStateChanged, lambda e: e.phase is CallPhase.ACTIVE and e.call_id != first
    ).call_id
    engine.submit(cmd.AttendedTransfer(first, consult))
    customer.wait_for("transfer_request")
    colleague.wait_for("replaced")
    events.wait_for(TransferProgressed, lambda e: e.final and e.accepted)
    events.wait_for(CallEnded, lambda e: e.call_id == first)
    events.wait_for(CallEnded, lambda e: e.call_id == consult)


def test_call_waiting_second_call_rings_and_answering_holds_the_first(
    kamailio: Kamailio, engines: EngineRunner, peers: Peers
) -> None:
    engine, events = engines.start(account_for(kamailio, "1001"))
    peers.start("--call", f"sip:1001@{kamailio.domain}", kamailio=kamailio, user="2001")
    first = events.wait_for(CallRinging).call_id
    engine.submit(cmd.Answer(first))
    events.wait_for(CallStateChanged, _phase(first, CallPhase.ACTIVE))
    peers.start("--call", f"sip:1001@{kamailio.domain}", kamailio=kamailio, user="2002")
    second = events.wait_for(CallRinging, lambda e: e.call_id != first)
    assert second.remote_number == "2002"
    engine.submit(cmd.Answer(second.call_id))
    events.wait_for(CallStateChanged, _phase(first, CallPhase.HELD))
    events.wait_for(CallStateChanged, _phase(second.call_id, CallPhase.ACTIVE))


def test_auto_answer_after_delay(kamailio: Kamailio, engines: EngineRunner, peers: Peers) -> None:
    engine, events = engines.start(account_for(kamailio, "1001"), EngineConfig(auto_answer_s=0.5))
    caller = peers.start("--call", f"sip:1001@{kamailio.domain}", kamailio=kamailio, user="2001")
    ringing = events.wait_for(CallRinging)
    assert ringing.auto_answer_in_s == 0.5
    events.wait_for(CallStateChanged, _phase(ringing.call_id, CallPhase.ACTIVE))
    caller.wait_for("state", lambda e: e["state"] == "confirmed")
    engine.submit(cmd.SetAutoAnswer(None))


def test_invite_from_outside_the_proxy_is_refused_403(
    kamailio: Kamailio, engines: EngineRunner, peers: Peers
) -> None:
    engine, events = engines.start(account_for(kamailio, "1001"))
    intruder = peers.start(
        "--bind", "127.0.0.2", "--call", f"sip:1001@127.0.0.1:{engine.local_port}"
    )
    assert intruder.wait_for("ended")["code"] == 403
    assert events.wait_for(IncomingCallRefused).code == 403
    assert not events.all(CallRinging)


def test_srtp_mandatory_refuses_plain_rtp_and_accepts_srtp(
    kamailio: Kamailio, engines: EngineRunner, peers: Peers
) -> None:
    account = dataclasses.replace(account_for(kamailio, "1001"), srtp=SrtpMode.MANDATORY)
    engine, events = engines.start(account)
    plain = peers.start("--call", f"sip:1001@{kamailio.domain}", kamailio=kamailio, user="2001")
    assert plain.wait_for("ended")["code"] in (488, 406, 415)
    assert not events.all(CallRinging)
    secure = peers.start("--srtp", "mandatory", "--call", f"sip:1001@{kamailio.domain}",
                         kamailio=kamailio, user="2002")  # fmt: skip
    ringing = events.wait_for(CallRinging)
    engine.submit(cmd.Answer(ringing.call_id))
    events.wait_for(CallStateChanged, _phase(ringing.call_id, CallPhase.ACTIVE))
    secure.wait_for("media", lambda e: e["status"] == 1)


def test_unknown_call_and_bad_destination_fail_cleanly(
    kamailio: Kamailio, engines: EngineRunner
) -> None:
    engine, events = engines.start(account_for(kamailio, "1001"))
    engine.submit(cmd.Hangup(999))
    engine.submit(cmd.Dial("not a number!"))
    failures = [
        events.wait_for(CommandFailed, lambda e, n=n: len(events.all(CommandFailed)) > n)
        for n in range(2)
    ]
    assert {f.command for f in events.all(CommandFailed)} == {"Hangup", "Dial"}
    assert failures


def test_stop_with_a_call_up_hangs_up_and_leaves_no_thread(
    kamailio: Kamailio, engines: EngineRunner, peers: Peers
) -> None:
    callee = peers.start("--answer", kamailio=kamailio, user="2001")
    engine, events = engines.start(account_for(kamailio, "1001"))
    engine.submit(cmd.Dial("2001"))
    events.wait_for(CallStateChanged, lambda e: e.phase is CallPhase.ACTIVE)
    engine.stop(timeout_s=5)
    assert events.wait_for(EngineStopped).reason == "stopped"
    assert events.all(CallEnded)
    assert callee.wait_for("ended")["code"] in (200, 0)
    assert not [t for t in threading.enumerate() if t.name == "sip-engine"]
    # a second engine can start in the same process afterwards
    _, again = engines.start(account_for(kamailio, "1002"))
    assert again.all(EngineStopped) == []


def test_audio_attachment_follows_the_call_on_the_engine_thread(
    kamailio: Kamailio, peers: Peers
) -> None:
    from homeagent.sip.engine import SipEngine
    from tests.integration.sip.conftest import EventLog
    from tests.unit.sip.test_engine_lifecycle import RecordingAttachment

    peers.start("--answer", kamailio=kamailio, user="2001")
    audio = RecordingAttachment()
    events = EventLog()
    engine = SipEngine(EngineConfig(), account_for(kamailio, "1001"), events, audio)
    engine.start()
    try:
        events.wait_for(RegistrationChanged, lambda e: e.state is RegistrationState.REGISTERED)
        engine.submit(cmd.Dial("2001"))
        call_id = events.wait_for(CallStateChanged, lambda e: e.phase is CallPhase.ACTIVE).call_id
        engine.submit(cmd.Hold(call_id))
        events.wait_for(CallStateChanged, _phase(call_id, CallPhase.HELD))
        engine.submit(cmd.Resume(call_id))
        events.wait_for(
            CallStateChanged,
            lambda e: (
                e.phase is CallPhase.ACTIVE
                and len([a for a in events.all(CallStateChanged) if a.phase is CallPhase.ACTIVE])
                == 2
            ),
        )
        engine.submit(cmd.Hangup(call_id))
        events.wait_for(CallEnded)
    finally:
        engine.stop()
    names = [name for name, _ in audio.calls]
    assert names == ["open", "attach", "detach", "attach", "detach", "close"]
    assert {thread for _, thread in audio.calls} == {"sip-engine"}


@pytest.mark.parametrize("transport", [Transport.TCP, Transport.TLS])
def test_inbound_and_outbound_calls_over_connection_transports(
    kamailio_tls: Kamailio, engines: EngineRunner, peers: Peers, transport: Transport
) -> None:
    """The proxy reaches the agent over the connection the agent opened (TCP/TLS)."""
    kamailio = kamailio_tls
    engine, events = engines.start(account_for(kamailio, "1001", transport))
    caller = peers.start("--call", f"sip:1001@{kamailio.domain}", kamailio=kamailio, user="2001")
    ringing = events.wait_for(CallRinging)
    engine.submit(cmd.Answer(ringing.call_id))
    caller.wait_for("state", lambda e: e["state"] == "confirmed")
    caller.send("hangup")
    events.wait_for(CallEnded)
    callee = peers.start("--answer", kamailio=kamailio, user="2002")
    engine.submit(cmd.Dial("2002"))
    events.wait_for(CallStateChanged, lambda e: e.phase is CallPhase.ACTIVE)
    callee.wait_for("state", lambda e: e["state"] == "confirmed")
    engine.submit(cmd.Hangup(events.all(CallStateChanged)[-1].call_id))
    callee.wait_for("ended")


def test_ip_change_re_registers(kamailio: Kamailio, engines: EngineRunner) -> None:
    engine, events = engines.start(account_for(kamailio, "1001"))

    def registered() -> int:
        return len(
            [e for e in events.all(RegistrationChanged) if e.state is RegistrationState.REGISTERED]
        )

    time.sleep(1.0)  # pjsua2 may refresh once right after the first REGISTER
    before = registered()
    engine.submit(cmd.HandleIpChange())
    events.wait_for(RegistrationChanged, lambda e: registered() > before)
    assert not events.all(CommandFailed)


class RecorderAttachment:
    """An attachment whose `port` is a WAV recorder: what the agent would hear."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.port: object | None = None

    def open(self) -> None:
        import pjsua2 as pj

        recorder = pj.AudioMediaRecorder()
        recorder.createRecorder(str(self.path))
        self.port = recorder

    def attach(self, media: object) -> None:
        pass

    def detach(self, media: object) -> None:
        pass

    def close(self) -> None:
        self.port = None  # destroys the recorder on the engine thread, closing the WAV


def test_auto_answer_plays_a_zip_tone_into_the_headset(
    kamailio: Kamailio, peers: Peers, tmp_path: Path
) -> None:
    from homeagent.sip.callmedia import ZIP_TONE_HZ
    from homeagent.sip.engine import SipEngine
    from tests.integration.sip.conftest import EventLog

    wav_path = tmp_path / "headset.wav"
    events = EventLog()
    engine = SipEngine(
        EngineConfig(auto_answer_s=0.2), account_for(kamailio, "1001"), events,
        RecorderAttachment(wav_path),
    )  # fmt: skip
    engine.start()
    try:
        events.wait_for(RegistrationChanged, lambda e: e.state is RegistrationState.REGISTERED)
        peers.start("--call", f"sip:1001@{kamailio.domain}", kamailio=kamailio, user="2001")
        events.wait_for(CallStateChanged, lambda e: e.phase is CallPhase.ACTIVE)
        time.sleep(0.6)
    finally:
        engine.stop()
    with wave.open(str(wav_path), "rb") as wav:
        rate = wav.getframerate()
        raw = wav.readframes(wav.getnframes())
    samples = struct.unpack(f"<{len(raw) // 2}h", raw)

    def power(freq: float) -> float:
        coeff = 2 * math.cos(2 * math.pi * freq / rate)
        s1 = s2 = 0.0
        for x in samples:
            s1, s2 = x + coeff * s1 - s2, s1
        return s1 * s1 + s2 * s2 - coeff * s1 * s2

    assert power(ZIP_TONE_HZ) > 100 * power(700.0)
    assert max(abs(s) for s in samples) > 1000


def test_production_setup_tls_signalling_and_mandatory_srtp(
    kamailio_tls: Kamailio, engines: EngineRunner, peers: Peers
) -> None:
    """TLS to the proxy plus SRTP required: calls both ways carry SRTP (SDES)."""
    kamailio = kamailio_tls
    account = dataclasses.replace(
        account_for(kamailio, "1001", Transport.TLS), srtp=SrtpMode.MANDATORY
    )
    engine, events = engines.start(account)
    secure = peers.start("--srtp", "mandatory", "--call", f"sip:1001@{kamailio.domain}",
                         kamailio=kamailio, user="2001")  # fmt: skip
    ringing = events.wait_for(CallRinging)
    engine.submit(cmd.Answer(ringing.call_id))
    events.wait_for(CallStateChanged, _phase(ringing.call_id, CallPhase.ACTIVE))
    secure.wait_for("media", lambda e: e["status"] == 1)
    secure.send("hangup")
    events.wait_for(CallEnded)
    callee = peers.start("--srtp", "optional", "--answer", kamailio=kamailio, user="2002")
    engine.submit(cmd.Dial("2002"))
    incoming = callee.wait_for("incoming")
    assert incoming["number"] == "1001"
    assert incoming["crypto"], "the engine's offer must carry SRTP keys"
    events.wait_for(
        CallStateChanged, lambda e: e.phase is CallPhase.ACTIVE and e.call_id != ringing.call_id
    )
