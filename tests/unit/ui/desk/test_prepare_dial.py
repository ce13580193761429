"""A tel:/sip: link prepares the dial in the window: number in the field, the contact's
card when the number is known, Call focused; nothing is dialled until the agent presses it."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QApplication

from homeagent.core import commands as cmd
from tests.unit.ui.conftest import ring


def _dials(desk) -> list[str]:  # type: ignore[no-untyped-def]
    return [c.destination for c in desk.sink.commands if isinstance(c, cmd.Dial)]


def test_a_known_number_shows_its_card_and_waits_for_the_click(qtbot, desk) -> None:  # type: ignore[no-untyped-def]
    search = desk.window.idle.search
    desk.window.prepare_dial("+33612345678")
    assert search.field.text() == "+33612345678"
    qtbot.waitUntil(lambda: desk.window.side.contact_card.isVisible(), timeout=3000)
    assert desk.window.side.contact_card.contact_id == "c-001"  # Camille Martin's card
    assert search.call.isEnabled()
    assert "06 12 34 56 78" in search.call.text()  # national format on screen
    QCoreApplication.processEvents()
    assert _dials(desk) == []  # prepared, not dialled
    assert QApplication.focusWidget() is search.call
    qtbot.keyClick(search.call, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: bool(_dials(desk)), timeout=3000)
    assert _dials(desk) == ["+33612345678"]


def test_an_unknown_number_or_a_sip_uri_is_shown_with_call(qtbot, desk) -> None:  # type: ignore[no-untyped-def]
    search = desk.window.idle.search
    desk.window.prepare_dial("sip:alice@example.org")
    qtbot.wait(50)
    assert search.call.isEnabled()
    assert "sip:alice@example.org" in search.status.text()
    assert _dials(desk) == []
    qtbot.mouseClick(search.call, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(_dials(desk)), timeout=3000)
    assert _dials(desk) == ["sip:alice@example.org"]


def test_typing_something_else_forgets_the_prepared_number(qtbot, desk) -> None:  # type: ignore[no-untyped-def]
    search = desk.window.idle.search
    desk.window.prepare_dial("+33700000001")
    search.field.setText("Dubois")
    qtbot.waitUntil(lambda: search.model.rowCount() == 1, timeout=3000)
    assert search.prepared == ""
    assert not search.call.isEnabled()  # nothing selected, nothing prepared


def test_during_a_call_the_side_panel_takes_it_and_the_call_zone_stays(qtbot, desk) -> None:  # type: ignore[no-untyped-def]
    ring(qtbot, desk)
    desk.window.answer_requested.emit()
    qtbot.waitUntil(lambda: desk.window.actions_stack.currentWidget() is desk.window.controls)
    desk.window.wrap_up.notes.setFocus()
    desk.window.prepare_dial("+33698765432")
    assert desk.window.side.contacts.field.text() == "+33698765432"
    assert desk.window.idle.search.field.text() == ""
    assert desk.window.centre.currentWidget() is desk.window.call_page
    assert _dials(desk) == []


def test_call_in_the_centre_search_dials_once(qtbot, desk) -> None:  # type: ignore[no-untyped-def]
    search = desk.window.idle.search
    search.field.setText("Dubois")
    qtbot.waitUntil(lambda: search.model.rowCount() == 1, timeout=3000)
    search.results.setCurrentIndex(search.model.index(0, 0))
    qtbot.mouseClick(search.call, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(_dials(desk)), timeout=3000)
    qtbot.wait(50)
    assert _dials(desk) == ["+33145678901"]  # one call, not one per signal path
