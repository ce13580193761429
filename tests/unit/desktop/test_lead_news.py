"""The lead console's agent side, end to end in one session: the real store and outbox,
the fake engine, and the contract's fake server answering the outbox and pushing the
events a lead's actions make (docs/lead-contract.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from homeagent.core import commands as cmd
from homeagent.core.agent_state import AgentState
from homeagent.core.desk_snapshot import Screen
from homeagent.core.desk_types import HelpStatus
from homeagent.core.events import CallQuality
from homeagent.testing.device import FakeDevice
from tests.unit.desktop.conftest import running_session

STATE_PATH = "/agents/me/state"


@pytest.fixture
def session(qtbot, tmp_path: Path):  # type: ignore[no-untyped-def]
    device = FakeDevice(data_dir=tmp_path, enrolled=True)
    with running_session(qtbot, device, tmp_path / "events.jsonl") as s:
        qtbot.waitUntil(lambda: s.model.snapshot().agent_name == "Alice Robert", timeout=3000)
        yield s


def _queued(device: FakeDevice, path: str, **body: Any) -> bool:
    return any(
        i.path == path and all(i.body.get(k) == v for k, v in body.items())
        for i in device.outbox.pending()
    )


def _send(qtbot, device: FakeDevice, path: str, **body: Any) -> None:  # type: ignore[no-untyped-def]
    """Wait for the entry in the outbox (the disk lane), then the sender's pass."""
    qtbot.waitUntil(lambda: _queued(device, path, **body), timeout=3000)
    device.server_sends_everything()


def _available(qtbot, session) -> None:  # type: ignore[no-untyped-def]
    session.model.set_presence(AgentState.AVAILABLE)
    _send(qtbot, session.device, STATE_PATH, state="available")
    assert session.device.server.state["state"] == "available"


def _in_call(qtbot, session) -> int:  # type: ignore[no-untyped-def]
    model, engine = session.model, session.fake_engine
    call_id = engine.ring("+33612345678")
    qtbot.waitUntil(lambda: model.snapshot().screen is Screen.RINGING, timeout=3000)
    model.answer()
    qtbot.waitUntil(lambda: model.snapshot().screen is Screen.IN_CALL, timeout=3000)
    _send(qtbot, session.device, STATE_PATH, state="on_call")
    return int(call_id)


def _wrap_up(qtbot, session, call_id: int) -> None:  # type: ignore[no-untyped-def]
    model = session.model
    session.fake_engine.remote_hangup(call_id)
    qtbot.waitUntil(lambda: model.snapshot().screen is Screen.WRAP_UP, timeout=3000)
    model.edit_wrap_up(notes="", disposition="ok", callback_at=None)
    model.submit_wrap_up()
    qtbot.waitUntil(lambda: model.snapshot().screen is Screen.IDLE, timeout=3000)


def test_a_break_set_during_a_call_waits_and_the_desk_takes_the_server_s_answer(
    qtbot, session
) -> None:  # type: ignore[no-untyped-def]
    model, device, window = session.model, session.device, session.window
    _available(qtbot, session)
    call_id = _in_call(qtbot, session)
    device.server.lead_sets_state("break", "Café", note="Réunion d'équipe")
    qtbot.waitUntil(window.state_banner.isVisible, timeout=3000)
    assert window.state_banner.text.text() == (
        "Break planned at the end of the call (Claire M.) — Réunion d'équipe"
    )
    assert model.snapshot().screen is Screen.IN_CALL  # never interrupted
    _wrap_up(qtbot, session, call_id)
    # the wrap-up is over: the desk asks for Available, the server answers the break; its
    # agent_state event is lost here, so the answer alone must bring the desk there
    device.server.push = lambda _type, _data: None
    _send(qtbot, device, STATE_PATH, state="available")
    qtbot.waitUntil(lambda: model.snapshot().presence.state is AgentState.BREAK, timeout=3000)
    snap = model.snapshot()
    assert snap.presence.reason == "Café"
    assert snap.pending is None
    qtbot.waitUntil(
        lambda: window.state_banner.text.text() == "Put on break by Claire M. — Réunion d'équipe",
        timeout=3000,
    )
    assert session.engine.submitted[-1] == cmd.SetAvailable(False)  # no calls on a break
    qtbot.wait(200)
    device.server_sends_everything()
    puts = [b["state"] for b in device.server.sent(STATE_PATH)]
    assert puts[-1] == "available"  # the desk never insisted, nor sent the break back
    assert device.server.state["state"] == "break"
    assert device.server.state["changed_by"]["name"] == "Claire M."  # still the lead's
    qtbot.mouseClick(window.state_banner.button, Qt.MouseButton.LeftButton)
    assert not window.state_banner.isVisible()


def test_a_cancelled_pending_change_leaves_the_agent_available(qtbot, session) -> None:  # type: ignore[no-untyped-def]
    model, device, window = session.model, session.device, session.window
    _available(qtbot, session)
    call_id = _in_call(qtbot, session)
    device.server.lead_sets_state("offline")
    qtbot.waitUntil(window.state_banner.isVisible, timeout=3000)
    device.server.lead_cancels_pending()
    qtbot.waitUntil(lambda: not window.state_banner.isVisible(), timeout=3000)
    _wrap_up(qtbot, session, call_id)
    _send(qtbot, device, STATE_PATH, state="available")
    qtbot.wait(200)
    assert model.snapshot().presence.state is AgentState.AVAILABLE


def test_offline_by_the_lead_takes_the_desk_offline_and_says_so(qtbot, session) -> None:  # type: ignore[no-untyped-def]
    model, device, window = session.model, session.device, session.window
    _available(qtbot, session)
    device.server.lead_sets_state("offline", note="Fin de service")
    qtbot.waitUntil(lambda: model.snapshot().presence.state is AgentState.OFFLINE, timeout=3000)
    assert session.engine.submitted[-1] == cmd.SetAvailable(False)
    qtbot.waitUntil(window.state_banner.isVisible, timeout=3000)
    assert window.state_banner.text.text() == (
        "Signed out by Claire M.: you no longer receive calls — Fin de service"
    )
    assert any("changed your state" in title for title, _ in session.controller.notifier.shown)


def test_an_urgent_message_is_delivered_acknowledged_and_the_lead_hears_it(qtbot, session) -> None:  # type: ignore[no-untyped-def]
    device, window = session.device, session.window
    call_id = _in_call(qtbot, session)
    focus = window.controls.notes
    focus.setFocus()
    qtbot.waitUntil(focus.hasFocus, timeout=3000)
    urgent = device.server.lead_sends("Incident à Lyon : proposez un rappel", "urgent")
    normal = device.server.lead_sends("Réunion à 14 h")
    qtbot.waitUntil(window.urgent_banner.isVisible, timeout=3000)
    assert window.message_banner.isVisible()
    assert focus.hasFocus()  # nothing took the focus from the call's notes
    assert session.model.snapshot().screen is Screen.IN_CALL
    titles = [title for title, _text in session.controller.notifier.shown]
    assert titles == ["Incoming call"]  # no notification for a message during a call
    device.server_sends_everything()  # the "delivered" receipts, queued when stored
    for m in (urgent, normal):
        assert device.server.receipts[m["id"]]["delivered_at"] is not None
    qtbot.mouseClick(window.urgent_banner.button, Qt.MouseButton.LeftButton)  # "Bien reçu"
    assert not window.urgent_banner.isVisible()
    _send(qtbot, device, f"/messages/{urgent['id']}/ack")
    assert device.server.receipts[urgent["id"]]["acked_at"] is not None
    qtbot.mouseClick(window.message_banner.button, Qt.MouseButton.LeftButton)  # open the Inbox
    assert window.side.currentWidget() is window.side.inbox
    _send(qtbot, device, f"/messages/{normal['id']}/read")
    assert device.server.receipts[normal["id"]]["read_at"] is not None
    assert not window.message_banner.isVisible()
    assert session.model.snapshot().unread == 0
    session.fake_engine.remote_hangup(call_id)


def test_the_agent_writes_to_the_lead_saved_then_sent(qtbot, session) -> None:  # type: ignore[no-untyped-def]
    device, window = session.device, session.window
    inbox = window.side.inbox
    window.side.setCurrentWidget(inbox)
    device.server.lead_sends("Tout va bien ?")
    inbox.compose.setText("Oui, merci !")
    qtbot.mouseClick(inbox.send, Qt.MouseButton.LeftButton)
    assert inbox.compose.text() == ""

    def last_line() -> str:
        model = inbox.model
        return str(model.data(model.index(model.rowCount() - 1, 0)))

    qtbot.waitUntil(lambda: "Saved" in last_line(), timeout=3000)
    assert last_line().startswith("You · ")
    assert last_line().endswith("\nOui, merci !")
    device.server_sends_everything()
    qtbot.waitUntil(lambda: "Sent" in last_line(), timeout=3000)
    assert device.server.sent("/messages/to-lead") == [{"body": "Oui, merci !"}]
    assert inbox.model.rowCount() == 2  # the lead's, then mine: in order
    assert "Tout va bien ?" in str(inbox.model.data(inbox.model.index(0, 0)))


def test_the_help_request_shows_envoyee_then_the_lead_coming_then_resolved(qtbot, session) -> None:  # type: ignore[no-untyped-def]
    device, window, model = session.device, session.window, session.model
    _in_call(qtbot, session)
    qtbot.mouseClick(window.controls.help, Qt.MouseButton.LeftButton)
    status = window.controls.help_status
    qtbot.waitUntil(lambda: status.text() == "Help request saved, sending…", timeout=3000)
    _send(qtbot, device, "/help-requests")
    qtbot.waitUntil(lambda: status.text() == "Help request sent", timeout=3000)
    [help_id] = device.server.helps
    device.server.lead_updates_help(help_id, "acknowledged")
    qtbot.waitUntil(lambda: status.text() == "Claire M. is coming", timeout=3000)
    device.server.lead_updates_help(help_id, "resolved")
    qtbot.waitUntil(
        lambda: model.snapshot().help.status is HelpStatus.RESOLVED,  # type: ignore[union-attr]
        timeout=3000,
    )
    assert status.text() == "Help request resolved"


def test_the_call_s_quality_reaches_the_device_live_and_final(qtbot, session) -> None:  # type: ignore[no-untyped-def]
    device = session.device
    call_id = _in_call(qtbot, session)
    session.fake_engine.measure(call_id, CallQuality(mos=4.2, rx_loss_pct=0.4, jitter_ms=8))
    qtbot.waitUntil(lambda: len(device.qualities) == 1, timeout=3000)
    session.fake_engine.remote_hangup(call_id, CallQuality(mos=3.9, tx_loss_pct=1.0))
    qtbot.waitUntil(lambda: len(device.qualities) == 2, timeout=3000)
    assert [(q.mos, q.final) for q in device.qualities] == [(4.2, False), (3.9, True)]
    assert not any(i.kind == "quality" for i in device.outbox.items())  # never queued


def test_nothing_of_the_lead_s_news_hides_a_ringing_call(qtbot, session) -> None:  # type: ignore[no-untyped-def]
    device, window, model = session.device, session.window, session.model
    window.resize(1366, 768)
    _available(qtbot, session)
    device.server.lead_sends("Urgent : lisez-moi", "urgent")
    device.server.lead_sends("Pour info")
    qtbot.waitUntil(window.message_banner.isVisible, timeout=3000)
    search = window.idle.search.field
    search.setFocus()
    qtbot.keyClicks(search, "Mar")
    session.fake_engine.ring("+33612345678")
    qtbot.waitUntil(lambda: model.snapshot().screen is Screen.RINGING, timeout=3000)
    device.server.lead_sends("Encore un")  # arrives while it rings
    device.server.lead_sets_state("break", "Café")  # pending: the agent is ringing
    qtbot.wait(200)
    assert window.ring_banner.isVisible()
    assert not window.message_banner.isVisible()  # only the call has the room
    assert not window.state_banner.isVisible()
    answer = window.ringing.answer
    assert answer.isVisible()
    top_left = answer.mapTo(window, answer.rect().topLeft())
    assert window.rect().contains(top_left)
    assert window.rect().contains(answer.mapTo(window, answer.rect().bottomRight()))
    assert window.side.contacts.field.hasFocus() or search.hasFocus()  # typing goes on
    assert not any(w.isModal() for w in window.findChildren(type(window)))


def test_the_inbox_shows_only_my_conversation(qtbot, session) -> None:  # type: ignore[no-untyped-def]
    """A lead who takes calls hears every team message; only theirs reach the desk's inbox."""
    device, model = session.device, session.model
    other = {
        "id": 99, "sender_id": "u-2", "sender_name": "Bob", "to_agent_id": None,
        "to_team_id": None, "thread_agent_id": "u-2", "body": "à la cheffe",
        "priority": "normal", "created_at": "2026-12-01T09:00:00Z", "receipt": None,
        "counts": None,
    }  # fmt: skip
    device.push("message", other)
    mine = device.server.lead_sends("pour toi")
    qtbot.waitUntil(lambda: model.inbox.get(str(mine["id"])) is not None, timeout=3000)
    assert model.inbox.get("99") is None
    assert [i.path for i in device.outbox.pending()] == [f"/messages/{mine['id']}/delivered"]


def test_an_ack_and_a_message_made_offline_survive_a_restart(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    device = FakeDevice(data_dir=tmp_path, enrolled=True)
    with running_session(qtbot, device, tmp_path / "one.jsonl") as s:
        urgent = device.server.lead_sends("Incident Lyon", "urgent")
        qtbot.waitUntil(s.window.urgent_banner.isVisible, timeout=3000)
        qtbot.mouseClick(s.window.urgent_banner.button, Qt.MouseButton.LeftButton)
        s.model.send_to_lead("Je regarde")
        qtbot.waitUntil(lambda: _queued(device, "/messages/to-lead"), timeout=3000)
        qtbot.waitUntil(lambda: _queued(device, f"/messages/{urgent['id']}/ack"), timeout=3000)
    # the server was away all along; the desk starts again
    with running_session(qtbot, device, tmp_path / "two.jsonl") as s:
        inbox = s.window.side.inbox
        qtbot.waitUntil(lambda: inbox.model.rowCount() == 2, timeout=3000)
        assert not s.window.urgent_banner.isVisible()  # acknowledged before the restart
        mine = str(inbox.model.data(inbox.model.index(1, 0)))
        assert "Saved" in mine
        assert mine.endswith("Je regarde")
        device.server_sends_everything()
        assert device.server.receipts[urgent["id"]]["acked_at"] is not None
        assert device.server.sent("/messages/to-lead") == [{"body": "Je regarde"}]
        qtbot.waitUntil(
            lambda: "Sent" in str(inbox.model.data(inbox.model.index(1, 0))), timeout=3000
        )


def test_messages_the_stream_cannot_replay_come_from_the_list_at_start(
    qtbot, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    device = FakeDevice(data_dir=tmp_path, enrolled=True)
    missed = device.server.lead_sends("Envoyé pendant votre absence")  # no desk listening
    with running_session(qtbot, device, tmp_path / "events.jsonl") as s:
        qtbot.waitUntil(lambda: s.model.inbox.get(str(missed["id"])) is not None, timeout=3000)
        assert s.model.snapshot().unread == 1
        _send(qtbot, device, f"/messages/{missed['id']}/delivered")
        assert device.server.receipts[missed["id"]]["delivered_at"] is not None
        s.model.send_to_lead("Je suis là")
        qtbot.waitUntil(lambda: _queued(device, "/messages/to-lead"), timeout=3000)
        device.server_sends_everything()
    with running_session(qtbot, device, tmp_path / "again.jsonl") as s:
        qtbot.wait(300)  # the list came again: nothing twice, mine not doubled
        assert len(s.model.inbox.messages) == 2
        assert [i.path for i in device.outbox.pending()] == []
