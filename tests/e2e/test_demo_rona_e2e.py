"""The demo's world, a call nobody answers: the ACD sets the agent Not ready "missed" and
the desk says who called.

The real `DemoWorld` (seeded server, Kamailio with the ACD configuration, a pjsua2
customer calling the agent's queue from the gateway address) and, for the agent, the real
SIP engine registered with the secret the server provisions, driving the real (Qt-free)
desk model on this thread — no window. The desk hears nothing from the server here (no
event stream): it must tell the ACD's RONA CANCEL from a hang-up on its own, from the
offer's `X-Acd-Rona-Ms`.
"""

from __future__ import annotations

import contextlib
import queue
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from homeagent.core.agent_state import RONA_REASON, AgentState
from homeagent.core.desk import DeskModel
from homeagent.core.desk_snapshot import MissedCall, Notice, Screen
from homeagent.core.desk_types import CallOutcome, Contact
from homeagent.core.eventlog import MemoryEventLog
from homeagent.core.events import Event, RegistrationState
from homeagent.core.sip_config import EngineConfig, SipAccountConfig
from homeagent.demo.world import DemoWorld
from homeagent.server.admin import ensure_queue
from homeagent.server.db import Database
from homeagent.server.models import AcdOffer, AgentStatus, User
from homeagent.testing.demo_team import DEMO_TEAM
from homeagent.testing.fakes import FakeDirectory, RecordingSink
from tests.helpers.procs import require_tool

pytestmark = pytest.mark.e2e
RONA_S = 3


def _pump(desk: DeskModel, inbox: queue.Queue[Event], until, timeout_s: float) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with contextlib.suppress(queue.Empty):
            desk.handle(inbox.get(timeout=0.2))
        if until():
            return True
    return False


def test_a_queue_call_nobody_answers_sets_the_agent_aside_with_the_caller(
    tmp_path: Path,
) -> None:
    require_tool("kamailio")
    from homeagent.sip.engine import SipEngine

    world = DemoWorld(tmp_path / "demo", contacts=40)
    world.start()
    api = httpx.Client(base_url=f"{world.server_url}/api/v1", timeout=10)
    engine = None
    try:
        db = Database(world.db_url)
        try:
            with db.read() as s:
                team_id = s.scalar(select(User.team_id).where(User.name == world.agent_login))
            assert team_id is not None
            # a short RONA; a queue that does not wait (max_wait_s 0): nobody left -> 480 at once
            ensure_queue(db, world.queue, team_id, rona_s=RONA_S, max_wait_s=0)
        finally:
            db.dispose()
        login = {"username": world.agent_login, "password": world.password, "device_name": "t"}
        r = api.post("/auth/login", json=login)
        assert r.status_code == 200, r.text
        api.headers["Authorization"] = f"Bearer {r.json()['access_token']}"
        sip = api.post("/provisioning/sip").json()  # this device's own SIP credential
        customer = world.customers[0]
        directory = FakeDirectory(
            (Contact(customer.contact_id, *customer.name.split(" ", 1), phones=(customer.number,)),)
        )
        sink = RecordingSink(directory=directory)
        desk = DeskModel(directory=directory, sink=sink, log=MemoryEventLog())
        inbox: queue.Queue[Event] = queue.Queue()
        account = SipAccountConfig(
            registrar_host="127.0.0.1", registrar_port=world.sip_port, domain=sip["domain"],
            username=sip["username"], auth_username=sip["auth_username"],
            password=sip["password"], first_retry_s=2,
        )  # fmt: skip
        engine = SipEngine(EngineConfig(bind_address="127.0.0.1"), account, inbox.put)
        sink.engine = engine  # type: ignore[assignment]  # the desk's commands reach it
        engine.start()
        desk.configure(agent_name=world.agent_name, team=DEMO_TEAM)
        registered = _pump(
            desk, inbox, lambda: desk.snapshot().registration is RegistrationState.REGISTERED, 15
        )
        assert registered, "the agent's engine did not register with the ACD's Kamailio"
        desk.set_presence(AgentState.AVAILABLE)
        r = api.put("/agents/me/state", json={"state": "available"})  # what the outbox sends
        assert r.status_code == 200, r.text

        started = time.monotonic()
        caller = world.call_once(customer, talk_s=100)  # nobody will answer
        assert _pump(desk, inbox, lambda: desk.snapshot().screen is Screen.RINGING, 15)
        assert desk.snapshot().call is not None
        assert desk.snapshot().call.rona_at_s is not None  # the offer said when RONA comes
        assert _pump(desk, inbox, lambda: desk.snapshot().screen is Screen.IDLE, RONA_S + 10)
        rang_s = time.monotonic() - started
        caller.wait(20)  # nobody else is Available: the customer hears 480

        snap = desk.snapshot()
        assert rang_s >= RONA_S - 0.5
        assert (snap.presence.state, snap.presence.reason) == (AgentState.NOT_READY, RONA_REASON)
        assert snap.notice is Notice.CALL_MISSED
        assert snap.missed_call == MissedCall(customer.number, customer.name, set_aside=True)
        assert sink.interactions[-1].outcome is CallOutcome.MISSED
        assert sink.states[-1].state is AgentState.NOT_READY  # what the desk tells the server
        db = Database(world.db_url)
        try:
            with db.read() as s:
                me = s.scalar(select(User).where(User.name == world.agent_login))
                assert me is not None
                status = s.get(AgentStatus, me.id)
                offers = list(s.scalars(select(AcdOffer).where(AcdOffer.agent_id == me.id)))
        finally:
            db.dispose()
        assert status is not None
        assert (status.state, status.reason) == ("not_ready", "missed")
        assert [o.outcome for o in offers] == ["missed"]
        assert offers[0].call_id == sink.interactions[-1].sip_call_id
        figures = api.get(f"/figures/agents/{me.id}").json()
        assert figures["missed"] == 1  # the ACD's offer: the desk's log is not sent here
    finally:
        if engine is not None:
            engine.stop(timeout_s=8)
        api.close()
        world.stop()
