"""The console's records: good payloads parse completely, malformed ones name the field."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from homeagent.core.agent_state import AgentState
from homeagent.core.lead_records import (
    MalformedPayload,
    parse_agent_figures,
    parse_agent_state_event,
    parse_board,
    parse_call_quality,
    parse_queue_stats,
    parse_remote_state,
    parse_state_change_pending,
    parse_teams,
)

T0 = "2026-12-01T09:00:00Z"


def row(**over: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "agent_id": "a-1", "name": "lea", "display_name": "Léa Moreau",
        "state": "on_call", "reason": "", "since": T0,
        "changed_by": None,
        "pending": {"state": "break", "reason": "Déjeuner",
                    "by": {"id": "u-9", "name": "Claire Martin"}, "note": "Pense à manger",
                    "at": T0},
        "call": {"started_at": T0, "queue": "support", "direction": "inbound"},
        "today": {"calls_handled": 4, "avg_handle_s": 300, "missed": 1, "missed_in_row": 0,
                  "breaks": {"count": 2, "duration_s": 900}},
        "quality": {"mos": 4.1, "loss_pct": 0.5, "jitter_ms": 12, "rtt_ms": 40, "at": T0,
                    "final": False},
        "network": None,
    }  # fmt: skip
    base.update(over)
    return base


def board(*rows: dict[str, Any]) -> dict[str, Any]:
    return {"team_id": "t-1", "team_name": "Service client", "wrap_up_s": 60,
            "generated_at": T0, "agents": list(rows)}  # fmt: skip


def test_a_complete_board_parses_into_typed_rows() -> None:
    b = parse_board(board(row(), row(agent_id="a-2", pending=None, call=None, quality=None)))
    assert (b.team_id, b.team_name, b.wrap_up_s) == ("t-1", "Service client", 60)
    first = b.agents[0]
    assert first.state is AgentState.ON_CALL
    assert first.since == dt.datetime(2026, 12, 1, 9, tzinfo=dt.UTC)
    assert first.pending is not None
    assert first.pending.state is AgentState.BREAK
    assert first.pending.by.name == "Claire Martin"
    assert first.call is not None
    assert first.call.queue == "support"
    assert first.today.breaks.duration_s == 900
    assert first.quality is not None
    assert first.quality.mos == pytest.approx(4.1)
    assert first.quality.jitter_ms == 12.0  # an int on the wire is a number too
    second = b.agents[1]
    assert (second.pending, second.call, second.quality) == (None, None, None)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"state": "lunch"}, "agents[0].state"),
        ({"since": "2026-12-01T09:00:00"}, "agents[0].since"),  # no timezone
        ({"today": {"calls_handled": True, "avg_handle_s": 1, "missed": 0, "missed_in_row": 0,
                    "breaks": {"count": 0, "duration_s": 0}}}, "agents[0].today.calls_handled"),
        ({"quality": {"mos": 4.9, "loss_pct": 0, "jitter_ms": 0, "rtt_ms": 0, "at": T0,
                      "final": True}}, "agents[0].quality.mos"),
        ({"pending": {"state": "available", "reason": "", "by": {"id": "u", "name": "C"},
                      "note": "", "at": T0}}, "agents[0].pending.state"),
        ({"call": {"started_at": T0, "queue": "q", "direction": "sideways"}},
         "agents[0].call.direction"),
        ({"network": "good"}, "agents[0].network"),
    ],
)  # fmt: skip
def test_a_malformed_row_names_its_field(change: dict[str, Any], field: str) -> None:
    with pytest.raises(MalformedPayload) as info:
        parse_board(board(row(**change)))
    assert info.value.field == field
    assert info.value.route == "GET /teams/{id}/board"


@pytest.mark.parametrize(
    "missing", ["changed_by", "pending", "call", "today", "quality", "network"]
)
def test_every_declared_row_field_is_required(missing: str) -> None:
    bad = row()
    del bad[missing]
    with pytest.raises(MalformedPayload, match=f"agents\\[0\\].{missing}: missing"):
        parse_board(board(bad))


def test_agent_state_events_take_the_optional_fields_when_present() -> None:
    bare = parse_agent_state_event(
        {"agent_id": "a-1", "state": "break", "reason": "Café", "since": T0}
    )
    assert (bare.changed_by, bare.note, bare.call, bare.call_known) == (None, "", None, False)
    full = parse_agent_state_event(
        {"agent_id": "a-1", "state": "break", "reason": "Café", "since": T0,
         "changed_by": {"id": "u-9", "name": "Claire Martin"}, "note": "Pause", "call": None}
    )  # fmt: skip
    assert full.changed_by is not None
    assert full.changed_by.name == "Claire Martin"
    assert (full.note, full.call, full.call_known) == ("Pause", None, True)
    with pytest.raises(MalformedPayload, match=r"changed_by\.name: missing"):
        parse_agent_state_event(
            {
                "agent_id": "a",
                "state": "break",
                "reason": "",
                "since": T0,
                "changed_by": {"id": "u"},
            }
        )


def test_the_other_board_events_parse_and_refuse() -> None:
    today = row()["today"]
    assert parse_agent_figures({"agent_id": "a-1", "today": today}).today.calls_handled == 4
    q = parse_call_quality({"agent_id": "a-1", "mos": 3.0, "loss_pct": 2, "jitter_ms": 30,
                            "rtt_ms": 90, "at": T0, "final": True})  # fmt: skip
    assert q.quality.final is True
    assert q.quality.loss_pct == 2.0
    with pytest.raises(MalformedPayload, match="loss_pct: out of range"):
        parse_call_quality({"agent_id": "a-1", "mos": 3.0, "loss_pct": 101, "jitter_ms": 0,
                            "rtt_ms": 0, "at": T0, "final": True})  # fmt: skip
    assert parse_state_change_pending({"agent_id": "a-1", "pending": None}).pending is None
    with pytest.raises(MalformedPayload, match="pending: missing"):
        parse_state_change_pending({"agent_id": "a-1"})


def stats(**over: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "queue": "support", "label": "Support Fibre", "team_id": "t-1", "waiting": 2,
        "longest_wait_s": 40, "oldest_since": T0, "offered": 10, "answered": 7, "abandoned": 2,
        "timed_out": 0, "service_level_pct": 85.7, "sl_threshold_s": 20, "asa_s": 12.5,
        "day": "2026-12-01",
    }  # fmt: skip
    base.update(over)
    return base


def test_queue_stats_parse_with_their_nulls() -> None:
    s = parse_queue_stats(stats())
    assert (s.waiting, s.service_level_pct, s.asa_s, s.day) == (2, 85.7, 12.5, dt.date(2026, 12, 1))
    empty = parse_queue_stats(stats(oldest_since=None, service_level_pct=None, asa_s=None))
    assert (empty.oldest_since, empty.service_level_pct, empty.asa_s) == (None, None, None)
    with pytest.raises(MalformedPayload, match="service_level_pct: out of range"):
        parse_queue_stats(stats(service_level_pct=120))
    with pytest.raises(MalformedPayload, match="waiting: expected an integer, got float"):
        parse_queue_stats(stats(waiting=1.5))


def test_a_remote_state_answer_and_the_teams_parse() -> None:
    result = parse_remote_state(
        {"applied": False,
         "state": {"agent_id": "a-1", "state": "on_call", "reason": "", "since": T0},
         "pending": row()["pending"]}
    )  # fmt: skip
    assert result.applied is False
    assert result.pending is not None
    teams = parse_teams(
        [{"id": "t-1", "name": "A"}, {"id": "t-2", "name": "B", "pause_reasons": ["Café"]}]
    )
    assert teams[0].pause_reasons is None
    assert teams[1].pause_reasons == ("Café",)
    with pytest.raises(MalformedPayload, match=r"\[1\].name: missing"):
        parse_teams([{"id": "t-1", "name": "A"}, {"id": "t-2"}])
