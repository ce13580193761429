"""Publishes `callback_due` to the agent when a pending callback falls due (once)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import AsyncIterator

from sqlalchemy import select

from homeagent.server.db import Database
from homeagent.server.events import publish
from homeagent.server.models import Callback, utcnow
from homeagent.server.state import iso

log = logging.getLogger(__name__)
SCAN_S = float(os.environ.get("HOMEAGENT_CALLBACK_SCAN_S", "15"))


def publish_due_callbacks(db: Database) -> int:
    """Claim due callbacks not yet announced and tell their agents; returns how many.

    The row locks of the claim make two server instances announce each callback once.
    """
    with db.write() as s:
        stmt = (
            select(Callback)
            .where(
                Callback.status == "pending",
                Callback.notified_at.is_(None),
                Callback.due_at <= utcnow(),
            )
            .limit(500)
        )
        if not db.is_sqlite:
            stmt = stmt.with_for_update(skip_locked=True)
        due = list(s.scalars(stmt))
        for cb in due:
            cb.notified_at = utcnow()
            publish(
                s,
                "callback_due",
                {
                    "id": cb.id,
                    "contact_id": cb.contact_id,
                    "interaction_id": cb.interaction_id,
                    "due_at": iso(cb.due_at),
                    "notes": cb.notes,
                },
                to_user_id=cb.agent_id,
            )
        return len(due)


async def run_reminders(db: Database, interval_s: float = SCAN_S) -> None:
    """Scan forever (cancel to stop)."""
    while True:
        try:
            await asyncio.to_thread(publish_due_callbacks, db)
        except Exception:  # the database is restarting: try again next time
            log.exception("callback reminder scan failed")
        await asyncio.sleep(interval_s)


@contextlib.asynccontextmanager
async def reminders(db: Database) -> AsyncIterator[None]:
    """Run the scan for the lifetime of the app."""
    task = asyncio.create_task(run_reminders(db), name="callback-reminders")
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
