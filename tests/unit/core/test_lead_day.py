"""Chart data in local time, timeline blocks clipped to the shift, and the CSV of a day."""

from __future__ import annotations

import datetime as dt
import errno
import os
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from homeagent.core import lead_comms as lc
from homeagent.core.agent_state import AgentState
from homeagent.core.lead_day import (
    ENGLISH_CSV,
    FRENCH_CSV,
    CsvLabels,
    clip_timeline,
    day_csv,
    hms,
    hour_bars,
    shift_window,
    write_atomic,
)
from homeagent.core.records import Breaks, Figures

PARIS = ZoneInfo("Europe/Paris")
DAY = dt.date(2026, 12, 1)


def _utc(h: int, m: int = 0, s: int = 0, day: dt.date = DAY) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(h, m, s), tzinfo=dt.UTC)


def _hours(**by_hour: int) -> list[int]:
    out = [0] * 24
    for key, value in by_hour.items():
        out[int(key[1:])] = value
    return out


def test_hour_bars_run_from_the_first_to_the_last_busy_hour_in_local_time() -> None:
    calls = _hours(h8=2, h11=1)
    handle: list[int | None] = [None] * 24
    handle[8], handle[11] = 300, 150
    bars = hour_bars(DAY, calls, handle, PARIS)
    assert [b.start_local.hour for b in bars] == [9, 10, 11, 12]  # UTC+1 in December
    assert [b.calls for b in bars] == [2, 0, 0, 1]
    assert bars[0].start_utc == _utc(8)
    assert bars[0].handle_s == 300
    assert bars[1].handle_s is None
    summer = hour_bars(dt.date(2026, 7, 1), calls, handle, PARIS)
    assert [b.start_local.hour for b in summer] == [10, 11, 12, 13]  # UTC+2


def test_hour_bars_follow_the_clock_across_a_dst_change() -> None:
    # 29 March 2026: 01:00 UTC is when Paris jumps from 02:00 to 03:00
    bars = hour_bars(dt.date(2026, 3, 29), _hours(h0=1, h1=1), [60] * 24, PARIS)
    assert [b.start_local.hour for b in bars] == [1, 3]


def test_hour_bars_cover_the_shift_and_are_empty_without_anything() -> None:
    span = (_utc(7, 30), _utc(16, 0))
    bars = hour_bars(DAY, _hours(h10=3), [None] * 24, PARIS, span=span)
    assert (bars[0].start_utc, bars[-1].start_utc) == (_utc(7), _utc(15))
    assert hour_bars(DAY, [0] * 24, [None] * 24, PARIS) == ()
    with pytest.raises(ValueError):
        hour_bars(DAY, [0] * 23, [None] * 24)


def _seg(state: AgentState, a: dt.datetime, b: dt.datetime, reason: str = "") -> lc.StateSegment:
    return lc.StateSegment(state, reason, a, b)


def _agent(name: str, timeline: list[lc.StateSegment], **kw: object) -> lc.DayAgent:
    figures = Figures(DAY, 2, 230, 60, Breaks(1, 900), 1, 0, 400, 460, 30)
    return lc.DayAgent(
        f"id-{name}", name.lower(), name, figures, tuple(_hours(h8=2)),
        tuple([None] * 8 + [230] + [None] * 15), tuple(timeline),
    )  # fmt: skip


def test_the_shift_window_leaves_the_night_out_and_rounds_to_hours() -> None:
    alice = _agent("Alice", [_seg(AgentState.OFFLINE, _utc(0), _utc(7, 50)),
                             _seg(AgentState.AVAILABLE, _utc(7, 50), _utc(12, 10)),
                             _seg(AgentState.OFFLINE, _utc(12, 10), _utc(23, 59))])  # fmt: skip
    bruno = _agent("Bruno", [_seg(AgentState.ON_CALL, _utc(9), _utc(14, 0))])
    assert shift_window([alice, bruno], DAY) == (_utc(7), _utc(14))
    assert shift_window([_agent("Nobody", [])], DAY) == (_utc(0), _utc(0, day=DAY.replace(day=2)))


def test_timeline_blocks_are_clipped_to_the_window_and_positioned() -> None:
    segments = [
        _seg(AgentState.OFFLINE, _utc(0), _utc(8)),
        _seg(AgentState.AVAILABLE, _utc(7, 30), _utc(9)),  # starts before the window
        _seg(AgentState.BREAK, _utc(9), _utc(9, 30), "Café"),
        _seg(AgentState.ON_CALL, _utc(9, 30), _utc(11)),  # ends after it
        _seg(AgentState.WRAP_UP, _utc(11), _utc(11, 5)),  # wholly outside
    ]
    blocks = clip_timeline(segments, _utc(8), _utc(10))
    assert [(b.state, b.start, b.end) for b in blocks] == [
        (AgentState.AVAILABLE, _utc(8), _utc(9)),
        (AgentState.BREAK, _utc(9), _utc(9, 30)),
        (AgentState.ON_CALL, _utc(9, 30), _utc(10)),
    ]
    assert [(b.x0, b.x1) for b in blocks] == [(0.0, 0.5), (0.5, 0.75), (0.75, 1.0)]
    assert blocks[1].reason == "Café"
    assert clip_timeline(segments, _utc(10), _utc(10)) == ()


LABELS = CsvLabels(
    figures_header=("Agent", "Appels traités", "Manqués", "Refusés", "Conversation",
                    "Post-appel", "Traitement", "DMT", "Post-appel moyen", "Pauses",
                    "Durée des pauses"),
    hours_header=("Agent", "Heure", "Appels", "DMT (min)"),
    timeline_header=("Agent", "État", "Motif", "Début", "Fin", "Durée"),
    team="Équipe",
    state_name=lambda s: {AgentState.AVAILABLE: "Disponible", AgentState.BREAK: "En pause"}[s],
)  # fmt: skip


def _report() -> lc.DayReport:
    agent = _agent(
        "Zoé; «=chef»",
        [_seg(AgentState.AVAILABLE, _utc(8), _utc(8, 5, 30)),
         _seg(AgentState.BREAK, _utc(8, 5, 30), _utc(9, 0), "=Café")],
    )  # fmt: skip
    handle: list[int | None] = [None] * 24
    handle[8] = 230
    team = lc.TeamDay(agent.figures, agent.calls_per_hour, tuple(handle))
    return lc.DayReport(DAY, (agent,), team)


def test_the_csv_of_a_day_in_french_format_byte_for_byte() -> None:
    data = day_csv(_report(), LABELS, FRENCH_CSV, PARIS)
    expected = (
        "\ufeffAgent;Appels traités;Manqués;Refusés;Conversation;Post-appel;Traitement;DMT;"
        "Post-appel moyen;Pauses;Durée des pauses\r\n"
        '"Zoé; «=chef»";2;1;0;0:06:40;0:01:00;0:07:40;0:03:50;0:00:30;1;0:15:00\r\n'
        "Équipe;2;1;0;0:06:40;0:01:00;0:07:40;0:03:50;0:00:30;1;0:15:00\r\n"
        "\r\n"
        "Agent;Heure;Appels;DMT (min)\r\n"
        '"Zoé; «=chef»";01/12/2026 09:00:00;2;3,8\r\n'
        "Équipe;01/12/2026 09:00:00;2;3,8\r\n"
        "\r\n"
        "Agent;État;Motif;Début;Fin;Durée\r\n"
        '"Zoé; «=chef»";Disponible;;01/12/2026 09:00:00;01/12/2026 09:05:30;0:05:30\r\n'
        '"Zoé; «=chef»";En pause;\'=Café;01/12/2026 09:05:30;01/12/2026 10:00:00;0:54:30\r\n'
    )
    assert data == expected.encode("utf-8")
    assert data.startswith(b"\xef\xbb\xbf")


def test_the_english_format_uses_commas_points_and_iso_dates() -> None:
    text = day_csv(_report(), LABELS, ENGLISH_CSV, PARIS).decode("utf-8-sig")
    lines = text.split("\r\n")
    assert lines[5] == "Zoé; «=chef»,2026-12-01 09:00:00,2,3.8"
    assert lines[9].startswith("Zoé; «=chef»,Disponible,,2026-12-01 09:00:00,")
    assert hms(3725) == "1:02:05"
    assert hms(-3) == "0:00:00"


def test_a_failed_write_leaves_no_partial_file_and_keeps_the_old_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "journee.csv"
    target.write_bytes(b"old export")
    real_fsync = os.fsync

    def full_disk(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full_disk)
    with pytest.raises(OSError) as err:
        write_atomic(target, b"x" * 10_000)
    assert err.value.errno == errno.ENOSPC
    assert target.read_bytes() == b"old export"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["journee.csv"]
    monkeypatch.setattr(os, "fsync", real_fsync)
    write_atomic(target, b"new export")
    assert target.read_bytes() == b"new export"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["journee.csv"]
