"""One simulated agent's REST client: signs in like a device, refreshes, tolerates routes
that are not there yet.

Sign-in is `POST /auth/login` (a device of its own, named "Équipe démo"); a 401
`token_expired` refreshes once (`POST /auth/refresh`, the refresh token rotates) and
retries; the access token is also refreshed a minute before it expires. Tokens and the
password are never logged.

Some routes of the team-lead contract (docs/lead-contract.md) are built by other work
(call quality, message receipts, messages to the lead): a 404 for the route itself — not
for a resource — is logged once per route (and process), otherwise ignored, so the demo runs on a
server that has them or not.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

import requests

log = logging.getLogger(__name__)

DEVICE_NAME = "Équipe démo"
TIMEOUT_S = 10.0

# Routes the server answered 404 for, shared by the process's agents: logged once each.
_MISSING: set[str] = set()
_MISSING_LOCK = threading.Lock()


class ApiFailure(RuntimeError):
    """The server answered a request with an error (status and the error's code)."""

    def __init__(self, method: str, path: str, status: int, code: str) -> None:
        super().__init__(f"{method} {path}: {status} {code}")
        self.status = status
        self.code = code


class AgentApi:
    """A signed-in simulated agent's view of the API (one per agent, one thread each)."""

    def __init__(self, base_url: str, login: str, password: str) -> None:
        self.base = base_url.rstrip("/") + "/api/v1"
        self.login_name = login
        self._password = password
        self._http = requests.Session()
        self._access = ""
        self._refresh = ""
        self._expires_at = 0.0
        self._lock = threading.Lock()

    def sign_in(self) -> dict[str, Any]:
        """POST /auth/login; returns the user object."""
        r = self._http.post(
            f"{self.base}/auth/login",
            json={"username": self.login_name, "password": self._password,
                  "device_name": DEVICE_NAME},
            timeout=TIMEOUT_S,
        )  # fmt: skip
        body = self._checked("POST", "/auth/login", r)
        self._take_tokens(body)
        user: dict[str, Any] = body["user"]
        return user

    def _take_tokens(self, body: dict[str, Any]) -> None:
        self._access = str(body["access_token"])
        self._refresh = str(body["refresh_token"])
        self._expires_at = time.monotonic() + float(body.get("expires_in_s", 900))

    def refresh(self) -> None:
        """POST /auth/refresh (the refresh token rotates)."""
        r = self._http.post(
            f"{self.base}/auth/refresh", json={"refresh_token": self._refresh}, timeout=TIMEOUT_S
        )
        self._take_tokens(self._checked("POST", "/auth/refresh", r))
        log.info("%s: access token refreshed", self.login_name)

    def close(self) -> None:
        """Sign out (revokes this device's tokens) and close the connection pool."""
        try:
            if self._access:
                self._http.post(
                    f"{self.base}/auth/logout", headers=self._auth(), timeout=TIMEOUT_S / 3
                )
        except requests.RequestException:
            pass
        finally:
            self._http.close()

    def _auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._access}"}

    def call(
        self,
        method: str,
        path: str,
        body: dict[str, Any] | None = None,
        *,
        optional: str = "",
        timeout_s: float = TIMEOUT_S,
    ) -> Any:
        """One request; the JSON answer (None for 204). `optional` names a route that may
        not exist yet: its route-level 404 returns None (logged once)."""
        with self._lock:
            if self._access and time.monotonic() > self._expires_at - 60:
                self.refresh()
            r = self._send(method, path, body, timeout_s)
            if r.status_code == 401 and _code(r) == "token_expired":
                self.refresh()
                r = self._send(method, path, body, timeout_s)
        if optional and r.status_code in (404, 405) and _route_missing(r):
            with _MISSING_LOCK:
                first = optional not in _MISSING
                _MISSING.add(optional)
            if first:
                log.warning(
                    "the server has no %s route yet (%s %s answered %s); going on without",
                    optional, method, path.split("?")[0], r.status_code,
                )  # fmt: skip
            return None
        return self._checked(method, path, r)

    def _send(
        self, method: str, path: str, body: dict[str, Any] | None, timeout_s: float
    ) -> requests.Response:
        return self._http.request(
            method, self.base + path, json=body, headers=self._auth(), timeout=timeout_s
        )

    @staticmethod
    def _checked(method: str, path: str, r: requests.Response) -> Any:
        if r.status_code >= 400:
            raise ApiFailure(method, path.split("?")[0], r.status_code, _code(r))
        if r.status_code == 204 or not r.content:
            return None
        return r.json()


def _code(r: requests.Response) -> str:
    try:
        body = r.json()
    except ValueError:
        return ""
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        return str(body["error"].get("code", ""))
    return ""


def _route_missing(r: requests.Response) -> bool:
    """A 404/405 that says the route does not exist (not "no such message")."""
    if r.status_code == 405:
        return True
    try:
        message = str(r.json().get("error", {}).get("message", ""))
    except (ValueError, AttributeError):
        return True
    # The server's own resource 404s name the resource ("No such message."); the router's
    # "Not Found" for an unknown path is the generic one.
    return message.strip().lower() in ("not found", "")
