"""The wallboard: what it shows, that it ticks, and that nothing in it can be clicked."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QLabel, QLineEdit, QWidget

from homeagent.core.agent_state import AgentState
from homeagent.testing.lead_harness import FakeConsole

from .conftest import FakeClock


def texts(widget: QWidget) -> list[str]:
    return [label.text() for label in widget.findChildren(QLabel) if label.isVisibleTo(widget)]


def test_the_wallboard_shows_queues_and_team_states(
    lead: FakeConsole, clock: FakeClock, qtbot
) -> None:  # type: ignore[no-untyped-def]
    ids = list(lead.server.rows)
    lead.server.start_call(ids[0])
    lead.server.set_state(ids[1], "ringing")
    lead.server.set_state(ids[2], "break", "Café")
    lead.server.set_state(ids[3], "offline")
    since = (clock() - dt.timedelta(seconds=83)).isoformat()
    lead.server.queue("support", waiting=4, oldest_since=since, service_level_pct=58.0)
    wall = lead.console.open_wallboard()
    qtbot.addWidget(wall)
    wall.refresh()
    shown = texts(wall)
    assert "Service client" in shown
    assert "Support Fibre" in shown
    assert "4" in shown
    assert "01:23" in shown
    assert "▲▲ 58 %" in shown
    tiles = wall.state_tiles
    assert tiles[AgentState.ON_CALL].count.text() == "2"  # ringing counts as in a call
    assert tiles[AgentState.BREAK].count.text() == "1"
    assert tiles[AgentState.AVAILABLE].count.text() == "2"
    assert tiles[AgentState.OFFLINE].count.text() == "1"
    assert "Break" in tiles[AgentState.BREAK].name.text()  # the word, not only the colour
    clock.advance(10)
    lead.console.tick()
    assert "01:33" in texts(wall)


def test_nothing_on_the_wallboard_takes_a_click_and_esc_leaves(lead: FakeConsole, qtbot) -> None:  # type: ignore[no-untyped-def]
    wall = lead.console.open_wallboard()
    qtbot.addWidget(wall)
    assert wall.isFullScreen(), wall.windowState()
    assert wall.findChildren(QAbstractButton) == []
    assert wall.findChildren(QLineEdit) == []
    assert all(w.focusPolicy() == Qt.FocusPolicy.NoFocus for w in wall.findChildren(QLabel))
    big = max(w.font().pixelSize() for w in wall.findChildren(QLabel))
    assert big >= 80 or any("font-size: 88px" in w.styleSheet() for w in wall.findChildren(QLabel))
    with qtbot.waitSignal(wall.closed):
        qtbot.keyClick(wall, Qt.Key.Key_Escape)
    assert lead.console.wallboard is None
