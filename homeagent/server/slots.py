"""Shift slots: the booking rules and planned vs actual (docs/api.md, "Shift slots").

A team's lead (or an admin) opens slots; the team's agents book and cancel them within
the team's rules (`SlotRules`, defaults when the team has none):

- a slot is booked at least `book_notice_min` before it starts, a booking cancelled
  at least `cancel_notice_min` before; a slot that has started is read-only (its
  lead can no longer edit or cancel it, nobody books or cancels);
- capacity is never exceeded: `book` takes a place with one conditional UPDATE
  (`booked = booked + 1 WHERE booked < capacity`), which both SQLite and PostgreSQL
  apply atomically, so of two bookings racing for the last place one gets 409 `slot_full`;
- an agent never holds two bookings that overlap in time (on PostgreSQL the agent's user
  row is locked for the check, so two of its own bookings cannot race past it).

Planned vs actual (`adherence`) reads the agent state history the server already keeps
(`state_history`): an agent is *in* while in any state but offline. A booked agent is
`on_time` when in by the start plus the team's grace, `late` when in later, `absent` when
never in during a slot that ended; `in_without_slot` lists agents who were in while
holding no booking for that time. Pure functions over plain records: tested without a
database (tests/unit/server/test_slots.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from homeagent.server.errors import ApiError
from homeagent.server.models import ShiftSlot, SlotBooking, SlotRules, User

MIN_SLOT = timedelta(minutes=15)
MAX_SLOT = timedelta(hours=12)
MAX_AHEAD = timedelta(days=366)  # how far ahead a slot may be opened
MAX_NOTICE_MIN = 7 * 24 * 60  # the rules' upper bound (a week)
MAX_GRACE_MIN = 120


@dataclass(frozen=True, slots=True)
class Rules:
    """A team's slot rules (minutes)."""

    book_notice_min: int = 60
    cancel_notice_min: int = 120
    late_grace_min: int = 5

    @classmethod
    def of(cls, s: Session, team_id: str) -> Rules:
        """The team's saved rules, else the defaults."""
        row = s.get(SlotRules, team_id)
        if row is None:
            return cls()
        return cls(row.book_notice_min, row.cancel_notice_min, row.late_grace_min)


def check_times(starts_at: datetime, ends_at: datetime, now: datetime) -> None:
    """Refuse (422) a slot whose times make no sense: end before start, too short or
    long, in the past, more than a year ahead."""
    if ends_at <= starts_at:
        raise ApiError(422, "invalid_input", "The slot must end after it starts.")
    if ends_at - starts_at < MIN_SLOT:
        raise ApiError(422, "invalid_input", "A slot lasts at least 15 minutes.")
    if ends_at - starts_at > MAX_SLOT:
        raise ApiError(422, "invalid_input", "A slot lasts at most 12 hours.")
    if starts_at <= now:
        raise ApiError(409, "slot_in_past", "A slot must start in the future.")
    if starts_at > now + MAX_AHEAD:
        raise ApiError(422, "invalid_input", "A slot starts at most a year ahead.")


def booking_refusal(slot: ShiftSlot, rules: Rules, now: datetime) -> ApiError | None:
    """Why the slot cannot be booked at `now` (capacity and overlap aside), or None."""
    if slot.cancelled_at is not None:
        return ApiError(409, "slot_cancelled", "This slot was cancelled.")
    if slot.starts_at <= now:
        return ApiError(409, "slot_started", "This slot has already started.")
    if slot.starts_at - timedelta(minutes=rules.book_notice_min) < now:
        return ApiError(
            409,
            "too_late_to_book",
            f"A slot is booked at least {rules.book_notice_min} minutes before it starts.",
            extra={"notice_min": rules.book_notice_min},
        )
    return None


def cancel_refusal(slot: ShiftSlot, rules: Rules, now: datetime) -> ApiError | None:
    """Why a booking of the slot cannot be cancelled at `now`, or None."""
    if slot.starts_at <= now:
        return ApiError(409, "slot_started", "This slot has already started.")
    if slot.starts_at - timedelta(minutes=rules.cancel_notice_min) < now:
        return ApiError(
            409,
            "too_late_to_cancel",
            f"A booking is cancelled at least {rules.cancel_notice_min} minutes before "
            "the slot starts; ask your team lead.",
            extra={"notice_min": rules.cancel_notice_min},
        )
    return None


def open_booking(s: Session, slot_id: int, agent_id: str) -> SlotBooking | None:
    return s.scalar(
        select(SlotBooking).where(
            SlotBooking.slot_id == slot_id,
            SlotBooking.agent_id == agent_id,
            SlotBooking.cancelled_at.is_(None),
        )
    )


def book(s: Session, slot: ShiftSlot, agent: User, now: datetime) -> SlotBooking:
    """Book `slot` for `agent` (see the module docstring); raise ApiError when refused.

    Booking a slot the agent already holds returns that booking (a retry is harmless)."""
    rules = Rules.of(s, slot.team_id)
    refusal = booking_refusal(slot, rules, now)
    if refusal is not None:
        raise refusal
    if s.bind is not None and s.bind.dialect.name == "postgresql":
        # the agent's own bookings are checked then written under its row lock
        s.execute(select(User.id).where(User.id == agent.id).with_for_update())
    held = open_booking(s, slot.id, agent.id)
    if held is not None:
        return held
    clash = s.scalar(
        select(ShiftSlot)
        .join(SlotBooking, SlotBooking.slot_id == ShiftSlot.id)
        .where(
            SlotBooking.agent_id == agent.id,
            SlotBooking.cancelled_at.is_(None),
            ShiftSlot.cancelled_at.is_(None),
            ShiftSlot.starts_at < slot.ends_at,
            ShiftSlot.ends_at > slot.starts_at,
        )
        .limit(1)
    )
    if clash is not None:
        raise ApiError(
            409,
            "overlapping_booking",
            "You already hold a slot at that time.",
            extra={"slot_id": clash.id},
        )
    taken = s.execute(
        update(ShiftSlot)
        .where(
            ShiftSlot.id == slot.id,
            ShiftSlot.booked < ShiftSlot.capacity,
            ShiftSlot.cancelled_at.is_(None),
        )
        .values(booked=ShiftSlot.booked + 1)
        .execution_options(synchronize_session=False)
    )
    if getattr(taken, "rowcount", 0) != 1:
        s.refresh(slot)
        if slot.cancelled_at is not None:  # a lead cancelled it meanwhile
            raise ApiError(409, "slot_cancelled", "This slot was cancelled.")
        raise ApiError(409, "slot_full", "This slot is full.")
    booking = SlotBooking(slot_id=slot.id, agent_id=agent.id, team_id=slot.team_id, booked_at=now)
    s.add(booking)
    s.flush()
    s.refresh(slot)
    return booking


def cancel_booking(
    s: Session, slot: ShiftSlot, booking: SlotBooking, by_id: str, now: datetime
) -> None:
    """Give the place back (the rules were checked by the caller)."""
    booking.cancelled_at, booking.cancelled_by_id = now, by_id
    s.execute(
        update(ShiftSlot)
        .where(ShiftSlot.id == slot.id, ShiftSlot.booked > 0)
        .values(booked=ShiftSlot.booked - 1)
        .execution_options(synchronize_session=False)
    )
    s.flush()
    s.refresh(slot)


# --- planned vs actual -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Presence:
    """A stretch of time an agent was in (any state but offline)."""

    start: datetime
    end: datetime  # an open segment ends now


@dataclass(frozen=True, slots=True)
class Attendance:
    """How a booked agent kept one slot."""

    agent_id: str
    status: str  # upcoming | on_time | late | absent | not_yet
    arrived_at: datetime | None  # when the agent was first in for the slot
    left_at: datetime | None  # went offline before the slot's end (None: stayed, or now)
    late_s: int  # arrived this long after the start (0 on time)
    in_s: int  # time in during the slot (up to now)


@dataclass(frozen=True, slots=True)
class Unplanned:
    """An agent in during a time it had not booked."""

    agent_id: str
    in_s: int
    first_at: datetime


def merge(segments: Iterable[tuple[datetime, datetime]]) -> list[Presence]:
    """Touching or overlapping stretches joined (state changes split presence in pieces)."""
    out: list[Presence] = []
    for start, end in sorted(segments):
        if end <= start:
            continue
        if out and start <= out[-1].end:
            if end > out[-1].end:
                out[-1] = Presence(out[-1].start, end)
        else:
            out.append(Presence(start, end))
    return out


def _overlap_s(runs: Sequence[Presence], start: datetime, end: datetime) -> float:
    return sum(max(0.0, (min(r.end, end) - max(r.start, start)).total_seconds()) for r in runs)


def attendance(
    agent_id: str,
    runs: Sequence[Presence],
    starts_at: datetime,
    ends_at: datetime,
    grace: timedelta,
    now: datetime,
) -> Attendance:
    """How the agent kept the slot [starts_at, ends_at), seen at `now` (`runs`: merged)."""
    if now < starts_at:
        return Attendance(agent_id, "upcoming", None, None, 0, 0)
    horizon = min(ends_at, now)
    inside = [r for r in runs if r.start < horizon and r.end > starts_at]
    in_s = int(_overlap_s(inside, starts_at, horizon))
    if not inside:
        status = (
            "absent" if now >= ends_at else ("not_yet" if now > starts_at + grace else "upcoming")
        )
        return Attendance(agent_id, status, None, None, 0, 0)
    first = inside[0]
    arrived = first.start
    late_s = max(0, int((arrived - starts_at).total_seconds()))
    status = "late" if arrived > starts_at + grace else "on_time"
    last_end = inside[-1].end
    left = last_end if last_end < horizon else None
    return Attendance(agent_id, status, arrived, left, late_s, in_s)


def unplanned(
    runs_by_agent: Mapping[str, Sequence[Presence]],
    booked_by_agent: Mapping[str, Sequence[tuple[datetime, datetime]]],
    start: datetime,
    end: datetime,
    grace: timedelta,
) -> list[Unplanned]:
    """Agents in during [start, end) outside their booked slots, for longer than `grace`
    (a few minutes before or after a slot are not "without a slot")."""
    out = []
    for agent_id, runs in runs_by_agent.items():
        planned = merge((a - grace, b + grace) for a, b in booked_by_agent.get(agent_id, ()))
        seconds, first = 0.0, None
        for run in runs:
            a, b = max(run.start, start), min(run.end, end)
            if b <= a:
                continue
            covered = _overlap_s(planned, a, b)
            rest = (b - a).total_seconds() - covered
            if rest > 0:
                seconds += rest
                if first is None:
                    first = _first_uncovered(a, b, planned)
        if first is not None and seconds > grace.total_seconds():
            out.append(Unplanned(agent_id, int(seconds), first))
    return sorted(out, key=lambda u: u.first_at)


def _first_uncovered(a: datetime, b: datetime, planned: Sequence[Presence]) -> datetime:
    t = a
    for p in planned:
        if p.end <= t:
            continue
        if p.start > t:
            return t
        t = p.end
        if t >= b:
            break
    return t
