"""A real PostgreSQL 15 for the tests: one cluster per session, a fresh database on demand.

initdb refuses to run as root, so as root the cluster runs as the `postgres` user in a
temporary folder it owns (unix socket in that folder, TCP on a free loopback port).
"""

from __future__ import annotations

import contextlib
import itertools
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.helpers.procs import free_port, port_open, wait_until

PG_BIN = Path(os.environ.get("HOMEAGENT_PG_BIN", "/usr/lib/postgresql/15/bin"))


@dataclass
class PostgresCluster:
    """A running cluster; `create_database()` returns the URL of a new empty database."""

    port: int
    folder: Path
    _names: Iterator[int] = field(default_factory=itertools.count)

    @property
    def admin_url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def create_database(self, prefix: str = "t") -> str:
        import psycopg

        name = f"{prefix}_{os.getpid()}_{next(self._names)}"
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return f"postgresql://postgres@127.0.0.1:{self.port}/{name}"


def _as_postgres(argv: list[str]) -> list[str]:
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *argv]
    return argv


@contextlib.contextmanager
def run_postgres() -> Iterator[PostgresCluster]:
    """Start a throwaway cluster; stop it and delete its files afterwards."""
    initdb = PG_BIN / "initdb"
    if not initdb.exists():
        pytest.fail(f"PostgreSQL is not installed ({initdb}): run `make test` as root")
    folder = Path(tempfile.mkdtemp(prefix="homeagent-pg-"))
    data = folder / "data"
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    port = free_port()
    subprocess.run(
        _as_postgres(
            [
                str(initdb),
                "-D",
                str(data),
                "-A",
                "trust",
                "-U",
                "postgres",
                "-E",
                "UTF8",
                "--no-sync",
                "--locale=C.UTF-8",
            ]
        ),
        check=True,
        capture_output=True,
    )
    options = (
        f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off "
        "-c synchronous_commit=off -c full_page_writes=off -c max_connections=300 "
        "-c shared_buffers=64MB"
    )
    pg_ctl = str(PG_BIN / "pg_ctl")
    log = folder / "postgres.log"
    subprocess.run(
        _as_postgres([pg_ctl, "-D", str(data), "-l", str(log), "-o", options, "-w", "start"]),
        check=True,
        capture_output=True,
    )
    try:
        wait_until(lambda: port_open(port), timeout_s=20)
        yield PostgresCluster(port=port, folder=folder)
    finally:
        subprocess.run(
            _as_postgres([pg_ctl, "-D", str(data), "-m", "immediate", "-w", "stop"]),
            check=False,
            capture_output=True,
        )
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[PostgresCluster]:
    """One PostgreSQL cluster for the whole session (started on first use)."""
    with run_postgres() as cluster:
        yield cluster
