"""The console's day view: the team's day or one agent's (the board's `day_requested`),
any day, with its figures, charts and timelines, and the CSV export.

Loads GET /teams/{id}/day on the net lane (it holds every agent, so switching to one
agent of the same day needs no new request); writes the CSV on the disk lane. Failures
are said in the status line; the last day shown stays on screen.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import QDate, QLocale, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from homeagent.core.lead_comms import DayReport
from homeagent.core.ports import LeadCommsApi
from homeagent.core.records import Figures
from homeagent.core.timefmt import format_duration
from homeagent.ui.lead.charts import DayCharts
from homeagent.ui.lead.comms_common import failure_text, utc_now
from homeagent.ui.lead.csv_export import FORMATS, default_file_name, export_day
from homeagent.ui.qt.tasks import TaskRunner

TEAM = ""
PathChooser = Callable[[str], Path | None]


class DayView(QWidget):
    """See the module docstring; `choose_path(default_name)` asks where to save (a file
    dialog by default; tests pass their own)."""

    def __init__(
        self,
        api: LeadCommsApi,
        net: TaskRunner,
        disk: TaskRunner,
        team_id: str,
        team_name: str = "",
        *,
        clock: Callable[[], dt.datetime] = utc_now,
        tz: dt.tzinfo | None = None,
        choose_path: PathChooser | None = None,
        refresh_after_ms: int = 10_000,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._api = api
        self._net = net
        self._disk = disk
        self._team_id = team_id
        self._team_name = team_name
        self._tz = tz
        self._choose_path = choose_path or self._ask_path
        self.report: DayReport | None = None
        self._clock = clock
        self._refresh = QTimer(self)
        self._refresh.setSingleShot(True)
        self._refresh.setInterval(refresh_after_ms)
        self._refresh.timeout.connect(self.load)
        self._scope = TEAM
        today = clock().astimezone(dt.UTC).date()
        self.day_edit = QDateEdit(QDate(today.year, today.month, today.day), self)
        self.day_edit.setCalendarPopup(True)
        self.day_edit.setDisplayFormat(QLocale().dateFormat(QLocale.FormatType.ShortFormat))
        self.day_edit.setMaximumDate(QDate(today.year, today.month, today.day))
        self.day_edit.setAccessibleName(self.tr("Day"))
        self.day_edit.dateChanged.connect(self._on_day_edit_date_changed)
        self.scope = QComboBox(self)
        self.scope.setAccessibleName(self.tr("Team or agent"))
        self.scope.addItem(self.tr("Whole team"), TEAM)
        self.scope.currentIndexChanged.connect(self._on_scope_changed)
        self.refresh_button = QPushButton(self.tr("Refresh"), self)
        self.refresh_button.clicked.connect(self.load)
        self.csv_format = QComboBox(self)
        self.csv_format.setAccessibleName(self.tr("CSV format"))
        self.csv_format.addItem(self.tr("CSV (French: ; and 1,5)"), "fr")
        self.csv_format.addItem(self.tr("CSV (English: , and 1.5)"), "en")
        self.export_button = QPushButton(self.tr("Export the day…"), self)
        self.export_button.clicked.connect(self.export)
        self.export_button.setEnabled(False)
        self.figures = QLabel(self)
        self.figures.setWordWrap(True)
        self.status = QLabel(self)
        self.status.setProperty("role", "muted")
        self.status.setWordWrap(True)
        self.charts = DayCharts(self, tz=tz)
        bar = QHBoxLayout()
        for widget in (self.day_edit, self.scope, self.refresh_button):
            bar.addWidget(widget)
        bar.addStretch(1)
        bar.addWidget(self.csv_format)
        bar.addWidget(self.export_button)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.charts)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.figures)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.status)

    # --- inputs -----------------------------------------------------------------------

    def set_agents(self, agents: Sequence[tuple[str, str]]) -> None:
        """The team's agents as (id, display name), for the scope list."""
        current = self._scope
        self.scope.blockSignals(True)
        self.scope.clear()
        self.scope.addItem(self.tr("Whole team"), TEAM)
        for agent_id, name in sorted(agents, key=lambda a: a[1].casefold()):
            self.scope.addItem(name, agent_id)
        self.scope.setCurrentIndex(max(0, self.scope.findData(current)))
        self.scope.blockSignals(False)

    def _today(self) -> dt.date:
        return self._clock().astimezone(dt.UTC).date()

    def day(self) -> dt.date:
        q = self.day_edit.date()
        return dt.date(q.year(), q.month(), q.day())

    def show_agent(self, agent_id: str) -> None:
        """The board's `day_requested(agent_id)`: that agent's day."""
        index = self.scope.findData(agent_id)
        if index < 0:
            self.scope.addItem(agent_id, agent_id)
            index = self.scope.count() - 1
        self.scope.setCurrentIndex(index)  # → _on_scope_changed
        if self.report is None or self.report.day != self.day():
            self.load()

    def show_team(self) -> None:
        self.scope.setCurrentIndex(0)

    def apply_event(self, event_type: str, data: object) -> bool:
        """A listener, never the event's owner (returns False: the board needs them too):
        while today is shown, `agent_figures` and `agent_state` bring a reload within
        `refresh_after_ms`, coalesced (one request however many events)."""
        today = self.day() == self._today()
        if (
            event_type in ("agent_figures", "agent_state")
            and today
            and not self._refresh.isActive()
        ):
            self._refresh.start()
        return False

    def load(self) -> None:
        """Fetch the chosen day of the team."""
        day = self.day()
        self.status.setText(self.tr("Loading the day…"))
        self._net.run(
            lambda: self._api.read_team_day(self._team_id, day), self._on_loaded, self._on_failed
        )

    # --- state ------------------------------------------------------------------------

    def _on_loaded(self, report: DayReport) -> None:
        if report.day != self.day():
            return  # an answer for a day the lead has left
        self.report = report
        for agent in report.agents:
            index = self.scope.findData(agent.agent_id)
            if index < 0:
                self.scope.addItem(agent.display_name, agent.agent_id)
            else:
                self.scope.setItemText(index, agent.display_name)
        self.status.setText("")
        self._render()

    def _on_failed(self, exc: BaseException) -> None:
        self.status.setText(self.tr("The day is unavailable: {why}").format(why=failure_text(exc)))
        # the charts still show the last day loaded (its date is in the figures line);
        # the export is of the day picked, so it waits for that day
        self.export_button.setEnabled(self.report is not None and self.report.day == self.day())

    def _figures_text(self, f: Figures) -> str:
        return self.tr(
            "{calls} calls handled · average handle {aht} · {missed} missed · "
            "breaks {breaks} ({break_time})"
        ).format(
            calls=f.calls_handled,
            aht=format_duration(f.avg_handle_s),
            missed=f.missed,
            breaks=f.breaks.count,
            break_time=format_duration(f.breaks.duration_s),
        )

    def _render(self) -> None:
        report = self.report
        self.export_button.setEnabled(report is not None)
        if report is None:
            return
        agent = report.agent(self._scope) if self._scope else None
        if self._scope and agent is None:
            self.figures.setText(self.tr("No figures for this agent on that day."))
            return
        day = QLocale().toString(
            QDate(report.day.year, report.day.month, report.day.day), QLocale.FormatType.ShortFormat
        )
        if agent is not None:
            self.charts.show_agent(report, agent.agent_id)
            text = f"{agent.display_name} — {self._figures_text(agent.figures)}"
        elif report.team is not None:
            self.charts.show_team(report)
            text = self._figures_text(report.team.figures)
        else:
            return
        self.figures.setText(self.tr("{day}: {figures}").format(day=day, figures=text))

    # --- export -----------------------------------------------------------------------

    def _ask_path(self, default_name: str) -> Path | None:
        start = str(Path.home() / default_name)
        title, kinds = self.tr("Export the day"), self.tr("CSV files (*.csv)")
        name, _ = QFileDialog.getSaveFileName(self, title, start, kinds)
        return Path(name) if name else None

    def export(self) -> None:
        """Ask where, then write the shown day (the team's, or one agent's) as CSV."""
        report = self.report
        if report is None:
            return
        if self._scope:
            agent = report.agent(self._scope)
            if agent is None:
                return
            report, scope_name = DayReport(report.day, (agent,), None), agent.display_name
        else:
            scope_name = self._team_name or self.tr("team")
        path = self._choose_path(default_file_name(report.day, scope_name))
        if path is None:
            return
        self.export_button.setEnabled(False)
        self.status.setText(self.tr("Exporting…"))
        fmt = FORMATS[str(self.csv_format.currentData())]
        export_day(self._disk, report, path, fmt, tz=self._tz, on_done=self._on_exported,
                   on_error=self._on_export_failed)  # fmt: skip

    def _on_exported(self, path: Path) -> None:
        self.export_button.setEnabled(True)
        self.status.setText(self.tr("Exported to {path}").format(path=str(path)))

    def _on_export_failed(self, exc: BaseException) -> None:
        self.export_button.setEnabled(True)
        reason = getattr(exc, "strerror", None) or str(exc)
        self.status.setText(self.tr("Not exported (no file was written): {why}").format(why=reason))

    # --- slots ------------------------------------------------------------------------

    def _on_scope_changed(self, index: int) -> None:
        self._scope = str(self.scope.itemData(index) or TEAM)
        self._render()

    def _on_day_edit_date_changed(self, _date: QDate) -> None:
        self.load()
