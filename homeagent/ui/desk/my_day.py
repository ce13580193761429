"""The agent's own figures for today: in the side panel's My day tab and on the idle view."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QGridLayout, QLabel, QWidget

from homeagent.core.desk_types import DayFigures
from homeagent.core.lead_comms import DayReport
from homeagent.core.supervision import DaySupervision
from homeagent.core.timefmt import format_duration
from homeagent.ui.desk.models import local_time
from homeagent.ui.qt.labels import supervision_mode_name

if TYPE_CHECKING:  # QtCharts is loaded when the tab is first shown (12 MB, 27 modules)
    from homeagent.ui.lead.charts import DayCharts


class MyDayTab(QWidget):
    """The agent's own figures for today."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        grid = QGridLayout(self)
        self._values: dict[str, QLabel] = {}
        names = (
            ("calls", self.tr("Calls handled")),
            ("aht", self.tr("Average handle time")),
            ("wrap", self.tr("Average wrap-up")),
            ("breaks", self.tr("Breaks")),
            ("missed", self.tr("Missed calls")),
        )
        for row, (key, title) in enumerate(names):
            caption = QLabel(title, self)
            caption.setProperty("role", "muted")
            value = QLabel("—", self)
            value.setObjectName("FigureValue")
            grid.addWidget(caption, row * 2, 0)
            grid.addWidget(value, row * 2 + 1, 0)
            self._values[key] = value
        self.unavailable = QLabel(self.tr("Figures unavailable: the server cannot be reached."))
        self.unavailable.setProperty("role", "muted")
        self.unavailable.setWordWrap(True)
        self.unavailable.setVisible(False)
        grid.addWidget(self.unavailable, len(names) * 2, 0)
        # today's supervision sessions (docs/supervision-contract.md): who, how, when
        self.supervisions_title = QLabel(self.tr("Supervision today"), self)
        self.supervisions_title.setProperty("role", "muted")
        self.supervisions = QLabel(self)
        self.supervisions.setObjectName("SupervisionsToday")
        self.supervisions.setTextFormat(Qt.TextFormat.PlainText)
        self.supervisions.setWordWrap(True)
        self.supervisions_title.setBuddy(self.supervisions)
        for widget in (self.supervisions_title, self.supervisions):
            widget.setVisible(False)
        grid.addWidget(self.supervisions_title, len(names) * 2 + 1, 0)
        grid.addWidget(self.supervisions, len(names) * 2 + 2, 0)
        grid.setRowStretch(len(names) * 2 + 3, 1)
        self._grid = grid
        self._charts_row = len(names) * 2 + 4
        self.charts: DayCharts | None = None  # made when a day is shown on screen
        self._day: tuple[DayReport | None, str] | None = None  # waits for the tab's show

    def show_figures(self, figures: DayFigures | None) -> None:
        """Show the figures; None (unavailable now) keeps the last ones, marked as such."""
        self.unavailable.setVisible(figures is None)
        if figures is None:
            return
        self._values["calls"].setText(str(figures.calls_handled))
        self._values["aht"].setText(format_duration(figures.avg_handle_s))
        self._values["wrap"].setText(format_duration(figures.avg_wrap_up_s))
        self._values["breaks"].setText(
            self.tr("{count} · {time}").format(
                count=figures.breaks_count, time=format_duration(figures.breaks_duration_s)
            )
        )
        self._values["missed"].setText(str(figures.missed))

    def show_supervisions(self, sessions: Sequence[DaySupervision]) -> None:
        """Today's supervision sessions, one line each ("10:42–10:47 · Claire Martin ·
        Écoute, Chuchotement"); none (or an older server's day): nothing shown."""
        lines = [self._supervision_line(s) for s in sessions]
        self.supervisions.setText("\n".join(lines))
        self.supervisions.setAccessibleName(
            self.tr("Supervision today: {sessions}").format(sessions="; ".join(lines))
        )
        for widget in (self.supervisions_title, self.supervisions):
            widget.setVisible(bool(lines))

    def _supervision_line(self, session: DaySupervision) -> str:
        start = local_time(session.started_at)
        if session.ended_at is not None:
            span = f"{start}–{local_time(session.ended_at)}"
        else:
            span = self.tr("{start} – in progress").format(start=start)
        modes = ", ".join(n for n in (supervision_mode_name(m) for m in session.modes) if n)
        parts = [span, session.lead_name, modes] if modes else [span, session.lead_name]
        return " · ".join(p for p in parts if p)

    def show_day(self, report: DayReport | None, agent_id: str) -> None:
        """The same charts as the lead's day view, for this agent (GET /agents/{id}/day,
        parsed by `homeagent.core.lead_comms.parse_day`); None hides them. Built when
        the tab is on screen (the charts' Qt module is loaded then, not at start)."""
        self._day = (report, agent_id)
        if self.isVisible():
            self._render_day()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._day is not None:
            self._render_day()

    def _render_day(self) -> None:
        assert self._day is not None
        (report, agent_id), self._day = self._day, None
        if report is None or report.agent(agent_id) is None:
            if self.charts is not None:
                self.charts.setVisible(False)
            return
        if self.charts is None:
            from homeagent.ui.lead.charts import DayCharts

            self.charts = DayCharts(self)
            self._grid.addWidget(self.charts, self._charts_row, 0)
        self.charts.show_agent(report, agent_id)
        self.charts.setVisible(True)
