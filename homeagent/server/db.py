"""Engine, sessions, migrations and server settings for SQLite (embedded) or PostgreSQL."""

from __future__ import annotations

import contextlib
import os
import secrets
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, event, select
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session, sessionmaker

from homeagent.server.models import Setting

MIGRATIONS = Path(__file__).parent / "migrations"

# Settings created by `init` when absent; the secrets are never printed or logged.
DEFAULT_SETTINGS = {
    "organisation": "HomeAgent",
    "sip_registrar_host": "127.0.0.1",
    "sip_registrar_port": "5061",
    "sip_domain": "homeagent.local",
    # what devices and exported profiles get unless `init` says otherwise: signalling over
    # TLS and media over SRTP (the app refuses neither; a home network is not trusted)
    "sip_transport": "tls",
    "sip_srtp": "mandatory",
    # live call supervision: announced (the agent sees it) | silent | off (operations.md)
    "supervision_policy": "announced",
}
SECRET_SETTINGS = ("token_secret", "acd_token")


def normalise_url(url: str) -> str:
    """Accept `postgresql://` and a bare file path; use psycopg 3 for PostgreSQL."""
    if "://" not in url:
        return f"sqlite:///{Path(url).resolve()}"
    if url.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


class Database:
    """One engine plus a session factory; serialises writers on SQLite."""

    def __init__(self, url: str, *, pool_size: int = 20) -> None:
        self.url = normalise_url(url)
        self.is_sqlite = make_url(self.url).get_backend_name() == "sqlite"
        kwargs: dict[str, Any] = {"future": True}
        if self.is_sqlite:
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
        else:
            # No pre-ping: it costs a round trip per checkout; stale connections are recycled
            # and a failed request is retried by the client.
            kwargs.update(pool_size=pool_size, max_overflow=20, pool_recycle=1800)
        if self.is_sqlite:
            _create_private(make_url(self.url).database)
        self.engine: Engine = create_engine(self.url, **kwargs)
        if self.is_sqlite:
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        # SQLite has one writer; serialising our own writers avoids "database is locked".
        self._write_lock = threading.Lock() if self.is_sqlite else None
        # Called after a transaction that published events commits (wakes the dispatcher).
        self.on_event_commit: Callable[[], None] | None = None

    @contextlib.contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reads (concurrent on both back-ends)."""
        with self.sessions() as session:
            yield session

    @contextlib.contextmanager
    def write(self) -> Iterator[Session]:
        """A session whose transaction commits at the end of the block (rolls back on error)."""
        lock = self._write_lock
        if lock is not None:
            lock.acquire()
        try:
            with self.sessions() as session, session.begin():
                if self.on_event_commit is not None:
                    session.info["wake"] = self.on_event_commit
                yield session
        finally:
            if lock is not None:
                lock.release()

    def migrate(self) -> None:
        """Bring the schema to the latest migration (what `init` does)."""
        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        with self.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")

    def ensure_settings(self) -> None:
        """Create the default settings and the server secrets if they are missing."""
        with self.write() as s:
            have = set(s.scalars(select(Setting.key)))
            for key, value in DEFAULT_SETTINGS.items():
                if key not in have:
                    s.add(Setting(key=key, value=value))
            for key in SECRET_SETTINGS:
                if key not in have:
                    s.add(Setting(key=key, value=secrets.token_urlsafe(32)))

    def settings(self) -> dict[str, str]:
        with self.read() as s:
            return {row.key: row.value for row in s.scalars(select(Setting))}

    def set_setting(self, key: str, value: str) -> None:
        with self.write() as s:
            s.merge(Setting(key=key, value=value))

    def dispose(self) -> None:
        self.engine.dispose()


def _create_private(path: str | None) -> None:
    """Create a new SQLite file owner-only (password hashes, SIP secrets, the token key).

    SQLite gives its -wal and -shm files the mode of the database file.
    """
    if not path or path == ":memory:" or path.startswith("file:"):
        return
    with contextlib.suppress(FileExistsError, FileNotFoundError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()
