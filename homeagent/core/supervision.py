"""Live call supervision's records and ports, Qt-free (docs/supervision-contract.md).

What the server answers and streams about a supervision session, parsed strictly with
`homeagent.core.records`' rules (every declared field required, unknown ones ignored, a
malformed payload is one `MalformedPayload` naming the route and the field), and the port
both the agent's desk and the lead's console talk to the server through.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from homeagent.core.commands import SUPERVISION_MODES
from homeagent.core.payload import Fields, MalformedPayload, parse_items

__all__ = [
    "END_REASONS",
    "MODES",
    "POLICIES",
    "DaySupervision",
    "MalformedPayload",
    "SessionRecord",
    "StartedSession",
    "SupervisionApi",
    "SupervisionEnded",
    "SupervisionHolder",
    "SupervisionModeChanged",
    "SupervisionRequest",
    "holder_of",
    "parse_day_supervisions",
    "parse_ended",
    "parse_mode_changed",
    "parse_policy",
    "parse_request",
    "parse_session",
    "parse_sessions",
    "parse_started",
]

MODES = SUPERVISION_MODES
STATUSES = ("requested", "connected", "ended")
POLICIES = ("announced", "silent", "off")
END_REASONS = (
    "lead_stopped",
    "call_ended",
    "transferred",
    "lead_lost",
    "server_lost",
    "refused",
    "failed",
    "not_in_call",
    "agent_signed_out",
)
MAX_SESSION_ID = 2**63 - 1
# secrets.token_urlsafe(32): 43 characters of the URL-safe alphabet; a header value must
# never carry anything else (no CR/LF, no ';' parameters)
_TOKEN = re.compile(r"[A-Za-z0-9_-]{32,128}")
_SIP_URI = re.compile(r"sips?:[A-Za-z0-9._~+%!$&'()*=,;:-]+@[A-Za-z0-9.-]+(:[0-9]{1,5})?")


@dataclass(frozen=True, slots=True)
class SessionRecord:
    """One supervision session as the server tells it (`Session` in the contract)."""

    id: int
    agent_id: str
    agent_name: str
    lead_id: str
    lead_name: str
    team_id: str | None
    mode: str
    status: str  # requested | connected | ended
    created_at: dt.datetime
    connected_at: dt.datetime | None
    ended_at: dt.datetime | None
    end_reason: str | None

    @property
    def open(self) -> bool:
        return self.status != "ended"


@dataclass(frozen=True, slots=True)
class StartedSession:
    """The answer to the lead's POST: the session and its one-time token."""

    session: SessionRecord
    token: str = field(repr=False)


@dataclass(frozen=True, slots=True)
class SupervisionRequest:
    """`supervision_requested` on the agent's stream: place the leg to `lead_sip_uri`."""

    id: int
    token: str = field(repr=False)
    mode: str = "listen"
    lead_id: str = ""
    lead_name: str = ""
    lead_sip_uri: str = ""
    announce: bool = True


@dataclass(frozen=True, slots=True)
class SupervisionModeChanged:
    """`supervision_mode` on the agent's stream."""

    id: int
    mode: str
    lead_name: str
    announce: bool


@dataclass(frozen=True, slots=True)
class SupervisionEnded:
    """`supervision_ended` on the agent's or the lead's stream."""

    id: int
    reason: str


@dataclass(frozen=True, slots=True)
class DaySupervision:
    """One session in an agent's day (`GET /agents/{id}/day` → `supervisions`)."""

    id: int
    lead_name: str
    modes: tuple[str, ...]
    started_at: dt.datetime
    ended_at: dt.datetime | None
    end_reason: str | None


def _id(f: Fields) -> int:
    return f.integer("id", 1, MAX_SESSION_ID)


def _session(f: Fields) -> SessionRecord:
    team = f.text_or_none("team_id")
    reason = f.text_or_none("end_reason")
    return SessionRecord(
        id=_id(f),
        agent_id=f.text("agent_id"),
        agent_name=f.text("agent_name"),
        lead_id=f.text("lead_id"),
        lead_name=f.text("lead_name"),
        team_id=team,
        mode=f.choice("mode", MODES),
        status=f.choice("status", STATUSES),
        created_at=f.moment("created_at"),
        connected_at=f.moment_or_none("connected_at"),
        ended_at=f.moment_or_none("ended_at"),
        end_reason=reason,
    )


def _token(f: Fields) -> str:
    token = f.text("token")
    if not _TOKEN.fullmatch(token):
        raise f.fail("token", "not a session token")  # never echo the value
    return token


def parse_session(obj: object, *, route: str = "supervision session") -> SessionRecord:
    return _session(Fields(route, obj, ""))


def parse_sessions(
    obj: object, *, route: str = "GET /teams/{id}/supervision"
) -> tuple[SessionRecord, ...]:
    return parse_items(route, obj, "", _session)


def parse_started(obj: object, *, route: str = "POST /agents/{id}/supervision") -> StartedSession:
    f = Fields(route, obj, "")
    return StartedSession(_session(f), _token(f))


def parse_request(obj: object, *, route: str = "event supervision_requested") -> SupervisionRequest:
    f = Fields(route, obj, "")
    lead = f.child("lead")
    uri = f.text("lead_sip_uri")
    if len(uri) > 256 or not _SIP_URI.fullmatch(uri):
        raise f.fail("lead_sip_uri", "not a sip: or sips: URI")
    return SupervisionRequest(
        id=_id(f),
        token=_token(f),
        mode=f.choice("mode", MODES),
        lead_id=lead.text("id"),
        lead_name=lead.text("name"),
        lead_sip_uri=uri,
        announce=f.flag("announce"),
    )


def parse_mode_changed(
    obj: object, *, route: str = "event supervision_mode"
) -> SupervisionModeChanged:
    f = Fields(route, obj, "")
    return SupervisionModeChanged(
        id=_id(f),
        mode=f.choice("mode", MODES),
        lead_name=f.child("lead").text("name"),
        announce=f.flag("announce"),
    )


def parse_ended(obj: object, *, route: str = "event supervision_ended") -> SupervisionEnded:
    f = Fields(route, obj, "")
    return SupervisionEnded(_id(f), f.text("reason")[:40])


def _day_supervision(f: Fields) -> DaySupervision:
    modes = f.texts("modes")
    for i, mode in enumerate(modes):
        if mode not in MODES:
            raise MalformedPayload(f.route, f"{f.path('modes')}[{i}]", "not a mode")
    return DaySupervision(
        id=_id(f),
        lead_name=f.text("lead_name"),
        modes=modes,
        started_at=f.moment("started_at"),
        ended_at=f.moment_or_none("ended_at"),
        end_reason=f.text_or_none("end_reason"),
    )


def parse_day_supervisions(
    obj: object, *, route: str = "GET /agents/{id}/day"
) -> tuple[DaySupervision, ...]:
    """The day's `supervisions` list (the answer's field, not the whole answer)."""
    return parse_items(route, obj, "supervisions", _day_supervision)


def parse_policy(obj: object, *, route: str = "GET /supervision/policy") -> str:
    return Fields(route, obj, "").choice("policy", POLICIES)


@dataclass(frozen=True, slots=True)
class SupervisionHolder:
    """Who already supervises the agent (409 `already_supervised`'s `by`)."""

    id: str
    name: str


def holder_of(extra: object) -> SupervisionHolder | None:
    """The lead named in a 409 `already_supervised` refusal (the client's
    `ApiError.extra`), or None when the answer does not say (never raises)."""
    by = extra.get("by") if isinstance(extra, Mapping) else None
    if not isinstance(by, Mapping):
        return None
    uid, name = by.get("id"), by.get("name")
    if not isinstance(uid, str) or not isinstance(name, str) or not uid:
        return None
    return SupervisionHolder(uid, name[:200])


class SupervisionApi(Protocol):
    """The server's supervision routes (`homeagent.client.server.ServerClient`; fakes in
    `homeagent.testing`). Refusals raise the client's `ApiError` (status, code)."""

    def start_supervision(self, agent_id: str, mode: str) -> StartedSession:
        """POST /agents/{agent_id}/supervision."""
        ...

    def set_supervision_mode(self, session_id: int, mode: str) -> SessionRecord:
        """PATCH /supervision/{id}."""
        ...

    def supervision_connected(self, session_id: int) -> SessionRecord:
        """POST /supervision/{id}/connected (the supervised agent)."""
        ...

    def end_supervision(self, session_id: int, reason: str) -> SessionRecord:
        """POST /supervision/{id}/end."""
        ...

    def read_supervision_policy(self) -> str:
        """GET /supervision/policy."""
        ...

    def read_team_supervision(self, team_id: str) -> tuple[SessionRecord, ...]:
        """GET /teams/{team_id}/supervision (the open sessions)."""
        ...
