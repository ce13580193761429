"""Binds the Qt-free `DeskModel` to the window and the dispatcher: events in, snapshots
rendered, intents forwarded. The lists (search, callbacks, history, figures) have their own
controller, `homeagent.ui.desk.lists.ListsController`."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QObject, QTimer

from homeagent.core.agent_state import AgentState
from homeagent.core.contact_files import ContactFiles
from homeagent.core.desk import DeskModel
from homeagent.core.desk_ports import DeskData
from homeagent.core.desk_snapshot import DeskSnapshot, Screen
from homeagent.core.desk_types import Contact, Message, TeamSettings
from homeagent.core.events import CallRinging, Event
from homeagent.ui.desk.contact_files import ContactFilesController
from homeagent.ui.desk.lists import ListsController
from homeagent.ui.qt.dispatcher import Dispatcher
from homeagent.ui.qt.labels import presence_text, remote_change_text
from homeagent.ui.qt.phone_format import format_number
from homeagent.ui.qt.tasks import TaskLanes
from homeagent.ui.shell.main_window import MainWindow
from homeagent.ui.shell.notifier import Notifier

_log = logging.getLogger(__name__)
CLOCK_INTERVAL_MS = 1000


class DeskController(QObject):
    """GUI-thread glue: events in, snapshots rendered, intents forwarded, lists loaded."""

    def __init__(
        self,
        *,
        model: DeskModel,
        window: MainWindow,
        dispatcher: Dispatcher,
        lanes: TaskLanes,
        data: DeskData,
        notifier: Notifier | None = None,
        files: ContactFiles | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.model = model
        self.window = window
        self.lanes = lanes
        self.data = data
        self.notifier = notifier
        self._engine_ns: dict[int, int] = {}
        self._previous: DeskSnapshot | None = None
        self._card_memory_for: tuple[int, str] | None = None  # (call id, contact id)
        self._last_call_id = 0
        self._team: TeamSettings | None = None
        self.lists = ListsController(
            window=window, lanes=lanes, data=data, notify=self._notify, on_memory=model.memory_shown
        )
        self.files: ContactFilesController | None = None
        if files is not None:  # vCard import / export in the Contacts tab
            self.files = ContactFilesController(
                bar=window.side.files, files=files, disk=lanes.disk, parent=self
            )
            self.files.imported.connect(lambda _n: self.lists.refresh_searches())
        dispatcher.event_delivered.connect(self._on_dispatcher_event_delivered)
        self._wire_window()
        if notifier is not None:  # Answer / Decline on the ringing call's notification
            notifier.answer_requested.connect(model.answer)
            notifier.decline_requested.connect(model.decline)
        window.set_message_source(lambda: self.model.inbox.messages)
        self.clock = QTimer(self)
        self.clock.setInterval(CLOCK_INTERVAL_MS)
        self.clock.timeout.connect(self._on_clock_timeout)
        self.clock.start()
        model.subscribe(self._on_model_snapshot)
        self.lists.start()

    def _wire_window(self) -> None:
        w, m = self.window, self.model
        w.answer_requested.connect(m.answer)
        w.decline_requested.connect(m.decline)
        w.hangup_requested.connect(m.hang_up)
        w.hold_requested.connect(m.toggle_hold)
        w.mute_requested.connect(m.toggle_mute)
        w.toggle_available_requested.connect(m.toggle_available)
        w.presence_requested.connect(self._on_window_presence_requested)
        w.dtmf_requested.connect(m.send_dtmf)
        w.blind_transfer_requested.connect(m.blind_transfer)
        w.consult_requested.connect(m.start_consultation)
        w.complete_transfer_requested.connect(m.complete_transfer)
        w.help_requested.connect(m.request_help)
        w.dial_requested.connect(m.dial)
        w.wrap_up_edited.connect(self._on_window_wrap_up_edited)
        w.wrap_up_save_requested.connect(m.submit_wrap_up)
        w.message_read_requested.connect(m.read_message)
        w.message_ack_requested.connect(m.ack_message)
        w.messages_seen.connect(lambda: m.read_messages())
        w.message_send_requested.connect(m.send_to_lead)
        w.remote_change_dismissed.connect(m.dismiss_remote_change)
        w.contact_create_requested.connect(m.create_contact)
        w.card_painted.connect(self._on_window_card_painted)
        w.controls.notes_edited.connect(m.edit_call_notes)
        w.side.contact_card.dial_requested.connect(w.dial_requested)

    # -- inputs ------------------------------------------------------------------------

    def _on_dispatcher_event_delivered(self, event: Event) -> None:
        if isinstance(event, CallRinging):
            self._engine_ns[event.call_id] = event.monotonic_ns
        self.model.handle(event)

    def add_message(self, message: Message) -> None:
        """A team-lead message arrived (from the event stream, on the GUI thread)."""
        self.model.add_message(message)

    def _on_window_presence_requested(self, state: AgentState, reason: str) -> None:
        self.model.set_presence(state, reason)

    def _on_window_wrap_up_edited(self, notes: str, disposition: str, callback: object) -> None:
        when = callback if isinstance(callback, dt.datetime) else None
        self.model.edit_wrap_up(notes=notes, disposition=disposition, callback_at=when)

    def _on_window_card_painted(self, call_id: int, monotonic_ns: int) -> None:
        self.model.card_painted(call_id, monotonic_ns, self._engine_ns.pop(call_id, 0))

    def _on_clock_timeout(self) -> None:
        self.model.tick()
        self.window.refresh_clock()
        self.lists.remind_callbacks()

    # -- outputs -----------------------------------------------------------------------

    def _on_model_snapshot(self, snap: DeskSnapshot) -> None:
        """Draw the window first; then each follow-up on its own, so none can hide a call."""
        previous, self._previous = self._previous, snap
        self.window.show_snapshot(snap)
        was = previous.screen if previous else Screen.IDLE
        steps: list[tuple[str, Callable[[], object]]] = [
            ("card memory", lambda: self._follow_card(snap)),
            ("disposition labels", lambda: self._show_team(snap.team)),
            ("tray state", lambda: self._show_state(snap)),
        ]
        if snap.screen is Screen.RINGING and was is not Screen.RINGING:
            steps.append(("ringing notification", lambda: self._notify_ringing(snap)))
        elif was is Screen.RINGING and snap.screen is not Screen.RINGING and self.notifier:
            steps.append(("ringing notification withdrawn", self.notifier.call_over))
        # a call (ringing or taken) is never interrupted: its own notification stays alone
        calm = snap.screen in (Screen.IDLE, Screen.WRAP_UP)
        new_banner = previous is not None and snap.banner and snap.banner != previous.banner
        if new_banner and calm and snap.banner is not None:
            body = snap.banner.body
            steps.append(("urgent notification", lambda: self._notify(
                QCoreApplication.translate("Controller", "Urgent message"), body
            )))  # fmt: skip
        change = snap.remote_change
        if change is not None and calm and (previous is None or previous.remote_change != change):
            text = remote_change_text(change)
            steps.append(("remote change notification", lambda: self._notify(
                QCoreApplication.translate("Controller", "Your team lead changed your state"), text
            )))  # fmt: skip
        call_over = was in (Screen.IN_CALL, Screen.RINGING, Screen.WRAP_UP) and snap.screen in (
            Screen.IDLE,
            Screen.WRAP_UP,
        )
        if call_over and was is not snap.screen:
            steps.append(("lists", self.lists.reload))
        for name, step in steps:
            try:
                step()
            except Exception:
                _log.exception("%s failed after a desk change; the desk goes on", name)

    def _follow_card(self, snap: DeskSnapshot) -> None:
        """Load the memory of the card's contact once per call (a caller calling back
        gets it afresh) and when the contact changes (quick-create)."""
        if snap.call is not None:
            self._last_call_id = snap.call.call_id
        card = self.window.card
        if not card.contact_id or snap.card is None:
            self._card_memory_for = None
            return
        key = (self._last_call_id, card.contact_id)
        if key != self._card_memory_for:
            self._card_memory_for = key
            self.lists.load_memory(card, card.contact_id)

    def _show_team(self, team: TeamSettings) -> None:
        """The team's disposition labels for every place that shows a call's code."""
        if team == self._team:
            return
        self._team = team
        w = self.window
        for card in (w.card, w.side.contact_card):
            card.set_dispositions(team.dispositions)
        w.side.history.model.set_dispositions(team.dispositions)

    def _show_state(self, snap: DeskSnapshot) -> None:
        if self.notifier is not None:
            self.notifier.set_state(snap.presence.state, presence_text(snap.presence))

    def _notify_ringing(self, snap: DeskSnapshot) -> None:
        contact: Contact | None = snap.card.contact if snap.card else None
        who = contact.full_name if contact else format_number(snap.card.number if snap.card else "")
        if self.notifier is not None:
            self.notifier.notify_call(
                QCoreApplication.translate("Controller", "Incoming call"), who
            )

    def _notify(self, title: str, text: str) -> None:
        if self.notifier is not None:
            self.notifier.notify(title, text)

    def reload_lists(self) -> None:
        """Reload callbacks, history and figures (the server said something changed)."""
        self.lists.reload()

    def refresh_searches(self) -> None:
        """Run both contact searches again (the cache changed: a sync finished)."""
        self.lists.refresh_searches()

    def stop(self) -> None:
        """Stop the clock and stop rendering (before the services are torn down)."""
        self.clock.stop()
        self.model.unsubscribe(self._on_model_snapshot)
