"""The day in pictures: calls per hour (bars), handle-time trend (line), and a state
timeline strip per agent in the state colours — for the team or for one agent.

QtCharts (PySide6-Addons, already shipped for Qt Multimedia) draws the two charts; the
timeline is painted by hand (a Gantt strip is a row of rectangles, and it must use
exactly the presence button's colours). Why QtCharts and not pyqtgraph: see
docs/lead-charts.md (measured: +12 MB RSS and ~50 ms to build and show both charts,
against +69 MB and ~350 ms for pyqtgraph, which also pulls numpy into the installer).

`DayCharts` is the one widget both the console's day view and the agent's "Ma journée"
embed: `show_team(report)` / `show_agent(report, agent_id)` with a parsed
`homeagent.core.lead_comms.DayReport`. Hours are local (`tz`, default the system's).
"""

from __future__ import annotations

import datetime as dt
import html
import math
from collections.abc import Sequence

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QLineSeries,
    QScatterSeries,
    QValueAxis,
)
from PySide6.QtCore import QLocale, QMargins, QPoint, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QGuiApplication, QHelpEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import QGridLayout, QLabel, QSizePolicy, QToolTip, QVBoxLayout, QWidget

from homeagent.core.agent_state import AgentState
from homeagent.core.lead_comms import DayAgent, DayReport
from homeagent.core.lead_day import (
    HourBar,
    TimelineBlock,
    clip_timeline,
    hour_bars,
    shift_window,
    to_local,
)
from homeagent.core.timefmt import format_duration
from homeagent.ui.qt.labels import state_name
from homeagent.ui.qt.theme import STATE_COLOURS, theme_tokens


def _dark() -> bool:
    return QGuiApplication.palette().window().color().lightness() < 128


def hour_labels(bars: Sequence[HourBar]) -> list[str]:
    """ "09:00"… in local time; a repeated hour (the autumn DST change) gets a mark, as
    a category axis needs distinct names."""
    out: list[str] = []
    for bar in bars:
        label = bar.start_local.strftime("%H:%M")
        while label in out:
            label += "′"
        out.append(label)
    return out


class _Chart(QChartView):
    """A chart view in the app's theme, with its numbers readable by a screen reader."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._title = title
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setMinimumHeight(170)
        self.setAccessibleName(title)
        self._fresh_chart()

    def _fresh_chart(self) -> QChart:
        chart = QChart()
        chart.setTheme(
            QChart.ChartTheme.ChartThemeDark if _dark() else QChart.ChartTheme.ChartThemeLight
        )
        chart.setTitle(self._title)
        chart.legend().setVisible(False)
        chart.setMargins(QMargins(4, 4, 4, 4))
        chart.setBackgroundRoundness(0)
        chart.setLocalizeNumbers(True)  # "6,5" in French
        chart.setLocale(QLocale())
        self.setChart(chart)
        return chart

    def _axes(
        self, chart: QChart, labels: list[str], top: float, fmt: str
    ) -> tuple[QBarCategoryAxis, QValueAxis]:
        x = QBarCategoryAxis()
        x.append(labels)
        x.setLabelsAngle(-60 if len(labels) > 12 else 0)
        y = QValueAxis()
        y.setRange(0, top)
        y.setLabelFormat(fmt)
        chart.addAxis(x, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(y, Qt.AlignmentFlag.AlignLeft)
        return x, y


class CallsPerHourChart(_Chart):
    """Handled calls per local hour, as bars."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Calls per hour"), parent)
        self.values: list[int] = []
        self.labels: list[str] = []

    def set_bars(self, bars: Sequence[HourBar]) -> None:
        chart = self._fresh_chart()
        self.values = [b.calls for b in bars]
        self.labels = hour_labels(bars)
        if not bars:
            chart.setTitle(self.tr("Calls per hour: no call yet"))
            self.setAccessibleDescription(chart.title())
            return
        bar_set = QBarSet(self.tr("Calls"))
        bar_set.append([float(v) for v in self.values])
        bar_set.setColor(QColor(theme_tokens(_dark())["accent"]))
        series = QBarSeries()
        series.append(bar_set)
        series.setLabelsVisible(True)
        series.setLabelsPosition(QBarSeries.LabelsPosition.LabelsInsideEnd)
        bar_set.setLabelColor(QColor("#FFFFFF"))
        chart.addSeries(series)
        step = max(1, math.ceil(max(self.values) / 5))  # whole calls on the axis
        ticks = math.ceil((max(self.values) + 1) / step)
        x, y = self._axes(chart, self.labels, float(step * ticks), "%.0f")
        y.setTickCount(ticks + 1)
        series.attachAxis(x)
        series.attachAxis(y)
        self.setAccessibleDescription(
            ", ".join(f"{label}: {v}" for label, v in zip(self.labels, self.values, strict=True))
        )


class HandleTrendChart(_Chart):
    """Mean handle time per local hour (minutes), as a line; hours without a call are
    left out of the line rather than drawn as zero."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Average handle time (min)"), parent)
        self.points: list[tuple[int, float]] = []  # (bar index, minutes)
        self.labels: list[str] = []

    def set_bars(self, bars: Sequence[HourBar]) -> None:
        chart = self._fresh_chart()
        self.labels = hour_labels(bars)
        self.points = [(i, b.handle_s / 60) for i, b in enumerate(bars) if b.handle_s is not None]
        if not self.points:
            chart.setTitle(self.tr("Average handle time: no call yet"))
            self.setAccessibleDescription(chart.title())
            return
        colour = QColor(theme_tokens(_dark())["wrap_fg"])
        line, dots = QLineSeries(), QScatterSeries()
        for i, minutes in self.points:
            line.append(QPointF(i, minutes))
            dots.append(QPointF(i, minutes))
        line.setColor(colour)
        dots.setColor(colour)
        dots.setMarkerSize(7.0)
        chart.addSeries(line)
        chart.addSeries(dots)
        top = max(m for _, m in self.points)
        x, y = self._axes(chart, self.labels, max(1.0, top * 1.2), "%.1f")
        for series in (line, dots):
            series.attachAxis(x)
            series.attachAxis(y)
        self.setAccessibleDescription(
            ", ".join(f"{self.labels[i]}: {format_duration(m * 60)}" for i, m in self.points)
        )


def block_text(block: TimelineBlock, tz: dt.tzinfo | None) -> str:
    """ "Break — Café · 10:10–10:25 (15:00)" for a tooltip or a screen reader."""
    name = state_name(block.state)
    if block.reason:
        name = f"{name} — {block.reason}"
    start, end = to_local(block.start, tz), to_local(block.end, tz)
    length = format_duration((block.end - block.start).total_seconds())
    return f"{name} · {start:%H:%M}–{end:%H:%M} ({length})"


class TimelineStrip(QWidget):
    """One agent's states across the window, in the presence button's colours."""

    def __init__(self, parent: QWidget | None = None, *, tz: dt.tzinfo | None = None) -> None:
        super().__init__(parent)
        self.blocks: tuple[TimelineBlock, ...] = ()
        self._tz = tz
        self.setMinimumHeight(22)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMouseTracking(True)

    def sizeHint(self) -> QSize:
        return QSize(400, 24)

    def set_blocks(self, blocks: tuple[TimelineBlock, ...], name: str = "") -> None:
        self.blocks = blocks
        self.setAccessibleName(self.tr("States of {name}").format(name=name) if name else "")
        self.setAccessibleDescription("; ".join(block_text(b, self._tz) for b in blocks))
        self.update()

    def block_at(self, x: float) -> TimelineBlock | None:
        fraction = x / max(1, self.width())
        return next((b for b in self.blocks if b.x0 <= fraction < b.x1), None)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        width, height = float(self.width()), float(self.height())
        painter.fillRect(QRectF(0, 0, width, height), QColor(theme_tokens(_dark())["line"]))
        for block in self.blocks:
            colour = STATE_COLOURS[block.state]
            rect = QRectF(block.x0 * width, 0, max(1.0, (block.x1 - block.x0) * width), height)
            painter.fillRect(rect, QColor(colour.fill))
            if rect.width() > 18 and colour.mark:  # the state's mark: never colour alone
                painter.setPen(QColor(colour.text))
                painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, colour.mark)
        painter.end()

    def event(self, e: object) -> bool:
        if isinstance(e, QHelpEvent) and e.type() == QHelpEvent.Type.ToolTip:
            block = self.block_at(e.pos().x())
            if block is None:
                QToolTip.hideText()
            else:
                QToolTip.showText(e.globalPos(), block_text(block, self._tz), self)
            return True
        return super().event(e)  # type: ignore[arg-type]


class HourAxis(QWidget):
    """The hour ticks under the timeline strips (local time)."""

    def __init__(self, parent: QWidget | None = None, *, tz: dt.tzinfo | None = None) -> None:
        super().__init__(parent)
        self._tz = tz
        self.span: tuple[dt.datetime, dt.datetime] | None = None
        self.setMinimumHeight(18)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_window(self, start: dt.datetime, end: dt.datetime) -> None:
        self.span = (start, end)
        self.update()

    def ticks(self) -> list[tuple[float, str]]:
        """(fraction, local "HH h") for each whole hour of the window."""
        if self.span is None:
            return []
        start, end = self.span
        total = (end - start).total_seconds()
        step = 1 if total <= 12 * 3600 else 2
        out, moment = [], start.replace(minute=0, second=0, microsecond=0)
        while moment <= end:
            if moment >= start:
                out.append(
                    ((moment - start).total_seconds() / total, f"{to_local(moment, self._tz):%H} h")
                )
            moment += dt.timedelta(hours=step)
        return out

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setPen(QColor(theme_tokens(_dark())["muted_fg"]))
        width = self.width()
        for fraction, label in self.ticks():
            x = int(fraction * width)
            painter.drawLine(QPoint(x, 0), QPoint(x, 4))
            left = min(max(0, x - 20), width - 40)  # the first and last labels stay inside
            box = QRectF(left, 4, 40, self.height() - 4)
            painter.drawText(box, Qt.AlignmentFlag.AlignCenter, label)
        painter.end()


LEGEND_STATES = (
    AgentState.AVAILABLE,
    AgentState.ON_CALL,
    AgentState.WRAP_UP,
    AgentState.BREAK,
    AgentState.NOT_READY,
    AgentState.OFFLINE,
)


def state_legend() -> str:
    """The timeline's key: each state's colour, mark and name (rich text)."""
    parts = []
    for state in LEGEND_STATES:
        colour = STATE_COLOURS[state]
        swatch = (f'<span style="background-color:{colour.fill}; color:{colour.text}">'
                  f"&nbsp;{html.escape(colour.mark)}&nbsp;</span>")  # fmt: skip
        parts.append(f"{swatch}&nbsp;{html.escape(state_name(state))}")
    return " &nbsp; ".join(parts)


class DayCharts(QWidget):
    """Bars, trend and timelines of one day, for the team or one agent (module doc)."""

    def __init__(self, parent: QWidget | None = None, *, tz: dt.tzinfo | None = None) -> None:
        super().__init__(parent)
        self._tz = tz
        self.calls = CallsPerHourChart(self)
        self.handle = HandleTrendChart(self)
        self.timeline_title = QLabel(self.tr("States across the shift"), self)
        self.timeline_title.setProperty("role", "muted")
        self.legend = QLabel(state_legend(), self)
        self.legend.setTextFormat(Qt.TextFormat.RichText)
        self.legend.setWordWrap(True)
        self._lines = QWidget(self)
        self._grid = QGridLayout(self._lines)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setVerticalSpacing(4)
        self.strips: dict[str, TimelineStrip] = {}
        self.axis = HourAxis(self, tz=tz)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.calls, 3)
        layout.addWidget(self.handle, 2)
        layout.addWidget(self.timeline_title)
        layout.addWidget(self._lines)
        layout.addWidget(self.legend)

    def show_team(self, report: DayReport) -> None:
        """The team's bars and trend, one timeline strip per agent."""
        if report.team is None:
            raise ValueError("an agent's day has no team part: use show_agent")
        self._show(report, report.team.calls_per_hour, report.team.handle_by_hour, report.agents)

    def show_agent(self, report: DayReport, agent_id: str) -> None:
        """One agent's bars, trend and timeline (the console's day view, "Ma journée")."""
        agent = report.agent(agent_id)
        if agent is None:
            raise KeyError(agent_id)
        self._show(report, agent.calls_per_hour, agent.handle_by_hour, (agent,))

    def _show(self, report: DayReport, calls: Sequence[int], handle: Sequence[int | None],
              agents: Sequence[DayAgent]) -> None:  # fmt: skip
        start, end = shift_window(agents, report.day)
        bars = hour_bars(report.day, calls, handle, self._tz, span=(start, end))
        self.calls.set_bars(bars)
        self.handle.set_bars(bars)
        while self._grid.count():
            item = self._grid.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None and widget is not self.axis:
                widget.deleteLater()
        self.strips = {}
        for row, agent in enumerate(agents):
            name = QLabel(agent.display_name, self._lines)
            strip = TimelineStrip(self._lines, tz=self._tz)
            strip.set_blocks(clip_timeline(agent.timeline, start, end), agent.display_name)
            self._grid.addWidget(name, row, 0)
            self._grid.addWidget(strip, row, 1)
            self.strips[agent.agent_id] = strip
        self.axis.set_window(start, end)
        self._grid.addWidget(self.axis, len(agents), 1)
        self._grid.setColumnStretch(1, 1)
