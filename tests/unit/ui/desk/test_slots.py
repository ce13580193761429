"""'Mes créneaux': the week's slots, Book / Cancel with the rule's refusal said plainly,
the reminders and the end-of-slot proposal on the desk over the fakes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QCoreApplication, Qt

from homeagent.core.agent_state import AgentState
from homeagent.core.desk_snapshot import Screen
from homeagent.core.records import Person
from homeagent.core.slots import SlotBooking
from homeagent.testing.fake_slots import FakeSlots
from homeagent.testing.harness import FakeDesk
from homeagent.ui.desk.models import local_time
from homeagent.ui.desk.slots import SlotsController, day_label, refusal_text
from tests.unit.ui.conftest import make_desk, ring

NOW = dt.datetime(2026, 12, 1, 15, 0, tzinfo=dt.UTC)


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> dt.datetime:
        return self.now


class Rig:
    def __init__(self, desk: FakeDesk, fake: FakeSlots, clock: Clock) -> None:
        self.desk, self.fake, self.clock = desk, fake, clock
        self.notes: list[tuple[str, str]] = []
        self.controller = SlotsController(
            tab=desk.window.side.slots,
            banner=desk.window.slot_banner,
            lanes=desk.lanes,
            service=fake,
            snapshot=desk.model.snapshot,
            go_offline=lambda: desk.model.set_presence(AgentState.OFFLINE),
            notify=lambda t, x: self.notes.append((t, x)),
            clock=clock,
        )
        self.tab = desk.window.side.slots
        desk.window.side.setCurrentWidget(self.tab)  # the agent opened "Mes créneaux"

    def load(self, qtbot) -> None:  # type: ignore[no-untyped-def]
        calls = len(self.fake.calls)
        self.controller.set_team(
            "team"
        ) if not self.controller.team_id else self.controller.reload()
        qtbot.waitUntil(lambda: len(self.fake.calls) > calls and self.tab.model.rowCount() > 0)
        QCoreApplication.processEvents()

    def select(self, slot_id: int) -> None:
        self.tab.table.selectRow(self.tab.model.row_of(slot_id))


@pytest.fixture
def rig(qtbot) -> Iterator[Rig]:  # type: ignore[no-untyped-def]
    desk = make_desk(qtbot)
    clock = Clock()
    fake = FakeSlots(clock)
    fake.add(NOW + dt.timedelta(hours=3), 2, 6, note="Renfort")  # 1: bookable
    fake.add(NOW + dt.timedelta(minutes=30), 2, 4)  # 2: too late (notice 60 min)
    fake.add(NOW + dt.timedelta(days=1), 2, 2, booked_by=(Person("x", "X"), Person("y", "Y")))
    fake.add(NOW + dt.timedelta(hours=4), 2, 3)  # 4: overlaps 1
    r = Rig(desk, fake, clock)
    yield r
    r.controller.stop()
    desk.controller.stop()
    desk.lanes.close()


def test_the_week_with_free_places_and_why_not(qtbot, rig: Rig) -> None:  # type: ignore[no-untyped-def]
    rig.load(qtbot)
    model = rig.tab.model
    assert model.rowCount() == 4
    texts = {
        model.item(r).id: [model.index(r, c).data() for c in range(3)]  # type: ignore[union-attr]
        for r in range(4)
    }
    assert texts[1][1] == "6 free of 6"
    assert texts[1][2] == ""
    start = NOW + dt.timedelta(hours=3)
    span = f"{local_time(start)}–{local_time(start + dt.timedelta(hours=2))}"
    assert texts[1][0] == f"{day_label(start)}  {span}"
    assert texts[2][2] == "Too late"
    assert texts[3][1] == "Full (2)"
    rig.select(2)
    assert not rig.tab.book.isEnabled()
    assert rig.tab.status.text() == "Too late to book this slot."
    rig.select(1)
    assert rig.tab.status.text() == "Renfort"  # the slot's note
    assert rig.tab.book.isEnabled()
    assert not rig.tab.cancel.isVisible()
    assert rig.tab.next_label.text() == "No slot booked this week."


def test_book_then_cancel_and_a_refusal_said_plainly(qtbot, rig: Rig) -> None:  # type: ignore[no-untyped-def]
    rig.load(qtbot)
    rig.select(1)
    qtbot.mouseClick(rig.tab.book, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: rig.tab.status.text().startswith("Booked:"))
    qtbot.waitUntil(lambda: rig.tab.model.item(rig.tab.model.row_of(1)).mine)  # type: ignore[union-attr]
    assert "book 1" in rig.fake.calls
    rig.select(1)
    assert rig.tab.cancel.isVisible()
    assert rig.tab.cancel.isEnabled()
    assert rig.tab.next_label.text().startswith("My next slot:")
    # the overlapping one: the server's rule, in words
    rig.select(4)
    qtbot.mouseClick(rig.tab.book, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: rig.tab.status.text() == "You already hold a slot at that time.")
    # the server down: said, nothing lost (the list is read again)
    rig.fake.fail_next = ConnectionError("down")
    rig.select(1)
    qtbot.mouseClick(rig.tab.cancel, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "cannot be reached" in rig.tab.status.text())
    rig.select(1)
    qtbot.mouseClick(rig.tab.cancel, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: rig.tab.status.text().startswith("Booking cancelled"))


def test_refusal_texts_name_the_notice() -> None:
    assert refusal_text("too_late_to_book", 60) == (
        "Too late to book: slots are booked at least 1 hour before they start."
    )
    assert refusal_text("too_late_to_cancel", 90) == (
        "Too late to cancel: ask your team lead (at least 90 min before)."
    )
    assert refusal_text("capacity_below_bookings") == "The server refused: capacity_below_bookings."


def test_reminders_and_the_end_of_slot_waits_for_the_wrap_up(qtbot, rig: Rig) -> None:  # type: ignore[no-untyped-def]
    rig.load(qtbot)
    rig.select(1)
    qtbot.mouseClick(rig.tab.book, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: rig.tab.status.text().startswith("Booked:"))
    qtbot.waitUntil(lambda: rig.tab.model.item(rig.tab.model.row_of(1)).mine)  # type: ignore[union-attr]
    start = NOW + dt.timedelta(hours=3)
    rig.clock.now = start - dt.timedelta(minutes=10)
    rig.controller.tick()
    rig.clock.now = start - dt.timedelta(minutes=2)
    rig.controller.tick()
    rig.controller.tick()
    assert [t for t, _ in rig.notes] == [
        "Your slot starts in 10 min",
        "Your slot starts in 2 min",
    ]
    # the slot ends during a call: nothing; after the call, still in wrap-up: nothing
    desk = rig.desk
    ring(qtbot, desk)
    desk.model.answer()
    qtbot.waitUntil(lambda: desk.model.snapshot().screen is Screen.IN_CALL)
    rig.clock.now = start + dt.timedelta(hours=2, minutes=1)
    rig.controller.tick()
    assert not rig.desk.window.slot_banner.isVisibleTo(desk.window)
    desk.model.hang_up()
    qtbot.waitUntil(lambda: desk.model.snapshot().screen is Screen.WRAP_UP)
    rig.controller.tick()
    assert not desk.window.slot_banner.isVisibleTo(desk.window)
    desk.model.edit_wrap_up(notes="", disposition="resolved", callback_at=None)
    assert desk.model.submit_wrap_up()
    qtbot.waitUntil(lambda: desk.model.snapshot().screen is Screen.IDLE)
    rig.controller.tick()
    banner = desk.window.slot_banner
    assert banner.isVisibleTo(desk.window)
    assert "is over. Go offline?" in banner.text.text()
    assert banner.focusPolicy() == Qt.FocusPolicy.NoFocus
    qtbot.mouseClick(banner.offline, Qt.MouseButton.LeftButton)
    assert desk.model.snapshot().presence.state is AgentState.OFFLINE
    rig.controller.tick()
    assert not banner.isVisibleTo(desk.window)  # proposed once


def test_a_call_over_the_proposal_hides_it_and_it_comes_back_after(qtbot, rig: Rig) -> None:  # type: ignore[no-untyped-def]
    rig.fake.who[1].append(SlotBooking(rig.fake.me, NOW))
    rig.load(qtbot)
    desk, banner = rig.desk, rig.desk.window.slot_banner
    rig.clock.now = NOW + dt.timedelta(hours=5, minutes=1)
    rig.controller.tick()
    assert banner.isVisibleTo(desk.window)
    ring(qtbot, desk)
    rig.controller.tick()
    assert not banner.isVisibleTo(desk.window)
    desk.model.decline()
    qtbot.waitUntil(lambda: desk.model.snapshot().screen is Screen.IDLE)
    rig.controller.tick()
    assert banner.isVisibleTo(desk.window)
    qtbot.mouseClick(banner.keep, Qt.MouseButton.LeftButton)
    assert desk.model.snapshot().presence.state is not AgentState.OFFLINE


def test_in_french(qtbot, french, rig: Rig) -> None:  # type: ignore[no-untyped-def]
    rig.load(qtbot)
    side = rig.desk.window.side
    assert side.tabText(side.indexOf(side.slots)) == "Mes créneaux"
    assert rig.tab.book.text() == "Réserver"
    rig.select(2)
    assert rig.tab.status.text() == "Trop tard pour réserver ce créneau."


def test_a_burst_of_slot_events_is_one_read(qtbot, rig: Rig) -> None:  # type: ignore[no-untyped-def]
    rig.load(qtbot)
    before = rig.fake.calls.count("week")
    for slot_id in (1, 2, 3):
        rig.controller.on_stream_event("slot_changed", {"team_id": "team", "slot_id": slot_id})
    rig.controller.on_stream_event("slot_changed", {"team_id": "other", "slot_id": 9})
    rig.controller.on_stream_event("message", {"team_id": "team"})
    qtbot.waitUntil(lambda: rig.fake.calls.count("week") == before + 1, timeout=3000)
    qtbot.wait(300)
    assert rig.fake.calls.count("week") == before + 1
