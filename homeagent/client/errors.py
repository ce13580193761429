"""What can go wrong talking to the server, as the app needs to tell it apart."""

from __future__ import annotations


class ClientError(Exception):
    """Base of every server-client error."""


class ServerUnreachable(ClientError):
    """No answer (network down, server stopped, timeouts, 5xx) after the allowed retries.

    Queued writes stay in the outbox; the UI shows "offline"."""


class TlsVerificationFailed(ClientError):
    """The server's certificate does not chain to the organisation's CA (or the name
    does not match). Never retried, never bypassed."""


class ApiError(ClientError):
    """The server answered with an error (`{"error": {"code", "message"}}`)."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message

    @property
    def permanent(self) -> bool:
        """A 4xx that retrying the same request cannot fix (except 408/425/429)."""
        return 400 <= self.status < 500 and self.status not in (408, 425, 429)


class AuthenticationFailed(ApiError):
    """401 other than token_expired/device_revoked (bad credentials, refresh refused)."""


class DeviceRevoked(ApiError):
    """401 device_revoked or a device_revoked event: wipe and re-enrol."""
