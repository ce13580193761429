"""Start the real server (`homeagent-server run`) for the tests, and talk to it."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import queue
import socket
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from homeagent.server.admin import create_user, ensure_queue, ensure_team
from homeagent.server.db import Database
from tests.helpers.procs import free_port, port_open, running

PASSWORD = "motdepasse-de-test"
API = "/api/v1"
# Small argon2 costs keep hundreds of test logins fast; production uses RFC 9106 costs.
SERVER_ENV = {**os.environ, "HOMEAGENT_ARGON2_CHEAP": "1", "HOMEAGENT_CALLBACK_SCAN_S": "0.5"}


@dataclass
class Org:
    """The test organisation: two teams, a lead and agents in each, an admin, a queue."""

    team_a: str
    team_b: str
    users: dict[str, str]  # name -> id


def prepare(db_url: str) -> tuple[Database, Org]:
    """Migrate a fresh database and create the test organisation in it."""
    db = Database(db_url)
    db.migrate()
    db.ensure_settings()
    team_a = ensure_team(db, "Équipe A")
    team_b = ensure_team(db, "Équipe B")
    ensure_queue(db, "file-a", team_a, rona_s=2)
    users = {}
    for name, role, team in (
        ("admin", "admin", None),
        ("lead_a", "team_lead", "Équipe A"),
        ("agent_a1", "agent", "Équipe A"),
        ("agent_a2", "agent", "Équipe A"),
        ("lead_b", "team_lead", "Équipe B"),
        ("agent_b1", "agent", "Équipe B"),
        ("locky", "agent", "Équipe B"),
    ):
        users[name] = create_user(db, name, PASSWORD, role, team)
    return db, Org(team_a, team_b, users)


@contextlib.contextmanager
def run_server(db_url: str, log: Path, *extra: str) -> Iterator[str]:
    """`homeagent-server run` on a free port; yields its base URL."""
    port = free_port()
    argv = [sys.executable, "-m", "homeagent.server.cli", "run", "--db", db_url]
    argv += ["--port", str(port), "--log-level", "warning", *extra]
    url = f"http://127.0.0.1:{port}"

    def ready() -> bool:  # a connect first: each httpx.get builds a TLS context (~30 ms)
        if not port_open(port):
            return False
        try:
            return httpx.get(f"{url}{API}/health", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    with running(argv, log=log, env=SERVER_ENV, ready=ready, ready_timeout_s=30):
        yield url


@dataclass
class Session:
    """A logged-in device."""

    client: httpx.Client
    tokens: dict[str, Any]

    @property
    def user_id(self) -> str:
        return str(self.tokens["user"]["id"])

    @property
    def device_id(self) -> str:
        return str(self.tokens["device_id"])

    def close(self) -> None:
        self.client.close()


def login(url: str, name: str, password: str = PASSWORD, device: str = "pc") -> Session:
    client = httpx.Client(base_url=f"{url}{API}", timeout=30)
    r = client.post(
        "/auth/login", json={"username": name, "password": password, "device_name": device}
    )
    assert r.status_code == 200, r.text
    tokens = r.json()
    client.headers["Authorization"] = f"Bearer {tokens['access_token']}"
    return Session(client, tokens)


@dataclass
class SseEvent:
    id: int
    type: str
    data: Any


@dataclass
class SseReader:
    """Reads one device's event stream on a thread; events land in `events`.

    Plain `http.client`, so `close()` can shut the socket down and end the read at once
    (a dropped connection, as a client sees it).
    """

    url: str
    token: str
    last_event_id: int | None = None
    events: queue.Queue[SseEvent] = field(default_factory=queue.Queue)
    closed: threading.Event = field(default_factory=threading.Event)
    connected: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        parts = urlsplit(self.url)
        self._conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=60)
        self.status = 0
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()
        assert self.connected.wait(15), "event stream did not connect"
        assert self.status == 200, f"event stream refused: {self.status}"

    def _read(self) -> None:
        headers = {"Authorization": f"Bearer {self.token}", "Accept": "text/event-stream"}
        if self.last_event_id is not None:
            headers["Last-Event-ID"] = str(self.last_event_id)
        try:
            self._conn.request("GET", f"{API}/events", headers=headers)
            response = self._conn.getresponse()
            self.status = response.status
            self.connected.set()
            fields: dict[str, str] = {}
            while True:
                raw = response.readline()
                if not raw:
                    break
                line = raw.decode().rstrip("\r\n")
                if line == "":
                    if "id" in fields:
                        data = json.loads(fields["data"])
                        self.events.put(SseEvent(int(fields["id"]), fields["event"], data))
                    fields = {}
                elif not line.startswith(":"):
                    key, _, value = line.partition(": ")
                    fields[key] = value
        except Exception:
            pass
        finally:
            self.connected.set()
            self.closed.set()

    def next(self, timeout_s: float = 10.0) -> SseEvent:
        return self.events.get(timeout=timeout_s)

    def wait_for(self, type_: str, timeout_s: float = 10.0) -> SseEvent:
        """The next event of `type_` (earlier events of other types are dropped)."""
        while True:
            ev = self.next(timeout_s)
            if ev.type == type_:
                return ev

    def drain(self, quiet_s: float = 0.5) -> list[SseEvent]:
        out = []
        with contextlib.suppress(queue.Empty):
            while True:
                out.append(self.events.get(timeout=quiet_s))
        return out

    def close(self) -> None:
        sock = self._conn.sock
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        self._thread.join(5)
        self._conn.close()
