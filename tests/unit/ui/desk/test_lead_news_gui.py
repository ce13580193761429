"""The team lead's news on the desk's window, in French: who changed the state and why,
the change planned after the call, the help request's status, the conversation."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt

from homeagent.core.agent_state import AgentState
from homeagent.core.desk_snapshot import Screen
from homeagent.core.desk_types import Delivery, Message, Priority, RemoteChange
from homeagent.ui.qt.labels import key_text
from tests.unit.ui.conftest import ring

T0 = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)


def _in_call(qtbot, desk) -> None:  # type: ignore[no-untyped-def]
    ring(qtbot, desk)
    desk.model.answer()
    qtbot.waitUntil(lambda: desk.model.snapshot().screen is Screen.IN_CALL, timeout=3000)


def test_who_changed_the_state_and_why_in_french(qtbot, french, desk) -> None:  # type: ignore[no-untyped-def]
    model, window = desk.model, desk.window
    model.server_set_state(AgentState.BREAK, "Café")
    model.remote_state_change(
        RemoteChange(AgentState.BREAK, "Café", "Claire M.", "Réunion d'équipe")
    )
    banner = window.state_banner
    assert banner.isVisible()
    assert banner.text.text() == "Mis en pause par Claire M. — Réunion d'équipe"
    assert banner.button.text() == "OK"
    assert banner.focusPolicy() is Qt.FocusPolicy.NoFocus
    qtbot.mouseClick(banner.button, Qt.MouseButton.LeftButton)
    assert not banner.isVisible()
    model.server_set_state(AgentState.OFFLINE)
    model.remote_state_change(RemoteChange(AgentState.OFFLINE, "", "Claire M."))
    assert banner.text.text() == "Mis hors ligne par Claire M. : vous ne recevez plus d'appels"


def test_the_change_planned_after_the_call_in_french(qtbot, french, desk) -> None:  # type: ignore[no-untyped-def]
    _in_call(qtbot, desk)
    desk.model.set_pending(RemoteChange(AgentState.BREAK, "Café", "Claire M."))
    banner = desk.window.state_banner
    assert banner.isVisible()
    assert banner.text.text() == "Pause prévue à la fin de l'appel (Claire M.)"
    assert not banner.button.isVisible()  # nothing to do: it waits for the call's end
    desk.model.set_pending(RemoteChange(AgentState.OFFLINE, "", "Claire M.", "Fin de service"))
    assert (
        banner.text.text()
        == "Mise hors ligne prévue à la fin de l'appel (Claire M.) — Fin de service"
    )


def test_the_help_request_status_in_french(qtbot, french, desk) -> None:  # type: ignore[no-untyped-def]
    _in_call(qtbot, desk)
    controls = desk.window.controls
    qtbot.mouseClick(controls.help, Qt.MouseButton.LeftButton)
    request_id = desk.sink.help_requests[0].id
    assert controls.help_status.text() == "Demande d'aide enregistrée, envoi…"
    assert controls.notice.text() == ""  # not "sent" before it is
    desk.model.help_answered(request_id, 9, "open")
    assert controls.help_status.text() == "Demande d'aide envoyée"
    desk.model.help_updated(9, "acknowledged", "Claire M.")
    assert controls.help_status.text() == "Claire M. arrive"
    desk.model.help_updated(9, "resolved")
    assert controls.help_status.text() == "Demande d'aide résolue"


def test_the_conversation_in_order_with_bien_recu_and_the_reply(qtbot, french, desk) -> None:  # type: ignore[no-untyped-def]
    model, window = desk.model, desk.window
    model.add_message(Message("1", "Claire M.", "Bonjour", T0))
    model.add_message(
        Message("2", "Claire M.", "Incident Lyon", T0 + dt.timedelta(minutes=1), Priority.URGENT)
    )
    urgent = window.urgent_banner
    assert urgent.isVisible()
    assert urgent.button.text() == "Bien reçu"
    assert window.message_banner.text.text() == "Nouveau message de Claire M. : Bonjour"
    assert window.message_banner.button.text() == "Ouvrir"
    qtbot.mouseClick(window.message_banner.button, Qt.MouseButton.LeftButton)
    inbox = window.side.inbox
    assert window.side.currentWidget() is inbox
    assert sorted(desk.sink.receipts) == ["1", "2"]  # seen in the open Inbox
    assert not window.message_banner.isVisible()
    texts = [str(inbox.model.data(inbox.model.index(r, 0))) for r in range(inbox.model.rowCount())]
    assert texts[0].startswith("Claire M. · ")  # oldest first
    assert texts[1].startswith("! Urgent — Claire M.")
    inbox.list.setCurrentIndex(inbox.model.index(1, 0))
    assert inbox.ack.isVisible()
    assert inbox.ack.text() == "Bien reçu"
    qtbot.mouseClick(inbox.ack, Qt.MouseButton.LeftButton)
    assert desk.sink.acks == ["2"]
    assert not urgent.isVisible()
    assert not inbox.ack.isVisible()
    inbox.compose.setText("Bien noté, merci")
    qtbot.keyClick(inbox.compose, Qt.Key.Key_Return)
    [(local_id, body)] = desk.sink.to_lead
    assert body == "Bien noté, merci"
    last = inbox.model.index(inbox.model.rowCount() - 1, 0)
    assert str(inbox.model.data(last)).startswith("Vous · ")
    model.message_delivery(local_id, Delivery.SAVED)
    assert "Enregistré" in str(inbox.model.data(last))
    model.message_delivery(local_id, Delivery.SENT)
    assert "Envoyé" in str(inbox.model.data(last))
    assert inbox.model.data(last, Qt.ItemDataRole.TextAlignmentRole) == int(
        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
    )


def test_the_help_request_is_still_followed_in_the_wrap_up(qtbot, french, desk) -> None:  # type: ignore[no-untyped-def]
    call_id = ring(qtbot, desk)
    desk.model.answer()
    qtbot.waitUntil(lambda: desk.model.snapshot().screen is Screen.IN_CALL, timeout=3000)
    desk.model.request_help()
    desk.model.help_answered(desk.sink.help_requests[0].id, 5, "open")
    desk.engine.remote_hangup(call_id)
    qtbot.waitUntil(lambda: desk.model.snapshot().screen is Screen.WRAP_UP, timeout=3000)
    desk.model.help_updated(5, "acknowledged", "Claire M.")
    assert desk.window.wrap_up.help_status.isVisible()
    assert desk.window.wrap_up.help_status.text() == "Claire M. arrive"


def test_the_urgent_message_is_acknowledged_from_the_keyboard(qtbot, french, desk) -> None:  # type: ignore[no-untyped-def]
    model, window = desk.model, desk.window
    window.show()
    qtbot.waitExposed(window)
    model.add_message(Message("7", "Claire M.", "Incident Lyon", T0, Priority.URGENT))
    assert window.urgent_banner.isVisible()
    tip = window.urgent_banner.button.toolTip()
    assert tip == f"Confirmer la réception du message urgent ({key_text('Ctrl+Shift+B')})"
    window.shortcut_actions["ack_urgent"].trigger()  # Ctrl+Shift+B
    assert desk.sink.acks == ["7"]
    assert not window.urgent_banner.isVisible()
    window.shortcut_actions["ack_urgent"].trigger()  # nothing urgent left: nothing happens
    assert desk.sink.acks == ["7"]


def test_help_is_asked_from_the_keyboard_during_a_call_only(qtbot, french, desk) -> None:  # type: ignore[no-untyped-def]
    window = desk.window
    window.shortcut_actions["ask_help"].trigger()  # Ctrl+Shift+H, no call: nothing
    assert desk.sink.help_requests == []
    _in_call(qtbot, desk)
    assert key_text("Ctrl+Shift+H") in window.controls.help.toolTip()
    window.shortcut_actions["ask_help"].trigger()
    assert len(desk.sink.help_requests) == 1
    window.shortcut_actions["ask_help"].trigger()  # asked already: not twice
    assert len(desk.sink.help_requests) == 1


def test_the_lead_keys_win_over_the_call_notes_being_typed(qtbot, french, desk) -> None:  # type: ignore[no-untyped-def]
    window = desk.window
    window.show()
    qtbot.waitExposed(window)
    _in_call(qtbot, desk)
    desk.model.add_message(Message("8", "Claire M.", "Incident", T0, Priority.URGENT))
    notes = window.controls.notes
    notes.setFocus()
    qtbot.waitUntil(notes.hasFocus)
    keys = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    qtbot.keyClick(notes, Qt.Key.Key_H, keys)
    qtbot.keyClick(notes, Qt.Key.Key_B, keys)
    assert len(desk.sink.help_requests) == 1
    assert desk.sink.acks == ["8"]
    assert notes.toPlainText() == ""
