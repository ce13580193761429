"""The popped contact card: who is calling, from the local cache, or "unknown caller";
and what the desk remembers of them (last notes, open callbacks, last calls)."""

from __future__ import annotations

import datetime as dt
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
from homeagent.core.desk_types import ContactMemory, ContactNote, Disposition
from homeagent.core.timefmt import format_duration
from homeagent.ui.desk.models import local_date_time, outcome_text
from homeagent.ui.qt.labels import disposition_text
from homeagent.ui.qt.phone_format import format_number

RECENT_CALLS = 5
LAST_NOTES = 3
OPEN_CALLBACKS = 3
NOTE_CHARS = 240  # a longer note is cut with "…" (the whole text is in the tooltip)


class ContactCard(QFrame):
    """Name, company, number, account, tags, the queue of the call; the contact's memory
    (last notes with author and date, open callbacks, last calls with their disposition);
    quick-create when unknown; a Call button outside a call (`callable=True`).

    `compact` shows fewer lines of memory (the side panel's card)."""

    create_requested = Signal(str, str, str)  # payload: (first name, last name, company)
    first_painted = Signal(int, object)  # payload: (call id, time.monotonic_ns() of the paint)
    dial_requested = Signal(str)  # payload: the number to call (the Call button)

    def __init__(
        self, parent: QWidget | None = None, *, callable: bool = False, compact: bool = False
    ) -> None:
        super().__init__(parent)
        self.setObjectName("Card")
        self._paint_for_call: int | None = None
        self._contact_id = ""
        self._memory_for = ""
        self._number = ""
        self._callable = callable
        self._limits = (2, 2, 3) if compact else (LAST_NOTES, OPEN_CALLBACKS, RECENT_CALLS)
        self._dispositions: tuple[Disposition, ...] = ()
        self._memory: ContactMemory | None = None
        self._preview = False  # the memory shown is the cache's latest note alone
        self._server_answered = False  # the current load has the server's part
        self._server_unavailable = False  # the current load's server part failed
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
        self.notes_title = QLabel(self.tr("Notes"), self)
        self.notes_title.setObjectName("SectionTitle")
        self.callbacks_title = QLabel(self.tr("Promised callbacks"), self)
        self.callbacks_title.setObjectName("SectionTitle")
        self.callbacks = QLabel(self)
        self.recent_title = QLabel(self.tr("Recent calls"), self)
        self.recent_title.setObjectName("SectionTitle")
        self.recent = QLabel(self)
        self.memory_status = QLabel(self)
        self.memory_status.setObjectName("CardMuted")
        for label in (self.notes, self.callbacks, self.recent, self.memory_status):
            label.setWordWrap(True)
            label.setTextFormat(Qt.TextFormat.PlainText)
        self.call_button = QPushButton(self.tr("Call"), self)
        self.call_button.setAccessibleName(self.tr("Call this contact"))
        self.call_button.clicked.connect(self._on_call_button_clicked)

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
        layout.setSpacing(4)
        head = QHBoxLayout()
        head.addWidget(self.title, 1)
        head.addWidget(self.call_button)
        layout.addLayout(head)
        for widget in (self.name, self.company, self.number, self.account):
            layout.addWidget(widget)
        layout.addWidget(self.tags)
        layout.addWidget(self.queue)
        layout.addWidget(self.create_box)
        for title, body in (
            (self.notes_title, self.notes),
            (self.callbacks_title, self.callbacks),
            (self.recent_title, self.recent),
        ):
            layout.addSpacing(4)
            layout.addWidget(title)
            layout.addWidget(body)
        layout.addWidget(self.memory_status)
        layout.addStretch(1)
        self.show_card(None)

    def show_card(self, card: CardView | None, *, queue: str = "") -> None:
        """Fill the card (None: empty); the memory follows with `show_memory`."""
        contact = card.contact if card is not None else None
        number = card.number if card is not None else ""
        self._contact_id = contact.id if contact is not None else ""
        self._number = number or (contact.phones[0] if contact and contact.phones else "")
        shown = format_number(self._number)
        if contact is not None:
            self.title.setText(self.tr("Customer"))
            self.name.setText(contact.full_name or shown)
            company = contact.company if contact.company != contact.full_name else ""
            self.company.setText(company)
            self.account.setText(
                self.tr("Account {ref}").format(ref=contact.account_ref)
                if contact.account_ref
                else ""
            )
            self.tags.setText("  ".join(f"#{t}" for t in contact.tags))
        else:
            self.title.setText(self.tr("Caller"))
            self.name.setText(self.tr("Unknown caller") if card is not None else "")
            for label in (self.company, self.account, self.tags):
                label.setText("")
        self.number.setText(shown)
        self.queue.setText(self.tr("Queue: {queue}").format(queue=queue) if queue else "")
        self.create_box.setVisible(card is not None and contact is None)
        self.call_button.setVisible(self._callable and bool(self._number))
        for label in (self.company, self.account, self.tags, self.queue):
            label.setVisible(bool(label.text()))
        self.setAccessibleName(self.name.text())
        if contact is None:
            self._memory_for, self._memory, self._server_unavailable = "", None, False
            self._draw_memory()
        elif contact.id != self._memory_for:
            # the cache's latest note, until the memory comes (a moment later)
            self._memory_for, self._server_unavailable = "", False
            preview = (
                (ContactNote(contact.notes, dt.datetime.now(dt.UTC)),) if contact.notes else ()
            )
            self._memory = ContactMemory(contact.id, notes=preview, complete=False)
            self._preview = True
            self._draw_memory()

    @property
    def contact_id(self) -> str:
        """The id of the contact shown, or ""."""
        return self._contact_id

    def set_dispositions(self, dispositions: tuple[Disposition, ...]) -> None:
        """The team's dispositions, so a call's code reads as its label."""
        if dispositions != self._dispositions:
            self._dispositions = dispositions
            self._draw_memory()

    def begin_memory(self) -> None:
        """A new load of the memory starts (what is shown stays until it comes)."""
        self._server_answered = self._server_unavailable = False

    def show_memory(self, memory: ContactMemory) -> None:
        """Show what the desk remembers of the contact shown (ignored for another one)."""
        if memory.contact_id != self._contact_id:
            return
        if self._server_answered and not memory.complete:
            return  # the server's answer came first: the cache's part adds nothing
        self._server_answered = memory.complete
        self._memory_for, self._memory, self._preview = memory.contact_id, memory, False
        self._draw_memory()

    def memory_unavailable(self, contact_id: str) -> None:
        """The server cannot tell now: keep the cache's part and say it may be partial."""
        if contact_id == self._contact_id and self._contact_id:
            self._server_unavailable = True
            self._draw_memory()

    def _draw_memory(self) -> None:
        memory, dated = self._memory, not self._preview
        notes_n, callbacks_n, calls_n = self._limits
        notes = [self._note_line(n, dated) for n in memory.notes[:notes_n]] if memory else []
        callbacks = [
            " — ".join(p for p in (local_date_time(c.due_at), c.notes) if p)
            for c in (memory.callbacks[:callbacks_n] if memory else ())
        ]
        calls = []
        for entry in memory.calls[:calls_n] if memory else ():
            parts = [local_date_time(entry.started_at), outcome_text(entry.outcome)]
            if entry.duration_s:
                parts.append(format_duration(entry.duration_s))
            if entry.disposition:
                parts.append(disposition_text(entry.disposition, self._dispositions))
            calls.append(" · ".join(parts))
        for title, body, lines in (
            (self.notes_title, self.notes, notes),
            (self.callbacks_title, self.callbacks, callbacks),
            (self.recent_title, self.recent, calls),
        ):
            body.setText("\n".join(lines))
            title.setVisible(bool(lines))
            body.setVisible(bool(lines))
        full = "\n\n".join(n.text for n in memory.notes[:notes_n]) if memory else ""
        self.notes.setToolTip(full)
        self.memory_status.setText(
            self.tr("Server history unavailable: showing what this computer knows.")
            if self._server_unavailable
            else ""
        )
        self.memory_status.setVisible(self._server_unavailable)

    def _note_line(self, note: ContactNote, dated: bool) -> str:
        text = " ".join(note.text.split())
        if len(text) > NOTE_CHARS:
            text = text[: NOTE_CHARS - 1].rstrip() + "…"
        if not dated:
            return self.tr("Last note: {note}").format(note=text)
        author = self.tr("you") if note.mine else (note.author or self.tr("a colleague"))
        return self.tr("{when} · {author}: {note}").format(
            when=local_date_time(note.created_at), author=author, note=text
        )

    def expect_paint(self, call_id: int) -> None:
        """Report the next paint of the card as the screen-pop of `call_id`."""
        self._paint_for_call = call_id
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if self._paint_for_call is not None:
            call_id, self._paint_for_call = self._paint_for_call, None
            self.first_painted.emit(call_id, time.monotonic_ns())

    def _on_call_button_clicked(self) -> None:
        if self._number:
            self.dial_requested.emit(self._number)

    def _on_create_button_clicked(self) -> None:
        first, last = self.first_name.text().strip(), self.last_name.text().strip()
        company = self.company_edit.text().strip()
        if first or last or company:
            self.create_requested.emit(first, last, company)
            for edit in (self.first_name, self.last_name, self.company_edit):
                edit.clear()
