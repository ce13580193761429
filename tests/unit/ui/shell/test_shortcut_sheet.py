"""The F1 sheet shows key sequences in native words and sentences as written."""

from __future__ import annotations

from homeagent.ui.shell.shortcut_sheet import ShortcutSheet


def test_sequences_and_sentences(qtbot) -> None:  # type: ignore[no-untyped-def]
    sheet = ShortcutSheet([("Answer", "Ctrl+Return"), ("Decline", "Tab to Decline, then Space")])
    qtbot.addWidget(sheet)
    assert sheet.table.item(0, 1).text() == "Ctrl+Return"
    assert sheet.table.item(1, 1).text() == "Tab to Decline, then Space"
