"""The centre when no call is on: today's callbacks and the contact search."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QListView, QPushButton, QVBoxLayout, QWidget

from homeagent.core.desk_snapshot import DeskSnapshot
from homeagent.core.desk_types import Callback
from homeagent.ui.desk.models import CallbackListModel
from homeagent.ui.desk.search_box import ContactSearch
from homeagent.ui.qt.labels import delivery_text, notice_text


class IdleView(QWidget):
    """Callbacks due today (with Call) beside the contact search."""

    dial_requested = Signal(str)  # payload: the number to call

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.callbacks_model = CallbackListModel()
        self.callbacks = QListView(self)
        self.callbacks.setModel(self.callbacks_model)
        self.callbacks.setAlternatingRowColors(True)
        self.callbacks.activated.connect(self._on_callbacks_activated)
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

        left = QVBoxLayout()
        left.addWidget(self.callbacks_title)
        left.addWidget(self.callbacks, 1)
        left.addWidget(self.callbacks_empty)
        left.addWidget(self.call_back)
        right = QVBoxLayout()
        right.addWidget(self.search_title)
        right.addWidget(self.search, 1)
        columns = QHBoxLayout()
        columns.setSpacing(16)
        columns.addLayout(left, 1)
        columns.addLayout(right, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.notice)
        layout.addLayout(columns, 1)
        layout.addWidget(self.status)

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
        self.notice.setText(notice_text(snap.notice))
        self.notice.setVisible(bool(self.notice.text()))

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
