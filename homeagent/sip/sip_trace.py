"""The SIP trace of the last calls: a bounded, rotating, masked file for IT.

When `EngineConfig.sip_trace_file` is set (the desk sets ``<data dir>/logs/sip-trace.log``),
pjsip logs the SIP messages it sends and receives (level 4) and :class:`SipTraceFile`
keeps them on disk for the diagnostics bundle (`homeagent.desktop.diag_bundle`):

- masked before they touch the disk (`homeagent.core.diag_mask.Masker`: digest
  parameters, the supervision token, tokens, phone numbers but their last two digits,
  display names of From/To…); the bundle masks again with the cache's customer names;
- bounded: ``max_bytes`` per file, ``backups`` older files (``.1`` newest … ``.N``), so
  at most ``(backups + 1) × max_bytes`` on disk (4 MiB by default: a few hundred calls);
- private: files are created 0600;
- off the SIP thread: :meth:`write` only queues the entry (a bounded queue; a full one
  drops and counts) and never raises; a writer thread masks (~0.3 ms a message) and
  writes. After a write error the file is closed and entries are counted as dropped
  until :meth:`reopen`. :meth:`close` writes what is queued, then stops the thread.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import queue
import re
import threading
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from homeagent.core.diag_mask import Masker
from homeagent.core.text import clean_text

TRACE_FILE = "logs/sip-trace.log"  # in the device's data folder (the desk's setting)
DEFAULT_MAX_BYTES = 1024 * 1024
DEFAULT_BACKUPS = 3
QUEUE_ENTRIES = 2000  # a burst of messages waiting for the writer; more are dropped
# the head line of a message dump ("TX 512 bytes Request msg INVITE/cseq=1 ... to UDP
# 127.0.0.1:5060:"); other entries are kept when they are warnings or errors
_MESSAGE_HEAD = re.compile(r"^\s*(?:TX|RX) \d+ bytes ")


def is_message_dump(message: str) -> bool:
    """Whether a pjsip log entry is a SIP message it sent or received."""
    return bool(_MESSAGE_HEAD.match(message))


def trace_files(path: Path, backups: int = DEFAULT_BACKUPS) -> list[Path]:
    """The trace's files that exist, oldest first (``.N`` … ``.1``, then the current)."""
    names = [path.with_name(f"{path.name}.{n}") for n in range(backups, 0, -1)] + [path]
    return [p for p in names if p.exists()]


class _Marker:
    """Queued by `flush`: set when the writer reaches it."""

    def __init__(self, done: threading.Event) -> None:
        self.done = done


class SipTraceFile:
    """Appends masked pjsip entries to a size-rotated file (see the module docstring)."""

    def __init__(
        self,
        path: Path,
        *,
        max_bytes: int = DEFAULT_MAX_BYTES,
        backups: int = DEFAULT_BACKUPS,
        clock: Callable[[], dt.datetime] | None = None,
    ) -> None:
        self.path = path
        self.max_bytes = max(4096, int(max_bytes))
        self.backups = max(1, int(backups))
        self._clock = clock or (lambda: dt.datetime.now(dt.UTC))
        self._lock = threading.Lock()
        self._file: IO[str] | None = None
        self._queue: queue.Queue[Any] = queue.Queue(maxsize=QUEUE_ENTRIES)
        self._thread: threading.Thread | None = None
        self._closing = False
        self._size = 0
        self.written = 0
        self.dropped = 0
        self.reopen()

    def reopen(self) -> None:
        """(Re)open the current file for appending; on failure writes are dropped."""
        with self._lock:
            self._close()
            with contextlib.suppress(OSError):
                self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
                self._file = self._open()

    def _open(self) -> IO[str]:
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with contextlib.suppress(OSError):
            os.chmod(self.path, 0o600)  # an older file made with another umask
        handle = os.fdopen(fd, "a", encoding="utf-8", errors="replace")
        self._size = handle.tell()
        return handle

    def write(self, pj_level: int, message: str) -> None:
        """Queue one pjsip entry (a message dump, a warning or an error). Never raises."""
        with contextlib.suppress(Exception):  # pjsip's threads: raising would abort
            if pj_level > 2 and not is_message_dump(message):
                return
            entry = (self._clock(), int(pj_level), str(message))
            with self._lock:
                if self._closing:
                    self.dropped += 1
                    return
                if self._thread is None:
                    self._thread = threading.Thread(
                        target=self._drain, name="sip-trace", daemon=True
                    )
                    self._thread.start()
            try:
                self._queue.put_nowait(entry)
            except queue.Full:
                with self._lock:
                    self.dropped += 1

    def _drain(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            if isinstance(item, _Marker):
                item.done.set()
                continue
            with contextlib.suppress(Exception):  # one bad entry never stops the trace
                self._append(*item)

    def _append(self, at: dt.datetime, pj_level: int, message: str) -> None:
        stamp = at.isoformat(timespec="milliseconds").replace("+00:00", "Z")
        body = Masker().text(clean_text(message).replace("\r\n", "\n").rstrip())
        entry = f"--- {stamp} level {pj_level}\n{body}\n"
        with self._lock:
            if self._file is None:
                self.dropped += 1
                return
            size = len(entry.encode("utf-8", errors="replace"))
            if self._size + size > self.max_bytes and self._size > 0:
                self._rotate()
                if self._file is None:
                    self.dropped += 1
                    return
            try:
                self._file.write(entry)
                self._file.flush()
            except OSError:
                self.dropped += 1
                self._close()
                return
            self._size += size
            self.written += 1

    def _rotate(self) -> None:
        self._close()
        try:
            oldest = self.path.with_name(f"{self.path.name}.{self.backups}")
            oldest.unlink(missing_ok=True)
            for n in range(self.backups - 1, 0, -1):
                older = self.path.with_name(f"{self.path.name}.{n}")
                if older.exists():
                    older.replace(self.path.with_name(f"{self.path.name}.{n + 1}"))
            if self.path.exists():
                self.path.replace(self.path.with_name(f"{self.path.name}.1"))
            self._file = self._open()
        except OSError:
            self._file = None

    def _close(self) -> None:
        if self._file is not None:
            with contextlib.suppress(OSError):
                self._file.close()
            self._file = None
        self._size = 0

    def flush(self, timeout_s: float = 2.0) -> None:
        """Wait until what was queued so far is written (tests, the bundle)."""
        done = threading.Event()
        with self._lock:
            running = self._thread is not None and not self._closing
        if not running:
            return
        self._queue.put(_Marker(done))
        done.wait(timeout_s)

    def close(self, timeout_s: float = 2.0) -> None:
        """Write what is queued (within `timeout_s`), then close; later writes are dropped."""
        with self._lock:
            self._closing = True
            thread = self._thread
        if thread is not None:
            self._queue.put(None)
            thread.join(timeout_s)
        with self._lock:
            self._close()
