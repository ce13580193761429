"""Shift slots on the desk and the console: the records, the reminders and the end of a
slot (Qt-free; the clock is always given, aware UTC).

- `parse_slots` / `parse_slot` / `parse_adherence` read the answers of docs/api.md,
  "Shift slots", strictly (`homeagent.core.records` rules: a malformed answer is one
  `MalformedPayload`).
- `SlotReminders` says when to remind the agent of a booked slot: 10 and 2 minutes
  before it starts, each once; an app started 5 minutes before gets the 10-minute one
  at once ("in 5 minutes"), never both together.
- `end_of_slot` decides whether to propose going offline now: only after the slot's end,
  only while the agent is in a state it chose (Available, Break, Not ready) — never while
  a call rings, is in progress or is in wrap-up: the proposal waits for the wrap-up's
  end — never when a next booked slot follows within `CONTIGUOUS_S`, and at most once
  per slot. All in UTC, so a change to or from summer time moves nothing.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal, Protocol, cast

from homeagent.core.agent_state import AgentState
from homeagent.core.payload import MAX_COUNT, MAX_MESSAGE_ID, MAX_SECONDS, Fields, parse_items
from homeagent.core.records import Person

REMINDER_MARKS_MIN = (10, 2)  # minutes before a booked slot starts
CONTIGUOUS_S = 15 * 60  # a next slot this close after: no proposal to go offline
OFFER_WINDOW_S = 2 * 3600  # after this long past the end, the slot is forgotten
MAX_CAPACITY = 10_000

# the rules' codes the server answers (409 `error.code`, or a slot's `refusal`)
Refusal = Literal[
    "too_late_to_book",
    "too_late_to_cancel",
    "slot_full",
    "overlapping_booking",
    "slot_cancelled",
    "slot_started",
    "not_booked",
]
REFUSALS: tuple[str, ...] = (
    "too_late_to_book",
    "too_late_to_cancel",
    "slot_full",
    "overlapping_booking",
    "slot_cancelled",
    "slot_started",
    "not_booked",
)


@dataclass(frozen=True, slots=True)
class SlotBooking:
    agent: Person
    booked_at: dt.datetime


@dataclass(frozen=True, slots=True)
class Slot:
    """A team's slot as the reader sees it (`bookings`: None for an agent)."""

    id: int
    team_id: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    capacity: int
    booked: int
    free: int
    note: str
    cancelled: bool
    mine: bool
    can_book: bool
    can_cancel: bool
    refusal: str | None  # a rule's code (REFUSALS) or a newer server's word
    bookings: tuple[SlotBooking, ...] | None

    def running(self, now: dt.datetime) -> bool:
        return self.starts_at <= now < self.ends_at


def _booking(f: Fields) -> SlotBooking:
    agent = f.child("agent")
    return SlotBooking(
        agent=Person(id=agent.text("id"), name=agent.text("name")),
        booked_at=f.moment("booked_at"),
    )


def _slot(f: Fields) -> Slot:
    starts, ends = f.moment("starts_at"), f.moment("ends_at")
    if ends <= starts:
        raise f.fail("ends_at", "ends before the slot starts")
    bookings = f.items("bookings", _booking) if f.raw("bookings") is not None else None
    return Slot(
        id=f.integer("id", 1, MAX_MESSAGE_ID),
        team_id=f.text("team_id"),
        starts_at=starts,
        ends_at=ends,
        capacity=f.integer("capacity", 1, MAX_CAPACITY),
        booked=f.integer("booked", 0, MAX_CAPACITY),
        free=f.integer("free", 0, MAX_CAPACITY),
        note=f.text("note"),
        cancelled=f.moment_or_none("cancelled_at") is not None,
        mine=f.flag("mine"),
        can_book=f.flag("can_book"),
        can_cancel=f.flag("can_cancel"),
        refusal=f.text_or_none("refusal"),
        bookings=bookings,
    )


def parse_slot(obj: object, *, route: str = "GET /slots/{id}") -> Slot:
    return _slot(Fields(route, obj, ""))


def parse_slots(obj: object, *, route: str = "GET /teams/{id}/slots") -> tuple[Slot, ...]:
    return parse_items(route, obj, "", _slot)


AttendanceStatus = Literal["upcoming", "on_time", "late", "absent", "not_yet"]
_ATTENDANCE = ("upcoming", "on_time", "late", "absent", "not_yet")


@dataclass(frozen=True, slots=True)
class Attendance:
    agent: Person
    status: AttendanceStatus
    arrived_at: dt.datetime | None
    left_at: dt.datetime | None
    late_s: int
    in_s: int


@dataclass(frozen=True, slots=True)
class Unplanned:
    agent: Person
    in_s: int
    first_at: dt.datetime


@dataclass(frozen=True, slots=True)
class SlotAdherence:
    slot: Slot
    booked: tuple[Attendance, ...]
    in_without_slot: tuple[Unplanned, ...]


@dataclass(frozen=True, slots=True)
class Adherence:
    team_id: str
    start: dt.datetime
    end: dt.datetime
    late_grace_min: int
    slots: tuple[SlotAdherence, ...]
    in_without_slot: tuple[Unplanned, ...]


def _person(f: Fields) -> Person:
    return Person(id=f.text("id"), name=f.text("name"))


def _attendance(f: Fields) -> Attendance:
    return Attendance(
        agent=_person(f.child("agent")),
        status=cast(AttendanceStatus, f.choice("status", _ATTENDANCE)),
        arrived_at=f.moment_or_none("arrived_at"),
        left_at=f.moment_or_none("left_at"),
        late_s=f.integer("late_s", 0, MAX_SECONDS),
        in_s=f.integer("in_s", 0, MAX_SECONDS),
    )


def _unplanned(f: Fields) -> Unplanned:
    return Unplanned(
        agent=_person(f.child("agent")),
        in_s=f.integer("in_s", 0, MAX_SECONDS),
        first_at=f.moment("first_at"),
    )


def _slot_adherence(f: Fields) -> SlotAdherence:
    return SlotAdherence(
        slot=_slot(f.child("slot")),
        booked=f.items("booked", _attendance),
        in_without_slot=f.items("in_without_slot", _unplanned),
    )


def parse_adherence(obj: object, *, route: str = "GET /teams/{id}/slot-adherence") -> Adherence:
    f = Fields(route, obj, "")
    return Adherence(
        team_id=f.text("team_id"),
        start=f.moment("start"),
        end=f.moment("end"),
        late_grace_min=f.integer("late_grace_min", 0, MAX_COUNT),
        slots=f.items("slots", _slot_adherence),
        in_without_slot=f.items("in_without_slot", _unplanned),
    )


@dataclass(frozen=True, slots=True)
class SlotRules:
    """A team's rules, in minutes (GET/PUT /teams/{id}/slot-rules)."""

    book_notice_min: int = 60
    cancel_notice_min: int = 120
    late_grace_min: int = 5


MAX_NOTICE_MIN = 7 * 24 * 60
MAX_GRACE_MIN = 120


def parse_rules(obj: object, *, route: str = "GET /teams/{id}/slot-rules") -> SlotRules:
    f = Fields(route, obj, "")
    return SlotRules(
        book_notice_min=f.integer("book_notice_min", 0, MAX_NOTICE_MIN),
        cancel_notice_min=f.integer("cancel_notice_min", 0, MAX_NOTICE_MIN),
        late_grace_min=f.integer("late_grace_min", 0, MAX_GRACE_MIN),
    )


# --- reminders ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SlotReminder:
    """Remind the agent that `slot` starts in `minutes` (rounded up, at least 1)."""

    slot: Slot
    minutes: int


class SlotReminders:
    """See the module docstring. Feed it the booked slots and the time on every tick."""

    def __init__(self, marks_min: tuple[int, ...] = REMINDER_MARKS_MIN) -> None:
        self._marks = tuple(sorted(marks_min, reverse=True))
        self._done: set[tuple[int, int, dt.datetime]] = set()  # slot, mark, start

    def due(self, slots: Iterable[Slot], now: dt.datetime) -> list[SlotReminder]:
        """The reminders to show at `now`; each (slot, mark) comes out once. A slot moved
        to another start is reminded again."""
        out = []
        for slot in slots:
            if not slot.mine or slot.cancelled or now >= slot.starts_at:
                continue
            passed = [m for m in self._marks if now >= slot.starts_at - dt.timedelta(minutes=m)]
            fresh = [m for m in passed if (slot.id, m, slot.starts_at) not in self._done]
            if not fresh:
                continue
            self._done.update((slot.id, m, slot.starts_at) for m in passed)
            left_s = (slot.starts_at - now).total_seconds()
            out.append(SlotReminder(slot, max(1, math.ceil(left_s / 60))))
        return out


# --- the end of a slot --------------------------------------------------------------

# states the agent chose itself: the proposal may show; a call's states: it waits
_MAY_PROPOSE = frozenset({AgentState.AVAILABLE, AgentState.BREAK, AgentState.NOT_READY})


@dataclass
class EndOfSlot:
    """Remembers which slots' ends were already proposed (one proposal per slot)."""

    offered: set[int] = field(default_factory=set)

    def check(
        self,
        slots: Iterable[Slot],
        now: dt.datetime,
        state: AgentState,
        *,
        call_in_progress: bool,
    ) -> Slot | None:
        """The slot whose end to propose going offline for now, or None (see `end_of_slot`).
        A slot proposed once is never proposed again."""
        found = end_of_slot(slots, now, state, call_in_progress=call_in_progress)
        if found is None or found.id in self.offered:
            return None
        self.offered.add(found.id)
        return found


def end_of_slot(
    slots: Iterable[Slot],
    now: dt.datetime,
    state: AgentState,
    *,
    call_in_progress: bool,
) -> Slot | None:
    """The booked slot that has just ended, if the app should propose going offline now.

    `call_in_progress`: a call rings, is connected or on hold, or its wrap-up is open
    (the desk's own view, which can run ahead of the presence state)."""
    if call_in_progress or state not in _MAY_PROPOSE:
        return None
    mine = sorted((s for s in slots if s.mine and not s.cancelled), key=lambda s: s.starts_at)
    ended = [s for s in mine if s.ends_at <= now < s.ends_at + dt.timedelta(seconds=OFFER_WINDOW_S)]
    if not ended:
        return None
    last = ended[-1]
    if any(s.running(now) for s in mine):
        return None  # inside another booked slot
    follow = last.ends_at + dt.timedelta(seconds=CONTIGUOUS_S)
    if any(last.ends_at <= s.starts_at <= follow for s in mine):
        return None  # the next booked slot follows soon: stay
    return last


# --- the seams ----------------------------------------------------------------------


class SlotRefused(Exception):
    """The server refused a booking or a change by one of its rules (a 409/404 with one
    of REFUSALS or another code): `code` says which, `notice_min` the rule's notice."""

    def __init__(self, code: str, message: str, notice_min: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.notice_min = notice_min


@dataclass(frozen=True, slots=True)
class SlotDraft:
    """A slot a lead opens or edits (aware datetimes)."""

    starts_at: dt.datetime
    ends_at: dt.datetime
    capacity: int
    note: str = ""


class SlotService(Protocol):
    """The agent's slots on the server (blocking: the network lane). Failures raise:
    `SlotRefused` for a rule, anything else for a server that cannot answer now."""

    def week(self, team_id: str, start: dt.datetime, end: dt.datetime) -> tuple[Slot, ...]:
        """The team's open slots in [start, end), by start."""

    def book(self, slot_id: int) -> Slot: ...

    def cancel(self, slot_id: int) -> Slot: ...


class LeadSlotService(Protocol):
    """The lead's side (blocking: the network lane); the same failures."""

    def adherence(self, team_id: str, start: dt.datetime, end: dt.datetime) -> Adherence: ...

    def create(self, team_id: str, draft: SlotDraft) -> Slot: ...

    def edit(self, slot_id: int, draft: SlotDraft) -> Slot: ...

    def cancel_slot(self, slot_id: int) -> Slot: ...

    def rules(self, team_id: str) -> SlotRules: ...

    def set_rules(self, team_id: str, rules: SlotRules) -> SlotRules: ...
