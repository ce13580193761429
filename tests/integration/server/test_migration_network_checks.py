"""Migration 0012 (the pre-shift check's network_checks): up, down, up again, and the
table the migration makes is the one the models describe."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from homeagent.server.db import MIGRATIONS, Database
from homeagent.server.models import Base


def _alembic(db: Database, verb: str, target: str) -> None:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        getattr(command, verb)(cfg, target)


def test_network_checks_up_down_up_and_as_the_models_say(db_url: str) -> None:
    db = Database(db_url)
    try:
        _alembic(db, "upgrade", "0012")
        assert "network_checks" in inspect(db.engine).get_table_names()
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        mine = [d for d in diff if "network_checks" in repr(d)]
        assert mine == []
        _alembic(db, "downgrade", "0010")
        assert "network_checks" not in inspect(db.engine).get_table_names()
        _alembic(db, "upgrade", "0012")
        assert "network_checks" in inspect(db.engine).get_table_names()
    finally:
        db.dispose()
