"""Every control of the console, its dialogs and the mode switch has a name; Tab reaches them."""

from __future__ import annotations

from homeagent.testing.lead_harness import FakeConsole, build_fake_console

from ..a11y import interactive_widgets, tab_reachable, unnamed
from ..conftest import make_desk
from .conftest import FakeClock


def test_the_console_in_the_window_names_every_control(qtbot, clock: FakeClock) -> None:  # type: ignore[no-untyped-def]
    desk = make_desk(qtbot)
    fake: FakeConsole = build_fake_console(agents=3, clock=clock, choose_team=True)
    desk.window.install_console(fake.console, takes_calls=True)
    fake.controller.start()
    try:
        fake.console.view.select_agent(next(iter(fake.server.rows)))
        assert unnamed(desk.window, "console") == []
        reachable = tab_reachable(desk.window)
        for name in ("message", "set_state", "day", "settings", "wallboard"):
            assert fake.console.buttons[name] in reachable, name
        assert fake.console.search in reachable
        assert fake.console.view in reachable
        assert desk.window.top.mode.desk in interactive_widgets(desk.window)
        dialog = fake.console.row_actions.open_dialog("break", "Café")
        assert dialog is not None
        assert unnamed(dialog, "set state") == []
        dialog.reject()
        settings = fake.controller.open_settings()
        assert settings is not None
        assert unnamed(settings, "settings") == []
        settings.reject()
    finally:
        fake.controller.stop()
        desk.controller.stop()
        desk.lanes.close()
