"""The always-visible top bar: presence button, connection indicators, inbox, agent name."""

from __future__ import annotations

import time

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QButtonGroup, QHBoxLayout, QLabel, QMenu, QToolButton, QWidget

from homeagent.core.agent_state import AgentState
from homeagent.core.desk_snapshot import DeskSnapshot, QualityLevel
from homeagent.core.desk_types import ServerLink
from homeagent.core.events import RegistrationState
from homeagent.core.timefmt import format_duration
from homeagent.ui.qt.labels import presence_text, quality_text, registration_text, server_text
from homeagent.ui.qt.theme import RINGING_ALT, STATE_COLOURS, StateColour, state_icon
from homeagent.ui.shell.unsent import UnsentBadge


class PresenceButton(QToolButton):
    """Large coloured button: state name and time in it; its menu changes the presence."""

    presence_requested = Signal(object, str)  # payload: (AgentState, break reason or "")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("PresenceButton")
        self.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self._menu = QMenu(self)
        self.setMenu(self._menu)
        self._snapshot: DeskSnapshot | None = None
        self._reasons: tuple[str, ...] = ()
        self._pulse = False
        self._pulse_timer = QTimer(self)
        self._pulse_timer.setInterval(600)
        self._pulse_timer.timeout.connect(self._on_pulse_timer_timeout)
        self.setAccessibleName(self.tr("Presence"))
        self.setToolTip(self.tr("Change your presence (Ctrl+D: toggle Available)"))

    def _build_menu(self, reasons: tuple[str, ...]) -> None:
        """Available, Break ▸ reasons, Offline: each with the button's colour and mark."""
        self._menu.clear()

        def label(state: AgentState, text: str) -> str:
            return f"{STATE_COLOURS[state].mark}  {text}"

        available = self._menu.addAction(
            state_icon(AgentState.AVAILABLE), label(AgentState.AVAILABLE, self.tr("Available"))
        )
        available.triggered.connect(lambda: self.presence_requested.emit(AgentState.AVAILABLE, ""))
        breaks = self._menu.addMenu(
            state_icon(AgentState.BREAK), label(AgentState.BREAK, self.tr("Break"))
        )
        for reason in reasons or (self.tr("Break"),):
            action = QAction(state_icon(AgentState.BREAK), reason, breaks)
            action.triggered.connect(
                lambda _=False, r=reason: self.presence_requested.emit(AgentState.BREAK, r)
            )
            breaks.addAction(action)
        self._menu.addSeparator()
        offline = self._menu.addAction(
            state_icon(AgentState.OFFLINE), label(AgentState.OFFLINE, self.tr("Offline"))
        )
        offline.triggered.connect(lambda: self.presence_requested.emit(AgentState.OFFLINE, ""))
        self._reasons = reasons

    def show_snapshot(self, snap: DeskSnapshot) -> None:
        """Show the snapshot's presence."""
        self._snapshot = snap
        if snap.team.pause_reasons != self._reasons or self._menu.isEmpty():
            self._build_menu(snap.team.pause_reasons)
        ringing = snap.presence.state is AgentState.RINGING
        if ringing and not self._pulse_timer.isActive():
            self._pulse_timer.start()
        elif not ringing:
            self._pulse_timer.stop()
            self._pulse = False
        # automatic states cannot be picked by hand while a call or wrap-up is on
        self._menu.setEnabled(not snap.presence.state.is_automatic)
        self.refresh()

    def refresh(self) -> None:
        """Update the time in state (called every second)."""
        snap = self._snapshot
        if snap is None:
            return
        state = snap.presence.state
        colour: StateColour = RINGING_ALT if self._pulse else STATE_COLOURS[state]
        elapsed = format_duration(time.time() - snap.presence.since_s)
        description = presence_text(snap.presence)
        self.setText(f"{colour.mark}  {description}  ·  {elapsed}")
        if description != self.accessibleDescription():
            self.setAccessibleDescription(description)
        # a widget's style sheet re-polishes it: set only when the colour changes (the
        # state, the ringing pulse), not with each second's text
        sheet = f"QToolButton#PresenceButton {{ background: {colour.fill}; color: {colour.text}; }}"
        if sheet != self.styleSheet():
            self.setStyleSheet(sheet)

    def _on_pulse_timer_timeout(self) -> None:
        self._pulse = not self._pulse
        self.refresh()


class ModeSwitch(QWidget):
    """Desk | Console, a segmented control (leads who take calls; hidden for agents)."""

    mode_requested = Signal(str)  # payload: "desk" or "console"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ModeSwitch")
        self.desk = QToolButton(self)
        self.console = QToolButton(self)
        self._group = QButtonGroup(self)
        self._group.setExclusive(True)
        box = QHBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(0)
        for name, button in (("desk", self.desk), ("console", self.console)):
            button.setObjectName("ModeButton")
            button.setCheckable(True)
            button.setProperty("segment", name)
            button.clicked.connect(lambda _=False, n=name: self.mode_requested.emit(n))
            self._group.addButton(button)
            box.addWidget(button)
        self.desk.setToolTip(self.tr("Your calls (Ctrl+L switches)"))
        self.console.setToolTip(self.tr("The team board (Ctrl+L switches)"))
        self.set_ringing(False)
        self.show_mode("desk")

    def show_mode(self, mode: str) -> None:
        (self.console if mode == "console" else self.desk).setChecked(True)

    def set_ringing(self, ringing: bool) -> None:
        """A call rings while the console is shown: the Desk segment says so."""
        if self.desk.text() and bool(self.desk.property("ringing")) == ringing:
            return
        self.desk.setText(self.tr("☎ Desk — ringing") if ringing else self.tr("☎ Desk"))
        self.console.setText(self.tr("▦ Console"))
        self.desk.setProperty("ringing", ringing)
        self.desk.style().unpolish(self.desk)
        self.desk.style().polish(self.desk)


class Indicator(QLabel):
    """A small labelled status pill: a symbol, a word and a level (ok/warn/bad)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setProperty("role", "indicator")

    def show_status(self, symbol: str, text: str, level: str) -> None:
        """Set the pill's content; the level only changes the colour."""
        self.setText(f"{symbol} {text}")
        self.setAccessibleName(text)
        if self.property("level") != level:
            self.setProperty("level", level)
            self.style().unpolish(self)
            self.style().polish(self)


class TopBar(QWidget):
    """Presence, line, server, quality, inbox and agent name in one row."""

    presence_requested = Signal(object, str)  # payload: (AgentState, break reason or "")
    inbox_requested = Signal()  # payload: none (the agent clicked the inbox badge)
    audio_requested = Signal()  # payload: none (the agent clicked the headset button)
    hotkeys_requested = Signal()  # payload: none (the global hotkeys' settings)
    check_requested = Signal()  # payload: none (the pre-shift check, "Vérifier mon poste")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("TopBar")
        self.presence = PresenceButton(self)
        self.presence.presence_requested.connect(self.presence_requested)
        self.mode = ModeSwitch(self)
        self.mode.setVisible(False)  # team leads who take calls
        self.line = Indicator(self)
        self.server = Indicator(self)
        self.quality = Indicator(self)
        self.inbox = QToolButton(self)
        self.inbox.setObjectName("InboxButton")
        self.inbox.clicked.connect(self.inbox_requested)
        self.audio = QToolButton(self)
        self.audio.setObjectName("InboxButton")  # same look as the inbox button
        self.audio.setText(self.tr("♪ Audio"))
        self.audio.setToolTip(self.tr("Microphone, headset and ringer (Ctrl+Shift+A)"))
        self.audio.setAccessibleName(self.tr("Audio settings"))
        self.audio.clicked.connect(self.audio_requested)
        self.hotkeys = QToolButton(self)
        self.hotkeys.setObjectName("InboxButton")
        self.hotkeys.setText(self.tr("⌨ Hotkeys"))
        self.hotkeys.setAccessibleName(self.tr("Global hotkeys"))
        self.hotkeys.setToolTip(self.tr("Answer, hang up, mute from any window"))
        self.hotkeys.clicked.connect(self.hotkeys_requested)
        self.hotkeys.setVisible(False)  # shown when the desk can run them
        # the help menu: the shortcut sheet, the diagnostic report for IT (MainWindow
        # fills it from its actions)
        self.help = QToolButton(self)
        self.help.setObjectName("InboxButton")
        self.help.setText(self.tr("? Help"))
        self.help.setAccessibleName(self.tr("Help"))
        self.help.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.help_menu = QMenu(self.help)
        self.help.setMenu(self.help_menu)
        self.check = QToolButton(self)
        self.check.setObjectName("InboxButton")
        self.check.setText(self.tr("✓ Check"))
        self.check.setAccessibleName(self.tr("Check my setup"))
        self.check.setToolTip(self.tr("Check my setup: connection, phone line, headset (≈ 15 s)"))
        self.check.clicked.connect(self.check_requested)
        self.check.setVisible(False)  # shown when the desk can run the check
        self.unsent = UnsentBadge(self)
        self.agent = QLabel(self)
        self.agent.setObjectName("AgentName")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.setSpacing(10)
        layout.addWidget(self.presence)
        layout.addWidget(self.mode)
        layout.addSpacing(8)
        for widget in (self.line, self.server, self.quality):
            layout.addWidget(widget, 0, Qt.AlignmentFlag.AlignVCenter)
        layout.addStretch(1)
        layout.addWidget(self.unsent)
        layout.addWidget(self.check)
        layout.addWidget(self.hotkeys)
        layout.addWidget(self.audio)
        layout.addWidget(self.inbox)
        layout.addWidget(self.help)
        layout.addWidget(self.agent)
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)

    def show_snapshot(self, snap: DeskSnapshot) -> None:
        """Show the snapshot."""
        self.presence.show_snapshot(snap)
        reg = snap.registration
        level = {
            RegistrationState.REGISTERED: "ok",
            RegistrationState.REGISTERING: "warn",
        }.get(reg, "bad")
        self.line.show_status("☎", registration_text(reg), level)
        server_level = {ServerLink.ONLINE: "ok", ServerLink.RECONNECTING: "warn"}
        self.server.show_status("⇅", server_text(snap.server), server_level.get(snap.server, "bad"))
        call = snap.call
        self.quality.setVisible(call is not None and call.connected_at_s is not None)
        if call is not None:
            q_level = {QualityLevel.POOR: "bad", QualityLevel.FAIR: "warn"}
            self.quality.show_status(
                "▮▮▮", quality_text(call.quality), q_level.get(call.quality, "ok")
            )
        if snap.unread:
            self.inbox.setText(self.tr("✉ Inbox ({count})").format(count=snap.unread))
        else:
            self.inbox.setText(self.tr("✉ Inbox"))  # the side panel's tab: one name
        self.inbox.setAccessibleName(self.tr("{count} unread messages").format(count=snap.unread))
        self.agent.setText(snap.agent_name)
