"""pjsip's own log, made fit for a support log: levels, one line, no packets, bounded.

pjsip prints whole malformed packets inside its error lines even with message logging
off ("Error processing packet ...:\\n<the packet>\\n-- end of packet."), and a night of
hostile traffic wrote ~3,600 of them. :class:`PjsipLogFilter` (pure Python, unit-tested
without pjsua2) turns each pjsip entry into at most one Python ``logging`` line:

- levels mapped: pjsip 0-1 error, 2 warning, 3 info, 4+ debug;
- only the first line of an entry is kept (packet dumps follow it), long digit runs are
  masked (callers' numbers), lines that mention credentials are redacted;
- a token bucket per level (``burst`` lines, then one line every 10 s) with a
  "N lines suppressed" summary when lines flow again (and at :meth:`flush`);
- with ``sip_trace`` (diagnosis only, off by default) whole entries pass, credentials
  still redacted, with a larger budget.

:meth:`write` is called from pjsip's threads, also while the endpoint is destroyed: it
takes a lock, never raises, and logs outside the lock.
"""

from __future__ import annotations

import contextlib
import logging
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from homeagent.core.text import clean_text
from homeagent.core.timefmt import mask_number

# pjsip's own log must never carry credentials: any line that still mentions digest
# fields or the supervision token is redacted (message dumps included, when a SIP trace
# is on).
_SECRET = re.compile(
    r"(authorization|proxy-authorization|response\s*=|password|passwd|nonce\s*="
    r"|x-homeagent-supervision)",  # the supervision leg's one-time token
    re.I,
)
# Phone numbers and other long identifiers in first lines (e.g. a call dump's "To:"); ports
# (5 digits) and error codes (6 digits, "[code 171050]") stay readable.
_LONG_DIGITS = re.compile(r"\+?\d{7,}")
# A line that is itself the start of a SIP message: never logged without a trace.
_SIP_START = re.compile(r"^\s*(?:[A-Za-z]+ \S+ SIP/\d|SIP/\d\.\d \d{3})")
_MAX_LINE = 400


def redact(line: str) -> str:
    """The log line, or a placeholder when it could carry a credential."""
    return "[redacted: line mentioned credentials]" if _SECRET.search(line) else line


def py_level(pj_level: int) -> int:
    """The Python logging level of a pjsip log level."""
    if pj_level <= 1:
        return logging.ERROR
    if pj_level == 2:
        return logging.WARNING
    if pj_level == 3:
        return logging.INFO
    return logging.DEBUG


@dataclass
class _Bucket:
    tokens: float
    stamp_s: float
    suppressed: int = 0


class PjsipLogFilter:
    """Turns pjsip log entries into bounded, single-line Python log records."""

    def __init__(
        self,
        logger: logging.Logger,
        *,
        sip_trace: bool = False,
        burst: int = 20,
        per_s: float = 0.1,
        clock: Callable[[], float] = time.monotonic,
        trace: Callable[[int, str], None] | None = None,
    ) -> None:
        self._logger = logger
        # the bundle's trace file (`sip_trace.SipTraceFile.write`): every entry, unshaped
        self._trace = trace
        self.sip_trace = sip_trace
        self._burst = float(burst if not sip_trace else max(burst, 500))
        self._per_s = per_s if not sip_trace else max(per_s, 100.0)
        self._clock = clock
        self._lock = threading.Lock()
        self._buckets: dict[int, _Bucket] = {}
        self.written = 0
        self.suppressed = 0  # in total, for tests and diagnostics

    def write(self, pj_level: int, message: str) -> None:
        """Log one pjsip entry (or count it as suppressed). Never raises."""
        with contextlib.suppress(Exception):  # pjsip's threads: raising would abort
            if self._trace is not None:
                self._trace(pj_level, message)
            self._write(pj_level, message)

    def _write(self, pj_level: int, message: str) -> None:
        text = self._shape(message)
        if not text:
            return
        level = py_level(pj_level)
        if not self._logger.isEnabledFor(level):
            return
        summary = 0
        with self._lock:
            bucket = self._bucket(level)
            if bucket.tokens < 1.0:
                bucket.suppressed += 1
                self.suppressed += 1
                return
            bucket.tokens -= 1.0
            summary, bucket.suppressed = bucket.suppressed, 0
            self.written += 1
        if summary:
            self._summary(level, summary)
        self._logger.log(level, "%s", text)

    def flush(self) -> None:
        """Log the pending "suppressed" summaries (e.g. after the endpoint is destroyed)."""
        with contextlib.suppress(Exception):  # same contract as write()
            with self._lock:
                pending = [(lvl, b.suppressed) for lvl, b in self._buckets.items() if b.suppressed]
                for bucket in self._buckets.values():
                    bucket.suppressed = 0
            for level, count in pending:
                self._summary(level, count)

    def _summary(self, level: int, count: int) -> None:
        self._logger.log(
            level, "pjsip: %d %s lines suppressed (rate limit)", count, logging.getLevelName(level)
        )

    def _bucket(self, level: int) -> _Bucket:
        now = self._clock()
        bucket = self._buckets.get(level)
        if bucket is None:
            bucket = self._buckets[level] = _Bucket(self._burst, now)
        else:
            elapsed = max(0.0, now - bucket.stamp_s)
            bucket.tokens = min(self._burst, bucket.tokens + elapsed * self._per_s)
            bucket.stamp_s = now
        return bucket

    def _shape(self, message: str) -> str:
        text = clean_text(str(message)).rstrip()
        if self.sip_trace:
            return "\n".join(redact(line) for line in text.split("\n"))
        first = text.split("\n", 1)[0].rstrip("\r").rstrip()
        if not first.strip() or _SIP_START.match(first):
            return ""
        if len(text) > len(first):
            first = first.rstrip(":") + " [packet not logged]"
        first = _LONG_DIGITS.sub(lambda m: mask_number(m.group(0)), first)
        return redact(first[:_MAX_LINE])
