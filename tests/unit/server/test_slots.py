"""The shift-slot rules and planned vs actual, without a database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from homeagent.server.errors import ApiError
from homeagent.server.models import ShiftSlot
from homeagent.server.slots import (
    Presence,
    Rules,
    attendance,
    booking_refusal,
    cancel_refusal,
    check_times,
    merge,
    unplanned,
)

T0 = datetime(2026, 12, 1, 17, 0, tzinfo=UTC)  # the slot's start
GRACE = timedelta(minutes=5)


def _m(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def _slot(start: datetime = T0, minutes: int = 120, cancelled: bool = False) -> ShiftSlot:
    return ShiftSlot(
        id=1, team_id="t", starts_at=start, ends_at=start + timedelta(minutes=minutes),
        capacity=2, booked=0, cancelled_at=start - timedelta(days=1) if cancelled else None,
    )  # fmt: skip


def test_times_refused_with_a_reason() -> None:
    now = _m(-600)
    for start, end, word in (
        (_m(0), _m(0), "end after"),
        (_m(10), _m(0), "end after"),
        (_m(0), _m(10), "at least 15"),
        (_m(0), _m(13 * 60), "at most 12"),
        (_m(-700), _m(-600), "future"),
        (_m(0) + timedelta(days=400), _m(60) + timedelta(days=400), "a year"),
    ):
        with pytest.raises(ApiError) as caught:
            check_times(start, end, now)
        assert word in caught.value.message
    check_times(_m(0), _m(15), now)  # the shortest slot passes


def test_booking_notice_is_inclusive_and_a_started_slot_is_read_only() -> None:
    rules = Rules(book_notice_min=60, cancel_notice_min=120)
    assert booking_refusal(_slot(), rules, _m(-60)) is None  # exactly the notice: fine
    late = booking_refusal(_slot(), rules, _m(-59))
    assert late is not None
    assert late.code == "too_late_to_book"
    assert late.extra == {"notice_min": 60}
    started = booking_refusal(_slot(), rules, _m(0))
    assert started is not None
    assert started.code == "slot_started"
    gone = booking_refusal(_slot(cancelled=True), rules, _m(-600))
    assert gone is not None
    assert gone.code == "slot_cancelled"


def test_cancel_notice() -> None:
    rules = Rules(book_notice_min=0, cancel_notice_min=120)
    assert cancel_refusal(_slot(), rules, _m(-120)) is None
    late = cancel_refusal(_slot(), rules, _m(-119))
    assert late is not None
    assert late.code == "too_late_to_cancel"
    started = cancel_refusal(_slot(), Rules(cancel_notice_min=0), _m(1))
    assert started is not None
    assert started.code == "slot_started"


def test_merge_joins_touching_state_segments() -> None:
    runs = merge([(_m(10), _m(20)), (_m(0), _m(10)), (_m(30), _m(40)), (_m(35), _m(38))])
    assert runs == [Presence(_m(0), _m(20)), Presence(_m(30), _m(40))]


@pytest.mark.parametrize(
    ("runs", "now", "status", "late_s", "in_s", "left"),
    [
        ([], _m(-1), "upcoming", 0, 0, None),
        ([], _m(3), "upcoming", 0, 0, None),  # inside the grace: not late yet
        ([], _m(6), "not_yet", 0, 0, None),
        ([], _m(200), "absent", 0, 0, None),
        ([(_m(-30), _m(200))], _m(200), "on_time", 0, 7200, None),
        ([(_m(4), _m(200))], _m(200), "on_time", 240, 6960, None),  # within the grace
        ([(_m(20), _m(200))], _m(200), "late", 1200, 6000, None),
        ([(_m(0), _m(60)), (_m(70), _m(90))], _m(200), "on_time", 0, 4800, _m(90)),
        ([(_m(20), _m(60))], _m(30), "late", 1200, 600, None),  # still in: left is None
        ([(_m(-300), _m(-200))], _m(200), "absent", 0, 0, None),  # in before, not during
    ],
)
def test_attendance(
    runs: list[tuple[datetime, datetime]],
    now: datetime,
    status: str,
    late_s: int,
    in_s: int,
    left: datetime | None,
) -> None:
    got = attendance("a", merge(runs), _m(0), _m(120), GRACE, now)
    assert (got.status, got.late_s, got.in_s, got.left_at) == (status, late_s, in_s, left)


def test_in_without_a_slot() -> None:
    runs = {
        "booked": merge([(_m(-3), _m(123))]),  # a few minutes around its slot: fine
        "extra": merge([(_m(110), _m(190))]),  # stayed on after its slot
        "loose": merge([(_m(10), _m(40))]),  # no slot at all
        "short": merge([(_m(0), _m(2))]),  # under the grace: not counted
    }
    booked = {"booked": [(_m(0), _m(120))], "extra": [(_m(0), _m(120))]}
    found = unplanned(runs, booked, _m(-600), _m(600), GRACE)
    assert [(u.agent_id, u.in_s, u.first_at) for u in found] == [
        ("loose", 1800, _m(10)),
        ("extra", 65 * 60, _m(125)),  # from the end of its slot's grace
    ]
