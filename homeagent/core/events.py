"""Events: immutable facts reported by services (SIP engine, audio, server client).

Named in the past tense. They cross threads, so they are frozen and hold only plain
values (never a pjsua2 or Qt object).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType


def _frozen_map(data: Mapping[str, str] | None = None) -> Mapping[str, str]:
    return MappingProxyType(dict(data or {}))


class RegistrationState(enum.Enum):
    """Registration of one SIP account."""

    UNREGISTERED = "unregistered"
    REGISTERING = "registering"
    REGISTERED = "registered"
    FAILED = "failed"


class CallDirection(enum.Enum):
    INBOUND = "inbound"
    OUTBOUND = "outbound"


class CallPhase(enum.Enum):
    """Life cycle of one call as the UI sees it."""

    RINGING = "ringing"  # inbound, not answered yet
    DIALING = "dialing"  # outbound, waiting for an answer
    CONNECTING = "connecting"  # answered, waiting for ACK / media
    ACTIVE = "active"
    HELD = "held"
    ENDED = "ended"


@dataclass(frozen=True, slots=True)
class Event:
    """Base of every event."""


@dataclass(frozen=True, slots=True)
class EngineStarted(Event):
    local_port: int
    transport: str


@dataclass(frozen=True, slots=True)
class EngineStopped(Event):
    reason: str = ""


@dataclass(frozen=True, slots=True)
class EngineFailed(Event):
    """The engine could not start or hit an unrecoverable error."""

    message: str


@dataclass(frozen=True, slots=True)
class RegistrationChanged(Event):
    account: str  # address-of-record
    state: RegistrationState
    code: int = 0
    reason: str = ""
    next_retry_s: float | None = None


@dataclass(frozen=True, slots=True)
class CallRinging(Event):
    """An inbound call is ringing (or an outbound one reached the far end, for OUTBOUND)."""

    call_id: int
    direction: CallDirection
    remote_uri: str
    remote_number: str  # user part of the caller, as received (not yet E.164)
    display_name: str = ""
    queue: str = ""  # X-Queue
    contact_id: str = ""  # X-Contact-Id
    asserted_identity: str = ""  # P-Asserted-Identity
    call_info: str = ""  # Call-Info
    headers: Mapping[str, str] = field(default_factory=_frozen_map)
    sip_call_id: str = ""
    auto_answer_in_s: float | None = None
    monotonic_ns: int = 0  # when the engine saw the INVITE


@dataclass(frozen=True, slots=True)
class CallStateChanged(Event):
    call_id: int
    phase: CallPhase
    code: int = 0
    reason: str = ""


@dataclass(frozen=True, slots=True)
class CallQuality:
    """RTCP-derived figures for one call."""

    rx_loss_pct: float = 0.0
    tx_loss_pct: float = 0.0
    jitter_ms: float = 0.0
    rtt_ms: float = 0.0
    mos: float = 0.0
    codec: str = ""


@dataclass(frozen=True, slots=True)
class CallQualityMeasured(Event):
    call_id: int
    quality: CallQuality


@dataclass(frozen=True, slots=True)
class CallEnded(Event):
    call_id: int
    code: int
    reason: str
    duration_s: float  # connected time; 0 if never answered
    answered: bool
    quality: CallQuality | None = None
    # True when the engine itself gave up on an unanswered inbound call (ring timeout,
    # 480): the desk counts it as missed and sets the agent Not ready, like the ACD's RONA.
    rang_out: bool = False


@dataclass(frozen=True, slots=True)
class CallMuteChanged(Event):
    call_id: int
    muted: bool


@dataclass(frozen=True, slots=True)
class DtmfReceived(Event):
    call_id: int
    digit: str
    method: str  # "rfc4733" or "info"


@dataclass(frozen=True, slots=True)
class TransferProgressed(Event):
    """Progress of a transfer we asked for (NOTIFY sipfrag of our REFER)."""

    call_id: int
    code: int
    final: bool
    accepted: bool


@dataclass(frozen=True, slots=True)
class IncomingCallRefused(Event):
    """An INVITE we turned down without ringing (not available, busy, untrusted source)."""

    code: int
    reason: str
    remote_uri: str = ""


@dataclass(frozen=True, slots=True)
class AudioDevice:
    """A sound device as the user sees it; `id` is stable across restarts and re-plugs."""

    id: str
    name: str
    is_input: bool
    is_default: bool = False


@dataclass(frozen=True, slots=True)
class AudioDevicesChanged(Event):
    inputs: tuple[AudioDevice, ...]
    outputs: tuple[AudioDevice, ...]


@dataclass(frozen=True, slots=True)
class AudioDeviceFellBack(Event):
    """The device in use disappeared; audio moved to the system default."""

    role: str  # "microphone", "speaker" or "ringer"
    lost_id: str
    now_id: str


@dataclass(frozen=True, slots=True)
class MicLevelMeasured(Event):
    level: float  # 0.0 .. 1.0 (peak of the last frames)


@dataclass(frozen=True, slots=True)
class NoiseSuppressionChanged(Event):
    """The microphone's noise filter changed state (switched, or failed during a call)."""

    status: str  # core.audio_settings.NoiseStatus value


@dataclass(frozen=True, slots=True)
class NoiseTestProgressed(Event):
    """The settings page's before/after listening test moved on."""

    phase: str  # core.audio_settings.NoiseTestPhase value
    filtered: bool = True  # False: the filter is unavailable, the second playback is raw


@dataclass(frozen=True, slots=True)
class CommandFailed(Event):
    """A command sent to a service could not be carried out (bad destination, no such call)."""

    command: str  # the command's class name, e.g. "Dial"
    message: str
    call_id: int | None = None


@dataclass(frozen=True, slots=True)
class SupervisionChanged(Event):
    """A supervision leg moved (docs/supervision-contract.md). `side`: "agent" (this app
    places the leg) or "lead" (this app answered it); `phase`: "connecting" | "connected"
    | "ended" (then `reason` says why)."""

    session_id: int
    side: str
    phase: str
    mode: str = ""
    reason: str = ""


@dataclass(frozen=True, slots=True)
class SupervisionRefused(Event):
    """Lead side: an INVITE carrying the supervision header was turned away (403)."""

    reason: str
    remote_uri: str = ""
