"""Steps and readers shared by the call-supervision server tests: state changes, starting
a session, the events and audit rows it left, who a stream shows an event to."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import func, select

from homeagent.server.events import Audience
from homeagent.server.models import Event, User
from homeagent.server.supervision_models import AuditEntry
from tests.integration.server.conftest import Server
from tests.integration.server.launch import Session


def put_state(agent: Session, *states: str) -> None:
    for state in states:
        r = agent.client.put("/agents/me/state", json={"state": state})
        assert r.status_code == 200, r.text


def on_call(agent: Session) -> None:
    put_state(agent, "offline", "available", "on_call")


def start(lead: Session, agent: Session | str, mode: str = "listen") -> httpx.Response:
    agent_id = agent if isinstance(agent, str) else agent.user_id
    return lead.client.post(f"/agents/{agent_id}/supervision", json={"mode": mode})


def started(lead: Session, agent: Session, mode: str = "listen") -> dict[str, Any]:
    r = start(lead, agent, mode)
    assert r.status_code == 201, r.text
    return dict(r.json())


def error(r: httpx.Response) -> dict[str, Any]:
    return dict(r.json()["error"])


def last_event_id(server: Server) -> int:
    with server.db.read() as s:
        return int(s.scalar(select(func.max(Event.id))) or 0)


def events_since(server: Server, after: int, *types: str) -> list[Event]:
    with server.db.read() as s:
        stmt = select(Event).where(Event.id > after).order_by(Event.id)
        if types:
            stmt = stmt.where(Event.type.in_(types))
        return list(s.scalars(stmt))


def seen_by(server: Server, org: dict[str, str], ev: Event) -> set[str]:
    """Which of the organisation's users a stream would show `ev` to (its own filter)."""
    names = ("admin", "lead_a", "lead_a2", "agent_a1", "agent_a2", "lead_b", "agent_b1")
    out = set()
    with server.db.read() as s:
        for name in names:
            user = s.get(User, org[name])
            assert user is not None
            if Audience(user.id, f"device-of-{name}", user.team_id, user.role).sees(ev):
                out.add(name)
    return out


def audit_rows(server: Server, session_id: int) -> list[AuditEntry]:
    with server.db.read() as s:
        rows = s.scalars(
            select(AuditEntry)
            .where(AuditEntry.action.like("supervision_%"))
            .order_by(AuditEntry.id)
        )
        return [r for r in rows if r.detail.get("session_id") == session_id]
