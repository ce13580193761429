"""Search-as-you-type over the contact cache: a field, a result list and a Call button."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QTimer, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from homeagent.core.desk_types import Contact
from homeagent.ui.desk.models import ContactListModel
from homeagent.ui.qt.phone_format import format_number

SEARCH_DEBOUNCE_MS = 150


class ContactSearch(QWidget):
    """Types → (debounced) search request; results come back through `model`."""

    search_requested = Signal(str)  # payload: the text typed (may be empty)
    dial_requested = Signal(str)  # payload: the number to call
    contact_selected = Signal(object)  # payload: the Contact picked in the list

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = ContactListModel()
        self.field = QLineEdit(self)
        self.field.setClearButtonEnabled(True)
        self.field.setPlaceholderText(self.tr("Search a name, a company, a number…  (Ctrl+F)"))
        self.field.setAccessibleName(self.tr("Search contacts"))
        self.results = QListView(self)
        self.results.setModel(self.model)
        self.results.setAlternatingRowColors(True)
        self.results.setUniformItemSizes(True)
        self.results.setAccessibleName(self.tr("Contacts found"))
        self.status = QLabel(self)
        self.status.setProperty("role", "muted")
        self.call = QPushButton(self.tr("Call"), self)
        self.call.setEnabled(False)
        self._prepared = ""  # a number from a tel:/sip: link, called only by a click
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(SEARCH_DEBOUNCE_MS)
        self._debounce.timeout.connect(self._on_debounce_timeout)
        self.field.textChanged.connect(self._on_field_text_changed)
        self.field.returnPressed.connect(self._on_debounce_timeout)
        self.results.activated.connect(self._on_results_activated)
        self.results.selectionModel().currentChanged.connect(self._on_results_current_changed)
        self.call.clicked.connect(self._on_call_clicked)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.field)
        layout.addWidget(self.results, 1)
        row = QHBoxLayout()
        row.addWidget(self.status, 1)
        row.addWidget(self.call)
        layout.addLayout(row)

    def show_results(self, contacts: list[Contact], query: str = "") -> None:
        """Replace the results (an empty query with no result invites to type)."""
        self.model.set_items(contacts)
        if contacts or query.strip():
            self.status.setText(self.tr("{count} contacts").format(count=len(contacts)))
        else:
            self.status.setText(self.tr("Type a name, a company or a number."))
        if self._prepared and query == self.field.text():
            self._show_prepared(contacts)  # Call stays enabled: it may hold the focus
        else:
            self.call.setEnabled(False)

    def prepare_number(self, target: str) -> None:
        """A link asked to call `target`: put it in the field, show who it is, and wait
        for the agent's click on Call (never dial from here)."""
        self._prepared = ""
        self.field.setText(target)  # clears an earlier prepared number, starts the search
        self._prepared = target
        self._show_prepared([])
        self._on_debounce_timeout()  # search now: the card shows as soon as it is found

    @property
    def prepared(self) -> str:
        """The number a link prepared ("" when none, or the agent typed since)."""
        return self._prepared

    def _show_prepared(self, contacts: list[Contact]) -> None:
        shown = format_number(self._prepared) if ":" not in self._prepared else self._prepared
        self.call.setEnabled(True)
        self.call.setText(self.tr("Call {number}").format(number=shown))
        self.status.setText(
            self.tr("From a link: press Call to dial {number}.").format(number=shown)
        )
        if len(contacts) == 1:  # the number's contact: select it, its card opens
            self.results.setCurrentIndex(self.model.index(0, 0))

    def _forget_prepared(self) -> None:
        if self._prepared:
            self._prepared = ""
            self.call.setText(self.tr("Call"))
            self.call.setEnabled(self.selected() is not None)

    def selected(self) -> Contact | None:
        """The contact highlighted in the list."""
        index = self.results.currentIndex()
        return self.model.item(index.row()) if index.isValid() else None

    def _on_field_text_changed(self, text: str) -> None:
        if self._prepared and text != self._prepared:
            self._forget_prepared()  # the agent typed something else
        self._debounce.start()

    def _on_debounce_timeout(self) -> None:
        self._debounce.stop()
        self.search_requested.emit(self.field.text())

    def _on_results_current_changed(self, index: QModelIndex, _previous: QModelIndex) -> None:
        contact = self.model.item(index.row()) if index.isValid() else None
        self.call.setEnabled(bool(self._prepared or (contact and contact.phones)))
        if contact is not None:
            self.contact_selected.emit(contact)

    def _on_results_activated(self, index: QModelIndex) -> None:
        self.results.setCurrentIndex(index)
        self._on_call_clicked()

    def _on_call_clicked(self) -> None:
        if self._prepared:  # the link's number, even when its contact has several
            self.dial_requested.emit(self._prepared)
            return
        contact = self.selected()
        if contact is not None and contact.phones:
            self.dial_requested.emit(contact.phones[0])
