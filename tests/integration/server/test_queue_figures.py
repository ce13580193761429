"""Queue figures from real calls: sipp customers through Kamailio's ACD (deploy/kamailio/acd),
sipp agents answering, the real server recording every step and publishing `queue_stats`.

Each test has its own team, queue, lead and agents (names from a random tag), so the
figures it checks are its own. Times are checked three ways: the server's recorded times
against what the test did and when, the figures against those recorded times, and the
live `queue_stats` events against the REST answer.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from statistics import fmean
from typing import Any

import pytest
from sqlalchemy import select

from homeagent.server.admin import create_user, ensure_queue, ensure_team
from homeagent.server.models import AgentStatus, Event, QueueCall
from tests.helpers.acd_kamailio import AcdKamailio, running_acd_kamailio
from tests.helpers.procs import free_port, require_tool, running
from tests.integration.server.conftest import Server
from tests.integration.server.launch import PASSWORD, Session, SseEvent, SseReader
from tests.integration.server.test_acd_kamailio import register_agent
from tests.integration.sip.peers import PeerProcess

SCENARIOS = Path(__file__).parent / "sipp"
THRESHOLD_S = 6  # the ten-call test's service-level threshold


@dataclass
class QueueTeam:
    team_id: str
    queue: str
    lead: str
    agents: list[str]  # login names


def queue_team(server: Server, agents: int, **settings: int) -> QueueTeam:
    tag = uuid.uuid4().hex[:6]
    team_name = f"Équipe file {tag}"
    team_id = ensure_team(server.db, team_name)
    queue = f"file-{tag}"
    ensure_queue(server.db, queue, team_id, label=f"File {tag}", **settings)
    lead = f"chef_{tag}"
    create_user(server.db, lead, PASSWORD, "team_lead", team_name)
    names = [f"agent_{tag}_{i}" for i in range(agents)]
    for name in names:
        create_user(server.db, name, PASSWORD, "agent", team_name)
    return QueueTeam(team_id, queue, lead, names)


@pytest.fixture
def kamailio(server: Server, tmp_path: Path) -> Iterator[AcdKamailio]:
    with running_acd_kamailio(server.url, server.db.settings()["acd_token"], tmp_path) as kam:
        yield kam


class Ports:
    """Distinct free UDP ports (free_port alone may hand out one twice in a row)."""

    def __init__(self) -> None:
        self.used: set[int] = set()

    def next(self) -> int:
        while True:
            port = free_port(socket.SOCK_DGRAM)
            if port not in self.used:
                self.used.add(port)
                return port


@dataclass
class Customer:
    proc: subprocess.Popen[bytes]
    started: datetime  # wall clock (the server's clock on this machine)
    hang_up_ms: int | None  # hangs up after this long, before an answer

    @property
    def call_id(self) -> str:
        return f"1-{self.proc.pid}@127.0.0.1"  # sipp's [call_id]: call number, pid, local IP


def call(
    stack: contextlib.ExitStack,
    kam: AcdKamailio,
    queue: str,
    log_dir: Path,
    ports: Ports,
    *,
    scenario: str = "customer.xml",
    hang_up_ms: int | None = None,
) -> Customer:
    """A customer calls the queue now (sipp UAC, in the background)."""
    tag = uuid.uuid4().hex[:6]
    argv = [
        require_tool("sipp"), f"127.0.0.1:{kam.port}", "-sf", str(SCENARIOS / scenario),
        "-s", f"queue-{queue}", "-i", "127.0.0.1", "-p", str(ports.next()), "-m", "1",
        "-d", str(hang_up_ms or 0), "-timeout", "60s", "-timeout_error", "-nostdin",
        "-trace_err", "-trace_msg", "-error_file", str(log_dir / f"customer-{tag}.err"),
    ]  # fmt: skip
    started = datetime.now(UTC)
    proc = stack.enter_context(running(argv, log=log_dir / f"customer-{tag}.log", cwd=log_dir))
    return Customer(proc, started, hang_up_ms)


def agent_endpoint(
    stack: contextlib.ExitStack,
    kam: AcdKamailio,
    session: Session,
    log_dir: Path,
    ports: Ports,
    scenario: str = "agent_answers.xml",
) -> subprocess.Popen[bytes]:
    """A registered sipp UAS for the agent (answers one call after 300 ms of ringing)."""
    port = ports.next()
    tag = uuid.uuid4().hex[:6]
    argv = [
        require_tool("sipp"), "-sf", str(SCENARIOS / scenario), "-i", "127.0.0.1",
        "-p", str(port), "-m", "1", "-timeout", "60s", "-timeout_error", "-nostdin",
        "-trace_err", "-error_file", str(log_dir / f"agent-{tag}.err"),
    ]  # fmt: skip
    proc = stack.enter_context(running(argv, log=log_dir / f"agent-{tag}.log", cwd=log_dir))
    register_agent(kam, session, port)
    return proc


def available(session: Session) -> datetime:
    at = datetime.now(UTC)
    r = session.client.put("/agents/me/state", json={"state": "available"})
    assert r.status_code == 200, r.text
    return at


def queue_rows(server: Server, queue: str) -> dict[str, QueueCall]:
    with server.db.read() as s:
        return {c.call_id: c for c in s.scalars(select(QueueCall).where(QueueCall.queue == queue))}


def stats_of(lead: Session, team: QueueTeam) -> dict[str, Any]:
    r = lead.client.get(f"/teams/{team.team_id}/queues")
    assert r.status_code == 200, r.text
    (stats,) = r.json()
    assert stats["queue"] == team.queue
    return dict(stats)


def seconds(a: datetime, b: datetime) -> float:
    return (b - a).total_seconds()


def wait_all(procs: list[subprocess.Popen[bytes]], kam: AcdKamailio, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    for proc in procs:
        left = max(0.1, deadline - time.monotonic())
        try:
            code = proc.wait(left)
        except subprocess.TimeoutExpired:
            pytest.fail(f"sipp {proc.args} still running; Kamailio:\n{kam.log.read_text()[-3000:]}")
        assert code == 0, f"sipp {proc.args} ended with {code}:\n{kam.log.read_text()[-3000:]}"


def settle(
    reader: SseReader, team: QueueTeam, lead: Session, timeout_s: float = 5.0
) -> list[SseEvent]:
    """The queue's `queue_stats` events until the last one equals the REST answer."""
    final = stats_of(lead, team)
    seen: list[SseEvent] = []
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for ev in reader.drain(0.3):
            if ev.type == "queue_stats" and ev.data["queue"] == team.queue:
                seen.append(ev)
        if seen and _same(seen[-1].data, final):
            return seen
    pytest.fail(f"no queue_stats event matched {final}; got {[e.data for e in seen][-3:]}")


def _same(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return {k: v for k, v in a.items() if k != "longest_wait_s"} == {
        k: v for k, v in b.items() if k != "longest_wait_s"
    }


def assert_coalesced(server: Server, team: QueueTeam, events: list[SseEvent]) -> None:
    """At most 4 events a second (their stored times), none repeating the one before."""
    with server.db.read() as s:
        stored = list(
            s.scalars(
                select(Event.created_at)
                .where(Event.type == "queue_stats", Event.to_team_id == team.team_id)
                .order_by(Event.id)
            )
        )
    assert len(stored) >= 2
    for first, fifth in zip(stored, stored[4:], strict=False):
        assert seconds(first, fifth) >= 0.95, f"5 queue_stats within {seconds(first, fifth)} s"
    for before, after in itertools.pairwise(events):
        assert not _same(before.data, after.data), f"repeated {after.data}"


def test_ten_calls_two_hang_up_while_waiting_and_every_figure_matches(
    server: Server, kamailio: AcdKamailio, tmp_path: Path
) -> None:
    """10 customers queue while nobody is Available; the 4th and the 8th hang up while
    waiting (at 1.5 s: within the 6 s threshold; at 8 s: after it); two agents become
    Available at 1 s and six more at 12 s, and the eight others are answered in order."""
    team = queue_team(server, 8, rona_s=10, sl_threshold_s=THRESHOLD_S, max_wait_s=60)
    lead = server.login(team.lead)
    agents = [server.login(name) for name in team.agents]
    reader = SseReader(server.url, lead.tokens["access_token"])
    ports = Ports()
    try:
        with contextlib.ExitStack() as stack:
            endpoints = [agent_endpoint(stack, kamailio, a, tmp_path, ports) for a in agents]
            assert stats_of(lead, team)["offered"] == 0
            customers: list[Customer] = []
            t0 = time.monotonic()
            for i in range(10):
                hang_up = {3: 1500, 7: 8000}.get(i)
                scenario = "customer_abandons.xml" if hang_up else "customer.xml"
                customers.append(
                    call(
                        stack,
                        kamailio,
                        team.queue,
                        tmp_path,
                        ports,
                        scenario=scenario,
                        hang_up_ms=hang_up,
                    )
                )
                time.sleep(0.3)
            time.sleep(max(0.0, 1.0 - (time.monotonic() - t0)))
            first_wave = [available(a) for a in agents[:2]]
            time.sleep(max(0.0, 12.0 - (time.monotonic() - t0)))
            second_wave = []
            for a in agents[2:]:
                second_wave.append(available(a))
                time.sleep(0.05)  # a clear longest-idle order
            wait_all([c.proc for c in customers], kamailio, 40)
            wait_all(endpoints, kamailio, 10)
        events = settle(reader, team, lead)
    finally:
        reader.close()
        for s in (lead, *agents):
            s.close()

    rows = queue_rows(server, team.queue)
    assert sorted(rows) == sorted(c.call_id for c in customers)
    answered_in_order = []
    for i, c in enumerate(customers):
        row = rows[c.call_id]
        assert abs(seconds(c.started, row.entered_at)) < 1.0, f"customer {i} entered late"
        if c.hang_up_ms is not None:
            assert row.outcome == "abandoned", (i, row.outcome)
            assert row.ended_at is not None
            assert row.answered_at is None
            waited = seconds(row.entered_at, row.ended_at)
            assert abs(waited - c.hang_up_ms / 1000) < 1.0, (i, waited)
        else:
            assert row.outcome == "answered", (i, row.outcome)
            assert row.answered_at is not None
            assert row.answered_by is not None
            answered_in_order.append(row)
    # First come, first served: the two early agents took the first two customers.
    for row, free_at in zip(answered_in_order[:2], first_wave, strict=True):
        assert 0 <= seconds(free_at, row.answered_at) < 3.0  # type: ignore[arg-type]
    for row in answered_in_order[2:]:
        assert 0 <= seconds(second_wave[0], row.answered_at) < 4.0  # type: ignore[arg-type]
    assert len({r.answered_by for r in answered_in_order}) == 8  # one call each

    waits = [seconds(r.entered_at, r.answered_at) for r in answered_in_order]  # type: ignore[arg-type]
    within = sum(1 for w in waits if w <= THRESHOLD_S)
    late_abandons = sum(
        1
        for r in rows.values()
        if r.outcome == "abandoned" and seconds(r.entered_at, r.ended_at) > THRESHOLD_S  # type: ignore[arg-type]
    )
    assert (within, late_abandons) == (2, 1), waits  # the scenario's design, from recorded times
    final = events[-1].data
    assert final["offered"] == 10
    assert final["answered"] == 8
    assert final["abandoned"] == 2
    assert final["timed_out"] == 0
    assert final["waiting"] == 0
    assert final["longest_wait_s"] == 0
    assert final["oldest_since"] is None
    assert final["sl_threshold_s"] == THRESHOLD_S
    assert final["service_level_pct"] == pytest.approx(100 * 2 / 9, abs=0.05)  # 22.2
    assert final["asa_s"] == pytest.approx(fmean(waits), abs=0.05)
    assert final["label"].startswith("File ")
    assert final["team_id"] == team.team_id
    assert final["day"] == datetime.now(UTC).date().isoformat()
    # Live: the lead saw the queue fill up, then empty, at most 4 events a second.
    assert max(e.data["waiting"] for e in events) >= 6
    assert max(e.data["offered"] for e in events) == 10
    assert_coalesced(server, team, events)


def test_a_waiting_call_is_answered_when_an_agent_becomes_available(
    server: Server, kamailio: AcdKamailio, tmp_path: Path
) -> None:
    team = queue_team(server, 1, rona_s=10, sl_threshold_s=20, max_wait_s=30)
    lead = server.login(team.lead)
    (agent,) = (server.login(name) for name in team.agents)
    reader = SseReader(server.url, lead.tokens["access_token"])
    ports = Ports()
    try:
        with contextlib.ExitStack() as stack:
            endpoint = agent_endpoint(stack, kamailio, agent, tmp_path, ports)
            customer = call(stack, kamailio, team.queue, tmp_path, ports)
            ev = reader.wait_for("queue_stats", timeout_s=5)
            assert (ev.data["queue"], ev.data["waiting"], ev.data["offered"]) == (team.queue, 1, 1)
            oldest = datetime.fromisoformat(ev.data["oldest_since"])
            assert abs(seconds(customer.started, oldest)) < 1.0
            time.sleep(3)
            assert customer.proc.poll() is None, "the call did not wait"
            waiting = stats_of(lead, team)
            assert waiting["waiting"] == 1
            assert waiting["longest_wait_s"] >= 2
            free_at = available(agent)
            wait_all([customer.proc, endpoint], kamailio, 15)
        events = settle(reader, team, lead)
    finally:
        reader.close()
        lead.close()
        agent.close()
    (row,) = queue_rows(server, team.queue).values()
    assert row.outcome == "answered"
    assert row.answered_at is not None
    assert 0 <= seconds(free_at, row.answered_at) < 2.5  # the next 1 s tick, 300 ms of ringing
    final = events[-1].data
    assert (final["offered"], final["answered"], final["waiting"]) == (1, 1, 0)
    assert final["service_level_pct"] == 100.0
    assert final["asa_s"] == pytest.approx(seconds(row.entered_at, row.answered_at), abs=0.05)
    with server.db.read() as s:
        status = s.get(AgentStatus, agent.user_id)
        assert status is not None
        assert status.state == "on_call"


def test_nobody_takes_the_call_it_times_out_with_480_after_max_wait(
    server: Server, kamailio: AcdKamailio, tmp_path: Path
) -> None:
    team = queue_team(server, 0, rona_s=10, sl_threshold_s=20, max_wait_s=3)
    lead = server.login(team.lead)
    ports = Ports()
    try:
        with contextlib.ExitStack() as stack:
            t0 = time.monotonic()
            customer = call(
                stack, kamailio, team.queue, tmp_path, ports, scenario="customer_times_out.xml"
            )
            wait_all([customer.proc], kamailio, 15)
            waited_s = time.monotonic() - t0
        assert 3.0 <= waited_s < 6.0
        (row,) = queue_rows(server, team.queue).values()
        assert row.outcome == "timed_out"
        assert row.ended_at is not None
        assert 3.0 <= seconds(row.entered_at, row.ended_at) < 4.5
        stats = stats_of(lead, team)
        assert (stats["offered"], stats["timed_out"], stats["answered"]) == (1, 1, 0)
        assert (stats["waiting"], stats["abandoned"]) == (0, 0)
        assert stats["service_level_pct"] == 0.0  # never served: against the service level
        assert stats["asa_s"] is None
    finally:
        lead.close()


def test_hanging_up_while_an_agent_rings_is_an_abandon_and_frees_the_agent(
    server: Server, kamailio: AcdKamailio, tmp_path: Path
) -> None:
    team = queue_team(server, 1, rona_s=2, sl_threshold_s=20, max_wait_s=30)
    lead = server.login(team.lead)
    (agent,) = (server.login(name) for name in team.agents)
    ports = Ports()
    try:
        with contextlib.ExitStack() as stack:
            endpoint = agent_endpoint(
                stack, kamailio, agent, tmp_path, ports, scenario="agent_rings_out.xml"
            )
            available(agent)
            customer = call(
                stack, kamailio, team.queue, tmp_path, ports,
                scenario="customer_abandons.xml", hang_up_ms=1000,
            )  # fmt: skip
            wait_all([customer.proc, endpoint], kamailio, 15)
        (row,) = queue_rows(server, team.queue).values()
        assert row.outcome == "abandoned"
        assert row.offered_at is not None
        assert 0.8 <= seconds(row.entered_at, row.ended_at) < 2.0  # type: ignore[arg-type]
        time.sleep(0.5)
        with server.db.read() as s:
            status = s.get(AgentStatus, agent.user_id)
            assert status is not None
            assert status.state == "available"
        stats = stats_of(lead, team)
        assert (stats["offered"], stats["abandoned"], stats["waiting"]) == (1, 1, 0)
        assert stats["service_level_pct"] is None  # abandoned within the threshold only
    finally:
        lead.close()
        agent.close()


def test_queue_figures_are_for_the_team_leads_only(server: Server) -> None:
    team = queue_team(server, 1)
    lead = server.login(team.lead)
    agent = server.login(team.agents[0])
    other_lead = server.login("lead_b")
    try:
        assert agent.client.get(f"/teams/{team.team_id}/queues").status_code == 403
        r = other_lead.client.get(f"/teams/{team.team_id}/queues")
        assert r.status_code == 404
        assert r.json()["error"]["code"] == "not_found"
        assert lead.client.get(f"/teams/{uuid.uuid4()}/queues").status_code == 404
        stats = stats_of(lead, team)
        assert stats["sl_threshold_s"] == 20  # the defaults
        assert (stats["offered"], stats["service_level_pct"], stats["asa_s"]) == (0, None, None)
    finally:
        for s in (lead, agent, other_lead):
            s.close()


def test_the_demo_customer_waits_hears_ringing_and_is_connected(
    server: Server, kamailio: AcdKamailio, tmp_path: Path
) -> None:
    """The demo's pjsua2 customer (homeagent.sip.peer): our queued 180 and the agent's
    180/200 carry different To tags; pjsip must still connect to the agent."""
    team = queue_team(server, 1, rona_s=10, sl_threshold_s=20, max_wait_s=30)
    (agent,) = (server.login(name) for name in team.agents)
    ports = Ports()
    env = {k: v for k, v in os.environ.items() if k != "HOMEAGENT_PEER_PASSWORD"}
    customer = PeerProcess(
        [
            "--call", f"sip:queue-{team.queue}@127.0.0.1:{kamailio.port}",
            "--user", "+33611112222", "--domain", "homeagent.test", "--tone", "440",
            "--hangup-after", "1", "--exit-on-end", "--exit-after", "30",
        ],
        env,
        tmp_path / "customer-peer.log",
    )  # fmt: skip
    try:
        with contextlib.ExitStack() as stack:
            endpoint = agent_endpoint(stack, kamailio, agent, tmp_path, ports)
            customer.wait_for("state", lambda e: e["state"] == "early", timeout_s=10)
            time.sleep(2)
            assert not customer.named("ended"), "the call did not wait"
            available(agent)
            customer.wait_for("state", lambda e: e["state"] == "confirmed", timeout_s=10)
            customer.wait_for("ended", timeout_s=10)
            wait_all([endpoint], kamailio, 10)
    finally:
        customer.stop()
        agent.close()
    (row,) = queue_rows(server, team.queue).values()
    assert row.outcome == "answered"
    assert seconds(row.entered_at, row.answered_at) >= 2  # type: ignore[arg-type]


def test_after_a_rona_the_call_waits_again_until_the_next_agent_is_free(
    server: Server, kamailio: AcdKamailio, tmp_path: Path
) -> None:
    """The first agent rings out (RONA, 2 s): nobody else is free, so the call goes back
    to waiting (suspended from the failure route) and the next agent free takes it."""
    team = queue_team(server, 2, rona_s=2, sl_threshold_s=20, max_wait_s=30)
    first, second = (server.login(name) for name in team.agents)
    ports = Ports()
    try:
        with contextlib.ExitStack() as stack:
            rings_out = agent_endpoint(
                stack, kamailio, first, tmp_path, ports, scenario="agent_rings_out.xml"
            )
            answers = agent_endpoint(stack, kamailio, second, tmp_path, ports)
            available(first)
            customer = call(stack, kamailio, team.queue, tmp_path, ports)
            wait_all([rings_out], kamailio, 10)
            time.sleep(2)
            assert customer.proc.poll() is None, "the call did not wait after the RONA"
            free_at = available(second)
            wait_all([customer.proc, answers], kamailio, 15)
        (row,) = queue_rows(server, team.queue).values()
        assert row.outcome == "answered"
        assert row.answered_by == second.user_id
        assert 0 <= seconds(free_at, row.answered_at) < 2.5  # type: ignore[arg-type]
        with server.db.read() as s:
            status = s.get(AgentStatus, first.user_id)
            assert status is not None
            assert (status.state, status.reason) == ("not_ready", "missed")
    finally:
        first.close()
        second.close()
