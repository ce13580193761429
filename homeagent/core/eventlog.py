"""The structured event log: JSON lines a support person reads and e2e tests assert on.

Each line is one object: ``{"ts": "<ISO-8601 UTC>", "event": "<name>", ...fields}``.
Secrets never reach it (fields named like a password or a token are dropped) and phone
numbers are masked (fields ending in ``number`` or ``uri``).

Writing never raises: the log is called from the middle of the desk's handlers (a ringing
call), and a bad value or a full disk must not stop the call from showing. Text is cleaned
to valid UTF-8 (see ``homeagent.core.text``); a line that still cannot be written is
dropped, with one warning through ``logging``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import IO

from homeagent.core.text import clean_value
from homeagent.core.timefmt import mask_number, mask_uri

_log = logging.getLogger(__name__)

_SECRET_WORDS = ("password", "secret", "token", "key", "authorization")


def sanitise(fields: dict[str, object]) -> dict[str, object]:
    """Drop secrets and mask numbers in a log record's fields."""
    clean: dict[str, object] = {}
    for name, value in fields.items():
        lowered = name.lower()
        if any(word in lowered for word in _SECRET_WORDS):
            continue
        value = clean_value(value)
        if isinstance(value, str) and lowered.endswith("number"):
            value = mask_number(value)
        elif isinstance(value, str) and lowered.endswith("uri"):
            value = mask_uri(value)
        clean[name] = value
    return clean


def _as_text(value: object) -> str:
    """JSON fallback for values it cannot encode (sets, datetimes, objects)."""
    try:
        return str(value)
    except Exception:
        return f"<unprintable {type(value).__name__}>"


class EventLog:
    """Appends JSON lines to a file; safe to call from any thread."""

    def __init__(
        self, path: Path | None, *, clock: Callable[[], dt.datetime] | None = None
    ) -> None:
        self.path = path
        self._clock = clock or (lambda: dt.datetime.now(dt.UTC))
        self._lock = threading.Lock()
        self._file: IO[str] | None = None
        self._warned = False
        self.dropped = 0  # lines that could not be written
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            # errors="replace": a stray surrogate inside a nested value becomes "?", the
            # file stays valid UTF-8 and the line is still written
            self._file = open(  # noqa: SIM115
                path, "a", encoding="utf-8", errors="replace", buffering=1
            )

    def write(self, event: str, **fields: object) -> None:
        """Record one event (flushed at once, so a crash loses nothing written); never raises."""
        try:
            record: dict[str, object] = {
                "ts": self._clock().isoformat(timespec="milliseconds").replace("+00:00", "Z"),
                "event": event,
            }
            record.update(sanitise(fields))
            line = json.dumps(record, ensure_ascii=False, default=_as_text)
            with self._lock:
                if self._file is not None:
                    self._file.write(line + "\n")
        except Exception as exc:  # the log must never break the caller (a ringing call)
            self._dropped(event, exc)

    def _dropped(self, event: str, exc: Exception) -> None:
        self.dropped += 1
        if self._warned:
            return
        self._warned = True
        # the exception's text may quote the value (a number): name its type only; if
        # logging itself breaks there is nothing left to tell
        with contextlib.suppress(Exception):
            _log.warning(
                "event log: dropped the %r line (%s); later failures are counted, not logged",
                str(event)[:64],
                type(exc).__name__,
            )

    def close(self) -> None:
        """Flush and close the file; later writes are dropped."""
        with self._lock:
            if self._file is not None:
                self._file.close()
                self._file = None


class MemoryEventLog(EventLog):
    """An event log kept in memory (tests, screenshots)."""

    def __init__(self) -> None:
        super().__init__(None)
        self.records: list[dict[str, object]] = []

    def write(self, event: str, **fields: object) -> None:
        """Keep the sanitised record; never raises."""
        try:
            self.records.append({"event": event, **sanitise(fields)})
        except Exception as exc:
            self._dropped(event, exc)

    def events(self) -> list[str]:
        """Names of the recorded events, in order."""
        return [str(r["event"]) for r in self.records]
