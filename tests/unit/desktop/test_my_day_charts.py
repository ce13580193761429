"""The agent's "Ma journée" shows the day's charts from the server (GET /agents/{id}/day)."""

from __future__ import annotations

from pathlib import Path

from homeagent.testing.device import FakeDevice
from tests.unit.desktop.conftest import running_session


def test_my_day_shows_the_agent_s_charts_and_hides_them_when_unavailable(
    qtbot, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    device = FakeDevice(data_dir=tmp_path, enrolled=True)
    with running_session(qtbot, device, tmp_path / "events.jsonl") as session:
        my_day = session.window.side.my_day
        session.window.side.setCurrentWidget(my_day)  # the charts are made on screen
        qtbot.waitUntil(lambda: my_day.charts is not None and my_day.charts.isVisibleTo(my_day))
        my_day.show_day(None, "")
        assert my_day.charts is not None
        assert not my_day.charts.isVisibleTo(my_day)
