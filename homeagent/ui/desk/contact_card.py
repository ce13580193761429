"""The popped contact card: who is calling, from the local cache, or "unknown caller"."""

from __future__ import annotations

import time

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPaintEvent
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from homeagent.core.desk_snapshot import CardView
from homeagent.core.desk_types import HistoryEntry
from homeagent.core.timefmt import format_duration
from homeagent.ui.desk.models import local_date_time, outcome_text

RECENT_CALLS = 5


class ContactCard(QFrame):
    """Name, company, number, account, tags and the last note; quick-create when unknown."""

    create_requested = Signal(str, str, str)  # payload: (first name, last name, company)
    first_painted = Signal(int, object)  # payload: (call id, time.monotonic_ns() of the paint)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Card")
        self._paint_for_call: int | None = None
        self._contact_id = ""
        self._history_for = ""
        self.title = QLabel(self)
        self.title.setObjectName("CardMuted")
        self.name = QLabel(self)
        self.name.setObjectName("CardName")
        self.name.setWordWrap(True)
        self.company = QLabel(self)
        self.number = QLabel(self)
        self.number.setObjectName("CardNumber")
        self.account = QLabel(self)
        self.account.setObjectName("CardMuted")
        self.tags = QLabel(self)
        self.tags.setObjectName("CardMuted")
        self.notes = QLabel(self)
        self.notes.setWordWrap(True)
        self.queue = QLabel(self)
        self.queue.setObjectName("CardMuted")
        self.recent_title = QLabel(self.tr("Recent calls"), self)
        self.recent_title.setObjectName("SectionTitle")
        self.recent = QLabel(self)
        self.recent.setWordWrap(True)
        self.recent.setTextFormat(Qt.TextFormat.PlainText)

        self.create_box = QWidget(self)
        self.first_name = QLineEdit(self.create_box)
        self.last_name = QLineEdit(self.create_box)
        self.company_edit = QLineEdit(self.create_box)
        self.create_button = QPushButton(self.tr("Create contact"), self.create_box)
        self.create_button.clicked.connect(self._on_create_button_clicked)
        form = QFormLayout(self.create_box)
        form.setContentsMargins(0, 8, 0, 0)
        form.addRow(self.tr("First name"), self.first_name)
        form.addRow(self.tr("Last name"), self.last_name)
        form.addRow(self.tr("Company"), self.company_edit)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.create_button)
        form.addRow(buttons)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 16, 14)
        layout.setSpacing(6)
        for widget in (self.title, self.name, self.company, self.number, self.account):
            layout.addWidget(widget)
        layout.addWidget(self.tags)
        layout.addWidget(self.queue)
        layout.addSpacing(6)
        layout.addWidget(self.notes)
        layout.addWidget(self.create_box)
        layout.addSpacing(6)
        layout.addWidget(self.recent_title)
        layout.addWidget(self.recent)
        layout.addStretch(1)
        self.show_card(None)

    def show_card(self, card: CardView | None, *, queue: str = "") -> None:
        """Fill the card (None: empty)."""
        contact = card.contact if card is not None else None
        number = card.number if card is not None else ""
        self._contact_id = contact.id if contact is not None else ""
        if contact is not None:
            self.title.setText(self.tr("Customer"))
            self.name.setText(contact.full_name or number)
            company = contact.company if contact.company != contact.full_name else ""
            self.company.setText(company)
            self.account.setText(
                self.tr("Account {ref}").format(ref=contact.account_ref)
                if contact.account_ref
                else ""
            )
            self.tags.setText("  ".join(f"#{t}" for t in contact.tags))
            self.notes.setText(
                self.tr("Last note: {note}").format(note=contact.notes) if contact.notes else ""
            )
        else:
            self.title.setText(self.tr("Caller"))
            self.name.setText(self.tr("Unknown caller") if card is not None else "")
            for label in (self.company, self.account, self.tags, self.notes):
                label.setText("")
        self.number.setText(number)
        self.queue.setText(self.tr("Queue: {queue}").format(queue=queue) if queue else "")
        self.create_box.setVisible(card is not None and contact is None)
        for label in (self.company, self.account, self.tags, self.notes, self.queue):
            label.setVisible(bool(label.text()))
        self.setAccessibleName(self.name.text())
        if contact is None or contact.id != self._history_for:
            self.show_history("", [])

    @property
    def contact_id(self) -> str:
        """The id of the contact shown, or ""."""
        return self._contact_id

    def show_history(self, contact_id: str, entries: list[HistoryEntry]) -> None:
        """Show the contact's last calls (loaded in the background)."""
        self._history_for = contact_id
        lines = []
        for entry in entries[:RECENT_CALLS]:
            parts = [local_date_time(entry.started_at), outcome_text(entry.outcome)]
            if entry.duration_s:
                parts.append(format_duration(entry.duration_s))
            if entry.disposition:
                parts.append(entry.disposition)
            lines.append(" · ".join(parts))
        self.recent.setText("\n".join(lines))
        self.recent_title.setVisible(bool(lines))
        self.recent.setVisible(bool(lines))

    def expect_paint(self, call_id: int) -> None:
        """Report the next paint of the card as the screen-pop of `call_id`."""
        self._paint_for_call = call_id
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if self._paint_for_call is not None:
            call_id, self._paint_for_call = self._paint_for_call, None
            self.first_painted.emit(call_id, time.monotonic_ns())

    def _on_create_button_clicked(self) -> None:
        first, last = self.first_name.text().strip(), self.last_name.text().strip()
        company = self.company_edit.text().strip()
        if first or last or company:
            self.create_requested.emit(first, last, company)
            for edit in (self.first_name, self.last_name, self.company_edit):
                edit.clear()
