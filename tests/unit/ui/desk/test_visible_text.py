"""No code and no raw number ever reaches the screen (items 4 and 5).

Walks every view of the fake desk in French — idle, ringing (a known and an unknown
caller), in call, wrap-up, back to idle, each side-panel tab with a contact's card open
— and reads every visible text (labels, buttons, tabs, combo boxes, every cell of every
visible list and table, the banners and the notifications). It fails on an untranslated
code (snake_case words, or any of the team's disposition codes as a word) and on a phone
number left in E.164 or unspaced ("+33770392240", "0612345678")."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractListModel,
    QCoreApplication,
    QModelIndex,
    Qt,
)
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QComboBox,
    QLabel,
    QTabBar,
    QWidget,
)

from homeagent.core.desk_snapshot import Screen
from homeagent.testing.demo_team import DEMO_TEAM
from homeagent.testing.harness import FakeDesk
from tests.unit.ui.conftest import make_desk, ring

SNAKE = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")
_CODES = "|".join(re.escape(d.code) for d in DEMO_TEAM.dispositions)
CODES = re.compile(rf"\b(?:{_CODES})\b")
RAW_NUMBER = re.compile(r"\+\d{6,}|(?<![\d ])0\d{9}(?!\d)")


def _model_texts(model: QAbstractItemModel) -> Iterator[str]:
    role = Qt.ItemDataRole.DisplayRole
    columns = 1 if isinstance(model, QAbstractListModel) else model.columnCount(QModelIndex())
    for column in range(columns):
        header = model.headerData(column, Qt.Orientation.Horizontal, role)
        if header:
            yield str(header)
    for row in range(model.rowCount(QModelIndex())):
        for column in range(columns):
            value = model.data(model.index(row, column), role)
            if value:
                yield str(value)


def visible_texts(root: QWidget) -> Iterator[tuple[str, str]]:
    """(where, text) for every text shown in `root`."""
    for widget in root.findChildren(QWidget):
        if not widget.isVisibleTo(root) or not widget.isVisible():
            continue
        where = f"{type(widget).__name__}({widget.objectName() or ''})"
        if isinstance(widget, QLabel | QAbstractButton):
            yield where, widget.text().replace("&", "")
        elif isinstance(widget, QComboBox):
            for i in range(widget.count()):
                yield where, widget.itemText(i)
        elif isinstance(widget, QTabBar):
            for i in range(widget.count()):
                yield where, widget.tabText(i)
        if isinstance(widget, QAbstractItemView) and widget.model() is not None:
            for text in _model_texts(widget.model()):
                yield where, text
        if widget.toolTip():
            yield f"{where} tooltip", widget.toolTip()


def _faults(desk: FakeDesk, view: str) -> list[str]:
    QCoreApplication.processEvents()
    texts = list(visible_texts(desk.window))
    texts += [("notification", f"{t} {b}") for t, b in desk.controller.notifier.shown]
    faults = []
    for where, text in texts:
        for pattern, what in ((SNAKE, "code"), (CODES, "code"), (RAW_NUMBER, "raw number")):
            for found in pattern.findall(text):
                faults.append(f"{view}: {what} {found!r} in {where}: {text!r}")
    return faults


@pytest.fixture
def desk(qtbot, french) -> Iterator[FakeDesk]:  # type: ignore[no-untyped-def]
    desk = make_desk(qtbot)
    yield desk
    desk.controller.stop()
    desk.lanes.close()


def _each_tab(qtbot, desk: FakeDesk, view: str) -> list[str]:  # type: ignore[no-untyped-def]
    side = desk.window.side
    faults = []
    for index in range(side.count()):
        side.setCurrentIndex(index)
        faults += _faults(desk, f"{view}, tab {side.tabText(index)}")
    side.setCurrentIndex(0)
    return faults


def test_no_code_and_no_raw_number_on_any_view(qtbot, desk: FakeDesk) -> None:  # type: ignore[no-untyped-def]
    w, card = desk.window, desk.window.card
    qtbot.waitUntil(lambda: w.side.history.model.rowCount() > 0, timeout=3000)
    faults = _each_tab(qtbot, desk, "idle")

    call_id = ring(qtbot, desk, "+33612345678")
    qtbot.waitUntil(lambda: card.recent.isVisible() and card.callbacks.isVisible(), timeout=3000)
    faults += _faults(desk, "ringing")
    desk.model.answer()
    qtbot.waitUntil(lambda: desk.model.snapshot().screen is Screen.IN_CALL, timeout=3000)
    faults += _faults(desk, "in call")
    desk.engine.remote_hangup(call_id)
    qtbot.waitUntil(lambda: desk.model.snapshot().screen is Screen.WRAP_UP, timeout=3000)
    w.wrap_up.disposition.setCurrentIndex(5)  # wrong_number
    w.wrap_up.notes.setPlainText("Rappeler demain matin")  # (free text is shown as typed)
    faults += _faults(desk, "wrap-up")
    desk.model.submit_wrap_up()
    qtbot.waitUntil(lambda: desk.model.snapshot().screen is Screen.IDLE, timeout=3000)
    qtbot.waitUntil(lambda: w.side.history.model.rowCount() == 4, timeout=3000)

    ring(qtbot, desk, "+33770392240")  # an unknown caller
    faults += _faults(desk, "ringing, unknown caller")
    desk.model.decline()
    qtbot.waitUntil(lambda: desk.model.snapshot().screen is not Screen.RINGING, timeout=3000)

    box = w.side.contacts
    box.field.setText("martin")
    qtbot.waitUntil(lambda: box.model.rowCount() == 1, timeout=3000)
    box.results.setCurrentIndex(box.model.index(0, 0))
    qtbot.waitUntil(lambda: w.side.contact_card.recent.isVisible(), timeout=3000)
    box.field.clear()
    qtbot.waitUntil(lambda: box.model.rowCount() > 1, timeout=3000)
    faults += _each_tab(qtbot, desk, "idle after the calls")
    assert faults == []
