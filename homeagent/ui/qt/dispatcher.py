"""The one door from other threads into the GUI thread.

The SIP engine calls `post()` on its own thread with frozen events; network workers call
`call_soon()` with a function. Both cross by a queued signal, so everything after the door
runs on the GUI thread, in order.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, QThread, Signal

from homeagent.core.events import Event


class WrongThread(RuntimeError):
    """A delivery ran outside the GUI thread (a wiring bug; fails loudly in tests)."""


class Dispatcher(QObject):
    """Re-emits events and callables from any thread on the thread that owns it."""

    _posted = Signal(object)  # payload: an Event or a zero-argument callable (any thread)
    event_delivered = Signal(object)  # payload: a homeagent.core.events.Event (GUI thread)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._posted.connect(self._on_self_posted, Qt.ConnectionType.QueuedConnection)

    def post(self, event: Event) -> None:
        """Deliver an engine event on the GUI thread (safe from any thread)."""
        self._posted.emit(event)

    def call_soon(self, fn: Callable[[], object]) -> None:
        """Run `fn` on the GUI thread (safe from any thread)."""
        self._posted.emit(fn)

    def _on_self_posted(self, item: object) -> None:
        if QThread.currentThread() is not self.thread():
            raise WrongThread("dispatcher delivered outside its thread")
        if isinstance(item, Event):
            self.event_delivered.emit(item)
        elif callable(item):
            item()
