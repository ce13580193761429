"""SIP account and media settings, as provisioned for one device."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class Transport(enum.Enum):
    """Signalling transport to the proxy/registrar."""

    UDP = "udp"
    TCP = "tcp"
    TLS = "tls"


class SrtpMode(enum.Enum):
    """Whether media encryption (SRTP, SDES key exchange) is off, offered, or required."""

    DISABLED = "disabled"
    OPTIONAL = "optional"
    MANDATORY = "mandatory"


@dataclass(frozen=True, slots=True)
class SipAccountConfig:
    """Everything the engine needs to register one account.

    `password` is handed over in memory only (it comes from the OS keyring); it is excluded
    from `repr` so it can never end up in a log line.
    """

    registrar_host: str
    registrar_port: int
    domain: str
    username: str
    password: str = field(repr=False)
    transport: Transport = Transport.UDP
    display_name: str = ""
    auth_username: str = ""
    # PEM bundle the server certificate must chain to (TLS); pjsip checks the certificate
    # against registrar_host, so that must be the name the certificate carries.
    ca_file: str | None = None
    srtp: SrtpMode = SrtpMode.DISABLED
    register_expiry_s: int = 300
    first_retry_s: int = 3
    retry_interval_s: int = 20
    keepalive_s: int = 15
    # UDP only: re-REGISTER this often while registered. Nothing tells a UDP client that
    # the registrar restarted and forgot its binding (Kamailio keeps them in memory): the
    # refresh gives it back within this time. TCP/TLS notice the connection closing.
    # 0: refresh only before expiry (register_expiry_s).
    reregister_s: int = 20

    @property
    def aor(self) -> str:
        """The address-of-record, e.g. ``sip:1001@example.org``."""
        return f"sip:{self.username}@{self.domain}"

    @property
    def registrar_uri(self) -> str:
        """The registrar URI with the transport parameter."""
        scheme = "sips" if self.transport is Transport.TLS else "sip"
        return (
            f"{scheme}:{self.registrar_host}:{self.registrar_port};transport={self.transport.value}"
        )


@dataclass(frozen=True, slots=True)
class EngineConfig:
    """Process-wide settings of the SIP engine."""

    local_port: int = 0  # 0: pick a free port
    bind_address: str = "127.0.0.1"
    max_calls: int = 4
    user_agent: str = "HomeAgent"
    auto_answer_s: float | None = None  # contact-centre mode: answer after N seconds
    log_level: int = 1
    codecs: tuple[str, ...] = ("G722/16000", "PCMA/8000", "PCMU/8000")
    trusted_sources: tuple[str, ...] = ()  # IPs allowed to send us INVITEs; () = the registrar
    # An inbound call nobody answers is rejected (480) after this long, even if no proxy
    # ever CANCELs it. A safety net a little above the queues' RONA time (rona_s = 15 s)
    # and Kamailio's timer, so the ACD normally ends it first. None: ring until cancelled.
    ring_timeout_s: float | None = 20.0
    # Diagnosis only: pjsip dumps every SIP message into the log (credentials redacted,
    # callers' numbers NOT masked). Off, pjsip's lines are single-line and rate-limited.
    sip_trace: bool = False
    # The diagnostics bundle's SIP trace: a path where the SIP messages of the last calls
    # are kept, masked, 0600, size-rotated (`homeagent.sip.sip_trace`); "" keeps none.
    # Independent of `sip_trace`: the app's own log stays one line per pjsip entry.
    sip_trace_file: str = ""
