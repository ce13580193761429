"""Callback reminders: once each, five minutes ahead, late ones at once."""

from __future__ import annotations

import datetime as dt

from homeagent.core.desk_types import Callback
from homeagent.core.reminders import CallbackReminders

NOW = dt.datetime(2026, 12, 1, 14, 0, tzinfo=dt.UTC)


def _callback(cid: str, minutes: float) -> Callback:
    return Callback(cid, NOW + dt.timedelta(minutes=minutes), "c-1", "Camille Martin", "+33612")


def test_reminded_once_five_minutes_ahead_and_late_ones_at_once() -> None:
    reminders = CallbackReminders()
    items = [_callback("late", -10), _callback("soon", 4), _callback("later", 30)]
    assert [c.id for c in reminders.due(items, NOW)] == ["late", "soon"]
    assert reminders.due(items, NOW + dt.timedelta(minutes=1)) == []
    assert [c.id for c in reminders.due(items, NOW + dt.timedelta(minutes=26))] == ["later"]
