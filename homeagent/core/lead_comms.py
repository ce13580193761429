"""What the team-lead console's messages, help queue, alerts and day views read from the
server (docs/lead-contract.md), as typed frozen records, parsed strictly.

The same rules as `homeagent.core.records` (whose reader, `homeagent.core.payload`, this
module shares): every declared field is required (a `None`-able one may be null), unknown
fields are ignored, times are aware UTC datetimes, and anything else is one
`MalformedPayload` naming the route and the field, never the value. Two deliberate
tolerances, both so that a lead never loses an alert or a help request to a newer or
older server:

- an alert's `kind` outside the kinds this build knows is kept (the console labels it
  "Alert") rather than dropping the alert;
- a help request's `call_context` is a free object on the server (`dict[str, Any]`): a
  missing key reads as "no such context" (no queue, no contact, no call start); a key of
  the wrong type is still malformed.

An agent's day (`GET /agents/{id}/day`) without `supervisions` (a server older than the
live supervision, docs/supervision-contract.md) reads as a day without sessions; a
`supervisions` list that is there is parsed as strictly as the rest.

`parse_event(type, data)` reads the six live events of this part; a malformed one raises,
and the console logs it at WARNING and drops that event only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal, cast

from homeagent.core.agent_state import AgentState
from homeagent.core.payload import (
    MAX_COUNT,
    MAX_MESSAGE_ID,
    MAX_SECONDS,
    Fields,
    MalformedPayload,
    parse_items,
)
from homeagent.core.records import Figures, figures_from
from homeagent.core.supervision import DaySupervision, parse_day_supervisions

__all__ = [
    "ALERT_KINDS",
    "EVENT_TYPES",
    "Actor",
    "Alert",
    "CallContext",
    "DayAgent",
    "DayReport",
    "HelpRequest",
    "HelpStatus",
    "LeadMessage",
    "MalformedPayload",
    "MessagePriority",
    "OwnReceipt",
    "ReceiptCounts",
    "ReceiptUpdate",
    "RecipientReceipt",
    "StateSegment",
    "TeamDay",
    "parse_alert",
    "parse_alerts",
    "parse_day",
    "parse_event",
    "parse_help_request",
    "parse_help_requests",
    "parse_lead_message",
    "parse_lead_messages",
    "parse_receipt_update",
    "parse_receipts",
]

MessagePriority = Literal["normal", "urgent"]
HelpStatus = Literal["open", "acknowledged", "resolved"]
_HELP_STATUSES = ("open", "acknowledged", "resolved")
_STATES = tuple(s.value for s in AgentState)
HOURS = 24
ALERT_KINDS = (
    "break_over",
    "call_over",
    "wrap_up_over",
    "missed_in_row",
    "no_break",
    "mos_under",
    "help_waiting",
)
EVENT_TYPES = (
    "message",
    "message_receipt",
    "help_request",
    "help_request_updated",
    "alert",
    "alert_updated",
)


@dataclass(frozen=True, slots=True)
class Actor:
    """Who did something (acknowledged a request or an alert)."""

    id: str
    name: str


def _actor(f: Fields) -> Actor:
    return Actor(id=f.text("id"), name=f.text("name"))


def _actor_or_none(f: Fields, name: str) -> Actor | None:
    child = f.child_or_none(name)
    return None if child is None else _actor(child)


# --- messages -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OwnReceipt:
    """The caller's own receipt of a message it received."""

    delivered_at: dt.datetime | None
    read_at: dt.datetime | None
    acked_at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class ReceiptCounts:
    """How many of a message's recipients have it delivered, read, acknowledged."""

    recipients: int
    delivered: int
    read: int
    acked: int


@dataclass(frozen=True, slots=True)
class LeadMessage:
    """MessageOut as a lead sees it (docs/lead-contract.md, "Messages")."""

    id: int
    sender_id: str
    sender_name: str
    to_agent_id: str | None
    to_team_id: str | None
    thread_agent_id: str | None  # the agent of a one-to-one conversation, else None
    body: str
    priority: MessagePriority
    created_at: dt.datetime
    receipt: OwnReceipt | None  # the caller's own, when the caller is a recipient
    counts: ReceiptCounts | None  # for the sender and the leads

    @property
    def urgent(self) -> bool:
        return self.priority == "urgent"

    @property
    def from_agent(self) -> bool:
        """Written by an agent to the leads (its conversation is its own)."""
        return self.thread_agent_id is not None and self.sender_id == self.thread_agent_id


def _priority(f: Fields) -> MessagePriority:
    # `high` is the older name of `urgent` (the contract accepts both on input)
    value = f.choice("priority", ("normal", "urgent", "high"))
    return "normal" if value == "normal" else "urgent"


def _lead_message(f: Fields) -> LeadMessage:
    receipt = f.child_or_none("receipt")
    counts = f.child_or_none("counts")
    return LeadMessage(
        id=f.integer("id", 1, MAX_MESSAGE_ID),
        sender_id=f.text("sender_id"),
        sender_name=f.text("sender_name"),
        to_agent_id=f.text_or_none("to_agent_id"),
        to_team_id=f.text_or_none("to_team_id"),
        thread_agent_id=f.text_or_none("thread_agent_id"),
        body=f.text("body"),
        priority=_priority(f),
        created_at=f.moment("created_at"),
        receipt=None
        if receipt is None
        else OwnReceipt(
            delivered_at=receipt.moment_or_none("delivered_at"),
            read_at=receipt.moment_or_none("read_at"),
            acked_at=receipt.moment_or_none("acked_at"),
        ),
        counts=None if counts is None else _counts(counts),
    )


def _counts(f: Fields) -> ReceiptCounts:
    recipients = f.integer("recipients", 0, MAX_COUNT)
    delivered = f.integer("delivered", 0, recipients)
    read = f.integer("read", 0, delivered)  # read implies delivered
    acked = f.integer("acked", 0, read)  # ack implies read
    return ReceiptCounts(recipients, delivered, read, acked)


def parse_lead_message(obj: object, *, route: str = "POST /messages") -> LeadMessage:
    """One MessageOut (an answer of POST /messages, or a `message` event's data)."""
    return _lead_message(Fields(route, obj, ""))


def parse_lead_messages(obj: object, *, route: str = "GET /messages") -> tuple[LeadMessage, ...]:
    return parse_items(route, obj, "", _lead_message)


@dataclass(frozen=True, slots=True)
class ReceiptUpdate:
    """One recipient's receipt of one message (POST …/read, a `message_receipt` event)."""

    message_id: int
    agent_id: str
    delivered_at: dt.datetime | None
    read_at: dt.datetime | None
    acked_at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class RecipientReceipt:
    """One line of GET /messages/{id}/receipts (who has not read it yet)."""

    agent_id: str
    name: str
    display_name: str
    delivered_at: dt.datetime | None
    read_at: dt.datetime | None
    acked_at: dt.datetime | None


def _moments(f: Fields) -> tuple[dt.datetime | None, dt.datetime | None, dt.datetime | None]:
    delivered = f.moment_or_none("delivered_at")
    read = f.moment_or_none("read_at")
    acked = f.moment_or_none("acked_at")
    # read implies delivered, ack implies read: a receipt that says otherwise is broken
    if read is not None and delivered is None:
        raise f.fail("delivered_at", "null while read_at is set")
    if acked is not None and read is None:
        raise f.fail("read_at", "null while acked_at is set")
    return delivered, read, acked


def _receipt_update(f: Fields) -> ReceiptUpdate:
    message_id = f.integer("message_id", 1, MAX_MESSAGE_ID)
    agent_id = f.text("agent_id")
    return ReceiptUpdate(message_id, agent_id, *_moments(f))


def _recipient(f: Fields) -> RecipientReceipt:
    agent_id, name, display = f.text("agent_id"), f.text("name"), f.text("display_name")
    return RecipientReceipt(agent_id, name, display, *_moments(f))


def parse_receipt_update(obj: object, *, route: str = "POST /messages/{id}/read") -> ReceiptUpdate:
    return _receipt_update(Fields(route, obj, ""))


def parse_receipts(
    obj: object, *, route: str = "GET /messages/{id}/receipts"
) -> tuple[RecipientReceipt, ...]:
    return parse_items(route, obj, "", _recipient)


# --- help requests --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CallContext:
    """The call an agent asked for help about (the number masked by the agent's app)."""

    queue: str
    contact_id: str | None
    remote_number_masked: str
    call_started_at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class HelpRequest:
    """HelpOut (docs/api.md, plus the lead contract's status fields)."""

    id: int
    agent_id: str
    agent_name: str
    team_id: str | None
    text: str
    call: CallContext
    created_at: dt.datetime
    status: HelpStatus
    acked_by: Actor | None
    acked_at: dt.datetime | None
    resolved_at: dt.datetime | None


def _call_context(f: Fields) -> CallContext:
    # a free object on the server: absent keys are "none", wrong types are malformed
    def has(name: str) -> bool:
        try:
            f.raw(name)
        except MalformedPayload:
            return False
        return True

    return CallContext(
        queue=f.text("queue") if has("queue") else "",
        contact_id=f.text_or_none("contact_id") if has("contact_id") else None,
        remote_number_masked=(
            f.text("remote_number_masked") if has("remote_number_masked") else ""
        ),
        call_started_at=f.moment_or_none("call_started_at") if has("call_started_at") else None,
    )


def _help(f: Fields) -> HelpRequest:
    return HelpRequest(
        id=f.integer("id", 1, MAX_MESSAGE_ID),
        agent_id=f.text("agent_id"),
        agent_name=f.text("agent_name"),
        team_id=f.text_or_none("team_id"),
        text=f.text("text"),
        call=_call_context(f.child("call_context")),
        created_at=f.moment("created_at"),
        status=cast(HelpStatus, f.choice("status", _HELP_STATUSES)),
        acked_by=_actor_or_none(f, "acked_by"),
        acked_at=f.moment_or_none("acked_at"),
        resolved_at=f.moment_or_none("resolved_at"),
    )


def parse_help_request(obj: object, *, route: str = "GET /help-requests") -> HelpRequest:
    return _help(Fields(route, obj, ""))


def parse_help_requests(
    obj: object, *, route: str = "GET /help-requests"
) -> tuple[HelpRequest, ...]:
    return parse_items(route, obj, "", _help)


# --- alerts ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Alert:
    """AlertOut: one alert per agent, kind and episode (evaluated on the server)."""

    id: int | str
    team_id: str
    agent_id: str
    agent_name: str
    kind: str  # one of ALERT_KINDS, or a newer kind (kept, labelled "Alert")
    value: float
    threshold: float
    raised_at: dt.datetime
    cleared_at: dt.datetime | None
    acked_at: dt.datetime | None
    acked_by: Actor | None

    @property
    def open(self) -> bool:
        """The episode is still going on (not cleared)."""
        return self.cleared_at is None

    @property
    def needs_ack(self) -> bool:
        return self.acked_at is None


def _number(f: Fields, name: str) -> float:
    value = f.raw(name)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise f.fail(name, "expected a number")
    if not -MAX_SECONDS <= value <= MAX_SECONDS or value != value:  # NaN
        raise f.fail(name, "out of range")
    return float(value)


def _alert_id(f: Fields) -> int | str:
    # the contract says "ids as today" without naming the alert table's key type: an
    # integer key (like messages) or a string one (like users) both read
    value = f.raw("id")
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_MESSAGE_ID:
        return value
    if isinstance(value, str) and 0 < len(value) <= 64:
        return value
    raise f.fail("id", "expected a positive integer or a short string")


def _alert(f: Fields) -> Alert:
    kind = f.text("kind")
    if not kind:
        raise f.fail("kind", "empty")
    detail = f.child("detail")
    return Alert(
        id=_alert_id(f),
        team_id=f.text("team_id"),
        agent_id=f.text("agent_id"),
        agent_name=f.text("agent_name"),
        kind=kind,
        value=_number(detail, "value"),
        threshold=_number(detail, "threshold"),
        raised_at=f.moment("raised_at"),
        cleared_at=f.moment_or_none("cleared_at"),
        acked_at=f.moment_or_none("acked_at"),
        acked_by=_actor_or_none(f, "acked_by"),
    )


def parse_alert(obj: object, *, route: str = "POST /alerts/{id}/ack") -> Alert:
    return _alert(Fields(route, obj, ""))


def parse_alerts(obj: object, *, route: str = "GET /teams/{id}/alerts") -> tuple[Alert, ...]:
    return parse_items(route, obj, "", _alert)


# --- days (charts, CSV, "Ma journée") -------------------------------------------------


@dataclass(frozen=True, slots=True)
class StateSegment:
    """One stretch of one state, clipped to the day by the server (an open one: to now)."""

    state: AgentState
    reason: str
    start: dt.datetime
    end: dt.datetime


@dataclass(frozen=True, slots=True)
class DayAgent:
    agent_id: str
    name: str
    display_name: str
    figures: Figures
    calls_per_hour: tuple[int, ...]  # 24, by the calls' UTC start hour
    handle_by_hour: tuple[int | None, ...]  # 24: mean handle seconds, None without a call
    timeline: tuple[StateSegment, ...]


@dataclass(frozen=True, slots=True)
class TeamDay:
    figures: Figures
    calls_per_hour: tuple[int, ...]
    handle_by_hour: tuple[int | None, ...]


@dataclass(frozen=True, slots=True)
class DayReport:
    """GET /teams/{id}/day (team set) or GET /agents/{id}/day (one agent, team None)."""

    day: dt.date
    agents: tuple[DayAgent, ...]
    team: TeamDay | None
    # the agent's day only: today's supervision sessions of that agent, oldest first
    supervisions: tuple[DaySupervision, ...] = ()

    def agent(self, agent_id: str) -> DayAgent | None:
        return next((a for a in self.agents if a.agent_id == agent_id), None)


def _hours(f: Fields, name: str, *, nullable: bool) -> tuple[int | None, ...]:
    value = f.raw(name)
    if not isinstance(value, list):
        raise f.fail(name, "expected a list")
    if len(value) != HOURS:
        raise f.fail(name, f"expected {HOURS} hours, got {len(value)}")
    out: list[int | None] = []
    for i, item in enumerate(value):
        if item is None and nullable:
            out.append(None)
        elif isinstance(item, bool) or not isinstance(item, int) or not 0 <= item <= MAX_SECONDS:
            raise f.fail(f"{name}[{i}]", "expected a non-negative integer")
        else:
            out.append(item)
    return tuple(out)


def _counts_by_hour(f: Fields, name: str) -> tuple[int, ...]:
    return tuple(cast(int, v) for v in _hours(f, name, nullable=False))


def _segment(f: Fields) -> StateSegment:
    start, end = f.moment("start"), f.moment("end")
    if end < start:
        raise f.fail("end", "before start")
    return StateSegment(
        state=AgentState(f.choice("state", _STATES)), reason=f.text("reason"), start=start, end=end
    )


def _day_agent(f: Fields) -> DayAgent:
    return DayAgent(
        agent_id=f.text("agent_id"),
        name=f.text("name"),
        display_name=f.text("display_name"),
        figures=figures_from(f.child("figures")),
        calls_per_hour=_counts_by_hour(f, "calls_per_hour"),
        handle_by_hour=_hours(f, "handle_by_hour", nullable=True),
        timeline=f.items("timeline", _segment),
    )


def parse_day(obj: object, *, route: str = "GET /teams/{id}/day") -> DayReport:
    f = Fields(route, obj, "")
    team = f.child_or_none("team")
    # a server from before supervision has no such field: nothing to show
    supervisions = (
        parse_day_supervisions(f.raw("supervisions"), route=route) if f.has("supervisions") else ()
    )
    return DayReport(
        day=f.day("day"),
        agents=f.items("agents", _day_agent),
        team=None
        if team is None
        else TeamDay(
            figures=figures_from(team.child("figures")),
            calls_per_hour=_counts_by_hour(team, "calls_per_hour"),
            handle_by_hour=_hours(team, "handle_by_hour", nullable=True),
        ),
        supervisions=tuple(sorted(supervisions, key=lambda s: s.started_at)),
    )


# --- events ---------------------------------------------------------------------------

LeadEvent = LeadMessage | ReceiptUpdate | HelpRequest | Alert

_EVENT_PARSERS: dict[str, Callable[[Fields], LeadEvent]] = {
    "message": _lead_message,
    "message_receipt": _receipt_update,
    "help_request": _help,
    "help_request_updated": _help,
    "alert": _alert,
    "alert_updated": _alert,
}


def parse_event(event_type: str, data: object) -> LeadEvent | None:
    """The typed record of one of this part's events; None for another part's type.

    Raises `MalformedPayload` (route ``event <type>``) when the data is not what the
    contract says."""
    parse = _EVENT_PARSERS.get(event_type)
    if parse is None:
        return None
    if not isinstance(data, Mapping):
        raise MalformedPayload(f"event {event_type}", "(data)", "expected an object")
    return parse(Fields(f"event {event_type}", data, ""))
