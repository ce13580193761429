"""A team-lead console over `FakeLeadBoardServer`: tests, screenshots and the benchmark."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtWidgets import QWidget

from homeagent.testing.lead_board import FakeLeadBoardServer, FakeLeadLeg, FakeSupervisionServer
from homeagent.ui.lead.board_model import LeadBoardModel
from homeagent.ui.lead.console import LeadConsole
from homeagent.ui.lead.controller import LeadController
from homeagent.ui.lead.queues_panel import QueuesModel
from homeagent.ui.lead.supervision import ConsoleSupervision


def run_now(
    job: Callable[[], Any],
    on_done: Callable[[Any], object] | None = None,
    on_error: Callable[[BaseException], object] | None = None,
) -> None:
    """A lane that runs the job at once on the calling thread (deterministic tests)."""
    try:
        result = job()
    except Exception as exc:
        if on_error is not None:
            on_error(exc)
        return
    if on_done is not None:
        on_done(result)


@dataclass
class FakeConsole:
    server: FakeLeadBoardServer
    board: LeadBoardModel
    queues: QueuesModel
    console: LeadConsole
    controller: LeadController
    supervision: ConsoleSupervision | None = None
    sup_server: FakeSupervisionServer | None = None
    leg: FakeLeadLeg | None = None
    log: list[tuple[str, dict[str, object]]] = field(default_factory=list)

    def feed(self, event_type: str, data: object, event_id: int = 0) -> bool:
        """One stream event, as the composition routes it."""
        shown = self.controller.handle_event(event_type, data, event_id)
        if self.supervision is not None:
            shown = self.supervision.handle_event(event_type, data, event_id) or shown
        return shown

    def agent_connects_leg(self, session_id: int) -> bool:
        """The supervised agent's app places the leg with the session's token."""
        assert self.sup_server is not None
        assert self.leg is not None
        token = self.sup_server.tokens[session_id]
        mode = str(self.sup_server.sessions[session_id]["mode"])
        if not self.leg.connect(session_id, token, mode):
            return False
        self.sup_server.supervision_connected(session_id)
        return True

    def close(self) -> None:
        if self.supervision is not None:
            job = self.supervision.shutdown()
            if job is not None:
                job()
        self.controller.stop()
        self.console.close()
        self.console.deleteLater()


def build_fake_console(
    *,
    agents: int = 10,
    clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    run: Callable[..., None] = run_now,
    choose_team: bool = False,
    extra_pages: tuple[tuple[str, QWidget], ...] = (),
    live: bool = True,
    supervision: bool = False,
    has_line: bool = True,
    monotonic: Callable[[], float] | None = None,
) -> FakeConsole:
    """The console over a fake team; with `live`, the fake's events reach the console
    synchronously (as the dispatcher delivers them on the GUI thread). With
    `supervision`, call supervision over `FakeSupervisionServer` and a `FakeLeadLeg`
    for the lead's engine (`monotonic`: the supervision's clock; the event log lines in
    `.log`)."""
    server = FakeLeadBoardServer(agents=agents, now=clock)
    board = LeadBoardModel(clock)
    queues = QueuesModel(clock)
    console = LeadConsole(board, queues, choose_team=choose_team, extra_pages=extra_pages)
    controller = LeadController(
        api=server,  # type: ignore[arg-type]  # the fake returns the same records
        console=console,
        run=run,
        team_id=None if choose_team else server.team_id,
        choose_team=choose_team,
        pause_reasons=server.pause_reasons,
    )
    fake = FakeConsole(server, board, queues, console, controller)
    if supervision:
        fake.sup_server = FakeSupervisionServer(server)
        fake.leg = FakeLeadLeg()

        def write_log(event: str, **fields: object) -> None:
            fake.log.append((event, fields))

        fake.supervision = ConsoleSupervision(
            console=console,
            api=fake.sup_server,  # type: ignore[arg-type]  # the fake returns the same records
            submit=fake.leg.submit,  # type: ignore[arg-type]
            run=run,
            write_log=write_log,
            me_id=server.lead["id"],
            has_line=has_line,
            clock=monotonic or time.monotonic,
            parent=console,
        )
        fake.leg.on_event = fake.supervision.engine_event
    if live:

        def deliver(event_type: str, data: dict[str, object]) -> None:
            left = event_type == "agent_state" and data.get("state") != "on_call"
            if left and fake.sup_server is not None:  # the server ends the sessions
                fake.sup_server.agent_left_call(str(data["agent_id"]))
            fake.feed(event_type, data)

        server.on_event = deliver
    return fake


def populate_demo(server: FakeLeadBoardServer, now: dt.datetime) -> None:
    """A believable mid-morning team: calls, wrap-ups, breaks, a missed call, a bad line."""
    ids = list(server.rows)
    minutes = dt.timedelta(minutes=1)

    def call(ago_min: float, queue: str) -> Callable[[str], object]:
        return lambda a: server.start_call(a, queue, started_at=now - ago_min * minutes)

    def state(name: str, reason: str = "", ago_min: float = 0) -> Callable[[str], object]:
        return lambda a: server.set_state(a, name, reason, since=now - ago_min * minutes)

    plan: list[tuple[str, Callable[[str], object]]] = [
        ("on_call", call(3.2, "support")),
        ("on_call", call(11.5, "support")),
        ("on_call", call(16.1, "sales")),
        ("wrap_up", lambda a: (call(6, "billing")(a), state("wrap_up", ago_min=1.7)(a))),
        ("available", state("available", ago_min=0.6)),
        ("available", state("available", ago_min=4.0)),
        ("break", state("break", "Déjeuner", ago_min=12.5)),
        ("break", state("break", "Café", ago_min=3.0)),
        ("not_ready", state("not_ready", "missed", ago_min=2.2)),
        ("offline", state("offline", ago_min=55)),
        ("available", state("available", ago_min=9.0)),
        ("break", state("break", "Formation", ago_min=31)),
    ]
    figures = [
        (14, 312, 0, 2, 1500), (11, 402, 1, 3, 2300), (9, 498, 2, 2, 1200), (12, 275, 0, 1, 600),
        (15, 260, 0, 2, 1800), (8, 355, 3, 1, 900), (10, 340, 0, 3, 2600), (13, 290, 1, 2, 1100),
        (7, 380, 4, 1, 700), (0, 0, 0, 0, 0), (9, 330, 0, 2, 1300), (6, 310, 0, 2, 2200),
    ]  # fmt: skip
    for i, agent_id in enumerate(ids):
        handled, aht, missed, breaks, break_s = figures[i % len(figures)]
        server.figures(agent_id, calls_handled=handled, avg_handle_s=aht, missed=missed,
                       missed_in_row=1 if i % len(figures) == 8 else 0,
                       breaks={"count": breaks, "duration_s": break_s})  # fmt: skip
        plan[i % len(plan)][1](agent_id)
    if len(ids) > 2:
        server.quality(ids[0], 4.3, 0.2, 6, 38)
        server.quality(ids[1], 3.4, 2.8, 31, 95)
        server.quality(ids[2], 2.9, 7.5, 64, 180)
        # the morning's pre-shift checks: most green, one Wi-Fi at home, one not done
        for i, agent_id in enumerate(ids[:-1]):
            if i == 3:
                server.network(agent_id, "red", 2.4, 9.5, 38, 96)
            elif i == 5:
                server.network(agent_id, "amber", 3.8, 1.6, 24, 70)
            else:
                server.network(agent_id, "green", 4.3, 0.0, 2 + i % 3, 22 + i)
    if len(ids) > 1:
        server.set_agent_state_remote(ids[1], "break", "Déjeuner", "Pense à manger !")
    server.queue("support", waiting=3, oldest_since=_iso(now - 0.9 * minutes), offered=64,
                 answered=57, abandoned=4, service_level_pct=86.4, asa_s=14.2)  # fmt: skip
    server.queue("sales", waiting=1, oldest_since=_iso(now - 0.4 * minutes), offered=23,
                 answered=19, abandoned=3, service_level_pct=71.0, asa_s=24.8)  # fmt: skip
    server.queue("billing", waiting=0, offered=12, answered=9, abandoned=3,
                 service_level_pct=52.5, asa_s=41.0)  # fmt: skip


def _iso(when: dt.datetime) -> str:
    return when.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
