"""The lead's messages: a conversation per agent (both ways), team messages, a composer to
one agent, several or the whole team, and each sent message's per-recipient receipts.

History comes from the server (GET /messages, and GET /messages?agent_id= for one
conversation), so it survives restarts; live changes come through `apply_event`
(`message`, `message_receipt`). Counts ("Lu 2/2") move with the receipts events at once;
the "not yet read by" list of an urgent message is fetched once (GET …/receipts) and then
kept live by the same events (`homeagent.core.lead_receipts`). Every network call runs on
the net lane; a failed send keeps the draft and says why in the status line.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import uuid
from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from homeagent.core.lead_comms import (
    LeadMessage,
    MessagePriority,
    ReceiptCounts,
    ReceiptUpdate,
    RecipientReceipt,
)
from homeagent.core.lead_receipts import ReceiptBook
from homeagent.core.ports import LeadCommsApi
from homeagent.ui.lead.comms_common import clock_text, failure_text, highlight_brush, read_event
from homeagent.ui.qt.tasks import TaskRunner

_log = logging.getLogger(__name__)

TEAM = ""  # the key of the team messages' conversation (broadcasts, several agents)
TO_ONE, TO_SEVERAL, TO_TEAM = 0, 1, 2
ID_ROLE = Qt.ItemDataRole.UserRole


class MessagesPanel(QWidget):
    """Conversations, composer and receipts (see the module docstring)."""

    unread_changed = Signal(int)  # payload: agent messages to the leads not read yet

    def __init__(
        self,
        api: LeadCommsApi,
        net: TaskRunner,
        team_id: str,
        *,
        me_id: str = "",
        tz: dt.tzinfo | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._api = api
        self._net = net
        self._team_id = team_id
        self._me_id = me_id
        self._tz = tz
        self._agents: dict[str, str] = {}  # id → display name
        self._messages: dict[int, LeadMessage] = {}
        self._members: dict[str, set[int]] = {}  # agent → ids of its conversation
        self._book = ReceiptBook()
        self._unread: set[int] = set()
        self._unread_said = 0
        self._fetching: set[int] = set()
        self._marking: set[int] = set()
        self._current = TEAM
        self._draft: tuple[object, ...] | None = None
        self._draft_key = ""
        self._build()

    # --- layout -----------------------------------------------------------------------

    def _build(self) -> None:
        self.threads = QListWidget(self)
        self.threads.setAccessibleName(self.tr("Conversations"))
        self.threads.currentItemChanged.connect(self._on_threads_current_changed)
        self.view = QListWidget(self)
        self.view.setAccessibleName(self.tr("Messages of the conversation"))
        self.view.setWordWrap(True)
        self.view.currentItemChanged.connect(self._on_view_current_changed)
        self.receipts = QTableWidget(0, 4, self)
        self.receipts.setHorizontalHeaderLabels(
            [self.tr("Agent"), self.tr("Delivered"), self.tr("Read"), self.tr("Acknowledged")]
        )
        self.receipts.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.receipts.verticalHeader().setVisible(False)
        self.receipts.horizontalHeader().setStretchLastSection(True)
        self.receipts.setAccessibleName(self.tr("Receipts of the selected message"))
        self.receipts.setVisible(False)

        self.target = QComboBox(self)
        self.target.addItems(
            [self.tr("One agent"), self.tr("Several agents"), self.tr("The whole team")]
        )
        self.target.setAccessibleName(self.tr("Send to"))
        self.target.currentIndexChanged.connect(self._on_target_changed)
        self.one = QComboBox(self)
        self.one.setAccessibleName(self.tr("Agent"))
        self.pick = QListWidget(self)
        self.pick.setAccessibleName(self.tr("Agents to write to"))
        self.pick.setMaximumHeight(110)
        self.urgent = QCheckBox(self.tr("Urgent: must be acknowledged"), self)
        self.body = QPlainTextEdit(self)
        self.body.setPlaceholderText(self.tr("Write a message…"))
        self.body.setAccessibleName(self.tr("Message"))
        self.body.setMaximumHeight(90)
        self.send_button = QPushButton(self.tr("Send"), self)
        self.send_button.setToolTip(self.tr("Send (Ctrl+Enter)"))
        self.send_button.clicked.connect(self.send)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self.body, self.send)
        self.status = QLabel(self)
        self.status.setProperty("role", "muted")
        self.status.setWordWrap(True)

        right = QWidget(self)
        col = QVBoxLayout(right)
        col.setContentsMargins(0, 0, 0, 0)
        col.addWidget(self.view, 3)
        col.addWidget(self.receipts, 1)
        to_row = QHBoxLayout()
        to_row.addWidget(QLabel(self.tr("To:"), self))
        to_row.addWidget(self.target)
        to_row.addWidget(self.one, 3)
        to_row.addStretch(1)  # keeps the row in place while the agent list is hidden
        to_row.addWidget(self.urgent)
        col.addLayout(to_row)
        col.addWidget(self.pick)
        send_row = QHBoxLayout()
        send_row.addWidget(self.body, 1)
        send_row.addWidget(self.send_button, 0, Qt.AlignmentFlag.AlignBottom)
        col.addLayout(send_row)
        col.addWidget(self.status)
        split = QSplitter(self)
        split.addWidget(self.threads)
        split.addWidget(right)
        split.setStretchFactor(1, 3)
        split.setSizes([220, 780])
        QVBoxLayout(self).addWidget(split)
        self.target.setCurrentIndex(TO_TEAM)  # the team's messages are shown first
        self._on_target_changed(TO_TEAM)
        self._render_threads()

    # --- inputs from the composition ----------------------------------------------

    def set_agents(self, agents: Sequence[tuple[str, str]]) -> None:
        """The team's agents as (id, display name): conversations and recipients."""
        self._agents = dict(agents)
        current_one = self.one.currentData()
        self.one.clear()
        self.pick.clear()
        for agent_id, name in sorted(self._agents.items(), key=lambda a: a[1].casefold()):
            self.one.addItem(name, agent_id)
            item = QListWidgetItem(name, self.pick)
            item.setData(ID_ROLE, agent_id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
        if current_one is not None:
            self.one.setCurrentIndex(max(0, self.one.findData(current_one)))
        self._render_threads()

    def receipt_counts(self, message_id: int) -> ReceiptCounts | None:
        """Delivered / read / acknowledged of a sent message, as the panel shows them."""
        return self._book.counts(message_id)

    def start(self) -> None:
        """Load the history the lead sees (every conversation and team message)."""
        self._set_status(self.tr("Loading messages…"))
        self._net.run(self._api.read_lead_messages, self._on_history, self._on_history_failed)

    def compose_to(self, agent_ids: Sequence[str]) -> None:
        """The board's "message" action: the composer addressed, the conversation open."""
        ids = [a for a in agent_ids if a]
        if len(ids) == 1:
            self.open_conversation(ids[0])
            self.target.setCurrentIndex(TO_ONE)
            self.one.setCurrentIndex(max(0, self.one.findData(ids[0])))
        elif ids:
            self.target.setCurrentIndex(TO_SEVERAL)
            for row in range(self.pick.count()):
                item = self.pick.item(row)
                checked = item.data(ID_ROLE) in ids
                item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
        self.body.setFocus(Qt.FocusReason.OtherFocusReason)

    def open_conversation(self, agent_id: str) -> None:
        """Show one agent's conversation (fetched from the server) and mark it read."""
        self._current = agent_id
        self._render_threads()
        if agent_id != TEAM:
            self._net.run(
                lambda: self._api.read_lead_messages(agent_id=agent_id),
                lambda found: self._on_conversation(agent_id, found),
                self._on_history_failed,
            )
        self._render_view()
        self._mark_current_read()

    def unread_count(self) -> int:
        return len(self._unread)

    def apply_event(self, event_type: str, data: object) -> bool:
        """A `message` or `message_receipt` event; False when it was not for this panel
        (or malformed: logged, dropped alone)."""
        if event_type not in ("message", "message_receipt"):
            return False
        event = read_event(event_type, data)
        if isinstance(event, LeadMessage):
            self._take(event, live=True)
        elif isinstance(event, ReceiptUpdate):
            self._on_receipt(event)
        else:
            return False
        self._render_threads()
        self._render_view()
        return True

    # --- state ------------------------------------------------------------------------

    def _take(self, msg: LeadMessage, *, live: bool) -> None:
        self._messages[msg.id] = msg
        if msg.thread_agent_id is not None:
            self._members.setdefault(msg.thread_agent_id, set()).add(msg.id)
            if msg.thread_agent_id not in self._agents and msg.from_agent:
                self._agents[msg.thread_agent_id] = msg.sender_name
        elif msg.to_team_id is not None:
            for members in self._members.values():
                members.add(msg.id)  # the whole team: every loaded conversation has it
        if msg.counts is not None:
            self._book.track(msg)
            if msg.urgent:
                self._fetch_receipts(msg.id)
        if msg.from_agent:
            unread = msg.receipt.read_at is None if msg.receipt is not None else live
            if unread:
                self._unread.add(msg.id)
            else:
                self._unread.discard(msg.id)
            if unread and self._current == msg.thread_agent_id and self.isVisible():
                self._mark_current_read()
        self._emit_unread()

    def _emit_unread(self) -> None:
        if len(self._unread) != self._unread_said:
            self._unread_said = len(self._unread)
            self.unread_changed.emit(self._unread_said)

    def _on_receipt(self, update: ReceiptUpdate) -> None:
        msg = self._messages.get(update.message_id)
        if msg is not None and msg.from_agent and update.agent_id == self._me_id:
            if update.read_at is not None:  # read on another device of mine
                self._unread.discard(msg.id)
                self._emit_unread()
            return
        if self._book.apply(update) and not self._book.is_listed(update.message_id):
            self._fetch_receipts(update.message_id)

    def _fetch_receipts(self, message_id: int) -> None:
        if message_id in self._fetching or self._book.is_listed(message_id):
            return
        self._fetching.add(message_id)

        def done(listing: tuple[RecipientReceipt, ...]) -> None:
            self._fetching.discard(message_id)
            self._book.set_list(message_id, listing)
            self._render_view()

        def failed(exc: BaseException) -> None:
            self._fetching.discard(message_id)  # the next receipt event tries again

        self._net.run(lambda: self._api.read_message_receipts(message_id), done, failed)

    def _on_history(self, found: tuple[LeadMessage, ...]) -> None:
        for msg in found:
            self._take(msg, live=False)
        self._set_status("")
        self._render_threads()
        self._render_view()

    def _on_conversation(self, agent_id: str, found: tuple[LeadMessage, ...]) -> None:
        for msg in found:
            self._take(msg, live=False)
        self._members.setdefault(agent_id, set()).update(m.id for m in found)
        if self._current == agent_id:
            self._render_view()
            self._mark_current_read()
        self._render_threads()

    def _on_history_failed(self, exc: BaseException) -> None:
        self._set_status(
            self.tr("Message history unavailable: {why}").format(why=failure_text(exc))
        )

    def _mark_current_read(self) -> None:
        for message_id in sorted(self._unread):
            msg = self._messages[message_id]
            if msg.thread_agent_id != self._current or message_id in self._marking:
                continue
            self._marking.add(message_id)
            self._net.run(
                functools.partial(self._api.mark_message_read, message_id),
                functools.partial(self._on_marked_read, message_id),
                functools.partial(self._on_mark_failed, message_id),
            )

    def _on_marked_read(self, message_id: int, _update: ReceiptUpdate) -> None:
        self._marking.discard(message_id)
        self._unread.discard(message_id)
        self._emit_unread()
        self._render_threads()
        self._render_view()

    def _on_mark_failed(self, message_id: int, _exc: BaseException) -> None:
        self._marking.discard(message_id)  # stays unread; opening it again retries

    # --- sending ----------------------------------------------------------------------

    def _recipients(self) -> tuple[list[str], str | None]:
        mode = self.target.currentIndex()
        if mode == TO_TEAM:
            return [], self._team_id
        if mode == TO_ONE:
            agent = self.one.currentData()
            return ([agent] if agent else []), None
        checked = [
            self.pick.item(r).data(ID_ROLE)
            for r in range(self.pick.count())
            if self.pick.item(r).checkState() == Qt.CheckState.Checked
        ]
        return checked, None

    def send(self) -> None:
        """Send the draft; the draft stays until the server took it."""
        body = self.body.toPlainText().strip()
        agents, team = self._recipients()
        if not body:
            self._set_status(self.tr("Write the message first."))
            return
        if not agents and team is None:
            self._set_status(self.tr("Choose who the message is for."))
            return
        priority: MessagePriority = "urgent" if self.urgent.isChecked() else "normal"
        draft = (body, tuple(agents), team, priority)
        if draft != self._draft:  # a retry of the same draft reuses its key: never twice
            self._draft, self._draft_key = draft, str(uuid.uuid4())
        key = self._draft_key
        self.send_button.setEnabled(False)
        self._set_status(self.tr("Sending…"))

        def job() -> LeadMessage:
            return self._api.send_lead_message(
                body, priority=priority, to_agent_ids=agents, to_team_id=team, idempotency_key=key
            )

        self._net.run(job, lambda m: self._on_sent(m, agents), self._on_send_failed)

    def _on_sent(self, msg: LeadMessage, agents: list[str]) -> None:
        self.send_button.setEnabled(True)
        self._draft = None
        self.body.clear()
        for agent in agents:
            self._members.setdefault(agent, set()).add(msg.id)
        self._take(msg, live=False)
        if msg.to_team_id is not None:
            self._set_status(self.tr("Sent to the whole team."))
        elif len(agents) == 1:
            self._set_status(self.tr("Sent to {name}.").format(name=self._name(agents[0])))
        else:
            self._set_status(self.tr("Sent to {count} agents.").format(count=len(agents)))
        self._render_threads()
        self._render_view()

    def _on_send_failed(self, exc: BaseException) -> None:
        self.send_button.setEnabled(True)
        self._set_status(
            self.tr("Not sent (the draft is kept): {why}").format(why=failure_text(exc))
        )

    # --- rendering --------------------------------------------------------------------

    def _name(self, agent_id: str) -> str:
        return self._agents.get(agent_id, agent_id)

    def _set_status(self, text: str) -> None:
        self.status.setText(text)
        self.status.setAccessibleName(text)

    def _unread_of(self, agent_id: str) -> int:
        return sum(1 for m in self._unread if self._messages[m].thread_agent_id == agent_id)

    def _render_threads(self) -> None:
        self.threads.blockSignals(True)
        self.threads.clear()
        rows = [(TEAM, self.tr("Team messages"))]
        rows += sorted(self._agents.items(), key=lambda a: a[1].casefold())
        for key, name in rows:
            unread = self._unread_of(key) if key else 0
            text = (
                self.tr("{name} ({count} unread)").format(name=name, count=unread)
                if unread
                else name
            )
            item = QListWidgetItem(text, self.threads)
            item.setData(ID_ROLE, key)
            if unread:
                font = QFont(item.font())
                font.setBold(True)
                item.setFont(font)
            if key == self._current:
                self.threads.setCurrentItem(item)
        self.threads.blockSignals(False)

    def _conversation(self) -> list[LeadMessage]:
        if self._current == TEAM:
            found = [m for m in self._messages.values() if m.thread_agent_id is None]
        else:
            ids = self._members.get(self._current, set())
            found = [self._messages[i] for i in ids if i in self._messages]
        return sorted(found, key=lambda m: (m.created_at, m.id))

    def receipt_text(self, message_id: int) -> str:
        """The receipt lines of a sent message ("Lu 1/2 · …"; "" for an agent's)."""
        counts = self._book.counts(message_id)
        msg = self._messages.get(message_id)
        if counts is None or msg is None:
            return ""
        parts = [
            self.tr("Delivered {n}/{total}").format(n=counts.delivered, total=counts.recipients),
            self.tr("Read {n}/{total}").format(n=counts.read, total=counts.recipients),
        ]
        if msg.urgent:
            parts.append(
                self.tr("Acknowledged {n}/{total}").format(n=counts.acked, total=counts.recipients)
            )
        lines = [" · ".join(parts)]
        not_read = self._book.not_read_by(message_id)
        if msg.urgent and not_read:
            names = ", ".join(r.display_name or self._name(r.agent_id) for r in not_read)
            lines.append(self.tr("Not yet read by: {names}").format(names=names))
        not_acked = self._book.not_acked_by(message_id)
        if msg.urgent and not_acked:
            names = ", ".join(r.display_name or self._name(r.agent_id) for r in not_acked)
            lines.append(self.tr("Not yet acknowledged by: {names}").format(names=names))
        return "\n".join(lines)

    def _render_view(self) -> None:
        selected = self.view.currentItem().data(ID_ROLE) if self.view.currentItem() else None
        before = self.view.count()
        bar = self.view.verticalScrollBar()
        at_end = bar.value() >= bar.maximum() - 2
        self.view.blockSignals(True)
        self.view.clear()
        for msg in self._conversation():
            head = [msg.sender_name, clock_text(msg.created_at, self._tz)]
            if msg.urgent:
                head.append(self.tr("Urgent"))
            if msg.id in self._unread:
                head.append(self.tr("New"))
            lines = [" · ".join(head), msg.body]
            receipt = self.receipt_text(msg.id)
            if receipt:
                lines.append(receipt)
            item = QListWidgetItem("\n".join(lines), self.view)
            item.setData(ID_ROLE, msg.id)
            if not msg.from_agent:
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if msg.urgent and (self._book.not_acked_by(msg.id) or msg.id in self._unread):
                item.setBackground(highlight_brush("urgent"))
            if msg.id == selected:
                self.view.setCurrentItem(item)
        self.view.blockSignals(False)
        if self.view.count() != before or at_end:
            self.view.scrollToBottom()  # a new message; a receipt never moves the reader
        else:
            bar.setValue(min(bar.value(), bar.maximum()))
        self._render_receipts()

    def _render_receipts(self) -> None:
        item = self.view.currentItem()
        message_id = item.data(ID_ROLE) if item is not None else None
        if message_id is None or message_id not in self._book:
            self.receipts.setVisible(False)
            return
        if not self._book.is_listed(message_id):
            self._fetch_receipts(message_id)
        rows = self._book.recipients(message_id)
        self.receipts.setRowCount(len(rows))

        def when(moment: dt.datetime | None) -> str:
            return clock_text(moment, self._tz) if moment is not None else "—"

        for row, rec in enumerate(rows):
            cells = (rec.display_name or self._name(rec.agent_id), when(rec.delivered_at),
                     when(rec.read_at), when(rec.acked_at))  # fmt: skip
            for col, text in enumerate(cells):
                self.receipts.setItem(row, col, QTableWidgetItem(text))
        self.receipts.setVisible(True)

    # --- slots ------------------------------------------------------------------------

    def _on_threads_current_changed(self, item: QListWidgetItem | None, _old: object) -> None:
        if item is not None:
            key = item.data(ID_ROLE)
            if key != self._current:
                self.open_conversation(key)
                if key == TEAM:
                    self.target.setCurrentIndex(TO_TEAM)
                else:
                    self.target.setCurrentIndex(TO_ONE)
                    self.one.setCurrentIndex(max(0, self.one.findData(key)))

    def _on_view_current_changed(self, _item: object, _old: object) -> None:
        self._render_receipts()

    def _on_target_changed(self, index: int) -> None:
        self.one.setVisible(index == TO_ONE)
        self.pick.setVisible(index == TO_SEVERAL)
