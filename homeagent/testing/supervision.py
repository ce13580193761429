"""`FakeSupervision`: the server's live call supervision in memory (docs/supervision-
contract.md "Server"), for the desk's and the console's tests.

One organisation (users with a role and a team, agents' states, the policy) and its
sessions, answering every route with the server's rules, codes and order of checks, in
wire JSON that `as_user(id)` parses with the product's own parsers: a `SupervisionApi`
that behaves as `ServerClient` does against the real server (the contract test
tests/integration/client/test_supervision_contract.py runs the same cases on both).

`events` keeps what the server would publish, `(audience, type, data)` with audience
`("user", user_id)` or `("leads", team_id)`; `set_state` and `sign_out` play the ends the
server decides (the agent's call ends, a device signs out).
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import itertools
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from homeagent.client.errors import ApiError
from homeagent.core import supervision as sv

Json = dict[str, Any]
OPEN = ("requested", "connected")


def _iso(moment: dt.datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


@dataclass
class FakeUser:
    id: str
    name: str
    role: str  # agent | team_lead | admin
    team_id: str | None
    sip_username: str
    state: str = "offline"


class FakeSupervision:
    """An organisation's supervision sessions in memory (see the module docstring)."""

    def __init__(
        self,
        *,
        sip_domain: str = "homeagent.local",
        policy: str = "announced",
        now: Callable[[], dt.datetime] | None = None,
    ) -> None:
        self.sip_domain = sip_domain
        self.policy = policy
        self._now = now or (lambda: dt.datetime.now(dt.UTC))
        self.users: dict[str, FakeUser] = {}
        self.teams: set[str] = set()
        self.sessions: dict[int, Json] = {}  # id -> the wire Session + "_token_hash", "_modes"
        self.events: list[tuple[tuple[str, str | None], str, Json]] = []
        self.audit: list[tuple[str, str, str, Json]] = []  # (action, actor, agent, detail)
        self.calls: list[str] = []  # "user METHOD /path" of every API call, in order
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    # --- the organisation ---------------------------------------------------------------

    def add_user(
        self, user_id: str, name: str, role: str, team_id: str | None, sip_username: str = ""
    ) -> FakeUser:
        user = FakeUser(user_id, name, role, team_id, sip_username or name)
        self.users[user_id] = user
        if team_id is not None:
            self.teams.add(team_id)
        return user

    def set_state(self, agent_id: str, state: str) -> None:
        """The agent's state moves; leaving on-call ends its open session (`call_ended`)."""
        with self._lock:
            user = self.users[agent_id]
            before, user.state = user.state, state
            if before == "on_call" and state != "on_call":
                row = self._open_of("agent_id", agent_id)
                if row is not None:
                    self._end(row, "call_ended", agent_id)

    def sign_out(self, user_id: str) -> None:
        """A device of the user is revoked or signs out."""
        with self._lock:
            user = self.users[user_id]
            if user.role == "agent":
                row, reason = self._open_of("agent_id", user_id), "agent_signed_out"
            else:
                row, reason = self._open_of("lead_id", user_id), "lead_lost"
            if row is not None:
                self._end(row, reason, user_id)

    def token_matches(self, session_id: int, token: str) -> bool:
        row = self.sessions.get(session_id)
        if row is None or row["status"] == "ended":
            return False
        return secrets.compare_digest(
            row["_token_hash"], hashlib.sha256(token.encode()).hexdigest()
        )

    def drain_events(self) -> list[tuple[tuple[str, str | None], str, Json]]:
        out, self.events = self.events, []
        return out

    # --- the wire ----------------------------------------------------------------------

    def handle(self, user_id: str, method: str, path: str, body: Any = None) -> Any:
        """One request of `user_id`, answered as the server would (raises ApiError)."""
        with self._lock:
            self.calls.append(f"{user_id} {method} {path}")
            p = self.users.get(user_id)
            if p is None:
                raise ApiError(401, "invalid_token", "The access token is not valid.")
            return copy.deepcopy(self._route(p, method, path.strip("/").split("/"), body or {}))

    def _route(self, p: FakeUser, method: str, parts: list[str], body: Json) -> Any:
        match method, parts:
            case "POST", ["agents", agent_id, "supervision"]:
                return self._start(p, agent_id, _choice(body, "mode", sv.MODES, {"mode"}))
            case "PATCH", ["supervision", sid]:
                mode = _choice(body, "mode", sv.MODES, {"mode"})
                return self._mode(p, self._visible(p, sid), mode)
            case "POST", ["supervision", sid, "connected"]:
                return self._connected(p, self._visible(p, sid))
            case "POST", ["supervision", sid, "end"]:
                reason = _choice(body, "reason", sv.END_REASONS, {"reason"})
                row = self._visible(p, sid)
                if not (p.role == "admin" or p.id in (row["lead_id"], row["agent_id"])):
                    raise ApiError(403, "forbidden", "Only the session's lead or agent may end it.")
                return self._out(self._end(row, reason, p.id))
            case "GET", ["teams", team_id, "supervision"]:
                _require_lead(p)
                if p.role != "admin" and team_id != p.team_id:
                    raise ApiError(403, "forbidden", "You may not read another team's data.")
                if team_id not in self.teams:
                    raise ApiError(404, "not_found", "No such team.")
                return [self._out(r) for _, r in sorted(self.sessions.items())
                        if r["team_id"] == team_id and r["status"] in OPEN]  # fmt: skip
            case "GET", ["supervision", "policy"]:
                _require_lead(p)
                return {"policy": self.policy}
        raise ApiError(404, "not_found", f"no route {method} /{'/'.join(parts)}")

    def _name(self, user_id: str) -> str:
        user = self.users.get(user_id)
        return "" if user is None else user.name

    def _out(self, row: Json) -> Json:
        return {k: v for k, v in row.items() if not k.startswith("_")}

    def _publish_session(self, row: Json) -> None:
        audience = ("leads", row["team_id"]) if row["team_id"] else ("user", row["lead_id"])
        self.events.append((audience, "supervision_session", self._out(row)))

    def _open_of(self, key: str, user_id: str) -> Json | None:
        for row in self.sessions.values():
            if row[key] == user_id and row["status"] in OPEN:
                return row
        return None

    def _visible(self, p: FakeUser, sid: str) -> Json:
        row = self.sessions.get(int(sid)) if sid.isdigit() else None
        if row is None or not (
            p.role == "admin"
            or p.id in (row["lead_id"], row["agent_id"])
            or (p.role == "team_lead" and row["team_id"] is not None
                and row["team_id"] == p.team_id)
        ):  # fmt: skip
            raise ApiError(404, "not_found", "No such supervision session.")
        return row

    def _start(self, p: FakeUser, agent_id: str, mode: str) -> Json:
        _require_lead(p)
        agent = self.users.get(agent_id)
        if agent is None or agent.role != "agent":
            raise ApiError(404, "not_found", "No such agent.")
        if p.role != "admin" and (p.team_id is None or agent.team_id != p.team_id):
            raise ApiError(403, "forbidden", "You may supervise the agents of your team only.")
        if self.policy == "off":
            raise ApiError(
                403, "supervision_off", "Live call supervision is turned off by your organisation."
            )
        if agent.state != "on_call":
            raise ApiError(409, "not_in_call", f"{agent.name} is not on a call ({agent.state}).")
        holder = self._open_of("agent_id", agent.id)
        if holder is not None:
            by = {"id": holder["lead_id"], "name": self._name(holder["lead_id"])}
            raise ApiError(
                409,
                "already_supervised",
                f"{by['name']} is already supervising {agent.name}.",
                extra={"by": by},
            )
        if self._open_of("lead_id", p.id) is not None:
            raise ApiError(409, "lead_busy", "You are already supervising a call: stop it first.")
        token = secrets.token_urlsafe(32)
        now = _iso(self._now())
        row: Json = {
            "id": next(self._ids), "agent_id": agent.id, "agent_name": agent.name,
            "lead_id": p.id, "lead_name": p.name, "team_id": agent.team_id, "mode": mode,
            "status": "requested", "created_at": now, "connected_at": None,
            "ended_at": None, "end_reason": None,
            "_token_hash": hashlib.sha256(token.encode()).hexdigest(),
            "_modes": [{"mode": mode, "at": now}],
        }  # fmt: skip
        self.sessions[row["id"]] = row
        lead = {"id": p.id, "name": p.name}
        self.events.append((("user", agent.id), "supervision_requested", {
            "id": row["id"], "token": token, "mode": mode, "lead": lead,
            "lead_sip_uri": f"sip:{p.sip_username}@{self.sip_domain}",
            "announce": self.policy == "announced",
        }))  # fmt: skip
        self._publish_session(row)
        self.audit.append(("supervision_started", p.id, agent.id, {"mode": mode}))
        return {**self._out(row), "token": token}

    def _mode(self, p: FakeUser, row: Json, mode: str) -> Json:
        if not (p.role == "admin" or p.id == row["lead_id"]):
            raise ApiError(403, "forbidden", "Only the session's lead may change its mode.")
        if row["status"] == "ended":
            raise ApiError(409, "ended", "This supervision session has ended.")
        if mode != row["mode"]:
            row["mode"] = mode
            row["_modes"].append({"mode": mode, "at": _iso(self._now())})
            lead = {"id": row["lead_id"], "name": row["lead_name"]}
            self.events.append((("user", row["agent_id"]), "supervision_mode", {
                "id": row["id"], "mode": mode, "lead": lead,
                "announce": self.policy == "announced",
            }))  # fmt: skip
            self._publish_session(row)
            self.audit.append(("supervision_mode", p.id, row["agent_id"], {"mode": mode}))
        return self._out(row)

    def _connected(self, p: FakeUser, row: Json) -> Json:
        if p.id != row["agent_id"]:
            raise ApiError(403, "forbidden", "Only the supervised agent's app reports the leg.")
        if row["status"] == "requested":
            row["status"], row["connected_at"] = "connected", _iso(self._now())
            self._publish_session(row)
            self.audit.append(("supervision_connected", p.id, row["agent_id"], {}))
        return self._out(row)

    def _end(self, row: Json, reason: str, actor_id: str) -> Json:
        if row["status"] == "ended":
            return row
        row["status"], row["ended_at"], row["end_reason"] = "ended", _iso(self._now()), reason
        for user_id in (row["agent_id"], row["lead_id"]):
            self.events.append(
                (("user", user_id), "supervision_ended", {"id": row["id"], "reason": reason})
            )
        self._publish_session(row)
        self.audit.append(("supervision_ended", actor_id, row["agent_id"], {"reason": reason}))
        return row

    def day_supervisions(self, agent_id: str) -> list[Json]:
        """The day's `supervisions` of the agent (every session the fake holds)."""
        return [
            {
                "id": r["id"],
                "lead_name": r["lead_name"],
                "modes": [m["mode"] for m in r["_modes"]],
                "started_at": r["created_at"],
                "ended_at": r["ended_at"],
                "end_reason": r["end_reason"],
            }
            for _, r in sorted(self.sessions.items())
            if r["agent_id"] == agent_id
        ]

    # --- the product's side --------------------------------------------------------------

    def as_user(self, user_id: str) -> FakeSupervisionClient:
        return FakeSupervisionClient(self, user_id)


class FakeSupervisionClient:
    """`SupervisionApi` for one user of a `FakeSupervision` (parsed as the client does)."""

    def __init__(self, server: FakeSupervision, user_id: str) -> None:
        self.server = server
        self.user_id = user_id
        self.fail_with: Exception | None = None  # raised by the next call, then cleared

    def _call(self, method: str, path: str, body: Any = None) -> Any:
        failure, self.fail_with = self.fail_with, None
        if failure is not None:
            raise failure
        return self.server.handle(self.user_id, method, path, body)

    def start_supervision(self, agent_id: str, mode: str) -> sv.StartedSession:
        return sv.parse_started(self._call("POST", f"/agents/{agent_id}/supervision",
                                           {"mode": mode}))  # fmt: skip

    def set_supervision_mode(self, session_id: int, mode: str) -> sv.SessionRecord:
        path = f"/supervision/{int(session_id)}"
        return sv.parse_session(self._call("PATCH", path, {"mode": mode}), route=f"PATCH {path}")

    def supervision_connected(self, session_id: int) -> sv.SessionRecord:
        path = f"/supervision/{int(session_id)}/connected"
        return sv.parse_session(self._call("POST", path), route=f"POST {path}")

    def end_supervision(self, session_id: int, reason: str) -> sv.SessionRecord:
        path = f"/supervision/{int(session_id)}/end"
        answer = self._call("POST", path, {"reason": reason})
        return sv.parse_session(answer, route=f"POST {path}")

    def read_supervision_policy(self) -> str:
        return sv.parse_policy(self._call("GET", "/supervision/policy"))

    def read_team_supervision(self, team_id: str) -> tuple[sv.SessionRecord, ...]:
        return sv.parse_sessions(self._call("GET", f"/teams/{team_id}/supervision"))


def _require_lead(p: FakeUser) -> None:
    if p.role not in ("team_lead", "admin"):
        raise ApiError(403, "forbidden", "This needs the role team_lead or admin.")


def _choice(body: Json, key: str, allowed: tuple[str, ...], fields: set[str]) -> str:
    """A body of exactly `fields` whose `key` is one of `allowed` (else 422, as pydantic)."""
    value = body.get(key) if isinstance(body, dict) else None
    if not isinstance(body, dict) or set(body) != fields or value not in allowed:
        raise ApiError(422, "invalid_input", f"Invalid input — {key}: not one of {allowed}")
    return str(value)
