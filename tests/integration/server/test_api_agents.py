"""Agent state with history, the team's live view, daily figures."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from tests.integration.server.conftest import Server
from tests.integration.server.launch import Session


def test_state_changes_follow_the_state_machine(
    server: Server, sessions: Callable[[str], Session]
) -> None:
    a = sessions("agent_a2")
    r = a.client.put("/agents/me/state", json={"state": "available", "reason": ""})
    assert r.status_code == 200
    assert r.json()["state"] == "available"
    r = a.client.put("/agents/me/state", json={"state": "break", "reason": "Pause café"})
    assert r.json()["reason"] == "Pause café"
    r = a.client.put("/agents/me/state", json={"state": "break", "reason": "Sieste"})
    assert r.status_code == 422
    assert r.json()["error"]["code"] == "unknown_pause_reason"
    r = a.client.put("/agents/me/state", json={"state": "wrap_up"})
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "invalid_transition"
    r = a.client.put("/agents/me/state", json={"state": "dancing"})
    assert r.status_code == 422
    assert a.client.get("/agents/me/state").json()["state"] == "break"
    history = a.client.get(f"/agents/{a.user_id}/state-history").json()
    assert [h["state"] for h in history][-2:] == ["available", "break"]
    assert history[-2]["ended_at"] is not None
    assert history[-1]["ended_at"] is None


def test_team_lead_sees_live_states_of_the_team(
    server: Server, sessions: Callable[[str], Session]
) -> None:
    a, lead = sessions("agent_a1"), sessions("lead_a")
    a.client.put("/agents/me/state", json={"state": "available"})
    a.client.put("/agents/me/state", json={"state": "break", "reason": "Déjeuner"})
    agents = {x["name"]: x for x in lead.client.get(f"/teams/{server.org.team_a}/agents").json()}
    assert agents["agent_a1"]["state"] == "break"
    assert agents["agent_a1"]["reason"] == "Déjeuner"
    assert "agent_b1" not in agents


def test_figures_count_calls_handle_time_breaks_and_missed(
    server: Server, sessions: Callable[[str], Session]
) -> None:
    from homeagent.core.agent_state import AgentState
    from homeagent.server.models import User
    from homeagent.server.state import RONA_REASON, change_state

    a, lead = sessions("agent_b1"), sessions("lead_b")
    before = a.client.get(f"/figures/agents/{a.user_id}").json()
    now = datetime.now(UTC).replace(microsecond=0)
    call = {
        "id": str(uuid.uuid4()),
        "direction": "inbound",
        "queue": "file-b",
        "remote_number": "+33612345678",
        "started_at": (now - timedelta(seconds=130)).isoformat(),
        "answered_at": (now - timedelta(seconds=120)).isoformat(),
        "ended_at": now.isoformat(),
        "outcome": "answered",
        "sip_call_id": "abc@test",
    }
    assert a.client.post("/interactions", json=call).status_code == 201
    a.client.put("/agents/me/state", json={"state": "available"})
    a.client.put("/agents/me/state", json={"state": "break", "reason": "Formation"})
    a.client.put("/agents/me/state", json={"state": "available"})
    with server.db.write() as s:  # a missed call, as the ACD records it
        agent = s.get(User, a.user_id)
        assert agent is not None
        change_state(s, agent, AgentState.RINGING)
        change_state(s, agent, AgentState.NOT_READY, RONA_REASON)
    missed = {**call, "id": str(uuid.uuid4()), "outcome": "missed", "sip_call_id": "m@test"}
    del missed["answered_at"]
    assert a.client.post("/interactions", json=missed).status_code == 201  # the desk's log
    after = a.client.get(f"/figures/agents/{a.user_id}").json()
    assert after["calls_handled"] == before["calls_handled"] + 1
    assert after["avg_handle_s"] >= 100
    assert after["breaks"]["count"] == before["breaks"]["count"] + 1
    assert after["missed"] == before["missed"] + 1
    team = lead.client.get(f"/figures/teams/{server.org.team_b}").json()
    assert team["calls_handled"] >= 1
    assert team["missed"] >= 1
    assert (
        a.client.get(f"/figures/agents/{a.user_id}", params={"day": "2020-01-01"}).json()[
            "calls_handled"
        ]
        == 0
    )
