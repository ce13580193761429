"""The live event stream: audiences, replay after a dropped connection (nothing lost,
nothing twice), revocation closing the stream."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import select

from homeagent.server.admin import revoke_device
from homeagent.server.events import Audience
from homeagent.server.models import Event
from tests.integration.server.conftest import Server
from tests.integration.server.launch import API, Session, SseReader


def _reader(server: Server, s: Session, last_event_id: int | None = None) -> SseReader:
    return SseReader(server.url, s.tokens["access_token"], last_event_id)


def test_lead_sees_team_states_agent_sees_team_messages(
    server: Server, sessions: Callable[[str], Session]
) -> None:
    lead, a1, b1 = sessions("lead_a"), sessions("agent_a1"), sessions("agent_b1")
    lead_stream, a1_stream, b1_stream = (
        _reader(server, lead),
        _reader(server, a1),
        _reader(server, b1),
    )
    try:
        a1.client.put("/agents/me/state", json={"state": "available"})
        ev = lead_stream.wait_for("agent_state")
        assert ev.data["agent_id"] == a1.user_id
        assert ev.data["state"] == "available"
        assert a1_stream.wait_for("agent_state").id == ev.id  # the agent sees its own state
        msg = lead.client.post(
            "/messages", json={"to_team_id": server.org.team_a, "body": "Point à 15 h"}
        ).json()
        got = a1_stream.wait_for("message")
        assert got.data["id"] == msg["id"]
        assert got.data["body"] == "Point à 15 h"
        a1.client.post(f"/messages/{msg['id']}/read")
        receipt = lead_stream.wait_for("message_read")
        assert receipt.data["agent_id"] == a1.user_id
        a1.client.post("/help-requests", json={"call_context": {"queue": "file-a"}, "text": "?"})
        assert lead_stream.wait_for("help_request").data["agent_id"] == a1.user_id
        # another team's agent sees none of it (only broadcasts such as contact changes)
        assert [e for e in b1_stream.drain(0.5) if e.type != "contact_changed"] == []
    finally:
        for r in (lead_stream, a1_stream, b1_stream):
            r.close()


def test_contact_change_is_broadcast(server: Server, sessions: Callable[[str], Session]) -> None:
    a1, b1 = sessions("agent_a1"), sessions("agent_b1")
    stream = _reader(server, b1)
    try:
        c = a1.client.post("/contacts", json={"last_name": "Diffusé", "phones": []}).json()
        ev = stream.wait_for("contact_changed")
        assert ev.data == {"id": c["id"], "deleted": False}
    finally:
        stream.close()


def test_replay_after_drop_is_complete_and_exactly_once(
    server: Server, sessions: Callable[[str], Session]
) -> None:
    """Events keep coming while the lead's stream drops and reconnects several times."""
    lead, agent = sessions("lead_a"), sessions("agent_a2")
    start_id = _max_event_id(server)
    stop = threading.Event()
    errors: list[str] = []

    def produce() -> None:
        states = ["available", "break", "available", "offline"]
        i = 0
        while not stop.is_set() and i < 60:
            body = {"state": states[i % 4], "reason": "Réunion" if states[i % 4] == "break" else ""}
            r = agent.client.put("/agents/me/state", json=body)
            if r.status_code != 200:
                errors.append(r.text)
            i += 1
            time.sleep(0.01)

    producer = threading.Thread(target=produce)
    received: list[int] = []
    last: int | None = start_id
    producer.start()
    try:
        for _ in range(6):  # connect, read a little, drop
            stream = _reader(server, lead, last)
            time.sleep(0.15)
            stream.close()
            received += [e.id for e in stream.drain(0.05)]
            if received:
                last = received[-1]
        producer.join(30)
        stream = _reader(server, lead, last)  # final reconnect: catch up
        time.sleep(1.0)
        stream.close()
        received += [e.id for e in stream.drain(0.2)]
    finally:
        stop.set()
        producer.join(30)
    assert errors == []
    expected = _ids_for(server, lead, start_id)
    assert len(received) == len(set(received)), "an event was delivered twice"
    assert received == expected, "events lost or out of order"
    assert len(expected) >= 60


def test_query_parameter_replays_too(server: Server, sessions: Callable[[str], Session]) -> None:
    lead, agent = sessions("lead_a"), sessions("agent_a1")
    agent.client.put("/agents/me/state", json={"state": "available"})
    before = _max_event_id(server)
    agent.client.put("/agents/me/state", json={"state": "offline"})
    agent.client.put("/agents/me/state", json={"state": "available"})
    with httpx.stream(
        "GET",
        f"{server.url}{API}/events",
        params={"last_event_id": before},
        headers={"Authorization": f"Bearer {lead.tokens['access_token']}"},
        timeout=10,
    ) as r:
        lines = []
        for line in r.iter_lines():
            lines.append(line)
            if sum(1 for x in lines if x.startswith("data:")) == 2:
                break
    data = [x for x in lines if x.startswith("data:")]
    assert '"state":"offline"' in data[0]
    assert '"state":"available"' in data[1]


def test_revocation_reaches_the_stream_and_closes_it(
    server: Server, sessions: Callable[[str], Session]
) -> None:
    agent = sessions("agent_b1")
    stream = _reader(server, agent)
    try:
        revoke_device(server.db, agent.device_id)  # as `homeagent-server revoke-device` does
        ev = stream.wait_for("device_revoked", timeout_s=10)
        assert ev.data == {"device_id": agent.device_id}
        assert stream.closed.wait(5)
        r = agent.client.get("/events")
        assert r.status_code == 401
        assert r.json()["error"]["code"] == "device_revoked"
    finally:
        stream.close()


def _max_event_id(server: Server) -> int:
    with server.db.read() as s:
        return max([0, *s.scalars(select(Event.id).order_by(Event.id.desc()).limit(1))])


def _ids_for(server: Server, s: Session, after: int) -> list[int]:
    user = s.tokens["user"]
    audience = Audience(user["id"], s.device_id, user["team_id"], user["role"])
    with server.db.read() as db:
        return list(
            db.scalars(
                select(Event.id).where(Event.id > after, audience.where()).order_by(Event.id)
            )
        )


def test_callback_due_is_announced_once(server: Server, sessions: Callable[[str], Session]) -> None:
    agent = sessions("agent_a2")
    stream = _reader(server, agent)
    try:
        now = datetime.now(UTC)
        call_id, cb_id = str(uuid.uuid4()), str(uuid.uuid4())
        call = {
            "id": call_id,
            "direction": "outbound",
            "started_at": now.isoformat(),
            "outcome": "answered",
        }
        assert agent.client.post("/interactions", json=call).status_code == 201
        wrap = {
            "disposition": "callback",
            "callback": {"id": cb_id, "due_at": (now - timedelta(seconds=1)).isoformat()},
        }
        assert agent.client.post(f"/interactions/{call_id}/wrap-up", json=wrap).status_code == 200
        ev = stream.wait_for("callback_due", timeout_s=10)
        assert ev.data["id"] == cb_id
        assert [e for e in stream.drain(1.5) if e.type == "callback_due"] == []
    finally:
        stream.close()


def test_logout_closes_the_device_stream(
    server: Server, sessions: Callable[[str], Session]
) -> None:
    agent = sessions("agent_a1")
    stream = _reader(server, agent)
    try:
        assert agent.client.post("/auth/logout").status_code == 200
        assert stream.wait_for("device_revoked").data == {"device_id": agent.device_id}
        assert stream.closed.wait(5)
    finally:
        stream.close()


def test_a_first_connection_starts_at_the_enrolment_not_at_the_dawn_of_time(
    server: Server, sessions: Callable[[str], Session]
) -> None:
    a1 = sessions("agent_a1")
    a1.client.put("/agents/me/state", json={"state": "available"})
    a1.client.put("/agents/me/state", json={"state": "break", "reason": "Déjeuner"})
    laptop = sessions("agent_a1")  # a new device of the same agent, enrolled after both
    fresh = _reader(server, laptop)
    try:
        assert [e for e in fresh.drain(0.5) if e.type == "agent_state"] == []
        a1.client.put("/agents/me/state", json={"state": "available"})
        ev = fresh.wait_for("agent_state")
        assert ev.data["state"] == "available"
    finally:
        fresh.close()
    # with an explicit id the history is still there, as before
    replay = _reader(server, laptop, last_event_id=0)
    try:
        states = [e.data["state"] for e in replay.drain(0.5) if e.type == "agent_state"]
        assert states[-3:] == ["available", "break", "available"]
    finally:
        replay.close()
