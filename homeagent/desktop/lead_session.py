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

Call supervision (docs/supervision-contract.md, "Lead console"): the console's
`ConsoleSupervision` over the server client's supervision routes; its commands go to the
lead's own engine (`session.sink.submit`), the engine's `SupervisionChanged` reach it
through the session's dispatcher, the stream's `supervision_session` / `supervision_ended`
through the stream listeners; the desk's own call (ringing or connected) blocks a new
session, and one the lead answers ends the open one. Closing the app or signing out ends
an open session (`lead_stopped`) before the lanes close.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from typing import cast

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QWidget

from homeagent.client.events import ConnectionState, StreamEvent
from homeagent.client.slots import slots_api
from homeagent.core import records
from homeagent.core.desk_snapshot import DeskSnapshot
from homeagent.core.events import CallPhase, Event
from homeagent.core.ports import LeadBoardApi, LeadCommsApi
from homeagent.core.supervision import SupervisionApi
from homeagent.desktop.session import AgentSession
from homeagent.ui.lead.alerts import AlertsPanel
from homeagent.ui.lead.board_model import LeadBoardModel
from homeagent.ui.lead.console import LeadConsole
from homeagent.ui.lead.controller import LeadController
from homeagent.ui.lead.day_view import DayView
from homeagent.ui.lead.help_queue import HelpQueuePanel
from homeagent.ui.lead.messages import MessagesPanel
from homeagent.ui.lead.queues_panel import QueuesModel
from homeagent.ui.lead.slots_page import SlotsPage
from homeagent.ui.lead.supervision import ConsoleSupervision
from homeagent.ui.qt.tasks import TaskRunner

log = logging.getLogger(__name__)

LEAD_ROLES = records.LEAD_ROLES
SHUTDOWN_END_WAIT_S = 2.0  # closing: how long the session's end may hold the window
_CONNECTED = (CallPhase.CONNECTING, CallPhase.ACTIVE, CallPhase.HELD)


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
        comms: LeadCommsApi | None = None,
        me_id: str = "",
        supervision: SupervisionApi | None = None,
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
        self.board.modelReset.connect(self._on_board_reset)
        # messages, help requests, alerts and the day: the lead's own team's
        self.comms = LeadPages(self, comms, team_id, me_id) if comms and team_id else None
        self.supervision: ConsoleSupervision | None = None
        if supervision is not None:
            self.supervision = ConsoleSupervision(
                console=self.console,
                api=supervision,
                submit=session.sink.submit,
                run=self.lane.run,
                write_log=session.log.write,
                me_id=me_id,
                has_line=session.has_line,
                parent=self.console,
            )
            if self.comms is not None:
                self.supervision.add_help_panel(self.comms.help)
            session.dispatcher.event_delivered.connect(self._on_engine_event)
            session.model.subscribe(self._on_desk_snapshot)

    def start(self) -> None:
        self.session.log.write("console_shown", team_id=self.controller.team_id or "")
        self.controller.start()
        if self.comms is not None:
            self.comms.start()
        if self.supervision is not None:
            self.supervision.begin()

    def stop(self) -> None:
        """Before the session's own stop (its dispatcher and engine outlive this)."""
        if self.supervision is not None:
            self.session.dispatcher.event_delivered.disconnect(self._on_engine_event)
            self.session.model.unsubscribe(self._on_desk_snapshot)
            _run_bounded(self.supervision.shutdown(), SHUTDOWN_END_WAIT_S)
        self.controller.stop()
        self.lane.close(wait=False)

    def _on_engine_event(self, event: Event) -> None:
        if self.supervision is not None:
            self.supervision.engine_event(event)

    def _on_desk_snapshot(self, snap: DeskSnapshot) -> None:
        if self.supervision is not None:
            call = snap.call
            self.supervision.set_own_call(
                call is not None, connected=call is not None and call.phase in _CONNECTED
            )

    def _on_board_reset(self) -> None:
        self.session.log.write(
            "board_loaded", team_id=self.controller.team_id or "", agents=self.board.rowCount()
        )

    def _on_session_stream_event(self, event: StreamEvent) -> None:
        self.controller.handle_event(event.type, event.data, event.id)
        if self.supervision is not None:
            self.supervision.handle_event(event.type, event.data, event.id)
        if event.type == "agent_state" and isinstance(event.data, dict):
            row = self.board.row_of(str(event.data.get("agent_id")))
            if row is not None:  # what the board shows now (a stale event changes nothing)
                self.session.log.write(
                    "board_row", agent_id=row.agent_id, state=row.state.value, reason=row.reason
                )

    def _on_session_connection(self, state: ConnectionState) -> None:
        self.controller.connection_changed(state is ConnectionState.ONLINE)

    def _on_session_me(self, me: records.Me) -> None:
        if me.team is not None:
            self.controller.set_own_team(me.team.id, me.team.pause_reasons)


class LeadPages:
    """The console's side pages over one team: messages, help requests, alerts, the day.

    They share the console's lane, hear the session's stream events, and answer the
    board's intents (message these agents, open this agent's day); their open counts are
    in the tab titles and the open alerts mark the agents on the board.
    """

    def __init__(self, lead: LeadSession, api: LeadCommsApi, team_id: str, me_id: str) -> None:
        session, console, net = lead.session, lead.console, lead.lane
        self._lead = lead
        self.messages = MessagesPanel(api, net, team_id, me_id=me_id)
        self.help = HelpQueuePanel(api, net)
        self.alerts = AlertsPanel(api, net, team_id, notify=self._notify)
        self.day = DayView(api, net, session.lanes.disk, team_id)
        self._titles: dict[QWidget, str] = {
            self.messages: QCoreApplication.translate("LeadPages", "Messages"),
            self.help: QCoreApplication.translate("LeadPages", "Help requests"),
            self.alerts: QCoreApplication.translate("LeadPages", "Alerts"),
            self.day: QCoreApplication.translate("LeadPages", "Day"),
        }
        # shift slots and planned vs actual, when the client has the routes
        service = slots_api(session.device.client)
        self.slots = SlotsPage(service, net, team_id) if service is not None else None
        if self.slots is not None:
            self._titles[self.slots] = QCoreApplication.translate("LeadPages", "Slots")
        for widget, title in self._titles.items():
            console.add_page(title, widget)
        self.messages.unread_changed.connect(lambda n: self._count(self.messages, n))
        self.help.count_changed.connect(lambda n: self._count(self.help, n))
        self.alerts.open_count_changed.connect(self._on_alerts_changed)
        console.message_requested.connect(self._compose_to)
        console.day_requested.connect(self._show_day)
        self.help.reply_requested.connect(lambda agent_id: self._compose_to([agent_id]))
        lead.board.modelReset.connect(self._on_board_reset)
        session.stream_listeners.append(self._on_stream_event)
        session.connection_listeners.append(self._on_connection)
        self._offline = False

    def _notify(self, title: str, text: str) -> None:
        notifier = self._lead.session.controller.notifier
        if notifier is not None:
            notifier.notify(title, text)

    def start(self) -> None:
        for panel in (self.messages, self.help, self.alerts):
            panel.start()
        self.day.load()
        if self.slots is not None:
            self.slots.start()

    def _compose_to(self, agent_ids: list[str]) -> None:
        self.messages.compose_to(agent_ids)
        self._lead.console.show_page(self.messages)

    def _show_day(self, agent_id: str) -> None:
        self.day.show_agent(agent_id)
        self._lead.console.show_page(self.day)

    def _count(self, widget: QWidget, n: int) -> None:
        side = self._lead.console.side
        title = self._titles[widget]
        side.setTabText(side.indexOf(widget), f"{title} ({n})" if n else title)

    def _on_alerts_changed(self, n: int) -> None:
        self._count(self.alerts, n)
        self._lead.board.set_alerted(self.alerts.open_by_agent())

    def _on_board_reset(self) -> None:
        roster = [(row.agent_id, row.display_name or row.name) for row in self._lead.board.rows()]
        self.messages.set_agents(roster)
        self.day.set_agents(roster)
        self._lead.board.set_alerted(self.alerts.open_by_agent())

    def _on_stream_event(self, event: StreamEvent) -> None:
        self.day.apply_event(event.type, event.data)  # a listener: never owns the event
        if self.slots is not None:
            self.slots.apply_event(event.type, event.data)
        for panel in (self.messages, self.help, self.alerts):
            if panel.apply_event(event.type, event.data):
                self._log_shown(event)
                break

    def _log_shown(self, event: StreamEvent) -> None:
        """What the console now shows, in the app's event log (ids and counts only)."""
        data = event.data if isinstance(event.data, dict) else {}
        write = self._lead.session.log.write
        if event.type == "message_receipt":
            counts = self.messages.receipt_counts(int(data.get("message_id") or 0))
            if counts is not None:
                write("message_counts", message_id=data.get("message_id"),
                      recipients=counts.recipients, delivered=counts.delivered,
                      read=counts.read, acked=counts.acked)  # fmt: skip
        elif event.type in ("help_request", "help_request_updated"):
            write("help_request_shown", id=data.get("id"), agent_id=data.get("agent_id"),
                  status=data.get("status"))  # fmt: skip
        elif event.type in ("alert", "alert_updated"):
            write("alert_shown", id=data.get("id"), kind=data.get("kind"),
                  agent_id=data.get("agent_id"), open=data.get("cleared_at") is None)  # fmt: skip

    def _on_connection(self, state: ConnectionState) -> None:
        # the stream replays what was missed; a long outage may have lost the day's lists
        if state is ConnectionState.ONLINE and self._offline:
            self.start()
        self._offline = state is not ConnectionState.ONLINE


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
        comms=cast(LeadCommsApi, client),
        me_id=str(user.get("id") or ""),
        supervision=cast(SupervisionApi, client) if hasattr(client, "start_supervision") else None,
    )


def _run_bounded(job: Callable[[], object] | None, wait_s: float) -> None:
    """A last server call at shutdown: on its own thread (the lanes drop queued work), for
    at most `wait_s` (a server that does not answer must not hold the app open)."""
    if job is None:
        return

    def run() -> None:
        try:
            job()
        except Exception as exc:  # the server ends it anyway when the agent's leg goes
            log.warning("ending the supervision session at shutdown failed: %s", exc)

    worker = threading.Thread(target=run, name="homeagent-supervision-end", daemon=True)
    worker.start()
    worker.join(wait_s)
