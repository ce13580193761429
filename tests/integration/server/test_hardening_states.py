"""Ringing, on-call and wrap-up follow the calls: an agent cannot simply claim them."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from tests.integration.server.conftest import Server
from tests.integration.server.launch import Session


def _put(agent: Session, state: str, reason: str = "") -> int:
    return agent.client.put("/agents/me/state", json={"state": state, "reason": reason}).status_code


def _state(agent: Session) -> str:
    return str(agent.client.get("/agents/me/state").json()["state"])


def _history(agent: Session) -> list[tuple[str, str]]:
    rows = agent.client.get(f"/agents/{agent.user_id}/state-history").json()
    return [(r["state"], r["reason"]) for r in rows]


def test_ringing_is_set_by_the_queue_only(
    server: Server, sessions: Callable[[str], Session]
) -> None:
    agent = sessions("agent_a1")
    assert _put(agent, "available") == 200
    assert _put(agent, "ringing") == 200  # the desktop echoes it; nothing changes
    assert _state(agent) == "available"
    assert ("ringing", "") not in _history(agent)


def test_wrap_up_needs_a_call_behind_the_on_call_time(
    server: Server, sessions: Callable[[str], Session]
) -> None:
    agent = sessions("agent_a2")
    assert _put(agent, "available") == 200
    assert _put(agent, "on_call") == 200  # an outbound call, as far as anyone knows yet
    r = agent.client.put("/agents/me/state", json={"state": "wrap_up"})
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "no_call"
    assert _state(agent) == "on_call"
    assert _put(agent, "available") == 200
    assert ("on_call", "unverified") in _history(agent)  # the lead sees it was not a call


def test_wrap_up_after_a_logged_call_is_accepted(
    server: Server, sessions: Callable[[str], Session]
) -> None:
    agent = sessions("agent_b1")
    assert _put(agent, "available") == 200
    assert _put(agent, "on_call") == 200
    now = datetime.now(UTC)
    call = {
        "id": str(uuid.uuid4()),
        "direction": "outbound",
        "remote_number": "+33612345678",
        "started_at": (now - timedelta(minutes=2)).isoformat(),
        "answered_at": (now - timedelta(minutes=1)).isoformat(),
        "ended_at": now.isoformat(),
        "outcome": "answered",
    }
    assert agent.client.post("/interactions", json=call).status_code == 201
    assert _put(agent, "wrap_up") == 200
    assert _put(agent, "available") == 200
    history = _history(agent)
    assert ("wrap_up", "") in history
    assert ("on_call", "unverified") not in history
