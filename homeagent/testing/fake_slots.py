"""An in-memory slot service with the server's rules (notice, capacity, overlap), for the
UI tests and the screenshots. The rules themselves are tested against the real server
(tests/integration/server/test_slots.py)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable

from homeagent.core.records import Person
from homeagent.core.slots import (
    Adherence,
    Attendance,
    Slot,
    SlotAdherence,
    SlotBooking,
    SlotDraft,
    SlotRefused,
    SlotRules,
    Unplanned,
)

ME = Person("me", "Moi")


class FakeSlots:
    """`SlotService` (as agent `me`) and `LeadSlotService` over a list of slots."""

    def __init__(
        self,
        clock: Callable[[], dt.datetime],
        *,
        me: Person = ME,
        book_notice_min: int = 60,
        cancel_notice_min: int = 120,
    ) -> None:
        self.clock = clock
        self.me = me
        self.book_notice = dt.timedelta(minutes=book_notice_min)
        self.cancel_notice = dt.timedelta(minutes=cancel_notice_min)
        self.grace_min = 5
        self.slots: dict[int, Slot] = {}
        self.who: dict[int, list[SlotBooking]] = {}
        self.attendance: dict[int, tuple[Attendance, ...]] = {}
        self.unplanned: dict[int, tuple[Unplanned, ...]] = {}
        self.fail_next: Exception | None = None  # raised by the next call (a server down)
        self.calls: list[str] = []

    def add(
        self, starts_at: dt.datetime, hours: float, capacity: int, *, note: str = "",
        booked_by: tuple[Person, ...] = (),
    ) -> Slot:  # fmt: skip
        slot_id = len(self.slots) + 1
        ends = starts_at + dt.timedelta(hours=hours)
        self.who[slot_id] = [SlotBooking(p, starts_at - dt.timedelta(days=1)) for p in booked_by]
        self.slots[slot_id] = Slot(
            id=slot_id, team_id="team", starts_at=starts_at, ends_at=ends, capacity=capacity,
            booked=0, free=0, note=note, cancelled=False, mine=False, can_book=False,
            can_cancel=False, refusal=None, bookings=None,
        )  # fmt: skip
        return self._view(slot_id)

    def _fail(self, name: str) -> None:
        self.calls.append(name)
        if self.fail_next is not None:
            exc, self.fail_next = self.fail_next, None
            raise exc

    def _view(self, slot_id: int, *, lead: bool = False) -> Slot:
        s = self.slots[slot_id]
        who = self.who[slot_id]
        mine = any(b.agent.id == self.me.id for b in who)
        now = self.clock()
        refusal = None
        if mine:
            refusal = self._cancel_refusal(s, now)
        elif len(who) >= s.capacity:
            refusal = "slot_full"
        else:
            refusal = self._book_refusal(s, now)
        return dataclasses.replace(
            s, booked=len(who), free=max(0, s.capacity - len(who)), mine=mine,
            can_book=not mine and refusal is None, can_cancel=mine and refusal is None,
            refusal=refusal, bookings=tuple(who) if lead else None,
        )  # fmt: skip

    def _book_refusal(self, s: Slot, now: dt.datetime) -> str | None:
        if s.cancelled:
            return "slot_cancelled"
        if s.starts_at <= now:
            return "slot_started"
        if s.starts_at - self.book_notice < now:
            return "too_late_to_book"
        return None

    def _cancel_refusal(self, s: Slot, now: dt.datetime) -> str | None:
        if s.starts_at <= now:
            return "slot_started"
        if s.starts_at - self.cancel_notice < now:
            return "too_late_to_cancel"
        return None

    # -- SlotService -------------------------------------------------------------------

    def week(self, team_id: str, start: dt.datetime, end: dt.datetime) -> tuple[Slot, ...]:
        self._fail("week")
        found = [
            self._view(i)
            for i, s in self.slots.items()
            if not s.cancelled and s.ends_at > start and s.starts_at < end
        ]
        return tuple(sorted(found, key=lambda s: s.starts_at))

    def book(self, slot_id: int) -> Slot:
        self._fail(f"book {slot_id}")
        view = self._view(slot_id)
        if view.mine:
            return view
        if view.refusal is not None:
            raise SlotRefused(view.refusal, view.refusal)
        for other_id, other in self.slots.items():
            clash = other.starts_at < view.ends_at and other.ends_at > view.starts_at
            if clash and not other.cancelled and self._view(other_id).mine:
                raise SlotRefused("overlapping_booking", "overlapping")
        self.who[slot_id].append(SlotBooking(self.me, self.clock()))
        return self._view(slot_id)

    def cancel(self, slot_id: int) -> Slot:
        self._fail(f"cancel {slot_id}")
        view = self._view(slot_id)
        if not view.mine:
            raise SlotRefused("not_booked", "not booked")
        if view.refusal is not None:
            raise SlotRefused(view.refusal, view.refusal)
        self.who[slot_id] = [b for b in self.who[slot_id] if b.agent.id != self.me.id]
        return self._view(slot_id)

    # -- LeadSlotService ---------------------------------------------------------------

    def adherence(self, team_id: str, start: dt.datetime, end: dt.datetime) -> Adherence:
        self._fail("adherence")
        rows = tuple(
            SlotAdherence(
                self._view(i, lead=True), self.attendance.get(i, ()), self.unplanned.get(i, ())
            )
            for i, s in sorted(self.slots.items(), key=lambda kv: kv[1].starts_at)
            if not s.cancelled and s.ends_at > start and s.starts_at < end
        )
        merged: dict[str, Unplanned] = {}
        for found in self.unplanned.values():
            for u in found:
                had = merged.get(u.agent.id)
                merged[u.agent.id] = (
                    u
                    if had is None
                    else Unplanned(u.agent, had.in_s + u.in_s, min(had.first_at, u.first_at))
                )
        loose = tuple(sorted(merged.values(), key=lambda u: u.first_at))
        return Adherence(team_id, start, end, self.grace_min, rows, loose)

    def create(self, team_id: str, draft: SlotDraft) -> Slot:
        self._fail("create")
        if draft.starts_at <= self.clock():
            raise SlotRefused("slot_in_past", "A slot must start in the future.")
        hours = (draft.ends_at - draft.starts_at).total_seconds() / 3600
        made = self.add(draft.starts_at, hours, draft.capacity, note=draft.note)
        return self._view(made.id, lead=True)

    def edit(self, slot_id: int, draft: SlotDraft) -> Slot:
        self._fail(f"edit {slot_id}")
        s = self.slots[slot_id]
        if s.starts_at <= self.clock():
            raise SlotRefused("slot_started", "started")
        moved = (draft.starts_at, draft.ends_at) != (s.starts_at, s.ends_at)
        if moved and self.who[slot_id]:
            raise SlotRefused("slot_has_bookings", "booked: cancel it and open another")
        if draft.capacity < len(self.who[slot_id]):
            raise SlotRefused("capacity_below_bookings", "below")
        self.slots[slot_id] = dataclasses.replace(
            s, starts_at=draft.starts_at, ends_at=draft.ends_at, capacity=draft.capacity,
            note=draft.note,
        )  # fmt: skip
        return self._view(slot_id, lead=True)

    def cancel_slot(self, slot_id: int) -> Slot:
        self._fail(f"cancel_slot {slot_id}")
        s = self.slots[slot_id]
        if s.starts_at <= self.clock():
            raise SlotRefused("slot_started", "started")
        self.slots[slot_id] = dataclasses.replace(s, cancelled=True)
        self.who[slot_id] = []
        return self._view(slot_id, lead=True)

    def rules(self, team_id: str) -> SlotRules:
        self._fail("rules")
        minutes = int(self.book_notice.total_seconds() // 60)
        return SlotRules(minutes, int(self.cancel_notice.total_seconds() // 60), self.grace_min)

    def set_rules(self, team_id: str, rules: SlotRules) -> SlotRules:
        self._fail("set_rules")
        self.book_notice = dt.timedelta(minutes=rules.book_notice_min)
        self.cancel_notice = dt.timedelta(minutes=rules.cancel_notice_min)
        self.grace_min = rules.late_grace_min
        return self.rules(team_id)


DEMO_TEAM = tuple(
    Person(f"agent-{i}", name)
    for i, name in enumerate(
        ("Léa Moreau", "Hugo Bernard", "Nadia Haddad", "Karim Benali", "Julie Petit", "Marc Roux")
    )
)


def demo_week(clock: Callable[[], dt.datetime], me: Person = ME) -> FakeSlots:
    """A plausible week of a team's slots around `clock()` (local hours: 9–12, 14–17,
    18–20), some booked by the team and by `me`, with planned vs actual for the slots
    that have begun (for the screenshots and the demo of the pages)."""
    fake = FakeSlots(clock, me=me)
    now = clock()
    local = now.astimezone()
    monday = local.date() - dt.timedelta(days=local.weekday())
    team = DEMO_TEAM
    for day in range(7):
        d = monday + dt.timedelta(days=day)
        for k, (start_h, end_h, capacity) in enumerate(((9, 12, 4), (14, 17, 4), (18, 20, 6))):
            start = dt.datetime(d.year, d.month, d.day, start_h).astimezone(dt.UTC)
            who = tuple(team[(day + k + j) % len(team)] for j in range(min(capacity, 2 + k)))
            if (day + k) % 4 == 0 and start > now:
                who += (me,)
            note = "Renfort du soir" if start_h == 18 else ""
            slot = fake.add(start, end_h - start_h, capacity, note=note, booked_by=who)
            if start <= now:
                fake.attendance[slot.id] = _demo_attendance(slot, who, now)
                if k == 1 and team[5] not in who:
                    fake.unplanned[slot.id] = (Unplanned(team[5], 2400, start),)
    return fake


def _demo_attendance(
    slot: Slot, who: tuple[Person, ...], now: dt.datetime
) -> tuple[Attendance, ...]:
    out = []
    for i, person in enumerate(who):
        if i % 4 == 1:
            late = dt.timedelta(minutes=12)
            out.append(Attendance(person, "late", slot.starts_at + late, None, 720, 0))
        elif i % 4 == 3 and slot.ends_at <= now:
            out.append(Attendance(person, "absent", None, None, 0, 0))
        else:
            out.append(Attendance(person, "on_time", slot.starts_at, None, 0, 0))
    return tuple(out)
