"""Desktop notifications: attention without taking keyboard focus.

In order: the desktop's notification service (`DesktopNotifications`, injected by the
composition: freedesktop ``org.freedesktop.Notifications`` on Linux), with Answer /
Decline on a ringing call where the service has actions; else the tray icon's balloon;
else nothing but the taskbar alert. The window may be raised, never activated.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Protocol

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QApplication, QSystemTrayIcon, QWidget

from homeagent.core.agent_state import AgentState
from homeagent.ui.qt.theme import STATE_COLOURS

_log = logging.getLogger(__name__)

ANSWER, DECLINE, DEFAULT = "answer", "decline", "default"


class DesktopNotifications(Protocol):
    """The desktop's notification service (see `homeagent.desktop.notifications`)."""

    @property
    def available(self) -> bool:
        """Whether a notification server answered."""
        ...

    @property
    def supports_actions(self) -> bool:
        """Whether the server shows action buttons ("actions" capability)."""
        ...

    def show(
        self,
        title: str,
        body: str,
        *,
        actions: Sequence[tuple[str, str]] = (),
        on_action: Callable[[str], None] | None = None,
        on_failed: Callable[[], None] | None = None,
        urgent: bool = False,
    ) -> int:
        """Show a notification; returns a token for `close`. `on_action(key)` runs on the
        GUI thread when the agent clicks an action; `on_failed` when the server refused."""
        ...

    def close(self, token: int) -> None:
        """Withdraw a notification (its call stopped ringing)."""
        ...


def state_icon(state: AgentState, size: int = 32) -> QIcon:
    """A filled circle in the state's colour (the window icon)."""
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
    """Shows a notification when a call rings, an urgent message arrives or a callback is due."""

    answer_requested = Signal()  # payload: none (Answer on the ringing call's notification)
    decline_requested = Signal()  # payload: none (Decline on it)
    show_requested = Signal()  # payload: none (the agent clicked a notification's body)

    def __init__(
        self,
        window: QWidget,
        parent: QObject | None = None,
        *,
        desktop: DesktopNotifications | None = None,
        tray: QSystemTrayIcon | None = None,
    ) -> None:
        super().__init__(parent)
        self._window = window
        self.desktop = desktop
        self.tray = tray
        self._call_token: int | None = None
        # one window icon per state, made once: a new QIcon at each change cost the X11
        # window ~4.6 KB that Qt never gave back (4 changes a call: +11 MB over 200 calls)
        self._icons: dict[AgentState, QIcon] = {}
        self._icon_state: AgentState | None = None
        self.shown: list[tuple[str, str]] = []  # (title, text), for tests and the log
        self.via: list[str] = []  # "desktop", "tray" or "none" for each notification

    def use(
        self, *, desktop: DesktopNotifications | None = None, tray: QSystemTrayIcon | None = None
    ) -> None:
        """The composition adds what the desktop has (a notification service, a tray)."""
        self.desktop = desktop if desktop is not None else self.desktop
        self.tray = tray if tray is not None else self.tray

    def set_state(self, state: AgentState, text: str) -> None:
        """Colour the window icon like the presence button (the tray has its own)."""
        if state is self._icon_state:
            return
        self._icon_state = state
        icon = self._icons.get(state)
        if icon is None:
            icon = self._icons[state] = state_icon(state)
        self._window.setWindowIcon(icon)

    def notify(self, title: str, text: str) -> None:
        """Raise attention: a notification, a taskbar alert, the window raised (not focused)."""
        self._show(title, text, call=False)

    def notify_call(self, title: str, text: str) -> None:
        """A call rings: the notification has Answer / Decline where the server has actions."""
        self.call_over()
        self._show(title, text, call=True)

    def call_over(self) -> None:
        """The call stopped ringing: withdraw its notification and forget its buttons."""
        token, self._call_token = self._call_token, None
        if token is not None and self.desktop is not None:
            try:
                self.desktop.close(token)
            except Exception:
                _log.exception("withdrawing the ringing notification failed")

    def _show(self, title: str, text: str, *, call: bool) -> None:
        self.shown.append((title, text))
        desktop = self.desktop
        via = "none"
        if desktop is not None and desktop.available:
            actions: list[tuple[str, str]] = [(DEFAULT, self.tr("Show HomeAgent"))]
            if call and desktop.supports_actions:
                actions += [(ANSWER, self.tr("Answer")), (DECLINE, self.tr("Decline"))]
            holder: list[int] = []
            token = desktop.show(
                title,
                text,
                actions=actions,
                on_action=lambda key: self._on_action(holder[0] if holder else -1, key),
                on_failed=lambda: self._fall_back(title, text),
                urgent=call,
            )
            holder.append(token)
            if call:
                self._call_token = token
            via = "desktop"
        elif self._show_in_tray(title, text):
            via = "tray"
        self.via.append(via)
        QApplication.alert(self._window, 0)
        if not self._window.isMinimized() and QGuiApplication.platformName() != "offscreen":
            self._window.raise_()  # raise_() never activates: focus stays where it is

    def _fall_back(self, title: str, text: str) -> None:
        """The service refused the notification: the tray's balloon, when there is one."""
        self._show_in_tray(title, text)

    def _show_in_tray(self, title: str, text: str) -> bool:
        tray = self.tray
        if tray is None or not tray.isVisible() or not QSystemTrayIcon.supportsMessages():
            return False
        tray.showMessage(title, text, QSystemTrayIcon.MessageIcon.Information, 8000)
        return True

    def _on_action(self, token: int, key: str) -> None:
        if key == DEFAULT:
            self.show_requested.emit()
            return
        if token != self._call_token:  # a late click on a call that already stopped ringing
            _log.info("notification action %r for a call that no longer rings: ignored", key)
            return
        self._call_token = None
        if key == ANSWER:
            self.answer_requested.emit()
        elif key == DECLINE:
            self.decline_requested.emit()
