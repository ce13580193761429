"""What the leads see of an agent's change: its current call, `agent_figures`, alerts.

Called in the transaction of the change (state change, logged call), so a lead's board
and alerts move with it or not at all. Cheap: the figures of one agent for today (three
indexed queries) only when a figure can have changed, one event per change.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from homeagent.core.agent_state import AgentState
from homeagent.server import alerts, call_supervision
from homeagent.server.days import missed_in_row
from homeagent.server.events import publish
from homeagent.server.models import AcdOffer, AgentStatus, Interaction, User, utcnow
from homeagent.server.routers.figures import Tally, tallies
from homeagent.server.state import CLOCK_SLACK, OFFER_BEFORE_CALL, RONA_REASON, iso
from homeagent.server.supervision_schemas import TodayOut

CALL_STATES = (AgentState.RINGING.value, AgentState.ON_CALL.value, AgentState.WRAP_UP.value)
LONGEST_CALL = timedelta(hours=12)  # how far back the call behind a call state is looked for
_REST = (AgentState.BREAK.value, AgentState.OFFLINE.value)
# leaving these changes a figure: wrap-up time, break count and time
_FIGURE_STATES = (AgentState.WRAP_UP.value, AgentState.BREAK.value)


def live_calls(session: Session, rows: Sequence[AgentStatus]) -> dict[str, dict[str, Any]]:
    """The current call of each agent in a call state: `{started_at, queue, direction}`.

    Two queries for any number of agents. The call is the ACD's latest offer to the agent
    (a queue call) or the call the desk logged (it logs one before its wrap-up); a direct
    or outbound call the desk has not logged yet shows its state's start and no direction.
    """
    busy = [r for r in rows if r.state in CALL_STATES]
    if not busy:
        return {}
    ids = [r.agent_id for r in busy]
    floor = min(r.since for r in busy) - LONGEST_CALL
    offers: dict[str, AcdOffer] = {}
    for o in session.scalars(
        select(AcdOffer)
        .where(AcdOffer.agent_id.in_(ids), AcdOffer.offered_at >= floor)
        .order_by(AcdOffer.id)
    ):
        offers[o.agent_id] = o  # the latest wins
    logged: dict[str, Interaction] = {}
    for i in session.scalars(
        select(Interaction)
        .where(
            Interaction.agent_id.in_(ids),
            Interaction.started_at >= floor,
            Interaction.answered_at.is_not(None),  # a missed call is not the one going on
        )
        .order_by(Interaction.started_at)
    ):
        logged[i.agent_id] = i
    out: dict[str, dict[str, Any]] = {}
    for row in busy:
        offer, call = offers.get(row.agent_id), logged.get(row.agent_id)
        started, queue, direction = row.since, "", None
        if row.state == AgentState.RINGING.value:
            direction = "inbound"
            if offer is not None and offer.outcome == "ringing":
                started, queue = offer.offered_at, offer.queue
        elif (
            offer is not None
            and offer.outcome == "answered"
            and not _newer(call, offer)
            and (
                row.state == AgentState.WRAP_UP.value
                or offer.offered_at >= row.since - OFFER_BEFORE_CALL
            )
        ):
            started, queue, direction = offer.offered_at, offer.queue, "inbound"
        elif call is not None:
            # on-call: the desk logs a call at its end, so only one still open is this one;
            # wrap-up: the call it logged just before (within the clocks' difference)
            ended = call.ended_at
            since = row.since if row.state == AgentState.ON_CALL.value else row.since - CLOCK_SLACK
            if ended is None or ended >= since:
                started, queue, direction = call.started_at, call.queue, call.direction
        out[row.agent_id] = {"started_at": started, "queue": queue, "direction": direction}
    return out


def _newer(call: Interaction | None, offer: AcdOffer) -> bool:
    """Whether the desk logged a call that began after the offer (so not the queue call)."""
    return call is not None and call.started_at > offer.offered_at + CLOCK_SLACK


def call_payload(session: Session, row: AgentStatus) -> dict[str, Any] | None:
    """`call` of an `agent_state` event (null outside ringing, on-call and wrap-up)."""
    call = live_calls(session, [row]).get(row.agent_id)
    if call is None:
        return None
    return {**call, "started_at": iso(call["started_at"])}


def today_out(tally: Tally) -> TodayOut:
    """The board's `today` from the agent's tally (the figures' own definitions)."""
    figures = tally.figures(utcnow().date())
    return TodayOut(
        calls_handled=figures.calls_handled,
        avg_handle_s=figures.avg_handle_s,
        missed=figures.missed,
        missed_in_row=missed_in_row(tally.calls).count,
        breaks=figures.breaks,
    )


def publish_figures(s: Session, agent_id: str, team_id: str | None, tally: Tally) -> None:
    """`agent_figures {agent_id, today}` to the team's leads."""
    if team_id is None:
        return
    body: dict[str, Any] = {
        "agent_id": agent_id,
        "today": today_out(tally).model_dump(mode="json"),
    }
    publish(s, "agent_figures", body, to_team_id=team_id, to_role="lead")


def after_state_change(s: Session, agent: User, before: str, row: AgentStatus) -> None:
    """After `change_state` moved the agent from `before` to `row.state`."""
    if before == AgentState.ON_CALL.value and row.state != AgentState.ON_CALL.value:
        # the customer call is over (wrap-up, available, offline…): so is listening to it
        call_supervision.end_open_of_agent(s, agent.id, "call_ended", row.changed_by_id or agent.id)
    if row.state in _REST:
        row.work_since = None
    elif row.work_since is None:
        row.work_since = row.since
    rona = row.state == AgentState.NOT_READY.value and row.reason == RONA_REASON
    tally = None
    if before in _FIGURE_STATES or rona:
        tally = tallies(s, [agent.id], utcnow().date())[agent.id]
        publish_figures(s, agent.id, agent.team_id, tally)
    alerts.check_agent(s, agent.id, runs=rona, tally=tally, now=row.since)


def after_call_logged(s: Session, agent_id: str, team_id: str | None) -> None:
    """After the desk logged a call (POST /interactions)."""
    tally = tallies(s, [agent_id], utcnow().date())[agent_id]
    publish_figures(s, agent_id, team_id, tally)
    alerts.check_agent(s, agent_id, runs=True, tally=tally)
