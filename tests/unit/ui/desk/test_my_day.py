"""'Ma journée' shows the server's figures under the right captions."""

from __future__ import annotations

import datetime as dt

from homeagent.core.desk_types import DayFigures
from homeagent.core.lead_comms import parse_day
from homeagent.testing.lead_comms import sample_day
from homeagent.ui.desk.side_panel import MyDayTab


def test_average_wrap_up_is_the_average_not_the_day_s_total(qtbot) -> None:
    tab = MyDayTab()
    qtbot.addWidget(tab)
    tab.show_figures(
        DayFigures(calls_handled=3, avg_handle_s=260, wrap_up_s=180, breaks_count=1,
                   breaks_duration_s=1800, missed=4, avg_wrap_up_s=60)
    )  # fmt: skip
    values = tab._values
    assert values["calls"].text() == "3"
    assert values["aht"].text() == "04:20"
    assert values["wrap"].text() == "01:00"  # 180 s over 3 calls, never above the AHT
    assert values["breaks"].text() == "1 · 30:00"
    assert values["missed"].text() == "4"


def test_my_day_shows_the_same_charts_as_the_lead_for_one_agent(qtbot) -> None:  # type: ignore[no-untyped-def]
    day = dt.date(2026, 12, 1)
    report = parse_day({**sample_day(day, (("a-1", "alice", "Alice Martin"),)), "team": None})
    tab = MyDayTab()
    qtbot.addWidget(tab)
    assert tab.charts is None  # nothing built before there is a day to show
    tab.show_day(report, "a-1")
    assert tab.charts is None  # nor before the tab is on screen (QtCharts loads then)
    tab.show()
    assert tab.charts is not None
    assert list(tab.charts.strips) == ["a-1"]
    assert sum(tab.charts.calls.values) == 12
    tab.show_day(None, "a-1")
    assert not tab.charts.isVisibleTo(tab)
