"""GUI-thread glue of the console: reads the board on the network lane, routes the stream's
board events to the models, carries out the row actions and the settings, re-reads the
board after a reconnect.

Events that arrive while a board is being read are held and applied after it (an
`agent_state` older than the row it would change is dropped by the model), so a board
read never loses an event nor moves a row back in time.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial
from typing import Protocol, TypeVar

from PySide6.QtCore import QObject, Qt, QTimer

from homeagent.core.agent_state import Presence
from homeagent.core.lead_records import (
    Board,
    MalformedPayload,
    QueueStats,
    RemoteState,
    RemoteStateResult,
    TeamRef,
)
from homeagent.core.lead_settings import TeamBoardSettings, parse_team_settings_event
from homeagent.core.ports import LeadBoardApi
from homeagent.ui.lead.board_model import BOARD_EVENTS
from homeagent.ui.lead.console import LeadConsole
from homeagent.ui.lead.settings_dialog import SettingsDialog
from homeagent.ui.qt.labels import presence_text

log = logging.getLogger(__name__)
T = TypeVar("T")
CLOCK_INTERVAL_MS = 1000
RETRY_S = (5, 15, 30, 60)  # a failed board read is tried again after these waits
MAX_HELD_EVENTS = 10_000  # events held during a board read (beyond: re-read once more)
LEAD_EVENTS = (*BOARD_EVENTS, "queue_stats", "team_settings")


class Runner(Protocol):
    """A background lane (`homeagent.ui.qt.tasks.TaskRunner.run`)."""

    def __call__(
        self,
        job: Callable[[], T],
        on_done: Callable[[T], object] | None = ...,
        on_error: Callable[[BaseException], object] | None = ...,
    ) -> None: ...


def error_text(exc: BaseException) -> str:
    """The server's own sentence when it gave one, else the error's text."""
    message = getattr(exc, "message", None)
    return str(message) if isinstance(message, str) and message else str(exc)


class LeadController(QObject):
    """See the module docstring. `team_id`: the lead's team (None: an admin picks one)."""

    def __init__(
        self,
        *,
        api: LeadBoardApi,
        console: LeadConsole,
        run: Runner,
        team_id: str | None,
        choose_team: bool,
        pause_reasons: tuple[str, ...] = (),
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.api = api
        self.console = console
        self._run = run
        self.team_id = team_id or ""
        self._own_team = team_id or ""
        self._own_reasons = pause_reasons
        self._choose_team = choose_team
        self._teams: dict[str, TeamRef] = {}
        self._loading = False
        self._held: list[tuple[str, object, int]] = []
        self._overflowed = False
        self._online = True
        self.settings_dialog: SettingsDialog | None = None
        self._failures = 0
        self._retry = QTimer(self)
        self._retry.setSingleShot(True)
        self._retry.timeout.connect(self._on_retry_timeout)
        console.team_selected.connect(self.load)
        console.row_actions.state_change_requested.connect(self._on_actions_state_change_requested)
        console.row_actions.cancel_pending_requested.connect(
            self._on_actions_cancel_pending_requested
        )
        console.row_actions.settings_requested.connect(self.open_settings)
        console.row_actions.diagnostics_requested.connect(self._on_actions_diagnostics_requested)
        console.queues.changed.connect(self._on_queues_changed)
        self.clock = QTimer(self)
        self.clock.setInterval(CLOCK_INTERVAL_MS)
        self.clock.timeout.connect(console.tick)
        console.row_actions.set_pause_reasons(pause_reasons)

    # -- start and loads -------------------------------------------------------------------

    def start(self) -> None:
        self.clock.start()
        if self._choose_team:
            self._run(self.api.read_teams, self._on_teams, self._on_load_failed)
        elif self.team_id:
            self.load(self.team_id)
        else:
            self.console.show_status(
                self.tr("You are not in a team: there is no board to show."), sticky=True
            )

    def stop(self) -> None:
        self.clock.stop()
        self._retry.stop()
        if self.console.wallboard is not None:
            self.console.wallboard.close()

    def _on_teams(self, teams: tuple[TeamRef, ...]) -> None:
        self._teams = {t.id: t for t in teams}
        if not teams:
            self.console.show_status(self.tr("There is no team yet."), sticky=True)
            return
        current = self.team_id if self.team_id in self._teams else teams[0].id
        self.console.set_teams(teams, current)
        self.load(current)

    def load(self, team_id: str) -> None:
        """Read the team's board, queues and settings (events held meanwhile)."""
        changed = team_id != self.team_id
        self.team_id = team_id
        self._loading = True
        if changed:
            self._held.clear()
            self.console.board.clear()
        self._update_reasons()
        api = self.api

        def job() -> tuple[Board, tuple[QueueStats, ...], TeamBoardSettings]:
            return (
                api.read_board(team_id),
                api.read_queue_stats(team_id),
                api.read_team_settings(team_id),
            )

        self._run(job, lambda found: self._on_loaded(team_id, found), self._on_load_failed)

    def _on_loaded(
        self, team_id: str, found: tuple[Board, tuple[QueueStats, ...], TeamBoardSettings]
    ) -> None:
        if team_id != self.team_id:
            return  # an admin picked another team meanwhile
        board, queues, settings = found
        self._failures = 0
        self._retry.stop()
        console = self.console
        console.board.set_settings(settings)
        console.board.set_board(board)
        console.queues.set_queues(team_id, queues)
        console.view.fit_columns()  # with the queues' labels in the call column
        console.set_team_name(board.team_name)
        self._loading = False
        held, self._held = self._held, []
        for event_type, data, event_id in held:
            self.handle_event(event_type, data, event_id)
        if self._overflowed:
            self._overflowed = False
            self.load(team_id)
        else:
            console.show_status("")

    def _on_queues_changed(self) -> None:
        self.console.board.set_queue_labels(
            {q.queue: q.title for q in self.console.queues.queues()}
        )

    def _on_retry_timeout(self) -> None:
        if self._choose_team and not self._teams:
            self._run(self.api.read_teams, self._on_teams, self._on_load_failed)
        elif self.team_id:
            self.load(self.team_id)

    def _on_load_failed(self, exc: BaseException) -> None:
        self._loading = False
        wait_s = RETRY_S[min(self._failures, len(RETRY_S) - 1)]
        self._failures += 1
        self._retry.start(wait_s * 1000)
        held, self._held = self._held, []
        if self.console.board.rowCount():
            for event_type, data, event_id in held:
                self.handle_event(event_type, data, event_id)
        self.console.show_status(
            self.tr("The board could not be read ({why}); trying again in {s} s.").format(
                why=error_text(exc), s=wait_s
            ),
            sticky=True,
        )

    def _update_reasons(self) -> None:
        team = self._teams.get(self.team_id)
        if team is not None and team.pause_reasons is not None:
            reasons = team.pause_reasons
        else:
            reasons = self._own_reasons if self.team_id == self._own_team else ()
        self.console.row_actions.set_pause_reasons(reasons)

    def set_own_team(self, team_id: str, pause_reasons: tuple[str, ...]) -> None:
        """GET /me said which team is the lead's and its break reasons."""
        self._own_team = team_id
        self._own_reasons = pause_reasons
        self._update_reasons()

    # -- the stream (already on the GUI thread) ------------------------------------------

    def handle_event(self, event_type: str, data: object, event_id: int = 0) -> bool:
        """One stream event; True when it changed what the console shows."""
        if event_type == "diagnostics_answered":  # the agent's answer to our request
            return self._on_diagnostics_answered(data)
        if event_type not in LEAD_EVENTS:
            return False
        if self._loading:
            if len(self._held) < MAX_HELD_EVENTS:
                self._held.append((event_type, data, event_id))
            else:
                self._overflowed = True
            return False
        if event_type == "queue_stats":
            return self.console.queues.apply_event(data, event_id)
        if event_type == "team_settings":
            try:
                ev = parse_team_settings_event(data, route=f"event {event_id} (team_settings)")
            except MalformedPayload as exc:
                log.warning("dropped a malformed event: %s", exc)
                return False
            if ev.team_id != self.team_id:
                return False
            self.console.board.set_settings(ev.settings)
            return True
        return self.console.board.apply_event(event_type, data, event_id)

    def connection_changed(self, online: bool) -> None:
        """The stream's link: back online, the board is read again (events may have been
        missed by a server that restarted without its history)."""
        was = self._online
        self._online = online
        if online and not was and self.team_id:
            self.load(self.team_id)

    # -- actions ---------------------------------------------------------------------------

    def _name(self, agent_id: str) -> str:
        row = self.console.board.row_of(agent_id)
        return row.label if row is not None else agent_id

    def _on_actions_state_change_requested(
        self, agent_ids: list[str], state: str, reason: str, note: str
    ) -> None:
        for agent_id in agent_ids:
            self._set_one(agent_id, _remote(state), reason, note)

    def _set_one(self, agent_id: str, state: RemoteState, reason: str, note: str) -> None:
        api = self.api

        def failed(exc: BaseException) -> None:
            self.console.show_status(
                self.tr("{name}: the state was not changed ({why})").format(
                    name=self._name(agent_id), why=error_text(exc)
                )
            )

        self._run(
            lambda: api.set_agent_state_remote(agent_id, state, reason, note),
            lambda result: self._on_state_set(agent_id, result),
            failed,
        )

    def _on_state_set(self, agent_id: str, result: RemoteStateResult) -> None:
        self.console.board.set_pending(agent_id, result.pending)
        if result.applied:
            what = presence_text(Presence(result.state.state, result.state.reason))
            text = self.tr("{name}: {state} now").format(name=self._name(agent_id), state=what)
        else:
            pending = result.pending
            what = presence_text(Presence(pending.state, pending.reason)) if pending else ""
            text = self.tr("{name}: {state} after the current call").format(
                name=self._name(agent_id), state=what
            )
        self.console.show_status(text)

    def _on_actions_cancel_pending_requested(self, agent_ids: list[str]) -> None:
        for agent_id in agent_ids:
            self._cancel_one(agent_id)

    def _cancel_one(self, agent_id: str) -> None:
        api = self.api

        def failed(exc: BaseException) -> None:
            self.console.show_status(
                self.tr("{name}: the pending change was not cancelled ({why})").format(
                    name=self._name(agent_id), why=error_text(exc)
                )
            )

        self._run(
            lambda: api.cancel_pending_state(agent_id),
            lambda _r: self._on_pending_cancelled(agent_id),
            failed,
        )

    def _on_pending_cancelled(self, agent_id: str) -> None:
        self.console.board.set_pending(agent_id, None)
        self.console.show_status(
            self.tr("{name}: the pending change is cancelled").format(name=self._name(agent_id))
        )

    def _on_actions_diagnostics_requested(self, agent_ids: list[str]) -> None:
        """Ask each agent's desk for a diagnostic report (the agent approves or declines)."""
        api = self.api
        for agent_id in agent_ids:
            name = self._name(agent_id)

            def failed(exc: BaseException, name: str = name) -> None:
                self.console.show_status(
                    self.tr("{name}: the report was not asked for ({why})").format(
                        name=name, why=error_text(exc)
                    )
                )

            def done(_answer: object, name: str = name) -> None:
                self.console.show_status(
                    self.tr(
                        "{name} is asked for a diagnostic report: they approve it first"
                    ).format(name=name)
                )

            self._run(partial(api.request_diagnostics, agent_id), done, failed)

    def _on_diagnostics_answered(self, data: object) -> bool:
        if not isinstance(data, dict) or not isinstance(data.get("agent_id"), str):
            log.warning("dropped a malformed diagnostics_answered event")
            return False
        name = self._name(data["agent_id"])
        if data.get("status") == "sent":
            text = self.tr("{name} sent the diagnostic report (IT can read it)")
        elif data.get("status") == "declined":
            text = self.tr("{name} declined the diagnostic report")
        else:
            return False
        self.console.show_status(text.format(name=name))
        return True

    def open_settings(self) -> SettingsDialog | None:
        if not self.team_id:
            return None
        board = self.console.board
        dialog = SettingsDialog(board.team_name, board.settings, self.console)
        dialog.save_requested.connect(self._on_settings_save_requested)
        dialog.finished.connect(dialog.deleteLater)
        dialog.finished.connect(lambda _r: setattr(self, "settings_dialog", None))
        self.settings_dialog = dialog
        # never modal: a call that rings meanwhile must stay one click / one key away
        dialog.setWindowModality(Qt.WindowModality.NonModal)
        dialog.show()
        return dialog

    def _on_settings_save_requested(self, settings: TeamBoardSettings) -> None:
        api, team_id, dialog = self.api, self.team_id, self.settings_dialog

        def done(stored: TeamBoardSettings) -> None:
            if team_id == self.team_id:
                self.console.board.set_settings(stored)
            if dialog is not None and dialog is self.settings_dialog:
                dialog.saved()
            self.console.show_status(self.tr("Thresholds and alerts saved"))

        def failed(exc: BaseException) -> None:
            if dialog is not None and dialog is self.settings_dialog:
                dialog.failed(error_text(exc))

        self._run(lambda: api.write_team_settings(team_id, settings), done, failed)


def _remote(state: str) -> RemoteState:
    if state not in ("break", "not_ready", "offline"):
        raise ValueError(f"not a remote state: {state}")
    return state  # type: ignore[return-value]
