"""Which of today's callbacks to remind the agent of now (Qt-free; the clock is given)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from homeagent.core.desk_types import Callback

CALLBACK_NOTICE_S = 300  # remind the agent five minutes before a callback is due


class CallbackReminders:
    """Each callback is announced once, `notice_s` before it is due (or late, at once)."""

    def __init__(self, notice_s: float = CALLBACK_NOTICE_S) -> None:
        self._notice = dt.timedelta(seconds=notice_s)
        self._reminded: set[str] = set()

    def due(self, callbacks: Iterable[Callback], now: dt.datetime) -> list[Callback]:
        """The callbacks to announce at `now` (aware); each comes out once."""
        soon = now + self._notice
        found = [c for c in callbacks if c.id not in self._reminded and c.due_at <= soon]
        self._reminded.update(c.id for c in found)
        return found
