"""The pre-shift check's results on the server: the latest per agent, and the board badge.

`badge_payload` is the board row's `network` and the `network_check` event's body (with
`agent_id`); `badges_of` reads today's for a team in one query.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from homeagent.server.models import NetworkCheck
from homeagent.server.state import iso

FIGURES = ("mos_g722", "mos_pcma", "loss_pct", "jitter_ms", "rtt_ms")


def badge_payload(row: NetworkCheck) -> dict[str, Any]:
    """`{level, mos, loss_pct, jitter_ms, rtt_ms, at}` (mos: the G.722 estimate)."""
    return {
        "level": row.level,
        "mos": row.mos_g722,
        "loss_pct": row.loss_pct,
        "jitter_ms": row.jitter_ms,
        "rtt_ms": row.rtt_ms,
        "at": iso(row.at),
    }


def check_out(row: NetworkCheck) -> dict[str, Any]:
    """The whole stored result (GET /agents/{id}/network-check)."""
    return {
        "agent_id": row.agent_id,
        "level": row.level,
        **{k: getattr(row, k) for k in FIGURES},
        "items": json.loads(row.items or "[]"),
        "at": row.at,
    }


def store_check(session: Session, agent_id: str, values: dict[str, Any]) -> NetworkCheck:
    """Insert or replace the agent's latest check in one statement (instances may race)."""
    values = {**values, "items": json.dumps(values.get("items", []), separators=(",", ":"))}
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    stmt = insert(NetworkCheck).values(agent_id=agent_id, **values)
    session.execute(stmt.on_conflict_do_update(index_elements=["agent_id"], set_=values))
    row = session.get(NetworkCheck, agent_id, populate_existing=True)
    assert row is not None
    return row


def badges_of(session: Session, agent_ids: Iterable[str], now: datetime) -> dict[str, NetworkCheck]:
    """Today's latest check of each of `agent_ids` that has one (older ones say nothing)."""
    ids = list(dict.fromkeys(agent_ids))
    if not ids:
        return {}
    day_start = datetime.combine(now.date(), datetime.min.time(), UTC)
    out: dict[str, NetworkCheck] = {}
    for start in range(0, len(ids), 500):
        rows = session.scalars(
            select(NetworkCheck).where(
                NetworkCheck.agent_id.in_(ids[start : start + 500]), NetworkCheck.at >= day_start
            )
        )
        out.update((r.agent_id, r) for r in rows)
    return out
