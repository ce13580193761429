"""Blocking work (disk, network) off the GUI thread, results delivered back on it."""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

from homeagent.ui.qt.dispatcher import Dispatcher

T = TypeVar("T")
_log = logging.getLogger(__name__)


class TaskRunner:
    """One worker thread (work is serialised, like Anki's task manager)."""

    def __init__(self, dispatcher: Dispatcher) -> None:
        self._dispatcher = dispatcher
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="homeagent-task")
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
        if future.cancelled():  # the runner closed before the job started
            return
        exc = future.exception()
        if exc is not None:
            _log.warning("background task failed: %s", exc)
            if on_error is not None:
                self._dispatcher.call_soon(lambda: on_error(exc))
            return
        if on_done is not None:
            result = future.result()
            self._dispatcher.call_soon(lambda: on_done(result))

    def close(self, wait: bool = True) -> None:
        """Stop taking work; wait for the running job."""
        self._closed = True
        self._pool.shutdown(wait=wait, cancel_futures=True)
