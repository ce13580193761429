"""What the agent desk knows, and the news that does not come from the SIP engine.

`DeskBase` holds the desk's fields and turns them into a `DeskSnapshot` for its listeners;
it takes the server's news (the agent's name and team settings, the connection, a state
the server set, the lead's messages) and moves the agent's presence (`_move`: published to
the server, the engine told whether calls are accepted). `homeagent.core.desk_state.DeskState`
adds how engine events change it. GUI thread only.

A failing listener or event-log write is logged (``logging``) and the desk carries on.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable

from homeagent.core import commands as cmd
from homeagent.core.agent_state import AgentState, InvalidTransition, Presence
from homeagent.core.desk_ports import ContactDirectory, DeskSink
from homeagent.core.desk_snapshot import (
    CallView,
    CardView,
    DeskSnapshot,
    MissedCall,
    Notice,
    Screen,
    SupervisionView,
    WrapUpView,
)
from homeagent.core.desk_types import (
    Delivery,
    HelpView,
    InteractionRecord,
    Message,
    RemoteChange,
    ServerLink,
    TeamSettings,
)
from homeagent.core.eventlog import EventLog
from homeagent.core.events import CallPhase, CallQuality, RegistrationState
from homeagent.core.inbox import Inbox

Listener = Callable[[DeskSnapshot], None]
_pylog = logging.getLogger(__name__)


class DeskBase:
    """What one agent's desk knows; every change produces a new snapshot."""

    def __init__(
        self,
        *,
        directory: ContactDirectory,
        sink: DeskSink,
        log: EventLog,
        agent_name: str = "",
        team: TeamSettings | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._directory = directory
        self._sink = sink
        self._log = log
        self._clock = clock
        self._listeners: list[Listener] = []
        self.inbox = Inbox()
        self._presence = Presence(AgentState.OFFLINE, since_s=clock())
        self._before_ringing = self._presence
        self._last_break_reason = ""
        self._registration = RegistrationState.UNREGISTERED
        self._server = ServerLink.OFFLINE
        self._agent_name = agent_name
        self._team = team or TeamSettings()
        self._call: CallView | None = None
        self._consult: CallView | None = None
        self._pending_dial: str = ""  # "main" or "consult": the next new call id is ours
        self._pending_number: str = ""
        self._card: CardView | None = None
        self._wrap_up: WrapUpView | None = None
        self._call_notes = ""  # typed while talking; the wrap-up starts from them
        self._hung_up_here: int | None = None  # the call the agent hung up
        self._interaction: InteractionRecord | None = None
        self._last_delivery: Delivery | None = None
        self._notice = Notice.NONE
        self._missed: MissedCall | None = None  # the caller Notice.CALL_MISSED names
        self._painted: set[int] = set()
        self._declined: int | None = None  # the call the agent turned down
        # the team lead's news (homeagent.core.desk_lead)
        self._remote: RemoteChange | None = None  # the last state a lead set
        self._pending: RemoteChange | None = None  # a lead's change after this call
        self._help: HelpView | None = None
        self._help_server_id: int | None = None
        self._help_news: dict[int, tuple[str, str]] = {}  # server id -> (status, by)
        self._last_quality: CallQuality | None = None  # of the main call
        self._supervision: SupervisionView | None = None  # homeagent.core.desk_supervision

    # -- observation -------------------------------------------------------------------

    def subscribe(self, listener: Listener) -> None:
        """Call `listener` with every new snapshot (and once now)."""
        self._listeners.append(listener)
        listener(self.snapshot())

    def unsubscribe(self, listener: Listener) -> None:
        """Stop calling `listener` (its window is going away)."""
        if listener in self._listeners:
            self._listeners.remove(listener)

    def snapshot(self) -> DeskSnapshot:
        """The desk as it is now."""
        return DeskSnapshot(
            presence=self._presence,
            screen=self._screen(),
            registration=self._registration,
            server=self._server,
            agent_name=self._agent_name,
            team=self._team,
            card=self._card,
            call=self._call,
            consult=self._consult,
            wrap_up=self._wrap_up,
            unread=self.inbox.unread_count,
            banner=self.inbox.banner,
            last_delivery=self._last_delivery,
            notice=self._notice,
            available_after_break=self._last_break_reason,
            missed_call=self._missed if self._notice is Notice.CALL_MISSED else None,
            remote_change=self._remote_shown(),
            pending=self._pending if self._presence.state.is_automatic else None,
            help=self._help,
            new_message=self.inbox.latest_unread,
            supervision=self._supervision_shown(),
        )

    def _supervision_shown(self) -> SupervisionView | None:
        """The supervision indicator, beside the call its leg is mixed with only."""
        view, call = self._supervision, self._call
        if view is None or call is None or call.call_id != view.call_id:
            return None
        return view

    def _remote_shown(self) -> RemoteChange | None:
        """The lead's change, while the desk is in the state the lead set."""
        change, presence = self._remote, self._presence
        if change is None or change.state is not presence.state:
            return None
        if change.state is AgentState.BREAK and change.reason != presence.reason:
            return None
        return change

    def _screen(self) -> Screen:
        if self._call is not None and self._call.phase is CallPhase.RINGING:
            return Screen.RINGING
        if self._call is not None:
            return Screen.IN_CALL
        if self._wrap_up is not None:
            return Screen.WRAP_UP
        return Screen.IDLE

    def _changed(self) -> None:
        snap = self.snapshot()
        for listener in list(self._listeners):
            try:
                listener(snap)
            except Exception:  # one broken presenter must not hide the call from the others
                _pylog.exception("desk listener %r failed", listener)

    def _write(self, event: str, **fields: object) -> None:
        """Write to the event log; a failing log never stops the desk."""
        try:
            self._log.write(event, **fields)
        except Exception:
            _pylog.exception("event log write %r failed", event)

    # -- configuration and connections -------------------------------------------------

    def configure(self, *, agent_name: str, team: TeamSettings) -> None:
        """Apply the agent's name and team settings (from ``GET /me``)."""
        self._agent_name, self._team = agent_name, team
        self._sink.submit(cmd.SetAutoAnswer(team.auto_answer_s))
        # the engine refuses INVITEs (486) unless the agent is Available
        self._sink.submit(cmd.SetAvailable(self._presence.state.accepts_calls))
        self._changed()

    def set_server_link(self, link: ServerLink) -> None:
        """The server connection changed (the app keeps working offline)."""
        if link is not self._server:
            self._write("server_link", state=link.value)
            self._server = link
            self._changed()

    def server_set_state(self, state: AgentState, reason: str = "") -> None:
        """The server moved the agent (not ready after a missed call, a lead's change).

        Not published back: the server has it, and a PUT of it would make it the agent's
        own change (a lead's "changed by" would be lost)."""
        if state.is_automatic or state is self._presence.state:
            return
        if self._call is None and self._wrap_up is None:
            self._move(state, reason, publish=False)
            self._changed()
        elif self._call is not None and self._call.phase is CallPhase.RINGING:
            # e.g. RONA: set aside while the INVITE is still being cancelled; when the
            # ringing ends the agent stays where the server put them.
            self._before_ringing = Presence(state, reason, self._clock())

    def add_message(self, message: Message) -> None:
        """A team-lead message arrived (replays are ignored)."""
        if self.inbox.add(message):
            self._write("message_received", message_id=message.id, priority=message.priority.value)
            self._changed()

    def read_message(self, message_id: str) -> None:
        """The agent opened or acknowledged a message: send a read receipt once."""
        if self.inbox.mark_read(message_id):
            self._sink.mark_message_read(message_id)
            self._write("message_read", message_id=message_id)
            self._changed()

    # -- presence ----------------------------------------------------------------------

    def _now(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self._clock(), dt.UTC)

    def _move(self, state: AgentState, reason: str = "", *, publish: bool = True) -> None:
        """Change presence; reality wins over the state machine (a call that rings rings).

        `publish`: tell the server (False: the server itself moved the agent)."""
        before = self._presence
        try:
            after = before.to(state, reason=reason, at_s=self._clock())
        except InvalidTransition:
            after = Presence(state, reason, self._clock())
            self._write("state_forced", previous=before.state.value, state=state.value)
        if after is before:
            return
        self._presence = after
        if state is AgentState.BREAK:
            self._last_break_reason = reason
        if not state.is_automatic:
            self._pending = None  # the call is over: the server applied it (or it waits)
        if publish:
            try:  # queued work; a failing sink must not leave the desk half-moved
                self._sink.publish_state(after)
            except Exception:
                _pylog.exception("publishing the agent state failed")
        if state.accepts_calls is not before.state.accepts_calls:
            self._sink.submit(cmd.SetAvailable(state.accepts_calls))
        self._write("agent_state", state=state.value, reason=reason, previous=before.state.value)
