"""A team's board thresholds and alert settings: declared once, with their defaults."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from homeagent.server.supervision_models import TeamSettings
from homeagent.server.supervision_schemas import TeamSettingsBody

# What a team has until its lead saves settings (docs/lead-contract.md, "Team settings").
DEFAULTS: dict[str, Any] = {
    "break_allowance_s": 2700,
    "thresholds": {
        "time_in_break_s": {"warn": 600, "alarm": 900},
        "call_s": {"warn": 600, "alarm": 900},
        "wrap_up_over_s": {"warn": 30, "alarm": 60},
        "avg_handle_s": {"warn": 360, "alarm": 480},
        "missed": {"warn": 2, "alarm": 4},
        "mos": {"warn": 3.6, "alarm": 3.1},
    },
    "alerts": {
        "break_over_s": 900,
        "call_over_s": 900,
        "wrap_up_over_s": 60,
        "missed_in_row": 3,
        "no_break_s": 10800,
        "mos_under": 3.1,
        "help_waiting_s": 60,
        "long_calls_in_row": None,
    },
}


def defaults() -> TeamSettingsBody:
    return TeamSettingsBody.model_validate(DEFAULTS)


def load(s: Session, team_id: str) -> TeamSettingsBody:
    """The team's settings (its saved row, else the defaults)."""
    row = s.get(TeamSettings, team_id)
    return _parse(row.data) if row is not None else defaults()


def load_many(s: Session, team_ids: set[str]) -> dict[str, TeamSettingsBody]:
    """Settings of several teams in one query (teams without a row get the defaults)."""
    saved = {
        r.team_id: _parse(r.data)
        for r in s.scalars(select(TeamSettings).where(TeamSettings.team_id.in_(team_ids)))
    }
    base = defaults()
    return {t: saved.get(t, base) for t in team_ids}


def _parse(data: dict[str, Any]) -> TeamSettingsBody:
    # Stored rows were validated on the way in; a key added since gets its default.
    merged = {**DEFAULTS, **data}
    merged["alerts"] = {**DEFAULTS["alerts"], **data.get("alerts", {})}
    return TeamSettingsBody.model_validate(merged)
