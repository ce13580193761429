"""What the desktop around the desk provides: one instance, tel:/sip: links, the tray,
start minimised, autostart at login and desktop notifications.

`run_desk` claims the instance first (a later start hands its link over and exits), then
builds one `DesktopShell` for the whole run; each desk (one per enrolment) is attached
when its window is up and detached before it goes.
"""

from __future__ import annotations

import logging
import os
from typing import Any

from homeagent.core.eventlog import EventLog
from homeagent.desktop.instance import INSTANCE_ENV, InstanceServer, claim
from homeagent.desktop.links import LinkRouter

log = logging.getLogger(__name__)


def claim_instance(instance: str | None, link: str) -> tuple[bool, InstanceServer | None]:
    """(go on, server): go on is False when the running desk took the link.

    `instance` None (the demo, tests) means no single-instance unless
    ``$HOMEAGENT_INSTANCE`` names one.
    """
    name = instance or os.environ.get(INSTANCE_ENV)
    if not name:
        return True, None
    server = claim(name, link)
    if server is None:
        log.info("HomeAgent already runs (instance %s): the link and focus went to it", name)
        return False, None
    return True, server


class DesktopShell:
    """Instance server, links and (when the desktop has them) tray and notifications."""

    def __init__(self, event_log: EventLog, server: InstanceServer | None) -> None:
        self.links = LinkRouter(event_log)
        self._server = server
        if server is not None:
            server.activated.connect(lambda link: self.links.received(link, "another start"))

    def show(self, window: Any, session: Any) -> None:
        """Show the desk's window and prepare a link that waited for it."""
        window.show()
        self.links.attach(window)

    def detach(self) -> None:
        """The desk is going away (sign-out, revocation, quit)."""
        self.links.detach()

    def close(self) -> None:
        """The run ends: the next start becomes the desk."""
        if self._server is not None:
            self._server.close()
            self._server = None
