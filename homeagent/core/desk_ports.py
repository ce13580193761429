"""What the agent desk needs from the other parts, as Protocols (real parts or fakes)."""

from __future__ import annotations

from typing import Protocol

from homeagent.core.agent_state import Presence
from homeagent.core.call_quality import QualitySample
from homeagent.core.commands import Command
from homeagent.core.desk_types import (
    Callback,
    Contact,
    ContactMemory,
    DayFigures,
    HelpRequest,
    HistoryEntry,
    InteractionRecord,
    WrapUpRecord,
)
from homeagent.core.lead_comms import DayReport


class ContactDirectory(Protocol):
    """The local contact cache. Lookups are indexed reads, fast enough for the GUI thread."""

    def lookup_number(self, number: str) -> Contact | None:
        """The contact owning this number (any format; normalised by the cache)."""

    def get(self, contact_id: str) -> Contact | None:
        """The contact with this id, if cached."""


class DeskSink(Protocol):
    """Where the desk's decisions go. Every method returns at once (work is queued)."""

    def submit(self, command: Command) -> None:
        """Hand a command to the SIP engine."""

    def publish_state(self, presence: Presence) -> None:
        """Tell the server the agent's new state (queued while offline)."""

    def log_interaction(self, record: InteractionRecord) -> None:
        """Log a finished call on the server (through the outbox)."""

    def save_wrap_up(self, record: WrapUpRecord) -> None:
        """Write the wrap-up to the outbox; the desk hears back via wrap_up_durable/sent."""

    def request_help(self, request: HelpRequest) -> None:
        """Ask the team lead for help with the current call."""

    def create_contact(self, contact: Contact) -> None:
        """Save a contact created from an unknown caller."""

    def mark_message_read(self, message_id: str) -> None:
        """Send a read receipt (through the outbox: it survives a restart offline)."""

    def ack_message(self, message_id: str) -> None:
        """Acknowledge an urgent message ("Bien reçu"; through the outbox)."""

    def send_to_lead(self, message_id: str, body: str) -> None:
        """Write to the team's leads (through the outbox); the desk hears back through
        `message_delivery(message_id, …)`: saved, then sent."""

    def publish_quality(self, sample: QualitySample) -> None:
        """Publish a call-quality sample live, or drop it (never queued, never blocks)."""


class DeskData(Protocol):
    """Lists the side panel and idle view show. Blocking: `search` and `history_today` read
    the local cache (the disk lane), the others ask the server (the network lane)."""

    def search(self, text: str, limit: int = 50) -> list[Contact]:
        """Contacts matching `text` (name, company, account, number)."""

    def callbacks_today(self) -> list[Callback] | None:
        """The agent's pending callbacks due today, by due time (None: unavailable now)."""

    def history_today(self) -> list[HistoryEntry]:
        """Today's calls, newest first."""

    def contact_history(self, contact_id: str) -> list[HistoryEntry]:
        """The contact's past calls, newest first."""

    def local_memory(self, contact_id: str) -> ContactMemory:
        """What the local cache remembers of the contact (its notes, the calls taken on
        this PC); `complete` is False. The disk lane: fast, no network."""

    def contact_memory(self, contact_id: str) -> ContactMemory | None:
        """Everything known of the contact: the server's notes and calls (all agents) and
        the agent's open callbacks for them, with the local part merged in (not yet sent).
        None: the server cannot tell now (keep the local part). The network lane."""

    def figures_today(self) -> DayFigures | None:
        """The agent's figures for today (None: unavailable now, never zeros)."""

    def day_today(self) -> DayReport | None:
        """The agent's day for "Ma journée"'s charts (calls per hour, handle time, the
        state timeline), as the lead's day view shows it; None: unavailable now."""
