"""Immutable pictures of the agent desk that the UI renders (one per change)."""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

from homeagent.core.agent_state import Presence
from homeagent.core.desk_types import (
    Contact,
    Delivery,
    HelpView,
    Message,
    RemoteChange,
    ServerLink,
    TeamSettings,
)
from homeagent.core.events import CallDirection, CallPhase, CallQuality, RegistrationState


class Screen(enum.Enum):
    """What the centre zone shows."""

    IDLE = "idle"  # today's callbacks and the contact search
    RINGING = "ringing"  # popped card with Answer / Decline
    IN_CALL = "in_call"  # card and call controls
    WRAP_UP = "wrap_up"  # card and wrap-up form


class QualityLevel(enum.Enum):
    """Call quality in three words (MOS thresholds of ITU-T G.107 user satisfaction)."""

    UNKNOWN = "unknown"
    GOOD = "good"  # MOS >= 4.0
    FAIR = "fair"  # MOS >= 3.6
    POOR = "poor"

    @classmethod
    def from_quality(cls, quality: CallQuality | None) -> QualityLevel:
        """Classify RTCP figures."""
        if quality is None or quality.mos <= 0:
            return cls.UNKNOWN
        if quality.mos >= 4.0:
            return cls.GOOD
        if quality.mos >= 3.6:
            return cls.FAIR
        return cls.POOR


class Notice(enum.Enum):
    """A short inline message under the controls (never a modal dialog)."""

    NONE = "none"
    TRANSFER_FAILED = "transfer_failed"
    TRANSFER_DONE = "transfer_done"
    HELP_SENT = "help_sent"
    DISPOSITION_REQUIRED = "disposition_required"
    CALLBACK_IN_PAST = "callback_in_past"
    WRAP_UP_FIRST = "wrap_up_first"
    ENGINE_FAILED = "engine_failed"
    CALL_MISSED = "call_missed"
    CUSTOMER_HUNG_UP = "customer_hung_up"  # the far end ended an answered call
    HOLD_FAILED = "hold_failed"  # the far end refused the hold for good: still talking
    RESUME_FAILED = "resume_failed"  # the far end refused the resume: the customer waits


@dataclass(frozen=True, slots=True)
class CallView:
    """One call as the UI shows it."""

    call_id: int
    direction: CallDirection
    phase: CallPhase
    number: str
    display_name: str = ""
    queue: str = ""
    connected_at_s: float | None = None  # monotonic seconds; timer origin
    held_since_s: float | None = None  # when the current hold began (same clock)
    muted: bool = False
    quality: QualityLevel = QualityLevel.UNKNOWN
    auto_answer_in_s: float | None = None
    help_requested: bool = False
    rona_at_s: float | None = None  # a queue offer: when the ACD's RONA CANCELs it

    @property
    def held(self) -> bool:
        """Whether the call is on hold."""
        return self.phase is CallPhase.HELD


@dataclass(frozen=True, slots=True)
class WrapUpView:
    """The wrap-up form's state."""

    interaction_id: str
    deadline_s: float  # monotonic seconds
    notes: str = ""
    disposition: str = ""
    callback_at: dt.datetime | None = None
    delivery: Delivery | None = None  # None: not submitted yet
    record_id: str = ""

    @property
    def submitted(self) -> bool:
        """Whether the agent pressed Save (the form is then read-only)."""
        return self.delivery is not None and self.delivery is not Delivery.FAILED


@dataclass(frozen=True, slots=True)
class CardView:
    """The popped contact card: a known contact, or an unknown caller's number."""

    number: str
    contact: Contact | None = None

    @property
    def known(self) -> bool:
        """Whether the caller was found in the cache."""
        return self.contact is not None


@dataclass(frozen=True, slots=True)
class MissedCall:
    """The caller of the call just missed, for the "Missed call" notice and its Call back.

    `set_aside`: nobody answered in time (the ACD's RONA or the engine's ring timeout) and
    the agent is Not ready because of it; False when the customer hung up while it rang.
    """

    number: str
    name: str = ""  # the contact's name, else the caller's display name, else ""
    set_aside: bool = False

    @property
    def caller(self) -> str:
        """Who called, as the notice names them: "Name (number)", or the number."""
        if self.name and self.number:
            return f"{self.name} ({self.number})"
        return self.name or self.number


@dataclass(frozen=True, slots=True)
class SupervisionView:
    """A team lead on the call (docs/supervision-contract.md, "Agent desk"): who, how,
    and whether the leg is up yet ("connecting…" until the engine says it is). Only
    when the organisation announces supervision (policy `announced`)."""

    session_id: int
    call_id: int  # the customer call the leg is mixed with: shown only beside that call
    mode: str  # listen | whisper | barge
    lead_name: str
    connected: bool = False


@dataclass(frozen=True, slots=True)
class DeskSnapshot:
    """Everything the window shows, at one moment."""

    presence: Presence
    screen: Screen
    registration: RegistrationState
    server: ServerLink
    agent_name: str
    team: TeamSettings
    card: CardView | None = None
    call: CallView | None = None
    consult: CallView | None = None
    wrap_up: WrapUpView | None = None
    unread: int = 0
    banner: Message | None = None
    last_delivery: Delivery | None = None
    notice: Notice = Notice.NONE
    available_after_break: str = ""  # the break reason Ctrl+D goes back to
    missed_call: MissedCall | None = None  # with Notice.CALL_MISSED: who, and Call back
    remote_change: RemoteChange | None = None  # a lead set the state shown now: who, why
    pending: RemoteChange | None = None  # a lead's change waiting for the call's end
    help: HelpView | None = None  # the help request of this call and where it is
    new_message: Message | None = None  # the newest unread normal message (a discreet line)
    supervision: SupervisionView | None = None  # a lead listens, whispers or barges in
