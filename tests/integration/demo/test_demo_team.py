"""The demo's team for `--lead`: seeded deterministically, signed in through the server,
its files kept to the demo's user."""

from __future__ import annotations

import stat
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from homeagent.core.agent_state import AgentState
from homeagent.demo.world import DemoWorld
from homeagent.server.db import Database
from homeagent.server.models import AgentStatus, Team, User
from homeagent.server.seed import TEAMS, seed_demo
from homeagent.server.state import change_state
from tests.helpers.procs import require_tool

pytestmark = pytest.mark.integration
PASSWORD = "demo-password-42"


def _users(db_url: str) -> list[tuple[str, str, str, str]]:
    db = Database(db_url)
    try:
        db.migrate()
        db.ensure_settings()
        seed_demo(db, PASSWORD, contacts=30, agents_per_team=3, first_team_agents=11)
        with db.read() as s:
            rows = s.execute(
                select(User.name, User.role, Team.name, User.sip_username)
                .join(Team, Team.id == User.team_id)
                .order_by(User.name)
            ).all()
    finally:
        db.dispose()
    return [tuple(r) for r in rows]  # type: ignore[misc]


def test_the_demo_team_is_seeded_the_same_every_time(tmp_path: Path) -> None:
    first = _users(f"sqlite:///{tmp_path / 'a.db'}")
    assert first == _users(f"sqlite:///{tmp_path / 'b.db'}")
    team = [u for u in first if u[2] == TEAMS[0][0]]
    assert sum(u[1] == "agent" for u in team) == 11  # the desk's agent and ten simulated
    assert sum(u[1] == "team_lead" for u in team) == 1
    assert all(u[3] for u in team)  # everyone, the lead too, has a SIP line
    assert all("." in u[0] for u in team)  # prénom.nom logins, French names
    other = [u for u in first if u[2] == TEAMS[1][0]]
    assert sum(u[1] == "agent" for u in other) == 3


def test_seed_refuses_a_silly_team_size(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'c.db'}")
    try:
        db.migrate()
        db.ensure_settings()
        with pytest.raises(ValueError, match="first_team_agents"):
            seed_demo(db, PASSWORD, contacts=5, first_team_agents=0)
    finally:
        db.dispose()


def test_the_team_signs_in_available_through_the_server(tmp_path: Path) -> None:
    require_tool("kamailio")
    root = tmp_path / "demo"
    with pytest.raises(ValueError, match="8 to 12"):
        DemoWorld(tmp_path / "bad", contacts=10, team_size=13).start()
    world = DemoWorld(root, contacts=40, team_size=8, pace=0.05)
    try:
        world.start()  # no customers: nobody calls, the team waits Available
        assert len(world.team_logins) == 8
        assert world.agent_login not in world.team_logins
        assert len(world.team_procs) == 8  # one agent per pjsip stack (see sip/bank.py)
        api = httpx.Client(base_url=f"{world.server_url}/api/v1", timeout=10)
        login = {"username": world.lead_login, "password": world.password, "device_name": "t"}
        token = api.post("/auth/login", json=login).json()["access_token"]
        api.headers["Authorization"] = f"Bearer {token}"
        deadline = time.monotonic() + 30
        states: dict[str, str] = {}
        while time.monotonic() < deadline:
            board = api.get(f"/teams/{world.team_id}/agents").json()
            states = {a["name"]: a["state"] for a in board if a["name"] in world.team_logins}
            if list(states.values()).count("available") == 8:
                break
            time.sleep(0.5)
        assert list(states.values()).count("available") == 8, states

        # a state set on the server behind the agent's back (what a lead's remote change
        # does): the agent lives it for a while, then comes back Available by itself
        chosen = world.team_logins[0]
        db = Database(world.db_url)
        try:
            with db.write() as s:
                agent = s.scalar(select(User).where(User.name == chosen))
                assert agent is not None
                change_state(s, agent, AgentState.BREAK, "Formation")
        finally:
            db.dispose()
        agent_id = agent.id
        deadline = time.monotonic() + 25  # noticed within 5 s, 4.5-12 s of training
        history: list[dict[str, str]] = []
        while time.monotonic() < deadline:
            history = api.get(f"/agents/{agent_id}/state-history").json()
            if [h["state"] for h in history][-2:] == ["break", "available"]:
                break
            time.sleep(0.5)
        assert [h["state"] for h in history][-2:] == ["break", "available"], history
        assert history[-2]["reason"] == "Formation"
        api.close()
    finally:
        world.stop()
    db = Database(world.db_url)
    try:
        with db.read() as s:
            offline = s.scalars(
                select(AgentStatus.state)
                .join(User, User.id == AgentStatus.agent_id)
                .where(User.name.in_(world.team_logins))
            ).all()
    finally:
        db.dispose()
    assert set(offline) == {"offline"}  # a stopped team signs out
    for path in [root, *root.rglob("*")]:
        mode = stat.S_IMODE(path.stat().st_mode)
        if path.is_dir():
            assert mode == 0o700, f"{path}: {oct(mode)}"
        else:
            assert mode & 0o077 == 0, f"{path}: {oct(mode)}"
    logs = "".join(p.read_text() for p in root.glob("team-*.log"))
    assert world.password not in logs
    assert "Traceback" not in logs, logs[-2000:]


def test_the_demo_seeds_a_week_of_slots_within_the_rules(tmp_path: Path) -> None:
    """A week of slots per team (mornings, afternoons, evenings, Paris time), bookings
    within capacity and never overlapping for one agent, and a slot around now held by
    the first agents (the desk's agent is the first by login)."""
    import datetime as dt
    import itertools

    from homeagent.server.models import ShiftSlot, SlotBooking, utcnow

    db = Database(f"sqlite:///{tmp_path / 'slots.db'}")
    try:
        db.migrate()
        db.ensure_settings()
        counts = seed_demo(db, PASSWORD, contacts=5, agents_per_team=3)
        now = utcnow()
        with db.read() as s:
            slots = list(s.scalars(select(ShiftSlot)))
            bookings = list(s.scalars(select(SlotBooking)))
            first_team = s.scalar(select(Team.id).where(Team.name == TEAMS[0][0]))
            desk_agent = s.scalar(
                select(User.id)
                .where(User.team_id == first_team, User.role == "agent")
                .order_by(User.name)
                .limit(1)
            )
    finally:
        db.dispose()
    assert counts["slots"] == len(slots)
    for team_id in {s.team_id for s in slots}:
        mine = [s for s in slots if s.team_id == team_id]
        assert 19 <= len(mine) <= 23  # 7 days × 3 from now, and the hour from now
        assert max(s.starts_at for s in mine) > now + dt.timedelta(days=6)
        assert min(s.starts_at for s in mine) >= now - dt.timedelta(minutes=1)  # none past
    by_slot: dict[int, list[str]] = {}
    for b in bookings:
        by_slot.setdefault(b.slot_id, []).append(b.agent_id)
    for slot in slots:
        assert slot.booked == len(by_slot.get(slot.id, [])) <= slot.capacity
        assert slot.ends_at - slot.starts_at >= dt.timedelta(hours=1)
    spans: dict[str, list[tuple[dt.datetime, dt.datetime]]] = {}
    index = {s.id: s for s in slots}
    for b in bookings:
        spans.setdefault(b.agent_id, []).append(
            (index[b.slot_id].starts_at, index[b.slot_id].ends_at)
        )
    for agent_spans in spans.values():
        agent_spans.sort()
        assert all(a[1] <= b[0] for a, b in itertools.pairwise(agent_spans))
    current = [s for s in slots if s.team_id == first_team and s.starts_at <= now < s.ends_at]
    assert len(current) == 1
    assert desk_agent in by_slot[current[0].id]
