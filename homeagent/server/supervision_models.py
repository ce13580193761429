"""Tables of the team lead's supervision: team settings, alerts, the audit log, and
listen/whisper/barge sessions (SQLAlchemy 2 declarative, on `models.Base`).

`homeagent.server.models` imports this module so that its tables are registered on
`Base.metadata` for everyone who imports only `models` (alembic's env.py, `create_all`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from homeagent.server.models import Base, BigId, utcnow


class TeamSettings(Base):
    """A team's board thresholds and alert settings (`supervision_schemas.TeamSettingsBody`).

    No row: the defaults (`homeagent.server.team_settings.DEFAULTS`).
    """

    __tablename__ = "team_settings"
    team_id: Mapped[str] = mapped_column(
        ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True
    )
    data: Mapped[dict[str, Any]] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[str | None] = mapped_column(String(36))


class Alert(Base):
    """One alert: an agent, a kind and an episode (one break, one call, one run of misses…).

    The unique key makes an episode raise once, whichever server instance sees it first.
    """

    __tablename__ = "alerts"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    team_id: Mapped[str | None] = mapped_column(String(36))
    agent_id: Mapped[str] = mapped_column(String(36))
    kind: Mapped[str] = mapped_column(String(24))
    episode: Mapped[str] = mapped_column(String(100))
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    raised_at: Mapped[datetime] = mapped_column(default=utcnow)
    cleared_at: Mapped[datetime | None]
    acked_at: Mapped[datetime | None]
    acked_by_id: Mapped[str | None] = mapped_column(String(36))
    __table_args__ = (
        UniqueConstraint("agent_id", "kind", "episode", name="uq_alerts_episode"),
        Index("ix_alerts_team_raised", "team_id", "raised_at"),
        Index("ix_alerts_cleared", "cleared_at"),
    )


class AuditEntry(Base):
    """Who did what to whom, when: remote state changes, acknowledgements, settings."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[str] = mapped_column(String(36))
    team_id: Mapped[str | None] = mapped_column(String(36))
    action: Mapped[str] = mapped_column(String(32))
    agent_id: Mapped[str | None] = mapped_column(String(36))
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    __table_args__ = (Index("ix_audit_log_team_at", "team_id", "at"),)


class SupervisionSession(Base):
    """A lead listening to, whispering to or barging into one agent's customer call.

    Only the SHA-256 of the session's one-time token is kept. At most one open
    (requested or connected) session per agent and per lead: the partial unique indexes
    hold that across server instances even if two requests race past the checks.
    `modes`: every mode the session went through, `[{"mode", "at"}]`, oldest first.
    """

    __tablename__ = "supervision_sessions"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    agent_id: Mapped[str] = mapped_column(String(36))
    lead_id: Mapped[str] = mapped_column(String(36))
    team_id: Mapped[str | None] = mapped_column(String(36))
    mode: Mapped[str] = mapped_column(String(8))  # listen | whisper | barge
    status: Mapped[str] = mapped_column(String(10), default="requested")
    token_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    connected_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    end_reason: Mapped[str | None] = mapped_column(String(20))
    modes: Mapped[list[Any]] = mapped_column(default=list)
    __table_args__ = (
        Index(
            "uq_supervision_open_agent",
            "agent_id",
            unique=True,
            sqlite_where=text("status != 'ended'"),
            postgresql_where=text("status != 'ended'"),
        ),
        Index(
            "uq_supervision_open_lead",
            "lead_id",
            unique=True,
            sqlite_where=text("status != 'ended'"),
            postgresql_where=text("status != 'ended'"),
        ),
        Index("ix_supervision_team_status", "team_id", "status"),
        Index("ix_supervision_agent_created", "agent_id", "created_at"),
    )
