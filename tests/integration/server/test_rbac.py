"""RBAC matrix: every role (and a user of another team) against every endpoint family."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import update

from homeagent.server.admin import create_user
from homeagent.server.supervision_models import Alert, SupervisionSession
from homeagent.server.team_settings import DEFAULTS
from tests.integration.server.conftest import Server
from tests.integration.server.launch import API, PASSWORD, Session

# Who may do what is decided before any query: the matrix runs on PostgreSQL (real
# deployments) only; the SQLite server answers the same routes in the other modules.
pytestmark = pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)

ACTORS = {
    "agent": "agent_a1",
    "other_agent": "agent_a2",  # same team, not the subject
    "lead": "lead_a",
    "other_lead": "lead_b",  # another team's lead
    "admin": "admin",
    "anon": None,
}


@dataclass(frozen=True)
class Case:
    method: str
    path: Callable[[Server], str]
    body: Callable[[Server], Any] | None
    expect: dict[str, int]


def _now() -> str:
    return datetime.now(UTC).isoformat()


def _call(_: Server) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "direction": "outbound",
        "started_at": _now(),
        "outcome": "answered",
    }


def _contact_to_delete(server: Server) -> str:
    s = server.login("agent_b1")
    try:
        return str(s.client.post("/contacts", json={"last_name": "À effacer"}).json()["id"])
    finally:
        s.close()


_CHECK = {"level": "amber", "mos_g722": 3.9, "loss_pct": 1.5, "jitter_ms": 8, "rtt_ms": 40,
          "items": [{"id": "echo", "level": "amber", "advice": "net_wired"}]}  # fmt: skip


def _checked_a1(server: Server) -> str:
    """agent_a1 with a pre-shift check on record."""
    s = server.login("agent_a1", device="check")
    try:
        assert s.client.post("/agents/me/network-check", json=_CHECK).status_code == 200
        return s.user_id
    finally:
        s.close()


def _alert_of_team_a(server: Server) -> int:
    """An open alert of agent_a1 (team A), made in the database."""
    with server.db.write() as s:
        alert = Alert(
            team_id=server.org.team_a,
            agent_id=server.org.users["agent_a1"],
            kind="break_over",
            episode=f"rbac-{uuid.uuid4()}",
            detail={"value": 1, "threshold": 1},
        )
        s.add(alert)
        s.flush()
        return alert.id


def _as(server: Server, name: str, method: str, path: str, body: Any = None) -> Any:
    s = server.login(name)
    try:
        r = s.client.request(method, path, json=body)
        assert r.status_code < 300, r.text
        return r.json() if r.content else None
    finally:
        s.close()


def _message_to_a1(server: Server, priority: str = "normal") -> int:
    a1 = server.org.users["agent_a1"]
    body = {"to_agent_id": a1, "body": "RBAC", "priority": priority}
    return int(_as(server, "lead_a", "POST", "/messages", body)["id"])


def _help_of_a1(server: Server) -> int:
    body = {"call_context": {"queue": "file-a"}, "text": "aide"}
    return int(_as(server, "agent_a1", "POST", "/help-requests", body)["id"])


def _pending_for_a2(server: Server) -> str:
    """agent_a2 on a call with a lead's break waiting for its end."""
    for state in ("offline", "available", "on_call"):
        _as(server, "agent_a2", "PUT", "/agents/me/state", {"state": state})
    a2 = server.org.users["agent_a2"]
    body = {"state": "break", "reason": "Déjeuner"}
    assert _as(server, "lead_a", "POST", f"/agents/{a2}/state", body)["applied"] is False
    return a2


def _on_call_agent(server: Server) -> str:
    """A new agent of team A on a call, with no supervision session open anywhere."""
    with server.db.write() as s:
        s.execute(
            update(SupervisionSession)
            .where(SupervisionSession.status != "ended")
            .values(status="ended", end_reason="lead_stopped")
        )
    name = f"rbac_{uuid.uuid4().hex[:8]}"
    agent_id = create_user(server.db, name, PASSWORD, "agent", "Équipe A")
    for state in ("available", "on_call"):
        _as(server, name, "PUT", "/agents/me/state", {"state": state})
    return agent_id


def _session_of_lead_a(server: Server) -> int:
    """A supervision session of lead_a on a new agent's call."""
    agent = _on_call_agent(server)
    body = {"mode": "listen"}
    return int(_as(server, "lead_a", "POST", f"/agents/{agent}/supervision", body)["id"])


ALL_OK = {a: 200 for a in ACTORS if a != "anon"}
LEAD_ONLY = {"agent": 403, "other_agent": 403, "lead": 200, "other_lead": 404, "admin": 200}
RECIPIENT_ONLY = {"agent": 200, "other_agent": 404, "lead": 404, "other_lead": 404, "admin": 404}
A1 = lambda srv: srv.org.users["agent_a1"]  # noqa: E731
TEAM_A = lambda srv: srv.org.team_a  # noqa: E731
LEADS_OF_A = {"agent": 403, "other_agent": 403, "lead": 200, "other_lead": 403, "admin": 200}
OWN_OR_LEAD = {"agent": 200, "other_agent": 403, "lead": 200, "other_lead": 403, "admin": 200}

CASES: dict[str, Case] = {
    "me": Case("GET", lambda s: "/me", None, ALL_OK),
    "provisioning": Case("GET", lambda s: "/provisioning/sip", None, ALL_OK),
    "provisioning_issue": Case("POST", lambda s: "/provisioning/sip", None, ALL_OK),
    "state_set": Case(
        "PUT",
        lambda s: "/agents/me/state",
        lambda s: {"state": "offline"},
        {"agent": 200, "other_agent": 200, "lead": 200, "other_lead": 200, "admin": 403},
    ),
    "team_agents": Case(
        "GET",
        lambda s: f"/teams/{TEAM_A(s)}/agents",
        None,
        {"agent": 403, "other_agent": 403, "lead": 200, "other_lead": 403, "admin": 200},
    ),
    "state_history": Case(
        "GET",
        lambda s: f"/agents/{A1(s)}/state-history",
        None,
        {"agent": 200, "other_agent": 403, "lead": 200, "other_lead": 403, "admin": 200},
    ),
    "figures_agent": Case(
        "GET",
        lambda s: f"/figures/agents/{A1(s)}",
        None,
        {"agent": 200, "other_agent": 403, "lead": 200, "other_lead": 403, "admin": 200},
    ),
    "figures_team": Case(
        "GET",
        lambda s: f"/figures/teams/{TEAM_A(s)}",
        None,
        {"agent": 403, "other_agent": 403, "lead": 200, "other_lead": 403, "admin": 200},
    ),
    "team_queues": Case(
        "GET",
        lambda s: f"/teams/{TEAM_A(s)}/queues",
        None,
        {"agent": 403, "other_agent": 403, "lead": 200, "other_lead": 404, "admin": 200},
    ),
    "teams_list": Case(
        "GET",
        lambda s: "/teams",
        None,
        {"agent": 403, "other_agent": 403, "lead": 200, "other_lead": 200, "admin": 200},
    ),
    "team_settings": Case("GET", lambda s: f"/teams/{TEAM_A(s)}/settings", None, LEADS_OF_A),
    "team_settings_put": Case(
        "PUT", lambda s: f"/teams/{TEAM_A(s)}/settings", lambda s: DEFAULTS, LEADS_OF_A
    ),
    "team_board": Case("GET", lambda s: f"/teams/{TEAM_A(s)}/board", None, LEADS_OF_A),
    "team_alerts": Case("GET", lambda s: f"/teams/{TEAM_A(s)}/alerts", None, LEADS_OF_A),
    "alert_ack": Case(
        "POST",
        lambda s: f"/alerts/{_alert_of_team_a(s)}/ack",
        None,
        {"agent": 403, "other_agent": 403, "lead": 200, "other_lead": 404, "admin": 200},
    ),
    "team_audit": Case("GET", lambda s: f"/teams/{TEAM_A(s)}/audit", None, LEADS_OF_A),
    "team_day": Case("GET", lambda s: f"/teams/{TEAM_A(s)}/day", None, LEADS_OF_A),
    "agent_day": Case("GET", lambda s: f"/agents/{A1(s)}/day", None, OWN_OR_LEAD),
    "contacts_search": Case("GET", lambda s: "/contacts?q=a", None, ALL_OK),
    "contacts_sync": Case("GET", lambda s: "/sync/contacts?limit=5", None, ALL_OK),
    "contact_create": Case(
        "POST",
        lambda s: "/contacts",
        lambda s: {"last_name": "Nouveau"},
        dict.fromkeys(ALL_OK, 201),
    ),
    "contact_delete": Case(
        "DELETE",
        lambda s: f"/contacts/{_contact_to_delete(s)}",
        None,
        {"agent": 403, "other_agent": 403, "lead": 200, "other_lead": 200, "admin": 200},
    ),
    "interaction_log": Case(
        "POST",
        lambda s: "/interactions",
        _call,
        {"agent": 201, "other_agent": 201, "lead": 201, "other_lead": 201, "admin": 403},
    ),
    "callbacks": Case("GET", lambda s: "/callbacks", None, ALL_OK),
    "messages_read": Case("GET", lambda s: "/messages", None, ALL_OK),
    "message_send": Case(
        "POST",
        lambda s: "/messages",
        lambda s: {"to_team_id": TEAM_A(s), "body": "Bonjour"},
        {"agent": 403, "other_agent": 403, "lead": 201, "other_lead": 403, "admin": 201},
    ),
    "help_request": Case(
        "POST",
        lambda s: "/help-requests",
        lambda s: {"call_context": {"queue": "file-a"}, "text": "aide"},
        {"agent": 201, "other_agent": 201, "lead": 403, "other_lead": 403, "admin": 403},
    ),
    "message_send_several": Case(
        "POST",
        lambda s: "/messages",
        lambda s: {"to_agent_ids": [A1(s)], "body": "Bonjour", "priority": "urgent"},
        {"agent": 403, "other_agent": 403, "lead": 201, "other_lead": 403, "admin": 201},
    ),
    "message_to_lead": Case(
        "POST",
        lambda s: "/messages/to-lead",
        lambda s: {"body": "Une question"},
        {"agent": 201, "other_agent": 201, "lead": 403, "other_lead": 403, "admin": 403},
    ),
    "message_delivered": Case(
        "POST", lambda s: f"/messages/{_message_to_a1(s)}/delivered", None, RECIPIENT_ONLY
    ),
    "message_mark_read": Case(
        "POST", lambda s: f"/messages/{_message_to_a1(s)}/read", None, RECIPIENT_ONLY
    ),
    "message_ack": Case(
        "POST", lambda s: f"/messages/{_message_to_a1(s, 'urgent')}/ack", None, RECIPIENT_ONLY
    ),
    "message_receipts": Case(
        "GET",
        lambda s: f"/messages/{_message_to_a1(s)}/receipts",
        None,
        {"agent": 403, "other_agent": 404, "lead": 200, "other_lead": 404, "admin": 200},
    ),
    "messages_of_an_agent": Case(
        "GET",
        lambda s: f"/messages?agent_id={A1(s)}",
        None,
        {"agent": 200, "other_agent": 403, "lead": 200, "other_lead": 403, "admin": 200},
    ),
    "help_list_by_status": Case("GET", lambda s: "/help-requests?status=open", None, ALL_OK),
    "help_ack": Case("POST", lambda s: f"/help-requests/{_help_of_a1(s)}/ack", None, LEAD_ONLY),
    "help_resolve": Case(
        "POST", lambda s: f"/help-requests/{_help_of_a1(s)}/resolve", None, LEAD_ONLY
    ),
    "remote_state": Case(
        "POST",
        lambda s: f"/agents/{A1(s)}/state",
        lambda s: {"state": "offline", "note": "RBAC"},
        LEAD_ONLY,
    ),
    "remote_state_cancel": Case(
        "DELETE", lambda s: f"/agents/{_pending_for_a2(s)}/pending-state", None, LEAD_ONLY
    ),
    "call_quality": Case(
        "POST",
        lambda s: "/agents/me/call-quality",
        lambda s: {"sip_call_id": "rbac", "mos": 4.1, "loss_pct": 0, "jitter_ms": 3, "rtt_ms": 20},
        {"agent": 204, "other_agent": 204, "lead": 204, "other_lead": 204, "admin": 403},
    ),
    "network_check_report": Case(
        "POST",
        lambda s: "/agents/me/network-check",
        lambda s: _CHECK,
        {"agent": 200, "other_agent": 200, "lead": 200, "other_lead": 200, "admin": 403},
    ),
    "network_check_read": Case(
        "GET",
        lambda s: f"/agents/{_checked_a1(s)}/network-check",
        None,
        {"agent": 200, "other_agent": 403, "lead": 200, "other_lead": 403, "admin": 200},
    ),
    "echo_session": Case(
        "POST",
        lambda s: "/network-check/echo-session",
        None,
        {"agent": 200, "other_agent": 200, "lead": 200, "other_lead": 200, "admin": 200},
    ),
    "supervision_start": Case(
        "POST",
        lambda s: f"/agents/{_on_call_agent(s)}/supervision",
        lambda s: {"mode": "listen"},
        {"agent": 403, "other_agent": 403, "lead": 201, "other_lead": 403, "admin": 201},
    ),
    "supervision_start_not_in_call": Case(
        "POST",
        lambda s: f"/agents/{A1(s)}/supervision",  # agent_a1 is never on a call here
        lambda s: {"mode": "barge"},
        {"agent": 403, "other_agent": 403, "lead": 409, "other_lead": 403, "admin": 409},
    ),
    "supervision_mode": Case(
        "PATCH",
        lambda s: f"/supervision/{_session_of_lead_a(s)}",
        lambda s: {"mode": "whisper"},
        {"agent": 404, "other_agent": 404, "lead": 200, "other_lead": 404, "admin": 200},
    ),
    "supervision_connected": Case(  # only the supervised agent (none of these actors)
        "POST",
        lambda s: f"/supervision/{_session_of_lead_a(s)}/connected",
        None,
        {"agent": 404, "other_agent": 404, "lead": 403, "other_lead": 404, "admin": 403},
    ),
    "supervision_end": Case(
        "POST",
        lambda s: f"/supervision/{_session_of_lead_a(s)}/end",
        lambda s: {"reason": "lead_stopped"},
        {"agent": 404, "other_agent": 404, "lead": 200, "other_lead": 404, "admin": 200},
    ),
    "team_supervision": Case("GET", lambda s: f"/teams/{TEAM_A(s)}/supervision", None, LEADS_OF_A),
    "supervision_policy": Case(
        "GET",
        lambda s: "/supervision/policy",
        None,
        {"agent": 403, "other_agent": 403, "lead": 200, "other_lead": 200, "admin": 200},
    ),
    "acd_hook": Case(
        "GET",
        lambda s: "/acd/route?queue=file-a&call_id=rbac",
        None,
        dict.fromkeys(ALL_OK, 401),  # only Kamailio's ACD credentials are accepted
    ),
    "acd_ended": Case(
        "GET",
        lambda s: "/acd/ended?call_id=rbac&outcome=abandoned",
        None,
        dict.fromkeys(ALL_OK, 401),  # queue-call outcomes come from Kamailio only
    ),
    "acd_sip_credential": Case(
        "GET",
        lambda s: "/acd/sip-credential?user=agent_a1",
        None,
        dict.fromkeys(ALL_OK, 401),  # SIP secrets go to Kamailio's ACD credentials only
    ),
}


@pytest.fixture(scope="module")
def actors(server: Server) -> Iterator[dict[str, Session]]:
    logged = {a: server.login(name) for a, name in ACTORS.items() if name is not None}
    yield logged
    for s in logged.values():
        s.close()


@pytest.mark.parametrize("actor", list(ACTORS))
@pytest.mark.parametrize("family", list(CASES))
def test_rbac(server: Server, actors: dict[str, Session], family: str, actor: str) -> None:
    case = CASES[family]
    expected = case.expect.get(actor, 401)
    body = case.body(server) if case.body else None
    path = case.path(server)
    if actor == "anon":
        r = httpx.request(case.method, f"{server.url}{API}{path}", json=body)
    else:
        r = actors[actor].client.request(case.method, path, json=body)
    assert r.status_code == expected, f"{family} as {actor}: {r.status_code} {r.text}"
    if r.status_code >= 400:
        assert set(r.json()["error"]) == {"code", "message"}


def test_events_stream_needs_a_token(server: Server, actors: dict[str, Session]) -> None:
    r = httpx.get(f"{server.url}{API}/events")
    assert r.status_code == 401
    with actors["agent"].client.stream("GET", "/events") as ok:
        assert ok.status_code == 200
        assert ok.headers["content-type"].startswith("text/event-stream")
