"""The team-lead console's frame: team selector (admins), search and state filter, the row
actions' toolbar, the queues above the board, and a side panel of tabs for the other lead
pages (messages, help requests, alerts, day…) that the composition hands in.

It renders and emits intents; `LeadController` (ui/lead/controller.py) decides.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSplitter,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from homeagent.core.lead_records import BoardRow, TeamRef
from homeagent.ui.lead.actions import BoardActions
from homeagent.ui.lead.board_filter import BoardFilter, state_filter_choices
from homeagent.ui.lead.board_model import LeadBoardModel
from homeagent.ui.lead.board_view import BoardView
from homeagent.ui.lead.queues_panel import QueuesModel, QueuesPanel
from homeagent.ui.lead.supervision import SupervisionBar
from homeagent.ui.lead.wallboard import Wallboard

log = logging.getLogger(__name__)
WALLBOARD_REFRESH_MS = 250  # the wallboard repaints at most 4 times a second


class LeadConsole(QWidget):
    """See the module docstring."""

    team_selected = Signal(str)  # payload: team id picked in the selector (admins)
    message_requested = Signal(list)  # payload: list[str] agent ids (U2's composer)
    day_requested = Signal(str)  # payload: agent id (U2's day view)

    def __init__(
        self,
        board: LeadBoardModel,
        queues: QueuesModel,
        *,
        choose_team: bool = False,
        extra_pages: Sequence[tuple[str, QWidget]] = (),
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("LeadConsole")
        self.board = board
        self.queues = queues
        self.proxy = BoardFilter(self)
        self.proxy.setSourceModel(board)
        self.view = BoardView(self.proxy, self)
        self.queues_panel = QueuesPanel(queues, self)
        self.row_actions = BoardActions(self.selected_rows, self, self)
        for action in self.row_actions.all():
            self.addAction(action)  # shortcuts live while the console is shown
        self.row_actions.message_requested.connect(self.message_requested)
        self.row_actions.day_requested.connect(self.day_requested)
        self.row_actions.wallboard_requested.connect(self.open_wallboard)
        self.view.activated_agent.connect(self.day_requested)
        self.view.context_menu_requested.connect(self._on_view_context_menu_requested)
        self.view.selectionModel().selectionChanged.connect(lambda *_: self.row_actions.refresh())
        # what a row allows changes with events, not with the clock: the 1 s tick's
        # repaints (dataChanged for ~76 cells at 50 agents) do not come through Python here
        board.row_updated.connect(self._on_board_row_updated)
        board.modelReset.connect(self.row_actions.refresh)
        # the filter bar
        self.team = QComboBox(self)
        self.team.setAccessibleName(self.tr("Team"))
        self.team.setVisible(choose_team)
        self.team.activated.connect(self._on_team_activated)
        self.team_label = QLabel(self)
        self.team_label.setObjectName("SectionTitle")
        self.team_label.setVisible(not choose_team)
        self.search = QLineEdit(self)
        self.search.setPlaceholderText(self.tr("Search an agent (Ctrl+F)"))
        self.search.setAccessibleName(self.tr("Search an agent"))
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(200)
        self.search.textChanged.connect(self.proxy.set_search)
        self.search.returnPressed.connect(self.focus_first_row)  # search, Enter, act
        self.filter = QComboBox(self)
        self.filter.setAccessibleName(self.tr("Show the agents in"))
        self._filters = state_filter_choices()
        for text, _states in self._filters:
            self.filter.addItem(text)
        self.filter.currentIndexChanged.connect(self._on_filter_current_index_changed)
        self.count = QLabel(self)
        self.count.setProperty("role", "muted")
        bar = QHBoxLayout()
        bar.setSpacing(8)
        bar.addWidget(self.team)
        bar.addWidget(self.team_label)
        bar.addWidget(self.search, 1)
        bar.addWidget(self.filter)
        bar.addWidget(self.count)
        bar.addStretch(1)
        row_bar = QHBoxLayout()  # what can be done to the selected agents
        row_bar.setSpacing(4)
        self.buttons: dict[str, QToolButton] = {}
        for name, action in (
            ("message", self.row_actions.message),
            ("set_state", self.row_actions.set_state),
            ("cancel_pending", self.row_actions.cancel_pending),
            ("day", self.row_actions.day),
            ("listen", self.row_actions.listen),
            ("whisper", self.row_actions.whisper),
            ("barge", self.row_actions.barge),
            ("settings", self.row_actions.settings),
            ("wallboard", self.row_actions.wallboard),
        ):
            button = QToolButton(self)
            button.setDefaultAction(action)
            button.setObjectName("InboxButton")
            button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
            if name == "set_state":
                button.setMenu(self.row_actions.state_menu)
                button.setPopupMode(QToolButton.ToolButtonPopupMode.MenuButtonPopup)
            self.buttons[name] = button
            (bar if name in ("settings", "wallboard") else row_bar).addWidget(button)
        row_bar.addStretch(1)
        # the status line: every network action answers here, never in a modal box
        self.status = QLabel(self)
        self.status.setObjectName("Notice")
        self.status.setWordWrap(True)
        self.status.setVisible(False)
        self._status_timer = QTimer(self)
        self._status_timer.setSingleShot(True)
        self._status_timer.timeout.connect(lambda: self.status.setVisible(False))
        # call supervision: above the board while a session is open or just ended
        self.supervision_bar = SupervisionBar(self)
        # the work: queues over the board, the side tabs beside
        work = QWidget(self)
        work_box = QVBoxLayout(work)
        work_box.setContentsMargins(0, 0, 0, 0)
        work_box.setSpacing(6)
        work_box.addWidget(self.queues_panel)
        work_box.addWidget(self.view, 1)
        self.side = QTabWidget(self)
        self.side.setObjectName("SidePanel")
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.addWidget(work)
        self.splitter.addWidget(self.side)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setChildrenCollapsible(True)
        for title, widget in extra_pages:
            self.add_page(title, widget)
        self.side.setVisible(self.side.count() > 0)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(6)
        box.addLayout(bar)
        box.addLayout(row_bar)
        box.addWidget(self.status)
        box.addWidget(self.supervision_bar)
        box.addWidget(self.splitter, 1)
        self.wallboard: Wallboard | None = None
        self._wall_timer = QTimer(self)
        self._wall_timer.setSingleShot(True)
        self._wall_timer.setInterval(WALLBOARD_REFRESH_MS)
        self._wall_timer.timeout.connect(self._on_wall_timer_timeout)
        for signal in (
            self.proxy.modelReset,
            self.proxy.rowsInserted,
            self.proxy.rowsRemoved,
            self.proxy.layoutChanged,
        ):
            signal.connect(self._update_count)
        self._update_count()

    # -- the slot for the other lead pages -------------------------------------------------

    def add_page(self, title: str, widget: QWidget) -> int:
        """A side tab for another lead page (messages, help queue, alerts, day…)."""
        index = self.side.addTab(widget, title)
        self.side.setVisible(True)
        if self.splitter.sizes()[1:] == [0]:
            self.splitter.setSizes([900, 420])
        return index

    def show_page(self, widget: QWidget) -> None:
        """Bring a side page forward (e.g. the composer after "Message…")."""
        if self.side.indexOf(widget) >= 0:
            self.side.setCurrentWidget(widget)

    # -- rendering -------------------------------------------------------------------------

    def set_teams(self, teams: Sequence[TeamRef], current: str) -> None:
        """The admin's team selector."""
        self.team.blockSignals(True)
        self.team.clear()
        for team in teams:
            self.team.addItem(team.name, team.id)
        index = self.team.findData(current)
        self.team.setCurrentIndex(max(0, index))
        self.team.blockSignals(False)

    def set_team_name(self, name: str) -> None:
        self.team_label.setText(name)

    def selected_rows(self) -> list[BoardRow]:
        rows = []
        for agent_id in self.view.selected_agent_ids():
            row = self.board.row_of(agent_id)
            if row is not None:
                rows.append(row)
        return rows

    def show_status(self, text: str, *, sticky: bool = False) -> None:
        """An inline answer to an action (goes after 8 s unless sticky)."""
        self.status.setText(text)
        self.status.setVisible(bool(text))
        self._status_timer.stop()
        if text and not sticky:
            self._status_timer.start(8000)

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def focus_first_row(self) -> None:
        """The board takes the focus on its first row shown (after a search: the match), so
        the row's keys act on it at once."""
        first = self.proxy.index(0, 0)
        if first.isValid():
            self.view.selectRow(0)
            self.view.setCurrentIndex(first)
        self.view.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def tick(self) -> None:
        """The shared 1 s clock."""
        self.board.tick()
        self.queues.tick()
        if self.wallboard is not None:
            self.wallboard.tick()

    def open_wallboard(self) -> Wallboard:
        """Full screen on the window's screen (a second screen: drag it there, F11)."""
        if self.wallboard is None:
            self.wallboard = Wallboard(self.board, self.queues)
            self.wallboard.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            self.wallboard.closed.connect(self._on_wallboard_closed)
            self.board.dataChanged.connect(self._schedule_wall)
            self.queues.changed.connect(self._schedule_wall)
        screen = self.screen() or QGuiApplication.primaryScreen()
        if screen is not None:
            self.wallboard.setScreen(screen)
        self.wallboard.showFullScreen()
        if screen is not None and self.wallboard.geometry() != screen.geometry():
            # without a window manager (kiosk X sessions) full screen is only a hint
            self.wallboard.setGeometry(screen.geometry())
            self.wallboard.setWindowState(
                self.wallboard.windowState() | Qt.WindowState.WindowFullScreen
            )
        self.wallboard.activateWindow()
        return self.wallboard

    def on_call_ringing(self) -> None:
        """A call rings at the lead's desk: a wallboard on the window's own screen would
        hide it, so it closes (one on another screen stays)."""
        wall = self.wallboard
        if wall is not None and wall.screen() is self.window().screen():
            wall.close()

    # -- slots -----------------------------------------------------------------------------

    def _schedule_wall(self, *_: object) -> None:
        if self.wallboard is not None and not self._wall_timer.isActive():
            self._wall_timer.start()

    def _on_wall_timer_timeout(self) -> None:
        if self.wallboard is not None:
            self.wallboard.refresh()

    def _on_wallboard_closed(self) -> None:
        self.board.dataChanged.disconnect(self._schedule_wall)
        self.queues.changed.disconnect(self._schedule_wall)
        self.wallboard = None

    def _on_team_activated(self, index: int) -> None:
        team_id = self.team.itemData(index)
        if team_id:
            self.team_selected.emit(str(team_id))

    def _on_filter_current_index_changed(self, index: int) -> None:
        self.proxy.set_states(self._filters[index][1] if 0 <= index < len(self._filters) else None)
        self._update_count()

    def _on_board_row_updated(self, _agent_id: str) -> None:
        if self.view.selectionModel().hasSelection():
            self.row_actions.refresh()

    def _on_view_context_menu_requested(self, where: object) -> None:
        self.row_actions.refresh()
        menu = self.row_actions.context_menu(self)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.popup(where)  # type: ignore[arg-type]

    def _update_count(self, *_: object) -> None:
        shown, total = self.proxy.rowCount(), self.board.rowCount()
        self.count.setText(self.tr("{shown} of {total} agents").format(shown=shown, total=total))
        self.count.setVisible(shown != total)
