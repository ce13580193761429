"""The help queue: agents' help requests, oldest first, with the call they are about.

Each row: the agent, how long the request has waited (ticking), the call (queue, masked
number, its duration ticking), the agent's text and where it stands. Actions on the
selected row: "J'arrive" (POST …/ack: the agent's desk is told at once by the server's
`help_request_updated`), reply by message (`reply_requested`: the composition opens the
conversation), listen / whisper / barge in on the agent's call (call supervision: enabled
while the agent is in that call and the lead may start a session), resolve. An open
request waiting past the threshold (the team's `help_waiting_s`) is highlighted and
marked, so colour is not the only signal. Resolved requests leave the queue.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from homeagent.core.lead_comms import HelpRequest
from homeagent.core.ports import LeadCommsApi
from homeagent.core.timefmt import format_duration
from homeagent.ui.lead.comms_common import (
    failure_text,
    highlight_brush,
    read_event,
    row_table,
    utc_now,
)
from homeagent.ui.qt.tasks import TaskRunner

COL_AGENT, COL_WAIT, COL_CALL, COL_TEXT, COL_STATUS = range(5)
DEFAULT_THRESHOLD_S = 60


class HelpQueuePanel(QWidget):
    """The console's help requests (see the module docstring)."""

    reply_requested = Signal(str)  # payload: the agent id to answer by message
    supervise_requested = Signal(str, str)  # payload: (agent id, listen | whisper | barge)
    count_changed = Signal(int)  # payload: requests still open (not acknowledged)

    def __init__(
        self,
        api: LeadCommsApi,
        net: TaskRunner,
        *,
        clock: Callable[[], dt.datetime] = utc_now,
        contact_name: Callable[[str], str | None] | None = None,
        threshold_s: int = DEFAULT_THRESHOLD_S,
        tick_ms: int = 1000,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._api = api
        self._net = net
        self._clock = clock
        self._contact_name = contact_name
        self.threshold_s = threshold_s
        self._requests: dict[int, HelpRequest] = {}
        self._order: list[int] = []
        self._gate: Callable[[str, str], tuple[bool, str]] = lambda agent_id, mode: (
            False,
            self.tr("Call supervision is not available in this console"),
        )
        self._build()
        self._timer = QTimer(self)
        self._timer.setInterval(tick_ms)
        self._timer.timeout.connect(self.tick)
        self._timer.start()

    def _build(self) -> None:
        self.table = row_table(
            self,
            [
                self.tr("Agent"),
                self.tr("Waiting"),
                self.tr("Call"),
                self.tr("Request"),
                self.tr("Status"),
            ],
            stretch=(COL_CALL, COL_TEXT),
        )
        self.table.setAccessibleName(self.tr("Help requests, oldest first"))
        self.table.itemSelectionChanged.connect(self._on_table_selection_changed)
        enter = QShortcut(QKeySequence(Qt.Key.Key_Return), self.table, self.acknowledge_selected)
        enter.setContext(Qt.ShortcutContext.WidgetShortcut)  # Enter on a row: "J'arrive"
        self.ack_button = QPushButton(self.tr("I'm coming"), self)
        self.ack_button.setToolTip(self.tr("Tell the agent you are on your way (Enter)"))
        self.ack_button.clicked.connect(self.acknowledge_selected)
        self.reply_button = QPushButton(self.tr("Reply by message"), self)
        self.reply_button.clicked.connect(self._on_reply_button_clicked)
        self.listen_button = QPushButton(self.tr("Listen"), self)
        self.whisper_button = QPushButton(self.tr("Whisper"), self)
        self.barge_button = QPushButton(self.tr("Barge in"), self)
        self.supervise_buttons = {
            "listen": self.listen_button, "whisper": self.whisper_button,
            "barge": self.barge_button,
        }  # fmt: skip
        for kind, button in self.supervise_buttons.items():
            button.clicked.connect(lambda _=False, m=kind: self._on_supervise_clicked(m))
        self.resolve_button = QPushButton(self.tr("Resolved"), self)
        self.resolve_button.clicked.connect(self.resolve_selected)
        self.status = QLabel(self)
        self.status.setProperty("role", "muted")
        self.status.setWordWrap(True)
        self.empty = QLabel(self.tr("No help request waiting."), self)
        self.empty.setProperty("role", "muted")
        actions = QHBoxLayout()
        for button in (self.ack_button, self.reply_button, self.listen_button,
                       self.whisper_button, self.barge_button,
                       self.resolve_button):  # fmt: skip
            actions.addWidget(button)
        actions.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.empty)
        layout.addWidget(self.table, 1)
        layout.addLayout(actions)
        layout.addWidget(self.status)
        self._render()

    # --- inputs -----------------------------------------------------------------------

    def start(self) -> None:
        """Load the requests still open or acknowledged (not resolved)."""

        def job() -> tuple[HelpRequest, ...]:
            return (*self._api.read_help_requests("open"),
                    *self._api.read_help_requests("acknowledged"))  # fmt: skip

        self._net.run(job, self._on_loaded, self._on_failed)

    def set_supervision_gate(self, gate: Callable[[str, str], tuple[bool, str]]) -> None:
        """(agent id, mode) -> (enabled, tooltip): what call supervision allows."""
        self._gate = gate
        self.refresh_supervision()

    def refresh_supervision(self) -> None:
        """The supervision buttons for the selected request's agent."""
        request = self.selected()
        for mode, button in self.supervise_buttons.items():
            if request is None:
                enabled, tip = False, self.tr("Select a help request")
            else:
                enabled, tip = self._gate(request.agent_id, mode)
            button.setEnabled(enabled)
            button.setToolTip(tip)
            button.setAccessibleDescription(tip)

    def set_threshold_s(self, seconds: int | None) -> None:
        """The team's `alerts.help_waiting_s` (None: that alert is off; keep the default)."""
        self.threshold_s = DEFAULT_THRESHOLD_S if seconds is None else seconds
        self.tick()

    def apply_event(self, event_type: str, data: object) -> bool:
        """`help_request` / `help_request_updated`; False when not for this panel."""
        if event_type not in ("help_request", "help_request_updated"):
            return False
        event = read_event(event_type, data)
        if not isinstance(event, HelpRequest):
            return False
        self._take(event)
        self._render()
        return True

    def requests(self) -> list[HelpRequest]:
        """The queue as shown, oldest first."""
        return [self._requests[i] for i in self._order]

    # --- state ------------------------------------------------------------------------

    def _take(self, request: HelpRequest) -> None:
        if request.status == "resolved":
            self._requests.pop(request.id, None)
        else:
            self._requests[request.id] = request
        self._order = sorted(self._requests, key=lambda i: (self._requests[i].created_at, i))
        self.count_changed.emit(sum(1 for r in self._requests.values() if r.status == "open"))

    def _on_loaded(self, found: tuple[HelpRequest, ...]) -> None:
        for request in found:
            self._take(request)
        self._set_status("")
        self._render()

    def _on_failed(self, exc: BaseException) -> None:
        self._set_status(self.tr("Help requests unavailable: {why}").format(why=failure_text(exc)))

    def selected(self) -> HelpRequest | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self._order):
            return None
        return self._requests[self._order[rows[0].row()]]

    def select(self, request_id: int) -> None:
        if request_id in self._order:
            self.table.selectRow(self._order.index(request_id))

    def acknowledge_selected(self) -> None:
        request = self.selected()
        if request is None or request.status != "open":
            return
        self._act(self._api.ack_help_request, request, self.tr("Acknowledging…"))

    def resolve_selected(self) -> None:
        request = self.selected()
        if request is not None:
            self._act(self._api.resolve_help_request, request, self.tr("Resolving…"))

    def _act(self, call: Callable[[int], HelpRequest], request: HelpRequest, doing: str) -> None:
        self._set_status(doing)
        self.ack_button.setEnabled(False)
        self.resolve_button.setEnabled(False)
        self._net.run(functools.partial(call, request.id), self._on_acted, self._on_act_failed)

    def _on_acted(self, request: HelpRequest) -> None:
        self._take(request)
        if request.status == "acknowledged":
            self._set_status(
                self.tr("{name} knows you are coming.").format(name=request.agent_name)
            )
        else:
            self._set_status(self.tr("Request of {name} resolved.").format(name=request.agent_name))
        self._render()

    def _on_act_failed(self, exc: BaseException) -> None:
        self._set_status(self.tr("Not done: {why}").format(why=failure_text(exc)))
        self._update_buttons()

    # --- rendering --------------------------------------------------------------------

    def _set_status(self, text: str) -> None:
        self.status.setText(text)
        self.status.setAccessibleName(text)

    def _call_text(self, request: HelpRequest, now: dt.datetime) -> str:
        call = request.call
        parts = []
        if call.contact_id and self._contact_name is not None:
            name = self._contact_name(call.contact_id)
            if name:
                parts.append(name)
        if call.remote_number_masked:
            parts.append(call.remote_number_masked)
        if call.queue:
            parts.append(self.tr("queue {queue}").format(queue=call.queue))
        if call.call_started_at is not None and request.status != "resolved":
            parts.append(self.tr("in call {time}").format(
                time=format_duration((now - call.call_started_at).total_seconds())))  # fmt: skip
        return " · ".join(parts) if parts else self.tr("No call")

    def _status_text(self, request: HelpRequest) -> str:
        if request.status == "acknowledged" and request.acked_by is not None:
            return self.tr("On the way: {name}").format(name=request.acked_by.name)
        return self.tr("Waiting")

    def _render(self) -> None:
        selected = self.selected()
        self.table.setRowCount(len(self._order))
        for row, request_id in enumerate(self._order):
            request = self._requests[request_id]
            for col, text in ((COL_AGENT, request.agent_name), (COL_TEXT, request.text),
                              (COL_STATUS, self._status_text(request))):  # fmt: skip
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.table.setItem(row, col, item)
            self.table.setItem(row, COL_WAIT, QTableWidgetItem())
            self.table.setItem(row, COL_CALL, QTableWidgetItem())
        self.empty.setVisible(not self._order)
        self.table.setVisible(bool(self._order))
        if selected is not None:
            self.select(selected.id)
        self.tick()

    def _cell(self, row: int, col: int) -> QTableWidgetItem:
        item = self.table.item(row, col)
        if item is None:
            item = QTableWidgetItem()
            self.table.setItem(row, col, item)
        return item

    def late(self, request: HelpRequest, now: dt.datetime | None = None) -> bool:
        """Open and waiting for longer than the threshold."""
        now = now or self._clock()
        return (
            request.status == "open"
            and (now - request.created_at).total_seconds() > self.threshold_s
        )

    def tick(self) -> None:
        """Refresh the ticking times and the highlight (every second, and on demand)."""
        now = self._clock()
        for row, request_id in enumerate(self._order):
            request = self._requests[request_id]
            end = request.acked_at if request.status == "acknowledged" and request.acked_at else now
            waited = format_duration((end - request.created_at).total_seconds())
            late = self.late(request, now)
            self._cell(row, COL_WAIT).setText(f"⚠ {waited}" if late else waited)
            self._cell(row, COL_CALL).setText(self._call_text(request, now))
            for col in range(self.table.columnCount()):
                item = self._cell(row, col)
                item.setBackground(highlight_brush("warn") if late else highlight_brush("none"))
                font = QFont(item.font())
                font.setBold(late)
                item.setFont(font)
            if late:  # the wait cell says why it is highlighted
                self._cell(row, COL_WAIT).setToolTip(
                    self.tr("Waiting for more than {time}").format(
                        time=format_duration(self.threshold_s)
                    )
                )
        self._update_buttons()

    def _update_buttons(self) -> None:
        request = self.selected()
        self.ack_button.setEnabled(request is not None and request.status == "open")
        self.reply_button.setEnabled(request is not None)
        self.resolve_button.setEnabled(request is not None)
        self.refresh_supervision()

    # --- slots ------------------------------------------------------------------------

    def _on_table_selection_changed(self) -> None:
        self._update_buttons()

    def _on_supervise_clicked(self, mode: str) -> None:
        request = self.selected()
        if request is not None:
            self.supervise_requested.emit(request.agent_id, mode)

    def _on_reply_button_clicked(self) -> None:
        request = self.selected()
        if request is not None:
            self.reply_requested.emit(request.agent_id)
