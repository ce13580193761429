"""Every control has a name a screen reader can say (item 1).

Walks the fake desk in each state — idle, ringing (known and unknown caller), in call
(keypad open), wrap-up, every side-panel tab — and the dialogs (audio settings, the F1
sheet, the first-run dialogs, the unsent items), and fails on a visible interactive
control with neither an accessible name nor visible text naming it (a buddy label counts).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QPushButton, QWidget

from homeagent.core.desk_snapshot import Screen
from homeagent.core.desk_types import UnsentItem, UnsentKind
from homeagent.testing.harness import FakeDesk
from homeagent.ui.first_run.dialogs import EnrolDialog, ProfileDialog
from homeagent.ui.qt.dispatcher import Dispatcher
from homeagent.ui.qt.tasks import TaskRunner
from homeagent.ui.settings.audio_page import AudioSettingsPage
from homeagent.ui.settings.hotkeys_page import HotkeysPage
from homeagent.ui.shell.unsent import UnsentDialog
from tests.unit.ui.a11y import buddies, interactive_widgets, named, unnamed
from tests.unit.ui.conftest import make_desk, ring


@pytest.fixture
def desk(qtbot) -> Iterator[FakeDesk]:  # type: ignore[no-untyped-def]
    desk = make_desk(qtbot)
    yield desk
    desk.controller.stop()
    desk.lanes.close()


def _each_tab(desk: FakeDesk, view: str) -> list[str]:
    side = desk.window.side
    faults = []
    for index in range(side.count()):
        side.setCurrentIndex(index)
        faults += unnamed(desk.window, f"{view}, tab {side.tabText(index)}")
    side.setCurrentIndex(0)
    return faults


def test_the_check_itself_fails_on_an_unnamed_control(qtbot) -> None:  # type: ignore[no-untyped-def]
    root = QWidget()
    qtbot.addWidget(root)
    icon_only = QPushButton(root)
    assert len(unnamed(root, "probe")) == 1
    icon_only.setAccessibleName("Settings")
    assert unnamed(root, "probe") == []
    assert named(icon_only, buddies(root))


def test_every_control_of_every_desk_state_has_a_name(qtbot, desk: FakeDesk) -> None:  # type: ignore[no-untyped-def]
    w = desk.window
    qtbot.waitUntil(lambda: w.side.history.model.rowCount() > 0, timeout=3000)
    faults = _each_tab(desk, "idle")

    call_id = ring(qtbot, desk, "+33612345678")
    faults += unnamed(w, "ringing")
    desk.model.answer()
    qtbot.waitUntil(lambda: desk.model.snapshot().screen is Screen.IN_CALL, timeout=3000)
    qtbot.waitUntil(lambda: w.controls.hold.isEnabled(), timeout=3000)
    w.controls.keypad_toggle.setChecked(True)
    faults += _each_tab(desk, "in call")
    desk.engine.remote_hangup(call_id)
    qtbot.waitUntil(lambda: desk.model.snapshot().screen is Screen.WRAP_UP, timeout=3000)
    w.wrap_up.callback.setChecked(True)
    faults += _each_tab(desk, "wrap-up")
    w.wrap_up.callback.setChecked(False)
    w.wrap_up.disposition.setCurrentIndex(1)
    desk.model.submit_wrap_up()
    qtbot.waitUntil(lambda: desk.model.snapshot().screen is Screen.IDLE, timeout=3000)

    ring(qtbot, desk, "+33770392240")  # unknown: the quick-create form
    faults += unnamed(w, "ringing, unknown caller")
    desk.model.decline()
    qtbot.waitUntil(lambda: desk.model.snapshot().screen is not Screen.RINGING, timeout=3000)

    box = w.side.contacts
    box.field.setText("martin")
    qtbot.waitUntil(lambda: box.model.rowCount() == 1, timeout=3000)
    box.results.setCurrentIndex(box.model.index(0, 0))
    qtbot.waitUntil(lambda: w.side.contact_card.isVisible(), timeout=3000)
    faults += unnamed(w, "contacts tab with a card")
    assert faults == []
    assert len(interactive_widgets(w)) > 10  # the walk saw the controls


def test_every_control_of_the_shortcut_sheet_has_a_name(qtbot, desk: FakeDesk) -> None:  # type: ignore[no-untyped-def]
    sheet = desk.window.show_shortcut_sheet()
    qtbot.addWidget(sheet)
    assert unnamed(sheet, "F1 sheet") == []


def test_every_control_of_the_dialogs_has_a_name(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page = AudioSettingsPage()
    profile = ProfileDialog(lambda _p: None)
    runner = TaskRunner(Dispatcher(), "test")
    enrol = EnrolDialog(lambda *_a: None, runner, "Demo")
    unsent = UnsentDialog()
    hotkeys = HotkeysPage()
    hotkeys.enabled.setChecked(True)
    unsent.show_items(
        [
            UnsentItem(
                "u-1",
                UnsentKind.WRAP_UP,
                dt.datetime.now(dt.UTC),
                "422 refusé",
                retryable=True,
            )
        ]
    )
    faults = []
    try:
        for name, dialog in (
            ("audio page", page),
            ("profile dialog", profile),
            ("sign-in dialog", enrol),
            ("unsent dialog", unsent),
            ("global hotkeys page", hotkeys),
        ):
            qtbot.addWidget(dialog)
            dialog.show()
            qtbot.waitExposed(dialog)
            faults += unnamed(dialog, name)
            assert interactive_widgets(dialog), name
    finally:
        runner.close()
    assert faults == []
