"""Team messages, read receipts, help requests."""

from __future__ import annotations

from collections.abc import Callable

from tests.integration.server.conftest import Server
from tests.integration.server.launch import Session


def test_lead_writes_to_team_and_agent_reads(
    server: Server, sessions: Callable[[str], Session]
) -> None:
    lead, a1, b1 = sessions("lead_a"), sessions("agent_a1"), sessions("agent_b1")
    r = lead.client.post(
        "/messages",
        json={"to_team_id": server.org.team_a, "body": "Réunion à 14 h", "priority": "high"},
    )
    assert r.status_code == 201
    msg = r.json()
    assert msg["id"] in [m["id"] for m in a1.client.get("/messages").json()]
    assert msg["id"] not in [m["id"] for m in b1.client.get("/messages").json()]
    receipt = a1.client.post(f"/messages/{msg['id']}/read")
    assert receipt.status_code == 200
    assert receipt.json()["agent_id"] == a1.user_id
    assert a1.client.post(f"/messages/{msg['id']}/read").json() == receipt.json()
    assert b1.client.post(f"/messages/{msg['id']}/read").status_code == 404
    listed = {
        m["id"]: m for m in a1.client.get("/messages", params={"after_id": msg["id"] - 1}).json()
    }
    assert listed[msg["id"]]["read_at"] is not None


def test_direct_message_and_cross_team_refused(
    server: Server, sessions: Callable[[str], Session]
) -> None:
    lead, a2 = sessions("lead_a"), sessions("agent_a2")
    r = lead.client.post("/messages", json={"to_agent_id": a2.user_id, "body": "Bravo !"})
    assert r.status_code == 201
    other = lead.client.post(
        "/messages", json={"to_agent_id": server.org.users["agent_b1"], "body": "Salut"}
    )
    assert other.status_code == 403
    both = lead.client.post(
        "/messages", json={"to_agent_id": a2.user_id, "to_team_id": server.org.team_a, "body": "x"}
    )
    assert both.status_code == 422
    assert (
        a2.client.post("/messages", json={"to_agent_id": a2.user_id, "body": "x"}).status_code
        == 403
    )


def test_help_request_reaches_the_team_lead_only(
    server: Server, sessions: Callable[[str], Session]
) -> None:
    a1, lead_a, lead_b = sessions("agent_a1"), sessions("lead_a"), sessions("lead_b")
    r = a1.client.post(
        "/help-requests",
        json={
            "call_context": {"queue": "file-a", "remote_number_masked": "+33 6 •• •• 12 34"},
            "text": "Client mécontent, besoin d'aide",
        },
    )
    assert r.status_code == 201
    hid = r.json()["id"]
    assert hid in [h["id"] for h in lead_a.client.get("/help-requests").json()]
    assert hid not in [h["id"] for h in lead_b.client.get("/help-requests").json()]
