"""Shift slots: leads open them, agents book them, leads see planned vs actual.

RBAC: an agent lists its own team's slots and books or cancels its own bookings; a
team lead opens, edits and cancels its team's slots and sees who booked; an admin does
all of it for any team. Another team's slot is 404 to everyone but an admin (ids cannot
be probed). Every change publishes `slot_changed` to the team (docs/api.md).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from homeagent.server import audit, slots
from homeagent.server.deps import ADMIN, AGENT, TEAM_LEAD, Auth, Ctx, Principal
from homeagent.server.errors import ApiError
from homeagent.server.events import publish
from homeagent.server.models import (
    ShiftSlot,
    SlotBooking,
    SlotRules,
    StateHistory,
    Team,
    User,
    utcnow,
)
from homeagent.server.schemas import MAX_ID, Moment, PersonRef
from homeagent.server.slots_schemas import (
    AdherenceOut,
    AttendanceOut,
    SlotAdherenceOut,
    SlotBookingOut,
    SlotIn,
    SlotOut,
    SlotPatch,
    SlotRulesIn,
    SlotRulesOut,
    UnplannedOut,
)

router = APIRouter(tags=["slots"])
SlotId = Annotated[int, Path(ge=1, le=MAX_ID)]
TeamId = Annotated[str, Path(max_length=36)]
MAX_RANGE = timedelta(days=62)
Change = Literal["created", "updated", "cancelled", "booked", "unbooked"]


def _team_for(s: Session, p: Principal, team_id: str, *, manage: bool) -> Team:
    """The team, if `p` may read (its agents, its leads, admins) or manage (leads,
    admins) its slots; 404 for another team's, like an unknown one."""
    team = s.get(Team, team_id)
    allowed = p.is_admin or (p.team_id == team_id and (p.is_lead or not manage))
    if team is None or not allowed:
        if manage and p.role == AGENT and p.team_id == team_id:
            raise ApiError(403, "forbidden", "Only the team's lead manages its slots.")
        raise ApiError(404, "not_found", "No such team.")
    return team


def _slot_for(s: Session, p: Principal, slot_id: int, *, lock: bool = False) -> ShiftSlot:
    slot = s.get(ShiftSlot, slot_id, with_for_update=lock and _is_pg(s))
    if slot is None or not (p.is_admin or slot.team_id == p.team_id):
        raise ApiError(404, "not_found", "No such slot in your team.")
    return slot


def _is_pg(s: Session) -> bool:
    return s.bind is not None and s.bind.dialect.name == "postgresql"


def _name(user: User | None, user_id: str) -> PersonRef:
    if user is None:
        return PersonRef(id=user_id, name="")
    return PersonRef(id=user.id, name=user.display_name or user.name)


def slot_out(
    s: Session, p: Principal, slot: ShiftSlot, rules: slots.Rules, now: datetime
) -> SlotOut:
    """The slot as `p` sees it at `now`."""
    rows = list(
        s.scalars(
            select(SlotBooking)
            .where(SlotBooking.slot_id == slot.id, SlotBooking.cancelled_at.is_(None))
            .order_by(SlotBooking.booked_at)
        )
    )
    mine = any(b.agent_id == p.user_id for b in rows)
    can_book = can_cancel = False
    refusal: str | None = None
    if p.role == AGENT:
        if mine:
            why = slots.cancel_refusal(slot, rules, now)
            can_cancel, refusal = why is None, why.code if why else None
        else:
            why = slots.booking_refusal(slot, rules, now)
            if why is None and slot.booked >= slot.capacity:
                refusal = "slot_full"
            else:
                can_book, refusal = why is None, why.code if why else None
    bookings = None
    if p.role != AGENT:
        users = {
            u.id: u for u in s.scalars(select(User).where(User.id.in_([b.agent_id for b in rows])))
        }
        bookings = [
            SlotBookingOut(agent=_name(users.get(b.agent_id), b.agent_id), booked_at=b.booked_at)
            for b in rows
        ]
    return SlotOut(
        id=slot.id,
        team_id=slot.team_id,
        starts_at=slot.starts_at,
        ends_at=slot.ends_at,
        capacity=slot.capacity,
        booked=slot.booked,
        free=max(0, slot.capacity - slot.booked),
        note=slot.note,
        cancelled_at=slot.cancelled_at,
        mine=mine,
        can_book=can_book,
        can_cancel=can_cancel,
        refusal=refusal,
        bookings=bookings,
    )


def _changed(s: Session, slot: ShiftSlot, change: Change, by: Principal) -> None:
    """`slot_changed` to the whole team (readers fetch the slot: what they may see of it
    differs by role and by booking)."""
    publish(
        s,
        "slot_changed",
        {"slot_id": slot.id, "team_id": slot.team_id, "change": change, "by": by.user_id},
        to_team_id=slot.team_id,
        to_role="all",
    )


def _range(
    start: datetime | None, end: datetime | None, now: datetime, back: timedelta
) -> tuple[datetime, datetime]:
    lo = start or now - back
    hi = end or lo + timedelta(days=7) + (back if start is None else timedelta())
    if hi <= lo:
        raise ApiError(422, "invalid_input", "end must be after start.")
    if hi - lo > MAX_RANGE:
        raise ApiError(422, "invalid_input", "Ask for at most 62 days at a time.")
    return lo, hi


StartQ = Annotated[Moment | None, Query(description="ISO 8601; default: now")]
EndQ = Annotated[Moment | None, Query(description="ISO 8601; default: start + 7 days")]


@router.get("/teams/{team_id}/slots", response_model=list[SlotOut])
def list_slots(
    team_id: TeamId,
    p: Auth,
    ctx: Ctx,
    start: StartQ = None,
    end: EndQ = None,
    include_cancelled: bool = False,
) -> list[SlotOut]:
    """The team's slots that end after `start` and begin before `end`, by start time."""
    now = utcnow()
    lo, hi = _range(start, end, now, timedelta())
    with ctx.db.read() as s:
        team = _team_for(s, p, team_id, manage=False)
        rules = slots.Rules.of(s, team.id)
        stmt = select(ShiftSlot).where(
            ShiftSlot.team_id == team_id, ShiftSlot.ends_at > lo, ShiftSlot.starts_at < hi
        )
        if not include_cancelled:
            stmt = stmt.where(ShiftSlot.cancelled_at.is_(None))
        found = s.scalars(stmt.order_by(ShiftSlot.starts_at, ShiftSlot.id).limit(1000))
        return [slot_out(s, p, slot, rules, now) for slot in found]


@router.post("/teams/{team_id}/slots", response_model=SlotOut, status_code=201)
def create_slot(team_id: TeamId, body: SlotIn, p: Auth, ctx: Ctx) -> SlotOut:
    """Open a slot (the team's lead or an admin)."""
    p.require(TEAM_LEAD, ADMIN)
    now = utcnow()
    with ctx.db.write() as s:
        team = _team_for(s, p, team_id, manage=True)
        slots.check_times(body.starts_at, body.ends_at, now)
        slot = ShiftSlot(
            team_id=team.id,
            starts_at=body.starts_at,
            ends_at=body.ends_at,
            capacity=body.capacity,
            booked=0,
            note=body.note,
            created_by_id=p.user_id,
            created_at=now,
            updated_at=now,
        )
        s.add(slot)
        s.flush()
        audit.record(
            s, actor_id=p.user_id, team_id=team.id, action="slot_create",
            detail={"slot_id": slot.id, "capacity": slot.capacity},
        )  # fmt: skip
        _changed(s, slot, "created", p)
        return slot_out(s, p, slot, slots.Rules.of(s, team.id), now)


@router.get("/slots/{slot_id}", response_model=SlotOut)
def get_slot(slot_id: SlotId, p: Auth, ctx: Ctx) -> SlotOut:
    now = utcnow()
    with ctx.db.read() as s:
        slot = _slot_for(s, p, slot_id)
        return slot_out(s, p, slot, slots.Rules.of(s, slot.team_id), now)


def _editable(slot: ShiftSlot, now: datetime) -> None:
    if slot.cancelled_at is not None:
        raise ApiError(409, "slot_cancelled", "This slot was cancelled.")
    if slot.starts_at <= now:
        raise ApiError(409, "slot_started", "A slot that has started can no longer change.")


@router.patch("/slots/{slot_id}", response_model=SlotOut)
def edit_slot(slot_id: SlotId, body: SlotPatch, p: Auth, ctx: Ctx) -> SlotOut:
    """Change a slot that has not started (the team's lead or an admin)."""
    p.require(TEAM_LEAD, ADMIN)
    now = utcnow()
    with ctx.db.write() as s:
        slot = _slot_for(s, p, slot_id, lock=True)
        _editable(slot, now)
        starts = body.starts_at or slot.starts_at
        ends = body.ends_at or slot.ends_at
        if (starts, ends) != (slot.starts_at, slot.ends_at):
            if slot.booked > 0:
                raise ApiError(
                    409,
                    "slot_has_bookings",
                    "Agents have booked this slot: cancel it and open another to change its times.",
                )
            slots.check_times(starts, ends, now)
        if body.capacity is not None and body.capacity < slot.booked:
            raise ApiError(
                409,
                "capacity_below_bookings",
                f"{slot.booked} agents have booked this slot: the capacity cannot be lower.",
            )
        slot.starts_at, slot.ends_at = starts, ends
        if body.capacity is not None:
            slot.capacity = body.capacity
        if body.note is not None:
            slot.note = body.note
        slot.updated_at = now
        audit.record(
            s, actor_id=p.user_id, team_id=slot.team_id, action="slot_edit",
            detail={"slot_id": slot.id, **body.model_dump(mode="json", exclude_none=True)},
        )  # fmt: skip
        _changed(s, slot, "updated", p)
        return slot_out(s, p, slot, slots.Rules.of(s, slot.team_id), now)


@router.delete("/slots/{slot_id}", response_model=SlotOut)
def cancel_slot(slot_id: SlotId, p: Auth, ctx: Ctx) -> SlotOut:
    """Cancel a slot that has not started; its bookings end with it (the agents are told
    through `slot_changed`). Cancelling it again answers the same."""
    p.require(TEAM_LEAD, ADMIN)
    now = utcnow()
    with ctx.db.write() as s:
        slot = _slot_for(s, p, slot_id, lock=True)
        rules = slots.Rules.of(s, slot.team_id)
        if slot.cancelled_at is not None:
            return slot_out(s, p, slot, rules, now)
        _editable(slot, now)
        for booking in s.scalars(
            select(SlotBooking).where(
                SlotBooking.slot_id == slot.id, SlotBooking.cancelled_at.is_(None)
            )
        ):
            booking.cancelled_at, booking.cancelled_by_id = now, p.user_id
        slot.cancelled_at, slot.cancelled_by_id, slot.booked = now, p.user_id, 0
        slot.updated_at = now
        audit.record(
            s, actor_id=p.user_id, team_id=slot.team_id, action="slot_cancel",
            detail={"slot_id": slot.id},
        )  # fmt: skip
        _changed(s, slot, "cancelled", p)
        return slot_out(s, p, slot, rules, now)


@router.post("/slots/{slot_id}/booking", response_model=SlotOut)
def book_slot(slot_id: SlotId, p: Auth, ctx: Ctx) -> SlotOut:
    """Book a place (an agent, for itself): 409 with the rule's code when refused
    (`too_late_to_book`, `slot_full`, `overlapping_booking`, `slot_cancelled`,
    `slot_started`). Booking a slot already held answers the same."""
    p.require(AGENT)
    now = utcnow()
    with ctx.db.write() as s:
        slot = _slot_for(s, p, slot_id)
        agent = s.get(User, p.user_id)
        assert agent is not None  # authenticated a moment ago
        before = slot.booked
        slots.book(s, slot, agent, now)
        if slot.booked != before:
            _changed(s, slot, "booked", p)
        return slot_out(s, p, slot, slots.Rules.of(s, slot.team_id), now)


@router.delete("/slots/{slot_id}/booking", response_model=SlotOut)
def unbook_slot(slot_id: SlotId, p: Auth, ctx: Ctx) -> SlotOut:
    """Cancel one's own booking within the team's notice (409 `too_late_to_cancel`);
    404 `not_booked` when the agent holds none."""
    p.require(AGENT)
    now = utcnow()
    with ctx.db.write() as s:
        slot = _slot_for(s, p, slot_id, lock=True)
        rules = slots.Rules.of(s, slot.team_id)
        booking = slots.open_booking(s, slot.id, p.user_id)
        if booking is None:
            raise ApiError(404, "not_booked", "You hold no booking of this slot.")
        refusal = slots.cancel_refusal(slot, rules, now)
        if refusal is not None:
            raise refusal
        slots.cancel_booking(s, slot, booking, p.user_id, now)
        _changed(s, slot, "unbooked", p)
        return slot_out(s, p, slot, rules, now)


@router.get("/teams/{team_id}/slot-rules", response_model=SlotRulesOut)
def get_rules(team_id: TeamId, p: Auth, ctx: Ctx) -> SlotRulesOut:
    with ctx.db.read() as s:
        team = _team_for(s, p, team_id, manage=False)
        return _rules_out(team.id, slots.Rules.of(s, team.id))


@router.put("/teams/{team_id}/slot-rules", response_model=SlotRulesOut)
def set_rules(team_id: TeamId, body: SlotRulesIn, p: Auth, ctx: Ctx) -> SlotRulesOut:
    """The team's booking notice, cancelling notice and lateness grace (lead, admin)."""
    p.require(TEAM_LEAD, ADMIN)
    with ctx.db.write() as s:
        team = _team_for(s, p, team_id, manage=True)
        s.merge(
            SlotRules(
                team_id=team.id,
                book_notice_min=body.book_notice_min,
                cancel_notice_min=body.cancel_notice_min,
                late_grace_min=body.late_grace_min,
                updated_at=utcnow(),
                updated_by_id=p.user_id,
            )
        )
        audit.record(
            s, actor_id=p.user_id, team_id=team.id, action="slot_rules",
            detail=body.model_dump(),
        )  # fmt: skip
        return _rules_out(team.id, slots.Rules.of(s, team.id))


def _rules_out(team_id: str, rules: slots.Rules) -> SlotRulesOut:
    return SlotRulesOut(
        team_id=team_id,
        book_notice_min=rules.book_notice_min,
        cancel_notice_min=rules.cancel_notice_min,
        late_grace_min=rules.late_grace_min,
    )


@router.get("/teams/{team_id}/slot-adherence", response_model=AdherenceOut)
def adherence(
    team_id: TeamId, p: Auth, ctx: Ctx, start: StartQ = None, end: EndQ = None
) -> AdherenceOut:
    """Planned vs actual over [start, end) (default: the last 24 hours and the next 7
    days): each slot's booked agents (on time, late, absent), who was in during it
    without a booking, and who was in without any slot (lead, admin)."""
    p.require(TEAM_LEAD, ADMIN)
    now = utcnow()
    lo, hi = _range(start, end, now, timedelta(days=1))
    with ctx.db.read() as s:
        team = _team_for(s, p, team_id, manage=True)
        rules = slots.Rules.of(s, team.id)
        grace = timedelta(minutes=rules.late_grace_min)
        found = list(
            s.scalars(
                select(ShiftSlot)
                .where(
                    ShiftSlot.team_id == team_id,
                    ShiftSlot.cancelled_at.is_(None),
                    ShiftSlot.ends_at > lo,
                    ShiftSlot.starts_at < hi,
                )
                .order_by(ShiftSlot.starts_at, ShiftSlot.id)
                .limit(1000)
            )
        )
        bookings = list(
            s.scalars(
                select(SlotBooking).where(
                    SlotBooking.slot_id.in_([x.id for x in found]),
                    SlotBooking.cancelled_at.is_(None),
                )
            )
        )
        booked_by_slot: dict[int, list[str]] = defaultdict(list)
        booked_by_agent: dict[str, list[tuple[datetime, datetime]]] = defaultdict(list)
        by_id = {x.id: x for x in found}
        for b in bookings:
            booked_by_slot[b.slot_id].append(b.agent_id)
            booked_by_agent[b.agent_id].append(
                (by_id[b.slot_id].starts_at, by_id[b.slot_id].ends_at)
            )
        agents = {
            u.id: u
            for u in s.scalars(select(User).where(User.team_id == team_id, User.role == AGENT))
        }
        runs = _presence(s, set(agents) | set(booked_by_agent), lo, min(hi, now), now)
        people = agents | {
            u.id: u for u in s.scalars(select(User).where(User.id.in_(list(booked_by_agent))))
        }
        out = []
        for slot in found:
            held = booked_by_slot.get(slot.id, [])
            kept = [
                slots.attendance(a, runs.get(a, []), slot.starts_at, slot.ends_at, grace, now)
                for a in held
            ]
            others = {a: r for a, r in runs.items() if a not in held}
            window_end = min(slot.ends_at, now)
            extra = (
                slots.unplanned(others, {}, slot.starts_at, window_end, timedelta())
                if window_end > slot.starts_at
                else []
            )
            out.append(
                SlotAdherenceOut(
                    slot=slot_out(s, p, slot, rules, now),
                    booked=[_attendance_out(k, people) for k in kept],
                    in_without_slot=[_unplanned_out(u, people) for u in extra],
                )
            )
        # "in without a slot" over the whole range also counts slots outside it: ask
        # for every booking of these agents around the range
        around = _bookings_around(s, set(runs), lo, hi)
        loose = slots.unplanned(runs, around, lo, min(hi, now), grace)
        return AdherenceOut(
            team_id=team_id,
            start=lo,
            end=hi,
            late_grace_min=rules.late_grace_min,
            slots=out,
            in_without_slot=[_unplanned_out(u, people) for u in loose],
        )


def _presence(
    s: Session, agent_ids: set[str], lo: datetime, hi: datetime, now: datetime
) -> dict[str, list[slots.Presence]]:
    """Each agent's merged stretches in (any state but offline) overlapping [lo, hi)."""
    if hi <= lo or not agent_ids:
        return {}
    pieces: dict[str, list[tuple[datetime, datetime]]] = defaultdict(list)
    for seg in s.scalars(
        select(StateHistory).where(
            StateHistory.agent_id.in_(list(agent_ids)),
            StateHistory.state != "offline",
            StateHistory.started_at < hi,
            or_(StateHistory.ended_at.is_(None), StateHistory.ended_at > lo),
        )
    ):
        pieces[seg.agent_id].append((seg.started_at, seg.ended_at or now))
    return {a: slots.merge(p) for a, p in pieces.items()}


def _bookings_around(
    s: Session, agent_ids: set[str], lo: datetime, hi: datetime
) -> dict[str, list[tuple[datetime, datetime]]]:
    out: dict[str, list[tuple[datetime, datetime]]] = defaultdict(list)
    if not agent_ids:
        return out
    rows = s.execute(
        select(SlotBooking.agent_id, ShiftSlot.starts_at, ShiftSlot.ends_at)
        .join(ShiftSlot, ShiftSlot.id == SlotBooking.slot_id)
        .where(
            SlotBooking.agent_id.in_(list(agent_ids)),
            SlotBooking.cancelled_at.is_(None),
            ShiftSlot.cancelled_at.is_(None),
            ShiftSlot.ends_at > lo - slots.MAX_SLOT,
            ShiftSlot.starts_at < hi + slots.MAX_SLOT,
        )
    )
    for agent_id, a, b in rows:
        out[agent_id].append((a, b))
    return out


def _attendance_out(a: slots.Attendance, people: dict[str, User]) -> AttendanceOut:
    return AttendanceOut(
        agent=_name(people.get(a.agent_id), a.agent_id),
        status=a.status,  # type: ignore[arg-type]
        arrived_at=a.arrived_at,
        left_at=a.left_at,
        late_s=a.late_s,
        in_s=a.in_s,
    )


def _unplanned_out(u: slots.Unplanned, people: dict[str, User]) -> UnplannedOut:
    return UnplannedOut(
        agent=_name(people.get(u.agent_id), u.agent_id), in_s=u.in_s, first_at=u.first_at
    )
