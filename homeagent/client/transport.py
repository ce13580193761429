"""The connection to the central server's REST API (docs/api.md) over one `requests.Session`.

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

`homeagent.client.server.ServerClient` adds the typed calls on top of `ApiTransport`.
Thread-safe: several workers may share one client (refresh is serialised).
"""

from __future__ import annotations

import logging
import random
import re
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any, Protocol

import requests

from homeagent.client.errors import (
    ApiError,
    AuthenticationFailed,
    DeviceRevoked,
    ServerFailed,
    ServerUnreachable,
    TlsVerificationFailed,
)
from homeagent.security.tls import PinnedCaBundle

log = logging.getLogger(__name__)

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
RETRY_STATUSES = frozenset({429, 502, 503, 504})
Json = dict[str, Any]


class RefreshTokenStore(Protocol):
    def get_refresh_token(self) -> str | None: ...
    def set_refresh_token(self, value: str) -> None: ...


class ApiTransport:
    """One authenticated session to the server: timeouts, retries, TLS, tokens."""

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
