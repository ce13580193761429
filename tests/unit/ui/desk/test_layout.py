"""The space goes to what the agent needs now: one contact search when idle, a callbacks
list no taller than its rows, and during the call a notes field the wrap-up starts from."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt

from homeagent.core.desk_snapshot import Screen
from homeagent.testing.harness import FakeDesk
from tests.unit.ui.conftest import make_desk, ring


@pytest.fixture
def desk(qtbot) -> Iterator[FakeDesk]:  # type: ignore[no-untyped-def]
    desk = make_desk(qtbot)
    yield desk
    desk.controller.stop()
    desk.lanes.close()


def test_idle_shows_one_contact_search(qtbot, desk) -> None:  # type: ignore[no-untyped-def]
    w = desk.window
    assert w.centre.currentWidget() is w.idle
    assert w.idle.search.isVisible()
    w.side.setCurrentIndex(w.side.indexOf(w.side.contacts_page))
    assert not w.side.contacts.isVisible()  # the side panel's own search waits
    assert not w.side.isTabVisible(w.side.indexOf(w.side.my_day))  # the idle view shows it
    ring(qtbot, desk)
    qtbot.waitUntil(lambda: w.centre.currentWidget() is w.call_page)
    assert w.side.contacts.isVisible()
    assert w.side.isTabVisible(w.side.indexOf(w.side.my_day))


def test_the_callbacks_list_is_as_tall_as_its_rows(qtbot, desk) -> None:  # type: ignore[no-untyped-def]
    callbacks = desk.window.idle.callbacks
    qtbot.waitUntil(lambda: callbacks.model().rowCount() == 2, timeout=3000)
    rows_h = sum(callbacks.sizeHintForRow(r) for r in range(2))
    assert callbacks.height() <= rows_h + 4 * callbacks.frameWidth() + 8


def test_notes_typed_during_the_call_start_the_wrap_up(qtbot, desk) -> None:  # type: ignore[no-untyped-def]
    call_id = ring(qtbot, desk)
    desk.model.answer()
    qtbot.waitUntil(lambda: desk.model.snapshot().screen is Screen.IN_CALL)
    notes = desk.window.controls.notes
    assert notes.isVisible()
    qtbot.keyClicks(notes, "Veut changer d'offre")
    desk.engine.remote_hangup(call_id)
    form = desk.window.wrap_up
    qtbot.waitUntil(lambda: desk.window.actions_stack.currentWidget() is form)
    assert form.notes.toPlainText() == "Veut changer d'offre"
    qtbot.keyClick(form.notes, Qt.Key.Key_End)
    assert desk.model.snapshot().wrap_up.notes == "Veut changer d'offre"  # type: ignore[union-attr]
