"""The team board as a Qt table model: one row per agent, live from the stream's events.

- Starts from GET /teams/{id}/board (`set_board`), then only events change it
  (`apply_event`): each one updates exactly one row's cells (`dataChanged` on that row),
  never a reset. A malformed event is logged at WARNING and dropped; nothing else is lost.
- One shared clock (`tick()`, every second from the console) repaints only the ticking
  columns (time in state, call, breaks total): two `dataChanged` ranges, not a reset.
- Sorting is numeric (`SORT_ROLE` carries numbers) and filtering by state or name lives
  in `BoardFilter` (ui/lead/board_filter.py), a `QSortFilterProxyModel`.
- Threshold colours come from the team's settings; colour is never the only signal: a
  cell over a threshold is bold with a ▲ (amber) or ▲▲ (red) and a tooltip that names
  the threshold.

What each cell says (its words, tooltip, the thresholds in words) is formatted in
ui/lead/board_text.py; the model computes a cell once per change or tick and caches it.
The clock is injected (tests use a fake one).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QModelRoleData,
    QModelRoleDataSpan,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont, QIcon

from homeagent.core import lead_board as lb
from homeagent.core.agent_state import AgentState
from homeagent.core.lead_records import (
    Board,
    BoardRow,
    MalformedPayload,
    PendingState,
    parse_agent_figures,
    parse_agent_state_event,
    parse_call_quality,
    parse_network_check,
    parse_state_change_pending,
)
from homeagent.core.lead_settings import DEFAULT_SETTINGS, TeamBoardSettings
from homeagent.ui.lead.board_text import (
    ALERT_MARK,
    COL_AGENT,
    COL_AHT,
    COL_BREAKS,
    COL_CALL,
    COL_HANDLED,
    COL_MISSED,
    COL_NETWORK,
    COL_QUALITY,
    COL_STATE,
    COL_TIME,
    COLUMN_COUNT,
    MARKS,
    cell_tooltip,
    headers,
    network_text,
    pending_text,
    plain_text,
    threshold_words,
)
from homeagent.ui.lead.headset import headset_icon
from homeagent.ui.qt.theme import palette_is_dark

log = logging.getLogger(__name__)

Index = QModelIndex | QPersistentModelIndex
Clock = Callable[[], dt.datetime]

SORT_ROLE = Qt.ItemDataRole.UserRole + 1  # numbers for numeric sorting
AGENT_ID_ROLE = Qt.ItemDataRole.UserRole + 2  # str
STATE_ROLE = Qt.ItemDataRole.UserRole + 3  # AgentState (the pill's colour)
PENDING_ROLE = Qt.ItemDataRole.UserRole + 4  # str: the pending change, "" when none
LEVEL_ROLE = Qt.ItemDataRole.UserRole + 5  # int (lead_board.Level)

# Repaints of rows that events changed are batched this long (at 200 events/s a repaint
# per event cost ~40 % of a core; batched, the latency budget still leaves room: p99 ≤ 100 ms)
FLUSH_MS = 40
BOARD_EVENTS = (
    "agent_state", "agent_figures", "call_quality", "state_change_pending", "network_check",
)  # fmt: skip
_CELL_ROLES = frozenset(
    int(r)
    for r in (
        Qt.ItemDataRole.DisplayRole,
        SORT_ROLE,
        LEVEL_ROLE,
        Qt.ItemDataRole.BackgroundRole,
        Qt.ItemDataRole.FontRole,
        Qt.ItemDataRole.ForegroundRole,
        Qt.ItemDataRole.ToolTipRole,
        Qt.ItemDataRole.AccessibleTextRole,
    )
)
_TICK_ROLES = [
    Qt.ItemDataRole.DisplayRole,
    SORT_ROLE,
    LEVEL_ROLE,
    Qt.ItemDataRole.BackgroundRole,
    Qt.ItemDataRole.ForegroundRole,
    Qt.ItemDataRole.FontRole,
    Qt.ItemDataRole.ToolTipRole,
    Qt.ItemDataRole.AccessibleTextRole,
]
_STATE_ORDER = {
    AgentState.RINGING: 0,
    AgentState.ON_CALL: 1,
    AgentState.WRAP_UP: 2,
    AgentState.AVAILABLE: 3,
    AgentState.NOT_READY: 4,
    AgentState.BREAK: 5,
    AgentState.OFFLINE: 6,
}
ALERTED = lb.Judged(lb.Level.ALARM)
# The roles a paint asks, as the plain numbers `multiData` receives (no enum per compare).
_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_DECORATION = int(Qt.ItemDataRole.DecorationRole)
_FONT = int(Qt.ItemDataRole.FontRole)
_ALIGNMENT = int(Qt.ItemDataRole.TextAlignmentRole)
_BACKGROUND = int(Qt.ItemDataRole.BackgroundRole)
_FOREGROUND = int(Qt.ItemDataRole.ForegroundRole)
_CHECK_STATE = int(Qt.ItemDataRole.CheckStateRole)
_LEFT = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_ALIGN = [_LEFT, _LEFT, _RIGHT, _LEFT, _RIGHT, _RIGHT, _RIGHT, _RIGHT, _LEFT, _LEFT]
_TINTS = {  # (light, dark) backgrounds of a cell over a threshold
    lb.Level.WARN: ("#FCE8B2", "#5C4A12"),
    lb.Level.ALARM: ("#FAD2CF", "#6B2420"),
}
_GOOD_INK = ("#2E7D32", "#81C784")  # (light, dark): the network badge's green dot


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _call_ticks(row: BoardRow) -> bool:
    """The call column counts seconds (not after the call, in wrap-up)."""
    return row.call is not None and row.state is not AgentState.WRAP_UP


class LeadBoardModel(QAbstractTableModel):
    """See the module docstring. Rows keep the server's order; the proxy sorts."""

    row_updated = Signal(str)  # payload: agent id whose row an event changed
    board_loaded = Signal()  # payload: none (a new board: the rows were reset)

    def __init__(self, clock: Clock = utc_now, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._clock = clock
        self._rows: list[lb.LiveRow] = []
        self._index: dict[str, int] = {}
        self._settings: TeamBoardSettings = DEFAULT_SETTINGS
        self._wrap_up_s = 0
        self._now = clock()
        self.team_id = ""
        self.team_name = ""
        self.dropped_events = 0  # malformed events logged and dropped
        self._queue_labels: dict[str, str] = {}
        self._alerts: dict[str, str] = {}  # agent id -> what the open alert says
        self._supervised: dict[str, str] = {}  # agent id -> "Écoute : Claire M."
        self._headset: QIcon | None = None
        # (row, column) -> (text, sort key, judged): each cell computed once per change or tick
        self._cells: dict[tuple[int, int], tuple[str, Any, lb.Judged]] = {}
        # rows changed by events since the last flush: the views hear of a row at most once
        # per FLUSH_MS, however many events a busy stream delivered meanwhile
        self._dirty: set[int] = set()
        self._flush_timer = QTimer(self)
        self._flush_timer.setSingleShot(True)
        self._flush_timer.setInterval(FLUSH_MS)
        self._flush_timer.timeout.connect(self.flush)
        self._brushes: dict[tuple[lb.Level, bool], QBrush] = {}
        self._bold = QFont()
        self._bold.setBold(True)

    # -- inputs --------------------------------------------------------------------------

    def set_board(self, board: Board) -> None:
        """A fresh board (GET /teams/{id}/board): the rows are replaced."""
        self.beginResetModel()
        self._now = self._clock()
        self.team_id, self.team_name = board.team_id, board.team_name
        self._wrap_up_s = board.wrap_up_s
        self._rows = [lb.LiveRow(row, board.generated_at) for row in board.agents]
        self._index = {live.row.agent_id: i for i, live in enumerate(self._rows)}
        self._cells.clear()
        self._dirty.clear()
        self.endResetModel()
        self.board_loaded.emit()

    def clear(self) -> None:
        self.beginResetModel()
        self._rows, self._index = [], {}
        self._cells.clear()
        self._dirty.clear()
        self.team_id = self.team_name = ""
        self.endResetModel()

    def set_settings(self, settings: TeamBoardSettings) -> None:
        """New thresholds: every cell's colour may change (no reset: selection stays)."""
        self._settings = settings
        self._cells.clear()
        if self._rows:
            self.dataChanged.emit(
                self.index(0, 0), self.index(len(self._rows) - 1, COLUMN_COUNT - 1)
            )

    def set_queue_labels(self, labels: dict[str, str]) -> None:
        """Queue names as the lead reads them (the queues' labels)."""
        if labels == self._queue_labels:
            return
        self._queue_labels = dict(labels)
        self._cells.clear()
        if self._rows:
            last = len(self._rows) - 1
            self.dataChanged.emit(self.index(0, COL_CALL), self.index(last, COL_CALL))

    def set_alerted(self, alerts: dict[str, str]) -> None:
        """The agents with an open alert and what it says (the alerts page calls it): their
        name is marked ⚑, bold on red, the alert in its tooltip, until the alert is gone."""
        changed = set(alerts) ^ set(self._alerts) | {
            a for a in alerts if self._alerts.get(a) != alerts[a]
        }
        self._alerts = dict(alerts)
        for agent_id in changed:
            i = self._index.get(agent_id)
            if i is not None:
                self._cells.pop((i, COL_AGENT), None)
                self.dataChanged.emit(self.index(i, COL_AGENT), self.index(i, COL_AGENT))

    def set_supervised(self, marks: dict[str, str]) -> None:
        """The agents in a supervision session and what their row says of it ("Écoute :
        Claire M."): a headset beside the name, the words after it, until it ends."""
        changed = set(marks) ^ set(self._supervised) | {
            a for a in marks if self._supervised.get(a) != marks[a]
        }
        self._supervised = dict(marks)
        for agent_id in changed:
            i = self._index.get(agent_id)
            if i is not None:
                self._cells.pop((i, COL_AGENT), None)
                self.dataChanged.emit(self.index(i, COL_AGENT), self.index(i, COL_AGENT))

    def supervised(self, agent_id: str) -> str:
        """What the row says of a supervision session on the agent ("" when none)."""
        return self._supervised.get(agent_id, "")

    @property
    def settings(self) -> TeamBoardSettings:
        return self._settings

    @property
    def wrap_up_s(self) -> int:
        return self._wrap_up_s

    def apply_event(self, event_type: str, data: object, event_id: int = 0) -> bool:
        """Apply one board event; True when it changed a row.

        Unknown agents (another team's, for an admin) are ignored; a malformed event is
        logged at WARNING and dropped."""
        route = f"event {event_id} ({event_type})"
        try:
            if event_type == "agent_state":
                ev = parse_agent_state_event(data, route=route)
                live = self._live(ev.agent_id)
                if live is None or ev.since < live.row.since:
                    return False  # not ours, or older than what the board shows
                return self._replace(ev.agent_id, lb.apply_state(live.row, ev), live.figures_at)
            if event_type == "agent_figures":
                fig = parse_agent_figures(data, route=route)
                live = self._live(fig.agent_id)
                if live is None:
                    return False
                return self._replace(
                    fig.agent_id, replace(live.row, today=fig.today), self._clock()
                )
            if event_type == "call_quality":
                q = parse_call_quality(data, route=route)
                live = self._live(q.agent_id)
                if live is None:
                    return False
                return self._replace(
                    q.agent_id, replace(live.row, quality=q.quality), live.figures_at
                )
            if event_type == "network_check":
                n = parse_network_check(data, route=route)
                live = self._live(n.agent_id)
                if live is None:
                    return False
                return self._replace(
                    n.agent_id, replace(live.row, network=n.network), live.figures_at
                )
            if event_type == "state_change_pending":
                p = parse_state_change_pending(data, route=route)
                live = self._live(p.agent_id)
                if live is None:
                    return False
                return self._replace(
                    p.agent_id, replace(live.row, pending=p.pending), live.figures_at
                )
        except MalformedPayload as exc:
            self.dropped_events += 1
            log.warning("dropped a malformed event: %s", exc)
            return False
        return False

    def set_pending(self, agent_id: str, pending: PendingState | None) -> None:
        """The answer of our own remote state change (the event will say the same)."""
        live = self._live(agent_id)
        if live is not None:
            self._replace(agent_id, replace(live.row, pending=pending), live.figures_at)

    def tick(self) -> None:
        """The shared 1 s clock: repaint only the cells that move with it — every row's
        time in state, the call's duration during a call, the break total on a break —
        each on its own: the board is sorted, so a run of model rows is scattered on
        screen, and one signal for the run would repaint every row between its ends (the
        board's idle cost at 50 agents is these repaints)."""
        self._now = self._clock()
        moved: list[tuple[int, int]] = []
        for i, live in enumerate(self._rows):
            self._cells.pop((i, COL_STATE), None)  # its sort key counts the time in state
            if self._retick(i, COL_TIME):
                moved.append((i, COL_TIME))
            if _call_ticks(live.row) and self._retick(i, COL_CALL):
                moved.append((i, COL_CALL))
            if live.row.state is AgentState.BREAK and self._retick(i, COL_BREAKS):
                moved.append((i, COL_BREAKS))
        for i, col in moved:
            cell = self.index(i, col)
            self.dataChanged.emit(cell, cell, _TICK_ROLES)

    def _retick(self, i: int, col: int) -> bool:
        """The cell computed at the new time; whether what it shows changed."""
        before = self._cells.pop((i, col), None)
        text, _sort, judged = self._cell(i, col)
        return before is None or before[0] != text or before[2] != judged

    # -- reading ---------------------------------------------------------------------------

    def now(self) -> dt.datetime:
        return self._now

    def rows(self) -> list[BoardRow]:
        return [live.row for live in self._rows]

    def live_rows(self) -> list[lb.LiveRow]:
        return list(self._rows)

    def live_at(self, i: int) -> lb.LiveRow | None:
        return self._rows[i] if 0 <= i < len(self._rows) else None

    def row_of(self, agent_id: str) -> BoardRow | None:
        live = self._live(agent_id)
        return live.row if live is not None else None

    def source_row(self, agent_id: str) -> int:
        return self._index.get(agent_id, -1)

    def _live(self, agent_id: str) -> lb.LiveRow | None:
        i = self._index.get(agent_id)
        return self._rows[i] if i is not None else None

    def _replace(self, agent_id: str, row: BoardRow, figures_at: dt.datetime) -> bool:
        i = self._index[agent_id]
        if self._rows[i].row == row and self._rows[i].figures_at == figures_at:
            return False
        self._rows[i] = lb.LiveRow(row, figures_at)
        for col in range(COLUMN_COUNT):
            self._cells.pop((i, col), None)
        self._dirty.add(i)
        if not self._flush_timer.isActive():
            self._flush_timer.start()
        return True

    def flush(self) -> None:
        """Tell the views which rows events changed (after the events queued now)."""
        self._flush_timer.stop()
        dirty, self._dirty = sorted(self._dirty), set()
        for i in dirty:
            if i < len(self._rows):
                self.dataChanged.emit(self.index(i, 0), self.index(i, COLUMN_COUNT - 1))
                self.row_updated.emit(self._rows[i].row.agent_id)

    def _cell(self, i: int, col: int) -> tuple[str, Any, lb.Judged]:
        cached = self._cells.get((i, col))
        if cached is None:
            live = self._rows[i]
            judged = self._judge(live, col)
            cached = (self._text(live, col, judged.level), self._sort_key(live, col), judged)
            self._cells[(i, col)] = cached
        return cached

    def _brush(self, level: lb.Level) -> QBrush:
        dark = palette_is_dark()
        brush = self._brushes.get((level, dark))
        if brush is None:
            light_colour, dark_colour = _TINTS[level]
            brush = QBrush(QColor(dark_colour if dark else light_colour))
            self._brushes[(level, dark)] = brush
        return brush

    # -- Qt model --------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else COLUMN_COUNT

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation is Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return headers()[section]
        return None

    # No `flags` override: the C++ default (enabled, selectable, no children) is the same
    # answer without a call into Python for every painted cell.

    def multiData(self, index: Index, roles: QModelRoleDataSpan | QModelRoleData, /) -> None:
        """Every role one paint asks of a cell (the delegate asks seven), in one call from
        Qt instead of seven (`BoardFilter.multiData` hands the views' calls here); the
        roles of a paint are answered here without going through `data`."""
        items: Any = [roles] if isinstance(roles, QModelRoleData) else roles  # (stubs: no len)
        i = index.row()
        if not 0 <= i < len(self._rows):
            for k in range(len(items)):
                items[k].clearData()
            return
        col = index.column()
        live = self._rows[i]
        text, _sort, judged = self._cell(i, col)
        level = judged.level
        for k in range(len(items)):
            item = items[k]
            role = item.role()
            if role == _DISPLAY:
                value: Any = text
            elif role == _ALIGNMENT:
                value = _ALIGN[col]
            elif role == _FONT:
                value = self._font(level)
            elif role == _BACKGROUND:
                value = self._background(level)
            elif role == _FOREGROUND:
                value = self._foreground(live, col, level)
            elif role == _DECORATION:
                value = self._decoration(live, col)
            elif role == _CHECK_STATE:
                value = None
            else:
                value = self.data(index, role)
            if value is None:  # an item may hold the last cell's value: a paint reuses them
                item.clearData()
            else:
                item.setData(value)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        live = self._rows[index.row()]
        col = index.column()
        if role == AGENT_ID_ROLE:
            return live.row.agent_id
        if role == STATE_ROLE:
            return live.row.state
        if role == PENDING_ROLE:
            return pending_text(live.row.pending) if col == COL_STATE else ""
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _ALIGN[col]
        if role == Qt.ItemDataRole.DecorationRole:
            return self._decoration(live, col)
        if role not in _CELL_ROLES:  # most of what a paint asks (size, check, colours…)
            return None
        text, sort_key, judged = self._cell(index.row(), col)
        if role == Qt.ItemDataRole.DisplayRole:
            return text
        if role == SORT_ROLE:
            return sort_key
        if role == LEVEL_ROLE:
            return int(judged.level)
        if role == Qt.ItemDataRole.BackgroundRole:
            return self._background(judged.level)
        if role == Qt.ItemDataRole.ForegroundRole:
            return self._foreground(live, col, judged.level)
        if role == Qt.ItemDataRole.FontRole:
            return self._font(judged.level)
        if role == Qt.ItemDataRole.ToolTipRole:
            return cell_tooltip(live, col, judged, self._alerts, self._supervised, self._settings)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            tip = threshold_words(col, judged, self._settings)
            return f"{text}. {tip}" if tip else text
        return None

    def _background(self, level: lb.Level) -> QBrush | None:
        return None if level is lb.Level.OK else self._brush(level)

    def _foreground(self, live: lb.LiveRow, col: int, level: lb.Level) -> QBrush | None:
        if col == COL_NETWORK and live.row.network is not None and level is lb.Level.OK:
            return QBrush(QColor(_GOOD_INK[1] if palette_is_dark() else _GOOD_INK[0]))
        return None

    def _font(self, level: lb.Level) -> QFont | None:
        return None if level is lb.Level.OK else self._bold

    def _decoration(self, live: lb.LiveRow, col: int) -> QIcon | None:
        if col == COL_AGENT and live.row.agent_id in self._supervised:
            if self._headset is None:
                self._headset = headset_icon()
            return self._headset
        return None

    # -- cells -----------------------------------------------------------------------------

    def _judge(self, live: lb.LiveRow, col: int) -> lb.Judged:
        if col == COL_AGENT:
            return ALERTED if live.row.agent_id in self._alerts else lb.OK
        s, now = self._settings, self._now
        if col == COL_TIME:
            return lb.judge_time_in_state(live, now, s, self._wrap_up_s)
        if col == COL_CALL:
            return lb.judge_call(live, now, s)
        if col == COL_AHT:
            return lb.judge_avg_handle(live.row, s)
        if col == COL_MISSED:
            return lb.judge_missed(live.row, s)
        if col == COL_QUALITY:
            return lb.judge_mos(live.row, s)
        if col == COL_NETWORK:
            return lb.judge_network(live.row)
        if col == COL_BREAKS:
            return lb.judge_breaks(live, now, s)
        return lb.OK

    def _text(self, live: lb.LiveRow, col: int, level: lb.Level) -> str:
        if col == COL_NETWORK:
            return network_text(live.row)
        now = self._now
        mark = ALERT_MARK if col == COL_AGENT and level is lb.Level.ALARM else MARKS.get(level, "")
        body = plain_text(live, col, now, self._supervised, self._queue_labels, self._settings)
        return f"{mark} {body}" if mark and body else body

    def _sort_key(self, live: lb.LiveRow, col: int) -> Any:
        row, now = live.row, self._now
        if col == COL_AGENT:
            return row.label.casefold()
        if col == COL_STATE:
            return _STATE_ORDER[row.state] * 1_000_000 - live.time_in_state_s(now)
        if col == COL_TIME:
            return live.time_in_state_s(now)
        if col == COL_CALL:
            seconds = live.call_s(now)
            return -1 if seconds is None or row.state is AgentState.WRAP_UP else seconds
        if col == COL_HANDLED:
            return row.today.calls_handled
        if col == COL_AHT:
            return row.today.avg_handle_s if row.today.calls_handled else -1
        if col == COL_BREAKS:
            return live.break_total_s(now)
        if col == COL_MISSED:
            return row.today.missed
        if col == COL_QUALITY:
            return row.quality.mos if row.quality is not None else 99.0
        if col == COL_NETWORK:  # the worst first when sorted descending; none last
            return int(lb.judge_network(row).level) if row.network is not None else -1
        return 0
