"""What the desktop around the desk provides: one instance, tel:/sip: links, the tray,
start minimised, autostart at login and desktop notifications.

`run_desk` claims the instance first (a later start hands its link over and exits), then
builds one `DesktopShell` for the whole run; each desk (one per enrolment) is shown
through `show` and detached before it goes.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QApplication

from homeagent.core.eventlog import EventLog
from homeagent.desktop import autostart
from homeagent.desktop.desktop_settings import DesktopSettings
from homeagent.desktop.instance import InstanceServer
from homeagent.desktop.links import LinkRouter

if TYPE_CHECKING:  # made when the first desk is shown (after the SIP engine's start)
    from homeagent.desktop.notifications import FreedesktopNotifications
    from homeagent.ui.shell.tray import DeskTray

log = logging.getLogger(__name__)


class DesktopShell:
    """Instance server, links, tray, start-up settings and notifications for one run."""

    def __init__(
        self,
        event_log: EventLog,
        server: InstanceServer | None,
        data_dir: Path,
        *,
        minimized: bool | None = None,
        notifications: bool = True,
    ) -> None:
        self.links = LinkRouter(event_log)
        self._log = event_log
        self._server = server
        self._data_dir = data_dir
        self._minimized = minimized
        self.settings = DesktopSettings.load(data_dir)
        self.tray: DeskTray | None = None
        self._wants_notifications = notifications
        self.notifications: FreedesktopNotifications | None = None  # at the first show
        self._window: Any = None
        self._model: Any = None
        self._told_about_tray = False
        if server is not None:
            server.activated.connect(lambda link: self.links.received(link, "another start"))
        app = QCoreApplication.instance()
        if isinstance(app, QApplication):
            app.applicationStateChanged.connect(self._on_application_state_changed)

    def show(self, window: Any, session: Any) -> None:
        """The desk is up: tray, notifications, the window (or the tray only), the link."""
        self._window, self._model = window, session.model
        minimized = (
            self._minimized if self._minimized is not None else self.settings.start_minimized
        )
        if not minimized:  # first: looking for a system tray may take a while
            window.show()
        from homeagent.desktop.notifications import FreedesktopNotifications
        from homeagent.ui.shell.tray import DeskTray

        if self._wants_notifications and self.notifications is None:  # once per run
            self.notifications = FreedesktopNotifications.connect_session()
        tray = self.tray = DeskTray()
        tray.set_settings(
            start_minimized=self.settings.start_minimized,
            autostart=autostart.autostart_enabled(),
        )
        tray.autostart_action.setEnabled(autostart.supported())
        model = session.model
        tray.show_snapshot(model.snapshot())
        model.subscribe(tray.show_snapshot)
        tray.answer_requested.connect(model.answer)
        tray.presence_requested.connect(model.set_presence)
        tray.show_requested.connect(self.bring_back)
        tray.quit_requested.connect(window.close)  # a programmatic close ends the desk
        tray.start_minimized_toggled.connect(self._on_start_minimized_toggled)
        tray.autostart_toggled.connect(self._on_autostart_toggled)
        window.close_to_tray = tray.icon is not None
        window.hidden_to_tray.connect(self._on_hidden_to_tray)
        notifier = session.controller.notifier
        if notifier is not None:
            notifier.use(desktop=self.notifications, tray=tray.icon)
            notifier.show_requested.connect(self.bring_back)
        if minimized and tray.icon is None:  # no tray: minimised in the taskbar, reachable
            window.showMinimized()
        self._log.write("desk_shown", minimized=minimized, tray=tray.icon is not None)
        self.links.attach(window)

    def bring_back(self) -> None:
        """Show the window again and give it the focus (the agent asked for it)."""
        window = self._window
        if window is None:
            return
        if window.isMinimized() or not window.isVisible():
            window.showNormal()
        window.raise_()
        window.activateWindow()
        if self.tray is not None:
            self.tray.clear_missed()

    def detach(self) -> None:
        """The desk is going away (quit, revocation): links wait, the tray goes."""
        self.links.detach()
        if self._model is not None and self.tray is not None:
            self._model.unsubscribe(self.tray.show_snapshot)
        if self.tray is not None:
            self.tray.hide()
            self.tray.deleteLater()
        self.tray, self._window, self._model = None, None, None

    def close(self) -> None:
        """The run ends: the next start becomes the desk."""
        if self._server is not None:
            self._server.close()
            self._server = None
        if self.notifications is not None:
            self.notifications.shutdown()
            self.notifications = None

    # -- settings ----------------------------------------------------------------------

    def _on_start_minimized_toggled(self, on: bool) -> None:
        self.settings.start_minimized = on
        try:
            self.settings.save(self._data_dir)
        except OSError as exc:
            log.warning("desktop settings not saved: %s", exc)
        self._log.write("setting_changed", name="start_minimized", value=on)

    def _on_autostart_toggled(self, on: bool) -> None:
        now = autostart.set_autostart(on)
        if self.tray is not None:
            self.tray.set_settings(start_minimized=self.settings.start_minimized, autostart=now)
        self._log.write("setting_changed", name="autostart", value=now)

    # -- events ------------------------------------------------------------------------

    def _on_hidden_to_tray(self) -> None:
        if self.tray is not None and self.tray.icon is not None and not self._told_about_tray:
            self._told_about_tray = True  # once per run: where did the window go?
            self.tray.icon.showMessage(
                "HomeAgent",
                QCoreApplication.translate(
                    "DesktopShell", "HomeAgent goes on in the tray. Quit from its menu."
                ),
            )

    def _on_application_state_changed(self, state: Qt.ApplicationState) -> None:
        if state is Qt.ApplicationState.ApplicationActive and self.tray is not None:
            self.tray.clear_missed()  # the agent looks at the window: missed calls seen
