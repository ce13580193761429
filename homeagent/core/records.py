"""What the desk reads from the server, as typed frozen records, parsed strictly.

One `parse_*` function per answer of docs/api.md (the server's pydantic schemas in
`homeagent.server.schemas` are the contract; this module does not import the server,
which is never installed on agent PCs). Each one either returns a complete record or
raises `MalformedPayload` naming the route and the field: no default fills a missing
figure, no malformed time becomes "now".

Rules: every field the schema declares is required (a `None`-able one may be null);
fields the schema does not know are ignored (a newer server may add some); strings are
strings; integers are `int` (never `bool` or `float`) within a stated range; times are
ISO-8601 with a timezone, between 1970 and 2200, returned as aware UTC datetimes; a
closed set of values (role, state, priority…) is checked. The reader that enforces them,
`Fields`, and `MalformedPayload` live in `homeagent.core.payload`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal, cast

from homeagent.core.agent_state import AgentState
from homeagent.core.payload import (
    MAX_COUNT,
    MAX_DAY_SECONDS,
    MAX_MESSAGE_ID,
    MAX_SECONDS,
    Fields,
    parse_items,
)

Role = Literal["agent", "team_lead", "admin"]
Priority = Literal["normal", "urgent"]  # "high" (the old word) is read as "urgent"
Direction = Literal["inbound", "outbound"]
CallbackStatus = Literal["pending", "done", "cancelled"]
_ROLES = ("agent", "team_lead", "admin")
_PRIORITIES = ("normal", "urgent", "high")
_DIRECTIONS = ("inbound", "outbound")
_CALLBACK_STATUSES = ("pending", "done", "cancelled")
_STATES = tuple(s.value for s in AgentState)


# --- me and team (GET /me) ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class User:
    id: str
    name: str
    display_name: str
    role: Role
    team_id: str | None


@dataclass(frozen=True, slots=True)
class Disposition:
    code: str
    label: str


@dataclass(frozen=True, slots=True)
class Team:
    id: str
    name: str
    pause_reasons: tuple[str, ...]
    wrap_up_s: int
    auto_answer_s: int  # 0: the agent answers by hand
    auto_available_after_wrap_up: bool
    dispositions: tuple[Disposition, ...]


# the roles that get the team-lead console beside the desk
LEAD_ROLES = frozenset({"team_lead", "admin"})


@dataclass(frozen=True, slots=True)
class Me:
    user: User
    team: Team | None  # None: not in a team (an admin)


def _user(f: Fields) -> User:
    return User(
        id=f.text("id"),
        name=f.text("name"),
        display_name=f.text("display_name"),
        role=cast(Role, f.choice("role", _ROLES)),
        team_id=f.text_or_none("team_id"),
    )


def _disposition(f: Fields) -> Disposition:
    return Disposition(code=f.text("code"), label=f.text("label"))


def _team(f: Fields) -> Team:
    return Team(
        id=f.text("id"),
        name=f.text("name"),
        pause_reasons=f.texts("pause_reasons"),
        wrap_up_s=f.integer("wrap_up_s", 0, MAX_DAY_SECONDS),
        auto_answer_s=f.integer("auto_answer_s", 0, MAX_DAY_SECONDS),
        auto_available_after_wrap_up=f.flag("auto_available_after_wrap_up"),
        dispositions=f.items("dispositions", _disposition),
    )


def parse_me(obj: object, *, route: str = "GET /me") -> Me:
    f = Fields(route, obj, "")
    team = f.child_or_none("team")
    return Me(user=_user(f.child("user")), team=_team(team) if team is not None else None)


# --- agent state ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Person:
    """Someone the server names in an answer (a lead who changed a state, acknowledged…)."""

    id: str
    name: str


@dataclass(frozen=True, slots=True)
class AgentStateRow:
    """An agent's presence at the server (PUT/GET /agents/me/state, `agent_state` events).

    `changed_by` and `note` (docs/lead-contract.md): a team lead set this state, and why;
    absent from older answers (None and "")."""

    agent_id: str
    state: AgentState
    reason: str
    since: dt.datetime
    changed_by: Person | None = None
    note: str = ""


@dataclass(frozen=True, slots=True)
class AgentLive:
    """One row of a team's live board (GET /teams/{id}/agents)."""

    agent_id: str
    name: str
    display_name: str
    state: AgentState
    reason: str
    since: dt.datetime


def _state(f: Fields) -> AgentState:
    return AgentState(f.choice("state", _STATES))


def _person(f: Fields) -> Person:
    return Person(id=f.text("id"), name=f.text("name"))


def _person_or_none(f: Fields, name: str) -> Person | None:
    child = f.child_or_none(name)
    return _person(child) if child is not None else None


def read_agent_state(f: Fields) -> AgentStateRow:
    changed_by = _person_or_none(f, "changed_by") if f.has("changed_by") else None
    return AgentStateRow(
        agent_id=f.text("agent_id"),
        state=_state(f),
        reason=f.text("reason"),
        since=f.moment("since"),
        changed_by=changed_by,
        note=(f.text_or_none("note") or "") if f.has("note") else "",
    )


def _agent_live(f: Fields) -> AgentLive:
    return AgentLive(
        agent_id=f.text("agent_id"),
        name=f.text("name"),
        display_name=f.text("display_name"),
        state=_state(f),
        reason=f.text("reason"),
        since=f.moment("since"),
    )


def parse_agent_state(obj: object, *, route: str = "GET /agents/me/state") -> AgentStateRow:
    return read_agent_state(Fields(route, obj, ""))


# --- remote state changes (docs/lead-contract.md) ---------------------------------------

RemoteState = Literal["break", "not_ready", "offline"]
_REMOTE_STATES = ("break", "not_ready", "offline")


@dataclass(frozen=True, slots=True)
class PendingState:
    """A state a lead set during a call: applied when the call and its wrap-up end."""

    state: AgentState
    reason: str
    by: Person
    note: str
    at: dt.datetime


@dataclass(frozen=True, slots=True)
class PendingChange:
    """A `state_change_pending` event: `pending` None = the lead cancelled it."""

    agent_id: str
    pending: PendingState | None


def _pending(f: Fields) -> PendingState:
    return PendingState(
        state=AgentState(f.choice("state", _REMOTE_STATES)),
        reason=f.text("reason"),
        by=_person(f.child("by")),
        note=f.text_or_none("note") or "",
        at=f.moment("at"),
    )


def parse_pending_change(
    obj: object, *, route: str = "event state_change_pending"
) -> PendingChange:
    f = Fields(route, obj, "")
    pending = f.child_or_none("pending")
    return PendingChange(
        agent_id=f.text("agent_id"), pending=_pending(pending) if pending is not None else None
    )


def parse_team_agents(
    obj: object, *, route: str = "GET /teams/{id}/agents"
) -> tuple[AgentLive, ...]:
    return parse_items(route, obj, "", _agent_live)


# --- messages -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Receipt:
    """Where a message is for one recipient (the caller's own receipt)."""

    delivered_at: dt.datetime | None
    read_at: dt.datetime | None
    acked_at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class Message:
    """MessageOut (docs/lead-contract.md), as the caller sees it."""

    id: int
    sender_id: str
    sender_name: str
    to_agent_id: str | None
    to_team_id: str | None
    thread_agent_id: str | None  # the agent of a one-to-one conversation
    body: str
    priority: Priority
    created_at: dt.datetime
    receipt: Receipt | None  # None: the caller is not a recipient (its sender, a lead)

    @property
    def read_at(self) -> dt.datetime | None:
        """When I read it (None: not yet, or not mine to read)."""
        return self.receipt.read_at if self.receipt is not None else None


def _receipt(f: Fields) -> Receipt:
    return Receipt(
        delivered_at=f.moment_or_none("delivered_at"),
        read_at=f.moment_or_none("read_at"),
        acked_at=f.moment_or_none("acked_at"),
    )


def _message(f: Fields) -> Message:
    priority = f.choice("priority", _PRIORITIES)
    receipt = f.child_or_none("receipt")
    return Message(
        id=f.integer("id", 1, MAX_MESSAGE_ID),
        sender_id=f.text("sender_id"),
        sender_name=f.text("sender_name"),
        to_agent_id=f.text_or_none("to_agent_id"),
        to_team_id=f.text_or_none("to_team_id"),
        thread_agent_id=f.text_or_none("thread_agent_id"),
        body=f.text("body"),
        priority="urgent" if priority == "high" else cast(Priority, priority),
        created_at=f.moment("created_at"),
        receipt=_receipt(receipt) if receipt is not None else None,
    )


def parse_message(obj: object, *, route: str = "GET /messages") -> Message:
    """One message (an item of GET /messages, or a `message` event's data)."""
    return _message(Fields(route, obj, ""))


def parse_messages(obj: object, *, route: str = "GET /messages") -> tuple[Message, ...]:
    return parse_items(route, obj, "", _message)


@dataclass(frozen=True, slots=True)
class ReceiptOut:
    """The answer of POST /messages/{id}/delivered | /read | /ack."""

    message_id: int
    agent_id: str
    delivered_at: dt.datetime | None
    read_at: dt.datetime | None
    acked_at: dt.datetime | None


def parse_receipt(obj: object, *, route: str = "POST /messages/{id}/read") -> ReceiptOut:
    f = Fields(route, obj, "")
    return ReceiptOut(
        message_id=f.integer("message_id", 1, MAX_MESSAGE_ID),
        agent_id=f.text("agent_id"),
        delivered_at=f.moment_or_none("delivered_at"),
        read_at=f.moment_or_none("read_at"),
        acked_at=f.moment_or_none("acked_at"),
    )


# --- help requests (HelpOut, docs/lead-contract.md) -----------------------------------

HelpStatus = Literal["open", "acknowledged", "resolved"]
_HELP_STATUSES = ("open", "acknowledged", "resolved")
MAX_HELP_ID = 2**63 - 1


@dataclass(frozen=True, slots=True)
class HelpRequestOut:
    id: int
    agent_id: str
    agent_name: str
    team_id: str | None
    text: str
    created_at: dt.datetime
    status: HelpStatus
    acked_by: Person | None
    acked_at: dt.datetime | None
    resolved_at: dt.datetime | None


def parse_help_request(obj: object, *, route: str = "POST /help-requests") -> HelpRequestOut:
    f = Fields(route, obj, "")
    return HelpRequestOut(
        id=f.integer("id", 1, MAX_HELP_ID),
        agent_id=f.text("agent_id"),
        agent_name=f.text("agent_name"),
        team_id=f.text_or_none("team_id"),
        text=f.text("text"),
        created_at=f.moment("created_at"),
        status=cast(HelpStatus, f.choice("status", _HELP_STATUSES)),
        acked_by=_person_or_none(f, "acked_by"),
        acked_at=f.moment_or_none("acked_at"),
        resolved_at=f.moment_or_none("resolved_at"),
    )


# --- callbacks ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Callback:
    id: str
    contact_id: str | None
    interaction_id: str | None
    agent_id: str
    due_at: dt.datetime
    notes: str
    status: CallbackStatus


def _callback(f: Fields) -> Callback:
    return Callback(
        id=f.text("id"),
        contact_id=f.text_or_none("contact_id"),
        interaction_id=f.text_or_none("interaction_id"),
        agent_id=f.text("agent_id"),
        due_at=f.moment("due_at"),
        notes=f.text("notes"),
        status=cast(CallbackStatus, f.choice("status", _CALLBACK_STATUSES)),
    )


def parse_callbacks(obj: object, *, route: str = "GET /callbacks") -> tuple[Callback, ...]:
    return parse_items(route, obj, "", _callback)


# --- a contact's history (GET /contacts/{id}/interactions) ----------------------------


@dataclass(frozen=True, slots=True)
class Interaction:
    id: str
    contact_id: str | None
    agent_id: str
    direction: Direction
    queue: str
    remote_number: str  # a customer's number: never log it whole
    started_at: dt.datetime
    answered_at: dt.datetime | None
    ended_at: dt.datetime | None
    outcome: str
    sip_call_id: str
    disposition: str | None
    notes: str


@dataclass(frozen=True, slots=True)
class Note:
    id: str
    contact_id: str
    interaction_id: str | None
    agent_id: str
    text: str
    created_at: dt.datetime


@dataclass(frozen=True, slots=True)
class ContactHistory:
    interactions: tuple[Interaction, ...]
    notes: tuple[Note, ...]


def _interaction(f: Fields) -> Interaction:
    return Interaction(
        id=f.text("id"),
        contact_id=f.text_or_none("contact_id"),
        agent_id=f.text("agent_id"),
        direction=cast(Direction, f.choice("direction", _DIRECTIONS)),
        queue=f.text("queue"),
        remote_number=f.text("remote_number"),
        started_at=f.moment("started_at"),
        answered_at=f.moment_or_none("answered_at"),
        ended_at=f.moment_or_none("ended_at"),
        outcome=f.text("outcome"),
        sip_call_id=f.text("sip_call_id"),
        disposition=f.text_or_none("disposition"),
        notes=f.text("notes"),
    )


def _note(f: Fields) -> Note:
    return Note(
        id=f.text("id"),
        contact_id=f.text("contact_id"),
        interaction_id=f.text_or_none("interaction_id"),
        agent_id=f.text("agent_id"),
        text=f.text("text"),
        created_at=f.moment("created_at"),
    )


def parse_interaction(obj: object, *, route: str = "POST /interactions") -> Interaction:
    return _interaction(Fields(route, obj, ""))


def parse_contact_history(
    obj: object, *, route: str = "GET /contacts/{id}/interactions"
) -> ContactHistory:
    f = Fields(route, obj, "")
    return ContactHistory(
        interactions=f.items("interactions", _interaction), notes=f.items("notes", _note)
    )


# --- figures (GET /figures/agents/{id}, /figures/teams/{id}) --------------------------


@dataclass(frozen=True, slots=True)
class Breaks:
    count: int
    duration_s: int


@dataclass(frozen=True, slots=True)
class Figures:
    """One day's figures (their definitions: docs/api.md, "Figures")."""

    day: dt.date
    calls_handled: int
    avg_handle_s: int
    wrap_up_s: int  # total
    breaks: Breaks
    missed: int
    declined: int = 0
    talk_s: int = 0
    handle_s: int = 0
    avg_wrap_up_s: int = 0


def parse_figures(obj: object, *, route: str = "GET /figures/agents/{id}") -> Figures:
    return figures_from(Fields(route, obj, ""))


def figures_from(f: Fields) -> Figures:
    """One FiguresOut object read through `f` (shared with the day payload's parser)."""
    b = f.child("breaks")
    return Figures(
        day=f.day("day"),
        calls_handled=f.integer("calls_handled", 0, MAX_COUNT),
        avg_handle_s=f.integer("avg_handle_s", 0, MAX_SECONDS),
        wrap_up_s=f.integer("wrap_up_s", 0, MAX_SECONDS),
        breaks=Breaks(
            count=b.integer("count", 0, MAX_COUNT),
            duration_s=b.integer("duration_s", 0, MAX_SECONDS),
        ),
        missed=f.integer("missed", 0, MAX_COUNT),
        declined=f.integer("declined", 0, MAX_COUNT),
        talk_s=f.integer("talk_s", 0, MAX_SECONDS),
        handle_s=f.integer("handle_s", 0, MAX_SECONDS),
        avg_wrap_up_s=f.integer("avg_wrap_up_s", 0, MAX_SECONDS),
    )
