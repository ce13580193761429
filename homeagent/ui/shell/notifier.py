"""Desktop notifications and the tray icon: attention without taking keyboard focus."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QApplication, QSystemTrayIcon, QWidget

from homeagent.core.agent_state import AgentState
from homeagent.ui.qt.theme import STATE_COLOURS


def state_icon(state: AgentState, size: int = 32) -> QIcon:
    """A filled circle in the state's colour (the tray and the window icon)."""
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setBrush(QColor(STATE_COLOURS[state].fill))
    painter.setPen(QColor("#FFFFFF"))
    painter.drawEllipse(2, 2, size - 4, size - 4)
    painter.end()
    return QIcon(pixmap)


class Notifier(QObject):
    """Shows a notification when a call rings or an urgent message arrives."""

    def __init__(self, window: QWidget, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._window = window
        self.tray: QSystemTrayIcon | None = None
        if QSystemTrayIcon.isSystemTrayAvailable():
            self.tray = QSystemTrayIcon(state_icon(AgentState.OFFLINE), self)
            self.tray.setToolTip("HomeAgent")
            self.tray.activated.connect(self._on_tray_activated)
            self.tray.show()
        self.shown: list[tuple[str, str]] = []  # (title, text), for tests and the log

    def set_state(self, state: AgentState, text: str) -> None:
        """Colour the tray icon and the window icon like the presence button."""
        icon = state_icon(state)
        self._window.setWindowIcon(icon)
        if self.tray is not None:
            self.tray.setIcon(icon)
            self.tray.setToolTip(f"HomeAgent — {text}")

    def notify(self, title: str, text: str) -> None:
        """Raise attention: tray message, taskbar alert, window raised but not activated."""
        self.shown.append((title, text))
        if self.tray is not None and QSystemTrayIcon.supportsMessages():
            self.tray.showMessage(title, text, QSystemTrayIcon.MessageIcon.Information, 8000)
        QApplication.alert(self._window, 0)
        if not self._window.isMinimized() and QGuiApplication.platformName() != "offscreen":
            self._window.raise_()  # raise_() never activates: focus stays where it is

    def _on_tray_activated(self, _reason: QSystemTrayIcon.ActivationReason) -> None:
        self._window.showNormal()
        self._window.raise_()
        self._window.activateWindow()  # the agent clicked the tray: focus is wanted
