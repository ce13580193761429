"""REST client of the central server (docs/api.md) over one `requests.Session`.

- Every request has a (connect, read) timeout.
- Retries with exponential backoff and jitter only when repeating is harmless: GET/HEAD/
  PUT/DELETE, or a write carrying an `Idempotency-Key`. Network errors, 429, 502/503/504
  are retried; a TLS failure never is.
- TLS is verified against the profile's CA only (`PinnedCaBundle`); `verify` is passed on
  every call so REQUESTS_CA_BUNDLE & co. cannot widen it.
- The access token is renewed shortly before it expires (`expires_in_s`); a
  401 `token_expired` -> one refresh (rotating refresh token saved to the vault) -> retry.
  401 `device_revoked` -> `on_revoked` callbacks (on the calling thread), `DeviceRevoked`.
- The access token lives in memory only; nothing here logs a token, password or body.
- `read_*` methods parse the answer into typed records (`homeagent.core.records`) and
  raise `MalformedPayload` (logged at WARNING) when it is not what the API promises.
  The older dict-returning methods (`me()`, `messages()`…) stay until the desk uses them.

Thread-safe: several workers may share one client (refresh is serialised).
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import re
import threading
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol, TypeVar

import requests

from homeagent.client.errors import (
    ApiError,
    AuthenticationFailed,
    DeviceRevoked,
    MalformedPayload,
    ServerFailed,
    ServerUnreachable,
    TlsVerificationFailed,
)
from homeagent.core import lead_comms, lead_records, lead_settings, records, supervision
from homeagent.core.profile import Profile
from homeagent.security.tls import PinnedCaBundle

log = logging.getLogger(__name__)

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
RETRY_STATUSES = frozenset({429, 502, 503, 504})
Json = dict[str, Any]
R = TypeVar("R")


class RefreshTokenStore(Protocol):
    def get_refresh_token(self) -> str | None: ...
    def set_refresh_token(self, value: str) -> None: ...


class ServerClient:
    """The app's one way to the server's REST API."""

    def __init__(
        self,
        server_url: str,
        tokens: RefreshTokenStore,
        *,
        ca_pem: str | None = None,
        connect_timeout_s: float = 5.0,
        read_timeout_s: float = 20.0,
        max_attempts: int = 4,
        backoff_s: float = 0.25,
        max_backoff_s: float = 8.0,
        user_agent: str = "HomeAgent",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        base = server_url.rstrip("/")
        self.base_url = base if base.endswith("/api/v1") else f"{base}/api/v1"
        self._tokens = tokens
        self._bundle = PinnedCaBundle(ca_pem) if ca_pem else None
        if self.base_url.startswith("https:") and self._bundle is None:
            raise ValueError("an https server needs the organisation's CA (ca_pem)")
        self.verify: str | bool = str(self._bundle.path) if self._bundle else True
        self.timeout = (connect_timeout_s, read_timeout_s)
        self.max_attempts = max(1, max_attempts)
        self.backoff_s = backoff_s
        self.max_backoff_s = max_backoff_s
        self._session = requests.Session()
        self._session.headers["User-Agent"] = user_agent
        self._access_token: str | None = None
        self._access_renew_at = 0.0  # clock time after which the token is renewed first
        self._clock = clock
        self._lock = threading.Lock()
        self._refresh_lock = threading.Lock()
        self._revoked_callbacks: list[Callable[[], None]] = []
        self.device_id: str | None = None
        self.revoked = False  # set by a revocation; calls then raise DeviceRevoked
        self._closed = threading.Event()

    @classmethod
    def from_profile(cls, profile: Profile, tokens: RefreshTokenStore, **kw: Any) -> ServerClient:
        return cls(profile.server_url, tokens, ca_pem=profile.ca_pem or None, **kw)

    def close(self) -> None:
        self._closed.set()
        self._session.close()
        if self._bundle is not None:
            self._bundle.close()

    def on_revoked(self, callback: Callable[[], None]) -> None:
        """Call `callback()` (on the thread that noticed) when the server revokes us."""
        self._revoked_callbacks.append(callback)

    def notify_revoked(self) -> None:
        """Tell every listener the device is revoked (also used by the event stream)."""
        with self._lock:
            self._access_token = None
            self.revoked = True
        for callback in list(self._revoked_callbacks):
            try:
                callback()
            except Exception:
                log.exception("on_revoked callback failed")

    @property
    def has_access_token(self) -> bool:
        return self._access_token is not None

    # --- authentication -------------------------------------------------------------

    def login(self, username: str, password: str, device_name: str) -> Json:
        """Exchange the user's password for device tokens; the password is not kept.

        Returns the rest of the answer (`device_id`, `user`, `expires_in_s`): the tokens
        went to memory (access) and to the vault (refresh)."""
        body = {"username": username, "password": password, "device_name": device_name}
        result = dict(self._send("POST", "/auth/login", json=body, auth=False))
        self._take_tokens(result)
        return {k: v for k, v in result.items() if k not in ("access_token", "refresh_token")}

    def refresh(self) -> None:
        """Get a new access token with the stored refresh token (which rotates)."""
        token = self._tokens.get_refresh_token()
        if not token:
            raise AuthenticationFailed(401, "not_enrolled", "this device is not enrolled")
        result = self._send("POST", "/auth/refresh", json={"refresh_token": token}, auth=False)
        self._take_tokens(result)

    def _take_tokens(self, result: Mapping[str, Any]) -> None:
        refresh = result.get("refresh_token")
        access = result.get("access_token")
        if not isinstance(access, str) or not isinstance(refresh, str):
            raise ApiError(502, "bad_response", "the server sent no tokens")
        self._tokens.set_refresh_token(refresh)  # first: a lost rotation would lock us out
        ttl_s = float(result.get("expires_in_s") or 0)
        with self._lock:
            self._access_token = access
            # renew ahead of expiry (30 s, or a tenth of short lifetimes) to spare a 401
            self._access_renew_at = (
                self._clock() + ttl_s - min(30.0, ttl_s / 10) if ttl_s > 0 else float("inf")
            )
            self.revoked = False
        if result.get("device_id") is not None:
            self.device_id = str(result["device_id"])

    def _ensure_token(self) -> str:
        if self.revoked:
            raise DeviceRevoked(401, "device_revoked", "This device was revoked; enrol again.")
        with self._lock:
            token = self._access_token
            due = token is not None and self._clock() >= self._access_renew_at
        if token is None or due:
            self._refresh_once(token)
            with self._lock:
                token = self._access_token
        assert token is not None
        return token

    def _refresh_once(self, stale: str | None) -> None:
        """Refresh unless another thread already replaced the stale token."""
        with self._refresh_lock:
            with self._lock:
                if self._access_token is not None and self._access_token != stale:
                    return
            self.refresh()

    # --- generic requests ------------------------------------------------------------

    def get(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        return self._send("GET", path, params=params)

    def post(self, path: str, body: Any = None, *, idempotency_key: str | None = None) -> Any:
        return self._send("POST", path, json=body, idempotency_key=idempotency_key)

    def put(self, path: str, body: Any = None, *, idempotency_key: str | None = None) -> Any:
        return self._send("PUT", path, json=body, idempotency_key=idempotency_key)

    def patch(self, path: str, body: Any = None, *, idempotency_key: str | None = None) -> Any:
        return self._send("PATCH", path, json=body, idempotency_key=idempotency_key)

    def request(
        self, method: str, path: str, body: Any = None, *, idempotency_key: str | None = None
    ) -> Any:
        """Any call by method name (the outbox replays stored writes through this)."""
        return self._send(method.upper(), path, json=body, idempotency_key=idempotency_key)

    def probe(
        self, method: str, path: str, body: Any = None, *, timeout_s: float, auth: bool = True
    ) -> Any:
        """One attempt with its own timeout, never retried (the pre-shift check: a server
        that does not answer must give a red line within the check's budget, not a wait)."""
        return self._send(
            method.upper(), path, json=body, auth=auth, timeout=(timeout_s, timeout_s), attempts=1
        )

    def open_stream(self, path: str, headers: Mapping[str, str], read_timeout_s: float) -> Any:
        """A streaming GET (the event stream), authenticated, not retried here."""
        for attempt in range(2):
            token = self._ensure_token()
            resp = self._raw(
                "GET",
                path,
                headers={**headers, "Authorization": f"Bearer {token}"},
                stream=True,
                timeout=(self.timeout[0], read_timeout_s),
            )
            if resp.status_code == 401 and attempt == 0:
                err = _api_error(resp)
                resp.close()
                if err.code == "token_expired":
                    self._refresh_once(token)
                    continue
                self._raise_auth(err)
            if resp.status_code >= 400:
                err = _api_error(resp)
                resp.close()
                if resp.status_code == 401:
                    self._raise_auth(err)
                if resp.status_code >= 500 or resp.status_code in RETRY_STATUSES:
                    raise ServerUnreachable(f"event stream: {err}")
                raise err
            return resp
        raise ServerUnreachable("event stream: could not authenticate")

    def _raise_auth(self, err: ApiError) -> None:
        if err.code == "device_revoked":
            self.notify_revoked()
            raise DeviceRevoked(err.status, err.code, err.message)
        raise AuthenticationFailed(err.status, err.code, err.message)

    def _raw(self, method: str, path: str, **kw: Any) -> requests.Response:
        if self._closed.is_set():
            raise ServerUnreachable("the client is closed")
        try:
            return self._session.request(
                method, self.base_url + path, verify=self.verify, allow_redirects=False, **kw
            )
        except requests.exceptions.SSLError as exc:
            raise TlsVerificationFailed(
                f"The server at {self.base_url} did not present a certificate from the "
                f"organisation's CA; refusing to talk to it ({_short(exc)})."
            ) from None
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise ServerUnreachable(f"{method} {path}: {_short(exc)}") from None

    def _send(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Mapping[str, Any] | None = None,
        idempotency_key: str | None = None,
        auth: bool = True,
        content: bytes | None = None,
        content_type: str = "",
        timeout: tuple[float, float] | None = None,
        attempts: int | None = None,
    ) -> Any:
        retryable = method in IDEMPOTENT_METHODS or idempotency_key is not None
        if attempts is None:
            attempts = self.max_attempts if retryable else 1
        refreshed = False
        attempt = 0
        while True:
            attempt += 1
            headers = {"Accept": "application/json"}
            token = None
            if auth:
                token = self._ensure_token()
                headers["Authorization"] = f"Bearer {token}"
            if idempotency_key:
                headers["Idempotency-Key"] = idempotency_key
            extra: dict[str, Any] = {"json": json}
            if content is not None:  # a file (a diagnostics bundle), not JSON
                extra = {"data": content}
                headers["Content-Type"] = content_type or "application/octet-stream"
            try:
                resp = self._raw(
                    method,
                    path,
                    params=params,
                    headers=headers,
                    timeout=timeout or self.timeout,
                    **extra,
                )
            except ServerUnreachable:
                if attempt >= attempts:
                    raise
                self._sleep(attempt, None)
                continue
            status = resp.status_code
            log.debug("%s %s -> %s", method, path.split("?")[0], status)
            if status < 400:
                if status == 204 or not resp.content:
                    return None
                return resp.json()
            err = _api_error(resp)
            if status == 401 and auth:
                if err.code == "token_expired" and not refreshed:
                    refreshed = True
                    self._refresh_once(token)
                    continue
                self._raise_auth(err)
            if status == 401:
                self._raise_auth(err)
            if status in RETRY_STATUSES or status >= 500:
                if attempt < attempts and status in RETRY_STATUSES:
                    self._sleep(attempt, resp.headers.get("Retry-After"))
                    continue
                if status >= 500:
                    raise ServerFailed(
                        status, err.code, err.message, f"{method} {path.split('?')[0]}: {err}"
                    )
            raise err

    def _sleep(self, attempt: int, retry_after: str | None) -> None:
        delay = min(self.max_backoff_s, self.backoff_s * 2 ** (attempt - 1))
        delay = random.uniform(delay / 2, delay)  # noqa: S311 (jitter, not crypto)
        if retry_after and retry_after.isdigit():
            delay = min(self.max_backoff_s, max(delay, float(retry_after)))
        if self._closed.wait(delay):
            raise ServerUnreachable("the client is closed")

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


def _api_error(resp: requests.Response) -> ApiError:
    code, message = "http_error", resp.reason or "error"
    extra: dict[str, Any] = {}
    try:
        body = resp.json()
        error = body.get("error") if isinstance(body, dict) else None
        if isinstance(error, dict):
            code = str(error.get("code") or code)
            message = str(error.get("message") or message)
            extra = {k: v for k, v in error.items() if k not in ("code", "message")}
        elif isinstance(body, dict) and isinstance(body.get("detail"), str):
            message = body["detail"]
    except ValueError:
        pass
    return ApiError(resp.status_code, code, message, extra=extra)


_QUERY = re.compile(r"\?[^\s'\"()]*")


def _short(exc: Exception) -> str:
    """An exception's text for messages and logs: no query string (it can hold a phone
    number), at most 200 characters."""
    text = _QUERY.sub("?…", str(exc))
    return text if len(text) < 200 else text[:200] + "…"
