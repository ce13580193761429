"""The window over fakes: ringing, call controls, wrap-up, shortcuts, focus, inbox."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from homeagent.core import commands as cmd
from homeagent.core.agent_state import AgentState
from homeagent.core.desk_snapshot import Screen
from homeagent.core.desk_types import Delivery
from homeagent.core.eventlog import MemoryEventLog
from homeagent.testing.demo_team import DEMO_TEAM
from homeagent.testing.fakes import demo_messages
from tests.unit.ui.conftest import make_desk, ring


def _key(qtbot, desk, key, modifiers=Qt.KeyboardModifier.NoModifier) -> None:  # type: ignore[no-untyped-def]
    target = QApplication.focusWidget() or desk.window
    qtbot.keyClick(target, key, modifiers)


CTRL = Qt.KeyboardModifier.ControlModifier


def test_ringing_pops_the_card_from_the_cache_and_logs_the_paint(qtbot, desk) -> None:
    ring(qtbot, desk, "0612345678")
    w = desk.window
    assert w.centre.currentWidget() is w.call_page
    assert w.actions_stack.currentWidget() is w.ringing
    assert w.card.name.text() == "Camille Martin"
    assert w.ring_banner.isVisible()
    assert "Camille Martin" in w.ring_banner.text.text()
    assert desk.controller.notifier.shown[-1][1] == "Camille Martin"
    log = desk.log
    assert isinstance(log, MemoryEventLog)
    qtbot.waitUntil(lambda: "card_painted" in log.events())
    painted = next(r for r in log.records if r["event"] == "card_painted")
    assert painted["contact_id"] == "c-001"
    assert painted["latency_ms"] is not None


def test_unknown_caller_and_quick_create(qtbot, desk) -> None:
    ring(qtbot, desk, "+33700000042")
    card = desk.window.card
    assert card.name.text() == "Unknown caller"
    assert card.create_box.isVisible()
    card.first_name.setText("Paul")
    card.last_name.setText("Girard")
    qtbot.mouseClick(card.create_button, Qt.MouseButton.LeftButton)
    assert card.name.text() == "Paul Girard"
    assert not card.create_box.isVisible()
    assert desk.directory.lookup_number("0700000042").full_name == "Paul Girard"


def test_whole_call_with_the_keyboard(qtbot, desk) -> None:
    call_id = ring(qtbot, desk)
    w = desk.window
    _key(qtbot, desk, Qt.Key.Key_Return, CTRL)  # answer
    qtbot.waitUntil(lambda: w.actions_stack.currentWidget() is w.controls)
    assert desk.model.snapshot().presence.state is AgentState.ON_CALL
    _key(qtbot, desk, Qt.Key.Key_H, CTRL)
    qtbot.waitUntil(lambda: w.controls.hold.isChecked())
    assert w.controls.state.text().startswith("On hold · ")
    _key(qtbot, desk, Qt.Key.Key_H, CTRL)
    qtbot.waitUntil(lambda: not w.controls.hold.isChecked())
    _key(qtbot, desk, Qt.Key.Key_M, CTRL)
    qtbot.waitUntil(lambda: w.controls.mute.isChecked())
    _key(qtbot, desk, Qt.Key.Key_E, CTRL | Qt.KeyboardModifier.ShiftModifier)  # hang up
    qtbot.waitUntil(lambda: w.actions_stack.currentWidget() is w.wrap_up)
    assert cmd.Hangup(call_id) in desk.sink.commands
    assert w.card.name.text() == "Camille Martin"  # the card stays for the wrap-up
    assert w.wrap_up.countdown.text().endswith("left")
    assert w.wrap_up.notes.hasFocus()  # focus was lost with the call controls: notes next
    # the form is reachable without the mouse: Alt+D disposition, Down, Ctrl+S save
    _key(qtbot, desk, Qt.Key.Key_D, Qt.KeyboardModifier.AltModifier)
    assert w.wrap_up.disposition.hasFocus()
    _key(qtbot, desk, Qt.Key.Key_Down)
    _key(qtbot, desk, Qt.Key.Key_S, CTRL)
    assert desk.sink.wrap_ups[0].disposition == "resolved"


def test_wrap_up_saved_only_when_durable_then_sent(qtbot) -> None:
    desk = make_desk(qtbot, replace(DEMO_TEAM, auto_available_after_wrap_up=False))
    try:
        call_id = ring(qtbot, desk)
        desk.model.answer()
        qtbot.waitUntil(lambda: desk.model.snapshot().screen is Screen.IN_CALL)
        desk.engine.remote_hangup(call_id)
        form = desk.window.wrap_up
        qtbot.waitUntil(lambda: desk.window.actions_stack.currentWidget() is form)
        qtbot.mouseClick(form.save, Qt.MouseButton.LeftButton)
        assert "disposition" in form.notice.text()
        assert desk.sink.wrap_ups == []
        form.disposition.setCurrentIndex(2)
        qtbot.keyClicks(form.notes, "Rappel demain")
        qtbot.keyClick(form.notes, Qt.Key.Key_S, CTRL)
        assert desk.sink.wrap_ups[0].disposition == DEMO_TEAM.dispositions[1].code
        assert desk.sink.wrap_ups[0].notes == "Rappel demain"
        assert form.delivery_is(Delivery.SAVING)
        assert not form.save.isEnabled()
        qtbot.waitUntil(lambda: form.delivery_is(Delivery.SENT), timeout=3000)
        log = desk.log
        assert isinstance(log, MemoryEventLog)
        events = log.events()
        assert events.index("wrap_up_saved") < events.index("wrap_up_sent")
        assert form.ready.isVisible()  # back to Available by hand for this team
        qtbot.mouseClick(form.ready, Qt.MouseButton.LeftButton)
        assert desk.model.snapshot().presence.state is AgentState.AVAILABLE
        assert desk.window.centre.currentWidget() is desk.window.idle
    finally:
        desk.controller.stop()
        desk.lanes.close()


def test_auto_available_after_durable_wrap_up(qtbot, desk) -> None:
    call_id = ring(qtbot, desk)
    desk.model.answer()
    qtbot.waitUntil(lambda: desk.model.snapshot().screen is Screen.IN_CALL)
    desk.engine.remote_hangup(call_id)
    qtbot.waitUntil(lambda: desk.model.snapshot().screen is Screen.WRAP_UP)
    desk.window.wrap_up.disposition.setCurrentIndex(1)
    desk.window.wrap_up.save.click()
    qtbot.waitUntil(lambda: desk.window.centre.currentWidget() is desk.window.idle)
    assert desk.model.snapshot().presence.state is AgentState.AVAILABLE
    qtbot.waitUntil(lambda: desk.window.idle.status.text() == "Last wrap-up: Sent", timeout=2000)
    qtbot.waitUntil(lambda: desk.window.side.history.model.rowCount() == 4)


def test_ringing_never_takes_focus_from_a_field_being_typed_in(qtbot, desk) -> None:
    field = desk.window.side.contacts.field
    field.setFocus()
    qtbot.waitUntil(field.hasFocus)
    qtbot.keyClicks(field, "Dub")
    ring(qtbot, desk)
    qtbot.wait(50)
    assert field.hasFocus()
    qtbot.keyClicks(field, "ois")
    assert field.text() == "Dubois"
    assert desk.model.snapshot().screen is Screen.RINGING  # typing did not answer


def test_typing_in_the_centre_search_moves_to_the_side_search_when_it_rings(qtbot, desk) -> None:
    field = desk.window.idle.search.field
    field.setFocus()
    qtbot.waitUntil(field.hasFocus)
    qtbot.keyClicks(field, "Mar")
    ring(qtbot, desk)
    side = desk.window.side.contacts.field
    assert side.hasFocus()
    assert side.text() == "Mar"
    qtbot.keyClicks(side, "tin ")  # a space must not press Answer
    assert side.text() == "Martin "
    assert desk.model.snapshot().screen is Screen.RINGING


def test_call_shortcuts_win_over_a_focused_text_field(qtbot, desk) -> None:
    field = desk.window.side.contacts.field
    field.setFocus()
    qtbot.waitUntil(field.hasFocus)
    qtbot.keyClicks(field, "abc")
    field.setCursorPosition(0)
    qtbot.keyClick(field, Qt.Key.Key_D, CTRL)  # would delete a character in a line edit
    assert desk.model.snapshot().presence.state is AgentState.OFFLINE
    assert field.text() == "abc"
    ring_id = None
    qtbot.keyClick(field, Qt.Key.Key_D, CTRL)
    assert desk.model.snapshot().presence.state is AgentState.AVAILABLE
    ring_id = ring(qtbot, desk)
    qtbot.keyClick(field, Qt.Key.Key_Return, CTRL)
    assert cmd.Answer(ring_id) in desk.sink.commands


def test_ctrl_f_focuses_the_search_and_f1_lists_shortcuts(qtbot, desk) -> None:
    _key(qtbot, desk, Qt.Key.Key_F, CTRL)
    assert desk.window.idle.search.field.hasFocus()
    sheet = desk.window.show_shortcut_sheet()
    qtbot.addWidget(sheet)
    keys = {sheet.table.item(r, 0).text() for r in range(sheet.table.rowCount())}
    assert {"Answer", "Hang up", "Hold / resume", "Mute / unmute", "Toggle Available"} <= keys


def test_urgent_message_during_a_call_shows_a_banner_until_acknowledged(qtbot, desk) -> None:
    import datetime as dt

    ring(qtbot, desk)
    desk.model.answer()
    qtbot.waitUntil(lambda: desk.model.snapshot().screen is Screen.IN_CALL)
    notes = desk.window.controls.destination
    notes.setFocus()
    qtbot.waitUntil(notes.hasFocus)
    for message in demo_messages(dt.datetime.now(dt.UTC)):
        desk.controller.add_message(message)
    banner = desk.window.urgent_banner
    assert banner.isVisible()
    assert "Lyon" in banner.text.text()
    assert notes.hasFocus()  # the banner did not take focus
    assert desk.window.top.inbox.text().endswith("(2)")
    assert desk.model.snapshot().screen is Screen.IN_CALL
    qtbot.mouseClick(banner.button, Qt.MouseButton.LeftButton)  # "Bien reçu"
    assert not banner.isVisible()
    assert desk.sink.acks == ["m-2"]  # the ack (the server's ack implies read)
    assert desk.window.side.tabText(2) == "Inbox (1)"


def test_presence_menu_offers_the_team_break_reasons(qtbot, desk) -> None:
    button = desk.window.top.presence
    menu = button.menu()
    titles = [a.text() for a in menu.actions() if a.text()]
    assert titles[0] == "●  Available"
    assert "○  Offline" in titles
    breaks = next(a.menu() for a in menu.actions() if a.menu())
    reasons = [a.text() for a in breaks.actions()]
    assert reasons == list(DEMO_TEAM.pause_reasons)
    breaks.actions()[0].trigger()
    assert button.text().startswith("❚❚  Break — Déjeuner")
    assert button.accessibleDescription() == "Break — Déjeuner"


def test_contact_search_as_you_type_and_click_to_dial(qtbot, desk) -> None:
    search = desk.window.side.contacts
    qtbot.keyClicks(search.field, "dubois")
    qtbot.waitUntil(lambda: search.model.rowCount() == 1, timeout=2000)
    search.results.setCurrentIndex(search.model.index(0, 0))
    search.call.setEnabled(True)
    qtbot.mouseClick(search.call, Qt.MouseButton.LeftButton)
    assert cmd.Dial("+33145678901") in desk.sink.commands
    qtbot.waitUntil(lambda: desk.model.snapshot().screen is Screen.IN_CALL)
    assert desk.window.card.name.text() == "Sophie Dubois"


def test_the_window_fits_a_1366x768_laptop(qtbot, desk) -> None:
    for step in ("idle", "ring", "answer", "hangup"):
        if step == "ring":
            call_id = ring(qtbot, desk)
        elif step == "answer":
            desk.model.answer()
            qtbot.waitUntil(lambda: desk.model.snapshot().screen is Screen.IN_CALL)
            desk.window.controls.keypad_toggle.setChecked(True)
        elif step == "hangup":
            desk.engine.remote_hangup(call_id)
            qtbot.waitUntil(lambda: desk.model.snapshot().screen is Screen.WRAP_UP)
        hint = desk.window.minimumSizeHint()
        assert hint.width() <= 1366, (step, hint)
        assert hint.height() <= 740, (step, hint)


def test_callback_due_soon_is_reminded_once(qtbot, desk) -> None:
    import datetime as dt

    from homeagent.core.desk_types import Callback

    soon = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=2)
    desk.window.idle.show_callbacks([Callback("cb-9", soon, "c-003", "Sophie Dubois")])
    desk.controller._on_clock_timeout()
    desk.controller._on_clock_timeout()
    reminders = [t for t in desk.controller.notifier.shown if t[1] == "Sophie Dubois"]
    assert len(reminders) == 1
    assert reminders[0][0].startswith("Callback at ")


def test_the_presence_menu_speaks_the_buttons_colour_language(qtbot, desk) -> None:  # type: ignore[no-untyped-def]
    from homeagent.core.agent_state import AgentState
    from homeagent.ui.qt.theme import STATE_COLOURS

    menu = desk.window.top.presence.menu()
    items = {a.text(): a for a in menu.actions() if a.text()}
    available = next(a for t, a in items.items() if "Available" in t)
    assert STATE_COLOURS[AgentState.AVAILABLE].mark in available.text()
    assert not available.icon().isNull()
    breaks = next(a for t, a in items.items() if "Break" in t)
    assert STATE_COLOURS[AgentState.BREAK].mark in breaks.text()
    assert not breaks.icon().isNull()
    offline = next(a for t, a in items.items() if "Offline" in t)
    assert STATE_COLOURS[AgentState.OFFLINE].mark in offline.text()


def test_a_break_reason_that_names_the_break_is_said_once(qtbot, french) -> None:  # type: ignore[no-untyped-def]
    from homeagent.core.agent_state import AgentState, Presence
    from homeagent.ui.qt.labels import presence_text

    assert presence_text(Presence(AgentState.BREAK, "Pause café")) == "Pause café"
    assert presence_text(Presence(AgentState.BREAK, "Déjeuner")) == "Pause — Déjeuner"
