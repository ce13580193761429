"""The F1 sheet shows key sequences in native words and sentences as written."""

from __future__ import annotations

from homeagent.ui.shell.shortcut_sheet import ShortcutSheet


def test_sequences_and_sentences(qtbot) -> None:  # type: ignore[no-untyped-def]
    sheet = ShortcutSheet([("Answer", "Ctrl+Return"), ("Decline", "Tab to Decline, then Space")])
    qtbot.addWidget(sheet)
    assert sheet.table.item(0, 1).text() == "Ctrl+Enter"  # what the keyboard says, not Qt
    assert sheet.table.item(1, 1).text() == "Tab to Decline, then Space"


def test_the_sheet_fits_every_row_without_scrolling_and_escape_closes_it(qtbot) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import Qt

    from tests.unit.ui.conftest import make_desk

    desk = make_desk(qtbot)
    try:
        sheet = desk.window.show_shortcut_sheet()
        qtbot.waitExposed(sheet)
        table = sheet.table
        assert not table.horizontalScrollBar().isVisible()
        assert not table.verticalScrollBar().isVisible()
        last = table.rowCount() - 1
        assert table.visualItemRect(table.item(last, 0)).bottom() <= table.viewport().height()
        qtbot.keyClick(sheet, Qt.Key.Key_Escape)
        qtbot.waitUntil(lambda: not sheet.isVisible(), timeout=2000)
    finally:
        desk.controller.stop()
        desk.lanes.close()


def test_decline_has_a_shortcut_and_the_sheet_names_keys_as_the_buttons_do(qtbot, french) -> None:  # type: ignore[no-untyped-def]
    from homeagent.ui.qt.labels import key_text
    from homeagent.ui.shell.shortcuts import SHORTCUTS
    from tests.unit.ui.conftest import make_desk

    desk = make_desk(qtbot)
    try:
        assert SHORTCUTS["decline"]
        rows = {action: key_text(keys) for action, keys in desk.window.shortcut_rows()}
        decline = rows[desk.window.shortcut_actions["decline"].text()]
        assert "Tab" not in decline
        answer_keys = rows[desk.window.shortcut_actions["answer"].text()]
        assert answer_keys in desk.window.ringing.answer.text()  # "Ctrl+Entrée" on both
        assert decline in desk.window.ringing.decline.text()
    finally:
        desk.controller.stop()
        desk.lanes.close()
