"""The console's shift-slot page ("Créneaux"): a week of the team's slots, opening,
editing and cancelling them, and planned vs actual — per slot who booked, who was on
time, late or absent, who was in without a booking, and who worked outside any slot.

Loads GET /teams/{id}/slot-adherence for the week shown on the net lane; reloads on the
stream's `slot_changed` (coalesced) and every minute (lateness moves with the clock).
Failures are said in the status line; the last week shown stays on screen.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from PySide6.QtCore import (
    QCoreApplication,
    QDate,
    QDateTime,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTime,
    QTimer,
    Signal,
)
from PySide6.QtGui import QBrush
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableView,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from homeagent.core.slots import (
    MAX_GRACE_MIN,
    MAX_NOTICE_MIN,
    Adherence,
    Attendance,
    LeadSlotService,
    SlotAdherence,
    SlotDraft,
    SlotRefused,
    SlotRules,
    Unplanned,
)
from homeagent.core.timefmt import format_duration
from homeagent.ui.desk.models import local_time
from homeagent.ui.desk.slots import day_label, span_label
from homeagent.ui.lead.comms_common import failure_text, highlight_brush, utc_now
from homeagent.ui.qt.record_models import RecordTable
from homeagent.ui.qt.tasks import TaskRunner

_Index = QModelIndex | QPersistentModelIndex
WEEK = dt.timedelta(days=7)
REFRESH_MS = 60_000
EVENT_COALESCE_MS = 500


def status_name(status: str) -> str:
    return {
        "upcoming": QCoreApplication.translate("SlotsPage", "Expected"),
        "on_time": QCoreApplication.translate("SlotsPage", "On time"),
        "late": QCoreApplication.translate("SlotsPage", "Late"),
        "absent": QCoreApplication.translate("SlotsPage", "Absent"),
        "not_yet": QCoreApplication.translate("SlotsPage", "Not there yet"),
    }.get(status, status)


def _minutes(seconds: int) -> str:
    return (
        QCoreApplication.translate("SlotsPage", "{n} min").format(n=max(1, round(seconds / 60)))
        if seconds
        else "0 min"
    )


def attendance_line(a: Attendance) -> str:
    """ "Léa Martin — En retard (+12 min, 18:12)"."""
    text = f"{a.agent.name} — {status_name(a.status)}"
    if a.status == "late" and a.arrived_at is not None:
        text += QCoreApplication.translate("SlotsPage", " (+{late}, {at})").format(
            late=_minutes(a.late_s), at=local_time(a.arrived_at)
        )
    if a.left_at is not None:
        text += QCoreApplication.translate("SlotsPage", ", left at {at}").format(
            at=local_time(a.left_at)
        )
    return text


def week_start(moment: dt.datetime) -> dt.datetime:
    """Monday 00:00 (local) of the week of `moment`, as aware UTC."""
    local = moment.astimezone()
    monday = local.date() - dt.timedelta(days=local.weekday())
    midnight = dt.datetime(monday.year, monday.month, monday.day).astimezone()
    return midnight.astimezone(dt.UTC)


class SlotAdherenceModel(RecordTable[SlotAdherence]):
    """One row per slot: when, places, who booked, and how they kept it."""

    COLUMNS = ("when", "places", "on_time", "late", "absent", "unbooked")

    def row_of(self, slot_id: int) -> int:
        return next((i for i, r in enumerate(self.items()) if r.slot.id == slot_id), -1)

    def headers(self) -> tuple[str, ...]:
        return (
            QCoreApplication.translate("SlotsPage", "Slot"),
            QCoreApplication.translate("SlotsPage", "Booked"),
            QCoreApplication.translate("SlotsPage", "On time"),
            QCoreApplication.translate("SlotsPage", "Late"),
            QCoreApplication.translate("SlotsPage", "Absent"),
            QCoreApplication.translate("SlotsPage", "In without a slot"),
        )

    def cell(self, row: SlotAdherence, col: int, role: int) -> object:
        column = self.COLUMNS[col]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(row, column)
        if role == Qt.ItemDataRole.BackgroundRole:
            late = any(a.status in ("late", "not_yet") for a in row.booked)
            absent = any(a.status == "absent" for a in row.booked)
            if column == "absent" and absent:
                return highlight_brush("urgent")
            if column == "late" and late:
                return highlight_brush("warn")
            return QBrush()
        if role == Qt.ItemDataRole.ToolTipRole:
            lines = [row.slot.note] if row.slot.note else []
            lines += [attendance_line(a) for a in row.booked]
            return "\n".join(lines) or None
        return None

    def _text(self, row: SlotAdherence, column: str) -> str:
        slot = row.slot
        names: Callable[[str], str] = lambda status: ", ".join(  # noqa: E731
            a.agent.name for a in row.booked if a.status == status
        )
        if column == "when":  # the note in the tooltip and the detail
            return f"{day_label(slot.starts_at)}  {span_label(slot)}"
        if column == "places":
            return QCoreApplication.translate("SlotsPage", "{booked} / {capacity}").format(
                booked=slot.booked, capacity=slot.capacity
            )
        if column == "on_time":
            return names("on_time") or ("—" if row.booked and _started(row) else "")
        if column == "late":
            late = [a for a in row.booked if a.status in ("late", "not_yet")]
            return ", ".join(
                f"{a.agent.name} (+{_minutes(a.late_s)})" if a.status == "late" else a.agent.name
                for a in late
            )
        if column == "absent":
            return names("absent")
        return ", ".join(u.agent.name for u in row.in_without_slot)


def _started(row: SlotAdherence) -> bool:
    return any(a.status != "upcoming" for a in row.booked)


class SlotEditor(QDialog):
    """Open or edit a slot: day, start, end (local times), capacity, note."""

    def __init__(
        self,
        parent: QWidget | None,
        *,
        title: str,
        start: dt.datetime,
        end: dt.datetime,
        capacity: int = 4,
        note: str = "",
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        local_start, local_end = start.astimezone(), end.astimezone()
        self.day = QDateEdit(QDate(local_start.year, local_start.month, local_start.day), self)
        self.day.setCalendarPopup(True)
        self.start = QTimeEdit(QTime(local_start.hour, local_start.minute), self)
        self.end = QTimeEdit(QTime(local_end.hour, local_end.minute), self)
        for edit in (self.start, self.end):
            edit.setDisplayFormat("HH:mm")
        self.capacity = QSpinBox(self)
        self.capacity.setRange(1, 500)
        self.capacity.setValue(capacity)
        self.note = QLineEdit(note, self)
        self.note.setMaxLength(200)
        self.problem = QLabel(self)
        self.problem.setWordWrap(True)
        self.problem.setProperty("role", "muted")
        form = QFormLayout()
        form.addRow(self.tr("Day"), self.day)
        form.addRow(self.tr("Start"), self.start)
        form.addRow(self.tr("End"), self.end)
        form.addRow(self.tr("Places"), self.capacity)
        form.addRow(self.tr("Note"), self.note)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self._on_buttons_accepted)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)

    def draft(self) -> SlotDraft:
        """The slot as entered; an end at or before the start means the next day (a
        night slot 22:00–02:00). Local times become aware UTC (summer time included)."""
        day = self.day.date()

        def at(t: QTime, days: int = 0) -> dt.datetime:
            stamp = QDateTime(day.addDays(days), t)
            return dt.datetime.fromtimestamp(stamp.toSecsSinceEpoch(), dt.UTC)

        start = at(self.start.time())
        end = at(self.end.time())
        if end <= start:
            end = at(self.end.time(), 1)
        return SlotDraft(start, end, self.capacity.value(), self.note.text().strip())

    def _on_buttons_accepted(self) -> None:
        d = self.draft()
        if d.ends_at - d.starts_at < dt.timedelta(minutes=15):
            self.problem.setText(self.tr("A slot lasts at least 15 minutes."))
            return
        if d.ends_at - d.starts_at > dt.timedelta(hours=12):
            self.problem.setText(self.tr("A slot lasts at most 12 hours."))
            return
        self.accept()


class RulesEditor(QDialog):
    """The team's slot rules: booking notice, cancelling notice, lateness grace."""

    def __init__(self, parent: QWidget | None, rules: SlotRules) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Slot rules"))
        self.book = self._spin(rules.book_notice_min, MAX_NOTICE_MIN)
        self.cancel = self._spin(rules.cancel_notice_min, MAX_NOTICE_MIN)
        self.grace = self._spin(rules.late_grace_min, MAX_GRACE_MIN)
        form = QFormLayout()
        form.addRow(self.tr("Book at least (before the start)"), self.book)
        form.addRow(self.tr("Cancel at least (before the start)"), self.cancel)
        form.addRow(self.tr("Late after (past the start)"), self.grace)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def _spin(self, value: int, top: int) -> QSpinBox:
        spin = QSpinBox(self)
        spin.setRange(0, top)
        spin.setSuffix(self.tr(" min"))
        spin.setValue(value)
        return spin

    def rules(self) -> SlotRules:
        return SlotRules(self.book.value(), self.cancel.value(), self.grace.value())


def _ask_rules(parent: QWidget, current: SlotRules) -> SlotRules | None:
    dialog = RulesEditor(parent, current)
    return dialog.rules() if dialog.exec() == QDialog.DialogCode.Accepted else None


EditorFactory = Callable[[QWidget, str, SlotDraft | None], SlotDraft | None]
RulesFactory = Callable[[QWidget, SlotRules], SlotRules | None]


def _ask(parent: QWidget, title: str, current: SlotDraft | None) -> SlotDraft | None:
    now = utc_now()
    base = current or SlotDraft(
        (now + dt.timedelta(days=1)).replace(minute=0, second=0, microsecond=0),
        (now + dt.timedelta(days=1, hours=2)).replace(minute=0, second=0, microsecond=0),
        4,
    )
    dialog = SlotEditor(
        parent, title=title, start=base.starts_at, end=base.ends_at, capacity=base.capacity,
        note=base.note,
    )  # fmt: skip
    return dialog.draft() if dialog.exec() == QDialog.DialogCode.Accepted else None


class SlotsPage(QWidget):
    """See the module docstring. `ask(parent, title, current)` asks the lead for a slot
    (the editor dialog by default; tests pass their own)."""

    loaded = Signal()  # payload: none (a week was shown)

    def __init__(
        self,
        service: LeadSlotService,
        net: TaskRunner,
        team_id: str,
        *,
        clock: Callable[[], dt.datetime] = utc_now,
        ask: EditorFactory = _ask,
        ask_rules: RulesFactory = _ask_rules,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("SlotsPage")
        self._service, self._net, self._team_id = service, net, team_id
        self._clock, self._ask, self._ask_rules = clock, ask, ask_rules
        self._seq = 0
        self._keep_status = False
        self.report: Adherence | None = None
        self.week = week_start(clock())
        self.model = SlotAdherenceModel(self)
        self.previous = QPushButton(self.tr("◀ Previous week"), self)
        self.previous.clicked.connect(lambda: self._move(-1))
        self.next = QPushButton(self.tr("Next week ▶"), self)
        self.next.clicked.connect(lambda: self._move(1))
        self.week_label = QLabel(self)
        self.week_label.setObjectName("WeekLabel")
        self.new = QPushButton(self.tr("New slot…"), self)
        self.new.clicked.connect(self._on_new_clicked)
        self.edit = QPushButton(self.tr("Edit…"), self)
        self.edit.clicked.connect(self._on_edit_clicked)
        self.cancel = QPushButton(self.tr("Cancel the slot"), self)
        self.cancel.clicked.connect(self._on_cancel_clicked)
        self.rules_button = QPushButton(self.tr("Rules…"), self)
        self.rules_button.clicked.connect(self._on_rules_clicked)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setAccessibleName(self.tr("The week's slots"))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setTabKeyNavigation(False)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        for column in range(2, len(SlotAdherenceModel.COLUMNS)):
            # the lists of names share the width (elided; the tooltip and the detail
            # below have them all)
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._show_detail())
        self.detail = QLabel(self)
        self.detail.setObjectName("SlotDetail")
        self.detail.setWordWrap(True)
        self.detail.setTextFormat(Qt.TextFormat.PlainText)
        self.detail.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.loose = QLabel(self)
        self.loose.setObjectName("InWithoutSlot")
        self.loose.setWordWrap(True)
        self.status = QLabel(self)
        self.status.setProperty("role", "muted")
        self.status.setWordWrap(True)
        bar = QHBoxLayout()
        for widget in (self.previous, self.week_label, self.next):
            bar.addWidget(widget)
        bar.addStretch(1)
        for widget in (self.new, self.edit, self.cancel, self.rules_button):
            bar.addWidget(widget)
        split = QSplitter(Qt.Orientation.Vertical, self)
        split.addWidget(self.table)
        split.addWidget(self.detail)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(split, 1)
        layout.addWidget(self.loose)
        layout.addWidget(self.status)
        self._coalesce = QTimer(self)
        self._coalesce.setSingleShot(True)
        self._coalesce.setInterval(EVENT_COALESCE_MS)
        self._coalesce.timeout.connect(self.load)
        self._refresh = QTimer(self)
        self._refresh.setInterval(REFRESH_MS)
        self._refresh.timeout.connect(self.load)
        self._update_buttons()

    # --- loading ----------------------------------------------------------------------

    def start(self) -> None:
        self.load()
        self._refresh.start()

    def stop(self) -> None:
        self._refresh.stop()
        self._coalesce.stop()

    def load(self) -> None:
        self._seq += 1
        seq, start, team = self._seq, self.week, self._team_id
        self.week_label.setText(
            self.tr("Week of {day}").format(day=day_label(start + dt.timedelta(hours=12)))
        )

        def done(report: Adherence) -> None:
            if seq == self._seq:
                self._show(report)

        def failed(exc: BaseException) -> None:
            if seq == self._seq:
                self.status.setText(failure_text(exc))

        self._net.run(lambda: self._service.adherence(team, start, start + WEEK), done, failed)

    def apply_event(self, event_type: str, data: object) -> bool:
        """`slot_changed` of this team: reload soon (several changes, one read)."""
        if event_type != "slot_changed" or not isinstance(data, dict):
            return False
        if data.get("team_id") != self._team_id:
            return False
        self._coalesce.start()
        return True

    def _move(self, weeks: int) -> None:
        self.week = week_start(self.week + weeks * WEEK + dt.timedelta(hours=12))
        self.load()

    def _show(self, report: Adherence) -> None:
        selected = self._selected()
        self.report = report
        self.model.set_items(report.slots)
        if selected is not None and (row := self.model.row_of(selected.slot.id)) >= 0:
            self.table.selectRow(row)
        self.loose.setText(self._loose_text(report.in_without_slot))
        if not report.slots:
            self.status.setText(self.tr("No slot this week: open one with “New slot…”."))
        elif not self._keep_status:  # what was just done stays said; an old failure goes
            self.status.setText("")
        self._keep_status = False
        self._show_detail()
        self._update_buttons()
        self.loaded.emit()

    def _loose_text(self, loose: Sequence[Unplanned]) -> str:
        if not loose:
            return self.tr("Nobody worked outside a slot this week.")
        people = ", ".join(f"{u.agent.name} ({format_duration(u.in_s)})" for u in loose)
        return self.tr("In without a slot this week: {people}").format(people=people)

    def _selected(self) -> SlotAdherence | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.item(rows[0].row()) if rows else None

    def _show_detail(self) -> None:
        row = self._selected()
        self._update_buttons()
        if row is None:
            self.detail.setText(self.tr("Select a slot to see who booked it and how it went."))
            return
        slot = row.slot
        lines = [
            self.tr("{day} {span} — {booked} booked of {capacity}").format(
                day=day_label(slot.starts_at),
                span=span_label(slot),
                booked=slot.booked,
                capacity=slot.capacity,
            )
            + (f" · {slot.note}" if slot.note else "")
        ]
        lines += [f"  • {attendance_line(a)}" for a in row.booked]
        if not row.booked:
            lines.append(self.tr("  Nobody booked it."))
        for u in row.in_without_slot:
            lines.append(
                self.tr("  • {name} — in without a booking ({time})").format(
                    name=u.agent.name, time=format_duration(u.in_s)
                )
            )
        self.detail.setText("\n".join(lines))

    def _update_buttons(self) -> None:
        row = self._selected()
        future = row is not None and row.slot.starts_at > self._clock()
        self.edit.setEnabled(future)
        self.cancel.setEnabled(future)

    # --- changes ----------------------------------------------------------------------

    def _run(self, call: Callable[[], object], done_text: str) -> None:
        self.status.setText(self.tr("Sending…"))

        def done(_result: object) -> None:
            self._keep_status = True
            self.status.setText(done_text)
            self.load()

        def failed(exc: BaseException) -> None:
            self._keep_status = True
            self.status.setText(
                refusal_for_lead(exc) if isinstance(exc, SlotRefused) else failure_text(exc)
            )
            self.load()

        self._net.run(call, done, failed)

    def _on_new_clicked(self) -> None:
        draft = self._ask(self, self.tr("New slot"), None)
        if draft is not None:
            team = self._team_id
            self._run(lambda: self._service.create(team, draft), self.tr("Slot opened."))

    def _on_edit_clicked(self) -> None:
        row = self._selected()
        if row is None:
            return
        s = row.slot
        current = SlotDraft(s.starts_at, s.ends_at, s.capacity, s.note)
        draft = self._ask(self, self.tr("Edit the slot"), current)
        if draft is not None:
            self._run(lambda: self._service.edit(s.id, draft), self.tr("Slot changed."))

    def _on_cancel_clicked(self) -> None:
        row = self._selected()
        if row is None:
            return
        slot_id = row.slot.id
        text = self.tr("Slot cancelled; the agents who booked it are told.")
        self._run(lambda: self._service.cancel_slot(slot_id), text)

    def _on_rules_clicked(self) -> None:
        """Read the rules, ask, save (each step on the net lane; failures said)."""
        team = self._team_id

        def edit(current: SlotRules) -> None:
            wanted = self._ask_rules(self, current)
            if wanted is not None:
                self._run(
                    lambda: self._service.set_rules(team, wanted),
                    self.tr("Rules saved: book {book} min, cancel {cancel} min before.").format(
                        book=wanted.book_notice_min, cancel=wanted.cancel_notice_min
                    ),
                )

        self._net.run(
            lambda: self._service.rules(team),
            edit,
            lambda exc: self.status.setText(failure_text(exc)),
        )


def refusal_for_lead(exc: SlotRefused) -> str:
    return {
        "slot_has_bookings": QCoreApplication.translate(
            "SlotsPage",
            "Agents have booked this slot: its times cannot change. Cancel it and open another.",
        ),
        "capacity_below_bookings": QCoreApplication.translate(
            "SlotsPage", "More agents have booked it than that capacity."
        ),
        "slot_started": QCoreApplication.translate(
            "SlotsPage", "This slot has started: it can no longer change."
        ),
        "slot_in_past": QCoreApplication.translate("SlotsPage", "A slot must start in the future."),
        "slot_cancelled": QCoreApplication.translate(
            "SlotsPage", "This slot was already cancelled."
        ),
    }.get(exc.code, exc.message)
