"""The agent's "My slots" tab ("Mes créneaux"): the week's slots of the team with their
free places, Book / Cancel with the rule's refusal said plainly, the reminders 10 and 2
minutes before a booked slot, and the proposal to go offline at its end (never during a
call: after the wrap-up). The decisions are `homeagent.core.slots`'s; this is the glue.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
from collections.abc import Callable, Sequence

from PySide6.QtCore import (
    QCoreApplication,
    QDate,
    QLocale,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from homeagent.core.agent_state import AgentState
from homeagent.core.desk_snapshot import DeskSnapshot, Screen
from homeagent.core.slots import EndOfSlot, Slot, SlotRefused, SlotReminders, SlotService
from homeagent.ui.desk.models import local_time
from homeagent.ui.qt.record_models import RecordTable
from homeagent.ui.qt.tasks import TaskLanes

_log = logging.getLogger(__name__)
TICK_MS = 5000  # reminders and the end of a slot: checked every 5 s
RELOAD_MS = 5 * 60 * 1000  # the list, even without an event (rules move with the clock)
EVENT_DELAY_MS, EVENT_SPREAD_MS = 300, 1500  # after a `slot_changed`: 0.3–1.8 s
WEEK = dt.timedelta(days=7)
_Index = QModelIndex | QPersistentModelIndex


def refusal_text(code: str | None, notice_min: int | None = None) -> str:
    """The rule's refusal in the user's words (`homeagent.core.slots.REFUSALS`)."""
    notice = _notice(notice_min) if notice_min is not None else ""
    texts = {
        "too_late_to_book": (
            QCoreApplication.translate(
                "Slots", "Too late to book: slots are booked at least {notice} before they start."
            )
            if notice
            else QCoreApplication.translate("Slots", "Too late to book this slot.")
        ),
        "too_late_to_cancel": (
            QCoreApplication.translate(
                "Slots", "Too late to cancel: ask your team lead (at least {notice} before)."
            )
            if notice
            else QCoreApplication.translate("Slots", "Too late to cancel: ask your team lead.")
        ),
        "slot_full": QCoreApplication.translate("Slots", "This slot is full."),
        "overlapping_booking": QCoreApplication.translate(
            "Slots", "You already hold a slot at that time."
        ),
        "slot_cancelled": QCoreApplication.translate(
            "Slots", "Your team lead cancelled this slot."
        ),
        "slot_started": QCoreApplication.translate(
            "Slots", "This slot has started: it can no longer change."
        ),
        "not_booked": QCoreApplication.translate("Slots", "You had not booked this slot."),
    }
    return texts.get(
        code or "",
        QCoreApplication.translate("Slots", "The server refused: {code}.").format(code=code),
    ).format(notice=notice)


def _notice(minutes: int) -> str:
    if minutes % 60 == 0 and minutes >= 60:
        hours = minutes // 60
        return (
            QCoreApplication.translate("Slots", "1 hour")
            if hours == 1
            else QCoreApplication.translate("Slots", "{n} hours").format(n=hours)
        )
    return QCoreApplication.translate("Slots", "{n} min").format(n=minutes)


def day_label(when: dt.datetime) -> str:
    """ "mar. 1 déc." in the user's locale (the local day of `when`)."""
    local = when.astimezone()
    return str(QLocale().toString(QDate(local.year, local.month, local.day), "ddd d MMM"))


def span_label(slot: Slot) -> str:
    return f"{local_time(slot.starts_at)}–{local_time(slot.ends_at)}"


class SlotListModel(RecordTable[Slot]):
    """The week's slots: day, time, free places, the agent's booking or why not."""

    COLUMNS = ("when", "places", "status")

    def row_of(self, slot_id: int) -> int:
        return next((i for i, s in enumerate(self.items()) if s.id == slot_id), -1)

    def headers(self) -> tuple[str, ...]:
        return (
            QCoreApplication.translate("Slots", "Slot"),
            QCoreApplication.translate("Slots", "Places"),
            QCoreApplication.translate("Slots", "My booking"),
        )

    def cell(self, slot: Slot, col: int, role: int) -> object:
        column = self.COLUMNS[col]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(slot, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == "status" and not slot.mine and slot.refusal:
                return refusal_text(slot.refusal)
            return slot.note or None
        if role == Qt.ItemDataRole.FontRole and slot.mine:
            font = QLabel().font()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return " · ".join(self._text(slot, c) for c in self.COLUMNS if self._text(slot, c))
        return None

    def _text(self, slot: Slot, column: str) -> str:
        if column == "when":  # the note is in the tooltip: the side panel is narrow
            return f"{day_label(slot.starts_at)}  {span_label(slot)}"
        if column == "places":
            if slot.free == 1:
                return QCoreApplication.translate("Slots", "1 free of {capacity}").format(
                    capacity=slot.capacity
                )
            if slot.free == 0:
                return QCoreApplication.translate("Slots", "Full ({capacity})").format(
                    capacity=slot.capacity
                )
            return QCoreApplication.translate("Slots", "{free} free of {capacity}").format(
                free=slot.free, capacity=slot.capacity
            )
        if slot.mine:
            return QCoreApplication.translate("Slots", "Booked")
        if slot.can_book:
            return ""
        return {
            "too_late_to_book": QCoreApplication.translate("Slots", "Too late"),
            "slot_full": QCoreApplication.translate("Slots", "Full"),
            "slot_started": QCoreApplication.translate("Slots", "Started"),
        }.get(slot.refusal or "", "")


class SlotsTab(QWidget):
    """The side panel's "My slots" tab."""

    book_requested = Signal(int)  # payload: slot id
    cancel_requested = Signal(int)  # payload: slot id
    reload_requested = Signal()  # payload: none

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("SlotsTab")
        self.model = SlotListModel(self)
        self.title = QLabel(self.tr("This week's slots"), self)
        self.title.setProperty("role", "muted")
        self.next_label = QLabel(self)
        self.next_label.setObjectName("NextSlot")
        self.next_label.setWordWrap(True)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setAccessibleName(self.tr("This week's slots"))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setTabKeyNavigation(False)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.table.selectionModel().selectionChanged.connect(self._on_table_selection_changed)
        self.table.activated.connect(lambda _i: self._on_book_clicked())
        self.status = QLabel(self)
        self.status.setObjectName("SlotStatus")
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.book = QPushButton(self.tr("Book"), self)
        self.book.clicked.connect(self._on_book_clicked)
        self.cancel = QPushButton(self.tr("Cancel my booking"), self)
        self.cancel.clicked.connect(self._on_cancel_clicked)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.next_label)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.cancel)
        row.addWidget(self.book)
        layout.addLayout(row)
        self._busy = False
        self._update_buttons()

    def show_slots(self, slots: Sequence[Slot], now: dt.datetime) -> None:
        """Replace the list, keeping the selected slot."""
        current = self.current()
        selection = self.table.selectionModel()
        selection.blockSignals(True)  # a reload keeps the status line (what was just done)
        self.model.set_items(slots)
        if current is not None and (row := self.model.row_of(current.id)) >= 0:
            self.table.selectRow(row)
        selection.blockSignals(False)
        mine = [s for s in slots if s.mine and s.ends_at > now]
        if not mine:
            self.next_label.setText(self.tr("No slot booked this week."))
        else:
            nxt = mine[0]
            when = self.tr("now, until {end}").format(end=local_time(nxt.ends_at))
            if nxt.starts_at > now:
                when = f"{day_label(nxt.starts_at)} {span_label(nxt)}"
            self.next_label.setText(self.tr("My next slot: {when}").format(when=when))
        self._update_buttons()

    def show_unavailable(self) -> None:
        self.status.setText(self.tr("Slots unavailable: the server cannot be reached."))

    def show_status(self, text: str) -> None:
        self.status.setText(text)
        self.status.setAccessibleName(text)

    def set_busy(self, busy: bool) -> None:
        self._busy = busy
        self._update_buttons()

    def current(self) -> Slot | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.item(rows[0].row()) if rows else None

    def _update_buttons(self) -> None:
        slot = self.current()
        self.book.setEnabled(not self._busy and slot is not None and slot.can_book)
        self.cancel.setEnabled(not self._busy and slot is not None and slot.can_cancel)
        self.book.setVisible(slot is None or not slot.mine)
        self.cancel.setVisible(slot is not None and slot.mine)

    def _on_table_selection_changed(self, *_args: object) -> None:
        """The agent picked a slot: say at once why it cannot be booked or cancelled."""
        self._update_buttons()
        slot = self.current()
        if slot is not None and not self._busy:
            refusal = None if (slot.can_book or slot.can_cancel) else slot.refusal
            self.show_status(refusal_text(refusal) if refusal else slot.note)

    def _on_book_clicked(self) -> None:
        slot = self.current()
        if slot is not None and slot.can_book and not self._busy:
            self.book_requested.emit(slot.id)

    def _on_cancel_clicked(self) -> None:
        slot = self.current()
        if slot is not None and slot.mine and not self._busy:
            self.cancel_requested.emit(slot.id)


class SlotEndBanner(QFrame):
    """ "Your slot 18:00–20:00 is over. Go offline?" — Go offline / Keep working.
    Never takes focus (UX.md: attention rules)."""

    offline_requested = Signal()  # payload: none
    dismissed = Signal()  # payload: none

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Banner")
        self.setProperty("kind", "info")
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.text = QLabel(self)
        self.text.setWordWrap(True)
        self.offline = QPushButton(self.tr("Go offline"), self)
        self.keep = QPushButton(self.tr("Keep working"), self)
        for button in (self.offline, self.keep):
            button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.offline.clicked.connect(self._on_offline_clicked)
        self.keep.clicked.connect(self._on_keep_clicked)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 4, 6, 4)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.keep)
        layout.addWidget(self.offline)
        self.setVisible(False)

    def propose(self, slot: Slot) -> None:
        text = self.tr("Your slot {span} is over. Go offline?").format(span=span_label(slot))
        self.text.setText(text)
        self.setAccessibleName(text)
        self.setVisible(True)

    def _on_offline_clicked(self) -> None:
        self.setVisible(False)
        self.offline_requested.emit()

    def _on_keep_clicked(self) -> None:
        self.setVisible(False)
        self.dismissed.emit()


class SlotsController(QObject):
    """Loads the week, books and cancels on the network lane, reminds and proposes.

    `snapshot()`: the desk's state now; `go_offline()`: set the presence Offline;
    `notify(title, text)`: a desktop notification; `clock()`: now (aware)."""

    def __init__(
        self,
        *,
        tab: SlotsTab,
        banner: SlotEndBanner,
        lanes: TaskLanes,
        service: SlotService,
        snapshot: Callable[[], DeskSnapshot],
        go_offline: Callable[[], None],
        notify: Callable[[str, str], None],
        clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.tab, self.banner, self.lanes, self.service = tab, banner, lanes, service
        self._snapshot, self._go_offline, self._notify, self._clock = (
            snapshot, go_offline, notify, clock,
        )  # fmt: skip
        self.team_id = ""
        self._seq = 0
        self.reminders = SlotReminders()
        self.ends = EndOfSlot()
        self._proposed: Slot | None = None
        tab.book_requested.connect(self._on_tab_book_requested)
        tab.cancel_requested.connect(self._on_tab_cancel_requested)
        tab.reload_requested.connect(self.reload)
        banner.offline_requested.connect(self._on_banner_offline_requested)
        banner.dismissed.connect(self._on_banner_dismissed)
        self.timer = QTimer(self)
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self.tick)
        self.reload_timer = QTimer(self)
        self.reload_timer.setInterval(RELOAD_MS)
        self.reload_timer.timeout.connect(self.reload)
        # a burst of bookings (a new slot, a whole team booking it) is one read per desk,
        # spread over a second or two so the server does not get every desk at once
        self.event_timer = QTimer(self)
        self.event_timer.setSingleShot(True)
        self.event_timer.timeout.connect(self.reload)

    def set_team(self, team_id: str) -> None:
        """The agent's team (from /me): load its slots and start the clock."""
        if not team_id or team_id == self.team_id:
            return
        self.team_id = team_id
        self.reload()
        self.timer.start()
        self.reload_timer.start()

    def on_stream_event(self, event_type: str, data: object) -> None:
        """`slot_changed` of the agent's team: reload."""
        mine = isinstance(data, dict) and data.get("team_id") == self.team_id
        if event_type == "slot_changed" and mine and not self.event_timer.isActive():
            self.event_timer.start(EVENT_DELAY_MS + random.randrange(EVENT_SPREAD_MS))  # noqa: S311

    def reload(self) -> None:
        if not self.team_id:
            return
        self._seq += 1
        seq, team = self._seq, self.team_id
        start = self._clock().astimezone().replace(hour=0, minute=0, second=0, microsecond=0)

        def done(slots: tuple[Slot, ...]) -> None:
            if seq == self._seq:
                self.tab.show_slots(slots, self._clock())
                self.tick()

        def failed(exc: BaseException) -> None:
            if seq == self._seq:
                _log.info("the slots could not be read: %s", exc)
                self.tab.show_unavailable()

        self.lanes.net.run(lambda: self.service.week(team, start, start + WEEK), done, failed)

    def _act(self, call: Callable[[], Slot], done_text: Callable[[Slot], str]) -> None:
        self.tab.set_busy(True)
        self.tab.show_status(self.tr("Sending…"))

        def done(slot: Slot) -> None:
            self.tab.set_busy(False)
            self.tab.show_status(done_text(slot))
            self.reload()

        def failed(exc: BaseException) -> None:
            self.tab.set_busy(False)
            if isinstance(exc, SlotRefused):
                self.tab.show_status(refusal_text(exc.code, exc.notice_min))
            else:
                self.tab.show_status(self.tr("Not sent: the server cannot be reached. Try again."))
            self.reload()

        self.lanes.net.run(call, done, failed)

    def _on_tab_book_requested(self, slot_id: int) -> None:
        self._act(
            lambda: self.service.book(slot_id),
            lambda s: self.tr("Booked: {day} {span}.").format(
                day=day_label(s.starts_at), span=span_label(s)
            ),
        )

    def _on_tab_cancel_requested(self, slot_id: int) -> None:
        self._act(
            lambda: self.service.cancel(slot_id),
            lambda s: self.tr("Booking cancelled: {day} {span}.").format(
                day=day_label(s.starts_at), span=span_label(s)
            ),
        )

    def tick(self) -> None:
        """Reminders due now; the end-of-slot proposal when the desk is free."""
        now = self._clock()
        slots = self.tab.model.items()
        for reminder in self.reminders.due(slots, now):
            self._notify(
                self.tr("Your slot starts in {n} min").format(n=reminder.minutes),
                self.tr("{day} {span}").format(
                    day=day_label(reminder.slot.starts_at), span=span_label(reminder.slot)
                ),
            )
        snap = self._snapshot()
        busy = snap.screen is not Screen.IDLE or snap.call is not None
        if self._proposed is not None and busy:
            # a call came in over the proposal: hide it, ask again after the wrap-up
            self.banner.setVisible(False)
            self.ends.offered.discard(self._proposed.id)
            self._proposed = None
        found = self.ends.check(slots, now, snap.presence.state, call_in_progress=busy)
        if found is not None:
            self._proposed = found
            self.banner.propose(found)

    def _on_banner_offline_requested(self) -> None:
        self._proposed = None
        snap = self._snapshot()
        free = snap.screen is Screen.IDLE and snap.call is None  # still free: go
        if free and snap.presence.state is not AgentState.OFFLINE:
            self._go_offline()

    def _on_banner_dismissed(self) -> None:
        self._proposed = None

    def stop(self) -> None:
        self.timer.stop()
        self.reload_timer.stop()
        self.event_timer.stop()
