"""Migration 0007 on a database with messages and help requests from before it."""

from __future__ import annotations

import importlib.util
from datetime import UTC, datetime, timedelta

from alembic import command
from alembic.config import Config
from sqlalchemy import inspect, text

from homeagent.server.admin import ensure_team
from homeagent.server.db import MIGRATIONS, Database

_PATH = MIGRATIONS / "versions" / "0007_messages_help.py"


def _revisions() -> tuple[str, str]:
    spec = importlib.util.spec_from_file_location("m0007", _PATH)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return str(module.revision), str(module.down_revision)


def _alembic(db: Database, verb: str, target: str) -> None:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        getattr(command, verb)(cfg, target)


def _naive(moment: datetime | str) -> datetime:
    """Naive UTC, as stored (SQLite hands raw queries text)."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment


def _user(db: Database, name: str, role: str, team_id: str) -> str:
    """A user as the schema before 0007 holds it (raw SQL: today's models have columns
    later migrations add, e.g. agent_status.work_since)."""
    user_id = f"u-{name}"
    with db.engine.begin() as c:
        c.execute(
            text(
                "INSERT INTO users (id, name, display_name, role, team_id, password_hash,"
                " sip_username, sip_password, failed_logins, active)"
                " VALUES (:id, :n, :n, :r, :t, 'x', :n, 'x', 0, :on)"
            ),
            {"id": user_id, "n": name, "r": role, "t": team_id, "on": True},
        )
    return user_id


def test_receipts_urgent_and_help_status_come_from_the_old_rows(db_url: str) -> None:
    mine, before = _revisions()
    db = Database(db_url)
    try:
        _alembic(db, "upgrade", before)
        db.ensure_settings()
        team = ensure_team(db, "Équipe M")
        lead = _user(db, "lead_m", "team_lead", team)
        a1, a2, gone = (_user(db, f"agent_m{i}", "agent", team) for i in (1, 2, 3))
        read_at = _naive(datetime(2026, 11, 30, 9, 0, tzinfo=UTC))
        now = _naive(datetime.now(UTC))
        with db.engine.begin() as c:
            c.execute(text("UPDATE users SET active = :f WHERE id = :id"), {"f": False, "id": gone})
            insert = text(
                "INSERT INTO messages (id, sender_id, to_agent_id, to_team_id, body, priority,"
                " created_at) VALUES (:id, :s, :a, :t, :b, :p, :at)"
            )
            c.execute(insert, {"id": 1, "s": lead, "a": a1, "t": None, "b": "À toi",
                               "p": "high", "at": read_at})  # fmt: skip
            c.execute(insert, {"id": 2, "s": lead, "a": None, "t": team, "b": "À tous",
                               "p": "normal", "at": read_at})  # fmt: skip
            c.execute(
                text(
                    "INSERT INTO message_reads (message_id, agent_id, read_at) VALUES (:m, :a, :r)"
                ),
                [{"m": 1, "a": a1, "r": read_at}, {"m": 2, "a": a2, "r": read_at}],
            )
            c.execute(
                text(
                    "INSERT INTO help_requests (id, agent_id, team_id, text, call_context,"
                    " created_at) VALUES (:id, :a, :t, 'aide', '{}', :at)"
                ),
                [{"id": 1, "a": a1, "t": team, "at": now - timedelta(days=3)},
                 {"id": 2, "a": a1, "t": team, "at": now - timedelta(minutes=5)}],
            )  # fmt: skip
        _alembic(db, "upgrade", mine)
        with db.engine.begin() as c:
            receipts = {
                (m, a): (d, r, k)
                for m, a, d, r, k in c.execute(
                    text("SELECT message_id, agent_id, delivered_at, read_at, acked_at"
                         " FROM message_receipts")
                )
            }  # fmt: skip
            messages = {
                row[0]: row[1:]
                for row in c.execute(
                    text("SELECT id, priority, team_id, thread_agent_id FROM messages")
                )
            }
            help_rows = dict(c.execute(text("SELECT id, status FROM help_requests")).all())
        assert "message_reads" not in inspect(db.engine).get_table_names()
        assert messages[1] == ("urgent", team, a1)
        assert messages[2] == ("normal", team, None)
        assert set(receipts) == {(1, a1), (2, a1), (2, a2)}  # not the disabled agent, nor the lead
        assert _naive(receipts[(1, a1)][1]) == read_at
        assert _naive(receipts[(1, a1)][0]) == read_at  # read implies delivered
        assert receipts[(2, a1)] == (None, None, None)
        assert _naive(receipts[(2, a2)][1]) == read_at
        assert help_rows == {1: "resolved", 2: "open"}  # the old backlog is closed
        _alembic(db, "downgrade", before)
        with db.engine.begin() as c:
            reads = set(c.execute(text("SELECT message_id, agent_id FROM message_reads")).all())
            priorities = dict(c.execute(text("SELECT id, priority FROM messages")).all())
        assert reads == {(1, a1), (2, a2)}
        assert priorities == {1: "high", 2: "normal"}
        _alembic(db, "upgrade", "head")  # and forward again
    finally:
        db.dispose()
