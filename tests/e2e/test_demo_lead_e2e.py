"""End to end: `homeagent demo --lead` under Xvfb — the team lead's window beside the desk,
and a simulated team whose states change through the server and the real ACD.

Everything is checked the way a lead sees it — through the server's API, signed in as the
lead with the user name and password the demo prints — plus the server's database for
what the API does not expose (the ACD's offers, the lead's devices). A second test kills
the demo with SIGKILL: no child may outlive it.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.applog import events, running_demo, wait_event
from tests.helpers.procs import require_tool

pytestmark = pytest.mark.e2e

TEAM_SIZE = 8
# A fast shift (talk 6-27 s, wrap-up 2-9 s) so calls end and wrap up within the test.
ARGS = ("--lead", "--team-size", str(TEAM_SIZE), "--contacts", "200", "--first-call", "2",
        "--pace", "0.3")  # fmt: skip


def _printed(app_log: Path, timeout_s: float = 40) -> dict[str, str]:
    """What the demo printed for the lead: server URL, user name, password."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        text = app_log.read_text(encoding="utf-8", errors="replace") if app_log.exists() else ""
        url = re.search(r"Serveur\s+: (http://127\.0\.0\.1:\d+)", text)
        login = re.search(r"Superviseur\s+: .+ — identifiant (\S+)", text)
        password = re.search(r"Mot de passe\s+: (\S+)", text)
        if url and login and password:
            return {"url": url[1], "login": login[1], "password": password[1]}
        time.sleep(0.2)
    raise AssertionError(f"the demo did not print the lead's sign-in: {text[-2000:]}")


def _team_logins(root: Path) -> list[str]:
    logins: list[str] = []
    for config in sorted(root.glob("team-*.json")):
        assert config.stat().st_mode & 0o077 == 0  # it holds the demo's password
        logins += json.loads(config.read_text())["agents"]
    return logins


@pytest.fixture
def lead_api() -> Iterator[httpx.Client]:
    client = httpx.Client(timeout=10)
    yield client
    client.close()


def _sign_in(api: httpx.Client, printed: dict[str, str]) -> dict[str, Any]:
    api.base_url = httpx.URL(printed["url"] + "/api/v1")
    login = {"username": printed["login"], "password": printed["password"], "device_name": "e2e"}
    r = api.post("/auth/login", json=login)
    assert r.status_code == 200, r.text
    api.headers["Authorization"] = f"Bearer {r.json()['access_token']}"
    me = api.get("/me").json()
    assert me["user"]["role"] == "team_lead"
    return dict(me)


def _offers_and_wrapped_calls(db_url: str, agent_ids: set[str]) -> list[tuple[str, str, str]]:
    """(agent id, disposition, SIP Call-ID) of calls a simulated agent answered through
    the ACD (the offer's outcome) and wrapped up (a disposition on the logged call)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from sqlalchemy import select

    from homeagent.server.db import Database
    from homeagent.server.models import AcdOffer, Interaction

    db = Database(db_url)
    try:
        with db.read() as s:
            rows = s.execute(
                select(Interaction.agent_id, Interaction.disposition, Interaction.sip_call_id)
                .join(AcdOffer, AcdOffer.call_id == Interaction.sip_call_id)
                .where(
                    AcdOffer.outcome == "answered",
                    AcdOffer.agent_id == Interaction.agent_id,
                    Interaction.outcome == "answered",
                    Interaction.disposition.is_not(None),
                    Interaction.wrapped_at.is_not(None),
                )
            ).all()
    finally:
        db.dispose()
    return [(a, d or "", c) for a, d, c in rows if a in agent_ids]


def test_the_lead_demo_runs_a_live_team_through_the_server(
    xvfb,  # type: ignore[no-untyped-def]
    tmp_path: Path,
    lead_api: httpx.Client,
) -> None:
    with running_demo(xvfb.env, tmp_path, *ARGS) as demo:
        printed = _printed(tmp_path / "app.log")
        me = _sign_in(lead_api, printed)
        team_id = me["user"]["team_id"]
        team_logins = set(_team_logins(demo.root))
        assert len(team_logins) == TEAM_SIZE
        codes = {d["code"] for d in me["team"]["dispositions"]}
        reasons = set(me["team"]["pause_reasons"])

        # the lead's window: a process of its own, enrolled as the lead, registered
        lead_log = demo.root / "lead" / "events.jsonl"
        wait_event(lead_log, "enrolled", 40, demo.proc)
        wait_event(lead_log, "registration", 20, demo.proc, state="registered")

        deadline = time.monotonic() + 45
        changed: dict[str, set[str]] = {}
        wrapped: list[tuple[str, str, str]] = []
        while time.monotonic() < deadline:
            board = lead_api.get(f"/teams/{team_id}/agents")
            assert board.status_code == 200, board.text
            sims = {a["agent_id"]: a for a in board.json() if a["name"] in team_logins}
            assert len(sims) == TEAM_SIZE  # all on the lead's team
            for agent_id in sims:
                history = lead_api.get(f"/agents/{agent_id}/state-history").json()
                changed[agent_id] = {seg["state"] for seg in history}
                breaks = {seg["reason"] for seg in history if seg["state"] == "break"}
                assert breaks <= reasons  # only the team's pause reasons
            wrapped = _offers_and_wrapped_calls(demo.db_url, set(sims))
            busy = [a for a, states in changed.items() if len(states - {"offline"}) >= 3]
            if wrapped and len(busy) >= 4:
                break
            assert demo.proc.poll() is None
            time.sleep(1.0)
        busy = [a for a, states in changed.items() if len(states - {"offline"}) >= 3]
        assert len(busy) >= 4, f"few simulated agents moved: {changed}"
        assert wrapped, f"no ACD call answered and wrapped up by the team: {changed}"
        agent_id, disposition, call_id = wrapped[0]
        assert disposition in codes
        assert call_id  # the SIP Call-ID the ACD offered is the one the agent logged
        assert {"ringing", "on_call", "wrap_up"} <= changed[agent_id]
        figures = lead_api.get(f"/figures/agents/{agent_id}").json()
        assert figures["calls_handled"] >= 1, figures
        assert figures["wrap_up_s"] > 0, figures

        # the lead's greeting and urgent message (sent when the desk opened) were read
        assert _readers_of_lead_messages(demo.db_url, set(sims)) >= TEAM_SIZE // 2

        # the lead's window is still up and its device enrolled, next to this test's
        assert _lead_window_alive(demo.proc.pid)
        assert _lead_devices(demo.db_url, printed["login"]) >= 2
        assert "app_stopped" not in [e["event"] for e in events(lead_log)]
    team_log = "".join(p.read_text() for p in sorted(demo.root.glob("team-*.log")))
    assert printed["password"] not in team_log  # nor any token: the log says what happened
    assert "Traceback" not in team_log, team_log[-3000:]
    assert events(lead_log)[-1]["event"] == "app_stopped"  # closed with the demo
    acd_log = (demo.root / "kamailio" / "kamailio.log").read_text(errors="replace")
    for code in ("482", "486"):  # a re-offer lost as a merged request (see sip/bank.py)
        assert f"offer ended with {code}" not in acd_log


def _descendants(pid: int) -> dict[int, str]:
    """Every process under `pid` (children, their children…): pid → command line."""
    parents: dict[int, int] = {}
    commands: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmd = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
        parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
        commands[int(entry.name)] = cmd
    found: dict[int, str] = {}
    frontier = [pid]
    while frontier:
        here = frontier.pop()
        for child, parent in parents.items():
            if parent == here and child not in found:
                found[child] = commands[child]
                frontier.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _lead_window_alive(demo_pid: int) -> bool:
    return any("homeagent.demo.lead_window" in c for c in _descendants(demo_pid).values())


def _readers_of_lead_messages(db_url: str, agent_ids: set[str]) -> int:
    """How many of `agent_ids` read every team message the lead sent (their receipts)."""
    from sqlalchemy import select

    from homeagent.server.db import Database
    from homeagent.server.models import Message, MessageReceipt

    db = Database(db_url)
    try:
        with db.read() as s:
            sent = set(s.scalars(select(Message.id).where(Message.to_team_id.is_not(None))))
            reads = s.execute(
                select(MessageReceipt.message_id, MessageReceipt.agent_id).where(
                    MessageReceipt.read_at.is_not(None)
                )
            ).all()
    finally:
        db.dispose()
    assert sent, "the lead sent no team message"
    read_by = {a: {m for m, who in reads if who == a} for a in agent_ids}
    return sum(sent <= got for got in read_by.values())


def _lead_devices(db_url: str, login: str) -> int:
    from sqlalchemy import func, select

    from homeagent.server.db import Database
    from homeagent.server.models import Device, User

    db = Database(db_url)
    try:
        with db.read() as s:
            count = s.scalar(
                select(func.count())
                .select_from(Device)
                .join(User, User.id == Device.user_id)
                .where(User.name == login, Device.revoked_at.is_(None))
            )
    finally:
        db.dispose()
    return int(count or 0)


def test_killing_the_demo_kills_the_team_the_lead_window_and_the_rest(
    xvfb,  # type: ignore[no-untyped-def]
    tmp_path: Path,
) -> None:
    require_tool("kamailio")
    root = tmp_path / "demo"
    argv = [sys.executable, "-m", "homeagent", "demo", "--dir", str(root), "--no-audio",
            "--lang", "fr", "--lead", "--team-size", "8", "--contacts", "100",
            "--first-call", "1"]  # fmt: skip
    with open(tmp_path / "app.log", "wb") as out:
        proc = subprocess.Popen(argv, env=xvfb.env, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_event(root / "lead" / "events.jsonl", "enrolled", 40, proc)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            logs = "".join(p.read_text() for p in root.glob("team-*.log"))
            if logs.count("signing in Available") == 8:
                break
            time.sleep(0.3)
        else:
            raise AssertionError(f"the team did not sign in: {logs[-2000:]}")
        children = _descendants(proc.pid)
        kinds = " ".join(children.values())
        for part in ("homeagent.demo.team", "homeagent.demo.lead_window", "homeagent.server.cli",
                     "kamailio", "homeagent.demo.reaper"):  # fmt: skip
            assert part in kinds, f"no {part} among the demo's children: {children}"
        assert sum("homeagent.demo.team " in c for c in children.values()) == 8  # one each
        os.kill(proc.pid, signal.SIGKILL)  # nothing of the demo's own clean-up runs
        proc.wait(5)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and any(_alive(p) for p in children):
            time.sleep(0.2)
        left = {p: c for p, c in children.items() if _alive(p)}
        assert not left, f"orphans after kill -9 of the demo: {left}"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(5)
