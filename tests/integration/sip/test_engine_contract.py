"""The fake engine is held to the real one: the same cases through `FakeEngine` and through
`SipEngine` registered at a real Kamailio, with a real pjsua2 peer as the customer.

What the desk relies on: registration reported after start; an inbound call rings, is
answered, held, resumed, muted and ends when the customer hangs up; a refused call ends
unanswered with the code the desk chose; events leave one thread, never the caller's.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

import pytest

from homeagent.core import commands as cmd
from homeagent.core.events import (
    CallDirection,
    CallEnded,
    CallMuteChanged,
    CallPhase,
    CallRinging,
    CallStateChanged,
    Event,
    RegistrationChanged,
    RegistrationState,
)
from homeagent.core.ports import SipEngine
from homeagent.testing.fakes import FakeEngine
from tests.integration.sip.conftest import EngineRunner, EventLog, account_for
from tests.integration.sip.peers import PeerProcess, Peers

pytestmark = pytest.mark.integration


class Customer(Protocol):
    def call(self) -> None: ...
    def hang_up(self) -> None: ...


@dataclass
class World:
    engine: SipEngine
    events: EventLog
    customer: Customer


class FakeCustomer:
    def __init__(self, engine: FakeEngine) -> None:
        self.engine = engine
        self.call_id = 0

    def call(self) -> None:
        self.call_id = self.engine.ring("0612345678")

    def hang_up(self) -> None:
        self.engine.remote_hangup(self.call_id)


class PeerCustomer:
    def __init__(self, peers: Peers, kamailio, uri: str) -> None:  # type: ignore[no-untyped-def]
        self.peers, self.kamailio, self.uri = peers, kamailio, uri
        self.peer: PeerProcess | None = None

    def call(self) -> None:
        self.peer = self.peers.start("--call", self.uri, kamailio=self.kamailio, user="2001")

    def hang_up(self) -> None:
        assert self.peer is not None
        self.peer.send("hangup")


@pytest.fixture(params=["fake", "real"])
def world(request: pytest.FixtureRequest) -> Iterator[World]:
    if request.param == "fake":
        events = EventLog()
        fake = FakeEngine(events, threaded=True)
        fake.start()
        yield World(fake, events, FakeCustomer(fake))
        fake.stop()
        return
    kamailio = request.getfixturevalue("kamailio")
    runner: EngineRunner = request.getfixturevalue("engines")
    peers: Peers = request.getfixturevalue("peers")
    engine, events = runner.start(account_for(kamailio, "1001"), wait_registered=False)
    yield World(engine, events, PeerCustomer(peers, kamailio, f"sip:1001@{kamailio.domain}"))


def _phase(call_id: int, phase: CallPhase):  # type: ignore[no-untyped-def]
    return lambda e: e.call_id == call_id and e.phase is phase


def _in_order(events: list[Event], wanted: list[type[Event]]) -> bool:
    """Whether `wanted` occurs in `events` as a subsequence (other events may interleave)."""
    it = iter(type(e) for e in events)
    return all(any(kind is w for kind in it) for w in wanted)


def test_registration_is_reported_after_start(world: World) -> None:
    reg = world.events.wait_for(
        RegistrationChanged, lambda e: e.state is RegistrationState.REGISTERED
    )
    assert reg.code == 200


def test_an_answered_call_rings_holds_mutes_and_ends_when_the_customer_hangs_up(
    world: World,
) -> None:
    world.events.wait_for(RegistrationChanged, lambda e: e.state is RegistrationState.REGISTERED)
    world.customer.call()
    ringing = world.events.wait_for(CallRinging)
    assert ringing.direction is CallDirection.INBOUND
    assert ringing.remote_number
    cid = ringing.call_id
    world.engine.submit(cmd.Answer(cid))
    world.events.wait_for(CallStateChanged, _phase(cid, CallPhase.ACTIVE))
    world.engine.submit(cmd.Hold(cid))
    world.events.wait_for(CallStateChanged, _phase(cid, CallPhase.HELD))
    world.engine.submit(cmd.Resume(cid))
    world.events.wait_for(
        CallStateChanged,
        lambda e: (
            e.call_id == cid
            and e.phase is CallPhase.ACTIVE
            and any(x.phase is CallPhase.HELD for x in world.events.all(CallStateChanged))
        ),
    )
    world.engine.submit(cmd.SetMute(cid, True))
    assert world.events.wait_for(CallMuteChanged, lambda e: e.call_id == cid).muted
    world.customer.hang_up()
    ended = world.events.wait_for(CallEnded, lambda e: e.call_id == cid)
    assert ended.answered
    assert _in_order(
        world.events.all(),
        [RegistrationChanged, CallRinging, CallStateChanged, CallMuteChanged, CallEnded],
    )
    assert len(world.events.threads) == 1
    assert threading.current_thread().name not in world.events.threads


def test_a_refused_call_ends_unanswered_with_the_code_the_desk_chose(world: World) -> None:
    world.events.wait_for(RegistrationChanged, lambda e: e.state is RegistrationState.REGISTERED)
    world.customer.call()
    cid = world.events.wait_for(CallRinging).call_id
    world.engine.submit(cmd.Reject(cid, 486))
    ended = world.events.wait_for(CallEnded, lambda e: e.call_id == cid)
    assert not ended.answered
    assert ended.code == 486
    assert ended.duration_s == 0
