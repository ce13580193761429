"""A day's figures as the console draws and exports them: hour bars in local time, state
timeline blocks clipped to the shift, and the CSV of the day (written atomically).

The server buckets calls by UTC hour of a UTC day (docs/lead-contract.md, "Days"); the
lead reads local hours. Each bucket is shifted on its own (`start_utc.astimezone(tz)`), so
a day across a daylight-saving change shows the hour twice or skips it as the clock did.
Qt-free: the widgets in `homeagent.ui.lead` and the tests both use it.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import os
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from homeagent.core.agent_state import AgentState
from homeagent.core.lead_comms import HOURS, DayAgent, DayReport, StateSegment
from homeagent.core.records import Figures


def to_local(moment: dt.datetime, tz: dt.tzinfo | None = None) -> dt.datetime:
    """`moment` in `tz`, or in the system's local time (with its DST rules) when None."""
    return moment.astimezone(tz) if tz is not None else moment.astimezone()


# --- hour bars ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HourBar:
    """One UTC hour bucket of the server, with its local start for the axis."""

    start_utc: dt.datetime
    start_local: dt.datetime
    calls: int
    handle_s: int | None  # mean handle seconds of those calls; None without a call


def hour_bars(
    day: dt.date,
    calls_per_hour: Sequence[int],
    handle_by_hour: Sequence[int | None],
    tz: dt.tzinfo | None = None,
    *,
    span: tuple[dt.datetime, dt.datetime] | None = None,
) -> tuple[HourBar, ...]:
    """The hours from the first to the last with a call (widened to cover `span`, the
    shift's stretch); () with neither."""
    if len(calls_per_hour) != HOURS or len(handle_by_hour) != HOURS:
        raise ValueError("a day has 24 hour buckets")
    midnight = dt.datetime.combine(day, dt.time(0), tzinfo=dt.UTC)
    used = [h for h in range(HOURS) if calls_per_hour[h] > 0]
    if span is not None and span[1] > span[0]:
        first = int((span[0] - midnight).total_seconds() // 3600)
        last = int(((span[1] - midnight).total_seconds() - 1) // 3600)
        used += [max(0, min(HOURS - 1, first)), max(0, min(HOURS - 1, last))]
    if not used:
        return ()
    bars = []
    for h in range(min(used), max(used) + 1):
        start = midnight + dt.timedelta(hours=h)
        bars.append(HourBar(start, to_local(start, tz), calls_per_hour[h], handle_by_hour[h]))
    return tuple(bars)


# --- timeline -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TimelineBlock:
    """A segment clipped to the drawn window, as fractions of its width (0..1)."""

    state: AgentState
    reason: str
    start: dt.datetime
    end: dt.datetime
    x0: float
    x1: float


def shift_window(agents: Sequence[DayAgent], day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The stretch worth drawing: from the first hour someone was signed in to the end of
    the last hour someone was (offline before and after is the night); the whole day when
    nobody was."""
    spans = [
        (s.start, s.end)
        for a in agents
        for s in a.timeline
        if s.state is not AgentState.OFFLINE and s.end > s.start
    ]
    midnight = dt.datetime.combine(day, dt.time(0), tzinfo=dt.UTC)
    if not spans:
        return midnight, midnight + dt.timedelta(days=1)
    start = min(s for s, _ in spans).replace(minute=0, second=0, microsecond=0)
    end = max(e for _, e in spans)
    if end != end.replace(minute=0, second=0, microsecond=0):
        end = end.replace(minute=0, second=0, microsecond=0) + dt.timedelta(hours=1)
    return start, end


def clip_timeline(
    segments: Sequence[StateSegment], start: dt.datetime, end: dt.datetime
) -> tuple[TimelineBlock, ...]:
    """The segments' parts inside [start, end), positioned; empty parts dropped."""
    width = (end - start).total_seconds()
    if width <= 0:
        return ()
    blocks = []
    for seg in segments:
        a, b = max(seg.start, start), min(seg.end, end)
        if b <= a:
            continue
        blocks.append(
            TimelineBlock(
                seg.state,
                seg.reason,
                a,
                b,
                (a - start).total_seconds() / width,
                (b - start).total_seconds() / width,
            )
        )
    return tuple(blocks)


# --- CSV ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CsvFormat:
    separator: str
    decimal: str
    moment_format: str  # strftime of a local time
    bom: bool = True  # Excel reads UTF-8 only after a byte-order mark


FRENCH_CSV = CsvFormat(";", ",", "%d/%m/%Y %H:%M:%S")
ENGLISH_CSV = CsvFormat(",", ".", "%Y-%m-%d %H:%M:%S")


@dataclass(frozen=True, slots=True)
class CsvLabels:
    """The words of the export, in the UI language (the UI passes them translated)."""

    figures_header: tuple[str, ...]  # agent + the 10 figures of `_figure_cells`
    hours_header: tuple[str, ...]  # agent, hour, calls, mean handle (min)
    timeline_header: tuple[str, ...]  # agent, state, reason, start, end, duration
    team: str  # the name of the team's total line
    state_name: Callable[[AgentState], str]


def hms(seconds: float) -> str:
    """h:mm:ss always (Excel reads "05:30" as five hours and a half)."""
    total = max(0, round(seconds))
    hours, rest = divmod(total, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}"


def _decimal(value: float, places: int, fmt: CsvFormat) -> str:
    return f"{value:.{places}f}".replace(".", fmt.decimal)


def _text(value: str) -> str:
    # a cell Excel would run as a formula (names and reasons are typed by people)
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _figure_cells(f: Figures) -> list[str]:
    return [
        str(f.calls_handled),
        str(f.missed),
        str(f.declined),
        hms(f.talk_s),
        hms(f.wrap_up_s),
        hms(f.handle_s),
        hms(f.avg_handle_s),
        hms(f.avg_wrap_up_s),
        str(f.breaks.count),
        hms(f.breaks.duration_s),
    ]


def day_csv(
    report: DayReport,
    labels: CsvLabels,
    fmt: CsvFormat = FRENCH_CSV,
    tz: dt.tzinfo | None = None,
) -> bytes:
    """The day as CSV bytes: per-agent figures (and the team's total), calls and mean
    handle time per local hour, then every state segment; blocks split by an empty line."""
    out = io.StringIO()
    w = csv.writer(out, delimiter=fmt.separator, lineterminator="\r\n")

    def moment(t: dt.datetime) -> str:
        return to_local(t, tz).strftime(fmt.moment_format)

    w.writerow(labels.figures_header)
    for agent in report.agents:
        w.writerow([_text(agent.display_name), *_figure_cells(agent.figures)])
    if report.team is not None:
        w.writerow([_text(labels.team), *_figure_cells(report.team.figures)])
    w.writerow([])
    w.writerow(labels.hours_header)
    rows: list[tuple[str, tuple[int, ...], tuple[int | None, ...]]] = [
        (a.display_name, a.calls_per_hour, a.handle_by_hour) for a in report.agents
    ]
    if report.team is not None:
        rows.append((labels.team, report.team.calls_per_hour, report.team.handle_by_hour))
    for name, calls, handle in rows:
        for bar in hour_bars(report.day, calls, handle, tz):
            if bar.calls == 0:
                continue
            mean = "" if bar.handle_s is None else _decimal(bar.handle_s / 60, 1, fmt)
            w.writerow([_text(name), moment(bar.start_utc), str(bar.calls), mean])
    w.writerow([])
    w.writerow(labels.timeline_header)
    for agent in report.agents:
        for seg in agent.timeline:
            w.writerow(
                [
                    _text(agent.display_name),
                    labels.state_name(seg.state),
                    _text(seg.reason),
                    moment(seg.start),
                    moment(seg.end),
                    hms((seg.end - seg.start).total_seconds()),
                ]
            )
    text = out.getvalue()
    return (b"\xef\xbb\xbf" if fmt.bom else b"") + text.encode("utf-8")


def write_atomic(path: Path, data: bytes) -> None:
    """Write `data` to `path` whole or not at all: a temporary file beside it, flushed to
    disk, then renamed over it; on any failure (a full disk) the temporary file goes and
    an older file at `path` stays as it was."""
    path = Path(path)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
