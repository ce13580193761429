"""Publishes call-quality samples to the server on its own thread, live or not at all.

`publish()` returns at once from any thread (the GUI's): the sample waits in a
`QualityPacer` (at most the newest one, paced to the server's 1 a second) and the thread
posts it. A post that fails — the server away, a refusal — drops that sample: the next
one, 5 s later, is as good (see `homeagent.core.call_quality` for why nothing is queued).
A 429 (too soon) makes the thread wait one more interval before the next post, and a
final sample refused that way is tried once more.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any, Protocol

from homeagent.client.errors import ApiError, ClientError, DeviceRevoked
from homeagent.core.call_quality import QUALITY_PATH, QualityPacer, QualitySample

log = logging.getLogger(__name__)


class Poster(Protocol):
    def post(self, path: str, body: Any = None, *, idempotency_key: str | None = None) -> Any: ...


class QualityPublisher:
    """See the module docstring. `start()`, then `publish()`; `stop()` at the end."""

    def __init__(
        self,
        client: Poster,
        *,
        pacer: QualityPacer | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = client
        self._pacer = pacer or QualityPacer()
        self._clock = clock
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.sent = 0
        self.failed = 0
        self._away = False  # the last post failed: log the next failure quietly

    def start(self) -> None:
        if self._thread is not None:
            raise RuntimeError("already started")
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="call-quality", daemon=True)
        self._thread.start()

    def stop(self, timeout_s: float = 2.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout_s)
        self._thread = None

    def publish(self, sample: QualitySample) -> None:
        """Hand over a sample (never blocks; a newer sample replaces a waiting one)."""
        with self._lock:
            self._pacer.offer(sample)
        self._wake.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            with self._lock:
                sample = self._pacer.take(self._clock())
                wait_s = self._pacer.wait_s(self._clock()) if self._pacer.waiting else None
            if sample is None:
                self._wake.clear()
                if wait_s is not None and wait_s > 0:
                    self._wake.wait(wait_s)
                elif wait_s is None:
                    self._wake.wait()
                continue
            self._post(sample)

    def _post(self, sample: QualitySample, *, again: bool = False) -> None:
        try:
            self._client.post(QUALITY_PATH, sample.to_wire())
        except DeviceRevoked:
            self._stop.set()
            return
        except ApiError as exc:
            with self._lock:
                self._pacer.posted_at(self._clock())
            if exc.status == 429 and sample.final and not again:
                # too soon after another post: the final is worth one more try
                self._stop.wait(self._pacer_interval())
                if not self._stop.is_set():
                    self._post(sample, again=True)
                return
            self._dropped(sample, f"{exc.status} {exc.code}")
            return
        except ClientError as exc:
            with self._lock:
                self._pacer.posted_at(self._clock())
            self._dropped(sample, type(exc).__name__)
            return
        except Exception:  # a bug must not end the thread: the next sample may go through
            log.exception("call-quality post failed")
            self._dropped(sample, "error")
            return
        with self._lock:
            self._pacer.posted_at(self._clock())
        self.sent += 1
        self._away = False

    def _pacer_interval(self) -> float:
        with self._lock:
            return max(self._pacer.wait_s(self._clock()), 0.05)

    def _dropped(self, sample: QualitySample, why: str) -> None:
        self.failed += 1
        level = logging.DEBUG if self._away else logging.INFO
        log.log(level, "call-quality sample dropped (%s, final=%s)", why, sample.final)
        self._away = True
