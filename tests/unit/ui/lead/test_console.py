"""The console's frame: row actions (menu, toolbar, keys), remote state, settings, slots."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

from homeagent.client.errors import ApiError
from homeagent.testing.lead_harness import FakeConsole, build_fake_console
from homeagent.ui.lead.board_model import PENDING_ROLE
from homeagent.ui.lead.board_text import COL_STATE

from .conftest import FakeClock


def select(lead: FakeConsole, *agent_ids: str) -> None:
    view = lead.console.view
    view.clearSelection()
    for agent_id in agent_ids:
        for r in range(lead.console.proxy.rowCount()):
            if lead.console.proxy.agent_id(r) == agent_id:
                view.selectionModel().select(
                    lead.console.proxy.index(r, 0),
                    view.selectionModel().SelectionFlag.Select
                    | view.selectionModel().SelectionFlag.Rows,
                )


def test_actions_follow_the_selection(lead: FakeConsole) -> None:
    actions = lead.console.row_actions
    assert not actions.message.isEnabled()
    assert not actions.day.isEnabled()
    ids = list(lead.server.rows)
    select(lead, ids[0], ids[1])
    assert actions.message.isEnabled()
    assert actions.set_state.isEnabled()
    assert not actions.day.isEnabled()  # one agent's day at a time
    assert not actions.cancel_pending.isEnabled()  # nothing pending
    select(lead, ids[0])
    assert actions.day.isEnabled()


def test_the_clock_does_not_refresh_the_selections_actions_an_event_does(
    lead: FakeConsole, clock: FakeClock, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """What a row allows moves with events, not with the 1 s clock (whose repaints of ~76
    cells a second at 50 agents would otherwise each refresh the actions)."""
    ids = list(lead.server.rows)
    lead.server.start_call(ids[0])
    lead.board.flush()
    select(lead, ids[0])
    refreshes: list[int] = []
    real = lead.console.row_actions.refresh
    monkeypatch.setattr(lead.console.row_actions, "refresh", lambda: refreshes.append(1) or real())
    changed: list[int] = []
    lead.board.dataChanged.connect(lambda *_: changed.append(1))
    for _ in range(3):
        clock.advance(1)
        lead.board.tick()
    assert changed  # the clock repainted cells
    assert refreshes == []
    lead.server.end_call(ids[0])  # wrap-up: what the row allows changes
    lead.board.flush()
    assert refreshes


def test_message_and_day_are_intents_for_the_comms_pages(lead: FakeConsole, qtbot) -> None:  # type: ignore[no-untyped-def]
    ids = list(lead.server.rows)
    select(lead, ids[2], ids[0])
    with qtbot.waitSignal(lead.console.message_requested) as sent:
        lead.console.row_actions.message.trigger()
    assert sorted(sent.args[0]) == sorted([ids[0], ids[2]])
    select(lead, ids[1])
    with qtbot.waitSignal(lead.console.day_requested) as day:
        qtbot.keyClick(lead.console.view, Qt.Key.Key_Return)
    assert day.args == [ids[1]]


def test_supervision_actions_without_supervision_are_disabled_with_a_reason(
    lead: FakeConsole,
) -> None:
    actions = lead.console.row_actions
    agent = next(iter(lead.server.rows))
    lead.server.start_call(agent)
    select(lead, agent)
    lead.console.row_actions.refresh()
    menu = actions.context_menu(lead.console)
    for name in ("listen", "whisper", "barge"):
        action = actions.supervision_actions[name]
        assert not action.isEnabled()
        assert "not available" in action.toolTip()
        assert action in menu.actions()
        assert lead.console.buttons[name].isVisibleTo(lead.console)
    assert not actions.stop_supervision.isEnabled()


def test_set_state_now_on_an_idle_agent(lead: FakeConsole) -> None:
    agent = next(iter(lead.server.rows))
    select(lead, agent)
    dialog = lead.console.row_actions.open_dialog("break", "Formation")
    assert dialog is not None
    assert not dialog.in_call.isVisibleTo(dialog)
    assert dialog.reason.currentText() == "Formation"
    dialog.note.setText("Point équipe à 14 h")
    dialog.accept()
    assert (
        "set_agent_state_remote",
        (agent, "break", "Formation", "Point équipe à 14 h"),
    ) in lead.server.calls
    assert lead.board.row_of(agent).state.value == "break"  # type: ignore[union-attr]
    assert "Break — Formation now" in lead.console.status.text()


def test_set_state_during_a_call_waits_for_its_end_and_can_be_cancelled(lead: FakeConsole) -> None:
    agent = next(iter(lead.server.rows))
    lead.server.start_call(agent)
    select(lead, agent)
    lead.console.row_actions.state_menu.aboutToShow.emit()  # the menu is built when opened
    texts = [a.text() for a in lead.console.row_actions.state_menu.actions()]
    assert "Applied after the current call" in texts
    dialog = lead.console.row_actions.open_dialog("offline", "")
    assert dialog is not None
    assert "applied after the current call" in dialog.in_call.text()
    dialog.accept()
    row = lead.board.row_of(agent)
    assert row is not None
    assert row.state.value == "on_call"
    assert row.pending is not None
    assert "Offline after the current call" in lead.console.status.text()
    index = lead.board.index(lead.board.source_row(agent), COL_STATE)
    assert index.data(PENDING_ROLE).startswith("Offline at the end of the call")
    select(lead, agent)
    assert lead.console.row_actions.cancel_pending.isEnabled()
    lead.console.row_actions.cancel_pending.trigger()
    assert ("cancel_pending_state", (agent,)) in lead.server.calls
    assert lead.board.row_of(agent).pending is None  # type: ignore[union-attr]
    assert "cancelled" in lead.console.status.text()


def test_a_refused_change_is_said_inline(lead: FakeConsole) -> None:
    agent = next(iter(lead.server.rows))
    select(lead, agent)
    lead.server.fail_next = ApiError(404, "not_found", "No such agent in your team.")
    dialog = lead.console.row_actions.open_dialog("not_ready", "")
    assert dialog is not None
    dialog.accept()
    assert "No such agent in your team." in lead.console.status.text()
    assert lead.console.status.isVisibleTo(lead.console)
    assert lead.board.row_of(agent).state.value == "available"  # type: ignore[union-attr]


def test_the_settings_dialog_validates_and_saves(lead: FakeConsole) -> None:
    lead.console.row_actions.settings.trigger()
    dialog = lead.controller.settings_dialog
    assert dialog is not None
    warn, alarm = dialog.thresholds["missed"]
    warn.setValue(5)  # type: ignore[attr-defined]
    alarm.setValue(3)  # type: ignore[attr-defined]
    assert not dialog.save_button.isEnabled()
    assert "warning must come before its alarm" in dialog.problem.text()
    alarm.setValue(8)  # type: ignore[attr-defined]
    assert dialog.save_button.isEnabled()
    check, field = dialog.alerts["no_break_s"]
    check.setChecked(False)
    assert not field.isEnabled()
    dialog.save_button.click()
    assert lead.server.settings["thresholds"]["missed"] == {"warn": 5, "alarm": 8}  # type: ignore[index]
    assert lead.server.settings["alerts"]["no_break_s"] is None  # type: ignore[index]
    assert lead.board.settings.thresholds.missed.warn == 5
    assert lead.controller.settings_dialog is None or not dialog.isVisible()


def test_a_failed_save_keeps_the_dialog_and_says_why(lead: FakeConsole) -> None:
    dialog = lead.controller.open_settings()
    assert dialog is not None
    lead.server.fail_next = ApiError(422, "invalid_input", "alerts.mos_under: out of range")
    dialog.save_button.click()
    assert "out of range" in dialog.problem.text()
    assert dialog.save_button.isEnabled()


def test_other_pages_get_a_side_tab_each(qtbot, clock: FakeClock) -> None:  # type: ignore[no-untyped-def]
    pages = (("Messages", QLabel("m")), ("Help requests", QWidget()))
    fake = build_fake_console(agents=2, clock=clock, extra_pages=pages)
    qtbot.addWidget(fake.console)
    side = fake.console.side
    assert [side.tabText(i) for i in range(side.count())] == ["Messages", "Help requests"]
    assert side.isVisibleTo(fake.console)
    extra = QWidget()
    fake.console.add_page("Alerts", extra)
    fake.console.show_page(extra)
    assert side.currentWidget() is extra
    bare = build_fake_console(agents=1, clock=clock)
    qtbot.addWidget(bare.console)
    assert not bare.console.side.isVisibleTo(bare.console)  # no empty panel


def test_an_admin_picks_the_team(qtbot, clock: FakeClock) -> None:  # type: ignore[no-untyped-def]
    fake = build_fake_console(agents=3, clock=clock, choose_team=True)
    qtbot.addWidget(fake.console)
    fake.controller.start()
    combo = fake.console.team
    assert combo.isVisibleTo(fake.console)
    assert [combo.itemText(i) for i in range(combo.count())] == ["Service client", "Ventes"]
    assert fake.board.rowCount() == 3
    combo.setCurrentIndex(1)
    combo.activated.emit(1)
    assert ("read_board", ("t-2",)) in fake.server.calls
    assert fake.board.team_id == "t-2"
    assert fake.board.rowCount() == 0
    # that team's own break reasons (GET /teams lists them for admins)
    fake.console.row_actions.state_menu.aboutToShow.emit()
    breaks = fake.console.row_actions.state_menu.actions()[0].menu()
    assert [a.text() for a in breaks.actions()] == ["Déjeuner"]
    fake.controller.stop()


def test_queue_stats_events_update_the_queues(lead: FakeConsole, clock: FakeClock) -> None:
    import datetime as dt

    from homeagent.ui.lead.queues_panel import QCOL_LONGEST, QCOL_SL, QCOL_WAITING

    queues = lead.queues
    assert queues.rowCount() == 3
    since = (clock() - dt.timedelta(seconds=40)).isoformat()
    lead.server.queue("support", waiting=2, oldest_since=since, service_level_pct=72.0)
    assert queues.index(0, QCOL_WAITING).data() == "2"
    assert queues.index(0, QCOL_LONGEST).data() == "00:40"
    assert queues.index(0, QCOL_SL).data() == "▲ 72 %"
    clock.advance(20)
    lead.console.tick()
    assert queues.index(0, QCOL_LONGEST).data() == "01:00"
    other = dict(lead.server.queues["sales"], team_id="t-9", waiting=7)
    assert not lead.feed("queue_stats", other)  # another team's queue
    assert queues.index(1, QCOL_WAITING).data() == "0"
    assert not lead.feed("queue_stats", {"queue": "support"})  # malformed: dropped
    assert queues.index(0, QCOL_WAITING).data() == "2"


def test_the_context_menu_opens_from_the_keyboard_on_the_selection(
    lead: FakeConsole, qtbot
) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import QPoint
    from PySide6.QtGui import QContextMenuEvent
    from PySide6.QtWidgets import QApplication

    ids = list(lead.server.rows)
    select(lead, ids[3])
    lead.console.view.setCurrentIndex(lead.console.proxy.index(0, 0))
    select(lead, ids[3])
    opened: list[object] = []
    # the view's intent only (a popped menu would grab the keyboard: offscreen warns)
    lead.console.view.context_menu_requested.disconnect()
    lead.console.view.context_menu_requested.connect(opened.append)
    view = lead.console.view.viewport()
    event = QContextMenuEvent(
        QContextMenuEvent.Reason.Keyboard, QPoint(1, 1), view.mapToGlobal(QPoint(1, 1))
    )
    QApplication.sendEvent(lead.console.view.viewport(), event)
    assert len(opened) == 1
    assert lead.console.view.selected_agent_ids() == [ids[3]]  # the selection did not move
