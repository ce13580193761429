"""A lead's remote state change: now, or after the agent's call and wrap-up (Finesse-style).

Driven as the desk and Kamailio's ACD hook drive the server (PUT /agents/me/state, GET
/acd/route and /acd/result), on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from homeagent.core.agent_state import AgentState
from homeagent.server.models import AgentStatus, StateHistory, User
from homeagent.server.state import change_state
from homeagent.server.supervision_models import AuditEntry
from tests.integration.server.conftest import Server
from tests.integration.server.launch import API, Session, SseReader


@pytest.fixture(scope="module")
def acd(server: Server) -> Iterator[httpx.Client]:
    client = httpx.Client(
        base_url=f"{server.url}{API}/acd", auth=("acd", server.db.settings()["acd_token"])
    )
    yield client
    client.close()


@pytest.fixture
def streams(server: Server) -> Iterator[Callable[[Session], SseReader]]:
    opened: list[SseReader] = []

    def make(s: Session) -> SseReader:
        r = SseReader(server.url, s.tokens["access_token"])
        opened.append(r)
        return r

    yield make
    for r in opened:
        r.close()


_calls = iter(range(1, 10**6))


def _next(stream: SseReader, type_: str, **match: Any) -> dict[str, Any]:
    """The data of the next `type_` event whose fields equal `match` (a stream replays
    everything since its device logged in, so earlier events of the test come first)."""
    while True:
        data = stream.wait_for(type_).data
        if all(data.get(k) == v for k, v in match.items()):
            return dict(data)


def _put(agent: Session, state: str, reason: str = "") -> dict[str, Any]:
    r = agent.client.put("/agents/me/state", json={"state": state, "reason": reason})
    assert r.status_code == 200, r.text
    return dict(r.json())


def _remote(lead: Session, agent: Session, **body: Any) -> httpx.Response:
    return lead.client.post(f"/agents/{agent.user_id}/state", json=body)


def _on_call(server: Server, acd: httpx.Client, agent: Session, *others: Session) -> str:
    """The ACD offers a queue call to `agent` (the others signed out) and it is answered."""
    for other in others:
        _put(other, "offline")
    _put(agent, "offline")
    _put(agent, "available")
    call_id = f"remote-{server.backend}-{next(_calls)}"
    r = acd.get("/route", params={"queue": "file-a", "call_id": call_id})
    assert (r.status_code, r.text) == (200, agent.tokens["user"]["name"])
    return call_id


def _answer(acd: httpx.Client, call_id: str, code: int = 200) -> None:
    r = acd.get("/result", params={"call_id": call_id, "code": code})
    assert r.status_code == 200, r.text


def _hang_up(acd: httpx.Client, call_id: str) -> None:
    """The customer of a call back in the queue (after a RONA) hangs up: it leaves it."""
    r = acd.get("/ended", params={"call_id": call_id, "outcome": "abandoned"})
    assert r.status_code == 200, r.text


def _audit(server: Server, agent_id: str, after_id: int = 0) -> list[AuditEntry]:
    with server.db.read() as s:
        return list(
            s.scalars(
                select(AuditEntry)
                .where(AuditEntry.agent_id == agent_id, AuditEntry.id > after_id)
                .order_by(AuditEntry.id)
            )
        )


def _last_audit_id(server: Server) -> int:
    with server.db.read() as s:
        return max(s.scalars(select(AuditEntry.id)), default=0)


def test_applied_at_once_outside_a_call_then_cleared_by_the_agent(
    server: Server, sessions: Callable[[str], Session], streams: Callable[[Session], SseReader]
) -> None:
    lead, a1 = sessions("lead_a"), sessions("agent_a1")
    _put(a1, "offline")
    _put(a1, "available")
    a1_s = streams(a1)
    mark = _last_audit_id(server)
    r = _remote(lead, a1, state="break", reason="Réunion", note="Point d'équipe")
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["applied"] is True
    assert out["pending"] is None
    assert (out["state"]["state"], out["state"]["reason"]) == ("break", "Réunion")
    assert out["state"]["changed_by"] == {"id": lead.user_id, "name": "lead_a"}
    assert out["state"]["note"] == "Point d'équipe"
    ev = _next(a1_s, "agent_state", state="break")  # the desk sees who and why
    assert (ev["changed_by"], ev["note"]) == (
        {"id": lead.user_id, "name": "lead_a"}, "Point d'équipe"
    )  # fmt: skip
    [entry] = _audit(server, a1.user_id, mark)
    assert (entry.action, entry.actor_id) == ("state_change", lead.user_id)
    assert entry.detail == {
        "state": "break", "reason": "Réunion", "note": "Point d'équipe", "from": "available",
        "applied": True,
    }  # fmt: skip
    mine = _put(a1, "available")  # the agent's own change clears who set the state
    assert (mine["changed_by"], mine["note"]) == (None, "")
    assert _next(a1_s, "agent_state", state="available")["changed_by"] is None
    # a remote offline signs the agent out
    gone = _remote(lead, a1, state="offline", note="Fin de service").json()
    assert (gone["applied"], gone["state"]["state"]) == (True, "offline")


def test_during_a_call_it_waits_for_the_end_of_the_wrap_up(
    server: Server,
    sessions: Callable[[str], Session],
    streams: Callable[[Session], SseReader],
    acd: httpx.Client,
) -> None:
    lead, a1, a2 = sessions("lead_a"), sessions("agent_a1"), sessions("agent_a2")
    call_id = _on_call(server, acd, a1, a2)
    _answer(acd, call_id)
    a1_s, lead_s = streams(a1), streams(lead)
    mark = _last_audit_id(server)
    r = _remote(lead, a1, state="break", reason="Formation", note="Formation à 15 h")
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["applied"] is False
    assert out["state"]["state"] == "on_call"  # the call goes on
    pending = out["pending"]
    assert {k: pending[k] for k in ("state", "reason", "note", "by")} == {
        "state": "break", "reason": "Formation", "note": "Formation à 15 h",
        "by": {"id": lead.user_id, "name": "lead_a"},
    }  # fmt: skip
    for stream in (a1_s, lead_s):
        ev = stream.wait_for("state_change_pending")
        assert ev.data == {"agent_id": a1.user_id, "pending": pending}
    assert a1.client.get("/agents/me/state").json()["pending"] == pending  # the desk can ask
    board = {row["agent_id"]: row for row in lead.client.get(
        f"/teams/{server.org.team_a}/agents").json()}  # fmt: skip
    assert board[a1.user_id]["pending"] == pending
    wrap = _put(a1, "wrap_up")
    assert (wrap["state"], wrap["pending"]) == ("wrap_up", pending)
    after = _put(a1, "available")  # the desk's move at the end of the wrap-up…
    assert (after["state"], after["reason"]) == ("break", "Formation")  # …becomes the break
    assert after["changed_by"] == {"id": lead.user_id, "name": "lead_a"}
    assert (after["note"], after["pending"]) == ("Formation à 15 h", None)
    applied = _next(a1_s, "agent_state", state="break")
    assert applied["changed_by"]["id"] == lead.user_id
    ended = a1_s.wait_for("state_change_pending").data
    assert ended == {"agent_id": a1.user_id, "pending": None, "outcome": "applied"}
    assert lead_s.wait_for("state_change_pending").data == ended
    with server.db.read() as s:
        states = [
            h.state
            for h in s.scalars(
                select(StateHistory)
                .where(StateHistory.agent_id == a1.user_id)
                .order_by(StateHistory.id.desc())
                .limit(3)
            )
        ]
    assert states == ["break", "wrap_up", "on_call"]  # never Available in between
    entries = [
        (e.action, e.actor_id, e.detail.get("applied")) for e in _audit(server, a1.user_id, mark)
    ]
    assert entries == [
        ("state_change", lead.user_id, False),  # asked during the call
        ("state_change", lead.user_id, True),  # applied at its end
    ]


def test_replaced_then_cancelled_nothing_is_applied(
    server: Server,
    sessions: Callable[[str], Session],
    streams: Callable[[Session], SseReader],
    acd: httpx.Client,
) -> None:
    lead, a1, a2 = sessions("lead_a"), sessions("agent_a1"), sessions("agent_a2")
    _answer(acd, _on_call(server, acd, a1, a2))
    mark = _last_audit_id(server)
    assert _remote(lead, a1, state="not_ready", reason="Appel qualité").json()["applied"] is False
    second = _remote(lead, a1, state="offline", note="Fin de journée").json()
    assert second["pending"]["state"] == "offline"
    a1_s = streams(a1)
    r = lead.client.delete(f"/agents/{a1.user_id}/pending-state")
    assert r.status_code == 200, r.text
    assert (r.json()["pending"], r.json()["state"]["state"]) == (None, "on_call")
    ev = _next(a1_s, "state_change_pending", pending=None)
    assert ev == {"agent_id": a1.user_id, "pending": None, "outcome": "cancelled"}
    again = lead.client.delete(f"/agents/{a1.user_id}/pending-state")
    assert (again.status_code, again.json()["error"]["code"]) == (404, "no_pending_state")
    _put(a1, "wrap_up")
    assert _put(a1, "available")["state"] == "available"  # nothing waited any more
    entries = _audit(server, a1.user_id, mark)
    assert [e.action for e in entries] == ["state_change", "state_change", "state_change_cancelled"]
    assert entries[1].detail["replaced"] == {"state": "not_ready", "reason": "Appel qualité"}
    assert entries[2].detail["state"] == "offline"
    assert entries[2].actor_id == lead.user_id


def test_a_call_that_rings_out_gives_way_to_the_pending_change(
    server: Server, sessions: Callable[[str], Session], acd: httpx.Client
) -> None:
    lead, a1, a2 = sessions("lead_a"), sessions("agent_a1"), sessions("agent_a2")
    call_id = _on_call(server, acd, a1, a2)  # ringing, not yet answered
    assert _remote(lead, a1, state="break", reason="Déjeuner").json()["applied"] is False
    _answer(acd, call_id, 408)  # RONA: the call ends without an answer
    _hang_up(acd, call_id)  # (it was back in the queue)
    now = a1.client.get("/agents/me/state").json()
    assert (now["state"], now["reason"], now["pending"]) == ("break", "Déjeuner", None)
    assert now["changed_by"]["id"] == lead.user_id
    # the customer hanging up while it rings ends the call too
    call_id = _on_call(server, acd, a1, a2)
    _remote(lead, a1, state="not_ready", reason="Débrief")
    _answer(acd, call_id, 487)
    assert a1.client.get("/agents/me/state").json()["state"] == "not_ready"


def test_signing_out_during_the_call_drops_a_pending_break(
    server: Server, sessions: Callable[[str], Session], acd: httpx.Client
) -> None:
    lead, a1, a2 = sessions("lead_a"), sessions("agent_a1"), sessions("agent_a2")
    _answer(acd, _on_call(server, acd, a1, a2))
    mark = _last_audit_id(server)
    _remote(lead, a1, state="break", reason="Déjeuner")
    _put(a1, "wrap_up")
    gone = _put(a1, "offline")  # the agent closes the app: no break for an absent agent
    assert (gone["state"], gone["pending"], gone["changed_by"]) == ("offline", None, None)
    dropped = _audit(server, a1.user_id, mark)[-1]
    assert (dropped.action, dropped.actor_id) == ("state_change_cancelled", a1.user_id)
    assert dropped.detail["why"] == "agent_offline"
    # a pending sign-out is what the agent did anyway: it stands as the lead's
    _answer(acd, _on_call(server, acd, a1, a2))
    _remote(lead, a1, state="offline", note="Fin de service")
    out = _put(a1, "offline")
    assert (out["state"], out["changed_by"]["id"], out["note"]) == (
        "offline", lead.user_id, "Fin de service"
    )  # fmt: skip


def test_the_acd_never_offers_a_call_to_an_agent_with_a_pending_change(
    server: Server, sessions: Callable[[str], Session], acd: httpx.Client
) -> None:
    lead, a1, a2 = sessions("lead_a"), sessions("agent_a1"), sessions("agent_a2")
    for agent in (a1, a2):
        _put(agent, "offline")
        _put(agent, "available")
    # a lead's change that reached the row as the agent became Available (a race the row
    # lock prevents, kept out of the queue all the same)
    with server.db.write() as s:
        row = s.get(AgentStatus, a1.user_id)
        assert row is not None
        row.pending_state, row.pending_reason, row.pending_by_id = "break", "Déjeuner", lead.user_id
    try:
        for n in range(3):
            r = acd.get(
                "/route", params={"queue": "file-a", "call_id": f"skip-{server.backend}-{n}"}
            )
            assert (r.status_code, r.text) == (200, "agent_a2")
            _answer(acd, f"skip-{server.backend}-{n}", 487)  # a2 is free again
        _put(a2, "offline")
        r = acd.get("/route", params={"queue": "file-a", "call_id": f"skip-{server.backend}-x"})
        assert r.status_code == 202  # nobody is offered it: the call waits in the queue
        assert r.text.startswith("wait ")
        _hang_up(acd, f"skip-{server.backend}-x")
    finally:
        with server.db.write() as s:
            row = s.get(AgentStatus, a1.user_id)
            assert row is not None
            row.pending_state, row.pending_reason, row.pending_by_id = None, "", None
    r = acd.get("/route", params={"queue": "file-a", "call_id": f"skip-{server.backend}-y"})
    assert r.text == "agent_a1"
    _answer(acd, f"skip-{server.backend}-y", 487)


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"state": "break", "reason": "Sieste"}, 422, "unknown_pause_reason"),
        ({"state": "break"}, 422, "unknown_pause_reason"),
        ({"state": "not_ready", "reason": "missed"}, 422, "reserved_reason"),
        ({"state": "available"}, 422, "invalid_input"),
        ({"state": "on_call"}, 422, "invalid_input"),
        ({"state": "offline", "note": "x" * 501}, 422, "invalid_input"),
        ({"state": "offline", "note": "nul\x00"}, 422, "invalid_input"),
        ({"state": "offline", "extra": 1}, 422, "invalid_input"),
    ],
)
def test_bad_remote_changes_are_refused(
    server: Server,
    sessions: Callable[[str], Session],
    body: dict[str, Any],
    status: int,
    code: str,
) -> None:
    lead, a1 = sessions("lead_a"), sessions("agent_a1")
    _put(a1, "offline")
    _put(a1, "available")
    r = _remote(lead, a1, **body)
    assert (r.status_code, r.json()["error"]["code"]) == (status, code), r.text
    assert a1.client.get("/agents/me/state").json()["state"] == "available"


def test_who_may_change_whose_state(server: Server, sessions: Callable[[str], Session]) -> None:
    lead, a1, a2 = sessions("lead_a"), sessions("agent_a1"), sessions("agent_a2")
    _put(a1, "offline")
    signed_out = _remote(lead, a1, state="break", reason="Déjeuner")
    assert (signed_out.status_code, signed_out.json()["error"]["code"]) == (409, "agent_offline")
    assert _remote(a2, a1, state="offline").status_code == 403
    assert _remote(sessions("lead_b"), a1, state="offline").status_code == 404
    r = lead.client.post(f"/agents/{server.org.users['lead_b']}/state", json={"state": "offline"})
    assert r.status_code == 404
    assert lead.client.post("/agents/nobody/state", json={"state": "offline"}).status_code == 404
    assert (
        sessions("admin")
        .client.post(f"/agents/{a1.user_id}/state", json={"state": "offline"})
        .json()["applied"]
        is True
    )


def test_a_lead_s_change_waits_for_the_agent_s_own_change_in_flight(
    server: Server, sessions: Callable[[str], Session], acd: httpx.Client
) -> None:
    """PostgreSQL, two transactions: the agent leaves the call while the lead asks for a
    break. The lead's request waits for the agent's row, then sees Available and applies
    the break now — it never leaves a pending break on an Available agent."""
    if server.backend != "pg":
        pytest.skip("SQLite serialises writers: no two transactions interleave")
    lead, a1, a2 = sessions("lead_a"), sessions("agent_a1"), sessions("agent_a2")
    _answer(acd, _on_call(server, acd, a1, a2))
    answers: list[httpx.Response] = []
    with server.db.write() as s:
        agent = s.get(User, a1.user_id)
        assert agent is not None
        change_state(s, agent, AgentState.AVAILABLE)  # the agent's change, not yet committed
        asker = threading.Thread(
            target=lambda: answers.append(_remote(lead, a1, state="break", reason="Déjeuner"))
        )
        asker.start()
        asker.join(1.0)
        assert asker.is_alive(), "the lead's request did not wait for the agent's row"
    asker.join(15)
    [r] = answers
    assert r.status_code == 200, r.text
    assert (r.json()["applied"], r.json()["pending"]) == (True, None)
    now = a1.client.get("/agents/me/state").json()
    assert (now["state"], now["pending"]) == ("break", None)
