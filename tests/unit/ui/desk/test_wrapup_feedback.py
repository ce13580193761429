"""The wrap-up form answers every action: where to go when the save is refused, a ticked
callback when the disposition says so, and what exactly was saved."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from homeagent.core.desk_snapshot import Screen
from homeagent.core.desk_types import Delivery
from homeagent.testing.demo_team import DEMO_TEAM
from homeagent.testing.harness import FakeDesk
from homeagent.ui.desk.wrapup_form import WrapUpForm
from tests.unit.ui.conftest import make_desk, ring

CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def desk(qtbot) -> Iterator[FakeDesk]:  # type: ignore[no-untyped-def]
    desk = make_desk(qtbot, replace(DEMO_TEAM, auto_available_after_wrap_up=False))
    yield desk
    desk.controller.stop()
    desk.lanes.close()


def _in_wrap_up(qtbot, desk: FakeDesk) -> WrapUpForm:  # type: ignore[no-untyped-def]
    call_id = ring(qtbot, desk)
    desk.model.answer()
    qtbot.waitUntil(lambda: desk.model.snapshot().screen is Screen.IN_CALL)
    desk.engine.remote_hangup(call_id)
    form = desk.window.wrap_up
    qtbot.waitUntil(lambda: desk.window.actions_stack.currentWidget() is form)
    return form


def test_a_save_without_disposition_takes_the_agent_to_it(qtbot, desk) -> None:  # type: ignore[no-untyped-def]
    form = _in_wrap_up(qtbot, desk)
    form.notes.setFocus()
    qtbot.keyClick(form.notes, Qt.Key.Key_S, CTRL)
    assert desk.sink.wrap_ups == []
    qtbot.waitUntil(lambda: QApplication.focusWidget() is form.disposition, timeout=2000)


def test_choosing_a_callback_disposition_ticks_the_callback(qtbot, desk) -> None:  # type: ignore[no-untyped-def]
    form = _in_wrap_up(qtbot, desk)
    codes = [form.disposition.itemData(i) for i in range(form.disposition.count())]
    assert not form.callback.isChecked()
    form.disposition.setCurrentIndex(codes.index("callback"))
    assert form.callback.isChecked()
    assert form.callback_at.isEnabled()


def test_after_the_save_the_form_says_what_was_saved(qtbot, desk) -> None:  # type: ignore[no-untyped-def]
    form = _in_wrap_up(qtbot, desk)
    codes = [form.disposition.itemData(i) for i in range(form.disposition.count())]
    form.disposition.setCurrentIndex(codes.index("callback"))
    qtbot.keyClick(form.notes, Qt.Key.Key_S, CTRL)
    qtbot.waitUntil(lambda: form.delivery_is(Delivery.SAVED) or form.delivery_is(Delivery.SENT))
    label = dict((d.code, d.label) for d in DEMO_TEAM.dispositions)["callback"]
    assert label in form.saved.text()
    assert form.callback_at.dateTime().toString("HH:mm") in form.saved.text()
    assert form.saved.isVisible()


def test_tab_goes_the_way_the_form_reads(qtbot, desk) -> None:  # type: ignore[no-untyped-def]
    form = _in_wrap_up(qtbot, desk)
    form.disposition.setFocus()
    qtbot.waitUntil(form.disposition.hasFocus)
    qtbot.keyClick(form.disposition, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is form.notes
    qtbot.keyClick(form.notes, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is form.callback
