"""tel:/sip: links from the command line or a later start, prepared in the desk's window.

A link that arrives before the desk is up (``homeagent tel:…`` starting the app, or a
second start during sign-in) waits; the last one wins. Preparing fills the dial field
and shows the contact's card: the call itself always waits for the agent's click.
"""

from __future__ import annotations

import logging
from typing import Any

from homeagent.core.dial_link import DialLink, InvalidDialLink, parse_dial_link
from homeagent.core.eventlog import EventLog

log = logging.getLogger(__name__)


class LinkRouter:
    """Validates links and hands them to the current window (or keeps the last one)."""

    def __init__(self, event_log: EventLog) -> None:
        self._log = event_log
        self._window: Any = None
        self._pending: tuple[DialLink, str] | None = None

    def received(self, text: str, via: str) -> DialLink | None:
        """A link from `via` ("command line", "another start"); "" only raises the window."""
        if text:
            try:
                link = parse_dial_link(text)
            except InvalidDialLink as exc:
                scheme = text.partition(":")[0][:10] if ":" in text else "?"
                log.warning("refused a dial link from the %s (scheme %r): %s", via, scheme, exc)
                self._log.write("dial_link_refused", via=via, reason=str(exc))
                return None
        else:
            link = None
        if self._window is None:
            if link is not None:
                self._pending = (link, via)
            return link
        self._raise()
        if link is not None:
            self._prepare(link, via)
        return link

    def attach(self, window: Any) -> None:
        """The desk is up: prepare the link that waited for it."""
        self._window = window
        pending, self._pending = self._pending, None
        if pending is not None:  # the agent clicked a link: the window comes with it
            self._raise()
            self._prepare(*pending)

    def detach(self) -> None:
        """The desk is going away: later links wait for the next one."""
        self._window = None

    def _raise(self) -> None:
        window = self._window
        if window.isMinimized() or not window.isVisible():
            window.showNormal()
        window.raise_()
        window.activateWindow()  # the agent clicked a link or started the app: focus wanted

    def _prepare(self, link: DialLink, via: str) -> None:
        self._window.prepare_dial(link.target)
        fields: dict[str, object] = {"via": via, "scheme": link.scheme}
        if link.is_number:
            fields["number"] = link.target  # masked by the event log
        else:
            fields["uri"] = link.target  # masked by the event log
        self._log.write("dial_prepared", **fields)
