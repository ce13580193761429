"""Plain value types the agent desk shows: contacts, team settings, messages, figures.

They are what the local store and the server client hand to the desk (adapters in
``homeagent/desktop/app.py`` convert their records into these), so the UI never depends on a
storage or wire format.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field

from homeagent.core.agent_state import AgentState
from homeagent.core.events import CallDirection


@dataclass(frozen=True, slots=True)
class Contact:
    """A customer as shown on the card."""

    id: str
    first_name: str = ""
    last_name: str = ""
    company: str = ""
    phones: tuple[str, ...] = ()
    email: str = ""
    account_ref: str = ""
    tags: tuple[str, ...] = ()
    notes: str = ""  # the latest note, as a preview

    @property
    def full_name(self) -> str:
        """First and last name, or the company when the contact has no name."""
        name = f"{self.first_name} {self.last_name}".strip()
        return name or self.company


@dataclass(frozen=True, slots=True)
class Disposition:
    """A call outcome the team lead defined (the "qualification")."""

    code: str
    label: str


@dataclass(frozen=True, slots=True)
class TeamSettings:
    """What the team lead configured for the team (``GET /me``)."""

    name: str = ""
    pause_reasons: tuple[str, ...] = ()
    wrap_up_s: int = 60
    auto_answer_s: float | None = None
    auto_available_after_wrap_up: bool = True
    dispositions: tuple[Disposition, ...] = ()


class ServerLink(enum.Enum):
    """The connection to the central server; offline is a state, not an error."""

    ONLINE = "online"
    RECONNECTING = "reconnecting"
    OFFLINE = "offline"


class Priority(enum.Enum):
    """Priority of a team-lead message: an urgent one must be acknowledged ("Bien reçu")."""

    NORMAL = "normal"
    URGENT = "urgent"  # the server's old word "high" means the same


@dataclass(frozen=True, slots=True)
class Message:
    """A message of the agent's conversation with the team lead: one the lead sent
    (to the agent or the team), or one the agent wrote (`mine`)."""

    id: str  # the server's id; a message of mine not yet sent: its local id
    sender: str
    body: str
    sent_at: dt.datetime
    priority: Priority = Priority.NORMAL
    read: bool = False
    acked: bool = False  # an urgent message the agent acknowledged
    mine: bool = False  # the agent wrote it to the lead
    delivery: Delivery | None = None  # mine: "Enregistré" (saved) → "Envoyé" (sent)

    @property
    def needs_ack(self) -> bool:
        """An urgent message from the lead that waits for "Bien reçu"."""
        return self.priority is Priority.URGENT and not self.acked and not self.mine


@dataclass(frozen=True, slots=True)
class RemoteChange:
    """A state a team lead set for the agent (applied, or pending until the call ends)."""

    state: AgentState
    reason: str = ""
    by: str = ""  # the lead's name
    note: str = ""


class HelpStatus(enum.Enum):
    """Where the agent's help request is (docs/lead-contract.md, "Help requests")."""

    SAVED = "saved"  # in the outbox, not yet at the server
    SENT = "sent"  # "Envoyée": the leads have it
    ACKNOWLEDGED = "acknowledged"  # "Claire M. arrive"
    RESOLVED = "resolved"  # "Résolue"


@dataclass(frozen=True, slots=True)
class HelpView:
    """The agent's help request for the current call, as the call panel shows it."""

    request_id: str
    status: HelpStatus = HelpStatus.SAVED
    by: str = ""  # the lead who acknowledged it


@dataclass(frozen=True, slots=True)
class Callback:
    """A callback the agent promised."""

    id: str
    due_at: dt.datetime
    contact_id: str = ""
    contact_name: str = ""
    number: str = ""
    notes: str = ""


class CallOutcome(enum.Enum):
    """How a call ended, in the server's words (``POST /interactions``)."""

    ANSWERED = "answered"
    MISSED = "missed"  # rang out, or the ACD's RONA ended it
    ABANDONED = "abandoned"  # the customer hung up while it rang
    FAILED = "failed"  # an outbound call that did not connect
    BUSY = "busy"  # declined by the agent, or a busy far end
    TRANSFERRED = "transferred"


class Outcome(enum.Enum):
    """How a call in the history ended."""

    ANSWERED = "answered"
    MISSED = "missed"
    DECLINED = "declined"
    OUTBOUND = "outbound"

    @classmethod
    def from_wire(cls, outcome: str, direction: str = "inbound") -> Outcome:
        """Map the server's outcome word (answered, missed, busy…) to the history's.

        The one rule of "Manqué": an inbound call that rang at the agent and was neither
        answered nor declined — rang out, set aside by the ACD (RONA) or hung up by the
        customer while it rang (``abandoned``). The server's "missed" figure counts the
        same calls (``homeagent.server.routers.figures``, docs/api.md).
        """
        if direction == "outbound":
            return cls.OUTBOUND
        if outcome in ANSWERED_OUTCOMES:
            return cls.ANSWERED
        if outcome in DECLINED_OUTCOMES:
            return cls.DECLINED
        return cls.MISSED


# The server's outcome words for a call the agent took, and for one the agent turned down;
# every other inbound outcome is a missed call (`Outcome.from_wire`).
ANSWERED_OUTCOMES = frozenset({CallOutcome.ANSWERED.value, CallOutcome.TRANSFERRED.value})
DECLINED_OUTCOMES = frozenset({CallOutcome.BUSY.value})


def is_missed(outcome: str, direction: str) -> bool:
    """Whether a logged call counts as missed for its agent (History "Manqué")."""
    return Outcome.from_wire(outcome, direction) is Outcome.MISSED


class Delivery(enum.Enum):
    """Where a wrap-up is on its way to the server."""

    SAVING = "saving"  # handed to the outbox, not yet on disk
    SAVED = "saved"  # durable in the outbox ("Enregistré")
    SENT = "sent"  # acknowledged by the server ("Envoyé")
    FAILED = "failed"  # the outbox could not write it


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One call of today, newest first in the History tab."""

    interaction_id: str
    started_at: dt.datetime
    number: str
    outcome: Outcome
    contact_id: str = ""
    contact_name: str = ""
    duration_s: float = 0.0
    disposition: str = ""  # the team's code ("resolved"); the UI shows its label
    delivery: Delivery | None = None


@dataclass(frozen=True, slots=True)
class ContactNote:
    """A note about a contact: one written on its own, or a call's wrap-up notes."""

    text: str
    created_at: dt.datetime
    author: str = ""  # the writer's display name, "" when the server does not say
    mine: bool = False  # written by this agent
    interaction_id: str = ""
    id: str = ""  # the note's id; "call:<interaction id>" for a call's wrap-up notes


@dataclass(frozen=True, slots=True)
class ContactMemory:
    """What the desk remembers of a contact: notes and calls newest first, open callbacks
    by due time. `complete` is False for the local cache's part alone (the server's part
    has not come, or cannot come now): the card then says the list may be partial."""

    contact_id: str
    notes: tuple[ContactNote, ...] = ()
    callbacks: tuple[Callback, ...] = ()
    calls: tuple[HistoryEntry, ...] = ()
    complete: bool = True


@dataclass(frozen=True, slots=True)
class DayFigures:
    """The agent's own figures for today (``GET /figures/agents/{id}``)."""

    calls_handled: int = 0
    avg_handle_s: float = 0.0  # talk (hold included) + wrap-up, per handled call
    wrap_up_s: float = 0.0  # the day's total wrap-up time
    breaks_count: int = 0
    breaks_duration_s: float = 0.0
    missed: int = 0
    avg_wrap_up_s: float = 0.0  # per handled call; never more than avg_handle_s


@dataclass(frozen=True, slots=True)
class WrapUpRecord:
    """A finished wrap-up, as handed to the outbox (idempotent by `id`)."""

    id: str
    interaction_id: str
    disposition: str
    notes: str = ""
    contact_id: str = ""
    callback_due_at: dt.datetime | None = None
    callback_id: str = ""


@dataclass(frozen=True, slots=True)
class InteractionRecord:
    """A call to log on the server (``POST /interactions``), numbers in full."""

    id: str
    direction: CallDirection
    remote_number: str
    started_at: dt.datetime
    outcome: CallOutcome | None  # None while the call is not over
    contact_id: str = ""
    queue: str = ""
    answered_at: dt.datetime | None = None
    ended_at: dt.datetime | None = None
    sip_call_id: str = ""


@dataclass(frozen=True, slots=True)
class HelpRequest:
    """ "Help" raised during a call, with the call's context (number masked)."""

    id: str
    text: str
    queue: str = ""
    contact_id: str = ""
    remote_number_masked: str = ""
    call_started_at: dt.datetime | None = None
    extra: dict[str, str] = field(default_factory=dict)


class UnsentKind(enum.Enum):
    """What an outbox entry the server refused for good was about."""

    CALL = "interaction"
    WRAP_UP = "wrap_up"
    NOTE = "note"
    CONTACT = "contact"
    CALLBACK = "callback"
    RECEIPT = "receipt"
    STATE = "state"
    HELP_REQUEST = "help_request"
    MESSAGE = "message"  # a message the agent wrote to the lead
    OTHER = "other"

    @classmethod
    def of(cls, kind: str) -> UnsentKind:
        """The kind of an outbox entry (an unknown one is OTHER)."""
        try:
            return cls(kind)
        except ValueError:
            return cls.OTHER


@dataclass(frozen=True, slots=True)
class UnsentItem:
    """An entry the server refused for good ("1 élément non envoyé"): retry or discard."""

    id: str
    kind: UnsentKind
    created_at: dt.datetime
    error: str  # the server's reason, numbers masked
    retryable: bool = True  # a refused state change is superseded: discard only
