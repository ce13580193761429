"""Call quality the agents' apps publish: the latest figures per agent, and their pace.

`quality_of` is what the team board reads; `ReportGate` holds each agent to at most one
report a second (this instance only, like the login limits).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from homeagent.server.models import CallQuality
from homeagent.server.state import iso

FIGURES = ("mos", "loss_pct", "jitter_ms", "rtt_ms")


def quality_payload(row: CallQuality) -> dict[str, Any]:
    """`{mos, loss_pct, jitter_ms, rtt_ms, at, final}` of one agent's latest report."""
    return {**{k: getattr(row, k) for k in FIGURES}, "at": iso(row.at), "final": row.final}


def quality_of(session: Session, agent_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    """The latest call quality of each of `agent_ids` that has one (board rows' `quality`)."""
    ids = list(dict.fromkeys(agent_ids))
    out: dict[str, dict[str, Any]] = {}
    for start in range(0, len(ids), 500):  # stay under the databases' parameter limits
        rows = session.scalars(
            select(CallQuality).where(CallQuality.agent_id.in_(ids[start : start + 500]))
        )
        out.update((r.agent_id, quality_payload(r)) for r in rows)
    return out


def store_quality(session: Session, agent_id: str, values: dict[str, Any]) -> CallQuality:
    """Insert or replace the agent's row in one statement (two instances may race)."""
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    stmt = insert(CallQuality).values(agent_id=agent_id, **values)
    session.execute(stmt.on_conflict_do_update(index_elements=["agent_id"], set_=values))
    row = session.get(CallQuality, agent_id, populate_existing=True)
    assert row is not None
    return row


class ReportGate:
    """At most one report per `interval_s` per agent — but a call's final report passes.

    The app reports every 5 s and once more when the call ends, which may fall within the
    second after a periodic one; that last figure must not be lost. A final report right
    after another final one is refused like any other.
    """

    def __init__(self, interval_s: float = 1.0, clock: Callable[[], float] = time.monotonic):
        self.interval_s = interval_s
        self._clock = clock
        self._last: dict[str, tuple[float, bool]] = {}
        self._lock = threading.Lock()

    def admit(self, agent_id: str, *, final: bool) -> float | None:
        """None if the report may go ahead (and it is counted), else seconds to wait."""
        now = self._clock()
        with self._lock:
            last = self._last.get(agent_id)
            if last is not None:
                at, was_final = last
                wait = at + self.interval_s - now
                if wait > 0 and not (final and not was_final):
                    return wait
            if len(self._last) > 50_000:  # bounded memory: forget the long quiet ones
                horizon = now - self.interval_s
                self._last = {k: v for k, v in self._last.items() if v[0] > horizon}
            self._last[agent_id] = (now, final)
            return None
