"""The provisioning profile: what IT hands out to a device (server, SIP, pinned CA).

Pure value types. Signing and verifying the file lives in `homeagent.security.profile`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

PROFILE_VERSION = 1
DEFAULT_REGION = "FR"


@dataclass(frozen=True, slots=True)
class SipProfile:
    """SIP settings of the organisation (the account itself comes from the server)."""

    registrar_host: str
    registrar_port: int
    domain: str
    transport: str = "tls"  # a `homeagent.core.sip_config.Transport` value
    srtp: str = "mandatory"  # a `homeagent.core.sip_config.SrtpMode` value


@dataclass(frozen=True, slots=True)
class Profile:
    """A verified provisioning profile (only `homeagent.security.profile` builds one)."""

    version: int
    organisation: str
    server_url: str  # e.g. https://cc.example.org (no trailing slash, no /api/v1)
    ca_pem: str = field(repr=False)  # the organisation's CA, pinned for the server's TLS
    sip: SipProfile
    default_region: str
    issued_at: datetime  # timezone-aware UTC
    expires_at: datetime  # timezone-aware UTC
    key_id: str  # hex id of the organisation key that signed it

    @property
    def api_base(self) -> str:
        """Base URL of the REST API (`<server_url>/api/v1`)."""
        return f"{self.server_url}/api/v1"

    def is_expired(self, now: datetime) -> bool:
        """Whether the profile is past its expiry at `now` (timezone-aware)."""
        return now >= self.expires_at
