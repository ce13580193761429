"""An agent's day in pictures: calls per hour, handle time by hour, the state timeline.

Pure functions over the figures' own records (`routers.figures.Tally`), so a chart
always adds up to the figures: the calls of the hours sum to `calls_handled`, and the
handle seconds of the hours to `handle_s` (but for a wrap-up after a call of the day
before, which the day's `wrap_up_s` counts and no hour of the day can hold).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from homeagent.server.routers.figures import CallMark, Tally

HOURS = 24


@dataclass(frozen=True, slots=True)
class Run:
    """A run of calls at the end of the day so far: how many, and when the first began."""

    count: int
    first_at: datetime | None  # None when count is 0


def missed_in_row(calls: Sequence[CallMark]) -> Run:
    """Missed calls since the last handled one (declined and failed dials do not count)."""
    count, first = 0, None
    for call in calls:
        if call.kind == "handled":
            count, first = 0, None
        elif call.kind == "missed":
            count += 1
            first = first or call.started_at
    return Run(count, first)


def long_calls_in_row(calls: Sequence[CallMark], long_s: float) -> Run:
    """Handled calls in a row that each talked longer than `long_s` (other calls between
    them neither break nor extend the run; a shorter handled call ends it)."""
    count, first = 0, None
    for call in calls:
        if call.kind != "handled":
            continue
        if call.talk_s > long_s:
            count += 1
            first = first or call.started_at
        else:
            count, first = 0, None
    return Run(count, first)


@dataclass(frozen=True, slots=True)
class Hours:
    calls: list[int]  # handled calls by start hour
    handle_s: list[float]  # their talk + the wrap-ups that followed them

    def means(self) -> list[int | None]:
        return [round(h / c) if c else None for c, h in zip(self.calls, self.handle_s, strict=True)]

    def add(self, other: Hours) -> Hours:
        return Hours(
            [a + b for a, b in zip(self.calls, other.calls, strict=True)],
            [a + b for a, b in zip(self.handle_s, other.handle_s, strict=True)],
        )


def empty_hours() -> Hours:
    return Hours([0] * HOURS, [0.0] * HOURS)


def hours(tally: Tally) -> Hours:
    """Handled calls by start hour, each with its talk and the wrap-up after it.

    A wrap-up segment belongs to the latest handled call that began before it.
    """
    handled = [c for c in tally.calls if c.kind == "handled"]  # in start order
    out = empty_hours()
    for call in handled:
        out.calls[call.started_at.hour] += 1
        out.handle_s[call.started_at.hour] += call.talk_s
    for start, seconds in tally.wraps:
        owner = None
        for call in handled:
            if call.started_at > start:
                break
            owner = call
        if owner is not None:
            out.handle_s[owner.started_at.hour] += seconds
    return out


@dataclass(frozen=True, slots=True)
class Segment:
    state: str
    reason: str
    start: datetime
    end: datetime | None  # None: still open


def clip(
    segments: Iterable[Segment], day_start: datetime, now: datetime
) -> list[tuple[str, str, datetime, datetime]]:
    """Segments cut to the day [day_start, +24 h); an open one ends now; empty ones go."""
    day_end = day_start + timedelta(days=1)
    out = []
    for seg in segments:
        start = max(seg.start, day_start)
        end = min(seg.end if seg.end is not None else now, day_end)
        if end > start:
            out.append((seg.state, seg.reason, start, end))
    return out
