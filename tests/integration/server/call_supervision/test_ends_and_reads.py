"""Live call supervision on the real server (docs/supervision-contract.md "Server"): the
ends the server decides itself, the team list and the policy, the audit and the agent's
day, and the guards behind them — on SQLite and on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable

import pytest
from sqlalchemy import func, select

from homeagent.core.supervision import parse_day_supervisions
from homeagent.server.admin import revoke_device
from homeagent.server.models import Event
from homeagent.server.supervision_models import SupervisionSession
from tests.integration.server.call_supervision.helpers import (
    audit_rows,
    error,
    events_since,
    last_event_id,
    on_call,
    put_state,
    started,
)
from tests.integration.server.conftest import Server
from tests.integration.server.launch import Session

# --- the ends the server decides -----------------------------------------------------


@pytest.mark.parametrize("then", ["wrap_up", "available", "offline", "remote_break"])
def test_the_agent_leaving_on_call_ends_the_session(
    server: Server, org: dict[str, str], who: Callable[[str], Session], then: str
) -> None:
    lead, agent = who("lead_a"), who("agent_a4")
    on_call(agent)
    sid = started(lead, agent)["id"]
    assert agent.client.post(f"/supervision/{sid}/connected").is_success
    before = last_event_id(server)
    if then == "remote_break":  # a lead forces a state: after the call… so not yet
        r = lead.client.post(f"/agents/{agent.user_id}/state", json={"state": "offline"})
        assert r.json()["applied"] is False
        assert events_since(server, before, "supervision_ended") == []
        put_state(agent, "available")  # the call ends: the pending offline applies
    elif then == "wrap_up":  # the desk logs the call, then wraps up
        now = dt.datetime.now(dt.UTC).isoformat()
        call = {
            "id": str(uuid.uuid4()),
            "direction": "outbound",
            "started_at": now,
            "answered_at": now,
            "outcome": "answered",
        }
        assert agent.client.post("/interactions", json=call).status_code == 201
        put_state(agent, "wrap_up")
    else:
        put_state(agent, then)
    ended = events_since(server, before, "supervision_ended")
    assert {e.to_user_id for e in ended} == {agent.user_id, lead.user_id}
    assert all(e.data == {"id": sid, "reason": "call_ended"} for e in ended)
    with server.db.read() as s:
        row = s.get(SupervisionSession, sid)
        assert row is not None
        assert (row.status, row.end_reason) == ("ended", "call_ended")
    (last,) = [r for r in audit_rows(server, sid) if r.action == "supervision_ended"]
    assert last.detail["reason"] == "call_ended"
    # a state change that stays on-call does not end a session
    on_call(agent)
    sid = started(lead, agent)["id"]
    put_state(agent, "on_call")
    r = lead.client.patch(f"/supervision/{sid}", json={"mode": "barge"})
    assert r.status_code == 200


def test_sign_out_and_revocation_end_the_session(
    server: Server, org: dict[str, str], who: Callable[[str], Session]
) -> None:
    lead = who("lead_a")
    # the agent signs out (POST /auth/logout) while supervised
    agent = server.login("agent_a1", device="second-pc")
    try:
        on_call(agent)
        sid = started(lead, agent)["id"]
        assert agent.client.post("/auth/logout").is_success
    finally:
        agent.close()
    _assert_ended(server, sid, "agent_signed_out")
    # an admin revokes the agent's device (homeagent-server revoke-device)
    agent = server.login("agent_a1", device="third-pc")
    try:
        on_call(agent)
        sid = started(lead, agent)["id"]
        revoke_device(server.db, agent.device_id)
        _assert_ended(server, sid, "agent_signed_out")
    finally:
        agent.close()
    # the lead's console signs out: the leg would go nowhere
    agent, lead2 = who("agent_a2"), server.login("lead_a2", device="console")
    try:
        on_call(agent)
        sid = started(lead2, agent)["id"]
        assert lead2.client.post("/auth/logout").is_success
    finally:
        lead2.close()
    _assert_ended(server, sid, "lead_lost")


def _assert_ended(server: Server, sid: int, reason: str) -> None:
    with server.db.read() as s:
        row = s.get(SupervisionSession, sid)
        assert row is not None
        assert (row.status, row.end_reason) == ("ended", reason)
        events = s.scalars(
            select(Event)
            .where(Event.type == "supervision_ended")
            .order_by(Event.id.desc())
            .limit(2)
        ).all()
        assert {e.data["id"] for e in events} == {sid}
        assert {e.data["reason"] for e in events} == {reason}


# --- reads ---------------------------------------------------------------------------


def test_the_team_list_and_the_policy(
    server: Server, org: dict[str, str], who: Callable[[str], Session]
) -> None:
    lead, agent = who("lead_a"), who("agent_a1")
    team = server.org.team_a
    assert lead.client.get(f"/teams/{team}/supervision").json() == []
    on_call(agent)
    sid = started(lead, agent)["id"]
    listed = lead.client.get(f"/teams/{team}/supervision").json()
    assert [s["id"] for s in listed] == [sid]
    assert "token" not in listed[0]
    assert who("admin").client.get(f"/teams/{team}/supervision").json() == listed
    assert who("lead_a2").client.get(f"/teams/{team}/supervision").json() == listed
    assert who("lead_b").client.get(f"/teams/{server.org.team_b}/supervision").json() == []
    for name, path, status in (
        ("lead_b", f"/teams/{team}/supervision", 403),
        ("agent_a1", f"/teams/{team}/supervision", 403),
        ("admin", "/teams/no-such-team/supervision", 404),
    ):
        assert who(name).client.get(path).status_code == status, (name, path)
    lead.client.post(f"/supervision/{sid}/end", json={"reason": "lead_stopped"})
    assert lead.client.get(f"/teams/{team}/supervision").json() == []

    for policy in ("announced", "silent", "off"):
        server.db.set_setting("supervision_policy", policy)
        for name in ("lead_a", "lead_b", "admin"):
            assert who(name).client.get("/supervision/policy").json() == {"policy": policy}
    r = agent.client.get("/supervision/policy")
    assert (r.status_code, error(r)["code"]) == (403, "forbidden")


def test_silent_policy_sends_no_announce_and_the_agent_sees_the_session_afterwards(
    server: Server, org: dict[str, str], who: Callable[[str], Session]
) -> None:
    lead, agent = who("lead_a"), who("agent_a2")
    server.db.set_setting("supervision_policy", "silent")
    on_call(agent)
    before = last_event_id(server)
    sid = started(lead, agent)["id"]
    (requested,) = events_since(server, before, "supervision_requested")
    assert requested.data["announce"] is False
    day = agent.client.get(f"/agents/{agent.user_id}/day").json()
    assert sid not in [s["id"] for s in day["supervisions"]]  # not while it goes on
    by_lead = lead.client.get(f"/agents/{agent.user_id}/day").json()
    assert sid in [s["id"] for s in by_lead["supervisions"]]
    put_state(agent, "available")
    day = agent.client.get(f"/agents/{agent.user_id}/day").json()
    assert next(s for s in day["supervisions"] if s["id"] == sid)["end_reason"] == "call_ended"


def test_audit_rows_and_the_agents_day_are_complete(
    server: Server, org: dict[str, str], who: Callable[[str], Session]
) -> None:
    lead, agent, admin = who("lead_a"), who("agent_a1"), who("admin")
    on_call(agent)
    sid = started(lead, agent)["id"]
    agent.client.post(f"/supervision/{sid}/connected")
    lead.client.patch(f"/supervision/{sid}", json={"mode": "whisper"})
    admin.client.patch(f"/supervision/{sid}", json={"mode": "barge"})
    lead.client.post(f"/supervision/{sid}/end", json={"reason": "lead_stopped"})

    rows = audit_rows(server, sid)
    got = [(r.action, r.actor_id, r.agent_id, r.team_id) for r in rows]
    team = server.org.team_a
    assert got == [
        ("supervision_started", lead.user_id, agent.user_id, team),
        ("supervision_connected", agent.user_id, agent.user_id, team),
        ("supervision_mode", lead.user_id, agent.user_id, team),
        ("supervision_mode", admin.user_id, agent.user_id, team),
        ("supervision_ended", lead.user_id, agent.user_id, team),
    ]
    started_row, connected, mode1, mode2, ended = (r.detail for r in rows)
    assert started_row == {
        "session_id": sid,
        "lead_id": lead.user_id,
        "mode": "listen",
        "policy": "announced",
    }
    assert connected["mode"] == "listen"
    assert (mode1["mode"], mode1["from"], mode2["mode"], mode2["from"]) == (
        "whisper",
        "listen",
        "barge",
        "whisper",
    )
    assert ended["reason"] == "lead_stopped"
    assert ended["modes"] == ["listen", "whisper", "barge"]
    # the team's audit log (what a lead reads) shows them with the actor's name
    log = lead.client.get(f"/teams/{team}/audit").json()
    mine = [e for e in log if e["detail"].get("session_id") == sid]
    assert [e["action"] for e in mine] == [r.action for r in rows]
    assert mine[0]["actor"] == {"id": lead.user_id, "name": "lead_a"}

    for reader in (agent, lead, admin):
        day = reader.client.get(f"/agents/{agent.user_id}/day")
        assert day.status_code == 200, day.text
        (entry,) = [s for s in day.json()["supervisions"] if s["id"] == sid]
        assert {k: entry[k] for k in ("lead_name", "modes", "end_reason")} == {
            "lead_name": "lead_a",
            "modes": ["listen", "whisper", "barge"],
            "end_reason": "lead_stopped",
        }
        (rec,) = [d for d in parse_day_supervisions(day.json()["supervisions"]) if d.id == sid]
        assert rec.ended_at is not None
        assert rec.started_at <= rec.ended_at
    assert who("lead_b").client.get(f"/agents/{agent.user_id}/day").status_code == 403
    # another day holds none of today's sessions
    past = agent.client.get(f"/agents/{agent.user_id}/day", params={"day": "2020-01-01"})
    assert past.json()["supervisions"] == []


def test_the_unique_guard_holds_when_a_race_slips_past_the_checks(
    server: Server,
    org: dict[str, str],
    who: Callable[[str], Session],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Another instance inserting between our checks and our insert: the partial unique
    indexes refuse the second open session, and the caller still gets the contract's 409s."""
    from homeagent.server import call_supervision as cs
    from homeagent.server.deps import Principal
    from homeagent.server.errors import ApiError

    lead, agent = who("lead_a"), who("agent_a1")
    on_call(agent)
    first = started(lead, agent)
    monkeypatch.setattr(cs, "open_of_agent", lambda _s, _a: None)  # the checks see nothing
    monkeypatch.setattr(cs, "open_of_lead", lambda _s, _l: None)
    second = Principal(org["lead_a2"], "lead_a2", "team_lead", server.org.team_a, "d")
    with pytest.raises(ApiError) as caught, server.db.write() as s:
        cs.start(s, second, agent.user_id, "listen", "test.local")
    assert (caught.value.status, caught.value.code) == (409, "lead_busy")  # checks blind
    monkeypatch.undo()
    real_open = cs.open_of_agent
    calls = iter([None])
    monkeypatch.setattr(cs, "open_of_agent", lambda s, a: next(calls, None) or real_open(s, a))
    with pytest.raises(ApiError) as caught, server.db.write() as s:
        cs.start(s, second, agent.user_id, "listen", "test.local")
    assert (caught.value.status, caught.value.code) == (409, "already_supervised")
    assert caught.value.extra == {"by": {"id": lead.user_id, "name": "lead_a"}}
    with server.db.read() as s:
        rows = s.scalars(
            select(SupervisionSession).where(
                SupervisionSession.agent_id == agent.user_id,
                SupervisionSession.status != "ended",
            )
        ).all()
        assert [r.id for r in rows] == [first["id"]]


def test_an_idempotency_key_never_stores_the_token(
    server: Server, org: dict[str, str], who: Callable[[str], Session]
) -> None:
    from homeagent.server.models import IdempotencyRecord

    lead, agent = who("lead_a"), who("agent_a2")
    on_call(agent)
    path, body = f"/agents/{agent.user_id}/supervision", {"mode": "listen"}
    first = lead.client.post(path, json=body, headers={"Idempotency-Key": "sup-1"})
    assert first.status_code == 201, first.text
    token = first.json()["token"]
    again = lead.client.post(path, json=body, headers={"Idempotency-Key": "sup-1"})
    assert (again.status_code, error(again)["code"]) == (409, "already_supervised")
    with server.db.read() as s:
        assert all(token.encode() not in r.body for r in s.scalars(select(IdempotencyRecord)))
        assert (
            s.scalar(
                select(func.count())
                .select_from(IdempotencyRecord)
                .where(IdempotencyRecord.user_id == lead.user_id, IdempotencyRecord.key == "sup-1")
            )
            == 0
        )
