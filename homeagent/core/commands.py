"""Commands: requests sent to a service (mostly the SIP engine). Named in the imperative."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType


@dataclass(frozen=True, slots=True)
class Command:
    """Base of every command."""


@dataclass(frozen=True, slots=True)
class Answer(Command):
    call_id: int


@dataclass(frozen=True, slots=True)
class Reject(Command):
    call_id: int
    code: int = 486  # 486 Busy Here or 603 Decline


@dataclass(frozen=True, slots=True)
class Dial(Command):
    destination: str  # a number, an extension or a SIP URI; normalised by the engine
    headers: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True, slots=True)
class Hangup(Command):
    call_id: int


@dataclass(frozen=True, slots=True)
class Hold(Command):
    call_id: int


@dataclass(frozen=True, slots=True)
class Resume(Command):
    call_id: int


@dataclass(frozen=True, slots=True)
class SetMute(Command):
    call_id: int
    muted: bool


@dataclass(frozen=True, slots=True)
class SendDtmf(Command):
    call_id: int
    digits: str


@dataclass(frozen=True, slots=True)
class BlindTransfer(Command):
    call_id: int
    destination: str


@dataclass(frozen=True, slots=True)
class AttendedTransfer(Command):
    """Join `call_id` to the consultation call `consult_call_id` (REFER with Replaces)."""

    call_id: int
    consult_call_id: int


@dataclass(frozen=True, slots=True)
class SetAvailable(Command):
    """While not available, new INVITEs are answered 486 so the queue routes elsewhere."""

    available: bool


@dataclass(frozen=True, slots=True)
class SetAutoAnswer(Command):
    delay_s: float | None


@dataclass(frozen=True, slots=True)
class HandleIpChange(Command):
    """The network changed (new local IP, VPN up/down): re-create transports, re-register."""


# -- live call supervision (docs/supervision-contract.md) ---------------------------------
SUPERVISION_MODES = ("listen", "whisper", "barge")


@dataclass(frozen=True, slots=True)
class StartSupervision(Command):
    """Agent side: place the leg to the lead (`target`, a SIP URI) carrying `token`, and
    mix it with the customer call `call_id` as `mode` says."""

    session_id: int
    call_id: int
    target: str
    token: str = field(repr=False)  # a one-time secret: never in a repr, never in a log
    mode: str = "listen"


@dataclass(frozen=True, slots=True)
class SetSupervisionMode(Command):
    """Agent side: reconnect the bridge for `mode` (no signalling)."""

    session_id: int
    mode: str


@dataclass(frozen=True, slots=True)
class StopSupervision(Command):
    """Either side: hang up the session's leg (no-op when there is none)."""

    session_id: int
    reason: str = "lead_stopped"


@dataclass(frozen=True, slots=True)
class ExpectSupervision(Command):
    """Lead side: arm the one-time `token` of a session the lead asked for (30 s)."""

    session_id: int
    token: str = field(repr=False)
