"""Event streams are bounded per device and end with their token, device or account."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from sqlalchemy import update

from homeagent.server.models import User
from tests.integration.server.conftest import Server, tuned_server
from tests.integration.server.launch import SseReader

ACCESS_TTL_S = 4
CHECK_S = 0.3


@pytest.fixture(scope="module")
def server(db_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    yield from tuned_server(
        db_url,
        tmp_path_factory,
        "--access-ttl-s", str(ACCESS_TTL_S),
        "--streams-per-device", "2",
        "--stream-check-s", str(CHECK_S),
    )  # fmt: skip


def test_a_third_stream_of_one_device_ends_the_oldest(server: Server) -> None:
    agent, lead = server.login("agent_a1"), server.login("lead_a")
    token = agent.tokens["access_token"]
    streams = [SseReader(server.url, token) for _ in range(3)]
    try:
        assert streams[0].closed.wait(3), "the oldest stream was not ended"
        assert not streams[1].closed.is_set()
        assert not streams[2].closed.is_set()
        r = lead.client.post("/messages", json={"to_agent_id": agent.user_id, "body": "Hop"})
        assert r.status_code == 201
        for s in streams[1:]:
            assert s.wait_for("message", timeout_s=3).data["body"] == "Hop"
        other = server.login("agent_a1", device="second-pc")  # another device: its own cap
        extra = SseReader(server.url, other.tokens["access_token"])
        time.sleep(0.3)
        assert not streams[1].closed.is_set()
        assert not extra.closed.is_set()
        extra.close()
        other.close()
    finally:
        for s in streams:
            s.close()
        agent.close()
        lead.close()


def test_a_stream_ends_when_its_access_token_expires(server: Server) -> None:
    agent = server.login("agent_a2")
    stream = SseReader(server.url, agent.tokens["access_token"])
    try:
        started = time.monotonic()
        assert stream.closed.wait(ACCESS_TTL_S + 3), "the stream outlived its token"
        assert time.monotonic() - started <= ACCESS_TTL_S + 2
    finally:
        stream.close()
        agent.close()


def test_a_stream_ends_when_the_account_is_disabled(server: Server) -> None:
    agent = server.login("agent_b1")
    stream = SseReader(server.url, agent.tokens["access_token"])
    try:
        with server.db.write() as s:
            s.execute(update(User).where(User.id == agent.user_id).values(active=False))
        assert stream.closed.wait(CHECK_S + 2), "the stream outlived the account"
    finally:
        with server.db.write() as s:
            s.execute(update(User).where(User.id == agent.user_id).values(active=True))
        stream.close()
        agent.close()
