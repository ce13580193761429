"""Who gets the console, the Desk | Console switch, and a ringing call on the console."""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace

import pytest
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QApplication

from homeagent.core.desk_snapshot import Screen
from homeagent.desktop.lead_session import lead_session_for
from homeagent.testing.harness import FakeDesk
from homeagent.testing.lead_harness import FakeConsole, build_fake_console
from homeagent.ui.shell.main_window import CONSOLE, DESK

from ..conftest import make_desk, ring
from .conftest import FakeClock


@pytest.fixture
def lead_desk(qtbot, clock: FakeClock) -> Iterator[tuple[FakeDesk, FakeConsole]]:  # type: ignore[no-untyped-def]
    desk = make_desk(qtbot)
    fake = build_fake_console(agents=4, clock=clock)
    desk.window.install_console(fake.console, takes_calls=True)
    fake.controller.start()
    yield desk, fake
    fake.controller.stop()
    desk.controller.stop()
    desk.lanes.close()


def test_an_agent_never_gets_the_console(desk: FakeDesk) -> None:
    w = desk.window
    assert w.console is None
    assert not w.top.mode.isVisibleTo(w)
    assert not w.shortcut_actions["toggle_console"].isEnabled()
    w.set_mode(CONSOLE)
    w.toggle_mode()
    assert w.mode == DESK
    assert w.modes.currentWidget() is w.splitter
    assert all("console" not in text.casefold() for text, _ in w.shortcut_rows())


@pytest.mark.parametrize(
    ("role", "built"), [("agent", False), ("team_lead", True), ("admin", True)]
)
def test_only_leads_and_admins_get_a_lead_session(
    role: str, built: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    made: list[dict[str, object]] = []

    class Recorder:
        def __init__(self, **kw: object) -> None:
            made.append(kw)

    monkeypatch.setattr("homeagent.desktop.lead_session.LeadSession", Recorder)
    client = SimpleNamespace(read_board=lambda team_id: None)
    session = SimpleNamespace(
        user_info={"id": "u-1", "role": role, "team_id": "t-1"},
        device=SimpleNamespace(client=client),
        has_line=True,
    )
    result = lead_session_for(session)  # type: ignore[arg-type]
    assert (result is not None) is built
    if built:
        assert made[0]["role"] == role
        assert made[0]["team_id"] == "t-1"
        assert made[0]["takes_calls"] is True


def test_a_lead_switches_in_one_click_and_back_by_key(
    lead_desk: tuple[FakeDesk, FakeConsole], qtbot
) -> None:  # type: ignore[no-untyped-def]
    desk, fake = lead_desk
    w = desk.window
    assert w.mode == CONSOLE
    assert w.modes.currentWidget() is fake.console
    assert w.top.mode.isVisibleTo(w)
    assert w.top.mode.console.isChecked()
    with qtbot.waitSignal(w.mode_changed) as changed:
        qtbot.mouseClick(w.top.mode.desk, Qt.MouseButton.LeftButton)
    assert changed.args == [DESK]
    assert w.modes.currentWidget() is w.splitter
    assert w.top.mode.desk.isChecked()
    w.activateWindow()
    qtbot.keyClick(w, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert w.mode == CONSOLE
    rows = dict(w.shortcut_rows())
    assert rows["Switch between the desk and the console"] == "Ctrl+L"
    assert rows["Message"] == "Ctrl+Shift+M"


def test_ctrl_f_searches_the_board_on_the_console(lead_desk: tuple[FakeDesk, FakeConsole]) -> None:
    desk, fake = lead_desk
    desk.window.shortcut_actions["search"].trigger()
    assert QApplication.focusWidget() is fake.console.search


def test_enter_in_the_search_selects_the_match_so_its_keys_act_on_it(
    lead_desk: tuple[FakeDesk, FakeConsole], qtbot
) -> None:  # type: ignore[no-untyped-def]
    desk, fake = lead_desk
    console = fake.console
    desk.window.shortcut_actions["search"].trigger()
    target = console.board.row_of(list(fake.server.rows)[-1])
    assert target is not None
    qtbot.keyClicks(console.search, target.name.split()[-1])  # the family name
    assert console.proxy.rowCount() == 1
    qtbot.keyClick(console.search, Qt.Key.Key_Return)
    assert QApplication.focusWidget() is console.view
    assert [r.agent_id for r in console.selected_rows()] == [target.agent_id]


def test_a_ringing_call_brings_the_desk_forward(
    lead_desk: tuple[FakeDesk, FakeConsole], qtbot
) -> None:  # type: ignore[no-untyped-def]
    desk, _fake = lead_desk
    w = desk.window
    assert w.mode == CONSOLE
    ring(qtbot, desk)
    assert desk.model.snapshot().screen is Screen.RINGING
    assert w.mode == DESK
    assert w.ring_banner.isVisibleTo(w)
    assert w.ringing.isVisibleTo(w)


def test_a_ringing_call_never_takes_text_being_typed_on_the_console(
    lead_desk: tuple[FakeDesk, FakeConsole],
    qtbot,  # type: ignore[no-untyped-def]
) -> None:
    desk, fake = lead_desk
    w = desk.window
    fake.console.search.setFocus()
    qtbot.keyClicks(fake.console.search, "Le")  # QTest types ASCII only
    QCoreApplication.processEvents()
    ring(qtbot, desk)
    assert w.mode == CONSOLE  # still typing there…
    assert QApplication.focusWidget() is fake.console.search
    assert w.ring_banner.isVisibleTo(w)  # …but the call is seen, above the console
    assert "ringing" in w.top.mode.desk.text()
    w.ring_banner.action_clicked.emit()  # Answer from the banner, on the console
    qtbot.waitUntil(lambda: desk.model.snapshot().screen is Screen.IN_CALL, timeout=3000)
    assert "ringing" not in w.top.mode.desk.text()


def test_a_lead_without_a_line_has_the_console_only(qtbot, clock: FakeClock) -> None:  # type: ignore[no-untyped-def]
    desk = make_desk(qtbot)
    fake = build_fake_console(agents=2, clock=clock)
    desk.window.install_console(fake.console, takes_calls=False)
    w = desk.window
    assert w.mode == CONSOLE
    assert not w.top.mode.isVisibleTo(w)
    assert not w.top.presence.isVisibleTo(w)
    w.set_mode(DESK)
    assert w.mode == CONSOLE
    desk.controller.stop()
    desk.lanes.close()


def test_a_wallboard_over_the_window_steps_aside_for_a_ringing_call(
    lead_desk: tuple[FakeDesk, FakeConsole],
    qtbot,  # type: ignore[no-untyped-def]
) -> None:
    desk, fake = lead_desk
    wall = fake.console.open_wallboard()
    qtbot.addWidget(wall)
    assert wall.isVisible()
    with qtbot.waitSignal(wall.closed):
        ring(qtbot, desk)
    assert fake.console.wallboard is None
    assert desk.window.ring_banner.isVisibleTo(desk.window)


def test_the_console_dialogs_never_block_answering(
    lead_desk: tuple[FakeDesk, FakeConsole],
    qtbot,  # type: ignore[no-untyped-def]
) -> None:
    desk, fake = lead_desk
    fake.console.view.select_agent(next(iter(fake.server.rows)))
    dialog = fake.console.row_actions.open_dialog("not_ready", "")
    settings = fake.controller.open_settings()
    assert dialog is not None
    assert settings is not None
    assert not dialog.isModal()
    assert not settings.isModal()
    assert QApplication.activeModalWidget() is None
    ring(qtbot, desk)
    desk.window.shortcut_actions["answer"].trigger()
    qtbot.waitUntil(lambda: desk.model.snapshot().screen is Screen.IN_CALL, timeout=3000)
    dialog.reject()
    settings.reject()
