"""The centre when no call is on: today's callbacks and the contact search."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QListView, QPushButton, QVBoxLayout, QWidget

from homeagent.core.desk_snapshot import DeskSnapshot, MissedCall
from homeagent.core.desk_types import Callback
from homeagent.ui.desk.models import CallbackListModel
from homeagent.ui.desk.my_day import MyDayTab
from homeagent.ui.desk.search_box import ContactSearch
from homeagent.ui.qt.labels import delivery_text, notice_text
from homeagent.ui.qt.phone_format import format_number

MAX_CALLBACK_ROWS = 8  # then the list scrolls


class IdleView(QWidget):
    """Callbacks due today (as tall as they are, with Call) and the day's figures, beside
    the contact search (the side panel hides its own search meanwhile)."""

    dial_requested = Signal(str)  # payload: the number to call

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.callbacks_model = CallbackListModel()
        self.callbacks = QListView(self)
        self.callbacks.setModel(self.callbacks_model)
        self.callbacks.setAlternatingRowColors(True)
        self.callbacks.activated.connect(self._on_callbacks_activated)
        self.callbacks.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.callbacks_model.modelReset.connect(self._fit_callbacks)
        self.day_title = QLabel(self.tr("My day"), self)
        self.day_title.setObjectName("SectionTitle")
        self.day = MyDayTab(self)
        self.callbacks_title = QLabel(self.tr("Today's callbacks"), self)
        self.callbacks_title.setObjectName("SectionTitle")
        self.callbacks_title.setBuddy(self.callbacks)  # the list's name for screen readers
        self.callbacks_empty = QLabel(self.tr("No callback due today."), self)
        self.callbacks_empty.setProperty("role", "muted")
        self.call_back = QPushButton(self.tr("Call back"), self)
        self.call_back.clicked.connect(self._on_call_back_clicked)
        self.search_title = QLabel(self.tr("Contacts"), self)
        self.search_title.setObjectName("SectionTitle")
        self.search = ContactSearch(self)
        self.search.dial_requested.connect(self.dial_requested)
        self.status = QLabel(self)
        self.status.setObjectName("Delivery")
        self.notice = QLabel(self)
        self.notice.setObjectName("Notice")
        self.notice.setWordWrap(True)
        # the missed caller's Call back: prepares the dial, dials only when clicked
        self.notice_call_back = QPushButton(self.tr("Call back"), self)
        self.notice_call_back.setObjectName("NoticeCallBack")
        self.notice_call_back.setVisible(False)
        self.notice_call_back.clicked.connect(self._on_notice_call_back_clicked)
        self._missed_number = ""

        left = QVBoxLayout()
        left.addWidget(self.callbacks_title)
        left.addWidget(self.callbacks)
        left.addWidget(self.callbacks_empty)
        left.addWidget(self.call_back)
        left.addSpacing(12)
        left.addWidget(self.day_title)
        left.addWidget(self.day)
        left.addStretch(1)
        right = QVBoxLayout()
        right.addWidget(self.search_title)
        right.addWidget(self.search, 1)
        columns = QHBoxLayout()
        columns.setSpacing(16)
        columns.addLayout(left, 1)
        columns.addLayout(right, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        notice_row = QHBoxLayout()
        notice_row.addWidget(self.notice, 1)
        notice_row.addWidget(self.notice_call_back)
        layout.addLayout(notice_row)
        layout.addLayout(columns, 1)
        layout.addWidget(self.status)

    def _fit_callbacks(self) -> None:
        """As tall as its rows (up to `MAX_CALLBACK_ROWS`, then it scrolls)."""
        rows = min(self.callbacks_model.rowCount(), MAX_CALLBACK_ROWS)
        height = sum(self.callbacks.sizeHintForRow(r) for r in range(rows))
        self.callbacks.setFixedHeight(max(height, 1) + 2 * self.callbacks.frameWidth() + 2)
        self.callbacks.setVisible(rows > 0)

    def show_callbacks(self, callbacks: list[Callback]) -> None:
        """Replace today's callbacks."""
        self.callbacks_model.set_items(callbacks)
        self.callbacks_empty.setVisible(not callbacks)
        self.call_back.setEnabled(bool(callbacks))

    def show_snapshot(self, snap: DeskSnapshot) -> None:
        """Show the last wrap-up's delivery and any notice (a missed call…)."""
        delivery = delivery_text(snap.last_delivery)
        self.status.setText(
            self.tr("Last wrap-up: {state}").format(state=delivery) if delivery else ""
        )
        missed = snap.missed_call
        text = notice_text(snap.notice)
        if missed is not None and missed.caller:
            number = format_number(missed.number)
            caller = (
                f"{missed.name} ({number})" if missed.name and number else missed.name or number
            )
            if missed.set_aside:
                text = self.tr(
                    "Missed call from {caller}: nobody answered in time, so you are Not ready."
                ).format(caller=caller)
            else:
                text = self.tr("Missed call from {caller}: the caller hung up.").format(
                    caller=caller
                )
        self.notice.setText(text)
        self.notice.setVisible(bool(text))
        self._missed_number = missed.number if missed is not None else ""
        self.notice_call_back.setVisible(bool(self._missed_number))
        if missed is not None:
            self.notice_call_back.setAccessibleName(
                self.tr("Call back {caller}").format(caller=caller)
            )

    def _on_notice_call_back_clicked(self) -> None:
        if self._missed_number:
            self.dial_requested.emit(self._missed_number)

    def _on_callbacks_activated(self, index: QModelIndex) -> None:
        callback = self.callbacks_model.item(index.row())
        if callback is not None and callback.number:
            self.dial_requested.emit(callback.number)

    def _on_call_back_clicked(self) -> None:
        index = self.callbacks.currentIndex()
        if not index.isValid() and self.callbacks_model.rowCount():
            index = self.callbacks_model.index(0, 0)
        if index.isValid():
            self._on_callbacks_activated(index)


def _caller(missed: MissedCall) -> str:
    """ "Name (06 12 34 56 78)", or the name, or the number, as the agent reads them."""
    number = format_number(missed.number)
    return f"{missed.name} ({number})" if missed.name and number else missed.name or number
