"""Live call supervision on the real server: a second lead and two more agents in team A,
and users logged in on demand whose open sessions end after each test."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import update

from homeagent.server.admin import create_user
from homeagent.server.supervision_models import SupervisionSession
from tests.integration.server.conftest import Server
from tests.integration.server.launch import PASSWORD, Session

EXTRA = (("lead_a2", "team_lead"), ("agent_a3", "agent"), ("agent_a4", "agent"))


@pytest.fixture(scope="module")
def org(server: Server) -> dict[str, str]:
    """The test organisation's users plus a second lead and two more agents in team A."""
    users = dict(server.org.users)
    for name, role in EXTRA:
        users[name] = create_user(
            server.db, name, PASSWORD, role, "Équipe A", display_name=name.title()
        )
    return users


@pytest.fixture
def who(
    server: Server, org: dict[str, str], sessions: Callable[[str], Session]
) -> Iterator[Callable[[str], Session]]:
    """Log users in on demand (one device each per test); after the test every open
    session ends and the policy is back to `announced`."""
    cache: dict[str, Session] = {}

    def get(name: str) -> Session:
        if name not in cache:
            cache[name] = sessions(name)
        return cache[name]

    yield get
    with server.db.write() as s:
        s.execute(
            update(SupervisionSession)
            .where(SupervisionSession.status != "ended")
            .values(status="ended", end_reason="lead_stopped")
        )
    server.db.set_setting("supervision_policy", "announced")
