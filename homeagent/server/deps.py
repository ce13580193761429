"""Request context: the server objects, the authenticated principal and role checks."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import select
from sqlalchemy.orm import Session

from homeagent.server.auth import AccountBackoff, FailureWindow, TokenError, read_access_token
from homeagent.server.errors import ApiError
from homeagent.server.limits import Limits
from homeagent.server.models import Device, User
from homeagent.server.quality import ReportGate

if TYPE_CHECKING:
    from homeagent.server.db import Database
    from homeagent.server.echo import EchoService
    from homeagent.server.events import EventBus
    from homeagent.server.queue_stats import QueueStatsPublisher

AGENT, TEAM_LEAD, ADMIN = "agent", "team_lead", "admin"
ROLES = (AGENT, TEAM_LEAD, ADMIN)


@dataclass
class ServerContext:
    """Everything a request handler needs; built once by the app factory."""

    db: Database
    settings: dict[str, str]
    bus: EventBus
    access_ttl_s: int = 900
    limits: Limits = field(default_factory=Limits)
    queue_stats: QueueStatsPublisher | None = None  # publishes `queue_stats` events
    echo: EchoService | None = None  # the pre-shift check's UDP echo (None: not offered)
    failures_by_address: FailureWindow = field(init=False)
    backoff: AccountBackoff = field(init=False)
    quality_gate: ReportGate = field(init=False)
    echo_gate: ReportGate = field(init=False)  # one echo session per user every 5 s

    def __post_init__(self) -> None:
        lim = self.limits
        self.failures_by_address = FailureWindow(
            lim.login_address_limit, lim.login_address_window_s
        )
        self.backoff = AccountBackoff(
            lim.login_free_failures,
            lim.login_backoff_s,
            lim.login_backoff_max_s,
            lim.login_failure_memory_s,
        )
        self.quality_gate = ReportGate(lim.call_quality_interval_s)
        self.echo_gate = ReportGate(5.0)

    @property
    def token_secret(self) -> str:
        return self.settings["token_secret"]


@dataclass(frozen=True, slots=True)
class Principal:
    """The authenticated user and device of a request."""

    user_id: str
    name: str
    role: str
    team_id: str | None
    device_id: str

    @property
    def is_admin(self) -> bool:
        return self.role == ADMIN

    @property
    def is_lead(self) -> bool:
        return self.role == TEAM_LEAD

    def require(self, *roles: str) -> None:
        """Refuse with 403 unless the principal has one of `roles`."""
        if self.role not in roles:
            raise ApiError(403, "forbidden", f"This needs the role {' or '.join(roles)}.")

    def require_team(self, team_id: str | None) -> None:
        """Admins see every team; a team lead only theirs; agents none but their own data."""
        if self.is_admin:
            return
        if self.is_lead and team_id is not None and team_id == self.team_id:
            return
        raise ApiError(403, "forbidden", "You may not read another team's data.")

    def require_agent_access(self, agent_id: str, agent_team_id: str | None) -> None:
        """Own data, the lead of the agent's team, or an admin."""
        if agent_id == self.user_id:
            return
        self.require_team(agent_team_id)

    def readable_agent(self, s: Session, agent_id: str) -> User:
        """The agent `agent_id` if this principal may read its data.

        An unknown id is 404 for an admin only; others get the same 403 as for an agent of
        another team, so ids cannot be probed.
        """
        agent = s.get(User, agent_id)
        if agent is None:
            if self.is_admin:
                raise ApiError(404, "not_found", "No such agent.")
            raise ApiError(403, "forbidden", "You may not read this agent's data.")
        self.require_agent_access(agent.id, agent.team_id)
        return agent


def context(request: Request) -> ServerContext:
    ctx: ServerContext = request.app.state.ctx
    return ctx


def authenticate(ctx: ServerContext, authorization: str | None) -> Principal:
    """Check the bearer token, then that the device is not revoked and the user active."""
    if not authorization or not authorization.lower().startswith("bearer "):
        raise ApiError(401, "unauthorized", "Send 'Authorization: Bearer <access token>'.")
    try:
        claims = read_access_token(ctx.token_secret, authorization[7:].strip())
    except TokenError as exc:
        raise ApiError(401, exc.code, exc.message) from None
    with ctx.db.read() as s:
        row = s.execute(
            select(Device.revoked_at, User.name, User.role, User.team_id, User.active)
            .join(User, User.id == Device.user_id)
            .where(Device.id == claims.device_id, User.id == claims.user_id)
        ).first()
    if row is None:
        raise ApiError(401, "invalid_token", "The access token is not valid.")
    if row.revoked_at is not None:
        raise ApiError(401, "device_revoked", "This device has been revoked; enrol it again.")
    if not row.active:
        raise ApiError(401, "account_disabled", "This account is disabled.")
    return Principal(claims.user_id, row.name, row.role, row.team_id, claims.device_id)


_bearer = HTTPBearer(auto_error=False, description="Access token from /auth/login")


def principal(
    request: Request,
    _creds: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    return authenticate(context(request), request.headers.get("authorization"))


Ctx = Annotated[ServerContext, Depends(context)]
Auth = Annotated[Principal, Depends(principal)]
