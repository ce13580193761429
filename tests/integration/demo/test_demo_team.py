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
