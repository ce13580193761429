"""Passwords (argon2id), signed access tokens, rotating refresh tokens, login back-off."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from argon2.profiles import RFC_9106_LOW_MEMORY

ACCESS_TOKEN_TTL_S = 900
REFRESH_GRACE = timedelta(minutes=2)  # a replaced refresh token still works, once

# HOMEAGENT_ARGON2_CHEAP=1 (tests and benchmarks only) keeps argon2id with small costs so
# thousands of simulated logins fit on a laptop; production uses RFC 9106 low-memory.
if os.environ.get("HOMEAGENT_ARGON2_CHEAP") == "1":
    _hasher = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1)
else:
    _hasher = PasswordHasher.from_parameters(RFC_9106_LOW_MEMORY)

_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    """An argon2id hash of `password`."""
    return _hasher.hash(password)


def needs_rehash(password_hash: str) -> bool:
    """Whether a stored hash uses other costs than this server's (e.g. a test-cost hash)."""
    try:
        return _hasher.check_needs_rehash(password_hash)
    except InvalidHashError:
        return True


def verify_password(password_hash: str | None, password: str) -> bool:
    """Check a password; spends the same time when the user does not exist."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


@dataclass(frozen=True, slots=True)
class AccessClaims:
    """What a valid access token says."""

    user_id: str
    device_id: str
    expires_at_s: float


class TokenError(Exception):
    """An access token is malformed, forged or expired; `code` is the API error code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def issue_access_token(secret: str, user_id: str, device_id: str, ttl_s: int) -> str:
    """`<payload>.<HMAC-SHA256>`, both base64url; the payload names user, device, expiry."""
    payload = json.dumps(
        {"sub": user_id, "dev": device_id, "exp": int(time.time()) + ttl_s, "typ": "access"},
        separators=(",", ":"),
    ).encode()
    body = _b64(payload)
    sig = hmac.new(secret.encode(), body.encode(), hashlib.sha256).digest()
    return f"{body}.{_b64(sig)}"


def read_access_token(secret: str, token: str) -> AccessClaims:
    """Verify signature and expiry; raise TokenError otherwise."""
    try:
        body, sig = token.split(".", 1)
        expected = hmac.new(secret.encode(), body.encode(), hashlib.sha256).digest()
        if not hmac.compare_digest(expected, _unb64(sig)):
            raise ValueError("bad signature")
        claims = json.loads(_unb64(body))
        if claims.get("typ") != "access":
            raise ValueError("not an access token")
        user_id, device_id, exp = str(claims["sub"]), str(claims["dev"]), float(claims["exp"])
    except (ValueError, KeyError, TypeError):
        raise TokenError("invalid_token", "The access token is not valid.") from None
    if exp < time.time():
        raise TokenError("token_expired", "The access token has expired; refresh it.")
    return AccessClaims(user_id, device_id, exp)


def new_refresh_token() -> tuple[str, str]:
    """(token for the device, SHA-256 hex stored by the server)."""
    token = secrets.token_urlsafe(32)
    return token, refresh_hash(token)


def refresh_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class FailureWindow:
    """Failed logins per client address in a sliding window (this instance only)."""

    def __init__(self, limit: int = 50, window_s: float = 60.0) -> None:
        self.limit, self.window_s = limit, window_s
        self._seen: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def blocked(self, key: str) -> bool:
        with self._lock:
            times = self._trim(key)
            return len(times) >= self.limit

    def record(self, key: str) -> None:
        with self._lock:
            self._trim(key).append(time.monotonic())

    def _trim(self, key: str) -> deque[float]:
        times = self._seen.setdefault(key, deque())
        horizon = time.monotonic() - self.window_s
        while times and times[0] < horizon:
            times.popleft()
        if not times and len(self._seen) > 10_000:
            self._seen.clear()  # bounded memory under a spray of addresses
            times = self._seen.setdefault(key, deque())
        return times


def next_refresh_token(secret: str, device_id: str, replaced_hash: str, rotated_at: str) -> str:
    """The token that replaces `replaced_hash`, derived rather than stored.

    A retry with the replaced token inside the grace gets the very same answer, so the
    device that did receive it is not logged out, and no token is kept in clear.
    """
    message = f"refresh|{device_id}|{replaced_hash}|{rotated_at}".encode()
    return _b64(hmac.new(secret.encode(), message, hashlib.sha256).digest())


class AccountBackoff:
    """Failed logins per user name (known or not, alike) and the wait they impose.

    After `free` failures each further one doubles the wait from `base_s` up to `max_s`.
    Nothing locks: once the wait is over the right password works, and the agent's
    enrolled PC (a valid device key) never waits at all. Per process, like FailureWindow.
    """

    def __init__(
        self,
        free: int = 5,
        base_s: float = 30.0,
        max_s: float = 900.0,
        memory_s: float = 3600.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.free, self.base_s, self.max_s, self.memory_s = free, base_s, max_s, memory_s
        self._clock = clock
        self._seen: dict[str, tuple[int, float]] = {}  # name -> (failures, last failure)
        self._lock = threading.Lock()

    def wait_s(self, name: str) -> float:
        """Seconds before `name` may try a password again from an unknown device."""
        with self._lock:
            count, last = self._current(name)
            if count < self.free:
                return 0.0
            delay = min(self.max_s, self.base_s * 2.0 ** (count - self.free))
            return max(0.0, float(last + delay - self._clock()))

    def failed(self, name: str) -> None:
        with self._lock:
            count, _last = self._current(name)
            if len(self._seen) > 100_000:
                self._seen.clear()  # bounded memory under a spray of names
            self._seen[name] = (count + 1, self._clock())

    def succeeded(self, name: str) -> None:
        with self._lock:
            self._seen.pop(name, None)

    def _current(self, name: str) -> tuple[int, float]:
        count, last = self._seen.get(name, (0, 0.0))
        if count and self._clock() - last > self.memory_s:
            self._seen.pop(name, None)
            return 0, 0.0
        return count, last
