"""The desk's lists: contact searches, today's callbacks (with reminders), history,
figures, and a contact's memory on a card (the cache's part first, then the server's).
Local reads go on the disk lane, server reads on the network lane; an answer arriving
late for an older request is dropped."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import QCoreApplication, QObject

from homeagent.core.desk_ports import DeskData
from homeagent.core.desk_snapshot import CardView
from homeagent.core.desk_types import Contact, ContactMemory, DayFigures
from homeagent.core.lead_comms import DayReport
from homeagent.core.reminders import CallbackReminders
from homeagent.ui.desk.contact_card import ContactCard
from homeagent.ui.desk.models import local_time
from homeagent.ui.desk.search_box import ContactSearch
from homeagent.ui.qt.phone_format import format_number
from homeagent.ui.qt.tasks import TaskLanes
from homeagent.ui.shell.main_window import MainWindow

T = TypeVar("T")
SEARCH_LIMIT = 50


class ListsController(QObject):
    """See the module docstring. `notify(title, text)` shows a desktop notification."""

    def __init__(
        self,
        *,
        window: MainWindow,
        lanes: TaskLanes,
        data: DeskData,
        notify: Callable[[str, str], None],
        on_memory: Callable[[ContactMemory, str], None] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.window, self.lanes, self.data = window, lanes, data
        self._notify = notify
        self._on_memory = on_memory  # (memory, "local" | "server"): what a card showed
        self._search_seq: dict[int, int] = {}
        self._reminders = CallbackReminders()
        self._boxes = (window.idle.search, window.side.contacts)
        for box in self._boxes:
            box.search_requested.connect(lambda text, b=box: self.search(b, text))
        for box in self._boxes:
            box.contact_selected.connect(self._on_contacts_contact_selected)

    def start(self) -> None:
        """First load of every list."""
        self.reload()
        for box in self._boxes:
            self.search(box, "")

    def reload(self) -> None:
        """Reload callbacks, history (local) and figures (server) in the background."""
        w = self.window
        self.lanes.net.run(self.data.callbacks_today, _unless_none(w.idle.show_callbacks))
        self.lanes.disk.run(self.data.history_today, w.side.history.show_history)
        self.lanes.net.run(self.data.figures_today, self._show_figures)
        self.lanes.net.run(self.data.day_today, self._show_day)

    def _show_figures(self, figures: DayFigures | None) -> None:
        self.window.side.my_day.show_figures(figures)
        self.window.idle.day.show_figures(figures)

    def _show_day(self, report: DayReport | None) -> None:
        agent_id = report.agents[0].agent_id if report is not None and report.agents else ""
        self.window.side.my_day.show_day(report, agent_id)
        if report is not None:  # unavailable now: the sessions shown stay (they happened)
            for day in (self.window.side.my_day, self.window.idle.day):
                day.show_supervisions(report.supervisions)

    def search(self, box: ContactSearch, text: str) -> None:
        """Search the cache for `box`; results of an older keystroke are dropped."""
        key = id(box)
        seq = self._search_seq.get(key, 0) + 1
        self._search_seq[key] = seq

        def done(found: list[Contact]) -> None:
            if self._search_seq.get(key) == seq:
                box.show_results(found, text)

        self.lanes.disk.run(lambda: self.data.search(text, SEARCH_LIMIT), done)

    def refresh_searches(self) -> None:
        """Run both contact searches again (the cache changed: a sync finished)."""
        for box in self._boxes:
            self.search(box, box.field.text())

    def load_memory(self, card: ContactCard, contact_id: str) -> None:
        """The contact's memory onto `card`: the cache's part (disk lane), then the
        server's (network lane). Either may fail or be slow: the card shows what came."""

        def local(memory: ContactMemory) -> None:
            if card.contact_id == contact_id:
                card.show_memory(memory)
                self._memory_shown(memory, "local")

        def remote(memory: ContactMemory | None) -> None:
            if memory is None:
                card.memory_unavailable(contact_id)
            elif card.contact_id == contact_id:
                card.show_memory(memory)
                self._memory_shown(memory, "server")

        card.begin_memory()
        self.lanes.disk.run(lambda: self.data.local_memory(contact_id), local)
        self.lanes.net.run(
            lambda: self.data.contact_memory(contact_id),
            remote,
            lambda _exc: card.memory_unavailable(contact_id),
        )

    def _memory_shown(self, memory: ContactMemory, source: str) -> None:
        if self._on_memory is not None:
            self._on_memory(memory, source)

    def remind_callbacks(self) -> None:
        """Notify once when a callback of today is about to be due."""
        now = dt.datetime.now(dt.UTC)
        for callback in self._reminders.due(self.window.idle.callbacks_model.items(), now):
            when = local_time(callback.due_at)
            title = QCoreApplication.translate("Controller", "Callback at {time}")
            who = callback.contact_name or format_number(callback.number)
            self._notify(title.format(time=when), who)

    def _on_contacts_contact_selected(self, contact: Contact) -> None:
        """A contact picked in either search: its card (and memory) in the Contacts tab."""
        side = self.window.side
        card = side.contact_card
        card.show_card(CardView(contact.phones[0] if contact.phones else "", contact))
        card.setVisible(True)
        side.setCurrentIndex(side.indexOf(side.contacts_page))
        self.load_memory(card, contact.id)


def _unless_none(show: Callable[[T], object]) -> Callable[[T | None], None]:
    """Keep what is shown when the server cannot tell now (None)."""

    def maybe(value: T | None) -> None:
        if value is not None:
            show(value)

    return maybe
