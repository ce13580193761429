"""A message from the stream or the store becomes the desk's `Message` (priority words)."""

from __future__ import annotations

import pytest

from homeagent.core.desk_types import Priority
from homeagent.desktop.adapters import message_from_wire

WIRE = {"id": 7, "sender_name": "Léa Martin", "body": "Panne", "created_at": "2026-12-01T09:00:00Z"}


@pytest.mark.parametrize(
    ("word", "priority"),
    [("urgent", Priority.HIGH), ("high", Priority.HIGH), ("normal", Priority.NORMAL)],
)
def test_urgent_and_the_first_servers_high_are_both_urgent(word: str, priority: Priority) -> None:
    message = message_from_wire({**WIRE, "priority": word, "read_at": None})
    assert message.priority is priority
    assert message.sender == "Léa Martin"
    assert message.read is False
