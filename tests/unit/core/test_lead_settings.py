"""The team's board settings: they round-trip through the wire, out-of-contract values are
refused, and the dialog's check wants amber before red."""

from __future__ import annotations

import copy

import pytest

from homeagent.core.lead_settings import (
    DEFAULT_SETTINGS,
    parse_team_settings,
    parse_team_settings_event,
    validate_settings,
)
from homeagent.core.payload import MalformedPayload


def test_settings_round_trip_through_the_wire() -> None:
    wire = DEFAULT_SETTINGS.to_wire()
    assert wire["thresholds"]["mos"] == {"warn": 3.6, "alarm": 3.1}
    assert parse_team_settings(wire) == DEFAULT_SETTINGS
    off = copy.deepcopy(wire)
    off["alerts"]["no_break_s"] = None
    assert parse_team_settings(off).alerts.no_break_s is None
    event = parse_team_settings_event({**wire, "team_id": "t-1"})
    assert event.team_id == "t-1"
    assert event.settings == DEFAULT_SETTINGS


@pytest.mark.parametrize(
    ("path", "value", "problem"),
    [
        (("thresholds", "call_s", "warn"), 90000, "out of range"),
        (("thresholds", "mos", "alarm"), 0.5, "out of range"),
        (("alerts", "mos_under"), 5, "out of range"),
        (("break_allowance_s",), -1, "out of range"),
        (("thresholds", "missed", "warn"), "2", "expected an integer"),
    ],
)
def test_settings_out_of_the_contract_are_refused(
    path: tuple[str, ...], value: object, problem: str
) -> None:
    wire = copy.deepcopy(DEFAULT_SETTINGS.to_wire())
    target = wire
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    with pytest.raises(MalformedPayload, match=problem):
        parse_team_settings(wire)


def test_validate_settings_wants_amber_before_red() -> None:
    assert validate_settings(DEFAULT_SETTINGS) == []
    from dataclasses import replace

    from homeagent.core.lead_settings import Threshold

    t = DEFAULT_SETTINGS.thresholds
    bad = replace(
        DEFAULT_SETTINGS, thresholds=replace(t, call_s=Threshold(900, 600), mos=Threshold(3.0, 3.5))
    )
    assert validate_settings(bad) == ["call_s", "mos"]
