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
