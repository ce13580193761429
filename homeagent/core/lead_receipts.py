"""Per-recipient read state of the lead's messages, kept live from `message_receipt` events.

Why a book and not a counter: an event says one recipient's whole receipt after a first
change (delivered, read or acknowledged), not a delta, and it may arrive before, during or
after the receipts list was fetched. Receipts only move forward (a time once set stays), so
merging "the earliest non-null time of each field" is order-free and idempotent: an event
replayed after a reconnect, or one that overtakes the list, changes nothing twice.

Until a message's list is known, its counts are the server's (MessageOut.counts) raised
by what the events already said: never lower than either, exact once the list arrived.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from homeagent.core.lead_comms import (
    LeadMessage,
    ReceiptCounts,
    ReceiptUpdate,
    RecipientReceipt,
)


@dataclass(frozen=True, slots=True)
class Recipient:
    """One recipient's receipt of one message (the name may be unknown until listed)."""

    agent_id: str
    display_name: str
    delivered_at: dt.datetime | None = None
    read_at: dt.datetime | None = None
    acked_at: dt.datetime | None = None

    def merged(
        self, delivered: dt.datetime | None, read: dt.datetime | None, acked: dt.datetime | None
    ) -> Recipient:
        return replace(
            self,
            delivered_at=_earliest(self.delivered_at, delivered or read or acked),
            read_at=_earliest(self.read_at, read or acked),
            acked_at=_earliest(self.acked_at, acked),
        )


def _earliest(a: dt.datetime | None, b: dt.datetime | None) -> dt.datetime | None:
    if a is None:
        return b
    if b is None:
        return a
    return min(a, b)


@dataclass
class _Entry:
    message: LeadMessage
    recipients: dict[str, Recipient]
    listed: bool = False  # the receipts list arrived: `recipients` is every recipient


class ReceiptBook:
    """The lead's sent messages and their recipients' receipts (GUI thread only).

    A receipt for a message not tracked yet (its event overtook the history's answer) is
    kept, up to `max_pending` of them, and merged when the message arrives."""

    def __init__(self, max_pending: int = 1000) -> None:
        self._entries: dict[int, _Entry] = {}
        self._pending: dict[tuple[int, str], ReceiptUpdate] = {}
        self._max_pending = max_pending

    def __contains__(self, message_id: int) -> bool:
        return message_id in self._entries

    def track(self, message: LeadMessage) -> None:
        """A message with counts (sent by a lead): keep its receipts; a newer copy of a
        message already tracked refreshes it and keeps what the events said."""
        entry = self._entries.get(message.id)
        if entry is None:
            self._entries[message.id] = _Entry(message, {})
            for key in [k for k in self._pending if k[0] == message.id]:
                self.apply(self._pending.pop(key))
        else:
            entry.message = message

    def message(self, message_id: int) -> LeadMessage | None:
        entry = self._entries.get(message_id)
        return None if entry is None else entry.message

    def is_listed(self, message_id: int) -> bool:
        entry = self._entries.get(message_id)
        return entry is not None and entry.listed

    def apply(self, update: ReceiptUpdate) -> bool:
        """Merge one recipient's receipt; False when the message is not tracked (yet)."""
        entry = self._entries.get(update.message_id)
        if entry is None:
            key = (update.message_id, update.agent_id)
            self._pending.pop(key, None)
            self._pending[key] = update  # the newest last: the oldest go first
            while len(self._pending) > self._max_pending:
                del self._pending[next(iter(self._pending))]
            return False
        known = entry.recipients.get(update.agent_id) or Recipient(update.agent_id, "")
        entry.recipients[update.agent_id] = known.merged(
            update.delivered_at, update.read_at, update.acked_at
        )
        return True

    def set_list(self, message_id: int, listing: tuple[RecipientReceipt, ...]) -> bool:
        """The full receipts list of a message (merged with what events already said)."""
        entry = self._entries.get(message_id)
        if entry is None:
            return False
        merged: dict[str, Recipient] = {}
        for item in listing:
            base = Recipient(item.agent_id, item.display_name or item.name)
            base = base.merged(item.delivered_at, item.read_at, item.acked_at)
            seen = entry.recipients.get(item.agent_id)
            if seen is not None:
                base = base.merged(seen.delivered_at, seen.read_at, seen.acked_at)
            merged[item.agent_id] = base
        entry.recipients = merged
        entry.listed = True
        return True

    def recipients(self, message_id: int) -> tuple[Recipient, ...]:
        """The recipients known so far, by name."""
        entry = self._entries.get(message_id)
        if entry is None:
            return ()
        return tuple(sorted(entry.recipients.values(), key=lambda r: r.display_name.casefold()))

    def counts(self, message_id: int) -> ReceiptCounts | None:
        """Delivered / read / acknowledged out of the recipients (see the module doc)."""
        entry = self._entries.get(message_id)
        if entry is None:
            return None
        seen = entry.recipients.values()
        mine = ReceiptCounts(
            recipients=len(entry.recipients),
            delivered=sum(1 for r in seen if r.delivered_at is not None),
            read=sum(1 for r in seen if r.read_at is not None),
            acked=sum(1 for r in seen if r.acked_at is not None),
        )
        if entry.listed:
            return mine
        server = entry.message.counts
        if server is None:
            return mine if entry.recipients else None
        total = max(server.recipients, mine.recipients)
        return ReceiptCounts(
            recipients=total,
            delivered=min(total, max(server.delivered, mine.delivered)),
            read=min(total, max(server.read, mine.read)),
            acked=min(total, max(server.acked, mine.acked)),
        )

    def not_read_by(self, message_id: int) -> tuple[Recipient, ...] | None:
        """Who has not read it yet; None until the list is known."""
        if not self.is_listed(message_id):
            return None
        return tuple(r for r in self.recipients(message_id) if r.read_at is None)

    def not_acked_by(self, message_id: int) -> tuple[Recipient, ...] | None:
        """Who has not acknowledged it yet (urgent messages); None until the list is known."""
        if not self.is_listed(message_id):
            return None
        return tuple(r for r in self.recipients(message_id) if r.acked_at is None)
