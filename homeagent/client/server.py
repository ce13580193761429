"""REST client of the central server (docs/api.md): the typed calls the desk and the
team-lead console make, over `homeagent.client.transport.ApiTransport` (timeouts, retries
where harmless, TLS pinned to the organisation's CA, token renewal and revocation).

- `read_*` methods parse the answer into typed records (`homeagent.core.records`) and
  raise `MalformedPayload` (logged at WARNING) when it is not what the API promises.
  The older dict-returning methods (`me()`, `messages()`…) stay until the desk uses them.

Thread-safe: several workers may share one client (refresh is serialised).
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from homeagent.client.errors import ApiError, MalformedPayload
from homeagent.client.transport import ApiTransport, Json, RefreshTokenStore
from homeagent.core import lead_comms, lead_records, lead_settings, records, supervision
from homeagent.core.profile import Profile

log = logging.getLogger(__name__)

R = TypeVar("R")


class ServerClient(ApiTransport):
    """The app's one way to the server's REST API."""

    @classmethod
    def from_profile(cls, profile: Profile, tokens: RefreshTokenStore, **kw: Any) -> ServerClient:
        return cls(profile.server_url, tokens, ca_pem=profile.ca_pem or None, **kw)

    # --- typed helpers (docs/api.md) -------------------------------------------------

    def health(self) -> bool:
        """Whether the server answers (no authentication; used by `homeagent diagnose`)."""
        return self._send("GET", "/health", auth=False) is not None

    # --- diagnostics bundles (docs/api.md, "Diagnostics") ---------------------------

    def send_diagnostics(self, content: bytes, request_id: int | None = None) -> Json:
        """POST /agents/me/diagnostics: the agent's bundle (a zip), on their consent."""
        params = {"request_id": request_id} if request_id is not None else None
        answer = self._send(
            "POST",
            "/agents/me/diagnostics",
            params=params,
            content=content,
            content_type="application/zip",
        )
        return dict(answer or {})

    def decline_diagnostics(self, request_id: int) -> Json:
        """The agent declines a lead's or IT's request for a bundle."""
        return dict(self.post(f"/agents/me/diagnostics/requests/{int(request_id)}/decline") or {})

    def pending_diagnostics_requests(self) -> Any:
        """The requests for a bundle the agent has not answered yet."""
        return self.get("/agents/me/diagnostics/requests")

    def request_diagnostics(self, agent_id: str, note: str = "") -> Json:
        """A lead or IT asks an agent's desk for a bundle (the agent approves)."""
        return dict(self.post(f"/agents/{agent_id}/diagnostics/requests", {"note": note}) or {})

    def me(self) -> Json:
        return dict(self.get("/me"))

    def sip_provisioning(self) -> Json:
        """The device's SIP settings, without a secret (GET /provisioning/sip)."""
        return dict(self.get("/provisioning/sip"))

    def issue_sip_credential(self) -> Json:
        """A new SIP digest identity for this device, secret included (POST
        /provisioning/sip): it replaces the device's previous one at once."""
        return dict(self.post("/provisioning/sip"))

    def set_agent_state(self, state: str, reason: str = "", *, idempotency_key: str) -> Json:
        body = {"state": state, "reason": reason}
        return dict(self.put("/agents/me/state", body, idempotency_key=idempotency_key))

    def lookup_contact(self, number: str) -> Json | None:
        try:
            return dict(self.get("/contacts/lookup", {"number": number}))
        except ApiError as exc:
            if exc.status == 404:
                return None
            raise

    def sync_contacts(self, cursor: str | None, limit: int = 1000) -> Json:
        params: dict[str, Any] = {"limit": limit}
        if cursor:
            params["cursor"] = cursor
        return dict(self.get("/sync/contacts", params))

    def contact_interactions(self, contact_id: str) -> Any:
        return self.get(f"/contacts/{contact_id}/interactions")

    def callbacks(self, status: str = "pending", due_before: str | None = None) -> Any:
        params = {"status": status, **({"due_before": due_before} if due_before else {})}
        return self.get("/callbacks", params)

    def messages(self, after_id: str | int | None = None) -> Any:
        return self.get("/messages", {"after_id": after_id} if after_id is not None else None)

    def figures_for_agent(self, agent_id: str, day: str) -> Json:
        return dict(self.get(f"/figures/agents/{agent_id}", {"day": day}))

    # --- typed reads (docs/api.md -> homeagent.core.records) -----------------------

    def read_me(self) -> records.Me:
        return _parsed(records.parse_me, self.get("/me"))

    def read_my_state(self) -> records.AgentStateRow:
        return _parsed(records.parse_agent_state, self.get("/agents/me/state"))

    def read_team_agents(self, team_id: str) -> tuple[records.AgentLive, ...]:
        """The team's live board (team leads and admins)."""
        return _parsed(records.parse_team_agents, self.get(f"/teams/{team_id}/agents"))

    def read_messages(self, after_id: int | None = None) -> tuple[records.Message, ...]:
        params = {"after_id": after_id} if after_id is not None else None
        return _parsed(records.parse_messages, self.get("/messages", params))

    def read_callbacks(
        self,
        status: records.CallbackStatus | None = "pending",
        due_before: dt.datetime | None = None,
    ) -> tuple[records.Callback, ...]:
        """My callbacks (a lead: the team's), by due time; `due_before` must be aware."""
        params: dict[str, Any] = {}
        if status is not None:
            params["status"] = status
        if due_before is not None:
            if due_before.tzinfo is None:
                raise ValueError("due_before needs a timezone")
            params["due_before"] = due_before.astimezone(dt.UTC).isoformat()
        return _parsed(records.parse_callbacks, self.get("/callbacks", params))

    def read_contact_history(self, contact_id: str) -> records.ContactHistory:
        """A contact's calls (all agents) and notes."""
        return _parsed(
            records.parse_contact_history, self.get(f"/contacts/{contact_id}/interactions")
        )

    def read_figures(self, agent_id: str, day: dt.date) -> records.Figures:
        """An agent's figures for `day` (own, or of my team as a lead)."""
        found = self.get(f"/figures/agents/{agent_id}", {"day": day.isoformat()})
        return _parsed(records.parse_figures, found)

    # --- the team-lead console's messages, help queue, alerts, days (lead-contract.md) -

    def send_lead_message(
        self,
        body: str,
        *,
        priority: lead_comms.MessagePriority = "normal",
        to_agent_ids: Sequence[str] = (),
        to_team_id: str | None = None,
        idempotency_key: str,
    ) -> lead_comms.LeadMessage:
        """To one agent (a conversation of its own), several, or the whole team."""
        target: dict[str, Any]
        if to_team_id is not None:
            if to_agent_ids:
                raise ValueError("a message goes to agents or to a team, not both")
            target = {"to_team_id": to_team_id}
        elif len(to_agent_ids) == 1:
            target = {"to_agent_id": to_agent_ids[0]}
        elif to_agent_ids:
            target = {"to_agent_ids": list(to_agent_ids)}
        else:
            raise ValueError("a message needs a recipient")
        answer = self.post(
            "/messages",
            {**target, "body": body, "priority": priority},
            idempotency_key=idempotency_key,
        )
        return _parsed(lambda o: lead_comms.parse_lead_message(o, route="POST /messages"), answer)

    def read_lead_messages(
        self, after_id: int | None = None, agent_id: str | None = None
    ) -> tuple[lead_comms.LeadMessage, ...]:
        params: dict[str, Any] = {}
        if after_id is not None:
            params["after_id"] = after_id
        if agent_id is not None:
            params["agent_id"] = agent_id
        return _parsed(lead_comms.parse_lead_messages, self.get("/messages", params or None))

    def read_message_receipts(self, message_id: int) -> tuple[lead_comms.RecipientReceipt, ...]:
        return _parsed(lead_comms.parse_receipts, self.get(f"/messages/{int(message_id)}/receipts"))

    def mark_message_read(self, message_id: int) -> lead_comms.ReceiptUpdate:
        # idempotent on the server: a key lets the client retry it safely
        answer = self.post(
            f"/messages/{int(message_id)}/read", idempotency_key=f"read-{int(message_id)}"
        )
        return _parsed(lead_comms.parse_receipt_update, answer)

    def read_help_requests(
        self, status: lead_comms.HelpStatus, after_id: int | None = None
    ) -> tuple[lead_comms.HelpRequest, ...]:
        params: dict[str, Any] = {"status": status}
        if after_id is not None:
            params["after_id"] = after_id
        return _parsed(lead_comms.parse_help_requests, self.get("/help-requests", params))

    def ack_help_request(self, request_id: int) -> lead_comms.HelpRequest:
        path = f"/help-requests/{int(request_id)}/ack"
        answer = self.post(path, idempotency_key=f"help-ack-{int(request_id)}")
        return _parsed(lambda o: lead_comms.parse_help_request(o, route=f"POST {path}"), answer)

    def resolve_help_request(self, request_id: int) -> lead_comms.HelpRequest:
        path = f"/help-requests/{int(request_id)}/resolve"
        answer = self.post(path, idempotency_key=f"help-resolve-{int(request_id)}")
        return _parsed(lambda o: lead_comms.parse_help_request(o, route=f"POST {path}"), answer)

    def read_alerts(
        self, team_id: str, day: dt.date | None = None, *, open_only: bool = False
    ) -> tuple[lead_comms.Alert, ...]:
        params: dict[str, Any] = {}
        if day is not None:
            params["day"] = day.isoformat()
        if open_only:
            params["open"] = "true"
        answer = self.get(f"/teams/{team_id}/alerts", params or None)
        return _parsed(lead_comms.parse_alerts, answer)

    def ack_alert(self, alert_id: int | str) -> lead_comms.Alert:
        answer = self.post(f"/alerts/{alert_id}/ack", idempotency_key=f"alert-ack-{alert_id}")
        return _parsed(lead_comms.parse_alert, answer)

    def read_team_day(self, team_id: str, day: dt.date) -> lead_comms.DayReport:
        answer = self.get(f"/teams/{team_id}/day", {"day": day.isoformat()})
        return _parsed(lead_comms.parse_day, answer)

    def read_agent_day(self, agent_id: str, day: dt.date) -> lead_comms.DayReport:
        answer = self.get(f"/agents/{agent_id}/day", {"day": day.isoformat()})
        return _parsed(lambda o: lead_comms.parse_day(o, route="GET /agents/{id}/day"), answer)

    # --- the team-lead console (docs/lead-contract.md -> homeagent.core.lead_records) ---

    def read_teams(self) -> tuple[lead_records.TeamRef, ...]:
        """The teams (admins), for the console's team selector."""
        return _parsed(lead_records.parse_teams, self.get("/teams"))

    def read_board(self, team_id: str) -> lead_records.Board:
        return _parsed(lead_records.parse_board, self.get(f"/teams/{team_id}/board"))

    def read_queue_stats(self, team_id: str) -> tuple[lead_records.QueueStats, ...]:
        return _parsed(lead_records.parse_queues, self.get(f"/teams/{team_id}/queues"))

    def read_team_settings(self, team_id: str) -> lead_settings.TeamBoardSettings:
        return _parsed(lead_settings.parse_team_settings, self.get(f"/teams/{team_id}/settings"))

    def write_team_settings(
        self, team_id: str, settings: lead_settings.TeamBoardSettings
    ) -> lead_settings.TeamBoardSettings:
        answer = self.put(f"/teams/{team_id}/settings", settings.to_wire())
        return _parsed(lead_settings.parse_team_settings, answer)

    def set_agent_state_remote(
        self, agent_id: str, state: lead_records.RemoteState, reason: str, note: str
    ) -> lead_records.RemoteStateResult:
        """A lead sets an agent's state (one key per click: a retry cannot apply it twice)."""
        body = {"state": state, "reason": reason, "note": note}
        answer = self.post(f"/agents/{agent_id}/state", body, idempotency_key=str(uuid.uuid4()))
        return _parsed(lead_records.parse_remote_state, answer)

    def cancel_pending_state(self, agent_id: str) -> None:
        self._send("DELETE", f"/agents/{agent_id}/pending-state")

    # --- live call supervision (docs/supervision-contract.md -> core.supervision) ------

    def start_supervision(self, agent_id: str, mode: str) -> supervision.StartedSession:
        """POST /agents/{id}/supervision: sent once, never retried (a retry could not
        return the token; the server answers a second start 409 anyway)."""
        answer = self.post(f"/agents/{agent_id}/supervision", {"mode": mode})
        return _parsed(supervision.parse_started, answer)

    def set_supervision_mode(self, session_id: int, mode: str) -> supervision.SessionRecord:
        # one key per switch: a retry cannot replay an older switch back to this mode
        path = f"/supervision/{int(session_id)}"
        answer = self.patch(path, {"mode": mode}, idempotency_key=str(uuid.uuid4()))
        return _parsed(lambda o: supervision.parse_session(o, route=f"PATCH {path}"), answer)

    def supervision_connected(self, session_id: int) -> supervision.SessionRecord:
        path = f"/supervision/{int(session_id)}/connected"
        answer = self.post(path, idempotency_key=f"supervision-connected-{int(session_id)}")
        return _parsed(lambda o: supervision.parse_session(o, route=f"POST {path}"), answer)

    def end_supervision(self, session_id: int, reason: str) -> supervision.SessionRecord:
        path = f"/supervision/{int(session_id)}/end"
        key = f"supervision-end-{int(session_id)}-{reason}"
        answer = self.post(path, {"reason": reason}, idempotency_key=key)
        return _parsed(lambda o: supervision.parse_session(o, route=f"POST {path}"), answer)

    def read_supervision_policy(self) -> str:
        return _parsed(supervision.parse_policy, self.get("/supervision/policy"))

    def read_team_supervision(self, team_id: str) -> tuple[supervision.SessionRecord, ...]:
        return _parsed(supervision.parse_sessions, self.get(f"/teams/{team_id}/supervision"))


def _parsed(parse: Callable[[object], R], answer: object) -> R:
    try:
        return parse(answer)
    except MalformedPayload as exc:
        log.warning("malformed answer from the server: %s", exc)
        raise
