"""The agent's inbox: the conversation with the team lead, unread count, the urgent banner."""

from __future__ import annotations

from dataclasses import replace

from homeagent.core.desk_types import Delivery, Message, Priority


class Inbox:
    """Messages both ways, deduplicated by id (a replayed stream adds nothing twice)."""

    def __init__(self) -> None:
        self._messages: dict[str, Message] = {}

    def add(self, message: Message) -> bool:
        """Add a message; False when it was already there (replay after reconnect)."""
        if message.id in self._messages:
            return False
        self._messages[message.id] = message
        return True

    def get(self, message_id: str) -> Message | None:
        return self._messages.get(message_id)

    def mark_read(self, message_id: str) -> bool:
        """Mark one message read; True when a read receipt must be sent."""
        message = self._messages.get(message_id)
        if message is None or message.read or message.mine:
            return False
        self._messages[message_id] = replace(message, read=True)
        return True

    def mark_acked(self, message_id: str) -> bool:
        """Acknowledge an urgent message (read too); True when the ack must be sent."""
        message = self._messages.get(message_id)
        if message is None or not message.needs_ack:
            return False
        self._messages[message_id] = replace(message, read=True, acked=True)
        return True

    def set_delivery(self, message_id: str, delivery: Delivery) -> bool:
        """A message of mine moved on (saved, sent, failed); never backwards."""
        message = self._messages.get(message_id)
        if message is None or not message.mine:
            return False
        order = list(Delivery)
        if message.delivery is not None and order.index(delivery) <= order.index(message.delivery):
            return False
        self._messages[message_id] = replace(message, delivery=delivery)
        return True

    @property
    def messages(self) -> tuple[Message, ...]:
        """All messages, newest first."""
        return tuple(sorted(self._messages.values(), key=lambda m: m.sent_at, reverse=True))

    @property
    def unread(self) -> tuple[Message, ...]:
        """The lead's messages the agent has not read yet, oldest first."""
        waiting = (m for m in self._messages.values() if not m.read and not m.mine)
        return tuple(sorted(waiting, key=lambda m: m.sent_at))

    @property
    def unread_count(self) -> int:
        """How many messages the agent has not read (the badge)."""
        return len(self.unread)

    @property
    def banner(self) -> Message | None:
        """The oldest urgent message not acknowledged: it stays on screen until then."""
        waiting = [m for m in self._messages.values() if m.needs_ack]
        return min(waiting, key=lambda m: m.sent_at) if waiting else None

    @property
    def latest_unread(self) -> Message | None:
        """The newest unread normal message (the discreet "new message" line)."""
        waiting = [m for m in self.unread if m.priority is Priority.NORMAL]
        return waiting[-1] if waiting else None
