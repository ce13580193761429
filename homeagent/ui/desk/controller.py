"""Binds the Qt-free `DeskModel` to the window, the dispatcher and the background lanes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import QCoreApplication, QObject, QTimer

from homeagent.core.agent_state import AgentState
from homeagent.core.desk import DeskModel
from homeagent.core.desk_ports import DeskData
from homeagent.core.desk_snapshot import CardView, DeskSnapshot, Screen
from homeagent.core.desk_types import Contact, HistoryEntry, Message
from homeagent.core.events import CallRinging, Event
from homeagent.core.reminders import CallbackReminders
from homeagent.ui.desk.contact_card import ContactCard
from homeagent.ui.desk.models import local_time
from homeagent.ui.desk.search_box import ContactSearch
from homeagent.ui.qt.dispatcher import Dispatcher
from homeagent.ui.qt.labels import presence_text
from homeagent.ui.qt.tasks import TaskLanes
from homeagent.ui.shell.main_window import MainWindow
from homeagent.ui.shell.notifier import Notifier

T = TypeVar("T")
CLOCK_INTERVAL_MS = 1000
SEARCH_LIMIT = 50


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
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.model = model
        self.window = window
        self.lanes = lanes
        self.data = data
        self.notifier = notifier
        self._engine_ns: dict[int, int] = {}
        self._search_seq: dict[int, int] = {}
        self._previous: DeskSnapshot | None = None
        self._card_history_for = ""
        self._reminders = CallbackReminders()
        dispatcher.event_delivered.connect(self._on_dispatcher_event_delivered)
        self._wire_window()
        window.set_message_source(lambda: self.model.inbox.messages)
        self.clock = QTimer(self)
        self.clock.setInterval(CLOCK_INTERVAL_MS)
        self.clock.timeout.connect(self._on_clock_timeout)
        self.clock.start()
        model.subscribe(self._on_model_snapshot)
        self.reload_lists()
        self._search(window.idle.search, "")
        self._search(window.side.contacts, "")

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
        w.contact_create_requested.connect(m.create_contact)
        w.card_painted.connect(self._on_window_card_painted)
        w.side.contacts.contact_selected.connect(self._on_side_contact_selected)
        for box in (w.idle.search, w.side.contacts):
            box.search_requested.connect(lambda text, b=box: self._search(b, text))

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

    def _on_side_contact_selected(self, contact: Contact) -> None:
        card = self.window.side.contact_card
        card.show_card(CardView(contact.phones[0] if contact.phones else "", contact))
        card.setVisible(True)
        self._load_contact_history(card, contact.id)

    def _load_contact_history(self, card: ContactCard, contact_id: str) -> None:
        def done(entries: list[HistoryEntry]) -> None:
            if card.contact_id == contact_id:  # still the same contact
                card.show_history(contact_id, entries)

        self.lanes.net.run(lambda: self.data.contact_history(contact_id), done)

    def _on_clock_timeout(self) -> None:
        self.model.tick()
        self.window.refresh_clock()
        self._remind_callbacks()

    def _remind_callbacks(self) -> None:
        """Notify once when a callback of today is about to be due."""
        now = dt.datetime.now(dt.UTC)
        for callback in self._reminders.due(self.window.idle.callbacks_model.items(), now):
            when = local_time(callback.due_at)
            title = QCoreApplication.translate("Controller", "Callback at {time}")
            self._notify(title.format(time=when), callback.contact_name or callback.number)

    # -- outputs -----------------------------------------------------------------------

    def _on_model_snapshot(self, snap: DeskSnapshot) -> None:
        previous, self._previous = self._previous, snap
        self.window.show_snapshot(snap)
        card = self.window.card
        if card.contact_id and card.contact_id != self._card_history_for:
            self._card_history_for = card.contact_id
            self._load_contact_history(card, card.contact_id)
        elif not card.contact_id:
            self._card_history_for = ""
        if self.notifier is not None:
            self.notifier.set_state(snap.presence.state, presence_text(snap.presence))
        was = previous.screen if previous else Screen.IDLE
        if snap.screen is Screen.RINGING and was is not Screen.RINGING:
            self._notify_ringing(snap)
        if previous is not None and snap.banner and snap.banner != previous.banner:
            self._notify(
                QCoreApplication.translate("Controller", "Urgent message"), snap.banner.body
            )
        if (
            was in (Screen.IN_CALL, Screen.RINGING, Screen.WRAP_UP)
            and snap.screen
            in (
                Screen.IDLE,
                Screen.WRAP_UP,
            )
            and was is not snap.screen
        ):
            self.reload_lists()

    def _notify_ringing(self, snap: DeskSnapshot) -> None:
        contact: Contact | None = snap.card.contact if snap.card else None
        who = contact.full_name if contact else (snap.card.number if snap.card else "")
        self._notify(QCoreApplication.translate("Controller", "Incoming call"), who)

    def _notify(self, title: str, text: str) -> None:
        if self.notifier is not None:
            self.notifier.notify(title, text)

    def reload_lists(self) -> None:
        """Reload callbacks, history (local) and figures (server) in the background."""
        w = self.window
        self.lanes.net.run(self.data.callbacks_today, _unless_none(w.idle.show_callbacks))
        self.lanes.disk.run(self.data.history_today, w.side.history.show_history)
        self.lanes.net.run(self.data.figures_today, w.side.my_day.show_figures)

    def _search(self, box: ContactSearch, text: str) -> None:
        key = id(box)
        seq = self._search_seq.get(key, 0) + 1
        self._search_seq[key] = seq

        def done(found: list[Contact]) -> None:
            if self._search_seq.get(key) == seq:  # drop results of an older keystroke
                box.show_results(found, text)

        self.lanes.disk.run(lambda: self.data.search(text, SEARCH_LIMIT), done)

    def refresh_searches(self) -> None:
        """Run both contact searches again (the cache changed: a sync finished)."""
        for box in (self.window.idle.search, self.window.side.contacts):
            self._search(box, box.field.text())

    def stop(self) -> None:
        """Stop the clock and stop rendering (before the services are torn down)."""
        self.clock.stop()
        self.model.unsubscribe(self._on_model_snapshot)


def _unless_none(show: Callable[[T], object]) -> Callable[[T | None], None]:
    """Keep what is shown when the server cannot tell now (None)."""

    def maybe(value: T | None) -> None:
        if value is not None:
            show(value)

    return maybe
