"""The board's row actions: one set of QActions for the context menu, the toolbar and the
keyboard; the set-state dialog. The actions emit intents; the console's controller acts."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QMenu,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from homeagent.core.agent_state import AgentState
from homeagent.core.lead_board import CALL_STATES
from homeagent.core.lead_records import BoardRow, RemoteState
from homeagent.ui.qt.theme import state_icon

NOTE_MAX_CHARS = 500
# (agent id, mode) -> (enabled, tooltip): what call supervision allows on one agent
SupervisionGate = Callable[[str, str], tuple[bool, str]]
# Console shortcuts (the console's own; the desk's are in ui/shell/shortcuts.SHORTCUTS
# and none of these clashes with them: Ctrl+I is the desk's inbox, Ctrl+Shift+I barges).
LEAD_SHORTCUTS: dict[str, str] = {
    "message": "Ctrl+Shift+M",
    "set_state": "Ctrl+Shift+T",
    "cancel_pending": "Ctrl+Shift+U",
    "day": "Ctrl+Shift+J",
    "listen": "Ctrl+Shift+L",
    "whisper": "Ctrl+Shift+W",
    "barge": "Ctrl+Shift+I",
    "stop_supervision": "Ctrl+Shift+X",
    "settings": "Ctrl+Shift+K",
    "wallboard": "F11",
    "diagnostics": "Ctrl+Shift+G",
}


class BoardActions(QObject):
    """Row actions over the board's selection (`selected()` gives the chosen rows)."""

    message_requested = Signal(list)  # payload: list[str] agent ids (U2's composer)
    day_requested = Signal(str)  # payload: agent id (U2's day view)
    state_change_requested = Signal(
        list, str, str, str
    )  # payload: (agent ids, state, reason, note)
    cancel_pending_requested = Signal(list)  # payload: list[str] agent ids with a pending change
    settings_requested = Signal()  # payload: none
    wallboard_requested = Signal()  # payload: none
    supervise_requested = Signal(str, str)  # payload: (agent id, listen | whisper | barge)
    stop_supervision_requested = Signal()  # payload: none
    diagnostics_requested = Signal(list)  # payload: list[str] agent ids (a report for IT)

    def __init__(
        self,
        selected: Callable[[], list[BoardRow]],
        dialog_parent: QWidget,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._selected = selected
        self._dialog_parent = dialog_parent
        self._reasons: tuple[str, ...] = ()
        self.last_dialog: SetStateDialog | None = None  # for tests
        self.message = self._action(self.tr("Message…"), "message", self._on_message)
        self.set_state = self._action(self.tr("Set state…"), "set_state", self._on_set_state)
        self.cancel_pending = self._action(
            self.tr("Cancel pending"), "cancel_pending", self._on_cancel
        )
        self.day = self._action(self.tr("Agent's day"), "day", self._on_day)
        self._gate: SupervisionGate = self._no_supervision
        self._supervising = False
        self.listen = self._action(self.tr("Listen"), "listen", lambda: self._supervise("listen"))
        self.whisper = self._action(
            self.tr("Whisper"), "whisper", lambda: self._supervise("whisper")
        )
        self.barge = self._action(self.tr("Barge in"), "barge", lambda: self._supervise("barge"))
        self.stop_supervision = self._action(
            self.tr("Stop supervising"), "stop_supervision", self.stop_supervision_requested.emit
        )
        self.supervision_actions = {
            "listen": self.listen, "whisper": self.whisper, "barge": self.barge,
        }  # fmt: skip
        self.settings = self._action(
            self.tr("Thresholds…"), "settings", self.settings_requested.emit
        )
        self.wallboard = self._action(
            self.tr("Wallboard"), "wallboard", self.wallboard_requested.emit
        )
        self.diagnostics = self._action(
            self.tr("Ask for a diagnostic report"), "diagnostics", self._on_diagnostics
        )
        self.state_menu = QMenu(self.tr("Set state"), dialog_parent)
        self.state_menu.setToolTipsVisible(True)
        self.state_menu.aboutToShow.connect(self._build_state_menu)
        self.refresh()

    def _action(self, text: str, name: str, slot: Callable[[], object]) -> QAction:
        action = QAction(text, self)
        action.setShortcut(QKeySequence(LEAD_SHORTCUTS[name]))
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.setToolTip(f"{text.rstrip('…')} ({LEAD_SHORTCUTS[name]})")
        action.triggered.connect(slot)
        return action

    def all(self) -> list[QAction]:
        return [
            self.message, self.set_state, self.cancel_pending, self.day, self.listen,
            self.whisper, self.barge, self.stop_supervision, self.settings, self.wallboard,
            self.diagnostics,
        ]  # fmt: skip

    def set_supervision_gate(self, gate: SupervisionGate) -> None:
        """What call supervision allows (the console's supervision glue)."""
        self._gate = gate
        self.refresh()

    def set_supervising(self, active: bool) -> None:
        """A session of this lead is open: Stop is enabled."""
        self._supervising = active
        self.refresh()

    def _no_supervision(self, agent_id: str, mode: str) -> tuple[bool, str]:
        return False, self.tr("Call supervision is not available in this console")

    def set_pause_reasons(self, reasons: tuple[str, ...]) -> None:
        self._reasons = reasons
        self._build_state_menu()

    def refresh(self) -> None:
        """Enable what the selection allows (called when it changes)."""
        rows = self._selected()
        some = bool(rows)
        self.message.setEnabled(some)
        self.set_state.setEnabled(some)
        self.state_menu.setEnabled(some)
        self.cancel_pending.setEnabled(any(r.pending is not None for r in rows))
        self.day.setEnabled(len(rows) == 1)
        self.diagnostics.setEnabled(some)
        for mode, action in self.supervision_actions.items():
            if len(rows) == 1:
                enabled, tip = self._gate(rows[0].agent_id, mode)
            else:
                enabled, tip = False, self.tr("Select one agent in a call")
            action.setEnabled(enabled)
            action.setToolTip(f"{tip} ({LEAD_SHORTCUTS[mode]})" if enabled else tip)
        self.stop_supervision.setEnabled(self._supervising)

    def _build_state_menu(self) -> None:
        menu = self.state_menu
        menu.clear()
        rows = self._selected()
        if any(r.state in CALL_STATES for r in rows):
            note = menu.addAction(self.tr("Applied after the current call"))
            note.setEnabled(False)
        breaks = menu.addMenu(state_icon(AgentState.BREAK), self.tr("Break"))
        if not self._reasons:
            breaks.setEnabled(False)
            breaks.setToolTip(self.tr("This team has no break reasons"))
        for reason in self._reasons:
            act = breaks.addAction(state_icon(AgentState.BREAK), reason)
            act.triggered.connect(lambda _=False, r=reason: self.open_dialog("break", r))
        not_ready = menu.addAction(state_icon(AgentState.NOT_READY), self.tr("Not ready…"))
        not_ready.triggered.connect(lambda: self.open_dialog("not_ready", ""))
        offline = menu.addAction(state_icon(AgentState.OFFLINE), self.tr("Sign out (Offline)…"))
        offline.triggered.connect(lambda: self.open_dialog("offline", ""))

    def context_menu(self, parent: QWidget) -> QMenu:
        """The rows' context menu (the same actions as the toolbar)."""
        menu = QMenu(parent)
        menu.setToolTipsVisible(True)
        menu.addAction(self.message)
        menu.addMenu(self.state_menu)
        menu.addAction(self.cancel_pending)
        menu.addSeparator()
        menu.addAction(self.day)
        menu.addAction(self.diagnostics)
        menu.addSeparator()
        for action in (self.listen, self.whisper, self.barge):
            menu.addAction(action)
        if self._supervising:
            menu.addAction(self.stop_supervision)
        return menu

    # -- slots ---------------------------------------------------------------------------

    def _ids(self) -> list[str]:
        return [r.agent_id for r in self._selected()]

    def _on_message(self) -> None:
        ids = self._ids()
        if ids:
            self.message_requested.emit(ids)

    def _on_diagnostics(self) -> None:
        ids = self._ids()
        if ids:
            self.diagnostics_requested.emit(ids)

    def _supervise(self, mode: str) -> None:
        rows = self._selected()
        if len(rows) == 1:  # the receiver checks again and says why when it cannot
            self.supervise_requested.emit(rows[0].agent_id, mode)

    def _on_day(self) -> None:
        ids = self._ids()
        if len(ids) == 1:
            self.day_requested.emit(ids[0])

    def _on_cancel(self) -> None:
        ids = [r.agent_id for r in self._selected() if r.pending is not None]
        if ids:
            self.cancel_pending_requested.emit(ids)

    def _on_set_state(self) -> None:
        self.open_dialog("break" if self._reasons else "not_ready", "")

    def open_dialog(self, state: RemoteState, reason: str) -> SetStateDialog | None:
        """The set-state dialog for the selection (non-modal; its answer is an intent)."""
        rows = self._selected()
        if not rows:
            return None
        dialog = SetStateDialog(rows, self._reasons, state, reason, self._dialog_parent)
        dialog.accepted.connect(
            lambda: self.state_change_requested.emit([r.agent_id for r in rows], *dialog.choice())
        )
        dialog.finished.connect(dialog.deleteLater)
        self.last_dialog = dialog
        # never modal: a call that rings meanwhile must stay one click / one key away
        dialog.setWindowModality(Qt.WindowModality.NonModal)
        dialog.show()
        return dialog


class SetStateDialog(QDialog):
    """Break (with a team reason), Not ready or Sign out; an optional note for the agent."""

    def __init__(
        self,
        rows: Sequence[BoardRow],
        reasons: tuple[str, ...],
        state: RemoteState,
        reason: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        names = ", ".join(r.label for r in rows[:5]) + ("…" if len(rows) > 5 else "")
        self.setWindowTitle(self.tr("Set the state of {names}").format(names=names))
        box = QVBoxLayout(self)
        self.break_ = QRadioButton(self.tr("Break"), self)
        self.reason = QComboBox(self)
        self.reason.addItems(list(reasons))
        self.reason.setAccessibleName(self.tr("Break reason"))
        if reason in reasons:
            self.reason.setCurrentText(reason)
        self.not_ready = QRadioButton(self.tr("Not ready"), self)
        self.offline = QRadioButton(
            self.tr("Sign out (Offline): the desk stops taking calls"), self
        )
        group = QButtonGroup(self)
        for button in (self.break_, self.not_ready, self.offline):
            group.addButton(button)
        self.break_.setEnabled(bool(reasons))
        {"break": self.break_, "not_ready": self.not_ready, "offline": self.offline}.get(
            state if (state != "break" or reasons) else "not_ready", self.not_ready
        ).setChecked(True)
        self.break_.toggled.connect(self.reason.setEnabled)
        self.reason.setEnabled(self.break_.isChecked())
        self.note = QLineEdit(self)
        self.note.setMaxLength(NOTE_MAX_CHARS)
        self.note.setPlaceholderText(self.tr("Note for the agent (optional)"))
        self.note.setAccessibleName(self.tr("Note for the agent"))
        in_call = [r.label for r in rows if r.state in CALL_STATES]
        self.in_call = QLabel(self)
        self.in_call.setWordWrap(True)
        if in_call:
            self.in_call.setText(
                self.tr(
                    "{names}: in a call — applied after the current call and its wrap-up."
                ).format(names=", ".join(in_call))
            )
        self.in_call.setVisible(bool(in_call))
        for widget in (
            self.break_,
            self.reason,
            self.not_ready,
            self.offline,
            self.note,
            self.in_call,
        ):
            box.addWidget(widget)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Apply"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        box.addWidget(buttons)
        self.note.setFocus()

    def choice(self) -> tuple[RemoteState, str, str]:
        """(state, reason, note) as the dialog stands."""
        note = self.note.text().strip()
        if self.break_.isChecked():
            return "break", self.reason.currentText(), note
        if self.offline.isChecked():
            return "offline", "", note
        return "not_ready", "", note
