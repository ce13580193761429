"""Hour buckets, runs and timeline clipping of the days (homeagent/server/days.py)."""

from __future__ import annotations

from datetime import datetime, timedelta

from homeagent.server.days import (
    Segment,
    clip,
    hours,
    long_calls_in_row,
    missed_in_row,
)
from homeagent.server.routers.figures import CallMark, Tally

DAY = datetime(2026, 11, 20)


def t(hh: int, mm: int = 0, ss: int = 0) -> datetime:
    return DAY + timedelta(hours=hh, minutes=mm, seconds=ss)


def test_missed_in_row_counts_since_the_last_handled_call() -> None:
    calls = [
        CallMark(t(9), "missed"),
        CallMark(t(9, 5), "handled", 60),
        CallMark(t(9, 10), "missed"),
        CallMark(t(9, 11), "other"),  # declined: neither breaks nor extends the run
        CallMark(t(9, 12), "missed"),
    ]
    run = missed_in_row(calls)
    assert (run.count, run.first_at) == (2, t(9, 10))
    assert missed_in_row([*calls, CallMark(t(9, 20), "handled", 5)]).count == 0
    assert missed_in_row([]).first_at is None


def test_long_calls_in_row() -> None:
    calls = [
        CallMark(t(9), "handled", 700),
        CallMark(t(9, 20), "handled", 100),  # short: the run restarts
        CallMark(t(9, 30), "handled", 650),
        CallMark(t(9, 45), "missed"),
        CallMark(t(9, 50), "handled", 900),
    ]
    run = long_calls_in_row(calls, 600)
    assert (run.count, run.first_at) == (2, t(9, 30))
    assert long_calls_in_row(calls, 1000).count == 0


def test_hours_bucket_calls_by_start_and_give_each_its_wrap_up() -> None:
    tally = Tally(
        calls=[
            CallMark(t(9, 0), "handled", 180),
            CallMark(t(9, 50), "handled", 600),  # ends 10:00: its wrap-up is at 10:00
            CallMark(t(10, 5), "missed"),
            CallMark(t(14, 0), "handled", 120),
        ],
        wraps=[(t(9, 3), 30.0), (t(10, 0, 1), 90.0), (t(14, 2), 60.0)],
    )
    h = hours(tally)
    assert h.calls[9] == 2
    assert h.calls[10] == 0
    assert h.calls[14] == 1
    assert sum(h.calls) == 3
    assert h.handle_s[9] == 180 + 30 + 600 + 90
    assert h.means()[9] == round((180 + 30 + 600 + 90) / 2)
    assert h.means()[14] == 180
    assert h.means()[10] is None
    assert sum(h.handle_s) == 180 + 600 + 120 + 30 + 90 + 60  # = the day's handle_s


def test_a_wrap_up_before_any_call_of_the_day_is_in_no_hour() -> None:
    h = hours(Tally(calls=[CallMark(t(9), "handled", 60)], wraps=[(t(0, 0), 40.0)]))
    assert sum(h.handle_s) == 60


def test_team_hours_add_up() -> None:
    a = hours(Tally(calls=[CallMark(t(9), "handled", 100)]))
    b = hours(Tally(calls=[CallMark(t(9, 30), "handled", 300)]))
    both = a.add(b)
    assert both.calls[9] == 2
    assert both.means()[9] == 200


def test_clip_cuts_segments_to_the_day_and_ends_the_open_one_now() -> None:
    segments = [
        Segment("break", "Pause café", t(-1), t(0, 10)),  # from the evening before
        Segment("available", "", t(9), t(9, 0)),  # empty: dropped
        Segment("on_call", "", t(9), t(9, 30)),
        Segment("available", "", t(23, 50), None),  # open, past midnight
    ]
    assert clip(segments, DAY, now=t(25)) == [
        ("break", "Pause café", DAY, t(0, 10)),
        ("on_call", "", t(9), t(9, 30)),
        ("available", "", t(23, 50), t(24)),
    ]
    # today, at 23:55: the open segment ends now
    assert clip(segments[-1:], DAY, now=t(23, 55))[0][3] == t(23, 55)
