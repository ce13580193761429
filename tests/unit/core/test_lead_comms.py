"""The lead contract's payloads parsed strictly: good ones read whole, each malformed one
is one `MalformedPayload` naming the route and the field."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import pytest

from homeagent.core import lead_comms as lc
from homeagent.core.agent_state import AgentState
from homeagent.core.payload import MalformedPayload

T0 = "2026-12-01T09:30:00Z"
AT0 = dt.datetime(2026, 12, 1, 9, 30, tzinfo=dt.UTC)

MESSAGE: dict[str, Any] = {
    "id": 12,
    "sender_id": "lead-1",
    "sender_name": "Léa Chef",
    "to_agent_id": None,
    "to_team_id": "team-1",
    "thread_agent_id": None,
    "body": "Réunion à 14 h",
    "priority": "urgent",
    "created_at": T0,
    "receipt": None,
    "counts": {"recipients": 2, "delivered": 2, "read": 1, "acked": 0},
    "a_newer_field": True,
}
RECEIPT = {
    "message_id": 12,
    "agent_id": "a-1",
    "delivered_at": T0,
    "read_at": "2026-12-01T09:31:00+00:00",
    "acked_at": None,
}
HELP: dict[str, Any] = {
    "id": 3,
    "agent_id": "a-1",
    "agent_name": "Alice Martin",
    "team_id": "team-1",
    "text": "Client mécontent, besoin d'aide",
    "call_context": {
        "queue": "support",
        "contact_id": None,
        "remote_number_masked": "+*********678",
        "call_started_at": "2026-12-01T09:25:00Z",
    },
    "created_at": T0,
    "status": "acknowledged",
    "acked_by": {"id": "lead-1", "name": "Léa Chef"},
    "acked_at": "2026-12-01T09:30:10Z",
    "resolved_at": None,
}
ALERT: dict[str, Any] = {
    "id": 9,
    "team_id": "team-1",
    "agent_id": "a-2",
    "agent_name": "Bruno Petit",
    "kind": "break_over",
    "detail": {"value": 960, "threshold": 900, "reason": "Déjeuner"},
    "raised_at": T0,
    "cleared_at": None,
    "acked_at": None,
    "acked_by": None,
}
FIGURES = {
    "day": "2026-12-01",
    "calls_handled": 3,
    "missed": 1,
    "declined": 0,
    "talk_s": 600,
    "wrap_up_s": 90,
    "handle_s": 690,
    "avg_handle_s": 230,
    "avg_wrap_up_s": 30,
    "breaks": {"count": 1, "duration_s": 900},
}
HOURS = [0] * 24
HOURS[9] = 2
HOURS[10] = 1
HANDLE: list[int | None] = [None] * 24
HANDLE[9] = 240
HANDLE[10] = 210
DAY: dict[str, Any] = {
    "day": "2026-12-01",
    "agents": [
        {
            "agent_id": "a-1",
            "name": "alice",
            "display_name": "Alice Martin",
            "figures": FIGURES,
            "calls_per_hour": HOURS,
            "handle_by_hour": HANDLE,
            "timeline": [
                {"state": "offline", "reason": "", "start": "2026-12-01T00:00:00Z",
                 "end": "2026-12-01T08:00:00Z"},
                {"state": "available", "reason": "", "start": "2026-12-01T08:00:00Z",
                 "end": "2026-12-01T09:10:00Z"},
                {"state": "break", "reason": "Café", "start": "2026-12-01T09:10:00Z",
                 "end": "2026-12-01T09:25:00Z"},
            ],
        }
    ],
    "team": {"figures": dict(FIGURES), "calls_per_hour": list(HOURS),
             "handle_by_hour": list(HANDLE)},
}  # fmt: skip


def _with(obj: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A deep copy of `obj` with the field at the dotted `path` set (or removed: ...)."""
    out = copy.deepcopy(obj)
    node: Any = out
    keys = path.split(".")
    for key in keys[:-1]:
        node = node[int(key)] if isinstance(node, list) else node[key]
    last = keys[-1]
    if value is ...:
        del node[last]
    elif isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value
    return out


def test_a_message_reads_whole_and_high_means_urgent() -> None:
    msg = lc.parse_lead_message(MESSAGE)
    assert msg.id == 12
    assert msg.sender_name == "Léa Chef"
    assert msg.urgent
    assert msg.counts == lc.ReceiptCounts(2, 2, 1, 0)
    assert msg.created_at == AT0
    assert not msg.from_agent
    assert lc.parse_lead_message(_with(MESSAGE, "priority", "high")).priority == "urgent"
    agent_msg = lc.parse_lead_message(
        {**MESSAGE, "sender_id": "a-1", "thread_agent_id": "a-1", "to_team_id": None,
         "priority": "normal", "counts": None,
         "receipt": {"delivered_at": T0, "read_at": None, "acked_at": None}}
    )  # fmt: skip
    assert agent_msg.from_agent
    assert agent_msg.receipt is not None
    assert agent_msg.receipt.read_at is None


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        ("id", "12", "id"),
        ("id", 0, "id"),
        ("sender_name", ..., "sender_name"),
        ("thread_agent_id", ..., "thread_agent_id"),
        ("priority", "low", "priority"),
        ("created_at", "yesterday", "created_at"),
        ("created_at", "2026-12-01T09:30:00", "created_at"),
        ("counts.read", 3, "counts.read"),  # more read than delivered
        ("counts.acked", True, "counts.acked"),
        ("receipt", [], "receipt"),
    ],
)
def test_a_malformed_message_names_its_field(path: str, value: Any, field: str) -> None:
    with pytest.raises(MalformedPayload) as err:
        lc.parse_lead_message(_with(MESSAGE, path, value), route="GET /messages")
    assert err.value.field == field
    assert err.value.route == "GET /messages"
    assert "Réunion" not in str(err.value)  # never the value


def test_receipts_read_and_an_impossible_one_is_refused() -> None:
    update = lc.parse_receipt_update(RECEIPT)
    assert update.read_at == dt.datetime(2026, 12, 1, 9, 31, tzinfo=dt.UTC)
    listing = lc.parse_receipts([{**RECEIPT, "name": "alice", "display_name": "Alice Martin"}])
    assert listing[0].display_name == "Alice Martin"
    with pytest.raises(MalformedPayload, match="delivered_at"):
        lc.parse_receipt_update({**RECEIPT, "delivered_at": None})
    with pytest.raises(MalformedPayload, match="read_at"):
        lc.parse_receipt_update({**RECEIPT, "read_at": None, "acked_at": T0})
    with pytest.raises(MalformedPayload, match=r"\[0\].name"):
        lc.parse_receipts([RECEIPT])


def test_a_help_request_reads_with_its_call_and_a_sparse_context() -> None:
    req = lc.parse_help_request(HELP)
    assert req.status == "acknowledged"
    assert req.acked_by == lc.Actor("lead-1", "Léa Chef")
    assert req.call.queue == "support"
    assert req.call.call_started_at == dt.datetime(2026, 12, 1, 9, 25, tzinfo=dt.UTC)
    sparse = lc.parse_help_request(_with(HELP, "call_context", {}))
    assert sparse.call == lc.CallContext("", None, "", None)
    for path, value in (("status", "done"), ("call_context.queue", 3),
                        ("call_context.call_started_at", "soon"), ("agent_name", ...),
                        ("acked_by.name", ...)):  # fmt: skip
        with pytest.raises(MalformedPayload):
            lc.parse_help_request(_with(HELP, path, value))


def test_an_alert_reads_and_a_newer_kind_is_kept() -> None:
    alert = lc.parse_alert(ALERT)
    assert alert.kind == "break_over"
    assert alert.value == 960
    assert alert.threshold == 900
    assert alert.open
    assert alert.needs_ack
    assert lc.parse_alert(_with(ALERT, "kind", "queue_overflow")).kind == "queue_overflow"
    assert lc.parse_alert(_with(ALERT, "id", "al-7")).id == "al-7"
    for path, value in (("kind", ""), ("detail.value", "960"), ("detail.threshold", ...),
                        ("id", True), ("raised_at", None), ("detail", None)):  # fmt: skip
        with pytest.raises(MalformedPayload):
            lc.parse_alert(_with(ALERT, path, value))


def test_a_day_reads_whole() -> None:
    day = lc.parse_day(DAY)
    assert day.day == dt.date(2026, 12, 1)
    assert day.team is not None
    agent = day.agents[0]
    assert agent.calls_per_hour[9] == 2
    assert agent.handle_by_hour[0] is None
    assert agent.timeline[2].state is AgentState.BREAK
    assert agent.timeline[2].reason == "Café"
    assert agent.figures.breaks.duration_s == 900
    assert day.agent("a-1") is agent
    assert day.agent("nobody") is None
    assert lc.parse_day({**DAY, "team": None}).team is None


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        ("agents.0.calls_per_hour", [0] * 23, "agents[0].calls_per_hour"),
        ("agents.0.calls_per_hour.3", None, "agents[0].calls_per_hour[3]"),
        ("agents.0.handle_by_hour.3", -1, "agents[0].handle_by_hour[3]"),
        ("agents.0.timeline.1.state", "lunch", "agents[0].timeline[1].state"),
        ("agents.0.timeline.1.end", "2026-12-01T07:00:00Z", "agents[0].timeline[1].end"),
        ("agents.0.figures.talk_s", ..., "agents[0].figures.talk_s"),
        ("team.figures.breaks", ..., "team.figures.breaks"),
    ],
)
def test_a_malformed_day_names_its_field(path: str, value: Any, field: str) -> None:
    with pytest.raises(MalformedPayload) as err:
        lc.parse_day(_with(DAY, path, value))
    assert err.value.field == field


def test_events_parse_by_type_and_other_types_are_not_ours() -> None:
    assert isinstance(lc.parse_event("message", MESSAGE), lc.LeadMessage)
    assert isinstance(lc.parse_event("message_receipt", RECEIPT), lc.ReceiptUpdate)
    assert isinstance(lc.parse_event("help_request_updated", HELP), lc.HelpRequest)
    assert isinstance(lc.parse_event("alert_updated", ALERT), lc.Alert)
    assert lc.parse_event("agent_state", {"whatever": 1}) is None
    with pytest.raises(MalformedPayload) as err:
        lc.parse_event("alert", [ALERT])
    assert err.value.route == "event alert"
    with pytest.raises(MalformedPayload) as err:
        lc.parse_event("help_request", _with(HELP, "id", None))
    assert (err.value.route, err.value.field) == ("event help_request", "id")
