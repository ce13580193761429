"""The agent's inbox: team-lead messages, unread count and the high-priority banner."""

from __future__ import annotations

from dataclasses import replace

from homeagent.core.desk_types import Message, Priority


class Inbox:
    """Messages newest first, deduplicated by id (a replayed stream adds nothing twice)."""

    def __init__(self) -> None:
        self._messages: dict[str, Message] = {}

    def add(self, message: Message) -> bool:
        """Add a message; False when it was already there (replay after reconnect)."""
        if message.id in self._messages:
            return False
        self._messages[message.id] = message
        return True

    def mark_read(self, message_id: str) -> bool:
        """Mark one message read; True when a read receipt must be sent."""
        message = self._messages.get(message_id)
        if message is None or message.read:
            return False
        self._messages[message_id] = replace(message, read=True)
        return True

    @property
    def messages(self) -> tuple[Message, ...]:
        """All messages, newest first."""
        return tuple(sorted(self._messages.values(), key=lambda m: m.sent_at, reverse=True))

    @property
    def unread_count(self) -> int:
        """How many messages the agent has not read (the badge)."""
        return sum(1 for m in self._messages.values() if not m.read)

    @property
    def banner(self) -> Message | None:
        """The oldest unread high-priority message: it stays on screen until acknowledged."""
        waiting = [m for m in self._messages.values() if m.priority is Priority.HIGH and not m.read]
        return min(waiting, key=lambda m: m.sent_at) if waiting else None
