"""The server under test, on SQLite and on PostgreSQL (a fresh database per module)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from homeagent.server.db import Database
from tests.helpers.postgres import PostgresCluster
from tests.integration.server.launch import Org, Session, login, prepare, run_server

HERE = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Everything in this folder talks to real processes: mark it `integration`."""
    for item in items:
        if HERE in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.integration)


@dataclass
class Server:
    url: str
    db_url: str
    db: Database
    org: Org
    backend: str
    log: Path | None = None

    def login(self, name: str, device: str = "pc") -> Session:
        return login(self.url, name, device=device)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'server.db'}"
    cluster: PostgresCluster = request.getfixturevalue("postgres_cluster")
    return cluster.create_database()


@pytest.fixture(scope="module")
def server(db_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    db, org = prepare(db_url)
    log = tmp_path_factory.mktemp("log") / "server.log"
    with run_server(db_url, log) as url:
        yield Server(url, db_url, db, org, "sqlite" if db_url.startswith("sqlite") else "pg", log)
    db.dispose()


def tuned_server(
    db_url: str, tmp_path_factory: pytest.TempPathFactory, *options: str
) -> Iterator[Server]:
    """A module's own server started with `options` (short clocks and limits)."""
    db, org = prepare(db_url)
    log = tmp_path_factory.mktemp("log") / "server.log"
    with run_server(db_url, log, *options) as url:
        yield Server(url, db_url, db, org, "sqlite" if db_url.startswith("sqlite") else "pg", log)
    db.dispose()


@pytest.fixture
def sessions(server: Server) -> Iterator[Callable[[str], Session]]:
    """Log users in on demand; their clients are closed after the test."""
    opened: list[Session] = []

    def make(name: str) -> Session:
        s = server.login(name)
        opened.append(s)
        return s

    yield make
    for s in opened:
        s.close()


@pytest.fixture
def log_dir(tmp_path: Path) -> Path:
    return tmp_path
