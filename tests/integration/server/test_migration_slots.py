"""Migration 0011 (shift slots) on a database at 0010: teams keep their rows and get the
default rules; downgrade drops the slot tables and nothing else."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from sqlalchemy import inspect, text

from homeagent.server.db import MIGRATIONS, Database
from homeagent.server.slots import Rules


def _alembic(db: Database, verb: str, target: str) -> None:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        getattr(command, verb)(cfg, target)


def test_0011_up_and_down(db_url: str) -> None:
    db = Database(db_url)
    try:
        _alembic(db, "upgrade", "0010")
        with db.engine.begin() as c:
            c.execute(
                text(
                    "INSERT INTO teams (id, name, wrap_up_s, auto_answer_s,"
                    " auto_available_after_wrap_up) VALUES ('t-1', 'Avant', 60, 0, :on)"
                ),
                {"on": True},
            )
        _alembic(db, "upgrade", "0011")
        tables = set(inspect(db.engine).get_table_names())
        assert {"shift_slots", "slot_bookings", "slot_rules"} <= tables
        with db.read() as s:
            assert Rules.of(s, "t-1") == Rules(60, 120, 5)  # no row: the defaults
        with db.engine.begin() as c:
            c.execute(
                text(
                    "INSERT INTO shift_slots (team_id, starts_at, ends_at, capacity, booked,"
                    " note, created_at, updated_at) VALUES ('t-1', '2030-01-01 17:00:00',"
                    " '2030-01-01 19:00:00', 3, 0, '', '2029-12-01 00:00:00',"
                    " '2029-12-01 00:00:00')"
                )
            )
        _alembic(db, "downgrade", "0010")
        tables = set(inspect(db.engine).get_table_names())
        assert not {"shift_slots", "slot_bookings", "slot_rules"} & tables
        with db.engine.begin() as c:
            assert c.execute(text("SELECT name FROM teams")).scalars().all() == ["Avant"]
    finally:
        db.dispose()
