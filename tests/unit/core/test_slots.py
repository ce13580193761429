"""Slot records, reminders and the end-of-slot proposal (every call state, DST in Paris)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from homeagent.core.agent_state import AgentState
from homeagent.core.payload import MalformedPayload
from homeagent.core.slots import (
    EndOfSlot,
    Slot,
    SlotReminders,
    end_of_slot,
    parse_adherence,
    parse_slots,
)

UTC = dt.UTC
PARIS = ZoneInfo("Europe/Paris")
T0 = dt.datetime(2026, 12, 1, 17, 0, tzinfo=UTC)


def _m(minutes: float, base: dt.datetime = T0) -> dt.datetime:
    return base + dt.timedelta(minutes=minutes)


def _slot(
    id: int = 1, start: dt.datetime = T0, minutes: float = 120, *, mine: bool = True,
    cancelled: bool = False,
) -> Slot:  # fmt: skip
    return Slot(
        id=id, team_id="t", starts_at=start, ends_at=start + dt.timedelta(minutes=minutes),
        capacity=4, booked=1, free=3, note="", cancelled=cancelled, mine=mine,
        can_book=not mine, can_cancel=mine, refusal=None, bookings=None,
    )  # fmt: skip


def _wire(**over: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": 7, "team_id": "t", "starts_at": "2026-12-01T17:00:00Z",
        "ends_at": "2026-12-01T19:00:00Z", "capacity": 6, "booked": 2, "free": 4,
        "note": "Renfort", "cancelled_at": None, "mine": True, "can_book": False,
        "can_cancel": True, "refusal": None, "bookings": None,
    }  # fmt: skip
    return {**base, **over}


def test_parse_slots() -> None:
    (slot,) = parse_slots([_wire()])
    assert (slot.id, slot.starts_at, slot.free, slot.mine, slot.bookings) == (7, T0, 4, True, None)
    (lead,) = parse_slots(
        [
            _wire(
                bookings=[
                    {"agent": {"id": "a", "name": "Léa"}, "booked_at": "2026-11-30T10:00:00Z"}
                ]
            )
        ]
    )
    assert lead.bookings is not None
    assert lead.bookings[0].agent.name == "Léa"


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"starts_at": "demain"}, "starts_at"),
        ({"ends_at": "2026-12-01T16:00:00Z"}, "ends_at"),
        ({"capacity": 10**12}, "capacity"),
        ({"capacity": True}, "capacity"),
        ({"mine": "yes"}, "mine"),
        ({"bookings": "x"}, "bookings"),
    ],
)
def test_malformed_slots_name_the_field(over: dict[str, Any], field: str) -> None:
    with pytest.raises(MalformedPayload) as caught:
        parse_slots([_wire(**over)])
    assert field in caught.value.field


def test_parse_adherence() -> None:
    report = parse_adherence({
        "team_id": "t", "start": "2026-12-01T00:00:00Z", "end": "2026-12-02T00:00:00Z",
        "late_grace_min": 5,
        "slots": [{"slot": _wire(bookings=[]), "booked": [{
            "agent": {"id": "a", "name": "Léa"}, "status": "late",
            "arrived_at": "2026-12-01T17:20:00Z", "left_at": None, "late_s": 1200, "in_s": 6000,
        }], "in_without_slot": []}],
        "in_without_slot": [{"agent": {"id": "b", "name": "Hugo"}, "in_s": 600,
                             "first_at": "2026-12-01T12:00:00Z"}],
    })  # fmt: skip
    assert report.slots[0].booked[0].status == "late"
    assert report.in_without_slot[0].agent.name == "Hugo"
    with pytest.raises(MalformedPayload):
        parse_adherence({**{"team_id": "t"}, "slots": []})


def test_reminders_at_ten_and_two_minutes_each_once() -> None:
    r = SlotReminders()
    slots = [_slot()]
    assert r.due(slots, _m(-11)) == []
    (first,) = r.due(slots, _m(-10))
    assert first.minutes == 10
    assert r.due(slots, _m(-9)) == []
    (second,) = r.due(slots, _m(-2))
    assert second.minutes == 2
    assert r.due(slots, _m(-1)) == []
    assert r.due(slots, _m(0)) == []


def test_reminders_for_an_app_started_late_come_once_with_the_real_time_left() -> None:
    r = SlotReminders()
    (late,) = r.due([_slot()], _m(-5.5))
    assert late.minutes == 6  # rounded up
    (two,) = r.due([_slot()], _m(-2))  # the 2-minute one still comes
    assert two.minutes == 2
    r2 = SlotReminders()
    (only,) = r2.due([_slot()], _m(-1.5))  # both marks passed: one reminder, not two
    assert only.minutes == 2
    assert r2.due([_slot()], _m(-1)) == []


def test_reminders_skip_others_cancelled_and_started_and_follow_a_moved_slot() -> None:
    r = SlotReminders()
    assert r.due([_slot(mine=False), _slot(2, cancelled=True)], _m(-5)) == []
    assert r.due([_slot()], _m(1)) == []  # started: too late to remind
    assert len(r.due([_slot()], _m(-10))) == 1
    moved = _slot(start=_m(60))
    (again,) = r.due([moved], _m(50))
    assert again.minutes == 10


@pytest.mark.parametrize("state", list(AgentState))
@pytest.mark.parametrize("call", [False, True])
def test_end_of_slot_on_every_state(state: AgentState, call: bool) -> None:
    """Proposed only in a state the agent chose, with no call in progress; a call's
    states (ringing, on call, wrap-up) and offline never."""
    got = end_of_slot([_slot()], _m(121), state, call_in_progress=call)
    expected = state in (AgentState.AVAILABLE, AgentState.BREAK, AgentState.NOT_READY)
    assert (got is not None) == (expected and not call)


def test_end_of_slot_waits_for_the_wrap_up_then_proposes_once() -> None:
    ends = EndOfSlot()
    slots = [_slot()]
    assert ends.check(slots, _m(119), AgentState.AVAILABLE, call_in_progress=False) is None
    assert ends.check(slots, _m(120), AgentState.ON_CALL, call_in_progress=True) is None
    assert ends.check(slots, _m(125), AgentState.WRAP_UP, call_in_progress=True) is None
    # the wrap-up's end: the state moved on (available after wrap-up)
    found = ends.check(slots, _m(126), AgentState.AVAILABLE, call_in_progress=False)
    assert found is not None
    assert found.id == 1
    assert ends.check(slots, _m(127), AgentState.AVAILABLE, call_in_progress=False) is None


def test_end_of_slot_not_before_a_following_slot_nor_long_after() -> None:
    chained = [_slot(1), _slot(2, start=_m(130))]
    assert end_of_slot(chained, _m(121), AgentState.AVAILABLE, call_in_progress=False) is None
    apart = [_slot(1), _slot(2, start=_m(180))]
    assert end_of_slot(apart, _m(121), AgentState.AVAILABLE, call_in_progress=False) is not None
    overlapping_next = [_slot(1), _slot(2, start=_m(110))]  # another booked slot runs
    assert (
        end_of_slot(overlapping_next, _m(121), AgentState.AVAILABLE, call_in_progress=False) is None
    )
    assert (
        end_of_slot([_slot()], _m(120 + 121), AgentState.AVAILABLE, call_in_progress=False) is None
    )
    assert (
        end_of_slot([_slot(mine=False)], _m(121), AgentState.AVAILABLE, call_in_progress=False)
        is None
    )


def _paris(y: int, mo: int, d: int, h: int, mi: int = 0, fold: int = 0) -> dt.datetime:
    return dt.datetime(y, mo, d, h, mi, tzinfo=PARIS, fold=fold).astimezone(UTC)


def test_spring_forward_in_paris() -> None:
    """29 March 2026: 02:00 becomes 03:00. A slot 01:00–04:00 (Paris) lasts two hours;
    the reminders come 10 and 2 real minutes before 01:00, its end at 04:00 Paris."""
    start, end = _paris(2026, 3, 29, 1), _paris(2026, 3, 29, 4)
    assert end - start == dt.timedelta(hours=2)
    slot = _slot(start=start, minutes=(end - start).total_seconds() / 60)
    r = SlotReminders()
    (ten,) = r.due([slot], _paris(2026, 3, 29, 0, 50))
    assert ten.minutes == 10
    assert end_of_slot([slot], _paris(2026, 3, 29, 3, 59), AgentState.AVAILABLE,
                       call_in_progress=False) is None  # fmt: skip
    assert end_of_slot([slot], _paris(2026, 3, 29, 4, 0), AgentState.AVAILABLE,
                       call_in_progress=False) is slot  # fmt: skip
    # a slot starting at 03:05 Paris, right after the jump: 10 minutes before is 02:55
    # Paris time, which does not exist — the reminder comes at 01:55 UTC all the same
    after = _slot(2, start=_paris(2026, 3, 29, 3, 5), minutes=60)
    (soon,) = SlotReminders().due([after], dt.datetime(2026, 3, 29, 0, 55, tzinfo=UTC))
    assert soon.minutes == 10


def test_fall_back_in_paris() -> None:
    """25 October 2026: 03:00 becomes 02:00 again. A slot 01:30–03:30 (Paris) lasts three
    hours; its end is proposed at 03:30 Paris (02:30 UTC), not an hour early."""
    start, end = _paris(2026, 10, 25, 1, 30), _paris(2026, 10, 25, 3, 30)
    assert end - start == dt.timedelta(hours=3)
    slot = _slot(start=start, minutes=180)
    first_230 = _paris(2026, 10, 25, 2, 30, fold=0)  # the first 02:30 (summer time)
    second_230 = _paris(2026, 10, 25, 2, 30, fold=1)
    assert second_230 - first_230 == dt.timedelta(hours=1)
    for moment in (first_230, second_230, _paris(2026, 10, 25, 3, 29)):
        assert end_of_slot([slot], moment, AgentState.AVAILABLE, call_in_progress=False) is None
    assert end_of_slot([slot], end, AgentState.AVAILABLE, call_in_progress=False) is slot
    # a slot starting at the second 02:00: reminded 10 minutes before in real time
    late = _slot(2, start=_paris(2026, 10, 25, 2, 0, fold=1), minutes=60)
    r = SlotReminders()
    assert r.due([late], _paris(2026, 10, 25, 2, 0, fold=0)) == []  # an hour before
    (ten,) = r.due([late], late.starts_at - dt.timedelta(minutes=10))
    assert late.starts_at == dt.datetime(2026, 10, 25, 1, 0, tzinfo=UTC)
    assert ten.minutes == 10
