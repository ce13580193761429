"""The thread that drains the outbox: one pass after each write, or when back online,
with a jittered back-off while the server cannot be reached."""

from __future__ import annotations

import dataclasses
import logging
import random
import threading
from collections.abc import Callable

from homeagent.client.errors import ClientError, DeviceRevoked
from homeagent.crm.outbox import Outbox, Sender
from homeagent.crm.outbox_items import OutboxStatus, error_summary

log = logging.getLogger(__name__)


class OutboxSender:
    """Drains the outbox on its own thread; `wake()` after a write or when back online.

    `on_status` runs on the sender thread after each pass (pending and dead-letter
    counts, why the pass stopped).
    """

    def __init__(
        self,
        outbox: Outbox,
        sender: Sender,
        *,
        on_status: Callable[[OutboxStatus], None] | None = None,
        retry_s: float = 1.0,
        max_retry_s: float = 30.0,
    ) -> None:
        self._outbox = outbox
        self._sender = sender
        self._on_status = on_status
        self._retry_s = retry_s
        self._max_retry_s = max_retry_s
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        outbox.on_enqueued(self.wake)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="outbox-sender", daemon=True)
        self._thread.start()

    def stop(self, timeout_s: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout_s)

    def wake(self) -> None:
        self._wake.set()

    def _run(self) -> None:
        failures = 0
        while not self._stop.is_set():
            self._wake.clear()
            error = ""
            try:
                if self._outbox.send_pending(self._sender, after_outage=failures > 0):
                    self._outbox.purge_sent()
                failures = 0
            except DeviceRevoked:
                return
            except ClientError as exc:
                failures += 1
                error = str(exc)
            except Exception as exc:  # e.g. the store was wiped under us
                if self._stop.is_set():
                    return
                failures += 1
                error = f"{type(exc).__name__}: {exc}"
                log.exception("outbox sender pass failed")
            if self._on_status is not None:
                try:
                    st = self._outbox.status()
                    self._on_status(dataclasses.replace(st, last_error=error_summary(error)))
                except Exception:
                    log.exception("outbox status callback failed")
            if failures:
                delay = min(self._max_retry_s, self._retry_s * 2 ** (failures - 1))
                self._wake.wait(random.uniform(delay / 2, delay))  # noqa: S311 (jitter)
            else:
                self._wake.wait()
