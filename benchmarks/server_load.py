"""Load benchmark of the HomeAgent server (not a test): N agents on the event stream.

Starts `homeagent-server run` (one process) on loopback over SQLite or PostgreSQL,
connects every agent and every team lead to /events, then measures:

- state change -> visible to the team lead: an agent PUTs its state; latency until the
  lead's stream delivers that `agent_state` event;
- team broadcast -> received by every agent: a lead POSTs a team message; latency until
  each agent of the team receives it (and until the last one does);
- contact lookups by E.164 while all this runs.

With `--queue-calls RATE` the state-change phase runs twice, first alone, then with RATE
customer calls a second through the ACD hook (what Kamailio asks: entry, a re-ask every
second while nobody is free, the offer's result, hang-ups), answered by the agents of
`--queue-teams` extra teams (5 agents and a lead each, on the stream) who then wrap up:
queue-call recording and `queue_stats` publication on top of the same load, so the two
state-change lines compare with and without it in one run.

`--alerts on` gives every team alert settings that fire (a break over 10 s, the other
kinds at their defaults), so each state change is evaluated and alerts are raised and
cleared while the load runs; `--alerts both` runs the state-change phase twice in the
same server, first with every alert off, then on, and prints the two lines side by side
(the cost of alert evaluation; the 5 s timer scans in both phases).

Devices and access tokens are made directly in the database (thousands of argon2 logins
would only measure argon2). Bounded: loopback only, fixed rate and duration.

    .venv/bin/python benchmarks/server_load.py --agents 2000 --backend sqlite
    .venv/bin/python benchmarks/server_load.py --agents 2000 --backend postgresql
    .venv/bin/python benchmarks/server_load.py --agents 2000 --queue-calls 5
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from homeagent.server.admin import create_user, ensure_queue, ensure_team  # noqa: E402
from homeagent.server.auth import hash_password, issue_access_token  # noqa: E402
from homeagent.server.db import Database  # noqa: E402
from homeagent.server.models import Device  # noqa: E402
from homeagent.server.seed import seed_demo  # noqa: E402
from homeagent.server.team_settings import DEFAULTS as ALERT_DEFAULTS  # noqa: E402
from tests.helpers.procs import free_port  # noqa: E402

API = "/api/v1"


@dataclass
class Actor:
    name: str
    user_id: str
    team: int
    token: str
    team_id: str = ""
    received: dict[int, float] = field(default_factory=dict)  # message id -> time


@dataclass
class QueueTeam:
    """A queue whose calls the benchmark places, and the agents who answer them."""

    name: str
    agents: list[Actor]
    lead: Actor
    free: list[Actor] = field(default_factory=list)


@dataclass
class Results:
    state_ms: list[float] = field(default_factory=list)
    state_ms_with_queue: list[float] = field(default_factory=list)
    queue_calls: int = 0
    queue_answered: int = 0
    queue_abandoned: int = 0
    queue_errors: int = 0
    queue_hook_ms: list[float] = field(default_factory=list)
    queue_stats_events: int = 0
    state_ms_by_phase: dict[str, list[float]] = field(default_factory=dict)
    alerts_raised: dict[str, int] = field(default_factory=dict)
    broadcast_ms: list[float] = field(default_factory=list)
    broadcast_last_ms: list[float] = field(default_factory=list)
    lookup_ms: list[float] = field(default_factory=list)
    state_errors: int = 0
    lookup_errors: int = 0
    missing_receipts: int = 0


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def prepare(
    db: Database, agents: int, team_size: int, queue_teams: int = 0
) -> tuple[list[Actor], list[Actor], list[QueueTeam]]:
    """Teams of `team_size` agents with one lead each; tokens issued for one device each.

    `queue_teams` more teams (5 agents, a lead, a queue each) answer the queue calls.
    """
    db.migrate()
    db.ensure_settings()
    seed_demo(db, "bench-password", contacts=3000, agents_per_team=1)
    secret = db.settings()["token_secret"]
    shared = hash_password("bench-password")
    members: list[Actor] = []
    leads: list[Actor] = []
    teams = (agents + team_size - 1) // team_size
    for t in range(teams):
        team_name = f"Banc {t:03d}"
        team_id = ensure_team(db, team_name)
        lead = f"lead{t:03d}"
        uid = create_user(db, lead, "", "team_lead", team_name, password_hash=shared)
        leads.append(Actor(lead, uid, t, "", team_id))
        for i in range(min(team_size, agents - t * team_size)):
            name = f"agent{t:03d}_{i:03d}"
            uid = create_user(db, name, "", "agent", team_name, password_hash=shared)
            members.append(Actor(name, uid, t, ""))
    queues: list[QueueTeam] = []
    for q in range(queue_teams):
        team_name = f"File {q:03d}"
        team_id = ensure_team(db, team_name)
        name = f"bench-{q:03d}"
        ensure_queue(db, name, team_id, rona_s=15, max_wait_s=60)
        lead = f"qlead{q:03d}"
        uid = create_user(db, lead, "", "team_lead", team_name, password_hash=shared)
        qagents = []
        for i in range(5):
            agent = f"qagent{q:03d}_{i}"
            qagents.append(
                Actor(
                    agent,
                    create_user(db, agent, "", "agent", team_name, password_hash=shared),
                    -1,
                    "",
                )
            )
        queues.append(QueueTeam(name, qagents, Actor(lead, uid, -1, "", team_id)))
    extra = [a for qt in queues for a in (*qt.agents, qt.lead)]
    with db.write() as s:
        for actor in (*members, *leads, *extra):
            device = Device(user_id=actor.user_id, name="bench")
            s.add(device)
            s.flush()
            actor.token = issue_access_token(secret, actor.user_id, device.id, 24 * 3600)
    return members, leads, queues


async def read_stream(port: int, actor: Actor, on_event: object, ready: asyncio.Event) -> None:
    """A minimal SSE reader over a raw HTTP/1.1 connection (chunked frames)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(
        (
            f"GET {API}/events HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Authorization: Bearer {actor.token}\r\nAccept: text/event-stream\r\n\r\n"
        ).encode()
    )
    await writer.drain()
    status = await reader.readline()
    assert b" 200 " in status, status
    while (await reader.readline()) not in (b"\r\n", b""):
        pass
    ready.set()
    buffer = b""
    try:
        while True:
            size_line = await reader.readline()
            if not size_line:
                return
            size = int(size_line.strip() or b"0", 16)
            chunk = await reader.readexactly(size + 2)
            buffer += chunk[:-2]
            while b"\n\n" in buffer:
                frame, buffer = buffer.split(b"\n\n", 1)
                fields = dict(
                    line.split(": ", 1) for line in frame.decode().split("\n") if ": " in line
                )
                if "event" in fields:
                    on_event(
                        actor, fields["event"], json.loads(fields["data"]), time.perf_counter()
                    )  # type: ignore[operator]
    except (asyncio.CancelledError, ConnectionError, asyncio.IncompleteReadError):
        pass
    finally:
        writer.close()


async def run_load(
    port: int,
    members: list[Actor],
    leads: list[Actor],
    args: argparse.Namespace,
    queues: list[QueueTeam] | None = None,
    acd_token: str = "",
) -> Results:
    res = Results()
    pending_state: dict[str, float] = {}
    sent_messages: dict[int, tuple[float, int]] = {}
    by_team: dict[int, list[Actor]] = {}
    for m in members:
        by_team.setdefault(m.team, []).append(m)

    phase = {"name": "alerts off" if args.alerts != "on" else "alerts on"}

    def on_event(actor: Actor, kind: str, data: dict[str, object], at: float) -> None:
        if kind == "agent_state" and actor.name.startswith("lead"):
            sent = pending_state.pop(str(data["agent_id"]), None)
            if sent is not None:
                res.state_ms.append((at - sent) * 1000)
                res.state_ms_by_phase.setdefault(phase["name"], []).append((at - sent) * 1000)
        elif kind == "alert" and actor.name.startswith("lead"):
            res.alerts_raised[phase["name"]] = res.alerts_raised.get(phase["name"], 0) + 1
        elif kind == "message" and not actor.name.startswith("lead"):
            actor.received[int(data["id"])] = at  # type: ignore[call-overload]
        elif kind == "queue_stats":
            res.queue_stats_events += 1

    queues = queues or []
    everyone = leads + members + [a for qt in queues for a in (qt.lead, *qt.agents)]
    tasks = []
    started = time.perf_counter()
    for batch in range(0, len(everyone), 100):
        group = everyone[batch : batch + 100]
        events = [asyncio.Event() for _ in group]
        for actor, ev in zip(group, events, strict=True):
            tasks.append(asyncio.create_task(read_stream(port, actor, on_event, ev)))
        await asyncio.wait_for(asyncio.gather(*(e.wait() for e in events)), 60)
    print(
        f"{len(tasks)} event streams connected in {time.perf_counter() - started:.1f} s", flush=True
    )

    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
    async with httpx.AsyncClient(
        base_url=f"http://127.0.0.1:{port}{API}", limits=limits, timeout=60
    ) as http:
        phones = [
            c["phones"][0]
            for c in (
                await http.get("/contacts", params={"limit": 200}, headers=_auth(members[0]))
            ).json()
        ]
        rng = random.Random(7)
        states: dict[str, str] = {}

        async def change_state(agent: Actor) -> None:
            new = "break" if states.get(agent.user_id) == "available" else "available"
            body = {"state": new, "reason": "Pause café" if new == "break" else ""}
            pending_state[agent.user_id] = time.perf_counter()
            try:
                r = await http.put("/agents/me/state", json=body, headers=_auth(agent))
            except httpx.HTTPError:
                r = httpx.Response(599)
            if r.status_code == 200:
                states[agent.user_id] = new
            else:
                res.state_errors += 1
                pending_state.pop(agent.user_id, None)

        async def lookup(agent: Actor) -> None:
            t0 = time.perf_counter()
            try:
                r = await http.get(
                    "/contacts/lookup", params={"number": rng.choice(phones)}, headers=_auth(agent)
                )
            except httpx.HTTPError:
                res.lookup_errors += 1
                return
            if r.status_code == 200:
                res.lookup_ms.append((time.perf_counter() - t0) * 1000)
            else:
                res.lookup_errors += 1

        async def set_alerts(on: bool) -> None:
            """Every lead saves its team's alert settings (all off, or firing ones)."""
            alerts = dict.fromkeys(ALERT_DEFAULTS["alerts"])
            if on:
                alerts = {**ALERT_DEFAULTS["alerts"], "break_over_s": 10}
            body = {**ALERT_DEFAULTS, "alerts": alerts}
            for lead in leads:
                r = await http.put(
                    f"/teams/{lead.team_id}/settings", json=body, headers=_auth(lead)
                )
                assert r.status_code == 200, r.text

        async def state_phase() -> None:
            """State changes and lookups at a fixed total rate."""
            interval = 1.0 / args.rate
            inflight: set[asyncio.Task[None]] = set()
            end = time.perf_counter() + args.duration
            while time.perf_counter() < end:
                agent = rng.choice(members)
                if agent.user_id not in pending_state:
                    t = asyncio.create_task(change_state(agent))
                    inflight.add(t)
                    t.add_done_callback(inflight.discard)
                t2 = asyncio.create_task(lookup(rng.choice(members)))
                inflight.add(t2)
                t2.add_done_callback(inflight.discard)
                await asyncio.sleep(interval)
            await asyncio.gather(*inflight)
            await asyncio.sleep(2)

        # Phase 1: state changes (with alerts off, on, or one run of each). Comparing
        # both: a warm-up first, so neither measured phase pays for the first requests.
        if args.alerts == "both":
            await set_alerts(False)
            phase["name"] = "warm-up"
            saved, args.duration = args.duration, min(5.0, args.duration)
            print(f"state changes, warm-up, {args.duration:g} s", flush=True)
            await state_phase()
            args.duration = saved
        for name in ("alerts off", "alerts on"):
            if (args.alerts, name) in (("on", "alerts off"), ("off", "alerts on")):
                continue
            await set_alerts(name == "alerts on")
            phase["name"] = name
            print(f"state changes, {name}, {args.duration:g} s", flush=True)
            await state_phase()
        if queues and args.queue_calls > 0:
            for qt in queues:
                for a in qt.agents:
                    r = await http.put(
                        "/agents/me/state", json={"state": "available"}, headers=_auth(a)
                    )
                    assert r.status_code == 200, r.text
                    qt.free.append(a)
            phase["name"] = "with queue calls"
            print(f"state changes, with queue calls, {args.duration:g} s", flush=True)
            stop = asyncio.Event()
            traffic = asyncio.create_task(
                queue_traffic(port, queues, acd_token, args.queue_calls, res, stop, http)
            )
            await state_phase()
            stop.set()
            await traffic
            res.state_ms_with_queue = res.state_ms_by_phase.get("with queue calls", [])

        # Phase 2: each lead broadcasts to the whole team, round after round.
        for _round in range(args.broadcast_rounds):
            for lead in leads:
                t0 = time.perf_counter()
                body = {"to_team_id": lead.team_id, "body": "Point d'équipe"}
                r = await http.post("/messages", json=body, headers=_auth(lead))
                assert r.status_code == 201, r.text
                sent_messages[int(r.json()["id"])] = (t0, lead.team)
                await asyncio.sleep(1.0 / args.rate)
        await asyncio.sleep(3)
    for msg_id, (t0, team) in sent_messages.items():
        times = [m.received.get(msg_id) for m in by_team[team]]
        got = [t for t in times if t is not None]
        res.missing_receipts += len(times) - len(got)
        res.broadcast_ms += [(t - t0) * 1000 for t in got]
        if got:
            res.broadcast_last_ms.append((max(got) - t0) * 1000)
    for t in tasks:
        t.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    return res


async def queue_traffic(
    port: int,
    queues: list[QueueTeam],
    acd_token: str,
    rate: float,
    res: Results,
    stop: asyncio.Event,
    http: httpx.AsyncClient,
) -> None:
    """Customer calls at `rate`/s as Kamailio's ACD reports them, until `stop`.

    A call asks `/acd/route` (its entry), again every second while nobody is free; rings
    0.3-1.5 s; 10 % hang up while it rings (487), 10 % give up waiting after 2-10 s
    (`/acd/ended`), the rest are answered, talk 1-3 s and wrap up (the agent's PUTs).
    """
    rng = random.Random(11)
    by_sip = {a.name: a for qt in queues for a in qt.agents}
    limits = httpx.Limits(max_connections=32, max_keepalive_connections=32)
    async with httpx.AsyncClient(
        base_url=f"http://127.0.0.1:{port}{API}/acd",
        auth=("acd", acd_token),
        limits=limits,
        timeout=60,
    ) as acd:

        async def hook(path: str, **params: str | int) -> httpx.Response:
            t0 = time.perf_counter()
            r = await acd.get(path, params=params)
            res.queue_hook_ms.append((time.perf_counter() - t0) * 1000)
            return r

        async def one_call(n: int) -> None:
            qt = rng.choice(queues)
            call_id = f"bench-{n}@{qt.name}"
            patience_s = rng.uniform(2, 10) if rng.random() < 0.1 else 60.0
            entered = time.perf_counter()
            try:
                while True:
                    r = await hook("/route", queue=qt.name, call_id=call_id)
                    if r.status_code == 200:
                        break
                    if r.status_code != 202:
                        res.queue_errors += 1
                        return
                    if time.perf_counter() - entered > patience_s:
                        await hook("/ended", call_id=call_id, outcome="abandoned")
                        res.queue_abandoned += 1
                        return
                    await asyncio.sleep(1.0)
                agent = by_sip[r.text]
                await asyncio.sleep(rng.uniform(0.3, 1.5))
                if rng.random() < 0.1:
                    await hook("/ended", call_id=call_id, outcome="abandoned")
                    await hook("/result", call_id=call_id, code=487)
                    res.queue_abandoned += 1
                    return
                r = await hook("/result", call_id=call_id, code=200)
                if r.status_code != 200:
                    res.queue_errors += 1
                    return
                res.queue_answered += 1
                await asyncio.sleep(rng.uniform(1, 3))
                for state in ("wrap_up", "available"):
                    r = await http.put(
                        "/agents/me/state", json={"state": state}, headers=_auth(agent)
                    )
                    if r.status_code != 200:
                        res.queue_errors += 1
            except httpx.HTTPError:
                res.queue_errors += 1

        calls: set[asyncio.Task[None]] = set()
        n = 0
        while not stop.is_set():
            n += 1
            res.queue_calls += 1
            task = asyncio.create_task(one_call(n))
            calls.add(task)
            task.add_done_callback(calls.discard)
            await asyncio.sleep(1.0 / rate)
        await asyncio.gather(*calls)


def _auth(actor: Actor) -> dict[str, str]:
    return {"Authorization": f"Bearer {actor.token}"}


@contextlib.contextmanager
def database(backend: str) -> Iterator[str]:
    if backend == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{folder}/bench.db"
    else:
        from tests.helpers.postgres import run_postgres

        with run_postgres() as cluster:
            yield cluster.create_database("bench")


def main() -> int:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--agents", type=int, default=2000)
    p.add_argument("--team-size", type=int, default=50)
    p.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    p.add_argument(
        "--rate", type=float, default=40.0, help="state changes (and lookups) per second"
    )
    p.add_argument("--duration", type=float, default=30.0, help="seconds of state changes")
    p.add_argument("--broadcast-rounds", type=int, default=3)
    p.add_argument(
        "--queue-calls",
        type=float,
        default=0.0,
        help="customer calls/s through the ACD hook in a second state-change phase (0: off)",
    )
    p.add_argument("--queue-teams", type=int, default=40, help="teams answering queue calls")
    p.add_argument(
        "--alerts",
        choices=("off", "on", "both"),
        default="off",
        help="alert evaluation during the state changes: every alert off, firing alerts "
        "on every team, or one phase of each in the same run (default: %(default)s)",
    )
    args = p.parse_args()
    os.environ["HOMEAGENT_ARGON2_CHEAP"] = "1"
    with database(args.backend) as url, tempfile.TemporaryDirectory() as logs:
        db = Database(url)
        t0 = time.perf_counter()
        queue_teams = args.queue_teams if args.queue_calls > 0 else 0
        members, leads, queues = prepare(db, args.agents, args.team_size, queue_teams)
        acd_token = db.settings()["acd_token"]
        print(
            f"{len(members)} agents, {len(leads)} leads ready in {time.perf_counter() - t0:.1f} s",
            flush=True,
        )
        port = free_port()
        log = open(Path(logs) / "server.log", "wb")  # noqa: SIM115
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "homeagent.server.cli",
                "run",
                "--db",
                url,
                "--port",
                str(port),
                "--log-level",
                "warning",
                # every agent and lead holds a stream, plus the HTTP clients: above the
                # server's default cap of open connections (1,000)
                "--max-connections",
                str(len(members) + len(leads) + 6 * len(queues or []) + 500),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=REPO,
        )
        try:
            for _ in range(300):
                with contextlib.suppress(httpx.HTTPError):
                    if (
                        httpx.get(f"http://127.0.0.1:{port}{API}/health", timeout=1).status_code
                        == 200
                    ):
                        break
                time.sleep(0.1)
            res = asyncio.run(run_load(port, members, leads, args, queues, acd_token))
        finally:
            server.terminate()
            server.wait(15)
            log.close()
        db.dispose()
    print(
        f"\nbackend={args.backend} agents={len(members)} leads={len(leads)} "
        f"rate={args.rate}/s duration={args.duration}s alerts={args.alerts}"
    )
    _line("state change -> team lead", res.state_ms)
    for name, values in res.state_ms_by_phase.items():
        raised = res.alerts_raised.get(name, 0)
        _line(f"  ({name}; {raised} alerts)", values)
    if args.queue_calls > 0:
        _line("  same, with queue calls", res.state_ms_with_queue)
        _line("ACD hook request (HTTP)", res.queue_hook_ms)
        print(
            f"queue calls: {res.queue_calls} placed at {args.queue_calls}/s, "
            f"{res.queue_answered} answered, {res.queue_abandoned} abandoned, "
            f"{res.queue_errors} errors; queue_stats events received: {res.queue_stats_events}"
        )
    _line("team broadcast -> each agent", res.broadcast_ms)
    _line("team broadcast -> last agent", res.broadcast_last_ms)
    _line("contact lookup (HTTP)", res.lookup_ms)
    print(
        f"state change errors: {res.state_errors}; lookup errors: {res.lookup_errors}; "
        f"broadcast receipts missing: {res.missing_receipts}"
    )
    return 0


def _line(label: str, values: list[float]) -> None:
    nan = float("nan")
    mean = statistics.fmean(values) if values else nan
    print(
        f"{label:30s} n={len(values):6d}  p50={pct(values, 50):8.1f} ms  "
        f"p99={pct(values, 99):8.1f} ms  max={max(values, default=nan):8.1f} ms  "
        f"mean={mean:8.1f} ms"
    )


if __name__ == "__main__":
    sys.exit(main())
