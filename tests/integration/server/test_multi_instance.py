"""Two server instances on one PostgreSQL behind "one address": any client, any instance."""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import select

from homeagent.server.admin import create_user, ensure_queue, ensure_team
from homeagent.server.db import Database
from homeagent.server.models import Event
from tests.helpers.postgres import PostgresCluster
from tests.integration.server.launch import (
    API,
    PASSWORD,
    Org,
    Session,
    SseReader,
    login,
    prepare,
    run_server,
)
from tests.integration.server.test_events import _ids_for, _max_event_id

pytestmark = pytest.mark.integration


class Pair:
    def __init__(self, urls: list[str], db: Database, org: Org) -> None:
        self.urls, self.db, self.org = urls, db, org
        self.url = urls[0]  # for helpers that expect a `Server`


@pytest.fixture(scope="module")
def pair(
    postgres_cluster: PostgresCluster, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Pair]:
    db_url = postgres_cluster.create_database("multi")
    db, org = prepare(db_url)
    logs = tmp_path_factory.mktemp("multi")
    with run_server(db_url, logs / "one.log") as one, run_server(db_url, logs / "two.log") as two:
        yield Pair([one, two], db, org)
    db.dispose()


def test_a_token_from_one_instance_works_on_the_other(pair: Pair) -> None:
    s = login(pair.urls[0], "agent_a1")
    try:
        other = s.client.get(f"{pair.urls[1]}/api/v1/me")
        assert other.status_code == 200
        assert other.json()["user"]["name"] == "agent_a1"
    finally:
        s.close()


def test_event_written_on_one_instance_is_streamed_by_the_other(pair: Pair) -> None:
    lead = login(pair.urls[0], "lead_a")
    agent = login(pair.urls[1], "agent_a1")
    stream = SseReader(pair.urls[0], lead.tokens["access_token"])
    try:
        t0 = time.monotonic()
        agent.client.put("/agents/me/state", json={"state": "available"})
        ev = stream.wait_for("agent_state", timeout_s=10)
        assert ev.data["agent_id"] == agent.user_id
        # LISTEN/NOTIFY wakes the other instance at once (the fallback poll is 1 s)
        assert time.monotonic() - t0 < 0.9
        msg = lead.client.post(
            "/messages", json={"to_agent_id": agent.user_id, "body": "Vu sur l'autre instance"}
        )
        assert msg.status_code == 201
        agent_stream = SseReader(pair.urls[1], agent.tokens["access_token"])
        try:
            assert agent_stream.wait_for("message").data["id"] == msg.json()["id"]
        finally:
            agent_stream.close()
    finally:
        stream.close()
        lead.close()
        agent.close()


def test_reconnecting_to_the_other_instance_replays_exactly_once(pair: Pair) -> None:
    """Writers on both instances; the reader hops between instances on every reconnect."""
    lead = login(pair.urls[0], "lead_a")
    writers: list[Session] = [
        login(pair.urls[0], "agent_a1"),
        login(pair.urls[1], "agent_a2"),
    ]
    start = _max_event_id(pair)  # type: ignore[arg-type]
    errors: list[str] = []

    def produce(s: Session) -> None:
        for i in range(40):
            body = {"state": "available"} if i % 2 else {"state": "break", "reason": "Réunion"}
            r = s.client.put("/agents/me/state", json=body)
            if r.status_code != 200:
                errors.append(r.text)
            time.sleep(0.005)

    threads = [threading.Thread(target=produce, args=(w,)) for w in writers]
    for t in threads:
        t.start()
    received: list[int] = []
    last: int | None = start
    hops = itertools.cycle(pair.urls)
    try:
        for _ in range(8):
            stream = SseReader(next(hops), lead.tokens["access_token"], last)
            time.sleep(0.1)
            stream.close()
            received += [e.id for e in stream.drain(0.05)]
            if received:
                last = received[-1]
        for t in threads:
            t.join(60)
        stream = SseReader(next(hops), lead.tokens["access_token"], last)
        time.sleep(1.0)
        stream.close()
        received += [e.id for e in stream.drain(0.2)]
    finally:
        for t in threads:
            t.join(60)
        for s in (lead, *writers):
            s.close()
    assert errors == []
    expected = _ids_for(pair, lead, start)  # type: ignore[arg-type]
    assert len(received) == len(set(received)), "an event was delivered twice"
    assert received == expected, "events lost or out of order"
    assert len(expected) >= 80


def test_queue_figures_are_right_whichever_instance_the_acd_asks(pair: Pair) -> None:
    """Kamailio's hook requests land on either instance (a load balancer): the figures both
    instances answer and stream are the same, at most 4 `queue_stats` a second in all."""
    team = ensure_team(pair.db, "Équipe multi-file")
    ensure_queue(pair.db, "file-multi", team, rona_s=5, sl_threshold_s=20, max_wait_s=300)
    create_user(pair.db, "chef_multi", PASSWORD, "team_lead", "Équipe multi-file")
    create_user(pair.db, "agent_multi", PASSWORD, "agent", "Équipe multi-file")
    token = pair.db.settings()["acd_token"]
    hooks = [httpx.Client(base_url=f"{u}{API}/acd", auth=("acd", token)) for u in pair.urls]
    lead = login(pair.urls[0], "chef_multi")
    agent = login(pair.urls[1], "agent_multi")
    streams = [SseReader(u, lead.tokens["access_token"]) for u in pair.urls]
    hop = itertools.cycle(hooks)

    def ask(path: str, **params: object) -> httpx.Response:
        return next(hop).get(path, params=params)

    try:
        for i in range(6):  # nobody is Available: every call waits
            r = ask("/route", queue="file-multi", call_id=f"multi-{i}")
            assert (r.status_code, r.text.split()[0]) == (202, "wait"), r.text
        for i in (1, 4):
            assert ask("/ended", call_id=f"multi-{i}", outcome="abandoned").text == "abandoned"
        assert agent.client.put("/agents/me/state", json={"state": "available"}).status_code == 200
        assert ask("/route", queue="file-multi", call_id="multi-2").status_code == 202  # 0 first
        assert ask("/route", queue="file-multi", call_id="multi-0").text == "agent_multi"
        assert ask("/result", call_id="multi-0", code=200).text == "answered"
        assert ask("/ended", call_id="multi-5", outcome="timed_out").text == "timed_out"
        assert ask("/ended", call_id="multi-5", outcome="abandoned").text == "timed_out"
        expected = {"offered": 6, "answered": 1, "abandoned": 2, "timed_out": 1, "waiting": 2}
        answers = [lead.client.get(f"{u}{API}/teams/{team}/queues").json() for u in pair.urls]
        for (stats,) in answers:
            assert {k: stats[k] for k in expected} == expected
            assert stats["service_level_pct"] == 50.0  # 1 answered in time / (1 + 1 timed out)
        for stream in streams:
            last = None
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:
                for ev in stream.drain(0.3):
                    if ev.type == "queue_stats" and ev.data["queue"] == "file-multi":
                        last = ev.data
                if last is not None and {k: last[k] for k in expected} == expected:
                    break
            assert last is not None
            assert {k: last[k] for k in expected} == expected
            assert last["oldest_since"] == answers[0][0]["oldest_since"]
    finally:
        for stream in streams:
            stream.close()
        for c in hooks:
            c.close()
        lead.close()
        agent.close()
    with pair.db.read() as s:
        stamps = list(
            s.scalars(
                select(Event.created_at)
                .where(Event.type == "queue_stats", Event.to_team_id == team)
                .order_by(Event.id)
            )
        )
    assert len(stamps) >= 2
    for first, fifth in zip(stamps, stamps[4:], strict=False):
        assert (fifth - first).total_seconds() >= 0.95  # both instances share the limit


@pytest.fixture(scope="module")
def fast_pair(
    postgres_cluster: PostgresCluster, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Pair]:
    """Two instances whose alert timers both run every 0.1 s (so they race)."""
    db_url = postgres_cluster.create_database("alerts")
    db, org = prepare(db_url)
    logs = tmp_path_factory.mktemp("alerts")
    fast = ("--alert-scan-s", "0.1")
    with (
        run_server(db_url, logs / "one.log", *fast) as one,
        run_server(db_url, logs / "two.log", *fast) as two,
    ):
        yield Pair([one, two], db, org)
    db.dispose()


def test_two_instances_raise_and_clear_each_alert_once(fast_pair: Pair) -> None:
    from sqlalchemy import func, select

    from homeagent.server.supervision_models import Alert
    from homeagent.server.team_settings import DEFAULTS

    lead = login(fast_pair.urls[0], "lead_a")
    agents = [login(fast_pair.urls[0], "agent_a1"), login(fast_pair.urls[1], "agent_a2")]
    stream = SseReader(fast_pair.urls[1], lead.tokens["access_token"])
    body = {**DEFAULTS, "alerts": dict.fromkeys(DEFAULTS["alerts"]) | {"break_over_s": 1}}
    try:
        r = lead.client.put(f"/teams/{fast_pair.org.team_a}/settings", json=body)
        assert r.status_code == 200, r.text
        for agent in agents:
            r = agent.client.put("/agents/me/state", json={"state": "break", "reason": "Réunion"})
            assert r.status_code == 200, r.text
        time.sleep(3.0)  # some 30 scans on each instance, all seeing both breaks over
        for agent in agents:
            r = agent.client.put("/agents/me/state", json={"state": "available"})
            assert r.status_code == 200, r.text
        events = stream.drain(1.5)
    finally:
        stream.close()
        for s in (lead, *agents):
            s.close()
    ids = {a.user_id for a in agents}
    raised = [e.data for e in events if e.type == "alert" and e.data["agent_id"] in ids]
    assert sorted(a["agent_id"] for a in raised) == sorted(ids), "not one alert per agent"
    cleared = [
        e.data
        for e in events
        if e.type == "alert_updated" and e.data["agent_id"] in ids and e.data["cleared_at"]
    ]
    assert sorted(a["id"] for a in cleared) == sorted(a["id"] for a in raised)
    with fast_pair.db.read() as db_session:
        stored = db_session.scalar(
            select(func.count()).select_from(Alert).where(Alert.agent_id.in_(ids))
        )
    assert stored == 2
