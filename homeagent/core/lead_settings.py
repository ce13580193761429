"""The team's board settings (GET/PUT /teams/{id}/settings, docs/lead-contract.md): the
thresholds that colour the lead's board and the alerts the server raises, their strict
parsers (the answer and the `team_settings` stream event), the PUT body (`to_wire`), the
contract's defaults (`DEFAULT_SETTINGS`) and the range check the settings dialog runs
before a PUT (`validate_settings`).

Parsed by the rules of `homeagent.core.lead_records`, whose number readers it shares.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from homeagent.core.lead_records import (
    MOS_RANGE,
    read_integer_or_none,
    read_number,
    read_number_or_none,
)
from homeagent.core.payload import MAX_DAY_SECONDS, Fields


@dataclass(frozen=True, slots=True)
class Threshold:
    """Amber at `warn`, red at `alarm` (for MOS, lower is worse: warn > alarm)."""

    warn: float
    alarm: float


THRESHOLD_NAMES = (
    "time_in_break_s",
    "call_s",
    "wrap_up_over_s",
    "avg_handle_s",
    "missed",
    "mos",
)
ALERT_NAMES = (
    "break_over_s",
    "call_over_s",
    "wrap_up_over_s",
    "missed_in_row",
    "no_break_s",
    "mos_under",
    "help_waiting_s",
)
_MOS_KEYS = frozenset({"mos", "mos_under"})


@dataclass(frozen=True, slots=True)
class Thresholds:
    time_in_break_s: Threshold
    call_s: Threshold
    wrap_up_over_s: Threshold  # beyond the team's wrap_up_s
    avg_handle_s: Threshold
    missed: Threshold
    mos: Threshold  # lower is worse


@dataclass(frozen=True, slots=True)
class AlertSettings:
    """Each alert's threshold; None = that alert is off."""

    break_over_s: int | None
    call_over_s: int | None
    wrap_up_over_s: int | None
    missed_in_row: int | None
    no_break_s: int | None
    mos_under: float | None
    help_waiting_s: int | None


@dataclass(frozen=True, slots=True)
class TeamBoardSettings:
    """GET/PUT /teams/{id}/settings: the board's colours and the team's alerts."""

    break_allowance_s: int
    thresholds: Thresholds
    alerts: AlertSettings

    def to_wire(self) -> dict[str, Any]:
        """The PUT body (the same shape as the answer)."""

        def num(name: str, value: float) -> float | int:
            return float(value) if name in _MOS_KEYS else int(value)

        thresholds = {
            name: {
                "warn": num(name, getattr(self.thresholds, name).warn),
                "alarm": num(name, getattr(self.thresholds, name).alarm),
            }
            for name in THRESHOLD_NAMES
        }
        alerts = {
            name: None if (v := getattr(self.alerts, name)) is None else num(name, v)
            for name in ALERT_NAMES
        }
        return {
            "break_allowance_s": self.break_allowance_s,
            "thresholds": thresholds,
            "alerts": alerts,
        }


DEFAULT_SETTINGS = TeamBoardSettings(
    break_allowance_s=2700,
    thresholds=Thresholds(
        time_in_break_s=Threshold(600, 900),
        call_s=Threshold(600, 900),
        wrap_up_over_s=Threshold(30, 60),
        avg_handle_s=Threshold(360, 480),
        missed=Threshold(2, 4),
        mos=Threshold(3.6, 3.1),
    ),
    alerts=AlertSettings(900, 900, 60, 3, 10800, 3.1, 60),
)  # the contract's example: what the board uses until the server's settings are read


def _threshold(f: Fields, mos: bool) -> Threshold:
    if mos:
        return Threshold(
            warn=read_number(f, "warn", *MOS_RANGE), alarm=read_number(f, "alarm", *MOS_RANGE)
        )
    return Threshold(
        warn=f.integer("warn", 0, MAX_DAY_SECONDS), alarm=f.integer("alarm", 0, MAX_DAY_SECONDS)
    )


def _settings(f: Fields) -> TeamBoardSettings:
    t = f.child("thresholds")
    a = f.child("alerts")
    thresholds = {name: _threshold(t.child(name), name == "mos") for name in THRESHOLD_NAMES}
    alerts: dict[str, float | int | None] = {}
    for name in ALERT_NAMES:
        if name in _MOS_KEYS:
            alerts[name] = read_number_or_none(a, name, *MOS_RANGE)
        else:
            alerts[name] = read_integer_or_none(a, name, 0, MAX_DAY_SECONDS)
    return TeamBoardSettings(
        break_allowance_s=f.integer("break_allowance_s", 0, MAX_DAY_SECONDS),
        thresholds=Thresholds(**thresholds),
        alerts=AlertSettings(**alerts),  # type: ignore[arg-type]
    )


def parse_team_settings(
    obj: object, *, route: str = "GET /teams/{id}/settings"
) -> TeamBoardSettings:
    return _settings(Fields(route, obj, ""))


@dataclass(frozen=True, slots=True)
class TeamSettingsEvent:
    team_id: str
    settings: TeamBoardSettings


def parse_team_settings_event(
    obj: object, *, route: str = "event team_settings"
) -> TeamSettingsEvent:
    f = Fields(route, obj, "")
    return TeamSettingsEvent(team_id=f.text("team_id"), settings=_settings(f))


def validate_settings(settings: TeamBoardSettings) -> list[str]:
    """What the server would refuse (ranges), as the setting names; [] when valid.

    The dialog uses it before a PUT so a lead sees the problem at once; it also checks
    that each threshold turns amber before red (warn before alarm)."""
    problems: list[str] = []
    if not 0 <= settings.break_allowance_s <= MAX_DAY_SECONDS:
        problems.append("break_allowance_s")
    for name in THRESHOLD_NAMES:
        t: Threshold = getattr(settings.thresholds, name)
        low, high = MOS_RANGE if name == "mos" else (0, MAX_DAY_SECONDS)
        in_range = low <= t.warn <= high and low <= t.alarm <= high
        amber_first = t.warn >= t.alarm if name == "mos" else t.warn <= t.alarm
        if not (in_range and amber_first):
            problems.append(name)
    for name in ALERT_NAMES:
        v = getattr(settings.alerts, name)
        low, high = MOS_RANGE if name in _MOS_KEYS else (0, MAX_DAY_SECONDS)
        if v is not None and not low <= v <= high:
            problems.append(name)
    return problems
