"""The desk is fully usable with the keyboard (item 1).

Tab from the focused control goes round every enabled visible control of each main state
and comes back where it started (nothing traps the focus); Answer, Hang up, the wrap-up's
Save and the presence work with keys only (shortcuts, Tab + Space, the presence menu)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QApplication,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from homeagent.core import commands as cmd
from homeagent.core.agent_state import AgentState
from homeagent.core.desk_snapshot import Screen
from homeagent.testing.harness import FakeDesk
from tests.unit.ui.a11y import describe, tab_reachable
from tests.unit.ui.conftest import make_desk, ring

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier
MAX_TABS = 150  # more presses than the busiest state has stops (about 40)


@pytest.fixture
def desk(qtbot) -> Iterator[FakeDesk]:  # type: ignore[no-untyped-def]
    desk = make_desk(qtbot)
    yield desk
    desk.controller.stop()
    desk.lanes.close()


def _focus() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None, "nothing has the keyboard focus"
    return widget


def _tab_round(qtbot, root: QWidget, start: QWidget) -> list[QWidget]:  # type: ignore[no-untyped-def]
    """Press Tab from `start` until the focus comes back to it; the widgets it visited.
    Fails if it never comes back (a trap) or leaves the window."""
    start.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is start, timeout=1000)
    visited: list[QWidget] = []
    for _ in range(MAX_TABS):
        qtbot.keyClick(_focus(), Qt.Key.Key_Tab)
        now = _focus()
        assert now.window() is root, f"Tab left the window for {describe(now)}"
        if now is start:
            return visited
        visited.append(now)
    stuck = ", ".join(describe(w) for w in visited[-5:])
    pytest.fail(f"Tab never came back to {describe(start)}: a trap? last: {stuck}")


def _missed(qtbot, desk: FakeDesk, view: str) -> list[str]:  # type: ignore[no-untyped-def]
    w = desk.window
    QApplication.processEvents()
    expected = tab_reachable(w)
    assert expected, view
    visited = _tab_round(qtbot, w, expected[0])
    reached = {id(x) for x in [expected[0], *visited]}
    # a control reached through its focus proxy (a combo's line edit) counts as reached
    reached |= {id(x.parentWidget()) for x in visited if x.parentWidget() is not None}
    return [f"{view}: Tab never reaches {describe(x)}" for x in expected if id(x) not in reached]


def test_the_round_fails_on_a_trap(qtbot) -> None:  # type: ignore[no-untyped-def]
    root = QWidget()
    qtbot.addWidget(root)
    box = QVBoxLayout(root)
    first, text = QLineEdit(root), QPlainTextEdit(root)  # Tab types a tab in the text
    box.addWidget(first)
    box.addWidget(text)
    root.show()
    qtbot.waitExposed(root)
    root.activateWindow()
    with pytest.raises(pytest.fail.Exception, match="trap"):
        _tab_round(qtbot, root, first)
    text.setTabChangesFocus(True)
    assert _tab_round(qtbot, root, first) == [text]


def test_tab_reaches_every_control_of_each_state_and_comes_back(qtbot, desk: FakeDesk) -> None:  # type: ignore[no-untyped-def]
    w = desk.window
    qtbot.waitUntil(lambda: w.side.history.model.rowCount() > 0, timeout=3000)
    faults = []
    for index in range(w.side.count()):
        w.side.setCurrentIndex(index)
        faults += _missed(qtbot, desk, f"idle, tab {w.side.tabText(index)}")
    w.side.setCurrentIndex(0)
    call_id = ring(qtbot, desk)
    faults += _missed(qtbot, desk, "ringing")
    desk.model.answer()
    qtbot.waitUntil(lambda: w.controls.hold.isEnabled(), timeout=3000)
    w.controls.keypad_toggle.setChecked(True)
    faults += _missed(qtbot, desk, "in call")
    desk.engine.remote_hangup(call_id)
    qtbot.waitUntil(lambda: desk.model.snapshot().screen is Screen.WRAP_UP, timeout=3000)
    w.wrap_up.callback.setChecked(True)
    faults += _missed(qtbot, desk, "wrap-up")
    assert faults == []


@pytest.mark.qt_log_ignore("This plugin does not support grabbing the keyboard")  # the menu
def test_answer_hang_up_save_and_presence_with_keys_only(qtbot, desk: FakeDesk) -> None:  # type: ignore[no-untyped-def]
    w = desk.window
    call_id = ring(qtbot, desk)
    qtbot.keyClick(_focus(), Qt.Key.Key_Return, CTRL)  # answer
    qtbot.waitUntil(lambda: w.controls.hangup.isVisible(), timeout=3000)
    assert cmd.Answer(call_id) in desk.sink.commands
    # hang up by Tab to the button and Space (no shortcut)
    for _ in range(MAX_TABS):
        if _focus() is w.controls.hangup:
            break
        qtbot.keyClick(_focus(), Qt.Key.Key_Tab)
    assert _focus() is w.controls.hangup
    qtbot.keyClick(w.controls.hangup, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: desk.model.snapshot().screen is Screen.WRAP_UP, timeout=3000)
    assert cmd.Hangup(call_id) in desk.sink.commands
    # the wrap-up: type notes, Shift+Tab back up to the disposition, Down, Ctrl+S
    assert _focus() is w.wrap_up.notes
    qtbot.keyClicks(w.wrap_up.notes, "Box changed")
    qtbot.keyClick(_focus(), Qt.Key.Key_Backtab)
    assert _focus() is w.wrap_up.disposition
    qtbot.keyClick(_focus(), Qt.Key.Key_Down)
    qtbot.keyClick(_focus(), Qt.Key.Key_S, CTRL)
    qtbot.waitUntil(lambda: bool(desk.sink.wrap_ups), timeout=3000)
    assert desk.sink.wrap_ups[0].notes == "Box changed"
    assert desk.sink.wrap_ups[0].disposition == "resolved"
    qtbot.waitUntil(
        lambda: desk.model.snapshot().presence.state is AgentState.AVAILABLE, timeout=3000
    )
    # presence: Ctrl+D leaves Available, Ctrl+D again comes back
    qtbot.keyClick(_focus(), Qt.Key.Key_D, CTRL)
    qtbot.waitUntil(lambda: desk.model.snapshot().presence.state is not AgentState.AVAILABLE)
    qtbot.keyClick(_focus(), Qt.Key.Key_D, CTRL)
    qtbot.waitUntil(lambda: desk.model.snapshot().presence.state is AgentState.AVAILABLE)
    # and a break with a reason from the presence menu: Ctrl+Shift+D, Down to Break,
    # Right opens the reasons, Return takes the first
    keys = [Qt.Key.Key_Down, Qt.Key.Key_Down, Qt.Key.Key_Right, Qt.Key.Key_Return]

    def press_in_menu() -> None:
        popup = QApplication.activePopupWidget()
        if not isinstance(popup, QMenu):
            QTimer.singleShot(20, press_in_menu)  # not open yet
            return
        if popup is w.top.presence.menu() and keys[0] is Qt.Key.Key_Return:
            QTimer.singleShot(20, press_in_menu)  # the sub-menu opens after a moment
            return
        qtbot.keyClick(popup, keys.pop(0))
        if keys:
            QTimer.singleShot(20, press_in_menu)

    def close_left_open() -> None:  # a menu the keys did not close must fail, not hang
        while (popup := QApplication.activePopupWidget()) is not None:
            popup.close()

    QTimer.singleShot(20, press_in_menu)
    QTimer.singleShot(3000, close_left_open)
    qtbot.keyClick(_focus(), Qt.Key.Key_D, CTRL | SHIFT)  # the menu runs its own loop
    qtbot.waitUntil(lambda: not keys, timeout=3000)
    presence = desk.model.snapshot().presence
    assert presence.state is AgentState.BREAK
    assert presence.reason == "Déjeuner"
