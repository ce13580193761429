"""The top bar's presence button: its text ticks every second, its colour only with the state."""

from __future__ import annotations

from homeagent.core.agent_state import AgentState
from tests.unit.ui.conftest import ring


def test_the_clock_ticks_the_text_and_restyles_only_when_the_colour_changes(
    qtbot, desk, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """A style sheet set on a widget re-polishes it (the idle desk's largest cost each
    second): the 1 s clock changes the text, the state or the ringing pulse the colour."""
    button = desk.window.top.presence
    sheets: list[str] = []
    real = button.setStyleSheet
    monkeypatch.setattr(button, "setStyleSheet", lambda s: sheets.append(s) or real(s))
    for _ in range(3):
        button.refresh()
    assert sheets == []
    assert "·" in button.text()  # the time in state is shown
    ring(qtbot, desk, "0612345678")
    qtbot.waitUntil(lambda: desk.model.snapshot().presence.state is AgentState.RINGING)
    qtbot.waitUntil(lambda: len(sheets) >= 1, timeout=3000)  # ringing: a new colour
    qtbot.waitUntil(lambda: len(set(sheets)) >= 2, timeout=3000)  # the pulse alternates
    assert "background" in button.styleSheet()
