"""Ringing and in-call panels: Answer / Decline, then timer, hold, mute, keypad, transfer."""

from __future__ import annotations

import time

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from homeagent.core.desk_snapshot import DeskSnapshot, Notice
from homeagent.core.timefmt import format_duration
from homeagent.ui.desk.supervision_indicator import SupervisionIndicator
from homeagent.ui.qt.labels import help_text, key_text, notice_text
from homeagent.ui.qt.phone_format import format_number

KEYS = "123456789*0#"


class RingingPanel(QWidget):
    """A big Answer and a Decline; says which queue and when auto-answer happens."""

    answer_requested = Signal()  # payload: none
    decline_requested = Signal()  # payload: none

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.heading = QLabel(self)
        self.heading.setObjectName("SectionTitle")
        self.detail = QLabel(self)
        self.detail.setProperty("role", "muted")
        self.detail.setWordWrap(True)
        self.answer = QPushButton(self)
        self.answer.setObjectName("AnswerButton")
        self.answer.clicked.connect(self.answer_requested)
        self.decline = QPushButton(self)
        self.decline.setObjectName("DeclineButton")
        self.decline.clicked.connect(self.decline_requested)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 0, 0, 0)
        layout.setSpacing(12)
        layout.addWidget(self.heading)
        layout.addWidget(self.detail)
        layout.addSpacing(12)
        layout.addWidget(self.answer)
        layout.addWidget(self.decline)
        layout.addStretch(1)
        self.retranslate()

    def retranslate(self) -> None:
        """Set the words (after a language change too)."""
        self.heading.setText(self.tr("Incoming call"))
        self.answer.setText(self.tr("Answer  ({keys})").format(keys=key_text("Ctrl+Return")))
        self.decline.setText(self.tr("Decline  ({keys})").format(keys=key_text("Ctrl+Shift+R")))

    def show_snapshot(self, snap: DeskSnapshot) -> None:
        """Show queue and auto-answer."""
        call = snap.call
        if call is None:
            return
        parts = []
        if call.queue:
            parts.append(self.tr("Queue: {queue}").format(queue=call.queue))
        if call.auto_answer_in_s is not None:
            parts.append(
                self.tr("Answers automatically in {s} s").format(s=round(call.auto_answer_in_s))
            )
        self.detail.setText("\n".join(parts))
        self.detail.setVisible(bool(parts))


class Keypad(QWidget):
    """Twelve DTMF keys (the digits can also be typed on the keyboard)."""

    digit_pressed = Signal(str)  # payload: one of 0-9 * #

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(4)
        for i, key in enumerate(KEYS):
            button = QPushButton(key, self)
            button.setMinimumHeight(30)
            button.setAccessibleName(self.tr("Key {key}").format(key=key))
            button.clicked.connect(lambda _=False, k=key: self.digit_pressed.emit(k))
            grid.addWidget(button, i // 3, i % 3)


class CallControls(QWidget):
    """Timer, hold, mute, keypad, hang up, transfers, quality and the help button."""

    hold_requested = Signal()  # payload: none (toggle)
    mute_requested = Signal()  # payload: none (toggle)
    hangup_requested = Signal()  # payload: none
    dtmf_requested = Signal(str)  # payload: digits to send
    blind_transfer_requested = Signal(str)  # payload: destination (queue, agent or number)
    consult_requested = Signal(str)  # payload: destination to consult before transferring
    complete_transfer_requested = Signal()  # payload: none
    help_requested = Signal()  # payload: none
    notes_edited = Signal(str)  # payload: the notes typed during the call (whole text)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._connected_at_s: float | None = None
        self._held_since_s: float | None = None
        self._call_id: int | None = None
        self.notes = QPlainTextEdit(self)
        self.notes.setTabChangesFocus(True)
        self.notes.textChanged.connect(lambda: self.notes_edited.emit(self.notes.toPlainText()))
        self.notes_label = QLabel(self)
        self.notes_label.setBuddy(self.notes)
        self.state = QLabel(self)
        self.state.setObjectName("SectionTitle")
        self.muted_badge = QLabel(self)  # the microphone is off: said beside the timer too
        self.muted_badge.setObjectName("MutedBadge")
        self.muted_badge.setVisible(False)
        self.timer = QLabel("00:00", self)
        self.timer.setObjectName("Timer")
        self.supervision = SupervisionIndicator(self)  # a team lead on the call
        self.hold = QPushButton(self)
        self.hold.setCheckable(True)
        self.hold.clicked.connect(self._on_hold_clicked)
        self.mute = QPushButton(self)
        self.mute.setCheckable(True)
        self.mute.clicked.connect(self._on_mute_clicked)
        self.keypad_toggle = QPushButton(self)
        self.keypad_toggle.setCheckable(True)
        self.hangup = QPushButton(self)
        self.hangup.setObjectName("HangupButton")
        self.hangup.clicked.connect(self.hangup_requested)
        self.keypad = Keypad(self)
        self.keypad.digit_pressed.connect(self.dtmf_requested)
        self.keypad.setVisible(False)
        self.keypad_toggle.toggled.connect(self.keypad.setVisible)

        self.transfer_box = QGroupBox(self)
        self.destination = QLineEdit(self.transfer_box)
        self.destination.setAccessibleName(self.tr("Transfer destination"))
        self.blind = QPushButton(self.transfer_box)
        self.blind.clicked.connect(self._on_blind_clicked)
        self.consult = QPushButton(self.transfer_box)
        self.consult.clicked.connect(self._on_consult_clicked)
        self.complete = QPushButton(self.transfer_box)
        self.complete.clicked.connect(self.complete_transfer_requested)
        self.consult_state = QLabel(self.transfer_box)
        self.consult_state.setProperty("role", "muted")
        tbox = QVBoxLayout(self.transfer_box)
        tbox.addWidget(self.destination)
        trow = QHBoxLayout()
        for button in (self.blind, self.consult, self.complete):
            trow.addWidget(button)
        tbox.addLayout(trow)
        tbox.addWidget(self.consult_state)

        self.help = QPushButton(self)
        self.help.clicked.connect(self.help_requested)
        self.help_status = QLabel(self)  # "Envoyée" → "Claire M. arrive" → "Résolue"
        self.help_status.setObjectName("HelpStatus")
        self.help_status.setVisible(False)
        self.notice = QLabel(self)
        self.notice.setObjectName("Notice")
        self.notice.setWordWrap(True)

        row = QHBoxLayout()
        for button in (self.hold, self.mute, self.keypad_toggle):
            button.setMinimumHeight(36)
            row.addWidget(button)
        head = QHBoxLayout()
        head.addWidget(self.timer)
        head.addSpacing(12)
        head.addWidget(self.muted_badge)
        head.addStretch(1)
        head.addWidget(self.hangup)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 0, 0, 0)
        layout.setSpacing(8)
        layout.addWidget(self.state)
        layout.addLayout(head)
        layout.addWidget(self.supervision)
        layout.addLayout(row)
        layout.addWidget(self.keypad)
        layout.addWidget(self.transfer_box)
        help_row = QHBoxLayout()
        help_row.addWidget(self.help)
        help_row.addWidget(self.help_status, 1)
        layout.addLayout(help_row)
        layout.addWidget(self.notice)
        layout.addWidget(self.notes_label)
        layout.addWidget(self.notes, 1)  # the rest of the height: agents write while talking
        self.retranslate()

    def retranslate(self) -> None:
        """Set the words."""
        self.notes_label.setText(self.tr("&Notes during the call (the wrap-up starts from them)"))
        self.notes.setPlaceholderText(self.tr("What the customer says, what you promise…"))
        self.hold.setText(self.tr("Hold  (Ctrl+H)"))
        self.mute.setText(self.tr("Mute  (Ctrl+M)"))
        self.keypad_toggle.setText(self.tr("Keypad"))
        self.hangup.setText(self.tr("Hang up  (Ctrl+Shift+E)"))
        self.transfer_box.setTitle(self.tr("Transfer"))
        self.destination.setPlaceholderText(self.tr("Queue, agent or number"))
        self.blind.setText(self.tr("Transfer now"))
        self.consult.setText(self.tr("Consult first"))
        self.complete.setText(self.tr("Complete transfer"))
        self.help.setText(self.tr("Ask for help"))
        self.help.setToolTip(
            self.tr("Ask your team lead for help ({keys})").format(keys=key_text("Ctrl+Shift+H"))
        )

    def show_snapshot(self, snap: DeskSnapshot) -> None:
        """Reflect the call's state (buttons checked, consult progress, notice)."""
        call = snap.call
        if call is None:
            return
        if call.call_id != self._call_id:  # a new call starts with an empty page
            self._call_id = call.call_id
            self.notes.blockSignals(True)
            self.notes.clear()
            self.notes.blockSignals(False)
        self._connected_at_s = call.connected_at_s
        self._held_since_s = call.held_since_s if call.held else None
        connected = call.connected_at_s is not None
        self.muted_badge.setText(self.tr("Microphone off"))
        self.muted_badge.setVisible(call.muted)
        self.supervision.show_view(snap.supervision)
        if call.held:
            self._show_held()
        elif connected:
            self.state.setText(self.tr("In conversation"))
        else:
            self.state.setText(self.tr("Calling…"))
        self.hold.setChecked(call.held)
        self.hold.setText(self.tr("Resume  (Ctrl+H)") if call.held else self.tr("Hold  (Ctrl+H)"))
        self.mute.setChecked(call.muted)
        self.mute.setText(self.tr("Unmute  (Ctrl+M)") if call.muted else self.tr("Mute  (Ctrl+M)"))
        for widget in (self.hold, self.mute, self.keypad_toggle, self.transfer_box):
            widget.setEnabled(connected)
        self.help.setEnabled(not call.help_requested)
        self.help.setText(
            self.tr("Help requested") if call.help_requested else self.tr("Ask for help")
        )
        self.help_status.setText(help_text(snap.help) if snap.help else "")
        self.help_status.setAccessibleName(self.help_status.text())
        self.help_status.setVisible(snap.help is not None)
        consult = snap.consult
        self.complete.setEnabled(consult is not None)
        self.consult.setEnabled(consult is None)
        self.consult_state.setText(
            self.tr("Consulting {number}…").format(number=format_number(consult.number))
            if consult
            else ""
        )
        self.consult_state.setVisible(consult is not None)
        # the help request's status says more than "sent" (it may still be on its way)
        shown = Notice.NONE if snap.notice is Notice.HELP_SENT and snap.help else snap.notice
        self.notice.setText(notice_text(shown))
        self.refresh()

    def _show_held(self) -> None:
        since = self._held_since_s
        held_s = time.time() - since if since is not None else 0.0
        self.state.setText(self.tr("On hold · {time}").format(time=format_duration(held_s)))

    def refresh(self) -> None:
        """Update the timers (called every second)."""
        if self._held_since_s is not None:
            self._show_held()
        if self._connected_at_s is not None:
            self.timer.setText(format_duration(time.time() - self._connected_at_s))
        else:
            self.timer.setText("00:00")

    def _on_hold_clicked(self) -> None:
        self.hold.setChecked(not self.hold.isChecked())  # the snapshot decides
        self.hold_requested.emit()

    def _on_mute_clicked(self) -> None:
        self.mute.setChecked(not self.mute.isChecked())
        self.mute_requested.emit()

    def _on_blind_clicked(self) -> None:
        if self.destination.text().strip():
            self.blind_transfer_requested.emit(self.destination.text().strip())

    def _on_consult_clicked(self) -> None:
        if self.destination.text().strip():
            self.consult_requested.emit(self.destination.text().strip())
