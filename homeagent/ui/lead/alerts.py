"""Today's alerts: open ones first, highlighted until acknowledged; a desktop notification
for each new one, never a dialog and never the focus.

The server evaluates the alerts (docs/lead-contract.md, "Alerts") so every lead of the
team sees the same ones; this panel loads today's (GET /teams/{id}/alerts?day=) and
follows `alert` (raised) and `alert_updated` (acknowledged or cleared). "Acknowledge"
is POST /alerts/{id}/ack (audited by the server). The notification goes through the
`notify(title, text)` the composition passes (the app's `Notifier.notify`, which raises
the window without activating it); an alert replayed after a reconnect is not notified
twice.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QLocale, Qt, Signal
from PySide6.QtGui import QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from homeagent.core.lead_comms import Alert
from homeagent.core.ports import LeadCommsApi
from homeagent.core.timefmt import format_duration
from homeagent.ui.lead.comms_common import (
    clock_text,
    failure_text,
    highlight_brush,
    read_event,
    row_table,
    utc_now,
)
from homeagent.ui.qt.tasks import TaskRunner

COL_TIME, COL_AGENT, COL_ALERT, COL_STATE, COL_ACK = range(5)
AlertKey = int | str


def kind_label(kind: str) -> str:
    """The alert's name in the UI language (never its code)."""
    return {
        "break_over": QCoreApplication.translate("Alerts", "Long break"),
        "call_over": QCoreApplication.translate("Alerts", "Long call"),
        "wrap_up_over": QCoreApplication.translate("Alerts", "Wrap-up overrun"),
        "missed_in_row": QCoreApplication.translate("Alerts", "Missed calls in a row"),
        "no_break": QCoreApplication.translate("Alerts", "No break for a long time"),
        "mos_under": QCoreApplication.translate("Alerts", "Poor call quality"),
        "help_waiting": QCoreApplication.translate("Alerts", "Help request waiting"),
    }.get(kind, QCoreApplication.translate("Alerts", "Alert"))


def detail_text(alert: Alert) -> str:
    """What crossed what: "16:00 (threshold 15:00)", "3 (threshold 3)", "MOS 2.9 (…)"."""
    if alert.kind == "missed_in_row":
        value, limit = f"{alert.value:.0f}", f"{alert.threshold:.0f}"
    elif alert.kind == "mos_under":
        mos = QCoreApplication.translate("Alerts", "MOS {value}")
        value = mos.format(value=QLocale().toString(alert.value, "f", 1))  # "2,8" in French
        limit = QLocale().toString(alert.threshold, "f", 1)
    elif alert.kind in ("break_over", "call_over", "wrap_up_over", "no_break", "help_waiting"):
        value, limit = format_duration(alert.value), format_duration(alert.threshold)
    else:
        value, limit = QLocale().toString(alert.value), QLocale().toString(alert.threshold)
    return QCoreApplication.translate("Alerts", "{value} (threshold {threshold})").format(
        value=value, threshold=limit
    )


class AlertsPanel(QWidget):
    """The console's alerts of today (see the module docstring)."""

    open_count_changed = Signal(int)  # payload: alerts not acknowledged yet

    def __init__(
        self,
        api: LeadCommsApi,
        net: TaskRunner,
        team_id: str,
        notify: Callable[[str, str], None],
        *,
        clock: Callable[[], dt.datetime] = utc_now,
        tz: dt.tzinfo | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._api = api
        self._net = net
        self._team_id = team_id
        self._notify = notify
        self._clock = clock
        self._tz = tz
        self._alerts: dict[AlertKey, Alert] = {}
        self._order: list[AlertKey] = []
        self._build()

    def _build(self) -> None:
        self.table = row_table(
            self,
            [
                self.tr("Raised"),
                self.tr("Agent"),
                self.tr("Alert"),
                self.tr("Status"),
                self.tr("Acknowledged"),
            ],
            stretch=(COL_ALERT,),
        )
        self.table.setAccessibleName(self.tr("Today's alerts, open ones first"))
        self.table.itemSelectionChanged.connect(self._update_buttons)
        enter = QShortcut(QKeySequence(Qt.Key.Key_Return), self.table, self.acknowledge_selected)
        enter.setContext(Qt.ShortcutContext.WidgetShortcut)  # Enter on a row: acknowledge
        self.ack_button = QPushButton(self.tr("Acknowledge"), self)
        self.ack_button.setToolTip(self.tr("Acknowledge the selected alert (Enter)"))
        self.ack_button.clicked.connect(self.acknowledge_selected)
        self.status = QLabel(self)
        self.status.setProperty("role", "muted")
        self.status.setWordWrap(True)
        self.empty = QLabel(self.tr("No alert today."), self)
        self.empty.setProperty("role", "muted")
        row = QHBoxLayout()
        row.addWidget(self.ack_button)
        row.addWidget(self.status, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.empty)
        layout.addWidget(self.table, 1)
        layout.addLayout(row)
        self._render()

    # --- inputs -----------------------------------------------------------------------

    def open_by_agent(self) -> dict[str, str]:
        """The agents with an open alert and what it says (for the board's ⚑ marks)."""
        marks: dict[str, str] = {}
        for key in self._order:
            alert = self._alerts[key]
            if alert.open:
                label = kind_label(alert.kind)
                marks[alert.agent_id] = (
                    f"{marks[alert.agent_id]}\n{label}" if alert.agent_id in marks else label
                )
        return marks

    def start(self) -> None:
        """Load today's alerts (UTC day, as the server counts days)."""
        day = self._clock().astimezone(dt.UTC).date()
        self._net.run(
            lambda: self._api.read_alerts(self._team_id, day), self._on_loaded, self._on_failed
        )

    def apply_event(self, event_type: str, data: object) -> bool:
        """`alert` / `alert_updated`; False when not for this panel."""
        if event_type not in ("alert", "alert_updated"):
            return False
        event = read_event(event_type, data)
        if not isinstance(event, Alert) or event.team_id != self._team_id:
            return False
        known = event.id in self._alerts
        self._take(event)
        self._render()
        if event_type == "alert" and not known and event.needs_ack:
            self._notify(
                self.tr("Alert: {kind}").format(kind=kind_label(event.kind)),
                self.tr("{agent}: {detail}").format(
                    agent=event.agent_name, detail=detail_text(event)
                ),
            )
        return True

    def alerts(self) -> list[Alert]:
        """As shown: open first, then the newest first."""
        return [self._alerts[k] for k in self._order]

    # --- state ------------------------------------------------------------------------

    def _take(self, alert: Alert) -> None:
        old = self._alerts.get(alert.id)
        if old is not None and old.acked_at is not None and alert.acked_at is None:
            alert = old  # an older copy (a replay) never un-acknowledges
        self._alerts[alert.id] = alert
        self._order = sorted(
            self._alerts,
            key=lambda k: (not self._alerts[k].open, -self._alerts[k].raised_at.timestamp()),
        )
        self.open_count_changed.emit(sum(1 for a in self._alerts.values() if a.needs_ack))

    def _on_loaded(self, found: tuple[Alert, ...]) -> None:
        for alert in found:
            self._take(alert)
        self.status.setText("")
        self._render()

    def _on_failed(self, exc: BaseException) -> None:
        self.status.setText(self.tr("Alerts unavailable: {why}").format(why=failure_text(exc)))

    def selected(self) -> Alert | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self._order):
            return None
        return self._alerts[self._order[rows[0].row()]]

    def select(self, alert_id: AlertKey) -> None:
        if alert_id in self._order:
            self.table.selectRow(self._order.index(alert_id))

    def acknowledge_selected(self) -> None:
        alert = self.selected()
        if alert is None or not alert.needs_ack:
            return
        self.ack_button.setEnabled(False)
        self.status.setText(self.tr("Acknowledging…"))
        self._net.run(
            functools.partial(self._api.ack_alert, alert.id), self._on_acked, self._on_ack_failed
        )

    def _on_acked(self, alert: Alert) -> None:
        self._take(alert)
        self.status.setText(self.tr("Acknowledged."))
        self._render()

    def _on_ack_failed(self, exc: BaseException) -> None:
        self.status.setText(self.tr("Not acknowledged: {why}").format(why=failure_text(exc)))
        self._update_buttons()

    # --- rendering --------------------------------------------------------------------

    def row_texts(self, row: int) -> list[str]:
        """The texts of one row, as shown."""
        items = (self.table.item(row, c) for c in range(self.table.columnCount()))
        return [item.text() if item is not None else "" for item in items]

    def _render(self) -> None:
        selected = self.selected()
        self.table.setRowCount(len(self._order))
        for row, key in enumerate(self._order):
            alert = self._alerts[key]
            state = self.tr("Ongoing")
            if alert.cleared_at is not None:
                when = clock_text(alert.cleared_at, self._tz)
                state = self.tr("Over at {time}").format(time=when)
            acked = self.tr("⚠ To acknowledge")
            if alert.acked_at is not None:
                by = alert.acked_by.name if alert.acked_by else "—"
                when = clock_text(alert.acked_at, self._tz)
                acked = self.tr("{time} by {name}").format(time=when, name=by)
            cells = (clock_text(alert.raised_at, self._tz), alert.agent_name,
                     f"{kind_label(alert.kind)} — {detail_text(alert)}", state, acked)  # fmt: skip
            highlight = alert.needs_ack
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                if highlight:
                    item.setBackground(highlight_brush("urgent"))
                    font = QFont(item.font())
                    font.setBold(True)
                    item.setFont(font)
                self.table.setItem(row, col, item)
        self.empty.setVisible(not self._order)
        self.table.setVisible(bool(self._order))
        if selected is not None:
            self.select(selected.id)
        self._update_buttons()

    def highlighted(self, alert_id: AlertKey) -> bool:
        """Whether the alert's row is highlighted (waiting for an acknowledgement)."""
        if alert_id not in self._order:
            return False
        item = self.table.item(self._order.index(alert_id), 0)
        return item is not None and item.background() == highlight_brush("urgent")

    def _update_buttons(self) -> None:
        alert = self.selected()
        self.ack_button.setEnabled(alert is not None and alert.needs_ack)
