"""Live call supervision on the real server (docs/supervision-contract.md "Server"):
every route, every refusal, who is told what, the ends the server decides itself, the
audit and the agent's day — on SQLite and on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, update

from homeagent.core.supervision import parse_day_supervisions, parse_session, parse_started
from homeagent.server.admin import create_user, revoke_device
from homeagent.server.events import Audience
from homeagent.server.models import Event, User
from homeagent.server.supervision_models import AuditEntry, SupervisionSession
from tests.integration.server.conftest import Server
from tests.integration.server.launch import PASSWORD, Session, SseReader

EXTRA = (("lead_a2", "team_lead"), ("agent_a3", "agent"), ("agent_a4", "agent"))


@pytest.fixture(scope="module")
def org(server: Server) -> dict[str, str]:
    """The test organisation's users plus a second lead and two more agents in team A."""
    users = dict(server.org.users)
    for name, role in EXTRA:
        users[name] = create_user(
            server.db, name, PASSWORD, role, "Équipe A", display_name=name.title()
        )
    return users


@pytest.fixture
def who(
    server: Server, org: dict[str, str], sessions: Callable[[str], Session]
) -> Iterator[Callable[[str], Session]]:
    """Log users in on demand (one device each per test); after the test every open
    session ends and the policy is back to `announced`."""
    cache: dict[str, Session] = {}

    def get(name: str) -> Session:
        if name not in cache:
            cache[name] = sessions(name)
        return cache[name]

    yield get
    with server.db.write() as s:
        s.execute(
            update(SupervisionSession)
            .where(SupervisionSession.status != "ended")
            .values(status="ended", end_reason="lead_stopped")
        )
    server.db.set_setting("supervision_policy", "announced")


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


# --- start ---------------------------------------------------------------------------


def test_a_lead_starts_a_session_the_agent_gets_the_token_the_leads_do_not(
    server: Server, org: dict[str, str], who: Callable[[str], Session]
) -> None:
    lead, agent = who("lead_a"), who("agent_a1")
    on_call(agent)
    agent_stream = SseReader(server.url, agent.tokens["access_token"])
    lead_stream = SseReader(server.url, who("lead_a2").tokens["access_token"])
    try:
        before = last_event_id(server)
        body = started(lead, agent, "whisper")
        rec = parse_started(body)  # the console's strict parser reads it
        assert (rec.session.agent_id, rec.session.lead_id) == (agent.user_id, lead.user_id)
        assert (rec.session.mode, rec.session.status) == ("whisper", "requested")
        assert rec.session.team_id == server.org.team_a
        assert rec.session.agent_name == "agent_a1"
        assert rec.session.connected_at is rec.session.ended_at is None
        assert len(rec.token) == 43
        with server.db.read() as s:
            row = s.get(SupervisionSession, rec.session.id)
            assert row is not None
            assert row.token_hash == hashlib.sha256(rec.token.encode()).hexdigest()
            assert rec.token not in repr(row.__dict__)  # the hash only
            assert row.modes == [{"mode": "whisper", "at": row.modes[0]["at"]}]

        while (ev := agent_stream.wait_for("supervision_requested")).data["id"] != rec.session.id:
            pass
        assert ev.data == {
            "id": rec.session.id,
            "token": rec.token,
            "mode": "whisper",
            "lead": {"id": lead.user_id, "name": "lead_a"},
            "lead_sip_uri": f"sip:lead_a@{server.db.settings()['sip_domain']}",
            "announce": True,
        }
        seen = lead_stream.wait_for("supervision_session").data
        assert parse_session(seen).id == rec.session.id
        assert "token" not in seen
        assert seen["status"] == "requested"

        published = events_since(server, before)
        assert [e.type for e in published] == ["supervision_requested", "supervision_session"]
        requested, session = published
        assert seen_by(server, org, requested) == {"agent_a1"}
        assert seen_by(server, org, session) == {"admin", "lead_a", "lead_a2"}
        assert rec.token not in str(session.data)
    finally:
        for r in (agent_stream, lead_stream):
            r.close()
    # the server's log never holds the token
    assert server.log is not None
    assert rec.token not in server.log.read_text(errors="replace")


def test_every_refusal_has_its_code_and_neither_stores_nor_publishes(
    server: Server, org: dict[str, str], who: Callable[[str], Session]
) -> None:
    lead, agent = who("lead_a"), who("agent_a1")
    put_state(agent, "offline", "available")
    before = last_event_id(server)
    with server.db.read() as s:
        sessions_before = s.scalar(select(func.count()).select_from(SupervisionSession))

    r = start(lead, agent)
    assert (r.status_code, error(r)["code"]) == (409, "not_in_call")
    on_call(agent)
    before = last_event_id(server)  # the agent's own state events are not ours
    r = start(who("agent_a2"), agent)
    assert (r.status_code, error(r)["code"]) == (403, "forbidden")
    r = start(who("lead_b"), agent)
    assert (r.status_code, error(r)["code"]) == (403, "forbidden")
    r = start(lead, "00000000-0000-0000-0000-000000000000")
    assert (r.status_code, error(r)["code"]) == (404, "not_found")
    r = start(lead, org["lead_a2"])  # a lead is not an agent one may listen to
    assert (r.status_code, error(r)["code"]) == (404, "not_found")
    for bad in ({"mode": "spy"}, {"mode": ""}, {}, {"mode": "listen", "token": "x"}):
        r = lead.client.post(f"/agents/{agent.user_id}/supervision", json=bad)
        assert (r.status_code, error(r)["code"]) == (422, "invalid_input"), bad
    server.db.set_setting("supervision_policy", "off")
    r = start(lead, agent)
    assert (r.status_code, error(r)["code"]) == (403, "supervision_off")
    assert "turned off" in error(r)["message"]
    r = start(who("admin"), agent)
    assert (r.status_code, error(r)["code"]) == (403, "supervision_off")

    assert events_since(server, before) == []
    with server.db.read() as s:
        assert s.scalar(select(func.count()).select_from(SupervisionSession)) == sessions_before


def test_a_second_lead_is_told_who_is_there_and_a_lead_has_one_session(
    server: Server, org: dict[str, str], who: Callable[[str], Session]
) -> None:
    lead, agent, other = who("lead_a"), who("agent_a1"), who("agent_a2")
    on_call(agent)
    on_call(other)
    first = started(lead, agent)
    for second in ("lead_a2", "admin"):
        r = start(who(second), agent, "barge")
        assert r.status_code == 409, r.text
        assert error(r) == {
            "code": "already_supervised",
            "message": "lead_a is already supervising agent_a1.",
            "by": {"id": lead.user_id, "name": "lead_a"},
        }
    r = start(lead, other)
    assert (r.status_code, error(r)["code"]) == (409, "lead_busy")
    # once the first ends, both are free again
    assert lead.client.post(f"/supervision/{first['id']}/end", json={"reason": "lead_stopped"})
    started(who("lead_a2"), agent)
    started(lead, other)


def test_two_leads_racing_on_one_agent_get_one_201_and_one_409(
    server: Server, org: dict[str, str], who: Callable[[str], Session]
) -> None:
    agent = who("agent_a3")
    leads = [who("lead_a"), who("lead_a2")]
    for _round in range(6):
        on_call(agent)
        barrier = threading.Barrier(2)
        answers: list[httpx.Response] = []

        def go(lead: Session, barrier: threading.Barrier, out: list[httpx.Response]) -> None:
            barrier.wait()
            out.append(start(lead, agent))

        threads = [threading.Thread(target=go, args=(lead, barrier, answers)) for lead in leads]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        assert sorted(r.status_code for r in answers) == [201, 409], [r.text for r in answers]
        loser = next(r for r in answers if r.status_code == 409)
        winner = next(r for r in answers if r.status_code == 201).json()
        assert error(loser)["code"] == "already_supervised"
        assert error(loser)["by"]["id"] == winner["lead_id"]
        with server.db.read() as s:
            open_rows = s.scalars(
                select(SupervisionSession).where(
                    SupervisionSession.agent_id == agent.user_id,
                    SupervisionSession.status != "ended",
                )
            ).all()
            assert [r.id for r in open_rows] == [winner["id"]]
        put_state(agent, "available")  # ends it (call_ended) for the next round


# --- mode, connected, end ------------------------------------------------------------


def test_mode_changes_by_the_lead_only_and_never_after_the_end(
    server: Server, org: dict[str, str], who: Callable[[str], Session]
) -> None:
    lead, agent = who("lead_a"), who("agent_a1")
    on_call(agent)
    sid = started(lead, agent)["id"]
    before = last_event_id(server)
    r = lead.client.patch(f"/supervision/{sid}", json={"mode": "whisper"})
    assert r.status_code == 200, r.text
    assert parse_session(r.json()).mode == "whisper"
    mode_ev, session_ev = events_since(server, before)
    assert (mode_ev.type, session_ev.type) == ("supervision_mode", "supervision_session")
    assert mode_ev.data == {
        "id": sid,
        "mode": "whisper",
        "lead": {"id": lead.user_id, "name": "lead_a"},
        "announce": True,
    }
    assert seen_by(server, org, mode_ev) == {"agent_a1"}
    assert seen_by(server, org, session_ev) == {"admin", "lead_a", "lead_a2"}
    assert session_ev.data["mode"] == "whisper"

    before = last_event_id(server)
    same = lead.client.patch(f"/supervision/{sid}", json={"mode": "whisper"})
    assert same.status_code == 200
    assert events_since(server, before) == []  # nothing changed, nobody is told
    server.db.set_setting("supervision_policy", "silent")
    assert lead.client.patch(f"/supervision/{sid}", json={"mode": "barge"}).status_code == 200
    (mode_ev,) = events_since(server, before, "supervision_mode")
    assert mode_ev.data["announce"] is False
    assert who("admin").client.patch(f"/supervision/{sid}", json={"mode": "listen"}).is_success

    for name, status in (("agent_a1", 403), ("lead_a2", 403), ("lead_b", 404), ("agent_b1", 404)):
        r = who(name).client.patch(f"/supervision/{sid}", json={"mode": "barge"})
        assert r.status_code == status, (name, r.text)
    r = lead.client.patch(f"/supervision/{sid}", json={"mode": "shout"})
    assert (r.status_code, error(r)["code"]) == (422, "invalid_input")
    r = lead.client.patch("/supervision/999999999", json={"mode": "barge"})
    assert (r.status_code, error(r)["code"]) == (404, "not_found")

    assert agent.client.post(f"/supervision/{sid}/end", json={"reason": "call_ended"}).is_success
    r = lead.client.patch(f"/supervision/{sid}", json={"mode": "barge"})
    assert (r.status_code, error(r)["code"]) == (409, "ended")
    with server.db.read() as s:
        row = s.get(SupervisionSession, sid)
        assert row is not None
        assert [m["mode"] for m in row.modes] == ["listen", "whisper", "barge", "listen"]


def test_the_agent_reports_connected_idempotently_and_may_end_but_not_patch(
    server: Server, org: dict[str, str], who: Callable[[str], Session]
) -> None:
    lead, agent = who("lead_a"), who("agent_a1")
    on_call(agent)
    sid = started(lead, agent)["id"]
    r = lead.client.post(f"/supervision/{sid}/connected")
    assert (r.status_code, error(r)["code"]) == (403, "forbidden")
    assert who("agent_a2").client.post(f"/supervision/{sid}/connected").status_code == 404
    before = last_event_id(server)
    first = agent.client.post(f"/supervision/{sid}/connected")
    assert first.status_code == 200, first.text
    rec = parse_session(first.json())
    assert rec.status == "connected"
    assert rec.connected_at is not None
    (ev,) = events_since(server, before)
    assert (ev.type, ev.data["status"]) == ("supervision_session", "connected")
    again = agent.client.post(f"/supervision/{sid}/connected")
    assert again.json() == first.json()
    assert events_since(server, ev.id) == []

    r = agent.client.patch(f"/supervision/{sid}", json={"mode": "barge"})
    assert (r.status_code, error(r)["code"]) == (403, "forbidden")
    for bad in ({"reason": "bored"}, {}, {"reason": "lead_stopped", "x": 1}):
        r = agent.client.post(f"/supervision/{sid}/end", json=bad)
        assert (r.status_code, error(r)["code"]) == (422, "invalid_input"), bad
    assert (
        who("lead_b")
        .client.post(f"/supervision/{sid}/end", json={"reason": "lead_stopped"})
        .status_code
        == 404
    )
    assert (
        who("lead_a2")
        .client.post(f"/supervision/{sid}/end", json={"reason": "lead_stopped"})
        .status_code
        == 403
    )

    before = last_event_id(server)
    ended = agent.client.post(f"/supervision/{sid}/end", json={"reason": "transferred"})
    assert ended.status_code == 200, ended.text
    rec = parse_session(ended.json())
    assert (rec.status, rec.end_reason) == ("ended", "transferred")
    assert rec.ended_at is not None
    published = events_since(server, before)
    assert [e.type for e in published] == [
        "supervision_ended",
        "supervision_ended",
        "supervision_session",
    ]
    assert {e.to_user_id for e in published[:2]} == {agent.user_id, lead.user_id}
    assert all(e.data == {"id": sid, "reason": "transferred"} for e in published[:2])
    assert seen_by(server, org, published[2]) == {"admin", "lead_a", "lead_a2"}

    # idempotent: an ended session answers as it is, whoever ends it again, whatever why
    before = last_event_id(server)
    for actor in (lead, agent, who("admin")):
        r = actor.client.post(f"/supervision/{sid}/end", json={"reason": "lead_stopped"})
        assert r.json() == ended.json()
    late = agent.client.post(f"/supervision/{sid}/connected")
    assert (late.status_code, late.json()["status"]) == (200, "ended")
    assert events_since(server, before) == []


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
