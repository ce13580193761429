"""The console's side of live call supervision ("double écoute"): the supervision bar
above the board, the words, the headset mark, and the glue between the board's actions,
the help queue, the stream, the lead's engine and `core.lead_supervision`.

The bar is never a modal: "Écoute de Hélène David — connexion…", then "Écoute de Hélène
David · 00:42 · MOS 4.3" with the mode switch (Écouter | Chuchoter | Intervenir, one
exclusive group) and Arrêter; after an end it says why for a few seconds, then clears.
The board marks every supervised agent (a headset and "Écoute : Claire M."), whoever the
lead, so two leads do not collide.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QToolButton,
    QWidget,
)

from homeagent.core.agent_state import AgentState
from homeagent.core.commands import Command
from homeagent.core.events import SupervisionChanged, SupervisionRefused
from homeagent.core.lead_records import BoardRow
from homeagent.core.lead_supervision import (
    TIMEOUT_REASON,
    Blocked,
    LeadSupervision,
    Notice,
    Phase,
    Runner,
    SupervisedAgents,
    SupervisionView,
)
from homeagent.core.supervision import (
    MODES,
    MalformedPayload,
    SessionRecord,
    SupervisionApi,
    parse_ended,
    parse_session,
)
from homeagent.core.timefmt import format_duration
from homeagent.ui.lead.board_text import COL_AGENT
from homeagent.ui.lead.headset import headset_icon
from homeagent.ui.lead.help_queue import HelpQueuePanel

if TYPE_CHECKING:
    from homeagent.ui.lead.console import LeadConsole

log = logging.getLogger(__name__)

SUPERVISION_EVENTS = ("supervision_session", "supervision_ended")


# -- words ----------------------------------------------------------------------------------


def mode_action_text(mode: str) -> str:
    """The button's verb: Écouter / Chuchoter / Intervenir."""
    return {
        "listen": QCoreApplication.translate("Supervision", "Listen"),
        "whisper": QCoreApplication.translate("Supervision", "Whisper"),
        "barge": QCoreApplication.translate("Supervision", "Barge in"),
    }.get(mode, mode)


def mode_help(mode: str) -> str:
    """Who hears whom, in one sentence (the mode buttons' tooltips)."""
    return {
        "listen": QCoreApplication.translate(
            "Supervision", "You hear the customer and the agent; nobody hears you."
        ),
        "whisper": QCoreApplication.translate(
            "Supervision", "You hear both; only the agent hears you (coaching)."
        ),
        "barge": QCoreApplication.translate(
            "Supervision", "You hear both, and the agent and the customer hear you."
        ),
    }.get(mode, "")


def session_title(mode: str, agent: str) -> str:
    """ "Écoute de Hélène David" (the bar)."""
    text = {
        "listen": QCoreApplication.translate("Supervision", "Listening to {agent}"),
        "whisper": QCoreApplication.translate("Supervision", "Whispering to {agent}"),
        "barge": QCoreApplication.translate("Supervision", "Barging in on {agent}"),
    }.get(mode, QCoreApplication.translate("Supervision", "Listening to {agent}"))
    return text.format(agent=agent)


def board_mark(mode: str, lead: str) -> str:
    """ "Écoute : Claire M." (the board row of a supervised agent; the desk's words)."""
    text = {
        "listen": QCoreApplication.translate("Supervision", "Listening: {lead}"),
        "whisper": QCoreApplication.translate("Supervision", "Whispering: {lead}"),
        "barge": QCoreApplication.translate("Supervision", "Barging in: {lead}"),
    }.get(mode, QCoreApplication.translate("Supervision", "Listening: {lead}"))
    return text.format(lead=lead)


def end_text(reason: str) -> str:
    """Why a session ended, in two or three words."""
    return {
        "call_ended": QCoreApplication.translate("Supervision", "Call ended"),
        "transferred": QCoreApplication.translate("Supervision", "Transferred"),
        "lead_lost": QCoreApplication.translate("Supervision", "Connection lost"),
        "server_lost": QCoreApplication.translate("Supervision", "Connection lost"),
        "failed": QCoreApplication.translate("Supervision", "Connection lost"),
        "refused": QCoreApplication.translate("Supervision", "Refused"),
        "lead_stopped": QCoreApplication.translate("Supervision", "Stopped"),
        "not_in_call": QCoreApplication.translate(
            "Supervision", "The agent is no longer in a call"
        ),
        "agent_signed_out": QCoreApplication.translate("Supervision", "The agent signed out"),
        TIMEOUT_REASON: QCoreApplication.translate("Supervision", "No audio within 10 s: stopped"),
    }.get(reason, QCoreApplication.translate("Supervision", "Ended"))


def refusal_text(notice: Notice) -> str:
    """The server's refusal of a POST, as a short sentence."""
    agent, code = notice.agent_name, notice.code
    if code == "already_supervised":
        if notice.by:
            text = QCoreApplication.translate(
                "Supervision", "{lead} is already listening to {agent}."
            )
            return text.format(lead=notice.by, agent=agent)
        return QCoreApplication.translate(
            "Supervision", "Another lead is already listening to {agent}."
        ).format(agent=agent)
    known = {
        "not_in_call": QCoreApplication.translate("Supervision", "{agent} is no longer in a call."),
        "lead_busy": QCoreApplication.translate(
            "Supervision", "You are already supervising another call."
        ),
        "supervision_off": QCoreApplication.translate(
            "Supervision", "Call supervision is turned off by your organisation."
        ),
        "forbidden": QCoreApplication.translate("Supervision", "You may not supervise {agent}."),
        "not_found": QCoreApplication.translate("Supervision", "{agent} is unknown to the server."),
        "unreachable": QCoreApplication.translate(
            "Supervision", "The server cannot be reached: nothing was started."
        ),
    }
    if code in known:
        return known[code].format(agent=agent)
    return QCoreApplication.translate("Supervision", "Not started: {why}").format(
        why=notice.detail or code
    )


def notice_text(notice: Notice, mode: str) -> str:
    if notice.kind == "refused":
        return refusal_text(notice)
    if notice.kind == "mode_failed":
        return QCoreApplication.translate("Supervision", "The mode was not changed: {why}").format(
            why=notice.detail or notice.code
        )
    return QCoreApplication.translate("Supervision", "{title}: {why}").format(
        title=session_title(mode, notice.agent_name), why=end_text(notice.code)
    )


def quality_text(row: BoardRow | None) -> str:
    """The agent's current call quality: "MOS 4.3 · loss 0.2 % · jitter 6 ms"."""
    q = row.quality if row is not None else None
    if q is None:
        return QCoreApplication.translate("Supervision", "call quality not known yet")
    return QCoreApplication.translate(
        "Supervision", "MOS {mos} · loss {loss} % · jitter {jitter} ms"
    ).format(mos=f"{q.mos:.1f}", loss=f"{q.loss_pct:.1f}", jitter=f"{q.jitter_ms:.0f}")


def blocked_text(why: Blocked, row: BoardRow | None, by: SessionRecord | None) -> str:
    agent = row.label if row is not None else ""
    if why is Blocked.NO_LINE:
        return QCoreApplication.translate(
            "Supervision", "You have no phone line: call supervision needs one."
        )
    if why is Blocked.OWN_CALL:
        return QCoreApplication.translate("Supervision", "In a call")
    if why is Blocked.BUSY:
        return QCoreApplication.translate(
            "Supervision", "You are already supervising a call (stop it first: Ctrl+Shift+X)."
        )
    if why is Blocked.SUPERVISED and by is not None:
        return QCoreApplication.translate(
            "Supervision", "{lead} is already listening to {agent}."
        ).format(lead=by.lead_name, agent=agent)
    return QCoreApplication.translate("Supervision", "{agent} is not in a call.").format(
        agent=agent
    )


# -- the bar ---------------------------------------------------------------------------------


class SupervisionBar(QFrame):
    """The bar above the board (hidden while there is nothing to say)."""

    mode_requested = Signal(str)  # payload: listen | whisper | barge
    stop_requested = Signal()  # payload: none

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("SupervisionBar")
        self.setProperty("kind", "active")
        self.icon = QLabel(self)
        self.icon.setPixmap(headset_icon(20).pixmap(20, 20))
        self.text = QLabel(self)
        self.text.setObjectName("SupervisionText")
        self.text.setTextFormat(Qt.TextFormat.PlainText)
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        self.modes: dict[str, QToolButton] = {}
        box = QHBoxLayout(self)
        box.setContentsMargins(8, 4, 8, 4)
        box.setSpacing(6)
        box.addWidget(self.icon)
        box.addWidget(self.text, 1)
        for mode in MODES:
            button = QToolButton(self)
            button.setObjectName("SupervisionMode")
            button.setText(mode_action_text(mode))
            button.setCheckable(True)
            button.setToolTip(mode_help(mode))
            button.setAccessibleName(mode_action_text(mode))
            button.setAccessibleDescription(mode_help(mode))
            button.clicked.connect(lambda _=False, m=mode: self._on_mode_clicked(m))
            self.group.addButton(button)
            self.modes[mode] = button
            box.addWidget(button)
        self.stop = QPushButton(QCoreApplication.translate("Supervision", "Stop"), self)
        self.stop.setObjectName("SupervisionStop")
        self.stop.setToolTip(
            QCoreApplication.translate("Supervision", "Stop supervising (Ctrl+Shift+X)")
        )
        self.stop.setAccessibleName(QCoreApplication.translate("Supervision", "Stop supervising"))
        self.stop.clicked.connect(self.stop_requested)
        box.addWidget(self.stop)
        self.setAccessibleName(QCoreApplication.translate("Supervision", "Call supervision"))
        self.setVisible(False)
        self._mode = "listen"

    def show_view(self, view: SupervisionView, row: BoardRow | None, now: float) -> None:
        """Show the session (or what ended it) as it stands at monotonic `now`."""
        notice = view.notice
        if not view.active and notice is None:
            self.setVisible(False)
            return
        self._mode = view.mode
        title = session_title(view.mode, view.agent_name)
        if not view.active and notice is not None:
            text = notice_text(notice, view.mode)
            kind = "ended"
        elif view.phase is Phase.CONNECTED:
            parts = [title, format_duration(view.elapsed_s(now))]
            if row is not None and row.quality is not None:
                parts.append(f"MOS {row.quality.mos:.1f}")
            text = " · ".join(parts)
            if view.switching_to:
                text += " · " + QCoreApplication.translate(
                    "Supervision", "switching to “{mode}”…"
                ).format(mode=mode_action_text(view.switching_to))
            kind = "active"
        else:
            text = QCoreApplication.translate(
                "Supervision", "{title} — connecting… ({quality})"
            ).format(title=title, quality=quality_text(row))
            kind = "active"
        if view.active and notice is not None:  # a refused mode change: the session goes on
            text += " — " + notice_text(notice, view.mode)
        self.text.setText(text)
        self.text.setToolTip(quality_text(row) if view.active else "")
        self.setAccessibleDescription(text)
        if self.property("kind") != kind:
            self.setProperty("kind", kind)
            self.style().unpolish(self)
            self.style().polish(self)
        can_switch = view.phase in (Phase.CONNECTING, Phase.CONNECTED) and not view.switching_to
        for mode, button in self.modes.items():
            button.setVisible(view.active)
            button.setEnabled(can_switch)
            button.setChecked(mode == view.mode)
        self.stop.setVisible(view.active)
        self.setVisible(True)

    def _on_mode_clicked(self, mode: str) -> None:
        # the checked button follows the server's answer, not the click
        self.modes[self._mode].setChecked(True)
        self.mode_requested.emit(mode)


# -- the glue ------------------------------------------------------------------------------------


Gate = Callable[[str, str], tuple[bool, str]]  # (agent id, mode) -> (enabled, tooltip)


class ConsoleSupervision(QObject):
    """Supervision in one console: the state machine, the team's sessions, the bar, the
    row actions and the help queue's buttons. Everything on the GUI thread; the server
    calls on `run` (the console's lane)."""

    changed = Signal()  # payload: none (what the actions allow may have changed)

    def __init__(
        self,
        *,
        console: LeadConsole,
        api: SupervisionApi,
        submit: Callable[[Command], None],
        run: Runner,
        write_log: Callable[..., None] = lambda event, **fields: None,
        me_id: str = "",
        has_line: bool = True,
        clock: Callable[[], float] = time.monotonic,
        tick_ms: int = 1000,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.console = console
        self._api = api
        self._run = run
        self._clock = clock
        self._write_log = write_log
        self.sessions = SupervisedAgents()
        self.bar: SupervisionBar = console.supervision_bar
        self.core = LeadSupervision(
            api=api,
            submit=submit,
            run=run,
            write_log=write_log,
            on_change=self._on_core_change,
            clock=clock,
            me_id=me_id,
            has_line=has_line,
        )
        actions = console.row_actions
        actions.set_supervision_gate(self.gate)
        actions.supervise_requested.connect(self.start)
        actions.stop_supervision_requested.connect(self.core.stop)
        self.bar.mode_requested.connect(self.core.set_mode)
        self.bar.stop_requested.connect(self.core.stop)
        console.board.row_updated.connect(self._on_board_row_updated)
        console.board.board_loaded.connect(self._on_board_loaded)
        self._help: list[HelpQueuePanel] = []
        self.timer = QTimer(self)
        self.timer.setInterval(tick_ms)
        self.timer.timeout.connect(self.tick)

    def start(self, agent_id: str = "", mode: str = "listen") -> bool:
        """Start a session on an agent (an action's intent); on the agent the lead is
        supervising already, switch its mode (the same keys, the same buttons)."""
        if self._mine(agent_id):
            return self.core.set_mode(mode)
        row = self.console.board.row_of(agent_id)
        ok, why = self.gate(agent_id, mode)
        if row is None or not ok:
            if why:
                self.console.show_status(why)
            return False
        return self.core.start(agent_id, row.label, mode)

    def begin(self) -> None:
        self.timer.start()

    def shutdown(self) -> Callable[[], object] | None:
        self.timer.stop()
        return self.core.shutdown()

    def add_help_panel(self, panel: HelpQueuePanel) -> None:
        """The help queue's Écouter / Chuchoter / Intervenir for the requesting agent."""
        panel.set_supervision_gate(self.gate)
        panel.supervise_requested.connect(self.start)
        self._help.append(panel)

    # -- what may be done ----------------------------------------------------------------------

    def gate(self, agent_id: str, mode: str) -> tuple[bool, str]:
        """(enabled, tooltip) of the `mode` action on one agent."""
        row = self.console.board.row_of(agent_id)
        if self._mine(agent_id):
            view = self.core.view
            current = view.switching_to or view.mode
            return mode != current, QCoreApplication.translate(
                "Supervision", "Switch this session to {mode}"
            ).format(mode=mode_action_text(mode))
        by = self.sessions.of(agent_id)
        why = self.core.blocked(
            on_call=row is not None and row.state is AgentState.ON_CALL, supervised_by=by
        )
        if why is not None:
            return False, blocked_text(why, row, by)
        agent = row.label if row is not None else agent_id
        action = {
            "listen": QCoreApplication.translate("Supervision", "Listen to {agent}'s call"),
            "whisper": QCoreApplication.translate(
                "Supervision", "Whisper to {agent} (only the agent hears you)"
            ),
            "barge": QCoreApplication.translate(
                "Supervision", "Barge in on {agent}'s call (the customer hears you)"
            ),
        }.get(mode, QCoreApplication.translate("Supervision", "Listen to {agent}'s call"))
        return True, f"{action.format(agent=agent)} — {quality_text(row)}"

    def _mine(self, agent_id: str) -> bool:
        """Whether the lead's own open session is on `agent_id`."""
        view = self.core.view
        return (
            bool(agent_id)
            and view.agent_id == agent_id
            and view.phase
            in (
                Phase.CONNECTING,
                Phase.CONNECTED,
            )
        )

    def set_own_call(self, in_call: bool, *, connected: bool = False) -> None:
        """The lead's own desk has a call: nothing new starts; an open session ends when
        the lead's own call connects (their headset is for their customer now)."""
        self.core.set_own_call(in_call)
        if connected and self.core.view.active:
            self.core.stop()

    # -- inputs ------------------------------------------------------------------------------------

    def engine_event(self, event: object) -> bool:
        """The lead's engine: a leg moved, or an INVITE with the header was turned away."""
        if isinstance(event, SupervisionRefused):  # a forged, replayed or late token
            self._write_log("supervision_refused", reason=event.reason)
            return False
        if not isinstance(event, SupervisionChanged):
            return False
        return self.core.engine_event(event)

    def handle_event(self, event_type: str, data: object, event_id: int = 0) -> bool:
        """`supervision_session` / `supervision_ended` from the stream."""
        if event_type not in SUPERVISION_EVENTS:
            return False
        route = f"event {event_id} ({event_type})"
        try:
            if event_type == "supervision_ended":
                ended = parse_ended(data, route=route)
                self._marks(self.sessions.drop(ended.id))
                return self.core.stream_ended(ended.id, ended.reason)
            record = parse_session(data, route=route)
        except MalformedPayload as exc:
            log.warning("dropped a malformed event: %s", exc)
            return False
        self._marks(self.sessions.apply(record))
        self.core.stream_session(record)
        return True

    def load(self, team_id: str) -> None:
        """The team's open sessions (a board read, a reconnect)."""
        if not team_id:
            return
        api = self._api

        def done(records: tuple[SessionRecord, ...]) -> None:
            if team_id == self.console.board.team_id:
                self._marks(self.sessions.replace_all(records))

        self._run(lambda: api.read_team_supervision(team_id), done, None)

    def tick(self) -> None:
        self.core.tick()
        self._render()

    # -- rendering -------------------------------------------------------------------------------

    def _on_core_change(self, view: SupervisionView) -> None:
        self._render()
        self.console.row_actions.set_supervising(view.active)
        self.console.row_actions.refresh()
        for panel in self._help:
            panel.refresh_supervision()
        self.changed.emit()

    def _render(self) -> None:
        view = self.core.view
        self.bar.show_view(view, self.console.board.row_of(view.agent_id), self._clock())

    def _on_board_row_updated(self, agent_id: str) -> None:
        if agent_id == self.core.view.agent_id:
            self._render()
        if self.console.view.selectionModel().hasSelection():
            self.console.row_actions.refresh()
        for panel in self._help:
            panel.refresh_supervision()

    def _on_board_loaded(self) -> None:
        self.load(self.console.board.team_id)

    def _marks(self, agents: set[str]) -> None:
        if not agents:
            return
        marks: dict[str, str] = {}
        for agent_id, record in self.sessions.by_agent().items():
            lead = (
                QCoreApplication.translate("Supervision", "you")
                if record.lead_id == self.core.me_id
                else record.lead_name
            )
            marks[agent_id] = board_mark(record.mode, lead)
        self.console.board.set_supervised(marks)
        self.console.view.resizeColumnToContents(COL_AGENT)  # room for the mark's words
        self.console.row_actions.refresh()
        for panel in self._help:
            panel.refresh_supervision()
