"""The wrap-up form: notes, required disposition, optional callback, countdown, delivery."""

from __future__ import annotations

import datetime as dt
import itertools
import time

from PySide6.QtCore import QDateTime, QLocale, Qt, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from homeagent.core.desk_snapshot import DeskSnapshot
from homeagent.core.desk_types import Delivery
from homeagent.core.timefmt import format_duration
from homeagent.ui.qt.labels import delivery_text, help_text, notice_text


class WrapUpForm(QWidget):
    """Edits a draft the desk keeps; Save hands it to the outbox."""

    edited = Signal(str, str, object)  # payload: (notes, disposition code, datetime or None)
    save_requested = Signal()  # payload: none
    ready_requested = Signal()  # payload: none (back to Available by hand)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._interaction_id = ""
        self._deadline_s = 0.0
        self._codes: tuple[str, ...] = ()
        self.heading = QLabel(self)
        self.heading.setObjectName("SectionTitle")
        self.countdown = QLabel(self)
        self.countdown.setObjectName("Countdown")
        self.notes = QPlainTextEdit(self)
        self.notes.setTabChangesFocus(True)
        self.disposition = QComboBox(self)
        self.callback = QCheckBox(self)
        self.callback_at = QDateTimeEdit(self)
        self.callback_at.setCalendarPopup(True)
        self.callback_at.setAccessibleName(self.tr("Callback date and time"))
        self.callback_at.setEnabled(False)
        self.callback.toggled.connect(self.callback_at.setEnabled)
        self.save = QPushButton(self)
        self.save.setObjectName("PrimaryButton")
        self.save.clicked.connect(self.request_save)
        self.ready = QPushButton(self)
        self.ready.clicked.connect(self.ready_requested)
        self.delivery = QLabel(self)
        self.delivery.setObjectName("Delivery")
        self.notice = QLabel(self)
        self.notice.setObjectName("Notice")
        self.notice.setWordWrap(True)
        self.saved = QLabel(self)  # what was saved, once it was
        self.saved.setProperty("role", "muted")
        self.saved.setWordWrap(True)
        self.saved.setVisible(False)
        self.help_status = QLabel(self)  # the call's help request, still followed here
        self.help_status.setObjectName("HelpStatus")
        self.help_status.setVisible(False)
        self.disposition.currentIndexChanged.connect(self._on_disposition_changed)
        self.notes.textChanged.connect(self._on_field_changed)
        self.disposition.currentIndexChanged.connect(self._on_field_changed)
        self.callback.toggled.connect(self._on_field_changed)
        self.callback_at.dateTimeChanged.connect(self._on_field_changed)

        head = QHBoxLayout()
        head.addWidget(self.heading)
        head.addStretch(1)
        head.addWidget(self.countdown)
        self.form = QFormLayout()
        self.form.addRow(self.tr("&Disposition *"), self.disposition)
        self.form.addRow(self.tr("&Notes"), self.notes)
        callback_row = QHBoxLayout()
        callback_row.addWidget(self.callback)
        callback_row.addWidget(self.callback_at, 1)
        callback_label = QLabel(self.tr("Call&back"), self)
        callback_label.setBuddy(self.callback)  # a buddy makes the mnemonic work
        self.form.addRow(callback_label, callback_row)
        # Tab goes the way the form reads: Qualification, Notes, Callback, its time, Save
        chain = (self.disposition, self.notes, self.callback, self.callback_at, self.save)
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)
        actions = QHBoxLayout()
        actions.addWidget(self.delivery)
        actions.addStretch(1)
        actions.addWidget(self.ready)
        actions.addWidget(self.save)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 0, 0, 0)
        layout.addLayout(head)
        layout.addLayout(self.form)
        layout.addWidget(self.notice)
        layout.addWidget(self.saved)
        layout.addWidget(self.help_status)
        layout.addLayout(actions)
        self.heading.setText(self.tr("Wrap-up"))
        self.callback.setText(self.tr("Call back on"))
        self.save.setText(self.tr("Save  (Ctrl+S)"))
        self.ready.setText(self.tr("Ready for calls  (Ctrl+D)"))
        self.notes.setPlaceholderText(self.tr("What was the call about? What was done?"))

    def show_snapshot(self, snap: DeskSnapshot) -> None:
        """Reset for a new wrap-up; otherwise only reflect delivery and notices."""
        wrap = snap.wrap_up
        if wrap is None:
            return
        if wrap.interaction_id != self._interaction_id:
            self._interaction_id = wrap.interaction_id
            self._fill(snap)
        self._deadline_s = wrap.deadline_s
        editable = not wrap.submitted
        for widget in (self.notes, self.disposition, self.callback, self.save):
            widget.setEnabled(editable)
        self.callback_at.setEnabled(editable and self.callback.isChecked())
        self.delivery.setText(delivery_text(wrap.delivery))
        self.saved.setText(self._saved_text(snap) if wrap.submitted else "")
        self.saved.setVisible(wrap.submitted)
        self.ready.setVisible(wrap.submitted and not snap.team.auto_available_after_wrap_up)
        self.notice.setText(notice_text(snap.notice))
        self.help_status.setText(help_text(snap.help) if snap.help else "")
        self.help_status.setVisible(snap.help is not None)
        self.refresh()

    def _fill(self, snap: DeskSnapshot) -> None:
        wrap = snap.wrap_up
        assert wrap is not None
        widgets = (self.notes, self.disposition, self.callback, self.callback_at)
        for widget in widgets:
            widget.blockSignals(True)
        self.notes.setPlainText(wrap.notes)
        self.disposition.clear()
        self.disposition.addItem(self.tr("— Choose —"), "")
        for item in snap.team.dispositions:
            self.disposition.addItem(item.label, item.code)
        self._codes = ("", *(d.code for d in snap.team.dispositions))
        index = self._codes.index(wrap.disposition) if wrap.disposition in self._codes else 0
        self.disposition.setCurrentIndex(index)
        self.callback.setChecked(wrap.callback_at is not None)
        tomorrow = QDateTime.currentDateTime().addDays(1)
        tomorrow.setTime(tomorrow.time().fromString("10:00", "HH:mm"))
        self.callback_at.setDateTime(tomorrow)
        self.callback_at.setMinimumDateTime(QDateTime.currentDateTime())
        for widget in widgets:
            widget.blockSignals(False)

    def refresh(self) -> None:
        """Update the countdown (called every second)."""
        left = self._deadline_s - time.time()
        overdue = left < 0
        text = format_duration(abs(left))
        self.countdown.setText(
            self.tr("Over by {time}").format(time=text)
            if overdue
            else self.tr("{time} left").format(time=text)
        )
        if self.countdown.property("overdue") != overdue:
            self.countdown.setProperty("overdue", overdue)
            self.countdown.style().unpolish(self.countdown)
            self.countdown.style().polish(self.countdown)

    def request_save(self) -> None:
        """Save (button or Ctrl+S); without a disposition, go to it: the desk says why."""
        if not self.disposition.currentData():
            self.disposition.setFocus(Qt.FocusReason.OtherFocusReason)
        self.save_requested.emit()

    def _on_disposition_changed(self, _index: int) -> None:
        """A disposition that promises a callback ticks "Call back on" (one click less)."""
        code = str(self.disposition.currentData() or "")
        if _promises_callback(code) and not self.callback.isChecked():
            self.callback.setChecked(True)

    def _saved_text(self, snap: DeskSnapshot) -> str:
        """ "Saved: <disposition>, callback <date time>" from what the desk holds."""
        wrap = snap.wrap_up
        if wrap is None:
            return ""
        labels = {d.code: d.label for d in snap.team.dispositions}
        what = labels.get(wrap.disposition, self.disposition.currentText())
        if wrap.callback_at is None:
            return self.tr("Saved: {disposition}, no callback.").format(disposition=what)
        when = QDateTime.fromSecsSinceEpoch(int(wrap.callback_at.timestamp()))
        return self.tr("Saved: {disposition}, callback on {when}.").format(
            disposition=what, when=QLocale().toString(when, QLocale.FormatType.ShortFormat)
        )

    def current_callback(self) -> dt.datetime | None:
        """The callback time the agent set, as an aware datetime, or None."""
        if not self.callback.isChecked():
            return None
        secs = self.callback_at.dateTime().toSecsSinceEpoch()
        return dt.datetime.fromtimestamp(secs, dt.UTC)

    def _on_field_changed(self) -> None:
        code = self.disposition.currentData() or ""
        self.edited.emit(self.notes.toPlainText(), str(code), self.current_callback())

    def mnemonics(self) -> list[tuple[str, str]]:
        """(action, keys) of the form's Alt+letter fields, in the UI language (the letter
        is the label's: Alt+Q "Qualification" in French, Alt+D "Disposition" in English)."""
        rows = []
        for row in range(self.form.rowCount()):
            item = self.form.itemAt(row, QFormLayout.ItemRole.LabelRole)
            label = item.widget() if item is not None else None
            if not isinstance(label, QLabel):
                continue
            keys = QKeySequence.mnemonic(label.text())
            if keys.isEmpty():
                continue
            field = label.text().replace("&", "").rstrip(" *")
            rows.append(
                (
                    self.tr("Wrap-up: go to {field}").format(field=field),
                    keys.toString(),  # portable: the sheet shows it in native words
                )
            )
        return rows

    def delivery_is(self, delivery: Delivery) -> bool:
        """Whether the delivery label shows `delivery` (tests)."""
        return self.delivery.text() == delivery_text(delivery)


def _promises_callback(code: str) -> bool:
    """Whether a disposition code means "we call back" (``callback``, ``rappel_prevu``…)."""
    words = code.casefold().replace("-", "_").split("_")
    return "callback" in words or "rappel" in words
