"""Whatever fails on the GUI side of the ring path, the ringing call is seen and answered.

A failure is injected at each step after the engine's event (the card's rendering, the
top bar, the inbox list, the banners, the notification, the ringer); each time the Answer
button is on screen and clicking it takes the call.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication

from homeagent.core.desk_snapshot import Screen
from homeagent.testing.harness import FakeDesk
from tests.unit.ui.conftest import make_desk


def _boom(*_args: Any, **_kwargs: Any) -> None:
    raise RuntimeError("injected failure")


STEPS: dict[str, Callable[[FakeDesk, pytest.MonkeyPatch], None]] = {
    "card": lambda d, mp: mp.setattr(d.window.card, "show_card", _boom),
    "top bar": lambda d, mp: mp.setattr(d.window.top, "show_snapshot", _boom),
    "inbox": lambda d, mp: mp.setattr(d.window.side.inbox, "show_messages", _boom),
    "banners": lambda d, mp: mp.setattr(d.window, "_show_banners", _boom),
    "notification": lambda d, mp: mp.setattr(d.controller.notifier, "notify", _boom),
    "tray state": lambda d, mp: mp.setattr(d.controller.notifier, "set_state", _boom),
    "card memory": lambda d, mp: mp.setattr(d.controller.lists, "load_memory", _boom),
    "local memory": lambda d, mp: mp.setattr(d.data, "local_memory", _boom),
    "server memory": lambda d, mp: mp.setattr(d.data, "contact_memory", _boom),
}


@pytest.fixture
def desk(qtbot) -> Iterator[FakeDesk]:  # type: ignore[no-untyped-def]
    desk = make_desk(qtbot)
    yield desk
    desk.controller.stop()
    desk.lanes.close()


@pytest.mark.parametrize("step", list(STEPS))
def test_the_call_rings_on_screen_and_is_answered_whatever_fails(
    qtbot,  # type: ignore[no-untyped-def]
    desk: FakeDesk,
    monkeypatch: pytest.MonkeyPatch,
    step: str,
) -> None:
    STEPS[step](desk, monkeypatch)
    with monkeypatch.context() as m:
        m.setattr("sys.excepthook", lambda *a: None)  # a slot that raises must not matter
        desk.engine.ring("0612345678")
        qtbot.waitUntil(lambda: desk.model.snapshot().screen is Screen.RINGING, timeout=3000)
        QCoreApplication.processEvents()
    window = desk.window
    assert window.centre.currentWidget() is window.call_page, f"{step}: the call is not shown"
    assert window.actions_stack.currentWidget() is window.ringing
    answer = window.ringing.answer
    qtbot.waitUntil(answer.isVisible, timeout=2000)
    assert answer.isEnabled()
    answer.click()
    qtbot.waitUntil(lambda: desk.model.snapshot().screen is Screen.IN_CALL, timeout=3000)
