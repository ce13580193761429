"""``python -m homeagent.testing.screenshots OUTDIR [--lang fr|en] [--dark]``: the main states.

Drives a desk over the fakes through idle, ringing, in call, wrap-up, contacts and inbox
and saves one PNG per state (window size 1366×768). Run it under Xvfb for real fonts and
window decorations; it also works with ``QT_QPA_PLATFORM=offscreen``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEventLoop
from PySide6.QtWidgets import QApplication

from homeagent.core.desk_snapshot import SupervisionView
from homeagent.core.desk_types import ServerLink
from homeagent.core.events import CallQuality, CallQualityMeasured
from homeagent.testing.fakes import demo_messages
from homeagent.testing.harness import FakeDesk, build_fake_desk, go_available
from homeagent.testing.preshift import check_shots
from homeagent.ui.qt.i18n import install_translators
from homeagent.ui.qt.theme import apply_theme
from homeagent.ui.shell.main_window import MainWindow
from homeagent.ui.shell.start_window import StartWindow

WIDTH, HEIGHT = 1366, 768


_LOOP: list[QEventLoop] = []


def pump(ms: int = 120) -> None:
    """Let queued events, worker results and paints happen.

    Through a QEventLoop instance: PySide6 6.12's static
    ``QCoreApplication.processEvents()`` (and ``QEventLoop.exec``, ``QTest.qWait``) drop a
    reference to None per call on Python 3.11, which aborts the process after a few
    thousand calls ("none_dealloc"); ``QEventLoop().processEvents()`` does not.
    """
    if not _LOOP:
        _LOOP.append(QEventLoop())
    deadline = time.monotonic() + ms / 1000
    while time.monotonic() < deadline:
        _LOOP[0].processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
        time.sleep(0.005)


def _until(pred: Callable[[], object], timeout_ms: int = 3000) -> None:
    deadline = time.monotonic() + timeout_ms / 1000
    while not pred() and time.monotonic() < deadline:
        pump(20)


def take(desk: FakeDesk, out: Path, suffix: str = "") -> list[Path]:
    """Walk through the states and save one screenshot each."""
    w, model, engine = desk.window, desk.model, desk.engine
    saved: list[Path] = []

    def shot(name: str) -> None:
        pump()
        path = out / f"{name}{suffix}.png"
        w.grab().save(str(path))
        saved.append(path)

    go_available(desk)
    model.set_server_link(ServerLink.ONLINE)
    model.add_message(demo_messages(dt.datetime.now(dt.UTC))[0])
    shot("idle")
    call_id = engine.ring("0612345678", queue="Support Fibre")
    _until(lambda: model.snapshot().call is not None)
    shot("ringing")
    model.answer()
    _until(lambda: getattr(model.snapshot().call, "connected_at_s", None))
    call = model._call  # an older start, so the timer reads like a real call
    model._call = replace(call, connected_at_s=time.time() - 154) if call else None
    for message in demo_messages(dt.datetime.now(dt.UTC)):
        model.add_message(message)
    model.handle(CallQualityMeasured(call_id, CallQuality(mos=4.2, codec="G722")))
    shot("in_call")
    model.show_supervision(SupervisionView(1, call_id, "whisper", "Claire Martin", True))
    shot("in_call_supervised")
    model.show_supervision(None)
    model.hang_up()
    _until(lambda: model.snapshot().wrap_up is not None)
    w.wrap_up.notes.setPlainText("Coupure fibre depuis ce matin ; box redémarrée, synchro OK.")
    w.wrap_up.disposition.setCurrentIndex(1)
    model.read_message("m-2")
    shot("wrap_up")
    model.submit_wrap_up()
    _until(lambda: model.snapshot().wrap_up is None)
    w.side.setCurrentIndex(0)
    w.side.contacts.field.setText("mar")
    _until(lambda: w.side.contacts.model.rowCount() == 1)
    w.side.contacts.results.setCurrentIndex(w.side.contacts.model.index(0, 0))
    shot("contacts")
    w.side.setCurrentWidget(w.side.inbox)
    w.side.inbox.list.setCurrentIndex(w.side.inbox.model.index(0, 0))
    shot("inbox")
    w.side.setCurrentWidget(w.side.history)
    shot("history")
    _slots(desk, shot)
    w.side.setCurrentIndex(0)
    w.update_banner.show_ready("0.2.0")  # a verified update, between two calls
    shot("update_ready")
    w.update_banner.setVisible(False)
    saved += diagnostics_shots(w, out, suffix)
    # "Vérifier mon poste": offered at sign-in, then all green, then a lossy Wi-Fi
    w.top.check.setVisible(True)
    w.check_banner.show_text(
        QCoreApplication.translate(
            "PreShiftCheck",
            "Before your shift: check your connection, phone line and headset (15 s).",
        ),
        QCoreApplication.translate("PreShiftCheck", "Check my setup"),
    )
    shot("check_offer")
    w.check_banner.setVisible(False)
    saved += check_shots(desk.dispatcher, out, pump, suffix)
    return saved


def diagnostics_shots(window: MainWindow, out: Path, suffix: str = "") -> list[Path]:
    """The lead's request for a diagnostic report, and the report's preview before sending."""
    from homeagent.core.diagnostics import DiagnosticsRequest
    from homeagent.testing.diag_sample import sample_preview
    from homeagent.ui.shell.diagnostics import DiagnosticsDialog

    saved: list[Path] = []
    notice = window.diagnostics_notice
    notice.show_request(DiagnosticsRequest(7, "Claire Martin", "Coupures hier soir"))
    pump()
    path = out / f"diagnostics_request{suffix}.png"
    window.grab().save(str(path))
    saved.append(path)
    notice.setVisible(False)
    with tempfile.TemporaryDirectory() as tmp:
        dialog = DiagnosticsDialog(sample_preview(Path(tmp)), window)
        dialog.show()
        names = [f.name for f in dialog.preview.files]
        dialog.files.setCurrentRow(names.index("sip-trace.log"))
        pump(200)
        path = out / f"diagnostics_preview{suffix}.png"
        dialog.grab().save(str(path))
        saved.append(path)
        dialog.close()
        dialog.deleteLater()
    return saved


def _slots(desk: FakeDesk, shot: Callable[[str], None]) -> None:
    """ "Mes créneaux" over a demo week (one slot just booked), then the end-of-slot
    proposal after the agent's slot ended."""
    from homeagent.testing.fake_slots import demo_week
    from homeagent.ui.desk.slots import SlotsController

    w, now = desk.window, dt.datetime.now(dt.UTC)
    clock = [now]
    fake = demo_week(lambda: clock[0])
    controller = SlotsController(
        tab=w.side.slots, banner=w.slot_banner, lanes=desk.lanes, service=fake,
        snapshot=desk.model.snapshot, go_offline=lambda: None, notify=lambda _t, _x: None,
        clock=lambda: clock[0], parent=w,
    )  # fmt: skip
    w.side.setCurrentWidget(w.side.slots)
    controller.set_team("team")
    tab = w.side.slots
    _until(lambda: tab.model.rowCount() > 0)
    bookable = next((s for s in tab.model.items() if s.can_book), None)
    if bookable is not None:
        tab.table.selectRow(tab.model.row_of(bookable.id))
        tab.book.click()
        _until(lambda: tab.status.text() and not tab.status.text().endswith("…"))
    shot("slots")
    mine = next((s for s in tab.model.items() if s.mine), None)
    if mine is not None:
        clock[0] = mine.ends_at + dt.timedelta(minutes=1)
        controller.tick()
        shot("slot_end")
        w.slot_banner.setVisible(False)
    controller.stop()


def main(argv: list[str] | None = None) -> int:
    """Save the screenshots into OUTDIR."""
    parser = argparse.ArgumentParser(prog="python -m homeagent.testing.screenshots")
    parser.add_argument("outdir", type=Path)
    parser.add_argument("--lang", choices=("fr", "en"), default="fr")
    parser.add_argument("--dark", action="store_true")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    args.outdir.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication(["homeagent-screenshots"])
    assert isinstance(app, QApplication)
    translators = install_translators(app, args.lang, Path(tempfile.mkdtemp()))
    apply_theme(app, dark=args.dark)
    suffix = "_dark" if args.dark else ""
    start = StartWindow()  # what the agent sees first, while the desk is built
    start.resize(WIDTH, HEIGHT)
    start.show_now()
    start.opening_desk()
    pump()
    start.grab().save(str(args.outdir / f"start_window{suffix}.png"))
    print(args.outdir / f"start_window{suffix}.png")
    start.close()
    desk = build_fake_desk()
    desk.window.resize(WIDTH, HEIGHT)
    desk.window.show()
    try:
        for path in take(desk, args.outdir, suffix):
            print(path)
    finally:
        desk.close()
        pump(50)
    del translators
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
