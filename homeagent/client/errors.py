"""What can go wrong talking to the server, as the app needs to tell it apart."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from homeagent.core.payload import MalformedPayload

__all__ = [
    "ApiError",
    "ClientError",
    "MalformedPayload",
    "ServerUnreachable",
    "TlsVerificationFailed",
]


class ClientError(Exception):
    """Base of every server-client error."""


class ServerUnreachable(ClientError):
    """No answer (network down, server stopped, timeouts, 5xx) after the allowed retries.

    Queued writes stay in the outbox; the UI shows "offline"."""


class ServerFailed(ServerUnreachable):
    """The server answered, with a 5xx: it failed this request (retryable).

    Still a `ServerUnreachable` for callers that only need "offline"; the outbox tells it
    apart from no answer at all, so one entry the server fails cannot hold the others."""

    def __init__(self, status: int, code: str, message: str, text: str = "") -> None:
        super().__init__(text or f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message


class TlsVerificationFailed(ClientError):
    """The server's certificate does not chain to the organisation's CA (or the name
    does not match). Never retried, never bypassed."""


class ApiError(ClientError):
    """The server answered with an error (`{"error": {"code", "message"}}`).

    `extra`: the error object's other fields, for the refusals that say more (409
    `already_supervised` names the lead already there: `extra["by"]` = `{"id", "name"}`;
    `homeagent.core.supervision.holder_of` reads it).
    """

    def __init__(
        self, status: int, code: str, message: str, *, extra: Mapping[str, Any] | None = None
    ) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.extra: Mapping[str, Any] = dict(extra or {})

    @property
    def permanent(self) -> bool:
        """A refusal that sending the same request again cannot change.

        Every 4xx but: 401 (authentication: fixed by a refresh or a new enrolment, never
        by dropping the request), 408/425/429 (timing), and 409 `idempotency_in_progress`
        (the first attempt is still running). Other 409s (`conflict`, `invalid_transition`,
        `idempotency_conflict`) and 403 (this role or team may not do it) are facts about
        the data, so they are permanent. 5xx never is (see `ServerFailed`)."""
        if not 400 <= self.status < 500 or self.status in (401, 408, 425, 429):
            return False
        return not (self.status == 409 and self.code == "idempotency_in_progress")


class AuthenticationFailed(ApiError):
    """401 other than token_expired/device_revoked (bad credentials, refresh refused)."""


class DeviceRevoked(ApiError):
    """401 device_revoked or a device_revoked event: wipe and re-enrol."""
