"""Team settings validation: every key, ranges, ordering, unknown keys refused."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from pydantic import ValidationError

from homeagent.server.supervision_schemas import TeamSettingsBody
from homeagent.server.team_settings import DEFAULTS, _parse, defaults


def body(**changes: Any) -> dict[str, Any]:
    out = copy.deepcopy(DEFAULTS)
    for path, value in changes.items():
        node = out
        *parents, last = path.split("__")
        for p in parents:
            node = node[p]
        node[last] = value
    return out


def test_the_defaults_are_valid_and_round_trip() -> None:
    assert defaults().model_dump() == DEFAULTS


@pytest.mark.parametrize(
    "changes",
    [
        {"break_allowance_s": -1},
        {"break_allowance_s": 86401},
        {"thresholds__call_s__warn": 90000},
        {"thresholds__mos__warn": 4.6},
        {"thresholds__mos__alarm": 0.9},
        {"alerts__mos_under": 5},
        {"alerts__no_break_s": 86401},
        {"alerts__missed_in_row": 0},
        {"thresholds__call_s__warn": 1000},  # above alarm 900
        {"thresholds__mos__warn": 3.0},  # below alarm 3.1: lower is worse
        {"surprise": 1},
        {"alerts__surprise": 1},
        {"thresholds__call_s__amber": 1},
    ],
)
def test_bad_settings_are_refused(changes: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        TeamSettingsBody.model_validate(body(**changes))


def test_a_missing_key_is_refused_but_long_calls_may_be_left_out() -> None:
    missing = body()
    del missing["thresholds"]["missed"]
    with pytest.raises(ValidationError):
        TeamSettingsBody.model_validate(missing)
    lean = body()
    del lean["alerts"]["long_calls_in_row"]
    assert TeamSettingsBody.model_validate(lean).alerts.long_calls_in_row is None


def test_null_turns_an_alert_off() -> None:
    parsed = TeamSettingsBody.model_validate(body(alerts__break_over_s=None))
    assert parsed.alerts.break_over_s is None


def test_a_stored_row_without_a_newer_key_gets_its_default() -> None:
    old = body()
    del old["alerts"]["long_calls_in_row"]
    assert _parse(old).alerts.long_calls_in_row is None
