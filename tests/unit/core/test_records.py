"""Strict parsing of the server's answers into typed records: each malformed answer is
one `MalformedPayload` naming the route and the field, never the value."""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from homeagent.core import records as r
from homeagent.core.agent_state import AgentState
from homeagent.core.payload import MalformedPayload

UTC = dt.UTC
T0 = "2026-11-24T09:30:00Z"
T0_AT = dt.datetime(2026, 11, 24, 9, 30, tzinfo=UTC)
AGENT = "5b0c53a4-1d1e-4e3c-9a53-2a1f6a1b2c3d"
TEAM = "0e7b6f0e-4a3c-4b1a-8e8e-9c1d2b3a4f5e"
CONTACT = "c3a1b2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d"
CALL = "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5e"

ME = {
    "user": {
        "id": AGENT,
        "name": "alice",
        "display_name": "Alice Martin",
        "role": "agent",
        "team_id": TEAM,
    },
    "team": {
        "id": TEAM,
        "name": "Ventes",
        "pause_reasons": ["Pause café", "Formation"],
        "wrap_up_s": 60,
        "auto_answer_s": 0,
        "auto_available_after_wrap_up": True,
        "dispositions": [{"code": "sale", "label": "Vente"}],
    },
}
STATE = {"agent_id": AGENT, "state": "break", "reason": "Pause café", "since": T0}
LIVE = {**STATE, "name": "alice", "display_name": "Alice Martin"}
MESSAGE = {  # MessageOut, docs/lead-contract.md
    "id": 7,
    "sender_id": AGENT,
    "sender_name": "Claire M.",
    "to_agent_id": None,
    "to_team_id": TEAM,
    "thread_agent_id": None,
    "body": "Point à 14 h",
    "priority": "high",  # the old word: read as "urgent"
    "created_at": T0,
    "receipt": {"delivered_at": None, "read_at": None, "acked_at": None},
    "counts": None,
}
LEAD = {"id": "lead-1", "name": "Claire M."}
PENDING = {
    "agent_id": AGENT,
    "pending": {"state": "break", "reason": "Réunion", "by": LEAD, "note": "", "at": T0},
}
HELP = {
    "id": 12,
    "agent_id": AGENT,
    "agent_name": "Alice Martin",
    "team_id": TEAM,
    "text": "",
    "call_context": {"queue": "support"},
    "created_at": T0,
    "status": "acknowledged",
    "acked_by": LEAD,
    "acked_at": T0,
    "resolved_at": None,
}
CALLBACK = {
    "id": "cb000000-0000-4000-8000-000000000001",
    "contact_id": CONTACT,
    "interaction_id": CALL,
    "agent_id": AGENT,
    "due_at": "2026-11-25T10:00:00+01:00",
    "notes": "Devis",
    "status": "pending",
}
INTERACTION = {
    "id": CALL,
    "contact_id": CONTACT,
    "agent_id": AGENT,
    "direction": "inbound",
    "queue": "ventes",
    "remote_number": "+33612345678",
    "started_at": T0,
    "answered_at": "2026-11-24T09:30:05Z",
    "ended_at": "2026-11-24T09:34:05Z",
    "outcome": "answered",
    "sip_call_id": "x@test",
    "disposition": None,
    "notes": "",
}
NOTE = {
    "id": "n0000000-0000-4000-8000-000000000001",
    "contact_id": CONTACT,
    "interaction_id": None,
    "agent_id": AGENT,
    "text": "Client satisfait.",
    "created_at": T0,
}
HISTORY = {"interactions": [INTERACTION], "notes": [NOTE]}
FIGURES = {
    "day": "2026-11-24",
    "calls_handled": 12,
    "missed": 1,
    "declined": 0,
    "talk_s": 2340,
    "wrap_up_s": 600,
    "handle_s": 2940,
    "avg_handle_s": 245,
    "avg_wrap_up_s": 50,
    "breaks": {"count": 2, "duration_s": 900},
}


def test_good_answers_parse_into_typed_records() -> None:
    me = r.parse_me(ME)
    assert me.user.display_name == "Alice Martin"
    assert me.user.role == "agent"
    assert me.team is not None
    assert me.team.pause_reasons == ("Pause café", "Formation")
    assert me.team.dispositions == (r.Disposition("sale", "Vente"),)
    assert r.parse_me({**ME, "team": None}).team is None

    state = r.parse_agent_state(STATE)
    assert (state.state, state.since) == (AgentState.BREAK, T0_AT)
    [live] = r.parse_team_agents([LIVE])
    assert (live.display_name, live.state) == ("Alice Martin", AgentState.BREAK)

    [message] = r.parse_messages([MESSAGE])
    assert (message.id, message.priority, message.read_at) == (7, "urgent", None)
    assert (message.sender_name, message.thread_agent_id) == ("Claire M.", None)
    assert message.created_at == T0_AT
    assert r.parse_message({**MESSAGE, "priority": "urgent", "receipt": None}).receipt is None

    changed = r.parse_agent_state({**STATE, "changed_by": LEAD, "note": "Réunion d'équipe"})
    assert (changed.changed_by, changed.note) == (
        r.Person("lead-1", "Claire M."),
        "Réunion d'équipe",
    )
    assert r.parse_agent_state(STATE).changed_by is None  # an older server: no such field
    pending = r.parse_pending_change(PENDING).pending
    assert pending is not None
    assert (pending.state, pending.by.name) == (AgentState.BREAK, "Claire M.")
    assert r.parse_pending_change({**PENDING, "pending": None}).pending is None
    help_ = r.parse_help_request(HELP)
    assert (help_.id, help_.status, help_.acked_by) == (12, "acknowledged", r.Person(**LEAD))

    [callback] = r.parse_callbacks([CALLBACK])
    assert callback.due_at == dt.datetime(2026, 11, 25, 9, 0, tzinfo=UTC)  # in UTC
    assert callback.due_at.tzinfo is UTC

    history = r.parse_contact_history(HISTORY)
    assert history.interactions[0].ended_at == dt.datetime(2026, 11, 24, 9, 34, 5, tzinfo=UTC)
    assert history.interactions[0].disposition is None
    assert history.notes[0].text == "Client satisfait."

    figures = r.parse_figures(FIGURES)
    assert figures.day == dt.date(2026, 11, 24)
    assert (figures.calls_handled, figures.breaks.duration_s) == (12, 900)


def test_records_are_frozen() -> None:
    figures = r.parse_figures(FIGURES)
    with pytest.raises(AttributeError):
        figures.missed = 3  # type: ignore[misc]


def test_unknown_extra_fields_are_ignored() -> None:
    """A newer server may add fields: the desk keeps working."""
    assert r.parse_figures({**FIGURES, "new_figure": 3}).missed == 1


def _set(doc: Any, path: str, value: Any) -> Any:
    doc = copy.deepcopy(doc)
    *parents, last = path.split(".")
    target = doc
    for part in parents:
        target = target[int(part)] if part.isdigit() else target[part]
    if value is _DELETE:
        del target[int(last) if last.isdigit() else last]
    else:
        target[int(last) if last.isdigit() else last] = value
    return doc


_DELETE = object()
Parse = Callable[[Any], object]

CASES: list[tuple[str, Parse, Any, str, Any, str]] = [
    # (case, parser, good doc, field path, bad value, what the message must say)
    ("missing field", r.parse_me, ME, "user.display_name", _DELETE, "missing"),
    ("wrong type", r.parse_me, ME, "user.name", 12, "expected a string, got int"),
    ("bad choice", r.parse_me, ME, "user.role", "boss", "not one of"),
    ("null where required", r.parse_me, ME, "team.name", None, "expected a string"),
    ("bool as int", r.parse_me, ME, "team.wrap_up_s", True, "expected an integer, got bool"),
    ("float as int", r.parse_me, ME, "team.wrap_up_s", 60.5, "expected an integer"),
    ("huge int", r.parse_me, ME, "team.wrap_up_s", 10**30, "out of range"),
    ("negative int", r.parse_me, ME, "team.auto_answer_s", -1, "out of range"),
    ("int as bool", r.parse_me, ME, "team.auto_available_after_wrap_up", 1, "expected a bool"),
    ("list item", r.parse_me, ME, "team.pause_reasons.1", 3, "expected a string"),
    ("not a list", r.parse_me, ME, "team.dispositions", {"code": "x"}, "expected a list"),
    ("nested item", r.parse_me, ME, "team.dispositions.0", "sale", "expected an object"),
    ("nested missing", r.parse_me, ME, "team.dispositions.0.label", _DELETE, "missing"),
    ("words as time", r.parse_agent_state, STATE, "since", "yesterday", "ISO-8601"),
    ("naive time", r.parse_agent_state, STATE, "since", "2026-11-24T09:30:00", "timezone"),
    ("date only", r.parse_agent_state, STATE, "since", "2026-11-24", "timezone"),
    ("garbage date", r.parse_messages, [MESSAGE], "0.created_at", "not a date", "ISO-8601"),
    ("empty date", r.parse_messages, [MESSAGE], "0.created_at", "", "ISO-8601"),
    ("number as date", r.parse_messages, [MESSAGE], "0.created_at", 1732440600, "string"),
    ("year 9999", r.parse_messages, [MESSAGE], "0.created_at", "9999-01-01T00:00:00Z", "range"),
    ("bad state", r.parse_agent_state, STATE, "state", "asleep", "not one of"),
    ("live missing", r.parse_team_agents, [LIVE], "0.display_name", _DELETE, "missing"),
    ("message id bool", r.parse_messages, [MESSAGE], "0.id", False, "got bool"),
    ("message id huge", r.parse_messages, [MESSAGE], "0.id", 2**70, "out of range"),
    ("priority", r.parse_messages, [MESSAGE], "0.priority", "critical", "not one of"),
    ("read_at garbage", r.parse_messages, [MESSAGE], "0.receipt.read_at", "soon", "ISO-8601"),
    ("no sender name", r.parse_messages, [MESSAGE], "0.sender_name", _DELETE, "missing"),
    ("changed_by shape", r.parse_agent_state, STATE, "changed_by", "Claire", "expected an object"),
    ("pending state", r.parse_pending_change, PENDING, "pending.state", "available", "not one of"),
    ("pending by", r.parse_pending_change, PENDING, "pending.by.name", _DELETE, "missing"),
    ("help status", r.parse_help_request, HELP, "status", "closed", "not one of"),
    ("help id", r.parse_help_request, HELP, "id", "12", "expected an integer"),
    ("due_at garbage", r.parse_callbacks, [CALLBACK], "0.due_at", "demain 10h", "ISO-8601"),
    ("due_at naive", r.parse_callbacks, [CALLBACK], "0.due_at", "2026-11-25T10:00", "timezone"),
    ("callback status", r.parse_callbacks, [CALLBACK], "0.status", "lost", "not one of"),
    ("history shape", r.parse_contact_history, HISTORY, "notes", None, "expected a list"),
    (
        "ended_at garbage",
        r.parse_contact_history,
        HISTORY,
        "interactions.0.ended_at",
        "2026-13-45T99:00:00Z",
        "ISO-8601",
    ),
    ("note text", r.parse_contact_history, HISTORY, "notes.0.text", ["x"], "got list"),
    ("direction", r.parse_contact_history, HISTORY, "interactions.0.direction", "up", "not one"),
    ("figures huge", r.parse_figures, FIGURES, "calls_handled", 10**12, "out of range"),
    ("figures str", r.parse_figures, FIGURES, "avg_handle_s", "245", "got str"),
    ("breaks missing", r.parse_figures, FIGURES, "breaks.count", _DELETE, "missing"),
    ("breaks not dict", r.parse_figures, FIGURES, "breaks", [2, 900], "expected an object"),
    ("bad day", r.parse_figures, FIGURES, "day", "24/11/2026", "ISO-8601 day"),
]


@pytest.mark.parametrize(
    ("parse", "doc", "path", "value", "says"),
    [c[1:] for c in CASES],
    ids=[c[0] for c in CASES],
)
def test_a_malformed_answer_is_one_typed_error_naming_the_field(
    parse: Parse, doc: Any, path: str, value: Any, says: str
) -> None:
    with pytest.raises(MalformedPayload) as info:
        parse(_set(doc, path, value))
    err = info.value
    assert isinstance(err, ValueError)
    field = ".".join(f"[{p}]" if p.isdigit() else p for p in path.split(".")).replace(".[", "[")
    assert err.field == field.lstrip(".")
    assert err.route
    assert says in str(err)
    assert str(err).startswith(f"{err.route}: {err.field}: ")
    if isinstance(value, str) and value:
        assert value not in str(err)  # the value may be personal data: never repeated


@pytest.mark.parametrize(
    ("parse", "doc"),
    [
        (r.parse_me, []),
        (r.parse_me, "me"),
        (r.parse_me, None),
        (r.parse_agent_state, 3),
        (r.parse_team_agents, {"items": [LIVE]}),
        (r.parse_messages, {"items": []}),
        (r.parse_callbacks, None),
        (r.parse_contact_history, [HISTORY]),
        (r.parse_figures, "12"),
    ],
)
def test_an_answer_of_the_wrong_shape_is_refused(parse: Parse, doc: Any) -> None:
    with pytest.raises(MalformedPayload, match=r"expected an? (object|list)"):
        parse(doc)


def test_the_route_is_named_and_can_be_given() -> None:
    with pytest.raises(MalformedPayload) as info:
        r.parse_message({**MESSAGE, "body": None}, route="event message")
    assert str(info.value) == "event message: body: expected a string, got null"
    with pytest.raises(MalformedPayload) as info:
        r.parse_figures({})
    assert info.value.route == "GET /figures/agents/{id}"


def test_a_phone_number_in_a_bad_field_is_not_repeated() -> None:
    bad = _set(HISTORY, "interactions.0.started_at", "+33612345678")
    with pytest.raises(MalformedPayload) as info:
        r.parse_contact_history(bad)
    assert "612345678" not in str(info.value)
    assert info.value.field == "interactions[0].started_at"
