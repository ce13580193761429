"""The team lead's server: its own `homeagent-server run` with the alert timer every 0.3 s
(`--alert-scan-s`), four more agents in team A, and the lead, stream and ACD hook the
tests drive it with."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest

from homeagent.server.admin import create_user
from homeagent.server.team_settings import DEFAULTS
from tests.integration.server.conftest import Server, tuned_server
from tests.integration.server.launch import API, PASSWORD, Session, SseReader

EXTRA = ("agent_a3", "agent_a4", "agent_a5", "agent_a6")


@pytest.fixture(scope="module")
def server(db_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    for srv in tuned_server(db_url, tmp_path_factory, "--alert-scan-s", "0.3"):
        for name in EXTRA:
            srv.org.users[name] = create_user(srv.db, name, PASSWORD, "agent", "Équipe A")
        yield srv


@pytest.fixture
def lead(server: Server, sessions: Callable[[str], Session]) -> Iterator[Session]:
    """Team A's lead, with the team's settings back to the defaults afterwards."""
    s = sessions("lead_a")
    yield s
    r = s.client.put(f"/teams/{server.org.team_a}/settings", json=DEFAULTS)
    assert r.status_code == 200, r.text


@pytest.fixture
def stream(server: Server, lead: Session) -> Iterator[SseReader]:
    reader = SseReader(server.url, lead.tokens["access_token"])
    yield reader
    reader.close()


@pytest.fixture
def acd(server: Server) -> Iterator[httpx.Client]:
    token = server.db.settings()["acd_token"]
    with httpx.Client(base_url=f"{server.url}{API}/acd", auth=("acd", token), timeout=10) as c:
        yield c
