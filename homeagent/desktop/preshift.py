"""The desk's pre-shift check ("Vérifier mon poste"): wired to the session's parts.

- The window (`homeagent.ui.check`) opens from the top bar's "✓ Vérifier" button and
  from the sign-in banner; the banner is offered at start when this PC has no check of
  today in `<data dir>/last-check.json` (read on the disk lane).
- The network lines run `homeagent.client.preshift.NetworkCheck` against the session's
  server client (one attempt per request, short timeouts: a dead server is a red line
  in ~2 s, never a wait), on the check's own thread.
- Each report is written to `last-check.json` on the disk lane, then posted on the
  network lane (`POST /agents/me/network-check`: the lead's board badge).
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlparse

from PySide6.QtCore import QCoreApplication

from homeagent.client.preshift import NetworkCheck, ProbeApi, load_report, post_report, save_report
from homeagent.core import preshift as ps
from homeagent.core.events import RegistrationState
from homeagent.core.ports import AudioService
from homeagent.ui.check.controller import CheckController, CheckPorts
from homeagent.ui.qt.dispatcher import Dispatcher
from homeagent.ui.qt.tasks import TaskLanes
from homeagent.ui.shell.main_window import MainWindow

log = logging.getLogger(__name__)


class DeskCheck:
    """The check's controller and its sign-in offer (see the module docstring)."""

    def __init__(
        self,
        *,
        window: MainWindow,
        dispatcher: Dispatcher,
        lanes: TaskLanes,
        client: object,
        data_dir: Path,
        audio: AudioService | None,
        registration: Any,  # () -> RegistrationState
        call_ringing: Any,  # () -> bool
    ) -> None:
        self.window = window
        self.lanes = lanes
        self.data_dir = data_dir
        self._api = cast(ProbeApi, client)
        host = urlparse(str(getattr(client, "base_url", ""))).hostname or ""
        self.controller = CheckController(
            CheckPorts(
                run_network=lambda progress, cancel: NetworkCheck(
                    self._api, host, cancel=cancel
                ).run(progress),
                registered=lambda: registration() is RegistrationState.REGISTERED,
                save=self._save,
                audio=audio,
                call_ringing=call_ringing,
            ),
            dispatcher=dispatcher,
            parent_widget=window,
            parent=window,
        )
        window.check_requested.connect(self.controller.open)
        window.top.check.setVisible(True)

    def offer(self) -> None:
        """At sign-in: the banner, unless this PC was checked today already."""
        self.lanes.disk.run(lambda: load_report(self.data_dir), self._on_last_loaded)

    def _on_last_loaded(self, last: ps.CheckReport | None) -> None:
        today = dt.datetime.now().astimezone().date()
        if last is not None and last.at.astimezone().date() == today:
            return
        self.window.check_banner.show_text(
            QCoreApplication.translate(
                "PreShiftCheck",
                "Before your shift: check your connection, phone line and headset (15 s).",
            ),
            QCoreApplication.translate("PreShiftCheck", "Check my setup"),
        )

    def _save(self, report: ps.CheckReport) -> None:
        data_dir, api = self.data_dir, self._api
        self.lanes.disk.run(
            lambda: save_report(report, data_dir),
            None,
            lambda exc: log.warning("last check not saved: %s", exc),
        )
        self.lanes.net.run(lambda: post_report(api, report))

    def stop(self) -> None:
        self.controller.stop()
