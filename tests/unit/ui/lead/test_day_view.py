"""The day view: charts in local hours from the server's UTC buckets, one timeline strip
per agent in the state colours, the agent's day from the board, the CSV export."""

from __future__ import annotations

import datetime as dt
import errno
import os
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtGui import QColor

from homeagent.core.agent_state import AgentState
from homeagent.core.lead_comms import parse_day
from homeagent.core.lead_day import HourBar
from homeagent.testing.fakes import FakeLeadComms
from homeagent.testing.lead_comms import sample_day
from homeagent.ui.lead.charts import DayCharts, block_text, hour_labels
from homeagent.ui.lead.day_view import DayView
from homeagent.ui.qt.dispatcher import Dispatcher
from homeagent.ui.qt.tasks import TaskRunner
from homeagent.ui.qt.theme import STATE_COLOURS
from tests.unit.ui.lead.conftest import FakeClock

PARIS = ZoneInfo("Europe/Paris")
DAY = dt.date(2026, 12, 1)


@pytest.fixture
def disk(qapp):  # type: ignore[no-untyped-def]
    runner = TaskRunner(Dispatcher(), "disk")
    yield runner
    runner.close()


@pytest.fixture
def view(qtbot, server: FakeLeadComms, net: TaskRunner, disk: TaskRunner, clock: FakeClock,  # type: ignore[no-untyped-def]
         tmp_path: Path) -> DayView:  # fmt: skip
    server.set_day("team", server.team_id, DAY, sample_day(DAY))
    target = tmp_path / "export.csv"
    v = DayView(server, net, disk, server.team_id, "Service client", clock=clock, tz=PARIS,
                choose_path=lambda name: target)  # fmt: skip
    v.set_agents([("a-1", "Alice Martin"), ("a-2", "Bruno Petit")])
    qtbot.addWidget(v)
    v.resize(1100, 800)
    v.show()
    v.load()
    qtbot.waitUntil(lambda: v.report is not None, timeout=3000)
    return v


def test_the_team_day_shows_local_hours_and_a_strip_per_agent(view: DayView) -> None:
    assert view.report is not None
    team = view.report.team
    assert team is not None
    calls = view.charts.calls
    # server buckets 07..12 UTC (with the shift's span) are 08:00..13:00 in Paris in December
    assert calls.labels[0] == "08:00"
    assert calls.values == [team.calls_per_hour[h] for h in range(7, 7 + len(calls.values))]
    assert sum(calls.values) == sum(team.calls_per_hour) == 24
    assert view.charts.handle.points[0] == (0, team.handle_by_hour[7] / 60)  # type: ignore[operator]
    assert set(view.charts.strips) == {"a-1", "a-2"}
    blocks = view.charts.strips["a-1"].blocks
    assert blocks[0].x0 == 0.0
    assert blocks[-1].x1 <= 1.0
    assert any(b.state is AgentState.BREAK and b.reason == "Café" for b in blocks)
    assert view.figures.text().endswith(": 24 calls handled · average handle 06:15 · 1 missed · "
                                        "breaks 2 (30:00)")  # fmt: skip


def test_the_strip_paints_the_state_colours(view: DayView) -> None:
    strip = view.charts.strips["a-2"]
    image = strip.grab().toImage()
    y = 2  # above the state's mark in the middle
    for block in strip.blocks:
        if (block.x1 - block.x0) * strip.width() < 6:
            continue
        x = int((block.x0 + block.x1) / 2 * strip.width())
        pixel = image.pixelColor(x, y)
        assert pixel == QColor(STATE_COLOURS[block.state].fill), block
    brk = next(b for b in strip.blocks if b.state is AgentState.BREAK)
    assert block_text(brk, PARIS).startswith("Break — Café · ")
    assert strip.block_at((brk.x0 + brk.x1) / 2 * strip.width()) == brk


def test_the_boards_day_request_shows_one_agent_without_a_new_request(view, server) -> None:  # type: ignore[no-untyped-def]
    before = len(server.calls)
    view.show_agent("a-2")
    assert len(server.calls) == before
    assert list(view.charts.strips) == ["a-2"]
    assert ": Bruno Petit — 12 calls handled" in view.figures.text()
    assert sum(view.charts.calls.values) == 12
    view.show_team()
    assert set(view.charts.strips) == {"a-1", "a-2"}


def test_another_day_is_loaded_and_a_missing_one_says_so(qtbot, view, server) -> None:  # type: ignore[no-untyped-def]
    view.day_edit.setDate(view.day_edit.date().addDays(-1))
    qtbot.waitUntil(lambda: view.status.text().startswith("The day is unavailable"), timeout=3000)
    assert view.report is not None
    assert view.report.day == DAY  # the last day shown stays, with its date
    assert not view.export_button.isEnabled()  # but the export waits for the day picked
    view.day_edit.setDate(view.day_edit.date().addDays(1))
    qtbot.waitUntil(lambda: view.export_button.isEnabled(), timeout=3000)


def test_a_day_requested_before_the_roster_names_the_agent_when_loaded(
    qtbot, server, net, disk, clock
) -> None:  # type: ignore[no-untyped-def]
    server.set_day("team", server.team_id, DAY, sample_day(DAY))
    view = DayView(server, net, disk, server.team_id, clock=clock, tz=PARIS)
    qtbot.addWidget(view)
    view.show_agent("a-2")
    qtbot.waitUntil(lambda: view.report is not None, timeout=3000)
    assert view.scope.currentText() == "Bruno Petit"
    assert list(view.charts.strips) == ["a-2"]


def test_the_export_writes_the_french_csv(qtbot, view, tmp_path) -> None:  # type: ignore[no-untyped-def]
    view.export_button.click()
    qtbot.waitUntil(lambda: view.status.text().startswith("Exported to"), timeout=3000)
    data = (tmp_path / "export.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbfAgent;Calls handled;Missed;")
    text = data.decode("utf-8-sig")
    assert "\r\nAlice Martin;12;0;0;" in text
    assert ";01/12/2026 08:" in text  # local time, French dates
    assert "Break;Café;" in text
    view.csv_format.setCurrentIndex(1)
    view.show_agent("a-1")
    view.export_button.click()
    qtbot.waitUntil(lambda: view.export_button.isEnabled(), timeout=3000)
    text = (tmp_path / "export.csv").read_text(encoding="utf-8-sig")
    assert text.startswith("Agent,Calls handled,")
    assert "Bruno" not in text
    assert "2026-12-01 08:" in text


def test_a_failed_export_leaves_no_file(qtbot, view, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    def full_disk(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full_disk)
    view.export_button.click()
    qtbot.waitUntil(lambda: view.export_button.isEnabled(), timeout=3000)
    assert view.status.text() == "Not exported (no file was written): No space left on device"
    assert list(tmp_path.iterdir()) == []


def test_my_day_can_embed_the_same_charts_for_one_agent(qtbot) -> None:  # type: ignore[no-untyped-def]
    report = parse_day({**sample_day(DAY), "team": None})
    charts = DayCharts(tz=PARIS)
    qtbot.addWidget(charts)
    charts.show_agent(report, "a-1")
    assert list(charts.strips) == ["a-1"]
    assert sum(charts.calls.values) == 12
    with pytest.raises(ValueError):
        charts.show_team(report)


def test_a_repeated_local_hour_keeps_distinct_labels() -> None:
    # 25 October 2026: 00:00 and 01:00 UTC are both 02:00 in Paris
    def bar(h: int) -> HourBar:
        start = dt.datetime(2026, 10, 25, h, tzinfo=dt.UTC)
        return HourBar(start, start.astimezone(PARIS), 1, None)

    assert hour_labels([bar(0), bar(1), bar(2)]) == ["02:00", "02:00′", "03:00"]


def test_todays_figures_events_bring_one_coalesced_reload(qtbot, server, net, disk, clock) -> None:  # type: ignore[no-untyped-def]
    server.set_day("team", server.team_id, DAY, sample_day(DAY))
    view = DayView(server, net, disk, server.team_id, clock=clock, tz=PARIS, refresh_after_ms=50)
    qtbot.addWidget(view)
    for _ in range(20):
        assert not view.apply_event("agent_figures", {"agent_id": "a-1", "today": {}})
    view.apply_event("agent_state", {"agent_id": "a-2"})
    assert not view.apply_event("message", {})
    qtbot.waitUntil(lambda: view.report is not None, timeout=3000)
    qtbot.wait(150)
    assert server.calls.count(f"GET /teams/{server.team_id}/day") == 1
    view.day_edit.setDate(view.day_edit.date().addDays(-1))  # another day: no reload
    qtbot.waitUntil(lambda: server.calls.count(f"GET /teams/{server.team_id}/day") == 2)
    view.apply_event("agent_figures", {"agent_id": "a-1", "today": {}})
    qtbot.wait(150)
    assert server.calls.count(f"GET /teams/{server.team_id}/day") == 2
