"""Live call supervision on the real server (docs/supervision-contract.md "Server"): a
lead starting a session, every refusal, races, mode changes, connected and end, and who
is told what — on SQLite and on PostgreSQL."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable

import httpx
from sqlalchemy import func, select

from homeagent.core.supervision import parse_session, parse_started
from homeagent.server.supervision_models import SupervisionSession
from tests.integration.server.call_supervision.helpers import (
    error,
    events_since,
    last_event_id,
    on_call,
    put_state,
    seen_by,
    start,
    started,
)
from tests.integration.server.conftest import Server
from tests.integration.server.launch import Session, SseReader

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
