"""The board's filter and sort: numeric sorting (`SORT_ROLE`), a state filter, a name search."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import (
    QCoreApplication,
    QModelIndex,
    QModelRoleData,
    QModelRoleDataSpan,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    QTimer,
)

from homeagent.core.agent_state import AgentState
from homeagent.ui.lead.board_model import AGENT_ID_ROLE, SORT_ROLE, LeadBoardModel
from homeagent.ui.qt.labels import state_name

Index = QModelIndex | QPersistentModelIndex


REORDER_MS = 500  # live changes re-sort and re-filter the rows at most twice a second


class BoardFilter(QSortFilterProxyModel):
    """Sorts numerically (`SORT_ROLE`), filters by states and by a name search.

    Live changes (events, the ticking clock) re-sort and re-filter at most every
    `REORDER_MS`, not at each event: a busy stream would otherwise sort the whole board
    hundreds of times a second (most of the GUI thread's time), and rows would jump under
    the lead's pointer. A cell's new value is painted at once; only its place waits.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)
        self.setDynamicSortFilter(False)
        self._states: frozenset[AgentState] | None = None
        self._needle = ""
        self._reorder = QTimer(self)
        self._reorder.setSingleShot(True)
        self._reorder.setInterval(REORDER_MS)
        self._reorder.timeout.connect(self.reorder)
        self._board: LeadBoardModel | None = None  # the source, when it is the board

    def setSourceModel(self, model: object) -> None:  # type: ignore[override]
        super().setSourceModel(model)  # type: ignore[arg-type]
        self._board = model if isinstance(model, LeadBoardModel) else None
        if self._board is not None:  # rows that events changed (not the clock's ticks:
            # every row's times move alike, so the order and the filter stay)
            self._board.row_updated.connect(self._on_source_row_updated)

    def _on_source_row_updated(self, _agent_id: str) -> None:
        if not self._reorder.isActive():
            self._reorder.start()

    def multiData(self, index: Index, roles: QModelRoleDataSpan | QModelRoleData, /) -> None:
        """A painted cell's roles in one call into the board (Qt's default asks `data` role
        by role, and each call crosses this proxy: the idle board's main cost)."""
        if self._board is not None:
            self._board.multiData(self.mapToSource(index), roles)
        else:
            super().multiData(index, roles)

    def reorder(self) -> None:
        """Re-apply the filter and the sort to the rows' current values (now)."""
        self._reorder.stop()
        self.invalidate()
        if self.sortColumn() >= 0:
            self.sort(self.sortColumn(), self.sortOrder())

    def set_states(self, states: Iterable[AgentState] | None) -> None:
        """Show only these states (None: all)."""
        self.beginFilterChange()
        self._states = frozenset(states) if states is not None else None
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def set_search(self, text: str) -> None:
        self.beginFilterChange()
        self._needle = text.strip().casefold()
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        model = self.sourceModel()
        if not isinstance(model, LeadBoardModel):
            return True
        live = model.live_at(source_row)
        if live is None:
            return False
        row = live.row
        if self._states is not None and row.state not in self._states:
            return False
        if self._needle:
            hay = f"{row.display_name} {row.name}".casefold()
            return self._needle in hay
        return True

    def agent_id(self, proxy_row: int) -> str:
        return str(self.data(self.index(proxy_row, 0), AGENT_ID_ROLE) or "")


def state_filter_choices() -> list[tuple[str, frozenset[AgentState] | None]]:
    """The state filter's entries: all, then each state family."""
    s = AgentState
    return [
        (QCoreApplication.translate("LeadBoard", "All states"), None),
        (state_name(s.AVAILABLE), frozenset({s.AVAILABLE})),
        (
            QCoreApplication.translate("LeadBoard", "In a call (ringing, on call, wrap-up)"),
            frozenset({s.RINGING, s.ON_CALL, s.WRAP_UP}),
        ),
        (state_name(s.BREAK), frozenset({s.BREAK})),
        (state_name(s.NOT_READY), frozenset({s.NOT_READY})),
        (state_name(s.OFFLINE), frozenset({s.OFFLINE})),
        (
            QCoreApplication.translate("LeadBoard", "Signed in (not offline)"),
            frozenset(set(s) - {s.OFFLINE}),
        ),
    ]
