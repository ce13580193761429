"""The alert timer's database glue (`alerts.scan`) on SQLite and PostgreSQL, no HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import select

from homeagent.server import alerts
from homeagent.server.admin import create_user, ensure_team
from homeagent.server.db import Database
from homeagent.server.models import AgentStatus, Event, utcnow
from homeagent.server.supervision_models import Alert


@pytest.fixture(scope="module")
def db(db_url: str) -> Iterator[Database]:
    database = Database(db_url)
    database.migrate()
    database.ensure_settings()
    yield database
    database.dispose()


def _agent(db: Database, name: str, state: str, since_s_ago: float) -> tuple[str, str]:
    team = ensure_team(db, f"Équipe {name}")
    agent = create_user(db, name, "", "agent", f"Équipe {name}", password_hash="x")
    now = utcnow()
    with db.write() as s:
        row = s.get(AgentStatus, agent)  # made offline with the user
        assert row is not None
        row.team_id, row.state = team, state
        row.reason = "Réunion" if state == "break" else ""
        row.since = now - timedelta(seconds=since_s_ago)
        row.work_since = None if state in ("break", "offline") else now
    return team, agent


def _alerts(db: Database, agent: str) -> list[Alert]:
    with db.read() as s:
        return list(s.scalars(select(Alert).where(Alert.agent_id == agent).order_by(Alert.id)))


def _events(db: Database, type_: str, agent: str) -> int:
    with db.read() as s:
        return sum(
            e.data.get("agent_id") == agent
            for e in s.scalars(select(Event).where(Event.type == type_))
        )


def test_a_scan_raises_a_long_break_once_and_leaves_short_ones(db: Database) -> None:
    _, long_break = _agent(db, "longue", "break", 901)
    _, short_break = _agent(db, "courte", "break", 60)
    assert alerts.scan(db) >= 1
    assert alerts.scan(db) == 0  # nothing new: no write at all
    (alert,) = _alerts(db, long_break)
    assert alert.kind == "break_over"
    assert alert.detail["threshold"] == 900
    assert _alerts(db, short_break) == []
    assert _events(db, "alert", long_break) == 1
    # the break ends without a state change through the API (an agent signed out by an
    # admin tool, say): the next scan clears it
    with db.write() as s:
        row = s.get(AgentStatus, long_break)
        assert row is not None
        row.state, row.since = "offline", utcnow()
    alerts.scan(db)
    (alert,) = _alerts(db, long_break)
    assert alert.cleared_at is not None
    assert _events(db, "alert_updated", long_break) == 1


def test_a_run_alert_of_yesterday_clears_today(db: Database) -> None:
    team, agent = _agent(db, "hier", "available", 30)
    with db.write() as s:
        s.add(
            Alert(
                team_id=team,
                agent_id=agent,
                kind="missed_in_row",
                episode="run@yesterday",
                detail={"value": 3, "threshold": 3},
                raised_at=utcnow() - timedelta(days=1),
            )
        )
    alerts.scan(db)
    (alert,) = _alerts(db, agent)
    assert alert.cleared_at is not None


def test_an_agent_out_of_any_team_has_its_alerts_cleared(db: Database) -> None:
    _, agent = _agent(db, "partie", "break", 1000)
    alerts.scan(db)
    assert [a.cleared_at for a in _alerts(db, agent)] == [None]
    with db.write() as s:
        row = s.get(AgentStatus, agent)
        assert row is not None
        row.team_id = None
        alerts.check_agent(s, agent)
    assert all(a.cleared_at is not None for a in _alerts(db, agent))
