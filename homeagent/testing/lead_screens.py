"""``python -m homeagent.testing.lead_screens OUTDIR [--lang fr|en] [--dark]``: the lead
console's messages, help queue, alerts and day view over `FakeLeadComms`, one PNG each.

`populate_demo()` fills a fake with a plausible morning (an urgent message read by some,
an agent's question, two help requests, three alerts, the day's timelines); the demo and
the screenshots share it. Run under Xvfb for real fonts; offscreen works too.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from zoneinfo import ZoneInfo

from PySide6.QtWidgets import QApplication, QTabWidget

from homeagent.testing.lead_comms import FakeLeadComms, sample_day
from homeagent.testing.screenshots import pump
from homeagent.ui.lead.alerts import AlertsPanel
from homeagent.ui.lead.day_view import DayView
from homeagent.ui.lead.help_queue import HelpQueuePanel
from homeagent.ui.lead.messages import MessagesPanel
from homeagent.ui.qt.dispatcher import Dispatcher
from homeagent.ui.qt.i18n import install_translators
from homeagent.ui.qt.tasks import TaskRunner
from homeagent.ui.qt.theme import apply_theme

DEMO_AGENTS = (
    ("a-1", "alice", "Alice Martin"),
    ("a-2", "bruno", "Bruno Petit"),
    ("a-3", "chloe", "Chloé Durand"),
    ("a-4", "david", "David Moreau"),
)


class DemoClock:
    """A clock the demo moves by hand."""

    def __init__(self, start: dt.datetime) -> None:
        self.now = start

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += dt.timedelta(seconds=seconds)


def populate_demo(server: FakeLeadComms, clock: DemoClock) -> None:
    """A morning of a four-agent team (see the module docstring)."""
    day = clock().date()
    server.set_day("team", server.team_id, day, sample_day(day, tuple(DEMO_AGENTS)))
    sent = server.handle("POST", "/messages", {}, {
        "to_team_id": server.team_id, "priority": "urgent",
        "body": "Incident opérateur : basculez sur la file secours jusqu'à nouvel ordre.",
    })  # fmt: skip
    server.agent_receipt(sent["id"], "a-1", "ack")
    server.agent_receipt(sent["id"], "a-2", "read")
    clock.advance(180)
    server.agent_writes("a-3", "Je peux décaler ma pause déjeuner à 13 h ?")
    server.agent_asks_help("a-2", "Client très mécontent, demande un geste commercial",
                           call_started_at=clock() - dt.timedelta(minutes=6))  # fmt: skip
    clock.advance(95)
    server.agent_asks_help("a-4", "Question sur la résiliation", queue="ventes",
                           call_started_at=clock() - dt.timedelta(minutes=2))  # fmt: skip
    server.raise_alert("a-2", "break_over", 1010, 900)
    server.raise_alert("a-4", "mos_under", 2.84, 3.1)
    missed = server.raise_alert("a-1", "missed_in_row", 3, 3)
    server.handle("POST", f"/alerts/{missed}/ack", {}, None)
    server.clear_alert(missed)
    server.drain_events()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("outdir", type=Path)
    parser.add_argument("--lang", default="fr", choices=("fr", "en"))
    parser.add_argument("--dark", action="store_true")
    args = parser.parse_args(argv)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    keep = install_translators(app, args.lang, Path(tempfile.mkdtemp(prefix="qm-")))
    apply_theme(app, dark=args.dark)
    clock = DemoClock(dt.datetime(2026, 12, 1, 10, 30, tzinfo=dt.UTC))
    server = FakeLeadComms(agents=DEMO_AGENTS, now=clock)
    populate_demo(server, clock)
    dispatcher = Dispatcher()
    net, disk = TaskRunner(dispatcher, "net"), TaskRunner(dispatcher, "disk")
    tz = ZoneInfo("Europe/Paris")
    roster = [(a, name) for a, _, name in DEMO_AGENTS]
    notes: list[tuple[str, str]] = []
    messages = MessagesPanel(server, net, server.team_id, me_id=server.lead_id, tz=tz)
    help_queue = HelpQueuePanel(server, net, clock=clock)
    alerts = AlertsPanel(server, net, server.team_id, lambda t, b: notes.append((t, b)),
                         clock=clock, tz=tz)  # fmt: skip
    day = DayView(server, net, disk, server.team_id, "Service client", clock=clock, tz=tz)
    messages.set_agents(roster)
    day.set_agents(roster)
    tabs = QTabWidget()
    titles = {"fr": ("Messages", "Demandes d'aide", "Alertes", "Journée"),
              "en": ("Messages", "Help requests", "Alerts", "Day")}[args.lang]  # fmt: skip
    for widget, title in zip((messages, help_queue, alerts, day), titles, strict=True):
        tabs.addTab(widget, title)
    tabs.resize(1366, 768)
    tabs.show()
    starts: list[Callable[[], None]] = [messages.start, help_queue.start, alerts.start, day.load]
    for start in starts:
        start()
    pump(1500)
    messages.view.setCurrentRow(0)
    help_queue.select(help_queue.requests()[0].id)
    args.outdir.mkdir(parents=True, exist_ok=True)
    suffix = ("" if args.lang == "fr" else "_en") + ("_dark" if args.dark else "")
    for index, name in enumerate(("lead_messages", "lead_help", "lead_alerts", "lead_day")):
        tabs.setCurrentIndex(index)
        pump(400)
        tabs.grab().save(str(args.outdir / f"{name}{suffix}.png"))
    net.close()
    disk.close()
    del keep
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
