"""The structured event log: JSON lines a support person reads and e2e tests assert on.

Each line is one object: ``{"ts": "<ISO-8601 UTC>", "event": "<name>", ...fields}``.
Secrets never reach it (fields named like a password or a token are dropped) and phone
numbers are masked (fields ending in ``number`` or ``uri``).
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Callable
from pathlib import Path
from typing import IO

from homeagent.core.timefmt import mask_number, mask_uri

_SECRET_WORDS = ("password", "secret", "token", "key", "authorization")


def sanitise(fields: dict[str, object]) -> dict[str, object]:
    """Drop secrets and mask numbers in a log record's fields."""
    clean: dict[str, object] = {}
    for name, value in fields.items():
        lowered = name.lower()
        if any(word in lowered for word in _SECRET_WORDS):
            continue
        if isinstance(value, str) and lowered.endswith("number"):
            value = mask_number(value)
        elif isinstance(value, str) and lowered.endswith("uri"):
            value = mask_uri(value)
        clean[name] = value
    return clean


class EventLog:
    """Appends JSON lines to a file; safe to call from any thread."""

    def __init__(
        self, path: Path | None, *, clock: Callable[[], dt.datetime] | None = None
    ) -> None:
        self.path = path
        self._clock = clock or (lambda: dt.datetime.now(dt.UTC))
        self._lock = threading.Lock()
        self._file: IO[str] | None = None
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._file = open(path, "a", encoding="utf-8", buffering=1)  # noqa: SIM115

    def write(self, event: str, **fields: object) -> None:
        """Record one event (flushed at once, so a crash loses nothing written)."""
        record: dict[str, object] = {
            "ts": self._clock().isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "event": event,
        }
        record.update(sanitise(fields))
        line = json.dumps(record, ensure_ascii=False, default=str)
        with self._lock:
            if self._file is not None:
                self._file.write(line + "\n")

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
        """Keep the sanitised record."""
        self.records.append({"event": event, **sanitise(fields)})

    def events(self) -> list[str]:
        """Names of the recorded events, in order."""
        return [str(r["event"]) for r in self.records]
