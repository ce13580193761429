"""Request and response bodies of the shift-slot routes (docs/api.md, "Shift slots")."""

from __future__ import annotations

from datetime import datetime
from typing import Literal, Self

from pydantic import BaseModel, Field, model_validator

from homeagent.server.schemas import Moment, PersonRef, Strict
from homeagent.server.slots import MAX_GRACE_MIN, MAX_NOTICE_MIN

MAX_CAPACITY = 500


class SlotIn(Strict):
    """A new slot: its team comes from the path."""

    starts_at: Moment
    ends_at: Moment
    capacity: int = Field(ge=1, le=MAX_CAPACITY)
    note: str = Field(default="", max_length=200)

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.ends_at <= self.starts_at:
            raise ValueError("ends_at must be after starts_at")
        return self


class SlotPatch(Strict):
    """A change to a slot that has not started: any of its fields (times only while
    nobody holds a booking: those agents planned their day around them)."""

    starts_at: Moment | None = None
    ends_at: Moment | None = None
    capacity: int | None = Field(default=None, ge=1, le=MAX_CAPACITY)
    note: str | None = Field(default=None, max_length=200)


class SlotBookingOut(BaseModel):
    agent: PersonRef
    booked_at: datetime


class SlotOut(BaseModel):
    """A slot as its reader may see it: an agent sees the places and its own booking,
    a lead or an admin also who booked."""

    id: int
    team_id: str
    starts_at: datetime
    ends_at: datetime
    capacity: int
    booked: int  # open bookings
    free: int  # capacity - booked
    note: str
    cancelled_at: datetime | None
    mine: bool  # the reader holds a booking of it
    # what the reader may do now (an agent: book / cancel; the rules say why not)
    can_book: bool
    can_cancel: bool
    refusal: str | None  # the rule's code when the reader cannot book or cancel it
    bookings: list[SlotBookingOut] | None  # None for agents


class SlotRulesIn(Strict):
    book_notice_min: int = Field(ge=0, le=MAX_NOTICE_MIN)
    cancel_notice_min: int = Field(ge=0, le=MAX_NOTICE_MIN)
    late_grace_min: int = Field(ge=0, le=MAX_GRACE_MIN)


class SlotRulesOut(BaseModel):
    team_id: str
    book_notice_min: int
    cancel_notice_min: int
    late_grace_min: int


AttendanceStatus = Literal["upcoming", "on_time", "late", "absent", "not_yet"]


class AttendanceOut(BaseModel):
    agent: PersonRef
    status: AttendanceStatus
    arrived_at: datetime | None  # first in (any state but offline) for the slot
    left_at: datetime | None  # offline before the slot's end
    late_s: int
    in_s: int


class UnplannedOut(BaseModel):
    agent: PersonRef
    in_s: int
    first_at: datetime


class SlotAdherenceOut(BaseModel):
    slot: SlotOut
    booked: list[AttendanceOut]
    in_without_slot: list[UnplannedOut]  # in during the slot without a booking of it


class AdherenceOut(BaseModel):
    """Planned vs actual over [start, end): per slot, and who was in without any slot."""

    team_id: str
    start: datetime
    end: datetime
    late_grace_min: int
    slots: list[SlotAdherenceOut]
    in_without_slot: list[UnplannedOut]
