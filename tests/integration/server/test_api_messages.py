"""Messages with per-recipient receipts, messages to the lead, help requests and their queue."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import select

from homeagent.server.admin import create_user
from homeagent.server.supervision_models import AuditEntry
from tests.integration.server.conftest import Server
from tests.integration.server.launch import PASSWORD, Session, SseReader, login


def _reader(server: Server, s: Session) -> SseReader:
    return SseReader(server.url, s.tokens["access_token"])


@pytest.fixture
def streams(server: Server) -> Iterator[Callable[[Session], SseReader]]:
    opened: list[SseReader] = []

    def make(s: Session) -> SseReader:
        r = _reader(server, s)
        opened.append(r)
        return r

    yield make
    for r in opened:
        r.close()


def _send(lead: Session, **body: Any) -> dict[str, Any]:
    r = lead.client.post("/messages", json={"body": "Bonjour", **body})
    assert r.status_code == 201, r.text
    return dict(r.json())


def _listed(s: Session, **params: Any) -> dict[int, dict[str, Any]]:
    r = s.client.get("/messages", params=params)
    assert r.status_code == 200, r.text
    return {m["id"]: m for m in r.json()}


def _receipts(s: Session, message_id: int) -> dict[str, dict[str, Any]]:
    r = s.client.get(f"/messages/{message_id}/receipts")
    assert r.status_code == 200, r.text
    return {row["name"]: row for row in r.json()}


def test_lead_writes_to_team_and_agent_reads(
    server: Server, sessions: Callable[[str], Session]
) -> None:
    lead, a1, b1 = sessions("lead_a"), sessions("agent_a1"), sessions("agent_b1")
    msg = _send(lead, to_team_id=server.org.team_a, body="Réunion à 14 h", priority="high")
    assert msg["priority"] == "urgent"  # "high", the first version's word, is urgent
    assert msg["sender_name"] == "lead_a"
    assert msg["thread_agent_id"] is None
    assert msg["counts"] == {"recipients": 2, "delivered": 0, "read": 0, "acked": 0}
    assert msg["receipt"] is None  # the lead is not a recipient
    assert msg["id"] in _listed(a1)
    assert msg["id"] not in _listed(b1)
    receipt = a1.client.post(f"/messages/{msg['id']}/read")
    assert receipt.status_code == 200
    body = receipt.json()
    assert body["agent_id"] == a1.user_id
    assert body["read_at"] is not None
    assert body["delivered_at"] == body["read_at"]  # read implies delivered
    assert body["acked_at"] is None
    assert a1.client.post(f"/messages/{msg['id']}/read").json() == body  # idempotent
    assert b1.client.post(f"/messages/{msg['id']}/read").status_code == 404
    mine = _listed(a1, after_id=msg["id"] - 1)[msg["id"]]
    assert mine["read_at"] == body["read_at"]
    assert mine["receipt"]["read_at"] == body["read_at"]
    assert mine["counts"] is None  # an agent never sees the others' receipts


def test_read_state_is_kept_per_recipient(
    server: Server, sessions: Callable[[str], Session]
) -> None:
    lead, a1, a2 = sessions("lead_a"), sessions("agent_a1"), sessions("agent_a2")
    msg = _send(lead, to_team_id=server.org.team_a, body="Nouvelle offre")
    assert a2.client.post(f"/messages/{msg['id']}/delivered").status_code == 200
    a1.client.post(f"/messages/{msg['id']}/read")
    seen = _listed(lead, after_id=msg["id"] - 1)[msg["id"]]
    assert seen["counts"] == {"recipients": 2, "delivered": 2, "read": 1, "acked": 0}
    rows = _receipts(lead, msg["id"])
    assert set(rows) == {"agent_a1", "agent_a2"}
    assert rows["agent_a1"]["read_at"] is not None
    assert rows["agent_a2"]["delivered_at"] is not None
    assert rows["agent_a2"]["read_at"] is None  # "not yet read by" agent_a2
    a2_view = _listed(a2, after_id=msg["id"] - 1)[msg["id"]]
    assert a2_view["receipt"]["read_at"] is None  # a1's read is not a2's
    assert a2_view["read_at"] is None
    # a recipient may not read the others' receipts; another team's lead does not see it
    assert a1.client.get(f"/messages/{msg['id']}/receipts").status_code == 403
    assert sessions("lead_b").client.get(f"/messages/{msg['id']}/receipts").status_code == 404
    assert _receipts(sessions("admin"), msg["id"]).keys() == rows.keys()


def test_an_urgent_message_is_acknowledged_a_normal_one_cannot_be(
    server: Server, sessions: Callable[[str], Session]
) -> None:
    lead, a1, a2 = sessions("lead_a"), sessions("agent_a1"), sessions("agent_a2")
    urgent = _send(lead, to_agent_ids=[a1.user_id, a2.user_id], body="Panne", priority="urgent")
    assert urgent["to_agent_id"] is None
    assert urgent["thread_agent_id"] is None
    ack = a1.client.post(f"/messages/{urgent['id']}/ack")
    assert ack.status_code == 200, ack.text
    first = ack.json()
    assert first["acked_at"] is not None
    assert first["read_at"] == first["delivered_at"] == first["acked_at"]  # ack implies read
    assert a1.client.post(f"/messages/{urgent['id']}/ack").json() == first
    assert a1.client.post(f"/messages/{urgent['id']}/read").json() == first
    counts = _listed(lead, after_id=urgent["id"] - 1)[urgent["id"]]["counts"]
    assert counts == {"recipients": 2, "delivered": 1, "read": 1, "acked": 1}
    normal = _send(lead, to_agent_id=a1.user_id, body="Bravo")
    refused = a1.client.post(f"/messages/{normal['id']}/ack")
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "not_urgent"
    assert sessions("agent_b1").client.post(f"/messages/{urgent['id']}/ack").status_code == 404


def test_addressing_one_or_several_agents(
    server: Server, sessions: Callable[[str], Session]
) -> None:
    lead, a1, a2 = sessions("lead_a"), sessions("agent_a1"), sessions("agent_a2")
    one = _send(lead, to_agent_ids=[a1.user_id])
    assert (one["to_agent_id"], one["thread_agent_id"]) == (a1.user_id, a1.user_id)
    assert one["counts"]["recipients"] == 1
    assert one["id"] not in _listed(a2)
    twice = _send(lead, to_agent_ids=[a2.user_id, a2.user_id])
    assert twice["counts"]["recipients"] == 1  # one receipt per person
    b1 = server.org.users["agent_b1"]
    cases: list[tuple[dict[str, Any], int, str]] = [
        ({"to_agent_ids": [a1.user_id, b1]}, 403, "forbidden"),  # another team's agent
        ({"to_agent_ids": [a1.user_id, "x" * 36]}, 404, "not_found"),
        ({"to_agent_ids": [server.org.users["lead_a"]]}, 422, "not_an_agent"),
        ({"to_agent_ids": []}, 422, "invalid_input"),
        ({"to_agent_ids": [a1.user_id] * 201}, 422, "invalid_input"),
        ({"to_agent_ids": [a1.user_id], "to_team_id": server.org.team_a}, 422, "invalid_input"),
        ({"to_agent_id": a1.user_id, "priority": "critical"}, 422, "invalid_input"),
    ]
    for extra, status, code in cases:
        r = lead.client.post("/messages", json={"body": "x", **extra})
        assert (r.status_code, r.json()["error"]["code"]) == (status, code), (extra, r.text)
    admin = sessions("admin")
    mixed = admin.client.post("/messages", json={"body": "x", "to_agent_ids": [a1.user_id, b1]})
    assert mixed.status_code == 422
    assert mixed.json()["error"]["code"] == "several_teams"


def test_recipients_are_fixed_when_the_message_is_sent(
    server: Server, sessions: Callable[[str], Session]
) -> None:
    lead_b = sessions("lead_b")
    msg = _send(lead_b, to_team_id=server.org.team_b, body="Avant l'arrivée")
    create_user(server.db, "late_b", PASSWORD, "agent", "Équipe B")
    late = login(server.url, "late_b")
    try:
        assert msg["id"] not in _listed(late)
        assert late.client.post(f"/messages/{msg['id']}/read").status_code == 404
        assert "late_b" not in _receipts(lead_b, msg["id"])
        after = _send(lead_b, to_team_id=server.org.team_b, body="Après")
        assert after["id"] in _listed(late)
    finally:
        late.close()


def test_an_agent_writes_to_the_lead(server: Server, sessions: Callable[[str], Session]) -> None:
    a1, a2, lead, lead_b = (sessions(n) for n in ("agent_a1", "agent_a2", "lead_a", "lead_b"))
    r = a1.client.post("/messages/to-lead", json={"body": "Puis-je partir à 17 h ?"})
    assert r.status_code == 201, r.text
    msg = r.json()
    assert msg["thread_agent_id"] == a1.user_id == msg["sender_id"]
    assert msg["sender_name"] == "agent_a1"
    assert msg["counts"]["recipients"] == 1  # lead_a, the team's one lead
    assert msg["id"] in _listed(a1)
    assert msg["id"] not in _listed(a2)
    assert msg["id"] not in _listed(lead_b)
    at_lead = _listed(lead, after_id=msg["id"] - 1)[msg["id"]]
    assert at_lead["receipt"] == {"delivered_at": None, "read_at": None, "acked_at": None}
    assert lead.client.post(f"/messages/{msg['id']}/read").status_code == 200
    assert _receipts(a1, msg["id"])["lead_a"]["read_at"] is not None  # the sender sees it
    assert a2.client.get(f"/messages/{msg['id']}/receipts").status_code == 404
    assert lead.client.post("/messages/to-lead", json={"body": "x"}).status_code == 403
    assert a1.client.post("/messages/to-lead", json={"body": ""}).status_code == 422
    assert a1.client.post("/messages/to-lead", json={"body": "x", "to": "y"}).status_code == 422


def test_one_agent_s_conversation_both_ways(
    server: Server, sessions: Callable[[str], Session]
) -> None:
    lead, a1, a2 = sessions("lead_a"), sessions("agent_a1"), sessions("agent_a2")
    to_a1 = _send(lead, to_agent_id=a1.user_id, body="Pour toi")
    to_a2 = _send(lead, to_agent_id=a2.user_id, body="Pour a2")
    both = _send(lead, to_agent_ids=[a1.user_id, a2.user_id], body="Pour vous deux")
    team = _send(lead, to_team_id=server.org.team_a, body="Pour tous")
    from_a1 = a1.client.post("/messages/to-lead", json={"body": "Réponse"}).json()
    conv = _listed(lead, agent_id=a1.user_id, after_id=to_a1["id"] - 1)
    assert set(conv) == {to_a1["id"], both["id"], team["id"], from_a1["id"]}
    assert to_a2["id"] not in conv
    own = _listed(a1, agent_id=a1.user_id, after_id=to_a1["id"] - 1)
    assert set(own) == set(conv)
    assert a1.client.get("/messages", params={"agent_id": a2.user_id}).status_code == 403
    assert (
        sessions("lead_b").client.get("/messages", params={"agent_id": a1.user_id}).status_code
        == 403
    )
    # an agent sees neither another agent's one-to-one messages nor their counts
    a2_sees = _listed(a2, after_id=to_a1["id"] - 1)
    assert to_a1["id"] not in a2_sees
    assert from_a1["id"] not in a2_sees
    assert all(m["counts"] is None for m in a2_sees.values())
    assert a2.client.get(f"/messages/{to_a1['id']}/receipts").status_code == 404
    assert a2.client.post(f"/messages/{to_a1['id']}/read").status_code == 404


def test_message_events_reach_recipients_and_leads_only(
    server: Server,
    sessions: Callable[[str], Session],
    streams: Callable[[Session], SseReader],
) -> None:
    lead, a1, a2, b1 = (sessions(n) for n in ("lead_a", "agent_a1", "agent_a2", "agent_b1"))
    lead_s, a1_s, a2_s, b1_s = streams(lead), streams(a1), streams(a2), streams(b1)
    direct = _send(lead, to_agent_id=a1.user_id, body="Rien que pour toi", priority="urgent")
    got = a1_s.wait_for("message")
    assert got.data["id"] == direct["id"]
    assert got.data["receipt"] == {"delivered_at": None, "read_at": None, "acked_at": None}
    assert got.data["counts"] is None
    lead_copy = lead_s.wait_for("message")
    assert lead_copy.data["id"] == direct["id"]
    assert lead_copy.data["counts"]["recipients"] == 1
    a1.client.post(f"/messages/{direct['id']}/ack")
    receipt = lead_s.wait_for("message_receipt")
    assert receipt.data["message_id"] == direct["id"]
    assert receipt.data["agent_id"] == a1.user_id
    assert receipt.data["acked_at"] is not None
    assert lead_s.wait_for("message_read").data["message_id"] == direct["id"]  # kept
    a1.client.post(f"/messages/{direct['id']}/ack")  # nothing new: no second receipt event
    from_a1 = a1.client.post("/messages/to-lead", json={"body": "Merci"}).json()
    assert lead_s.wait_for("message").data["id"] == from_a1["id"]
    lead.client.post(f"/messages/{from_a1['id']}/read")
    back = a1_s.wait_for("message_receipt")
    assert (back.data["message_id"], back.data["agent_id"]) == (from_a1["id"], lead.user_id)
    lead_events = [e for e in lead_s.drain(0.5) if e.type == "message_receipt"]
    assert [e.data["message_id"] for e in lead_events] == [from_a1["id"]]
    # a2 saw none of a1's conversation; b1 saw nothing of team A's
    assert [e.type for e in a2_s.drain(0.3) if e.type.startswith("message")] == []
    assert [e.type for e in b1_s.drain(0.3) if e.type.startswith("message")] == []


# -- help requests ----------------------------------------------------------------------


def _ask(agent: Session, text: str = "Client mécontent, besoin d'aide") -> dict[str, Any]:
    r = agent.client.post(
        "/help-requests",
        json={
            "call_context": {"queue": "file-a", "remote_number_masked": "+33 6 •• •• 12 34"},
            "text": text,
        },
    )
    assert r.status_code == 201, r.text
    return dict(r.json())


def _audit(server: Server, action: str, agent_id: str) -> list[AuditEntry]:
    with server.db.read() as s:
        return list(
            s.scalars(
                select(AuditEntry)
                .where(AuditEntry.action == action, AuditEntry.agent_id == agent_id)
                .order_by(AuditEntry.id)
            )
        )


def test_help_request_reaches_the_team_lead_only(
    server: Server, sessions: Callable[[str], Session]
) -> None:
    a1, lead_a, lead_b = sessions("agent_a1"), sessions("lead_a"), sessions("lead_b")
    h = _ask(a1)
    assert (h["status"], h["agent_name"], h["acked_by"], h["acked_at"]) == (
        "open", "agent_a1", None, None
    )  # fmt: skip
    assert h["id"] in [x["id"] for x in lead_a.client.get("/help-requests").json()]
    assert h["id"] not in [x["id"] for x in lead_b.client.get("/help-requests").json()]


def test_the_help_queue_acknowledge_then_resolve(
    server: Server,
    sessions: Callable[[str], Session],
    streams: Callable[[Session], SseReader],
) -> None:
    a1, a2, lead = sessions("agent_a1"), sessions("agent_a2"), sessions("lead_a")
    a1_s, a2_s, lead_s = streams(a1), streams(a2), streams(lead)
    h = _ask(a1)
    assert lead_s.wait_for("help_request").data["id"] == h["id"]
    r = lead.client.post(f"/help-requests/{h['id']}/ack")
    assert r.status_code == 200, r.text
    acked = r.json()
    assert acked["status"] == "acknowledged"
    assert acked["acked_by"] == {"id": lead.user_id, "name": "lead_a"}
    assert acked["acked_at"] is not None
    assert acked["resolved_at"] is None
    assert a1_s.wait_for("help_request_updated").data == acked  # "J'arrive" reaches the agent
    assert lead_s.wait_for("help_request_updated").data == acked
    assert lead.client.post(f"/help-requests/{h['id']}/ack").json() == acked  # idempotent
    open_ids = [x["id"] for x in lead.client.get("/help-requests?status=open").json()]
    assert h["id"] not in open_ids
    taken = lead.client.get("/help-requests", params={"status": "acknowledged"}).json()
    assert h["id"] in [x["id"] for x in taken]
    done = lead.client.post(f"/help-requests/{h['id']}/resolve").json()
    assert done["status"] == "resolved"
    assert done["resolved_at"] is not None
    assert done["acked_by"] == acked["acked_by"]
    assert a1_s.wait_for("help_request_updated").data["status"] == "resolved"
    again = lead.client.post(f"/help-requests/{h['id']}/ack")
    assert (again.status_code, again.json()["error"]["code"]) == (409, "already_resolved")
    assert lead.client.post(f"/help-requests/{h['id']}/resolve").json() == done
    assert [e for e in a2_s.drain(0.3) if e.type.startswith("help")] == []
    mine = a1.client.get("/help-requests", params={"status": "resolved"}).json()
    assert h["id"] in [x["id"] for x in mine]
    assert a1.client.get("/help-requests", params={"status": "closed"}).status_code == 422
    actions = [
        (e.action, e.actor_id, e.detail)
        for e in _audit(server, "help_ack", a1.user_id) + _audit(server, "help_resolve", a1.user_id)
        if e.detail.get("help_request_id") == h["id"]
    ]
    assert actions == [
        ("help_ack", lead.user_id, {"help_request_id": h["id"]}),
        ("help_resolve", lead.user_id, {"help_request_id": h["id"]}),
    ]


def test_only_the_agent_s_leads_handle_a_help_request(
    server: Server, sessions: Callable[[str], Session]
) -> None:
    a1, a2 = sessions("agent_a1"), sessions("agent_a2")
    h = _ask(a1)
    assert a1.client.post(f"/help-requests/{h['id']}/ack").status_code == 403
    assert a2.client.post(f"/help-requests/{h['id']}/resolve").status_code == 403
    assert sessions("lead_b").client.post(f"/help-requests/{h['id']}/ack").status_code == 404
    assert sessions("lead_a").client.post("/help-requests/999999999/ack").status_code == 404
    direct = sessions("admin").client.post(f"/help-requests/{h['id']}/resolve")
    assert direct.status_code == 200
    assert (direct.json()["status"], direct.json()["acked_by"]) == ("resolved", None)
