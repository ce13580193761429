"""Blocking work (disk, network) off the GUI thread, results delivered back on it.

Two lanes, each one serial worker (like Anki's task manager, and the store's connection
wants one writer): ``disk`` carries the local store, the outbox, the search and the
engine's start; ``net`` carries REST calls. A server that stalls for 20 s holds ``net``
only: "Enregistré" and search-as-you-type never wait for it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

from homeagent.ui.qt.dispatcher import Dispatcher

T = TypeVar("T")
_log = logging.getLogger(__name__)


class TaskRunner:
    """One worker thread: jobs run one after another, in the order given."""

    def __init__(self, dispatcher: Dispatcher, name: str = "task") -> None:
        self._dispatcher = dispatcher
        self.name = name
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"homeagent-{name}")
        self._closed = False

    def run(
        self,
        job: Callable[[], T],
        on_done: Callable[[T], object] | None = None,
        on_error: Callable[[BaseException], object] | None = None,
    ) -> None:
        """Run `job` on the worker; `on_done(result)` or `on_error(exc)` on the GUI thread."""
        if self._closed:
            return
        future = self._pool.submit(job)
        future.add_done_callback(lambda f: self._finished(f, on_done, on_error))

    def _finished(
        self,
        future: Future[T],
        on_done: Callable[[T], object] | None,
        on_error: Callable[[BaseException], object] | None,
    ) -> None:
        if future.cancelled() or self._closed:  # closed: nobody waits for the answer
            return
        exc = future.exception()
        if exc is not None:
            _log.warning("%s task failed: %s: %s", self.name, type(exc).__name__, exc)
            if on_error is not None:
                self._dispatcher.call_soon(lambda: on_error(exc))
            return
        if on_done is not None:
            result = future.result()
            self._dispatcher.call_soon(lambda: on_done(result))

    def close(self, wait: bool = True) -> None:
        """Stop taking work; drop the queued jobs; wait for the running one if `wait`."""
        self._closed = True
        self._pool.shutdown(wait=wait, cancel_futures=True)


class TaskLanes:
    """The desk's two lanes of background work (see the module docstring)."""

    def __init__(self, dispatcher: Dispatcher) -> None:
        self.disk = TaskRunner(dispatcher, "disk")
        self.net = TaskRunner(dispatcher, "net")

    def close(self) -> None:
        """Stop both; wait for the disk lane's running write, not for a hung request."""
        self.net.close(wait=False)
        self.disk.close(wait=True)
