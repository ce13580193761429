"""The side panel's tabs: Contacts, History, Inbox, My day, My slots."""

from __future__ import annotations

from PySide6.QtCore import QItemSelection, QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListView,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from homeagent.core.desk_types import HistoryEntry, Message
from homeagent.ui.desk.contact_card import ContactCard
from homeagent.ui.desk.contact_files import ContactFilesBar
from homeagent.ui.desk.models import HistoryTableModel, InboxListModel
from homeagent.ui.desk.my_day import MyDayTab
from homeagent.ui.desk.search_box import ContactSearch
from homeagent.ui.desk.slots import SlotsTab


class InboxTab(QWidget):
    """The conversation with the team lead, oldest first, and a line to write back.

    Selecting a message reads it; an urgent one is acknowledged with "Got it" ("Bien
    reçu"). Sending never blocks: the message shows "Saving…", "Saved", then "Sent"."""

    read_requested = Signal(str)  # payload: message id the agent opened
    ack_requested = Signal(str)  # payload: id of the urgent message acknowledged
    send_requested = Signal(str)  # payload: the text the agent writes to the lead

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = InboxListModel()
        self.list = QListView(self)
        self.list.setModel(self.model)
        self.list.setWordWrap(True)
        self.list.setAlternatingRowColors(True)
        self.list.setAccessibleName(self.tr("Conversation with the team lead"))
        self.body = QLabel(self)
        self.body.setWordWrap(True)
        self.body.setTextFormat(Qt.TextFormat.PlainText)
        self.ack = QPushButton(self.tr("Got it"), self)
        self.ack.setAccessibleName(self.tr("Acknowledge the urgent message"))
        self.ack.setVisible(False)
        self.ack.clicked.connect(self._on_ack_clicked)
        self.compose = QLineEdit(self)
        self.compose.setPlaceholderText(self.tr("Write to your team lead…"))
        self.compose.setAccessibleName(self.tr("Message to the team lead"))
        self.compose.setMaxLength(2000)
        self.compose.returnPressed.connect(self._on_send_clicked)
        self.send = QPushButton(self.tr("Send"), self)
        self.send.clicked.connect(self._on_send_clicked)
        self.list.selectionModel().selectionChanged.connect(self._on_list_selection_changed)
        layout = QVBoxLayout(self)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.body)
        layout.addWidget(self.ack, 0, Qt.AlignmentFlag.AlignLeft)
        row = QHBoxLayout()
        row.addWidget(self.compose, 1)
        row.addWidget(self.send)
        layout.addLayout(row)

    def show_messages(self, messages: tuple[Message, ...]) -> None:
        """Show the conversation (given newest first), keeping the selected message."""
        current = self._current()
        ordered = tuple(reversed(messages))
        grew = len(ordered) != self.model.rowCount()
        self.list.selectionModel().blockSignals(True)
        self.model.set_items(ordered)
        if current is not None:
            for row, message in enumerate(ordered):
                if message.id == current.id:
                    self.list.setCurrentIndex(self.model.index(row, 0))
        self.list.selectionModel().blockSignals(False)
        if grew:
            self.list.scrollToBottom()
        self._show_current()

    def _current(self) -> Message | None:
        index = self.list.currentIndex()
        return self.model.item(index.row()) if index.isValid() else None

    def _show_current(self) -> None:
        message = self._current()
        self.body.setText(message.body if message else "")
        self.ack.setVisible(message is not None and message.needs_ack)

    def _on_list_selection_changed(self, _sel: QItemSelection, _desel: QItemSelection) -> None:
        self._show_current()
        message = self._current()
        if message is not None and not message.read:
            self.read_requested.emit(message.id)

    def _on_ack_clicked(self) -> None:
        message = self._current()
        if message is not None and message.needs_ack:
            self.ack_requested.emit(message.id)

    def _on_send_clicked(self) -> None:
        text = self.compose.text().strip()
        if text:
            self.send_requested.emit(text)
            self.compose.clear()


class HistoryTab(QWidget):
    """Today's calls with Redial."""

    dial_requested = Signal(str)  # payload: the number to call back

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = HistoryTableModel()
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setAccessibleName(self.tr("Today's calls"))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setTabKeyNavigation(False)  # Tab leaves the table (arrows move in it)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.activated.connect(self._on_table_activated)
        self.redial = QPushButton(self.tr("Call back"), self)
        self.redial.clicked.connect(self._on_redial_clicked)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.redial)
        layout.addLayout(row)

    def show_history(self, entries: list[HistoryEntry]) -> None:
        """Replace today's calls."""
        self.model.set_items(entries)

    def _on_table_activated(self, index: QModelIndex) -> None:
        entry = self.model.item(index.row())
        if entry is not None:
            self.dial_requested.emit(entry.number)

    def _on_redial_clicked(self) -> None:
        index = self.table.currentIndex()
        if index.isValid():
            self._on_table_activated(index)


class SidePanel(QTabWidget):
    """Contacts, History, Inbox, My day, My slots."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("SidePanel")
        self.contacts = ContactSearch(self)
        self.contacts_page = contacts_page = QWidget(self)
        box = QVBoxLayout(contacts_page)
        box.addWidget(self.contacts, 3)
        self.files = ContactFilesBar(contacts_page)  # shown when the desk can import
        self.files.setVisible(False)
        box.addWidget(self.files)
        self.contact_card = ContactCard(contacts_page, callable=True, compact=True)
        self.contact_card.setVisible(False)
        box.addWidget(self.contact_card, 2)
        self.history = HistoryTab(self)
        self.inbox = InboxTab(self)
        self.my_day = MyDayTab(self)
        self.addTab(contacts_page, self.tr("Contacts"))
        self.addTab(self.history, self.tr("History"))
        self.addTab(self.inbox, self.tr("Inbox"))
        self.addTab(self.my_day, self.tr("My day"))
        self.slots = SlotsTab(self)  # "Mes créneaux" (homeagent.ui.desk.slots)
        self.addTab(self.slots, self.tr("My slots"))

    def set_unread(self, count: int) -> None:
        """Show the unread count on the Inbox tab."""
        index = self.indexOf(self.inbox)
        self.setTabText(
            index, self.tr("Inbox ({count})").format(count=count) if count else self.tr("Inbox")
        )
