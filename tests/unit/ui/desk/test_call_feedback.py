"""In a call the agent sees at a glance: how long the customer has been on hold, that
the microphone is off (beyond the button), and that the quality is still being measured."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from homeagent.core.desk_snapshot import Screen
from homeagent.testing.harness import FakeDesk
from tests.unit.ui.conftest import make_desk, ring


@pytest.fixture
def desk(qtbot) -> Iterator[FakeDesk]:  # type: ignore[no-untyped-def]
    desk = make_desk(qtbot)
    yield desk
    desk.controller.stop()
    desk.lanes.close()


def _in_call(qtbot, desk: FakeDesk) -> None:  # type: ignore[no-untyped-def]
    ring(qtbot, desk)
    desk.model.answer()
    qtbot.waitUntil(lambda: desk.model.snapshot().screen is Screen.IN_CALL)


def test_a_held_call_shows_how_long_it_has_been_on_hold(qtbot, desk, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    _in_call(qtbot, desk)
    desk.model.toggle_hold()
    qtbot.waitUntil(lambda: desk.model.snapshot().call.held)  # type: ignore[union-attr]
    held_at = desk.model.snapshot().call.held_since_s  # type: ignore[union-attr]
    assert held_at is not None
    monkeypatch.setattr("time.time", lambda: held_at + 75)
    desk.window.controls.refresh()
    assert "01:15" in desk.window.controls.state.text()
    desk.model.toggle_hold()
    qtbot.waitUntil(lambda: not desk.model.snapshot().call.held)  # type: ignore[union-attr]
    assert desk.model.snapshot().call.held_since_s is None  # type: ignore[union-attr]


def test_mute_is_visible_beyond_its_button(qtbot, desk) -> None:  # type: ignore[no-untyped-def]
    _in_call(qtbot, desk)
    desk.model.toggle_mute()
    qtbot.waitUntil(lambda: desk.model.snapshot().call.muted)  # type: ignore[union-attr]
    controls = desk.window.controls
    assert controls.muted_badge.isVisible()
    assert (
        "micro" in controls.muted_badge.text().lower()
        or "mute" in controls.muted_badge.text().lower()
    )
    desk.model.toggle_mute()
    qtbot.waitUntil(lambda: not desk.model.snapshot().call.muted)  # type: ignore[union-attr]
    assert not controls.muted_badge.isVisible()


def test_the_quality_chip_says_it_is_measuring_until_the_first_figure(qtbot, desk) -> None:  # type: ignore[no-untyped-def]
    _in_call(qtbot, desk)
    chip = desk.window.top.quality
    assert chip.isVisible()
    assert "measuring" in chip.text().lower()
