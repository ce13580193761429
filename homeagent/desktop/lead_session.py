"""The team-lead console over an agent session: the same window, dispatcher and lanes.

Built only for a `team_lead` or an `admin` (an agent never gets it; the server refuses
them the routes anyway). Its REST calls run on a lane of their own. The session's
stream events reach the console's controller on the GUI thread, after the desk's own
handling (`AgentSession.stream_listeners`); a reconnect re-reads the board. A lead with
a SIP line switches Desk | Console in the top bar (Ctrl+L); a ringing call brings the
desk forward.

Other lead pages (messages, help requests, alerts, day, CSV — `homeagent/ui/lead/`'s
comms side) plug in as `pages` `(title, widget)`: one side tab each
(`console.add_page`/`show_page` later); they get the console's
`message_requested(agent_ids)` and `day_requested(agent_id)` intents, can flag agents on
the board (`board.set_alerted({agent_id: text})`) and subscribe to the same stream
through `AgentSession.stream_listeners`.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import cast

from PySide6.QtWidgets import QWidget

from homeagent.client.events import ConnectionState, StreamEvent
from homeagent.core import records
from homeagent.core.ports import LeadBoardApi
from homeagent.desktop.session import AgentSession
from homeagent.ui.lead.board_model import LeadBoardModel
from homeagent.ui.lead.console import LeadConsole
from homeagent.ui.lead.controller import LeadController
from homeagent.ui.lead.queues_panel import QueuesModel
from homeagent.ui.qt.tasks import TaskRunner

log = logging.getLogger(__name__)

LEAD_ROLES = frozenset({"team_lead", "admin"})


class LeadSession:
    """See the module docstring."""

    def __init__(
        self,
        *,
        session: AgentSession,
        api: LeadBoardApi,
        role: str,
        team_id: str | None,
        takes_calls: bool,
        pages: Sequence[tuple[str, QWidget]] = (),
    ) -> None:
        if role not in LEAD_ROLES:
            raise ValueError(f"a {role} has no console")
        self.session = session
        admin = role == "admin"
        self.board = LeadBoardModel()
        self.queues = QueuesModel()
        self.console = LeadConsole(self.board, self.queues, choose_team=admin, extra_pages=pages)
        # its own network lane: a slow board read never holds the desk's reads (and back)
        self.lane = TaskRunner(session.dispatcher, "lead")
        self.controller = LeadController(
            api=api,
            console=self.console,
            run=self.lane.run,
            team_id=team_id,
            choose_team=admin,
            parent=self.console,
        )
        session.window.install_console(self.console, takes_calls=takes_calls)
        session.stream_listeners.append(self._on_session_stream_event)
        session.connection_listeners.append(self._on_session_connection)
        session.me_listeners.append(self._on_session_me)

    def start(self) -> None:
        self.controller.start()

    def stop(self) -> None:
        """Before the session's own stop (its dispatcher outlives this)."""
        self.controller.stop()
        self.lane.close(wait=False)

    def _on_session_stream_event(self, event: StreamEvent) -> None:
        self.controller.handle_event(event.type, event.data, event.id)

    def _on_session_connection(self, state: ConnectionState) -> None:
        self.controller.connection_changed(state is ConnectionState.ONLINE)

    def _on_session_me(self, me: records.Me) -> None:
        if me.team is not None:
            self.controller.set_own_team(me.team.id, me.team.pause_reasons)


def lead_session_for(
    session: AgentSession, pages: Sequence[tuple[str, QWidget]] = ()
) -> LeadSession | None:
    """The console for a lead or an admin; None for an agent."""
    user = session.user_info
    role = str(user.get("role") or "agent")
    if role not in LEAD_ROLES:
        return None
    client = session.device.client
    if not hasattr(client, "read_board"):
        log.warning("this server client has no lead routes: no console")
        return None
    team = user.get("team_id")
    return LeadSession(
        session=session,
        api=cast(LeadBoardApi, client),
        role=role,
        team_id=str(team) if team else None,
        takes_calls=session.has_line,
        pages=pages,
    )
