"""The card remembers (item 3): a customer calling back finds the agent's last note, the
callback they were promised and the last calls with their disposition label, the cache's
part at once and the server's after; a slow or failing memory never holds the ringing
card; a contact picked in a search opens the same card, with Call."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QCoreApplication, Qt

from homeagent.core import commands as cmd
from homeagent.core.desk_snapshot import Screen
from homeagent.testing.harness import FakeDesk
from tests.unit.ui.conftest import make_desk, ring


@pytest.fixture
def desk(qtbot) -> Iterator[FakeDesk]:  # type: ignore[no-untyped-def]
    desk = make_desk(qtbot)
    yield desk
    desk.controller.stop()
    desk.lanes.close()


def _call_and_wrap_up(qtbot, desk: FakeDesk, notes: str, callback_in_h: int) -> None:  # type: ignore[no-untyped-def]
    call_id = ring(qtbot, desk, "+33612345678")
    desk.model.answer()
    qtbot.waitUntil(lambda: desk.model.snapshot().screen is Screen.IN_CALL, timeout=3000)
    desk.engine.remote_hangup(call_id)
    qtbot.waitUntil(lambda: desk.model.snapshot().screen is Screen.WRAP_UP, timeout=3000)
    due = dt.datetime.now(dt.UTC) + dt.timedelta(hours=callback_in_h)
    desk.model.edit_wrap_up(notes=notes, disposition="callback", callback_at=due)
    assert desk.model.submit_wrap_up()
    qtbot.waitUntil(lambda: desk.model.snapshot().screen is Screen.IDLE, timeout=3000)


def test_a_customer_calling_back_sees_the_note_and_the_callback_promised(qtbot, desk) -> None:  # type: ignore[no-untyped-def]
    _call_and_wrap_up(qtbot, desk, "Promis : rappel pour le devis fibre pro", 20)
    ring(qtbot, desk, "0612345678")  # the same customer, from another format
    card = desk.window.card
    qtbot.waitUntil(lambda: "Promis : rappel" in card.notes.text(), timeout=3000)
    first_note = card.notes.text().splitlines()[0]
    assert "you: Promis : rappel pour le devis fibre pro" in first_note  # author and text
    qtbot.waitUntil(lambda: "Box remplacée" in card.notes.text(), timeout=3000)  # server's
    assert "Karim Haddad: A signalé" in card.notes.text()  # a colleague's, by name
    assert card.callbacks_title.isVisible()
    assert card.callbacks.isVisible()
    assert "Promis : rappel pour le devis fibre pro" in card.callbacks.text()  # the callback
    recent = card.recent.text()
    assert "À rappeler" in recent  # the last call's disposition, by its label
    assert "callback" not in recent
    assert "escalated" not in recent
    assert "Transmis au niveau 2" in recent
    assert card.queue.text() == "Queue: Support"  # the queue of this call


def test_the_cache_part_shows_while_the_server_is_slow_and_the_call_is_answered(
    qtbot,  # type: ignore[no-untyped-def]
    desk: FakeDesk,
) -> None:
    _call_and_wrap_up(qtbot, desk, "Box redémarrée", 2)
    desk.data.server_delay_s = 3.0  # a hung network
    ring(qtbot, desk, "0612345678")
    card = desk.window.card
    assert card.name.text() == "Camille Martin"
    # the local part (this PC's last call and its note) comes from the disk lane at once
    qtbot.waitUntil(lambda: "Box redémarrée" in card.notes.text(), timeout=1000)
    assert "Box remplacée" not in card.notes.text()  # the server's part has not come
    desk.window.ringing.answer.click()
    qtbot.waitUntil(lambda: desk.model.snapshot().screen is Screen.IN_CALL, timeout=1000)
    qtbot.waitUntil(lambda: "Box remplacée" in card.notes.text(), timeout=5000)


def test_an_unreachable_server_keeps_the_cache_part_and_says_so(qtbot, desk) -> None:  # type: ignore[no-untyped-def]
    desk.data.server_online = False
    ring(qtbot, desk, "0612345678")
    card = desk.window.card
    qtbot.waitUntil(card.memory_status.isVisible, timeout=3000)
    assert "unavailable" in card.memory_status.text()
    assert card.name.text() == "Camille Martin"
    assert "A signalé une coupure" in card.notes.text()  # the cache's latest note stays


def test_a_failing_memory_read_leaves_the_ringing_card_whole(qtbot, desk, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    def boom(_contact_id: str) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(desk.data, "local_memory", boom)
    monkeypatch.setattr(desk.data, "contact_memory", boom)
    ring(qtbot, desk, "0612345678")
    card = desk.window.card
    qtbot.waitUntil(card.memory_status.isVisible, timeout=3000)
    assert card.name.text() == "Camille Martin"
    assert "A signalé une coupure" in card.notes.text()
    assert desk.window.ringing.answer.isVisible()


def test_a_contact_picked_in_a_search_opens_its_card_with_call(qtbot, desk) -> None:  # type: ignore[no-untyped-def]
    box = desk.window.idle.search  # the idle view's search opens the same card
    box.field.setText("martin")
    qtbot.waitUntil(lambda: box.model.rowCount() == 1, timeout=3000)
    box.results.setCurrentIndex(box.model.index(0, 0))
    side = desk.window.side
    card = side.contact_card
    qtbot.waitUntil(lambda: card.isVisible() and card.contact_id == "c-001", timeout=3000)
    assert side.currentIndex() == 0
    assert side.isTabVisible(0)
    qtbot.waitUntil(lambda: "Vérifier le débit" in card.callbacks.text(), timeout=3000)
    assert "Karim Haddad" in card.notes.text()
    assert "Vérifier le débit" in card.callbacks.text()
    assert card.number.text() == "06 12 34 56 78"
    assert card.call_button.isVisible()
    qtbot.mouseClick(card.call_button, Qt.MouseButton.LeftButton)
    QCoreApplication.processEvents()
    assert cmd.Dial("+33612345678") in desk.sink.commands
    assert not desk.window.card.call_button.isVisible()  # the call's card has no Call


def test_the_server_answer_is_kept_when_the_cache_answers_last(qtbot, desk) -> None:  # type: ignore[no-untyped-def]
    desk.data.local_delay_s = 0.5  # the disk lane is busy: the network answers first
    ring(qtbot, desk, "0612345678")
    card = desk.window.card
    qtbot.waitUntil(lambda: "Vérifier le débit" in card.callbacks.text(), timeout=3000)
    qtbot.wait(800)  # the cache's part arrives now
    assert "Vérifier le débit" in card.callbacks.text()
    assert "Box remplacée" in card.notes.text()


def test_offline_is_still_said_when_the_cache_answers_after_the_server(qtbot, desk) -> None:  # type: ignore[no-untyped-def]
    desk.data.server_online = False
    desk.data.local_delay_s = 0.5  # the network's "unavailable" comes first
    ring(qtbot, desk, "0612345678")
    card = desk.window.card
    qtbot.waitUntil(card.memory_status.isVisible, timeout=3000)
    qtbot.wait(800)  # the cache's part arrives now
    assert card.memory_status.isVisible()
    assert "A signalé une coupure" in card.notes.text()
