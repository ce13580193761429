"""Administration used by the CLI and the tests: teams, users, devices."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from homeagent.server import call_supervision
from homeagent.server.auth import hash_password
from homeagent.server.db import Database
from homeagent.server.deps import ROLES
from homeagent.server.events import publish
from homeagent.server.models import (
    AgentStatus,
    Device,
    Disposition,
    PauseReason,
    Queue,
    Team,
    User,
    utcnow,
)
from homeagent.server.passwords import password_problem

DEFAULT_PAUSE_REASONS = ("Déjeuner", "Pause café", "Formation", "Réunion")
DEFAULT_DISPOSITIONS = (
    ("resolved", "Demande traitée"),
    ("callback", "Rappel prévu"),
    ("escalated", "Transmis au niveau 2"),
    ("wrong_number", "Faux numéro"),
)


MAX_QUEUE_WAIT_S = 3600  # Kamailio keeps a waiting call's transaction at most this long


class AdminError(ValueError):
    """An administration request that cannot be done; the message is for the operator."""


def ensure_team(
    db: Database,
    name: str,
    *,
    wrap_up_s: int = 60,
    pause_reasons: Iterable[str] = DEFAULT_PAUSE_REASONS,
    dispositions: Iterable[tuple[str, str]] = DEFAULT_DISPOSITIONS,
) -> str:
    """The id of team `name`, created with default settings if new."""
    with db.write() as s:
        team = s.scalar(select(Team).where(Team.name == name))
        if team is not None:
            return team.id
        team = Team(name=name, wrap_up_s=wrap_up_s)
        s.add(team)
        s.flush()
        s.add_all(PauseReason(team_id=team.id, label=r) for r in pause_reasons)
        s.add_all(Disposition(team_id=team.id, code=c, label=label) for c, label in dispositions)
        return team.id


def ensure_queue(
    db: Database,
    name: str,
    team_id: str,
    *,
    label: str = "",
    rona_s: int | None = None,
    sl_threshold_s: int | None = None,
    max_wait_s: int | None = None,
) -> str:
    """The id of queue `name`, created or updated for team `team_id`.

    Settings left None keep their value; a new queue rings each agent 15 s (RONA), has a
    20 s service-level threshold and lets a call wait 300 s at most.
    """
    checks = (("rona_s", rona_s, 1), ("sl_threshold_s", sl_threshold_s, 0))
    for what, value, low in (*checks, ("max_wait_s", max_wait_s, 0)):
        if value is not None and not low <= value <= MAX_QUEUE_WAIT_S:
            raise AdminError(f"{what} must be between {low} and {MAX_QUEUE_WAIT_S} seconds")
    with db.write() as s:
        queue = s.scalar(select(Queue).where(Queue.name == name))
        if queue is None:
            queue = Queue(name=name, team_id=team_id, label=label or name, rona_s=15)
            s.add(queue)
        queue.team_id = team_id
        if label:
            queue.label = label
        if rona_s is not None:
            queue.rona_s = rona_s
        if sl_threshold_s is not None:
            queue.sl_threshold_s = sl_threshold_s
        if max_wait_s is not None:
            queue.max_wait_s = max_wait_s
        s.flush()
        return queue.id


def create_user(
    db: Database,
    name: str,
    password: str,
    role: str,
    team: str | None = None,
    *,
    display_name: str = "",
    sip_username: str | None = None,
    password_hash: str | None = None,
) -> str:
    """Create a user (agents and team leads need a team; it is created if missing)."""
    if role not in ROLES:
        raise AdminError(f"unknown role {role!r} (agent, team_lead or admin)")
    if role != "admin" and not team:
        raise AdminError(f"a {role} needs a team (--team)")
    if password_hash is None:
        problem = password_problem(password, name)
        if problem is not None:
            raise AdminError(problem)
    team_id = ensure_team(db, team) if team else None
    with db.write() as s:
        if s.scalar(select(User.id).where(User.name == name)) is not None:
            raise AdminError(f"user {name!r} already exists")
        user = User(
            name=name,
            display_name=display_name or name,
            role=role,
            team_id=team_id,
            password_hash=password_hash or hash_password(password),
            sip_username=sip_username or name,
        )
        s.add(user)
        s.flush()
        s.add(AgentStatus(agent_id=user.id, team_id=team_id, state="offline", reason=""))
        return user.id


def revoke_device(db: Database, device_id: str) -> None:
    """Revoke a device: its tokens fail at once and its event stream is told and closed."""
    with db.write() as s:
        device = s.get(Device, device_id)
        if device is None:
            raise AdminError(f"no device {device_id!r}")
        device.revoked_at = utcnow()
        device.refresh_hash = None
        device.login_key_hash = None  # an admin revocation also ends its login exemption
        publish(s, "device_revoked", {"device_id": device.id}, to_device_id=device.id)
        call_supervision.end_for_device(s, device)


def list_devices(
    db: Database, user_name: str | None = None
) -> list[tuple[str, str, str, bool, str]]:
    """(device id, user name, device name, revoked, SIP digest user or "") for every
    device, or one user's (the digest user is the name Kamailio's log gives a device)."""
    with db.read() as s:
        stmt = select(
            Device.id, User.name, Device.name, Device.revoked_at, Device.sip_auth_user
        ).join(User, User.id == Device.user_id)
        if user_name:
            stmt = stmt.where(User.name == user_name)
        rows = s.execute(stmt.order_by(User.name, Device.created_at))
        return [(d, u, n, r is not None, a or "") for d, u, n, r, a in rows]
