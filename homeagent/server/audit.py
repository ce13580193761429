"""The audit log: every remote state change, acknowledgement and settings change."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from homeagent.server.models import utcnow
from homeagent.server.supervision_models import AuditEntry


def record(
    session: Session,
    *,
    actor_id: str,
    team_id: str | None,
    action: str,
    agent_id: str | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    """Add one audit entry to the current transaction (it commits with the change)."""
    entry = AuditEntry(
        at=utcnow(),
        actor_id=actor_id,
        team_id=team_id,
        action=action,
        agent_id=agent_id,
        detail=detail or {},
    )
    session.add(entry)
    return entry
