"""Supervision legs in the engine's controller, with fake pjsua2 calls.

Driven as the engine loop drives it: ``incoming_call`` from ``onIncomingCall``, ``tick``
between turns, ``handle`` for commands, the legs' callbacks for pjsua2's reports.
"""

from __future__ import annotations

import secrets
from types import SimpleNamespace
from typing import Any, ClassVar

import pjsua2 as pj
import pytest

from homeagent.core import commands as cmd
from homeagent.core.events import (
    CallDirection,
    CallPhase,
    CallRinging,
    CallStateChanged,
    Event,
    SupervisionChanged,
    SupervisionRefused,
)
from homeagent.core.sip_config import EngineConfig, SipAccountConfig
from homeagent.sip import supervision
from homeagent.sip.calls import CallRecord
from homeagent.sip.controller import CallController

PROXY = "10.0.0.1"


def invite(token: str | None) -> str:
    header = "" if token is None else f"X-HomeAgent-Supervision: {token}\r\n"
    return (
        "INVITE sip:lead@10.0.0.9 SIP/2.0\r\n"
        f'From: "Agent" <sip:1001@cc.example>;tag=1\r\n{header}\r\n'
    )


class FakeLegCall:
    """Records what the engine asks pjsua2 to do with a leg; the test plays pjsua2."""

    instances: ClassVar[list[FakeLegCall]] = []

    def __init__(self, listener: Any, account: Any, leg: Any, pj_call_id: int = -1) -> None:
        self.listener, self.leg = listener, leg
        self.ops: list[tuple[str, int]] = []
        self.made: tuple[str, dict[str, str]] | None = None
        self.state = pj.PJSIP_INV_STATE_NULL
        self.code = 0
        self.rx_packets = 0
        FakeLegCall.instances.append(self)

    def makeCall(self, uri: str, prm: Any) -> None:
        self.made = (uri, {h.hName: h.hValue for h in prm.txOption.headers})

    def answer(self, prm: Any) -> None:
        self.ops.append(("answer", int(prm.statusCode)))

    def hangup(self, prm: Any) -> None:
        self.ops.append(("hangup", int(prm.statusCode)))

    def getInfo(self) -> Any:
        media = SimpleNamespace(type=pj.PJMEDIA_TYPE_AUDIO, status=pj.PJSUA_CALL_MEDIA_ACTIVE,
                                index=0)  # fmt: skip
        return SimpleNamespace(state=self.state, lastStatusCode=self.code, media=[media])

    def getAudioMedia(self, index: int) -> Any:
        return SimpleNamespace(name="leg-audio")

    def getStreamStat(self, index: int) -> Any:
        rx = SimpleNamespace(pkt=self.rx_packets)
        return SimpleNamespace(rtcp=SimpleNamespace(rxStat=rx))

    # what pjsua2 would report
    def confirm(self) -> None:
        self.state = pj.PJSIP_INV_STATE_CONFIRMED
        self.listener.leg_state_changed(self)
        self.listener.leg_media_changed(self)

    def disconnect(self, code: int) -> None:
        self.state, self.code = pj.PJSIP_INV_STATE_DISCONNECTED, code
        self.listener.leg_state_changed(self)


class FakeMedia:
    """Stands in for CallMedia: records plug/unplug and remixes."""

    def __init__(self) -> None:
        self.leg: Any = None
        self.plugged: list[Any] = []
        self.remixes = 0
        self.mixes = True

    def plug(self, media: Any) -> None:
        self.plugged.append(media)

    def unplug(self, media: Any) -> None:
        self.plugged.remove(media)

    def attach_leg(self, media: Any) -> None:
        self.leg.media = media
        self.remixes += 1

    def drop(self, media: Any) -> None:
        self.plugged.remove(media)

    def detach_leg(self, slot: int | None = None) -> None:
        if self.leg is not None:
            self.leg.media = None

    def remix(self) -> None:
        self.remixes += 1


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def world(monkeypatch: pytest.MonkeyPatch) -> Any:
    FakeLegCall.instances = []
    monkeypatch.setattr(supervision, "LegCall", FakeLegCall)
    events: list[Event] = []
    account = SipAccountConfig(PROXY, 5060, "cc.example", "1001", "pw")
    ctl = CallController(
        EngineConfig(max_calls=1, auto_answer_s=None), account, events.append, None,
        frozenset({PROXY}),
    )  # fmt: skip
    ctl.account = object()
    clock = Clock()
    ctl.supervision.clock = clock
    media = FakeMedia()
    ctl.supervision.media = media  # type: ignore[assignment]
    return SimpleNamespace(ctl=ctl, events=events, clock=clock, media=media)


def sup_events(events: list[Event]) -> list[tuple[Any, ...]]:
    return [
        (e.session_id, e.side, e.phase, e.reason)
        for e in events
        if isinstance(e, SupervisionChanged)
    ]


def lead_invite(world: Any, token: str | None, source: str = PROXY) -> FakeLegCall:
    world.ctl.incoming_call(0, invite(token), f"{source}:5060")
    return FakeLegCall.instances[-1]


# ---------------------------------------------------------------------- lead side
def test_an_armed_token_is_answered_at_once_without_ringing_even_unavailable(world) -> None:  # type: ignore[no-untyped-def]
    t = secrets.token_urlsafe(32)
    world.ctl.handle(cmd.SetAvailable(False))
    world.ctl.handle(cmd.ExpectSupervision(12, t))
    leg = lead_invite(world, t)
    assert leg.ops == []  # nothing inside onIncomingCall
    assert len(world.ctl.calls) == 0  # never a call: no max_calls, no call waiting
    world.ctl.tick(world.clock.now)
    assert leg.ops == [("answer", 200)]  # no 180 first
    leg.confirm()
    assert len(world.media.plugged) == 1  # both ways with the lead's headset
    assert sup_events(world.events) == [(12, "lead", "connected", "")]
    assert not [e for e in world.events if isinstance(e, CallRinging | CallStateChanged)]
    # the agent hangs up: the lead side says so
    leg.disconnect(200)
    assert sup_events(world.events)[-1] == (12, "lead", "ended", "call_ended")
    assert world.media.plugged == []


def test_a_replayed_token_is_refused_403_at_once(world) -> None:  # type: ignore[no-untyped-def]
    t = secrets.token_urlsafe(32)
    world.ctl.handle(cmd.ExpectSupervision(3, t))
    first = lead_invite(world, t)
    world.ctl.tick(world.clock.now)
    assert first.ops == [("answer", 200)]
    replay = lead_invite(world, t)
    world.ctl.tick(world.clock.now)
    assert replay.ops == [("hangup", 403)]
    refused = [e for e in world.events if isinstance(e, SupervisionRefused)]
    assert [r.reason for r in refused] == ["token already used"]
    assert refused[0].remote_uri == "sip:1001@cc.example"


def test_an_unknown_token_is_held_then_answered_when_armed_within_2_s(world) -> None:  # type: ignore[no-untyped-def]
    t = secrets.token_urlsafe(32)
    leg = lead_invite(world, t)
    world.ctl.tick(world.clock.now)
    world.clock.now += 1.5
    world.ctl.tick(world.clock.now)
    assert leg.ops == []  # held, unanswered
    world.ctl.handle(cmd.ExpectSupervision(9, t))
    world.ctl.tick(world.clock.now)
    assert leg.ops == [("answer", 200)]


def test_an_unknown_token_is_refused_after_2_s(world) -> None:  # type: ignore[no-untyped-def]
    leg = lead_invite(world, secrets.token_urlsafe(32))
    world.ctl.tick(world.clock.now)
    world.clock.now += 1.9
    world.ctl.tick(world.clock.now)
    assert leg.ops == []
    world.clock.now += 0.2
    world.ctl.tick(world.clock.now)
    assert leg.ops == [("hangup", 403)]
    assert [e.reason for e in world.events if isinstance(e, SupervisionRefused)] == [
        "unknown token"
    ]
    leg.disconnect(403)
    assert sup_events(world.events) == []  # a refusal is not a session of ours


def test_an_expired_token_and_an_untrusted_source_are_refused_at_once(world) -> None:  # type: ignore[no-untyped-def]
    old, fresh = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    world.ctl.handle(cmd.ExpectSupervision(1, old))
    world.ctl.handle(cmd.ExpectSupervision(2, fresh))
    world.clock.now += 31
    late = lead_invite(world, old)
    world.ctl.tick(world.clock.now)
    assert late.ops == [("hangup", 403)]
    world.ctl.handle(cmd.ExpectSupervision(3, fresh := secrets.token_urlsafe(32)))
    rogue = lead_invite(world, fresh, source="6.6.6.6")
    world.ctl.tick(world.clock.now)
    assert rogue.ops == []  # refusals are paced (max_calls per 0.6 s), like calls'
    world.clock.now += 0.7
    world.ctl.tick(world.clock.now)
    assert rogue.ops == [("hangup", 403)]
    reasons = [e.reason for e in world.events if isinstance(e, SupervisionRefused)]
    assert reasons == ["token expired", "untrusted source"]


def test_an_empty_header_is_still_a_supervision_invite_and_never_rings(world) -> None:  # type: ignore[no-untyped-def]
    leg = lead_invite(world, "")
    world.ctl.tick(world.clock.now)
    assert leg.ops == [("hangup", 403)]
    assert len(world.ctl.calls) == 0
    assert not [e for e in world.events if isinstance(e, CallRinging)]


def test_only_one_unknown_token_is_held_at_a_time(world) -> None:  # type: ignore[no-untyped-def]
    first = lead_invite(world, secrets.token_urlsafe(32))
    second = lead_invite(world, secrets.token_urlsafe(32))
    world.ctl.tick(world.clock.now)
    assert first.ops == []
    assert second.ops == [("hangup", 403)]


def test_the_leads_stop_hangs_up_its_leg_and_withdraws_a_waiting_token(world) -> None:  # type: ignore[no-untyped-def]
    t = secrets.token_urlsafe(32)
    world.ctl.handle(cmd.ExpectSupervision(4, t))
    leg = lead_invite(world, t)
    world.ctl.tick(world.clock.now)
    leg.confirm()
    world.ctl.handle(cmd.StopSupervision(4, "lead_stopped"))
    assert leg.ops[-1] == ("hangup", 0)
    leg.disconnect(200)
    assert sup_events(world.events)[-1] == (4, "lead", "ended", "lead_stopped")
    # withdrawn before its leg came: the late INVITE is refused at once
    t2 = secrets.token_urlsafe(32)
    world.ctl.handle(cmd.ExpectSupervision(5, t2))
    world.ctl.handle(cmd.StopSupervision(5))
    late = lead_invite(world, t2)
    world.clock.now += 1  # pacer window
    world.ctl.tick(world.clock.now)
    assert late.ops == [("hangup", 403)]


# ---------------------------------------------------------------------- agent side
def customer_call(world: Any, answered: bool = True) -> CallRecord:
    record = CallRecord(
        call_id=world.ctl.calls.new_id(), direction=CallDirection.INBOUND,
        phase=CallPhase.ACTIVE if answered else CallPhase.RINGING, decided=True,
        answered=answered,
    )  # fmt: skip
    world.ctl.calls.add(record, SimpleNamespace(record=record))
    return record


def start(world: Any, call_id: int, mode: str = "listen", target: str = "") -> str:
    t = secrets.token_urlsafe(32)
    world.ctl.handle(cmd.StartSupervision(21, call_id, target or "sip:lead@cc.example", t, mode))
    return t


def test_the_leg_carries_the_token_and_reports_connecting_then_connected(world) -> None:  # type: ignore[no-untyped-def]
    record = customer_call(world)
    t = start(world, record.call_id, "whisper")
    leg = FakeLegCall.instances[-1]
    assert leg.made == ("sip:lead@cc.example", {"X-HomeAgent-Supervision": t})
    assert world.media.leg.customer_call_id == record.call_id
    assert world.media.leg.mode == "whisper"
    leg.confirm()
    assert sup_events(world.events) == [
        (21, "agent", "connecting", ""), (21, "agent", "connected", "")
    ]  # fmt: skip
    world.ctl.handle(cmd.SetSupervisionMode(21, "barge"))
    assert world.media.leg.mode == "barge"
    assert len(world.ctl.calls) == 1  # the leg is not a call


@pytest.mark.parametrize("answered", [False, None])
def test_no_connected_customer_call_is_not_in_call(world, answered) -> None:  # type: ignore[no-untyped-def]
    call_id = 99 if answered is None else customer_call(world, answered=False).call_id
    start(world, call_id)
    assert sup_events(world.events) == [(21, "agent", "ended", "not_in_call")]
    assert FakeLegCall.instances == []


@pytest.mark.parametrize("target", ["tel:+33123", "http://x", "sip:a@b\r\nVia: x", "lead"])
def test_only_a_sip_uri_is_dialled(world, target: str) -> None:  # type: ignore[no-untyped-def]
    start(world, customer_call(world).call_id, target=target)
    assert sup_events(world.events) == [(21, "agent", "ended", "failed")]
    assert FakeLegCall.instances == []


def test_the_customer_hanging_up_ends_the_leg_on_the_same_turn(world) -> None:  # type: ignore[no-untyped-def]
    record = customer_call(world)
    start(world, record.call_id)
    leg = FakeLegCall.instances[-1]
    leg.confirm()
    world.ctl.supervision.customer_gone(record.call_id, "call_ended")  # from _ended
    assert leg.ops == []  # not inside pjsua2's callback...
    world.ctl.tick(world.clock.now)
    assert leg.ops == [("hangup", 0)]  # ...but on this very turn
    leg.disconnect(200)
    assert sup_events(world.events)[-1] == (21, "agent", "ended", "call_ended")
    assert world.media.leg is None


def test_a_transfer_wins_over_the_hang_up_that_follows_it(world) -> None:  # type: ignore[no-untyped-def]
    record = customer_call(world)
    start(world, record.call_id)
    leg = FakeLegCall.instances[-1]
    leg.confirm()
    world.ctl.supervision.customer_gone(record.call_id, "transferred")
    world.ctl.supervision.customer_gone(record.call_id, "call_ended")
    world.ctl.tick(world.clock.now)
    leg.disconnect(200)
    assert sup_events(world.events)[-1][3] == "transferred"


@pytest.mark.parametrize(("code", "reason"), [(403, "refused"), (404, "failed"), (486, "failed")])
def test_a_refused_leg_says_why(world, code: int, reason: str) -> None:  # type: ignore[no-untyped-def]
    start(world, customer_call(world).call_id)
    FakeLegCall.instances[-1].disconnect(code)
    assert sup_events(world.events)[-1] == (21, "agent", "ended", reason)


def test_no_rtp_from_the_lead_for_4_s_ends_the_leg_lead_lost(world) -> None:  # type: ignore[no-untyped-def]
    start(world, customer_call(world).call_id)
    leg = FakeLegCall.instances[-1]
    leg.confirm()
    for _ in range(20):  # 5 s of packets arriving
        world.clock.now += 0.25
        leg.rx_packets += 12
        world.ctl.tick(world.clock.now)
    assert leg.ops == []
    world.clock.now += 3.8  # the lead's app froze
    world.ctl.tick(world.clock.now)
    assert leg.ops == []
    for _ in range(2):
        world.clock.now += 0.25
        world.ctl.tick(world.clock.now)
    assert leg.ops == [("hangup", 0)]
    leg.disconnect(200)
    assert sup_events(world.events)[-1] == (21, "agent", "ended", "lead_lost")


def test_stop_and_a_second_session(world) -> None:  # type: ignore[no-untyped-def]
    record = customer_call(world)
    start(world, record.call_id)
    leg = FakeLegCall.instances[-1]
    world.ctl.handle(cmd.StartSupervision(22, record.call_id, "sip:x@y", secrets.token_urlsafe(32)))
    assert sup_events(world.events)[-1] == (22, "agent", "ended", "failed")
    world.ctl.handle(cmd.StopSupervision(21, "server_lost"))
    assert leg.ops == [("hangup", 0)]
    leg.disconnect(487)
    assert sup_events(world.events)[-1] == (21, "agent", "ended", "server_lost")
    world.ctl.handle(cmd.StopSupervision(21))  # no leg: a no-op
    assert leg.ops == [("hangup", 0)]


def test_the_token_never_reaches_an_event_or_a_repr(world) -> None:  # type: ignore[no-untyped-def]
    record = customer_call(world)
    t = start(world, record.call_id)
    FakeLegCall.instances[-1].confirm()
    assert t not in repr(world.events)
    assert t not in repr(cmd.StartSupervision(1, 1, "sip:a@b", t))
    assert t not in repr(FakeLegCall.instances[-1].leg)


def test_an_engine_stopping_says_why_its_legs_end(world) -> None:  # type: ignore[no-untyped-def]
    start(world, customer_call(world).call_id)
    agent_leg = FakeLegCall.instances[-1]
    agent_leg.confirm()
    t = secrets.token_urlsafe(32)
    world.ctl.handle(cmd.ExpectSupervision(30, t))
    lead_leg = lead_invite(world, t)
    world.ctl.tick(world.clock.now)
    lead_leg.confirm()
    world.ctl.supervision.shutting_down()  # then pjsua hangs every call up
    agent_leg.disconnect(200)
    lead_leg.disconnect(200)
    ended = [e for e in sup_events(world.events) if e[2] == "ended"]
    assert ended == [
        (21, "agent", "ended", "agent_signed_out"),
        (30, "lead", "ended", "lead_stopped"),
    ]
