"""The console's slots page over the in-memory slot service: the week, planned vs actual,
opening, editing and cancelling slots, refusals said plainly."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt

from homeagent.core.records import Person
from homeagent.core.slots import Attendance, SlotDraft, SlotRules, Unplanned
from homeagent.testing.fake_slots import FakeSlots
from homeagent.ui.lead.slots_page import SlotsPage, week_start
from homeagent.ui.qt.tasks import TaskRunner
from tests.unit.ui.lead.conftest import FakeClock

NOW = dt.datetime(2026, 12, 2, 15, 0, tzinfo=dt.UTC)  # a Wednesday
LEA, HUGO, NADIA, KARIM = (Person(f"id-{n}", n) for n in ("Léa", "Hugo", "Nadia", "Karim"))


class Ask:
    def __init__(self) -> None:
        self.answer: SlotDraft | None = None
        self.seen: list[SlotDraft | None] = []

    def __call__(self, _parent: object, _title: str, current: SlotDraft | None) -> SlotDraft | None:
        self.seen.append(current)
        return self.answer


def ask_rules(_parent: object, current: SlotRules) -> SlotRules:
    assert current == SlotRules(60, 120, 5)  # what the service holds
    return SlotRules(30, 240, 10)


@pytest.fixture
def page(qtbot, net: TaskRunner) -> Iterator[tuple[SlotsPage, FakeSlots, Ask]]:  # type: ignore[no-untyped-def]
    clock = FakeClock(NOW)
    fake = FakeSlots(clock)
    past = fake.add(NOW - dt.timedelta(hours=5), 2, 4, booked_by=(LEA, HUGO, NADIA))
    fake.attendance[past.id] = (
        Attendance(LEA, "on_time", past.starts_at, None, 0, 7200),
        Attendance(HUGO, "late", past.starts_at + dt.timedelta(minutes=12), None, 720, 6480),
        Attendance(NADIA, "absent", None, None, 0, 0),
    )
    fake.unplanned[past.id] = (Unplanned(KARIM, 3600, past.starts_at),)
    fake.add(NOW + dt.timedelta(days=1), 2, 6, note="Renfort", booked_by=(LEA,))
    ask = Ask()
    view = SlotsPage(fake, net, "team", clock=clock, ask=ask, ask_rules=ask_rules)
    qtbot.addWidget(view)
    view.resize(1100, 600)
    view.show()
    with qtbot.waitSignal(view.loaded, timeout=3000):
        view.start()
    yield view, fake, ask
    view.stop()


def _cells(view: SlotsPage, row: int) -> list[str]:
    return [str(view.model.index(row, c).data() or "") for c in range(view.model.columnCount())]


def test_planned_vs_actual(page: tuple[SlotsPage, FakeSlots, Ask]) -> None:
    view, _fake, _ask = page
    assert view.model.rowCount() == 2
    cells = _cells(view, 0)
    assert cells[1] == "3 / 4"
    assert cells[2:] == ["Léa", "Hugo (+12 min)", "Nadia", "Karim"]
    background = Qt.ItemDataRole.BackgroundRole
    assert view.model.index(0, 4).data(background).style() != Qt.BrushStyle.NoBrush  # absent
    assert view.model.index(0, 3).data(background).style() != Qt.BrushStyle.NoBrush  # late
    assert view.model.index(0, 2).data(background).style() == Qt.BrushStyle.NoBrush
    assert view.loose.text() == "In without a slot this week: Karim (1:00:00)"
    view.table.selectRow(0)
    detail = view.detail.text()
    assert "Hugo — Late (+12 min," in detail
    assert "Nadia — Absent" in detail
    assert "Karim — in without a booking" in detail
    # a slot that has run cannot change; the coming one can
    assert not view.edit.isEnabled()
    assert not view.cancel.isEnabled()
    view.table.selectRow(1)
    assert view.edit.isEnabled()
    assert view.cancel.isEnabled()
    assert view.week == week_start(NOW)


def test_open_edit_cancel_and_refusals(qtbot, page: tuple[SlotsPage, FakeSlots, Ask]) -> None:  # type: ignore[no-untyped-def]
    view, fake, ask = page
    start = NOW + dt.timedelta(days=2)
    ask.answer = SlotDraft(start, start + dt.timedelta(hours=2), 5, "Soir")
    with qtbot.waitSignal(view.loaded, timeout=3000):
        qtbot.mouseClick(view.new, Qt.MouseButton.LeftButton)
    assert view.model.rowCount() == 3
    assert view.status.text() == "Slot opened."
    row = view.model.row_of(2)
    view.table.selectRow(row)
    ask.answer = SlotDraft(NOW + dt.timedelta(days=1), NOW + dt.timedelta(days=1, hours=2), 0, "")
    with qtbot.waitSignal(view.loaded, timeout=3000):
        qtbot.mouseClick(view.edit, Qt.MouseButton.LeftButton)
    assert ask.seen[-1] is not None
    assert ask.seen[-1].capacity == 6
    assert view.status.text() == "More agents have booked it than that capacity."
    view.table.selectRow(view.model.row_of(2))
    with qtbot.waitSignal(view.loaded, timeout=3000):
        qtbot.mouseClick(view.cancel, Qt.MouseButton.LeftButton)
    assert view.model.row_of(2) == -1
    assert view.status.text().startswith("Slot cancelled")
    fake.fail_next = ConnectionError("down")
    with qtbot.waitSignal(view.loaded, timeout=3000, raising=False):
        view.load()
    qtbot.waitUntil(lambda: "cannot be reached" in view.status.text())
    assert view.model.rowCount() == 2  # the last week shown stays


def test_events_coalesce_and_weeks_move(qtbot, page: tuple[SlotsPage, FakeSlots, Ask]) -> None:  # type: ignore[no-untyped-def]
    view, fake, _ask = page
    before = fake.calls.count("adherence")
    assert not view.apply_event("slot_changed", {"team_id": "other"})
    assert view.apply_event("slot_changed", {"team_id": "team", "slot_id": 1})
    assert view.apply_event("slot_changed", {"team_id": "team", "slot_id": 2})
    with qtbot.waitSignal(view.loaded, timeout=3000):
        pass
    assert fake.calls.count("adherence") == before + 1
    with qtbot.waitSignal(view.loaded, timeout=3000):
        qtbot.mouseClick(view.next, Qt.MouseButton.LeftButton)
    assert view.model.rowCount() == 0
    assert "No slot this week" in view.status.text()
    assert view.week == week_start(NOW) + dt.timedelta(days=7)


def test_rules(qtbot, page: tuple[SlotsPage, FakeSlots, Ask]) -> None:  # type: ignore[no-untyped-def]
    view, fake, _ask = page
    with qtbot.waitSignal(view.loaded, timeout=3000):
        qtbot.mouseClick(view.rules_button, Qt.MouseButton.LeftButton)
    assert view.status.text() == "Rules saved: book 30 min, cancel 240 min before."
    assert fake.rules("team") == SlotRules(30, 240, 10)
