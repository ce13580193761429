"""``python -m homeagent.testing.lead_screenshots OUTDIR [--lang fr|en] [--dark]``.

The team-lead console over the fakes: the board in the desk's window (1366×768, a lead
who takes calls, on the Console side), the set-state menu's dialog for an agent in a
call, call supervision (the bar over the board while the lead listens to one agent,
another lead's session marked on the board), and the wallboard full screen (run under
Xvfb with a 1920×1080 screen to check it reads from 3 m:
``xvfb-run -s "-screen 0 1920x1080x24" python -m …``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

from PySide6.QtWidgets import QApplication

from homeagent.testing.harness import build_fake_desk, go_available
from homeagent.testing.lead_harness import FakeConsole, build_fake_console, populate_demo
from homeagent.testing.screenshots import HEIGHT, WIDTH, pump
from homeagent.ui.qt.i18n import install_translators
from homeagent.ui.qt.theme import apply_theme


def take(out: Path, suffix: str = "") -> list[Path]:
    saved: list[Path] = []
    now = dt.datetime.now(dt.UTC)
    desk = build_fake_desk(agent_name="Claire Martin")
    fake = build_fake_console(agents=12, supervision=True)
    populate_demo(fake.server, now)
    desk.window.install_console(fake.console, takes_calls=True)
    fake.controller.start()
    desk.window.resize(WIDTH, HEIGHT)
    desk.window.show()
    go_available(desk)
    try:
        pump(300)
        fake.console.view.select_agent(next(iter(fake.server.rows)))
        pump(100)
        path = out / f"lead_board{suffix}.png"
        desk.window.grab().save(str(path))
        saved.append(path)
        dialog = fake.console.row_actions.open_dialog("break", "Déjeuner")
        pump(200)
        if dialog is not None:
            path = out / f"lead_set_state{suffix}.png"
            dialog.grab().save(str(path))
            saved.append(path)
            dialog.reject()
        path = out / f"lead_supervision{suffix}.png"
        _supervise(fake, path)
        saved.append(path)
        path = out / f"lead_slots{suffix}.png"
        _slots(fake, path)
        saved.append(path)
        wall = fake.console.open_wallboard()
        pump(400)
        path = out / f"lead_wallboard{suffix}.png"
        wall.grab().save(str(path))
        saved.append(path)
        wall.close()
    finally:
        fake.close()
        desk.close()
        pump(50)
    return saved


def _supervise(fake: FakeConsole, path: Path) -> None:
    """The lead listens to the first agent (connected for 42 s); another lead whispers to
    the second one."""
    assert fake.supervision is not None
    assert fake.sup_server is not None
    first, second = list(fake.server.rows)[:2]
    fake.sup_server.other_lead_starts(second, "Marc Petit", "whisper")
    fake.console.view.select_agent(first)
    fake.console.row_actions.listen.trigger()
    fake.agent_connects_leg(fake.supervision.core.view.session_id)
    view = fake.supervision.core.view
    if view.connected_at is not None:
        fake.supervision.core.view = replace(view, connected_at=view.connected_at - 42)
    fake.supervision.tick()
    pump(200)
    fake.console.window().grab().save(str(path))
    fake.supervision.core.stop()
    pump(50)


def _slots(fake: FakeConsole, path: Path) -> None:
    """The console's Slots page over a demo week, today's afternoon slot selected."""
    from homeagent.testing.fake_slots import demo_week
    from homeagent.ui.lead.slots_page import SlotsPage
    from homeagent.ui.qt.dispatcher import Dispatcher
    from homeagent.ui.qt.tasks import TaskRunner

    now = dt.datetime.now(dt.UTC)
    net = TaskRunner(Dispatcher(), "slots")
    page = SlotsPage(demo_week(lambda: now), net, "team", clock=lambda: now)
    fake.console.add_page("Créneaux", page)
    fake.console.show_page(page)
    page.start()
    for _ in range(50):
        pump(20)
        if page.model.rowCount():
            break
    started = [i for i, r in enumerate(page.model.items()) if r.slot.starts_at <= now]
    if started:
        page.table.selectRow(started[-1])
    pump(200)
    fake.console.window().grab().save(str(path))
    page.stop()
    net.close(wait=False)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m homeagent.testing.lead_screenshots")
    parser.add_argument("outdir", type=Path)
    parser.add_argument("--lang", choices=("fr", "en"), default="fr")
    parser.add_argument("--dark", action="store_true")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    args.outdir.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication(["homeagent-screenshots"])
    assert isinstance(app, QApplication)
    translators = install_translators(app, args.lang, Path(tempfile.mkdtemp()))
    apply_theme(app, dark=args.dark)
    suffix = ("_dark" if args.dark else "") + ("_en" if args.lang == "en" else "")
    for path in take(args.outdir, suffix):
        print(path)
    del translators
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
