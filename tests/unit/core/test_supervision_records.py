"""The supervision records: strict parsing, and the token never shown."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from homeagent.core.commands import ExpectSupervision, StartSupervision
from homeagent.core.supervision import (
    MalformedPayload,
    parse_day_supervisions,
    parse_ended,
    parse_mode_changed,
    parse_policy,
    parse_request,
    parse_session,
    parse_started,
)

TOKEN = "Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFiY2RlZmdoaWpr"  # 44 URL-safe characters


def _session(**over: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": 7,
        "agent_id": "a1",
        "agent_name": "Hélène David",
        "lead_id": "l1",
        "lead_name": "Claire Martin",
        "team_id": "t1",
        "mode": "listen",
        "status": "connected",
        "created_at": "2026-12-01T10:42:00+00:00",
        "connected_at": "2026-12-01T10:42:01Z",
        "ended_at": None,
        "end_reason": None,
        "unknown_field": "ignored",
    }
    body.update(over)
    return body


def _request(**over: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": 7,
        "token": TOKEN,
        "mode": "whisper",
        "lead": {"id": "l1", "name": "Claire Martin"},
        "lead_sip_uri": "sip:lead.claire@homeagent.test",
        "announce": True,
    }
    body.update(over)
    return body


def test_a_session_parses_with_its_times_in_utc() -> None:
    s = parse_session(_session())
    assert (s.id, s.agent_name, s.lead_name, s.mode, s.status) == (
        7,
        "Hélène David",
        "Claire Martin",
        "listen",
        "connected",
    )
    assert s.connected_at == dt.datetime(2026, 12, 1, 10, 42, 1, tzinfo=dt.UTC)
    assert s.open
    assert not parse_session(_session(status="ended", end_reason="call_ended")).open


@pytest.mark.parametrize(
    ("field", "value", "problem"),
    [
        ("id", 0, "out of range"),
        ("id", True, "expected an integer"),
        ("mode", "spy", "not one of"),
        ("status", "paused", "not one of"),
        ("created_at", "yesterday", "not an ISO-8601 time"),
        ("agent_name", None, "expected a string"),
    ],
)
def test_a_malformed_session_names_the_field(field: str, value: object, problem: str) -> None:
    with pytest.raises(MalformedPayload, match=f"{field}: .*{problem}"):
        parse_session(_session(**{field: value}))


def test_the_started_session_keeps_its_token_out_of_its_repr() -> None:
    started = parse_started({**_session(status="requested"), "token": TOKEN})
    assert started.token == TOKEN
    assert TOKEN not in repr(started)


def test_a_request_parses_and_never_shows_its_token() -> None:
    r = parse_request(_request())
    assert (r.id, r.mode, r.lead_name, r.lead_sip_uri, r.announce) == (
        7,
        "whisper",
        "Claire Martin",
        "sip:lead.claire@homeagent.test",
        True,
    )
    assert TOKEN not in repr(r)
    command = StartSupervision(r.id, 3, r.lead_sip_uri, r.token, r.mode)
    assert TOKEN not in repr(command)
    assert TOKEN not in repr(ExpectSupervision(r.id, r.token))


@pytest.mark.parametrize(
    "token",
    ["short", TOKEN + "\r\nX-Evil: 1", TOKEN + ";lr", "é" * 43, "a" * 129],
)
def test_a_token_that_could_not_be_a_header_value_is_refused(token: str) -> None:
    with pytest.raises(MalformedPayload, match="token: not a session token") as caught:
        parse_request(_request(token=token))
    assert token not in str(caught.value)


@pytest.mark.parametrize(
    "uri",
    [
        "tel:+33612345678",
        "sip:lead@host\r\nVia: x",
        "http://evil.example/",
        "sip:@host",
        "sip:" + "a" * 300 + "@host",
    ],
)
def test_a_lead_uri_that_is_not_a_sip_uri_is_refused(uri: str) -> None:
    with pytest.raises(MalformedPayload, match="lead_sip_uri"):
        parse_request(_request(lead_sip_uri=uri))


def test_sips_and_a_port_are_fine() -> None:
    assert parse_request(_request(lead_sip_uri="sips:l@sip.example.org:5061")).lead_sip_uri


def test_mode_and_end_events() -> None:
    m = parse_mode_changed({"id": 7, "mode": "barge", "lead": {"id": "l1", "name": "C"},
                            "announce": False})  # fmt: skip
    assert (m.id, m.mode, m.lead_name, m.announce) == (7, "barge", "C", False)
    with pytest.raises(MalformedPayload, match="mode"):
        parse_mode_changed({"id": 7, "mode": "loud", "lead": {"name": "C"}, "announce": True})
    e = parse_ended({"id": 7, "reason": "call_ended" * 10})
    assert e.id == 7
    assert len(e.reason) == 40


def test_day_supervisions_and_the_policy() -> None:
    day = {
        "supervisions": [
            {
                "id": 3,
                "lead_name": "Claire Martin",
                "modes": ["listen", "whisper"],
                "started_at": "2026-12-01T10:42:00Z",
                "ended_at": "2026-12-01T10:47:00Z",
                "end_reason": "lead_stopped",
            }
        ]
    }
    (one,) = parse_day_supervisions(day["supervisions"])
    assert one.modes == ("listen", "whisper")
    assert one.end_reason == "lead_stopped"
    bad = {"supervisions": [{**day["supervisions"][0], "modes": ["listen", "shout"]}]}
    with pytest.raises(MalformedPayload, match=r"supervisions\[0\]\.modes\[1\]"):
        parse_day_supervisions(bad["supervisions"])
    assert parse_policy({"policy": "silent"}) == "silent"
    with pytest.raises(MalformedPayload):
        parse_policy({"policy": "sometimes"})
