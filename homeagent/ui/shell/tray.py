"""The tray icon: the presence colour at a glance, and the desk's quick actions.

The icon is the presence disc (`state_icon`, the button's colours) with a warning mark
when the SIP line is down and a red badge counting the calls missed since the agent last
looked at the window; the tooltip says the same in words (colour is never the only
signal). Its menu: Show, Answer (while ringing), Available / Break ▸ reasons / Offline,
the two start-up settings, Quit.

Where the desktop has no tray (`QSystemTrayIcon.isSystemTrayAvailable()` false) the
object still exists, its menu too, but no icon is shown: the window stays the way in and
closing it quits.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QRectF, Qt, Signal
from PySide6.QtGui import QAction, QColor, QFont, QIcon, QPainter
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from homeagent.core.agent_state import AgentState
from homeagent.core.desk_snapshot import DeskSnapshot, Notice, Screen
from homeagent.core.events import RegistrationState
from homeagent.ui.qt.labels import presence_text, registration_text
from homeagent.ui.qt.theme import STATE_COLOURS, state_icon

ICON_PX = 64
_WARNING_FILL = "#B3261E"


def tray_icon(state: AgentState, *, line_down: bool = False, missed: int = 0) -> QIcon:
    """The presence disc, with a "!" mark when the line is down and a missed-call badge."""
    pixmap = state_icon(state, ICON_PX).pixmap(ICON_PX, ICON_PX)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    font = QFont()
    font.setBold(True)
    font.setPixelSize(ICON_PX // 3)
    painter.setFont(font)
    if line_down:  # bottom-left: a warning triangle's "!" in a red disc
        _badge(painter, QRectF(0, ICON_PX * 0.5, ICON_PX * 0.5, ICON_PX * 0.5), "!")
    if missed > 0:  # top-right: the count
        text = str(missed) if missed < 10 else "9+"
        _badge(painter, QRectF(ICON_PX * 0.45, 0, ICON_PX * 0.55, ICON_PX * 0.55), text)
    painter.end()
    return QIcon(pixmap)


def _badge(painter: QPainter, rect: QRectF, text: str) -> None:
    painter.setPen(QColor("#FFFFFF"))
    painter.setBrush(QColor(_WARNING_FILL))
    painter.drawEllipse(rect)
    painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)


class DeskTray(QObject):
    """Tray icon and menu; renders `DeskSnapshot`s, every choice leaves as a signal."""

    show_requested = Signal()  # payload: none (bring the window back)
    answer_requested = Signal()  # payload: none
    presence_requested = Signal(object, str)  # payload: (AgentState, break reason or "")
    start_minimized_toggled = Signal(bool)  # payload: the new setting
    autostart_toggled = Signal(bool)  # payload: the new setting
    quit_requested = Signal()  # payload: none

    def __init__(self, parent: QObject | None = None, *, available: bool | None = None) -> None:
        super().__init__(parent)
        if available is None:
            available = QSystemTrayIcon.isSystemTrayAvailable()
        self.available = available
        self.missed = 0
        self._snapshot: DeskSnapshot | None = None
        self._icons: dict[tuple[AgentState, bool, int], QIcon] = {}  # see current_icon
        self._reasons: tuple[str, ...] | None = None
        self.menu = QMenu()
        self.show_action = QAction(self.tr("Show HomeAgent"), self)
        self.show_action.triggered.connect(self.show_requested)
        self.answer_action = QAction(self.tr("Answer"), self)
        self.answer_action.setEnabled(False)
        self.answer_action.triggered.connect(self.answer_requested)
        self.presence_actions: list[QAction] = []
        self.breaks = QMenu(self.tr("Break"))
        self.start_minimized_action = QAction(self.tr("Start minimised in the tray"), self)
        self.start_minimized_action.setCheckable(True)
        self.start_minimized_action.toggled.connect(self.start_minimized_toggled)
        self.autostart_action = QAction(self.tr("Start at login"), self)
        self.autostart_action.setCheckable(True)
        self.autostart_action.toggled.connect(self.autostart_toggled)
        self.quit_action = QAction(self.tr("Quit HomeAgent"), self)
        self.quit_action.triggered.connect(self.quit_requested)
        self._build_menu(())
        self.icon: QSystemTrayIcon | None = None
        if available:
            self.icon = QSystemTrayIcon(tray_icon(AgentState.OFFLINE), self)
            self.icon.setContextMenu(self.menu)
            self.icon.setToolTip("HomeAgent")
            self.icon.activated.connect(self._on_icon_activated)
            self.icon.show()

    def _build_menu(self, reasons: tuple[str, ...]) -> None:
        """Show, Answer, Available / Break ▸ reasons / Offline, settings, Quit."""
        menu = self.menu
        menu.clear()
        self.breaks.clear()
        menu.addAction(self.show_action)
        menu.addAction(self.answer_action)
        menu.addSeparator()

        def presence(state: AgentState, text: str, reason: str = "") -> QAction:
            label = text if reason else f"{STATE_COLOURS[state].mark}  {text}"  # like the button
            action = QAction(state_icon(state), label, self)
            action.triggered.connect(lambda: self.presence_requested.emit(state, reason))
            return action

        available = presence(AgentState.AVAILABLE, self.tr("Available"))
        menu.addAction(available)
        self.breaks.setIcon(state_icon(AgentState.BREAK))
        self.breaks.setTitle(f"{STATE_COLOURS[AgentState.BREAK].mark}  {self.tr('Break')}")
        break_actions = [presence(AgentState.BREAK, r, r) for r in reasons or (self.tr("Break"),)]
        for action in break_actions:
            self.breaks.addAction(action)
        menu.addMenu(self.breaks)
        offline = presence(AgentState.OFFLINE, self.tr("Offline"))
        menu.addAction(offline)
        self.presence_actions = [available, *break_actions, offline]
        menu.addSeparator()
        menu.addAction(self.start_minimized_action)
        menu.addAction(self.autostart_action)
        menu.addSeparator()
        menu.addAction(self.quit_action)
        self._reasons = reasons

    def set_settings(self, *, start_minimized: bool, autostart: bool) -> None:
        """Show the stored settings (without emitting their toggles)."""
        for action, value in (
            (self.start_minimized_action, start_minimized),
            (self.autostart_action, autostart),
        ):
            action.blockSignals(True)
            action.setChecked(value)
            action.blockSignals(False)

    def show_snapshot(self, snap: DeskSnapshot) -> None:
        """Colour, marks, tooltip and the menu's enabled actions for this snapshot."""
        previous, self._snapshot = self._snapshot, snap
        if snap.team.pause_reasons != self._reasons:
            self._build_menu(snap.team.pause_reasons)
        was_ringing = previous is not None and previous.screen is Screen.RINGING
        if was_ringing and snap.screen is not Screen.IN_CALL and snap.notice is Notice.CALL_MISSED:
            self.missed += 1
        self.answer_action.setEnabled(snap.screen is Screen.RINGING)
        manual = not snap.presence.state.is_automatic
        self.breaks.setEnabled(manual)
        for action in self.presence_actions:
            action.setEnabled(manual)
        self._draw()

    def clear_missed(self) -> None:
        """The agent looked at the window: the missed calls are seen (History keeps them)."""
        if self.missed:
            self.missed = 0
            self._draw()

    def tooltip(self) -> str:
        """What the tray says in words (also the icon's tooltip)."""
        snap = self._snapshot
        if snap is None:
            return "HomeAgent"
        lines = [f"HomeAgent — {presence_text(snap.presence)}"]
        if snap.registration in (RegistrationState.FAILED, RegistrationState.UNREGISTERED):
            lines.append(
                self.tr("{line}: calls cannot reach you").format(
                    line=registration_text(snap.registration)
                )
            )
        if self.missed:
            lines.append(self.tr("Missed calls: {count}").format(count=self.missed))
        return "\n".join(lines)

    def current_icon(self) -> QIcon:
        """The icon for the current snapshot (the tray's, and the window's).

        Each look is drawn once and kept (a few dozen at most: 7 states, the line mark, the
        badge's 1–9 and 9+): a new QIcon at each snapshot grew the process at every call."""
        snap = self._snapshot
        state = snap.presence.state if snap else AgentState.OFFLINE
        key = (state, self.line_down, min(self.missed, 10))
        icon = self._icons.get(key)
        if icon is None:
            icon = self._icons[key] = tray_icon(state, line_down=key[1], missed=key[2])
        return icon

    @property
    def line_down(self) -> bool:
        """Whether the SIP line failed (registering at start is not a failure)."""
        snap = self._snapshot
        return snap is not None and snap.registration is RegistrationState.FAILED

    def _draw(self) -> None:
        if self.icon is not None:
            icon = self.current_icon()
            if icon.cacheKey() != self.icon.icon().cacheKey():
                self.icon.setIcon(icon)
            self.icon.setToolTip(self.tooltip())

    def hide(self) -> None:
        """Remove the icon (the desk is going away)."""
        if self.icon is not None:
            self.icon.hide()

    def _on_icon_activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (
            QSystemTrayIcon.ActivationReason.Trigger,
            QSystemTrayIcon.ActivationReason.DoubleClick,
        ):
            self.show_requested.emit()
