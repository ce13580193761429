"""Live call supervision's rules without a server: the token, the policy's fallback,
and the partial unique indexes that keep one open session per agent and per lead."""

from __future__ import annotations

import hashlib
import re

import pytest
from sqlalchemy.exc import IntegrityError

from homeagent.server import call_supervision as cs
from homeagent.server.db import Database
from homeagent.server.models import Base
from homeagent.server.supervision_models import SupervisionSession


@pytest.fixture
def db(tmp_path: object) -> Database:
    database = Database(f"sqlite:///{tmp_path}/s.db")
    Base.metadata.create_all(database.engine)
    return database


def _row(agent: str, lead: str, status: str = "requested") -> SupervisionSession:
    return SupervisionSession(
        agent_id=agent, lead_id=lead, team_id="t", mode="listen", status=status,
        token_hash="0" * 64, modes=[],
    )  # fmt: skip


def test_tokens_are_fresh_url_safe_and_kept_as_their_hash_only() -> None:
    tokens = [cs.new_token() for _ in range(50)]
    assert len({t for t, _ in tokens}) == 50
    for token, digest in tokens:
        assert re.fullmatch(r"[A-Za-z0-9_-]{43}", token)
        assert digest == hashlib.sha256(token.encode()).hexdigest()
    token, digest = tokens[0]
    row = _row("a", "l")
    row.token_hash = digest
    assert cs.token_matches(row, token)
    assert not cs.token_matches(row, tokens[1][0])
    assert not cs.token_matches(row, "")
    row.status = "ended"
    assert not cs.token_matches(row, token)  # one session, one use


@pytest.mark.parametrize(("stored", "read"), [
    (None, "announced"), ("announced", "announced"), ("silent", "silent"), ("off", "off"),
    ("Off", "announced"), ("", "announced"),
])  # fmt: skip
def test_the_policy_falls_back_to_announced(db: Database, stored: str | None, read: str) -> None:
    if stored is not None:
        db.set_setting(cs.POLICY_KEY, stored)
    with db.read() as s:
        assert cs.policy(s) == read


def test_one_open_session_per_agent_and_per_lead(db: Database) -> None:
    with db.write() as s:
        s.add_all([_row("a1", "l1", "ended"), _row("a1", "l2", "ended"), _row("a1", "l1")])
    for agent, lead in (("a1", "l3"), ("a2", "l1")):  # the agent's, the lead's
        with pytest.raises(IntegrityError), db.write() as s:
            s.add(_row(agent, lead))
    with db.write() as s:  # ended ones never count
        s.add(_row("a2", "l2"))
        s.add(_row("a3", "l3", "ended"))
