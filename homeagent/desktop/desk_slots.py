"""Wires the agent's "My slots" tab into a desk session (one call from `session.py`)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from homeagent.client.slots import slots_api
from homeagent.core import records
from homeagent.core.agent_state import AgentState
from homeagent.core.slots import Slot, SlotRefused
from homeagent.ui.desk.slots import SlotsController

if TYPE_CHECKING:
    from homeagent.client.events import StreamEvent
    from homeagent.desktop.session import AgentSession


def wire(session: AgentSession) -> SlotsController:
    """The slots controller of `session`: its team from /me (an agent's only: a lead or
    an admin books nothing, the tab goes), its changes from the event stream."""
    window = session.window
    notifier = session.controller.notifier

    def notify(title: str, text: str) -> None:
        if notifier is not None:
            notifier.notify(title, text)

    service = slots_api(session.device.client)

    def go_offline() -> None:
        session.model.set_presence(AgentState.OFFLINE)

    controller = SlotsController(
        tab=window.side.slots,
        banner=window.slot_banner,
        lanes=session.lanes,
        service=service if service is not None else _NO_SLOTS,
        snapshot=session.model.snapshot,
        go_offline=go_offline,
        notify=notify,
        parent=window,
    )

    def on_me(me: records.Me) -> None:
        side = window.side
        if me.user.role != "agent" or me.team is None or service is None:
            index = side.indexOf(side.slots)
            if index >= 0:
                side.removeTab(index)
            return
        controller.set_team(me.team.id)

    def on_event(event: StreamEvent) -> None:
        controller.on_stream_event(event.type, event.data)

    session.me_listeners.append(on_me)
    session.stream_listeners.append(on_event)
    return controller


class _NoSlots:
    """A server client without the slot routes: nothing to book (the tab is removed)."""

    def week(self, team_id: str, start: dt.datetime, end: dt.datetime) -> tuple[Slot, ...]:
        return ()

    def book(self, slot_id: int) -> Slot:
        raise SlotRefused("unavailable", "no slot routes")

    def cancel(self, slot_id: int) -> Slot:
        raise SlotRefused("unavailable", "no slot routes")


_NO_SLOTS = _NoSlots()
