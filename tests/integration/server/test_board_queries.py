"""The board and the days cost a fixed number of queries, whatever the team's size."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event

from homeagent.core.agent_state import AgentState
from homeagent.server import board
from homeagent.server.admin import ensure_queue, ensure_team
from homeagent.server.auth import hash_password
from homeagent.server.db import Database
from homeagent.server.models import (
    AcdOffer,
    AgentStatus,
    CallQuality,
    Interaction,
    StateHistory,
    Team,
    User,
    utcnow,
)
from homeagent.server.routers.figures import compute

STATES = [s.value for s in AgentState]


@pytest.fixture(scope="module")
def db(db_url: str) -> Iterator[Database]:
    database = Database(db_url)
    database.migrate()
    database.ensure_settings()
    yield database
    database.dispose()


def _team(db: Database, name: str, agents: int) -> str:
    """A team of `agents` agents, each with a day of calls, segments and a live state."""
    team_id = ensure_team(db, name)
    ensure_queue(db, f"q-{uuid.uuid4().hex[:8]}", team_id)
    now = utcnow()
    # The day so far (at most 2 h of it), so every call and break below is today's even
    # just after midnight UTC: 120 "minutes" of history squeezed into what today has had.
    span = min(now - now.replace(hour=0, minute=0, second=0, microsecond=0), timedelta(hours=2))

    def ago(minutes: float) -> Any:
        return now - span * (minutes / 120)

    secret = hash_password("x")
    with db.write() as s:
        for n in range(agents):
            user = User(
                name=f"{name}-{n}",
                role="agent",
                team_id=team_id,
                password_hash=secret,
                sip_username=f"{name}-{n}",
            )
            s.add(user)
            s.flush()
            state = STATES[n % len(STATES)]
            s.add(
                AgentStatus(
                    agent_id=user.id,
                    team_id=team_id,
                    state=state,
                    reason="Pause café" if state == "break" else "",
                    since=ago(3),
                    changed_by_id=user.id if n % 3 == 0 else None,
                    pending_state="break" if n % 5 == 0 else None,
                    pending_reason="Réunion" if n % 5 == 0 else "",
                    pending_by_id=user.id if n % 5 == 0 else None,
                    pending_at=now if n % 5 == 0 else None,
                )
            )
            for k in range(3):
                start = ago(30 + 10 * k)
                s.add(
                    Interaction(
                        id=str(uuid.uuid4()),
                        agent_id=user.id,
                        team_id=team_id,
                        direction="inbound",
                        queue="q",
                        started_at=start,
                        answered_at=start + span / 1440 if k else None,  # 5 s in 2 h
                        ended_at=start + span / 30,  # 4 min in 2 h
                        outcome="answered" if k else "missed",
                    )
                )
            s.add(AcdOffer(call_id=f"c{n}", queue="q", agent_id=user.id, outcome="answered"))
            s.add(
                StateHistory(
                    agent_id=user.id,
                    team_id=team_id,
                    state="break",
                    reason="Pause café",
                    started_at=ago(60),
                    ended_at=ago(50),
                )
            )
            s.add(
                CallQuality(
                    agent_id=user.id, mos=4.1, loss_pct=0.1, jitter_ms=3, rtt_ms=40, final=False
                )
            )
    return team_id


def _count(db: Database, build: Any) -> tuple[int, Any]:
    statements: list[str] = []

    def seen(*args: Any) -> None:
        statements.append(str(args[2]))

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        with db.read() as s:
            out = build(s)
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    return len(statements), out


def test_fifty_agents_cost_the_queries_of_five(db: Database) -> None:
    small, large = _team(db, "petite", 5), _team(db, "grande", 50)

    def board_of(team_id: str) -> Any:
        return lambda s: board.build_board(s, s.get(Team, team_id))

    few, _ = _count(db, board_of(small))
    many, out = _count(db, board_of(large))
    assert len(out.agents) == 50
    assert many == few, f"{many} queries for 50 agents, {few} for 5"
    assert many <= 12
    on_call = [r for r in out.agents if r.state is AgentState.ON_CALL]
    assert on_call
    assert all(r.call is not None for r in on_call)
    assert all(r.quality is not None and r.quality.mos == 4.1 for r in out.agents)
    assert sum(r.changed_by is not None for r in out.agents) == 17
    pending = [r for r in out.agents if r.pending is not None]
    assert len(pending) == 10
    assert all(r.pending.by is not None and r.pending.by.name == r.name for r in pending)
    assert {r.pending.reason for r in pending} == {"Réunion"}
    with db.read() as s:
        for row in out.agents[:5]:
            figures = compute(s, [row.agent_id], utcnow().date())
            assert row.today.calls_handled == figures.calls_handled == 2
            assert row.today.avg_handle_s == figures.avg_handle_s
            assert row.today.missed == figures.missed == 1
            assert row.today.breaks == figures.breaks

    def day_of(team_id: str) -> Any:
        def build(s: Any) -> Any:
            agents = board.team_agents(s, team_id)
            return board.build_day(s, agents, utcnow().date(), team_ids=[a.id for a in agents])

        return build

    few, _ = _count(db, day_of(small))
    many, day = _count(db, day_of(large))
    assert many == few
    assert day.team.figures.calls_handled == 100
