"""'Ma journée' against a scripted day with known answers (docs/api.md, "Figures").

The real server (its app under uvicorn, on a free port) is driven over HTTP exactly as
the desk and Kamailio's ACD hook drive it: state changes, logged calls, queue offers and
their results. Its clock (`homeagent.server.models.clock`) is the one thing scripted, so
every segment has a known length without sleeping. Each figure is then asserted exactly,
and "missed" is checked against the History's own rule (`Outcome.from_wire`).
"""

from __future__ import annotations

import datetime as dt
import os
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from homeagent.core.desk_types import Outcome
from homeagent.server import alerts, models
from homeagent.server.app import create_app
from homeagent.server.db import Database
from tests.helpers.procs import free_port
from tests.integration.server.launch import API, PASSWORD, Org, Session, login, prepare

DAY = dt.date(2026, 11, 20)  # a past day: nothing else of the suite lands on it


def at(hh: int, mm: int, ss: int = 0, day: dt.date = DAY) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hh, mm, ss), dt.UTC)


@dataclass
class ScriptedClock:
    """The server's clock, moved by the test."""

    now: dt.datetime = field(default_factory=lambda: at(8, 0))

    def __call__(self) -> dt.datetime:
        return self.now


@dataclass
class Day:
    url: str
    org: Org
    acd_token: str
    clock: ScriptedClock
    db: Database


@pytest.fixture(scope="module")
def day_server(db_url: str) -> Iterator[Day]:
    """The real app on a free port, its clock scripted (in-process: the clock is ours)."""
    db, org = prepare(db_url)
    clock = ScriptedClock()
    saved, models.clock = models.clock, clock
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(db), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    try:
        yield Day(url, org, db.settings()["acd_token"], clock, db)
    finally:
        server.should_exit = True
        thread.join(10)
        models.clock = saved
        db.dispose()


class Desk:
    """What an agent's desk sends, at scripted times."""

    def __init__(self, day: Day, session: Session) -> None:
        self.day, self.s = day, session
        self.acd = httpx.Client(
            base_url=f"{day.url}{API}/acd", auth=("acd", day.acd_token), timeout=10
        )
        self.logged: list[dict[str, Any]] = []

    def close(self) -> None:
        self.acd.close()

    def state(self, when: dt.datetime, state: str, reason: str = "") -> None:
        self.day.clock.now = when
        r = self.s.client.put("/agents/me/state", json={"state": state, "reason": reason})
        assert r.status_code == 200, r.text

    def log(self, started: dt.datetime, outcome: str, **fields: Any) -> None:
        """POST /interactions at the call's end (or start when it has none)."""
        body: dict[str, Any] = {
            "id": str(uuid.uuid4()),
            "direction": "inbound",
            "remote_number": "+33612345678",
            "started_at": started.isoformat(),
            "outcome": outcome,
        }
        for key, value in fields.items():
            body[key] = value.isoformat() if isinstance(value, dt.datetime) else value
        self.day.clock.now = fields.get("ended_at") or started
        r = self.s.client.post("/interactions", json=body)
        assert r.status_code == 201, r.text
        self.logged.append(body)

    def offer(self, when: dt.datetime, call_id: str) -> None:
        """The ACD offers a queued call to the agent (Kamailio's GET /acd/route)."""
        self.day.clock.now = when
        r = self.acd.get("/route", params={"queue": "file-a", "call_id": call_id})
        assert r.status_code == 200, r.text
        assert r.text == self.s.tokens["user"]["name"], "the ACD offered someone else"

    def result(self, when: dt.datetime, call_id: str, code: int) -> str:
        self.day.clock.now = when
        r = self.acd.get("/result", params={"call_id": call_id, "code": code})
        assert r.status_code == 200, r.text
        return r.text

    def figures(self, day: dt.date = DAY) -> dict[str, Any]:
        r = self.s.client.get(f"/figures/agents/{self.s.user_id}", params={"day": str(day)})
        assert r.status_code == 200, r.text
        return dict(r.json())


@pytest.fixture(scope="module")
def scripted(day_server: Day) -> Iterator[Desk]:
    """One agent's day: 3 handled calls, 4 missed, 1 declined, 1 failed dial, 1 break."""
    desk = Desk(day_server, login(day_server.url, "agent_a1"))
    try:
        # the evening before: a break across midnight (10 min before, 10 min after)
        desk.state(at(23, 50, day=DAY - dt.timedelta(days=1)), "break", "Pause café")
        desk.state(at(0, 10), "offline")
        desk.log(
            at(23, 40, day=DAY - dt.timedelta(days=1)),
            "answered",
            answered_at=at(23, 40, 5, day=DAY - dt.timedelta(days=1)),
            ended_at=at(23, 45, day=DAY - dt.timedelta(days=1)),
        )
        desk.state(at(9, 0), "available")
        # 1. a queue call answered after 5 s of ringing: talk 180 s, wrap-up 30 s
        desk.offer(at(9, 0), "q1@gw")
        assert desk.result(at(9, 0, 5), "q1@gw", 200) == "answered"
        desk.state(at(9, 0, 5), "on_call")  # the desk's echo
        desk.log(at(9, 0), "answered", answered_at=at(9, 0, 5), ended_at=at(9, 3, 5),
                 queue="file-a", sip_call_id="q1@gw")  # fmt: skip
        desk.state(at(9, 3, 5), "wrap_up")
        desk.state(at(9, 3, 35), "available")
        # 2. a direct call with a hold in it: talk 300 s (hold included), wrap-up 90 s
        desk.state(at(9, 10), "on_call")
        desk.log(at(9, 9, 55), "answered", answered_at=at(9, 10), ended_at=at(9, 15),
                 sip_call_id="d2@gw")  # fmt: skip
        desk.state(at(9, 15), "wrap_up")
        desk.state(at(9, 16, 30), "available")
        # 3. an outbound call that connected: talk 120 s, wrap-up 60 s
        desk.state(at(9, 20), "on_call")
        desk.log(at(9, 19, 50), "answered", direction="outbound", answered_at=at(9, 20),
                 ended_at=at(9, 22))  # fmt: skip
        desk.state(at(9, 22), "wrap_up")
        desk.state(at(9, 23), "available")
        # 4. missed: the ACD's RONA (no answer in the queue's time), logged by the desk
        desk.offer(at(9, 30), "q4@gw")
        assert desk.result(at(9, 30, 15), "q4@gw", 408) == "missed"
        desk.log(at(9, 30), "missed", ended_at=at(9, 30, 15), queue="file-a",
                 sip_call_id="q4@gw")  # fmt: skip
        desk.state(at(9, 31), "available")
        # 5. missed: a RONA the desk never saw (the app was frozen): only the ACD knows
        desk.offer(at(9, 40), "q5@gw")
        assert desk.result(at(9, 40, 15), "q5@gw", 408) == "missed"
        desk.state(at(9, 41), "available")
        # 6. missed: a direct call that rang out at the desk (engine ring timeout)
        desk.log(at(9, 50), "missed", ended_at=at(9, 50, 30), sip_call_id="d6@gw")
        desk.state(at(9, 50, 30), "not_ready", "missed")
        desk.state(at(9, 51), "available")
        # 7. missed: the customer hung up while it rang (abandoned)
        desk.offer(at(9, 55), "q7@gw")
        assert desk.result(at(9, 55, 4), "q7@gw", 487) == "cancelled"
        desk.log(at(9, 55), "abandoned", ended_at=at(9, 55, 4), queue="file-a",
                 sip_call_id="q7@gw")  # fmt: skip
        # 8. declined by the agent: not missed
        desk.offer(at(10, 0), "q8@gw")
        desk.result(at(10, 0, 3), "q8@gw", 486)
        desk.log(at(10, 0), "busy", ended_at=at(10, 0, 3), queue="file-a", sip_call_id="q8@gw")
        desk.state(at(10, 0, 30), "available")
        # 9. a dial that never connected: neither handled nor missed
        desk.log(at(10, 5), "failed", direction="outbound", ended_at=at(10, 5, 20))
        # 10. a 30-minute lunch break
        desk.state(at(10, 10), "break", "Déjeuner")
        desk.state(at(10, 40), "available")
        desk.state(at(11, 0), "offline")
        desk.day.clock.now = at(18, 0)
        yield desk
    finally:
        desk.close()
        desk.s.close()


def test_every_figure_of_the_scripted_day_is_exact(scripted: Desk) -> None:
    f = scripted.figures()
    assert f == {
        "day": "2026-11-20",
        "calls_handled": 3,
        "missed": 4,
        "declined": 1,
        "talk_s": 180 + 300 + 120,
        "wrap_up_s": 30 + 90 + 60,
        "handle_s": 600 + 180,
        "avg_handle_s": 780 // 3,
        "avg_wrap_up_s": 180 // 3,
        "breaks": {"count": 1, "duration_s": 30 * 60 + 10 * 60},  # + the 10 min after 0:00
    }
    assert f["avg_wrap_up_s"] <= f["avg_handle_s"]


def test_missed_is_the_history_s_manque_plus_the_offers_no_desk_logged(scripted: Desk) -> None:
    today = [c for c in scripted.logged if c["started_at"].startswith(str(DAY))]
    shown_missed = sum(
        Outcome.from_wire(c["outcome"], c["direction"]) is Outcome.MISSED for c in today
    )
    assert shown_missed == 3  # RONA, rang out, abandoned: "Manqué" in the History
    assert scripted.figures()["missed"] == shown_missed + 1  # + q5, which no desk logged


def test_the_day_before_has_its_own_figures(scripted: Desk) -> None:
    f = scripted.figures(DAY - dt.timedelta(days=1))
    assert f["calls_handled"] == 1
    assert f["talk_s"] == 295
    assert f["avg_wrap_up_s"] == 0
    assert f["breaks"] == {"count": 1, "duration_s": 10 * 60}  # its part before midnight
    assert f["missed"] == 0


def test_an_open_break_counts_up_to_now(day_server: Day, scripted: Desk) -> None:
    later = DAY + dt.timedelta(days=1)
    scripted.state(at(9, 0, day=later), "break", "Formation")
    day_server.clock.now = at(9, 7, 30, day=later)
    f = scripted.figures(later)
    assert f["breaks"] == {"count": 1, "duration_s": 450}
    scripted.state(at(9, 10, day=later), "offline")
    assert scripted.figures(later)["breaks"] == {"count": 1, "duration_s": 600}


def test_the_desk_s_history_and_my_day_agree_on_missed(day_server: Day, tmp_path: Path) -> None:
    """The desk's own path: calls logged through its outbox (local history + POST),
    then `AppData.history_today` and `AppData.figures_today` over the real client."""
    from homeagent.client.server import ServerClient
    from homeagent.crm.outbox import Outbox
    from homeagent.crm.store import LocalStore
    from homeagent.desktop.adapters import AppData
    from homeagent.testing.vault import MemoryVault

    today = dt.datetime.now().astimezone().date()

    def t(mm: int, ss: int = 0) -> str:
        return at(0, mm, ss, day=today).isoformat()

    desk = Desk(day_server, login(day_server.url, "agent_a2"))
    client = ServerClient(day_server.url, MemoryVault())
    store = LocalStore(tmp_path / "cache.db", os.urandom(32))
    try:
        info = client.login("agent_a2", PASSWORD, "pc-2")
        outbox = Outbox(store)

        def log(call_id: str, outcome: str, direction: str = "inbound", **times: str) -> None:
            outbox.log_call({"id": str(uuid.uuid4()), "direction": direction,
                             "remote_number": "+33612345678", "outcome": outcome,
                             "sip_call_id": call_id, **times})  # fmt: skip

        desk.state(at(0, 1, day=today), "available")
        desk.offer(at(0, 2, day=today), "a1@gw")
        desk.result(at(0, 2, 4, day=today), "a1@gw", 200)
        log("a1@gw", "answered", started_at=t(2), answered_at=t(2, 4), ended_at=t(4, 4))
        assert outbox.send_pending(client) == 1  # the call first: the wrap-up needs it
        desk.state(at(0, 4, 4, day=today), "wrap_up")
        desk.state(at(0, 4, 24, day=today), "available")
        desk.offer(at(0, 10, day=today), "a2@gw")  # RONA
        desk.result(at(0, 10, 15, day=today), "a2@gw", 408)
        log("a2@gw", "missed", started_at=t(10), ended_at=t(10, 15))
        desk.state(at(0, 11, day=today), "available")
        desk.offer(at(0, 20, day=today), "a3@gw")  # the customer hangs up
        desk.result(at(0, 20, 3, day=today), "a3@gw", 487)
        log("a3@gw", "abandoned", started_at=t(20), ended_at=t(20, 3))
        desk.offer(at(0, 30, day=today), "a4@gw")  # declined
        desk.result(at(0, 30, 2, day=today), "a4@gw", 486)
        log("a4@gw", "busy", started_at=t(30), ended_at=t(30, 2))
        log("", "failed", direction="outbound", started_at=t(40), ended_at=t(40, 9))
        assert outbox.send_pending(client) == 4
        data = AppData(store, client, lambda: str(info["user"]["id"]))
        history = data.history_today()
        figures = data.figures_today()
    finally:
        store.close()
        client.close()
        desk.close()
        desk.s.close()
    assert figures is not None
    shown = {o: sum(e.outcome is o for e in history) for o in Outcome}
    assert shown == {Outcome.ANSWERED: 1, Outcome.MISSED: 2, Outcome.DECLINED: 1,
                     Outcome.OUTBOUND: 1}  # fmt: skip
    assert figures.missed == shown[Outcome.MISSED]
    assert figures.calls_handled == shown[Outcome.ANSWERED]
    assert (figures.avg_handle_s, figures.avg_wrap_up_s, figures.wrap_up_s) == (140, 20, 20)


def test_the_scripted_day_in_hours_and_its_timeline(scripted: Desk) -> None:
    # read the next morning: the day is over (another test of the module moved the shared
    # clock there too, but xdist may run that one on the other worker)
    scripted.day.clock.now = at(9, 0, day=DAY + dt.timedelta(days=1))
    r = scripted.s.client.get(f"/agents/{scripted.s.user_id}/day", params={"day": str(DAY)})
    assert r.status_code == 200, r.text
    (me,) = r.json()["agents"]
    assert me["figures"] == scripted.figures()
    assert me["calls_per_hour"][9] == 3
    assert sum(me["calls_per_hour"]) == 3
    # 9:00 talk 180 + wrap 30; 9:09:55 talk 300 + wrap 90; 9:19:50 talk 120 + wrap 60
    assert me["handle_by_hour"][9] == round(780 / 3)
    assert [h for i, h in enumerate(me["handle_by_hour"]) if i != 9] == [None] * 23
    first, *_, last = me["timeline"]
    assert first == {
        "state": "break",
        "reason": "Pause café",
        "start": "2026-11-20T00:00:00Z",
        "end": "2026-11-20T00:10:00Z",
    }
    assert last["state"] == "offline"
    assert last["start"] == "2026-11-20T11:00:00Z"
    assert last["end"] == "2026-11-21T00:00:00Z"  # still open: clipped at the day's end
    lunch = [s for s in me["timeline"] if s["reason"] == "Déjeuner"]
    assert lunch == [
        {
            "state": "break",
            "reason": "Déjeuner",
            "start": "2026-11-20T10:10:00Z",
            "end": "2026-11-20T10:40:00Z",
        }
    ]


def test_a_break_over_its_threshold_raises_at_the_threshold(day_server: Day) -> None:
    """The timer's scan against the scripted clock: not at 14:59, exactly at 15:00."""
    later = DAY + dt.timedelta(days=3)
    desk = Desk(day_server, login(day_server.url, "agent_a2"))
    lead = login(day_server.url, "lead_a")
    try:
        desk.state(at(9, 0, day=later), "available")
        desk.state(at(9, 1, day=later), "break", "Formation")
        team = day_server.org.team_a

        def alerts_of_the_day() -> list[dict[str, Any]]:
            r = lead.client.get(f"/teams/{team}/alerts", params={"day": str(later)})
            assert r.status_code == 200, r.text
            return [a for a in r.json() if a["agent_id"] == desk.s.user_id]

        day_server.clock.now = at(9, 15, 59, day=later)
        alerts.scan(day_server.db)
        assert alerts_of_the_day() == []
        day_server.clock.now = at(9, 16, day=later)
        alerts.scan(day_server.db)
        (alert,) = alerts_of_the_day()
        assert alert["kind"] == "break_over"
        assert alert["detail"] == {"value": 900, "threshold": 900}
        assert alert["raised_at"] == "2026-11-23T09:16:00Z"
        alerts.scan(day_server.db)
        assert len(alerts_of_the_day()) == 1
        desk.state(at(9, 20, day=later), "available")
        (alert,) = alerts_of_the_day()
        assert alert["cleared_at"] == "2026-11-23T09:20:00Z"
        desk.state(at(9, 21, day=later), "offline")
    finally:
        desk.close()
        desk.s.close()
        lead.close()
