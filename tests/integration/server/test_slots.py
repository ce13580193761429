"""Shift slots on the real server (SQLite and PostgreSQL): RBAC, the booking rules, the
capacity under concurrent bookings, bad input, events and planned vs actual."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from homeagent.server.admin import create_user
from homeagent.server.models import ShiftSlot, SlotBooking, StateHistory
from tests.integration.server.conftest import Server
from tests.integration.server.launch import PASSWORD, Session, SseReader, login

# every test takes its own stretch of days, so bookings of one never clash with another's
_days = itertools.count(2)


def _iso(moment: datetime) -> str:
    return moment.isoformat()


def _future(hours: float = 0.0, *, day: int | None = None) -> datetime:
    base = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    return base + timedelta(days=day if day is not None else next(_days), hours=hours)


def _open(
    lead: Session, team: str, start: datetime, hours: float = 2, cap: int = 3
) -> dict[str, Any]:
    r = lead.client.post(
        f"/teams/{team}/slots",
        json={
            "starts_at": _iso(start),
            "ends_at": _iso(start + timedelta(hours=hours)),
            "capacity": cap,
            "note": "Renfort",
        },
    )
    assert r.status_code == 201, r.text
    return dict(r.json())


def _error(r: httpx.Response, status: int) -> str:
    assert r.status_code == status, r.text
    return str(r.json()["error"]["code"])


def test_rbac(server: Server, sessions: Callable[[str], Session]) -> None:
    lead_a, lead_b, a1, b1, admin = (
        sessions(n) for n in ("lead_a", "lead_b", "agent_a1", "agent_b1", "admin")
    )
    team_a, team_b = server.org.team_a, server.org.team_b
    slot = _open(lead_a, team_a, _future(18))
    assert slot["booked"] == 0
    assert slot["free"] == 3
    assert slot["bookings"] == []
    # an agent cannot open, edit or cancel; another team's lead sees nothing of it
    day = next(_days)
    body = {
        "starts_at": _iso(_future(18, day=day)),
        "ends_at": _iso(_future(20, day=day)),
        "capacity": 2,
    }
    assert _error(a1.client.post(f"/teams/{team_a}/slots", json=body), 403) == "forbidden"
    assert _error(a1.client.patch(f"/slots/{slot['id']}", json={"capacity": 9}), 403) == "forbidden"
    assert _error(a1.client.delete(f"/slots/{slot['id']}"), 403) == "forbidden"
    assert _error(lead_b.client.post(f"/teams/{team_a}/slots", json=body), 404) == "not_found"
    assert _error(lead_b.client.get(f"/slots/{slot['id']}"), 404) == "not_found"
    assert _error(lead_b.client.delete(f"/slots/{slot['id']}"), 404) == "not_found"
    assert _error(b1.client.get(f"/teams/{team_a}/slots"), 404) == "not_found"
    assert _error(b1.client.post(f"/slots/{slot['id']}/booking"), 404) == "not_found"
    # a lead does not book; its agent does, and sees the places but not who took them
    assert _error(lead_a.client.post(f"/slots/{slot['id']}/booking"), 403) == "forbidden"
    r = a1.client.post(f"/slots/{slot['id']}/booking")
    assert r.status_code == 200, r.text
    mine = r.json()
    assert (mine["mine"], mine["booked"], mine["free"], mine["bookings"]) == (True, 1, 2, None)
    assert mine["can_cancel"] is True
    assert mine["can_book"] is False
    listed = {
        s["id"]: s
        for s in a1.client.get(
            f"/teams/{team_a}/slots",
            params={"start": _iso(_future(-24, day=0)), "end": _iso(_future(0, day=60))},
        ).json()
    }
    assert listed[slot["id"]]["mine"] is True
    seen = lead_a.client.get(f"/slots/{slot['id']}").json()
    assert [b["agent"]["name"] for b in seen["bookings"]] == ["agent_a1"]
    # the admin manages any team's slots; an unknown team is 404 for the admin
    other = _open(admin, team_b, _future(9))
    assert other["team_id"] == team_b
    assert _error(admin.client.get("/teams/" + "0" * 36 + "/slots"), 404) == "not_found"
    assert _error(admin.client.post(f"/slots/{other['id']}/booking"), 403) == "forbidden"


def test_rules_notice_overlap_and_read_only_past(
    server: Server, sessions: Callable[[str], Session]
) -> None:
    lead, a1, a2 = sessions("lead_a"), sessions("agent_a1"), sessions("agent_a2")
    team = server.org.team_a
    day = next(_days)
    first = _open(lead, team, _future(9, day=day), hours=3)
    overlapping = _open(lead, team, _future(11, day=day), hours=2)
    after = _open(lead, team, _future(12, day=day), hours=2)  # touches `first`'s end
    assert a1.client.post(f"/slots/{first['id']}/booking").status_code == 200
    again = a1.client.post(f"/slots/{first['id']}/booking")  # a retry: the same answer
    assert again.status_code == 200
    assert again.json()["booked"] == 1
    r = a1.client.post(f"/slots/{overlapping['id']}/booking")
    assert _error(r, 409) == "overlapping_booking"
    assert r.json()["error"]["slot_id"] == first["id"]
    assert a1.client.post(f"/slots/{after['id']}/booking").status_code == 200
    # the lead cannot move a booked slot nor shrink it below its bookings
    r = lead.client.patch(f"/slots/{first['id']}", json={"starts_at": _iso(_future(8, day=day))})
    assert _error(r, 409) == "slot_has_bookings"
    r = lead.client.patch(f"/slots/{overlapping['id']}", json={"capacity": 1, "note": "Soir"})
    assert r.status_code == 200
    assert (r.json()["capacity"], r.json()["note"]) == (1, "Soir")
    assert _error(lead.client.patch(f"/slots/{first['id']}", json={"capacity": 0}), 422)
    # the notice: a slot in 30 minutes cannot be booked (default 60), and with a team
    # rule of 3 days a booking of tomorrow cannot be cancelled any more
    soon = datetime.now(UTC) + timedelta(minutes=30)
    near = _open(lead, team, soon)
    r = a2.client.post(f"/slots/{near['id']}/booking")
    assert _error(r, 409) == "too_late_to_book"
    assert r.json()["error"]["notice_min"] == 60
    assert "60 minutes" in r.json()["error"]["message"]
    listed = a2.client.get(f"/slots/{near['id']}").json()
    assert (listed["can_book"], listed["refusal"]) == (False, "too_late_to_book")
    rules = {"book_notice_min": 0, "cancel_notice_min": 3 * 24 * 60, "late_grace_min": 5}
    assert _error(a1.client.put(f"/teams/{team}/slot-rules", json=rules), 403) == "forbidden"
    r = lead.client.put(f"/teams/{team}/slot-rules", json=rules)
    assert r.status_code == 200
    assert r.json()["cancel_notice_min"] == 4320
    tomorrow = _open(lead, team, _future(9, day=1))  # day 1: no other test's
    assert a1.client.post(f"/slots/{tomorrow['id']}/booking").status_code == 200
    try:
        r = a1.client.delete(f"/slots/{tomorrow['id']}/booking")
        assert _error(r, 409) == "too_late_to_cancel"
        assert "4320 minutes" in r.json()["error"]["message"]
        assert a2.client.post(f"/slots/{near['id']}/booking").status_code == 200  # notice 0
    finally:
        rules.update(book_notice_min=60, cancel_notice_min=120)
        assert lead.client.put(f"/teams/{team}/slot-rules", json=rules).status_code == 200
    assert a1.client.delete(f"/slots/{after['id']}/booking").json()["mine"] is False
    assert _error(a1.client.delete(f"/slots/{after['id']}/booking"), 404) == "not_booked"
    # a slot that has started is read-only for everyone
    with server.db.write() as s:
        past = ShiftSlot(
            team_id=team,
            starts_at=datetime.now(UTC) - timedelta(hours=1),
            ends_at=datetime.now(UTC) + timedelta(hours=1),
            capacity=4,
        )
        s.add(past)
        s.flush()
        past_id = past.id
    assert _error(a1.client.post(f"/slots/{past_id}/booking"), 409) == "slot_started"
    assert _error(lead.client.patch(f"/slots/{past_id}", json={"note": "x"}), 409) == "slot_started"
    assert _error(lead.client.delete(f"/slots/{past_id}"), 409) == "slot_started"
    # cancelling a slot ends its bookings
    r = lead.client.delete(f"/slots/{first['id']}")
    assert r.status_code == 200
    assert r.json()["cancelled_at"]
    assert r.json()["booked"] == 0
    assert _error(a1.client.post(f"/slots/{first['id']}/booking"), 409) == "slot_cancelled"
    assert lead.client.delete(f"/slots/{first['id']}").status_code == 200  # again: same


@pytest.mark.parametrize(
    ("body", "word"),
    [
        (
            {"starts_at": "2030-01-01T10:00:00Z", "ends_at": "2030-01-01T09:00:00Z", "capacity": 2},
            "ends_at must be after starts_at",
        ),
        (
            {"starts_at": "2030-01-01T10:00:00Z", "ends_at": "2030-01-01T10:05:00Z", "capacity": 2},
            "at least 15 minutes",
        ),
        (
            {"starts_at": "2030-01-01T10:00:00Z", "ends_at": "2030-01-02T10:00:00Z", "capacity": 2},
            "at most 12 hours",
        ),
        ({"starts_at": "demain", "ends_at": "2030-01-01T12:00:00Z", "capacity": 2}, "starts_at"),
        (
            {
                "starts_at": "99999-01-01T10:00:00Z",
                "ends_at": "2030-01-01T12:00:00Z",
                "capacity": 2,
            },
            "starts_at",
        ),
        (
            {
                "starts_at": "2030-01-01T10:00:00Z",
                "ends_at": "2030-01-01T12:00:00Z",
                "capacity": 10**30,
            },
            "capacity",
        ),
        (
            {"starts_at": "2030-01-01T10:00:00Z", "ends_at": "2030-01-01T12:00:00Z", "capacity": 0},
            "capacity",
        ),
        (
            {
                "starts_at": "2030-01-01T10:00:00Z",
                "ends_at": "2030-01-01T12:00:00Z",
                "capacity": 2,
                "team_id": "x",
            },
            "team_id",
        ),
        (
            {
                "starts_at": "2030-01-01T10:00:00Z",
                "ends_at": "2030-01-01T12:00:00Z",
                "capacity": 2,
                "note": "a\u0000b",
            },
            "NUL",
        ),
    ],
)
def test_bad_input_is_422_with_a_reason(
    server: Server, sessions: Callable[[str], Session], body: dict[str, Any], word: str
) -> None:
    lead = sessions("lead_a")
    r = lead.client.post(f"/teams/{server.org.team_a}/slots", json=body)
    assert r.status_code == 422, r.text
    assert word in r.text


def test_bad_ids_and_ranges(server: Server, sessions: Callable[[str], Session]) -> None:
    lead = sessions("lead_a")
    team = server.org.team_a
    assert lead.client.get(f"/slots/{2**70}").status_code == 422
    assert lead.client.get("/slots/0").status_code == 422
    r = lead.client.get(
        f"/teams/{team}/slots",
        params={"start": "2030-01-01T00:00:00Z", "end": "2030-06-01T00:00:00Z"},
    )
    assert r.status_code == 422
    assert "62 days" in r.text
    r = lead.client.get(
        f"/teams/{team}/slots",
        params={"start": "2030-01-02T00:00:00Z", "end": "2030-01-01T00:00:00Z"},
    )
    assert r.status_code == 422
    assert "after start" in r.text
    r = lead.client.put(
        f"/teams/{team}/slot-rules",
        json={"book_notice_min": -1, "cancel_notice_min": 0, "late_grace_min": 0},
    )
    assert r.status_code == 422
    r = lead.client.post(
        f"/teams/{team}/slots", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert r.status_code == 422


def test_capacity_holds_under_concurrent_bookings(server: Server) -> None:
    """Twelve agents book a 3-place slot at the same moment: exactly three get it."""
    tag = server.backend
    names = [f"rush_{tag}_{i}" for i in range(12)]
    for name in names:
        create_user(server.db, name, PASSWORD, "agent", "Équipe A")
    people = [login(server.url, n) for n in names]
    lead = login(server.url, "lead_a")
    try:
        slot = _open(lead, server.org.team_a, _future(10), cap=3)
        start = threading.Barrier(len(people))
        codes: list[int] = []
        lock = threading.Lock()

        def rush(p: Session) -> None:
            start.wait()
            r = p.client.post(f"/slots/{slot['id']}/booking")
            with lock:
                codes.append(r.status_code)
            if r.status_code == 409:
                assert r.json()["error"]["code"] == "slot_full"

        threads = [threading.Thread(target=rush, args=(p,)) for p in people]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        assert sorted(codes) == [200] * 3 + [409] * 9
        seen = lead.client.get(f"/slots/{slot['id']}").json()
        assert (seen["booked"], seen["free"], len(seen["bookings"])) == (3, 0, 3)
        with server.db.read() as s:
            open_rows = s.query(SlotBooking).filter_by(slot_id=slot["id"], cancelled_at=None)
            assert open_rows.count() == 3
        # one agent racing itself on two overlapping slots keeps at most one
        day = next(_days)
        x = _open(lead, server.org.team_a, _future(9, day=day))
        y = _open(lead, server.org.team_a, _future(10, day=day))
        me = people[0]
        gate = threading.Barrier(2)
        got: list[int] = []

        def book(slot_id: int) -> None:
            gate.wait()
            got.append(me.client.post(f"/slots/{slot_id}/booking").status_code)

        pair = [threading.Thread(target=book, args=(i,)) for i in (x["id"], y["id"])]
        for t in pair:
            t.start()
        for t in pair:
            t.join(30)
        assert sorted(got) == [200, 409]
    finally:
        for p in [*people, lead]:
            p.close()


def test_events_tell_the_team(server: Server, sessions: Callable[[str], Session]) -> None:
    lead, a1, b1 = sessions("lead_a"), sessions("agent_a1"), sessions("agent_b1")
    stream_a = SseReader(server.url, a1.tokens["access_token"])
    stream_b = SseReader(server.url, b1.tokens["access_token"])
    try:
        slot = _open(lead, server.org.team_a, _future(14))
        ev = stream_a.wait_for("slot_changed")
        assert ev.data == {
            "slot_id": slot["id"],
            "team_id": server.org.team_a,
            "change": "created",
            "by": lead.user_id,
        }
        assert a1.client.post(f"/slots/{slot['id']}/booking").status_code == 200
        assert stream_a.wait_for("slot_changed").data["change"] == "booked"
        assert lead.client.delete(f"/slots/{slot['id']}").status_code == 200
        assert stream_a.wait_for("slot_changed").data["change"] == "cancelled"
        assert all(e.type != "slot_changed" for e in stream_b.drain(0.5))
    finally:
        stream_a.close()
        stream_b.close()


def test_planned_vs_actual(server: Server, sessions: Callable[[str], Session]) -> None:
    """A slot that ran two hours ago: one agent on time, one late, one absent, one in
    without a booking; from the state history the server keeps."""
    tag = server.backend
    names = {k: f"adh_{tag}_{k}" for k in ("ontime", "late", "absent", "loose")}
    ids = {k: create_user(server.db, n, PASSWORD, "agent", "Équipe B") for k, n in names.items()}
    lead = sessions("lead_b")
    now = datetime.now(UTC)
    start, end = now - timedelta(hours=3), now - timedelta(hours=1)
    with server.db.write() as s:
        slot = ShiftSlot(
            team_id=server.org.team_b, starts_at=start, ends_at=end, capacity=4, booked=3
        )
        s.add(slot)
        s.flush()
        slot_id = slot.id
        for k in ("ontime", "late", "absent"):
            s.add(
                SlotBooking(
                    slot_id=slot_id,
                    agent_id=ids[k],
                    team_id=server.org.team_b,
                    booked_at=start - timedelta(days=1),
                )
            )
        for k, state, a, b in (
            ("ontime", "available", start - timedelta(minutes=2), start + timedelta(minutes=50)),
            ("ontime", "on_call", start + timedelta(minutes=50), end - timedelta(minutes=30)),
            ("ontime", "offline", end - timedelta(minutes=30), None),
            ("late", "available", start + timedelta(minutes=25), end + timedelta(minutes=2)),
            ("loose", "available", start + timedelta(minutes=30), start + timedelta(minutes=90)),
        ):
            s.add(
                StateHistory(
                    agent_id=ids[k],
                    team_id=server.org.team_b,
                    state=state,
                    started_at=a,
                    ended_at=b,
                )
            )
    r = lead.client.get(
        f"/teams/{server.org.team_b}/slot-adherence",
        params={"start": _iso(now - timedelta(hours=6)), "end": _iso(now)},
    )
    assert r.status_code == 200, r.text
    report = r.json()
    row = next(x for x in report["slots"] if x["slot"]["id"] == slot_id)
    kept = {b["agent"]["name"]: b for b in row["booked"]}
    assert kept[names["ontime"]]["status"] == "on_time"
    assert kept[names["ontime"]]["in_s"] == 90 * 60
    assert kept[names["ontime"]]["left_at"] is not None
    assert kept[names["late"]]["status"] == "late"
    assert kept[names["late"]]["late_s"] == 25 * 60
    assert kept[names["absent"]]["status"] == "absent"
    loose = {u["agent"]["name"]: u for u in row["in_without_slot"]}
    assert loose[names["loose"]]["in_s"] == 60 * 60
    overall = {u["agent"]["name"] for u in report["in_without_slot"]}
    assert names["loose"] in overall
    assert names["ontime"] not in overall
    agent = sessions("agent_b1")
    assert agent.client.get(f"/teams/{server.org.team_b}/slot-adherence").status_code == 403


def test_the_desk_and_console_client_against_the_server(
    server: Server, sessions: Callable[[str], Session]
) -> None:
    """`homeagent.client.slots.SlotsApi` (what the desk and the console use) parses every
    answer and turns the rules' refusals into `SlotRefused` with the notice."""
    from homeagent.client.server import ServerClient
    from homeagent.client.slots import SlotsApi
    from homeagent.core.slots import SlotDraft, SlotRefused, SlotRules
    from homeagent.testing.vault import MemoryVault

    team = server.org.team_a
    agent_client, lead_client = (
        ServerClient(server.url, MemoryVault()),
        ServerClient(server.url, MemoryVault()),
    )
    try:
        agent_client.login("agent_a2", PASSWORD, "pc-slots")
        lead_client.login("lead_a", PASSWORD, "pc-slots")
        agent, lead = SlotsApi(agent_client), SlotsApi(lead_client)
        day = next(_days)
        start = _future(14, day=day)
        made = lead.create(team, SlotDraft(start, start + timedelta(hours=2), 2, "Soir"))
        assert (made.capacity, made.note, made.bookings) == (2, "Soir", ())
        week = agent.week(team, start - timedelta(hours=1), start + timedelta(days=1))
        assert [s.id for s in week] == [made.id]
        assert week[0].can_book
        assert week[0].bookings is None
        booked = agent.book(made.id)
        assert booked.mine
        assert booked.free == 1
        soon = datetime.now(UTC) + timedelta(minutes=30)
        near = lead.create(team, SlotDraft(soon, soon + timedelta(hours=1), 2))
        with pytest.raises(SlotRefused) as caught:
            agent.book(near.id)
        assert (caught.value.code, caught.value.notice_min) == ("too_late_to_book", 60)
        with pytest.raises(SlotRefused) as moved:
            lead.edit(made.id, SlotDraft(start + timedelta(hours=1), start + timedelta(hours=3), 2))
        assert moved.value.code == "slot_has_bookings"
        report = lead.adherence(team, start - timedelta(hours=1), start + timedelta(days=1))
        (row,) = [r for r in report.slots if r.slot.id == made.id]
        assert [a.status for a in row.booked] == ["upcoming"]
        assert lead.rules(team) == SlotRules(60, 120, 5)
        assert not agent.cancel(made.id).mine
        assert lead.cancel_slot(near.id).cancelled
    finally:
        agent_client.close()
        lead_client.close()


@pytest.fixture(params=["fake", "server"])
def slot_services(request: pytest.FixtureRequest, server: Server) -> Iterator[tuple[Any, Any, str]]:
    """(agent's service, lead's service, team id) over the in-memory fake or the real
    server: the same contract for both."""
    if request.param == "fake":
        from homeagent.testing.fake_slots import FakeSlots

        fake = FakeSlots(lambda: datetime.now(UTC))
        yield fake, fake, "team"
        return
    from homeagent.client.server import ServerClient
    from homeagent.client.slots import SlotsApi
    from homeagent.testing.vault import MemoryVault

    agent_client, lead_client = (
        ServerClient(server.url, MemoryVault()),
        ServerClient(server.url, MemoryVault()),
    )
    agent_client.login("agent_a1", PASSWORD, "pc-contract")
    lead_client.login("lead_a", PASSWORD, "pc-contract")
    try:
        yield SlotsApi(agent_client), SlotsApi(lead_client), server.org.team_a
    finally:
        agent_client.close()
        lead_client.close()


def test_the_fake_keeps_the_server_s_contract(slot_services: tuple[Any, Any, str]) -> None:
    """The UI tests' fake (homeagent.testing.fake_slots) refuses what the server refuses,
    with the same codes."""
    from homeagent.core.slots import SlotDraft, SlotRefused

    agent, lead, team = slot_services
    day = next(_days)
    start = _future(9, day=day)

    def draft(at: datetime, hours: float = 2, cap: int = 2) -> SlotDraft:
        return SlotDraft(at, at + timedelta(hours=hours), cap)

    first = lead.create(team, draft(start))
    clash = lead.create(team, draft(start + timedelta(hours=1)))
    soon = lead.create(team, draft(datetime.now(UTC) + timedelta(minutes=30)))
    assert agent.book(first.id).mine
    assert agent.book(first.id).booked == 1  # again: the same booking
    for slot_id, code in ((clash.id, "overlapping_booking"), (soon.id, "too_late_to_book")):
        with pytest.raises(SlotRefused) as caught:
            agent.book(slot_id)
        assert caught.value.code == code
    with pytest.raises(SlotRefused) as moved:
        lead.edit(first.id, draft(start + timedelta(hours=3)))
    assert moved.value.code == "slot_has_bookings"
    assert not agent.cancel(first.id).mine
    with pytest.raises(SlotRefused) as none:
        agent.cancel(first.id)
    assert none.value.code == "not_booked"
    assert lead.cancel_slot(clash.id).cancelled
    listed = {s.id for s in agent.week(team, start - timedelta(hours=1), start + timedelta(days=1))}
    assert first.id in listed
    assert clash.id not in listed
