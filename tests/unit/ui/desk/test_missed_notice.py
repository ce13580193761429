"""The idle centre after a missed call: who called, why the agent is Not ready, and a
Rappeler button that dials only when clicked."""

from __future__ import annotations

from PySide6.QtCore import Qt

from homeagent.core import commands as cmd
from homeagent.core.agent_state import AgentState
from homeagent.core.events import CallEnded
from homeagent.testing.harness import FakeDesk
from tests.unit.ui.conftest import make_desk, ring


def _dials(desk: FakeDesk) -> list[cmd.Command]:
    return [c for c in desk.sink.commands if isinstance(c, cmd.Dial)]


def _missed(qtbot, desk: FakeDesk, number: str, **end: object) -> None:  # type: ignore[no-untyped-def]
    call_id = ring(qtbot, desk, number)
    desk.engine.on_event(CallEnded(call_id, answered=False, duration_s=0.0, **end))  # type: ignore[arg-type]
    qtbot.waitUntil(lambda: desk.model.snapshot().missed_call is not None, timeout=3000)


def test_a_rona_names_the_caller_in_french_and_calls_back_on_click(qtbot, french) -> None:  # type: ignore[no-untyped-def]
    desk = make_desk(qtbot)
    try:
        idle = desk.window.idle
        _missed(qtbot, desk, "+33612345678", code=480, reason="no answer", rang_out=True)
        assert desk.window.centre.currentWidget() is idle
        assert idle.notice.text() == (
            "Appel manqué de Camille Martin (06 12 34 56 78) : sans réponse à temps, "
            "vous êtes en Non prêt."
        )
        assert idle.notice_call_back.isVisible()
        assert idle.notice_call_back.text() == "Rappeler"
        assert "Non prêt" in desk.window.top.presence.text()
        assert _dials(desk) == []  # the notice never dials by itself
        qtbot.mouseClick(idle.notice_call_back, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: _dials(desk) == [cmd.Dial("+33612345678")], timeout=3000)
        qtbot.waitUntil(lambda: not idle.notice_call_back.isVisible(), timeout=3000)
    finally:
        desk.controller.stop()
        desk.lanes.close()


def test_a_customer_hang_up_names_the_caller_and_leaves_the_agent_available(qtbot) -> None:  # type: ignore[no-untyped-def]
    desk = make_desk(qtbot)
    try:
        idle = desk.window.idle
        _missed(qtbot, desk, "+33700000042", code=487, reason="Request Terminated")
        assert idle.notice.text() == "Missed call from 07 00 00 00 42: the caller hung up."
        assert idle.notice_call_back.isVisible()
        assert desk.model.snapshot().presence.state is AgentState.AVAILABLE
    finally:
        desk.controller.stop()
        desk.lanes.close()
