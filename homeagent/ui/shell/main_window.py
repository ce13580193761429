"""The one window: top bar, centre (idle / ringing / in call / wrap-up), side panel.

It renders `DeskSnapshot`s and emits intent signals; it decides nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLineEdit,
    QMainWindow,
    QPlainTextEdit,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from homeagent.core.desk_snapshot import DeskSnapshot, Screen
from homeagent.core.desk_types import Message
from homeagent.ui.desk.call_panel import CallControls, RingingPanel
from homeagent.ui.desk.contact_card import ContactCard
from homeagent.ui.desk.idle_view import IdleView
from homeagent.ui.desk.side_panel import SidePanel
from homeagent.ui.desk.slots import SlotEndBanner
from homeagent.ui.desk.wrapup_form import WrapUpForm
from homeagent.ui.qt.labels import key_text, pending_text, presence_text, remote_change_text
from homeagent.ui.qt.phone_format import format_number
from homeagent.ui.shell.banner import Banner
from homeagent.ui.shell.diagnostics import DiagnosticsNotice
from homeagent.ui.shell.shortcut_sheet import ShortcutSheet
from homeagent.ui.shell.shortcuts import SHORTCUTS, CallKeysGuard, make_actions
from homeagent.ui.shell.top_bar import TopBar
from homeagent.ui.shell.update_banner import UpdateBanner

DESK, CONSOLE = "desk", "console"

_log = logging.getLogger(__name__)


class MainWindow(QMainWindow):
    """Renders snapshots; every user action leaves as a signal."""

    answer_requested = Signal()  # payload: none
    decline_requested = Signal()  # payload: none
    hangup_requested = Signal()  # payload: none
    hold_requested = Signal()  # payload: none (toggle)
    mute_requested = Signal()  # payload: none (toggle)
    toggle_available_requested = Signal()  # payload: none
    presence_requested = Signal(object, str)  # payload: (AgentState, break reason or "")
    dtmf_requested = Signal(str)  # payload: digits
    blind_transfer_requested = Signal(str)  # payload: destination
    consult_requested = Signal(str)  # payload: destination
    complete_transfer_requested = Signal()  # payload: none
    help_requested = Signal()  # payload: none
    dial_requested = Signal(str)  # payload: number to call
    wrap_up_edited = Signal(str, str, object)  # payload: (notes, disposition, datetime|None)
    wrap_up_save_requested = Signal()  # payload: none
    message_read_requested = Signal(str)  # payload: message id
    message_ack_requested = Signal(str)  # payload: id of the urgent message ("Bien reçu")
    messages_seen = Signal()  # payload: none (the Inbox is open: its unread are read)
    message_send_requested = Signal(str)  # payload: the text the agent writes to the lead
    remote_change_dismissed = Signal()  # payload: none (the agent read who set the state)
    audio_settings_requested = Signal()  # payload: none (open the audio settings page)
    hotkeys_settings_requested = Signal()  # payload: none (open the global hotkeys page)
    check_requested = Signal()  # payload: none (open "Vérifier mon poste")
    contact_create_requested = Signal(str, str, str)  # payload: (first, last, company)
    card_painted = Signal(int, object)  # payload: (call id, monotonic ns of the paint)
    mode_changed = Signal(str)  # payload: "desk" or "console" (now shown)
    call_ringing = (
        Signal()
    )  # payload: none (a call starts ringing; the console may hide a wallboard)
    diagnostics_requested = Signal()  # payload: none (help menu: a diagnostic report for IT)
    closing = Signal()  # payload: none (the agent closed the window)
    hidden_to_tray = Signal()  # payload: none (closed by the agent while a tray icon exists)
    # set by the desktop shell when a tray icon exists: the window manager's close hides the
    # window; a programmatic close() (Quit, Ctrl+C, revocation) still ends the desk
    close_to_tray = False

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("MainWindow")
        self._snapshot: DeskSnapshot | None = None
        self._message_source: Callable[[], tuple[Message, ...]] | None = None
        self.top = TopBar(self)
        self.ring_banner = Banner("ringing", self)
        self.urgent_banner = Banner("urgent", self)
        self.message_banner = Banner("info", self)  # a new message: one discreet line
        self.state_banner = Banner("info", self)  # a lead set the state, or will after the call
        self.audio_banner = Banner("missed", self)  # a headset was unplugged (audio page)
        self.update_banner = UpdateBanner(self)  # a verified update is ready (desk updates)
        self.slot_banner = SlotEndBanner(self)  # a booked slot is over: go offline?
        self.diagnostics_notice = DiagnosticsNotice(self)  # a lead asks for a report for IT
        self.check_banner = Banner("info", self)  # no pre-shift check yet today (sign-in)
        self.idle = IdleView(self)
        self.card = ContactCard(self)
        self.ringing = RingingPanel(self)
        self.controls = CallControls(self)
        self.wrap_up = WrapUpForm(self)
        self.actions_stack = QStackedWidget(self)
        for page in (self.ringing, self.controls, self.wrap_up):
            self.actions_stack.addWidget(page)
        self.call_page = call_page = QWidget(self)
        call_row = QHBoxLayout(call_page)
        call_row.setContentsMargins(0, 0, 0, 0)
        call_row.setSpacing(12)
        call_row.addWidget(self.card, 5)
        call_row.addWidget(self.actions_stack, 6)
        self.centre = QStackedWidget(self)
        self.centre.addWidget(self.idle)
        self.centre.addWidget(call_page)
        self.side = SidePanel(self)
        self._show_side_contacts(False)  # the window opens idle: the centre has the search
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.addWidget(self.centre)
        self.splitter.addWidget(self.side)
        self.splitter.setChildrenCollapsible(True)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setSizes([900, 440])
        # desk | console (team leads): the banners stay above both, so a ringing call is
        # always seen whichever is shown
        self.modes = QStackedWidget(self)
        self.modes.addWidget(self.splitter)
        self.console: QWidget | None = None
        self._takes_calls = True
        body = QWidget(self)
        box = QVBoxLayout(body)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(0)
        box.addWidget(self.top)
        inner = QVBoxLayout()
        inner.setContentsMargins(12, 8, 12, 12)
        inner.setSpacing(8)
        inner.addWidget(self.ring_banner)
        inner.addWidget(self.urgent_banner)
        inner.addWidget(self.state_banner)
        inner.addWidget(self.message_banner)
        inner.addWidget(self.audio_banner)
        inner.addWidget(self.update_banner)
        inner.addWidget(self.slot_banner)
        inner.addWidget(self.diagnostics_notice)
        inner.addWidget(self.check_banner)
        inner.addWidget(self.modes, 1)
        box.addLayout(inner, 1)
        self.setCentralWidget(body)
        self._connect()
        self.shortcut_actions = self._make_actions()
        self._fill_help_menu()
        self._call_keys = CallKeysGuard(self, self.shortcut_actions)  # over a text field too
        self.resize(1366, 740)
        self.setMinimumSize(1024, 640)
        self.idle.search.field.setFocus(Qt.FocusReason.OtherFocusReason)  # not the presence

    def _connect(self) -> None:
        self.top.presence_requested.connect(self.presence_requested)
        self.top.inbox_requested.connect(self._on_top_inbox_requested)
        self.top.audio_requested.connect(self.audio_settings_requested)
        self.top.hotkeys_requested.connect(self.hotkeys_settings_requested)
        self.top.check_requested.connect(self.check_requested)
        self.check_banner.action_clicked.connect(self._on_check_banner_action_clicked)
        self.top.mode.mode_requested.connect(self.set_mode)
        self.ringing.answer_requested.connect(self.answer_requested)
        self.ringing.decline_requested.connect(self.decline_requested)
        self.ring_banner.action_clicked.connect(self.answer_requested)
        c = self.controls
        c.hold_requested.connect(self.hold_requested)
        c.mute_requested.connect(self.mute_requested)
        c.hangup_requested.connect(self.hangup_requested)
        c.dtmf_requested.connect(self.dtmf_requested)
        c.blind_transfer_requested.connect(self.blind_transfer_requested)
        c.consult_requested.connect(self.consult_requested)
        c.complete_transfer_requested.connect(self.complete_transfer_requested)
        c.help_requested.connect(self.help_requested)
        self.wrap_up.edited.connect(self.wrap_up_edited)
        self.wrap_up.save_requested.connect(self.wrap_up_save_requested)
        self.wrap_up.ready_requested.connect(self.toggle_available_requested)
        self.card.create_requested.connect(self.contact_create_requested)
        self.card.first_painted.connect(self.card_painted)
        self.side.contacts.dial_requested.connect(self.dial_requested)
        self.idle.dial_requested.connect(self.dial_requested)  # its search's and callbacks'
        self.side.history.dial_requested.connect(self.dial_requested)
        self.side.inbox.read_requested.connect(self.message_read_requested)
        self.side.inbox.ack_requested.connect(self.message_ack_requested)
        self.side.inbox.send_requested.connect(self.message_send_requested)
        self.side.currentChanged.connect(self._on_side_current_changed)
        self.urgent_banner.action_clicked.connect(self._on_urgent_banner_action_clicked)
        self.message_banner.action_clicked.connect(self._on_top_inbox_requested)
        self.state_banner.action_clicked.connect(self.remote_change_dismissed)

    def _on_check_banner_action_clicked(self) -> None:
        self.check_banner.setVisible(False)
        self.check_requested.emit()

    def _make_actions(self) -> dict[str, QAction]:
        targets = {
            "answer": (self.tr("Answer"), self.answer_requested.emit),
            "decline": (self.tr("Decline"), self.decline_requested.emit),
            "hangup": (self.tr("Hang up"), self.hangup_requested.emit),
            "hold": (self.tr("Hold / resume"), self.hold_requested.emit),
            "mute": (self.tr("Mute / unmute"), self.mute_requested.emit),
            "toggle_available": (
                self.tr("Toggle Available"),
                self.toggle_available_requested.emit,
            ),
            "presence_menu": (
                self.tr("Choose a presence (break reason)"),
                self.top.presence.showMenu,
            ),
            "search": (self.tr("Search contacts"), self.focus_search),
            "save_wrap_up": (self.tr("Save the wrap-up"), self.wrap_up.request_save),
            "inbox": (self.tr("Open the inbox"), self._on_top_inbox_requested),
            "ack_urgent": (
                self.tr("Acknowledge the urgent message"),
                self._on_urgent_banner_action_clicked,
            ),
            "ask_help": (self.tr("Ask your team lead for help (in a call)"), self._ask_help),
            "audio_settings": (
                self.tr("Audio settings (microphone, headset, ringer)"),
                self.audio_settings_requested.emit,
            ),
            "toggle_console": (
                self.tr("Switch between the desk and the console"),
                self.toggle_mode,
            ),
            "help_sheet": (self.tr("Keyboard shortcuts"), self.show_shortcut_sheet),
        }
        actions = make_actions(self, targets)
        actions["toggle_console"].setEnabled(False)  # until a lead's console is installed
        return actions

    def _fill_help_menu(self) -> None:
        menu = self.top.help_menu
        menu.addAction(self.shortcut_actions["help_sheet"])
        menu.addSeparator()
        self.diagnostics_action = menu.addAction(self.tr("Create a diagnostic report…"))
        self.diagnostics_action.triggered.connect(self.diagnostics_requested)

    def shortcut_rows(self) -> list[tuple[str, str]]:
        """(action, keys) for the shortcut sheet."""
        rows = [
            (a.text(), SHORTCUTS[n][0])
            for n, a in self.shortcut_actions.items()
            if a.isEnabled() or n != "toggle_console"
        ]
        if self.console is not None:  # the console's own actions
            rows += [
                (a.text().rstrip("…"), a.shortcut().toString())
                for a in self.console.actions()
                if not a.shortcut().isEmpty()
            ]
        return rows + self.wrap_up.mnemonics()  # Alt+letter: the letter differs by language

    def show_shortcut_sheet(self) -> ShortcutSheet:
        """Open the shortcut sheet (F1)."""
        sheet = ShortcutSheet(self.shortcut_rows(), self)
        sheet.show()
        return sheet

    # -- desk | console (team leads) ------------------------------------------------------

    def install_console(self, console: QWidget, *, takes_calls: bool) -> None:
        """A team lead's console beside the desk; shown first. `takes_calls`: the lead has
        a line, so Desk | Console switch (one click, Ctrl+L); otherwise the console only."""
        self.console = console
        self._takes_calls = takes_calls
        self.modes.addWidget(console)
        on_ringing = getattr(console, "on_call_ringing", None)
        if callable(on_ringing):  # e.g. a wallboard over this window steps aside
            self.call_ringing.connect(on_ringing)
        self.top.mode.setVisible(takes_calls)
        self.shortcut_actions["toggle_console"].setEnabled(takes_calls)
        if not takes_calls:  # no line: nothing of the desk's call parts applies
            for widget in (self.top.presence, self.top.line, self.top.quality, self.top.audio):
                widget.setVisible(False)
        self.set_mode(CONSOLE)

    @property
    def mode(self) -> str:
        return (
            CONSOLE
            if self.console is not None and self.modes.currentWidget() is self.console
            else DESK
        )

    def set_mode(self, mode: str) -> None:
        """Show the desk or the console (the console only once installed)."""
        if mode == CONSOLE and self.console is None:
            mode = DESK
        if mode == DESK and not self._takes_calls:
            mode = CONSOLE
        page = self.console if mode == CONSOLE else self.splitter
        assert page is not None
        self.top.mode.show_mode(mode)
        if mode == DESK:
            self.top.mode.set_ringing(False)
        if self.modes.currentWidget() is page:
            return
        focus = QApplication.focusWidget()
        leaving = self.modes.currentWidget()
        self.modes.setCurrentWidget(page)
        if focus is None or (leaving is not None and leaving.isAncestorOf(focus)):
            page.setFocus(Qt.FocusReason.OtherFocusReason)
        self.mode_changed.emit(mode)

    def toggle_mode(self) -> None:
        self.set_mode(DESK if self.mode == CONSOLE else CONSOLE)

    def _follow_ring(self, starts: bool, ringing: bool) -> None:
        if starts:
            self._ring_on_console()
            if self.console is not None:
                self.call_ringing.emit()
        elif not ringing and self.console is not None:
            self.top.mode.set_ringing(False)

    def _ring_on_console(self) -> None:
        """A call rings while the console is shown: the desk comes forward, unless the
        lead is typing in the console (then the banner and the Desk segment say it)."""
        if self.mode != CONSOLE:
            return
        focus = QApplication.focusWidget()
        console = self.console
        typing = (
            console is not None
            and focus is not None
            and console.isAncestorOf(focus)
            and _has_typed_text(focus)
        )
        if typing:
            self.top.mode.set_ringing(True)
        else:
            self.set_mode(DESK)

    def focus_search(self) -> None:
        """Ctrl+F: the centre search when idle, else the side panel's Contacts tab (the
        console's agent search while the console is shown)."""
        if self.mode == CONSOLE and self.console is not None:
            focus_search = getattr(self.console, "focus_search", None)
            if callable(focus_search):
                focus_search()
                return
        if self.centre.currentWidget() is self.idle:
            field = self.idle.search.field
        else:
            self.side.setCurrentIndex(0)
            field = self.side.contacts.field
        field.setFocus(Qt.FocusReason.ShortcutFocusReason)
        field.selectAll()

    def prepare_dial(self, target: str) -> None:
        """A tel:/sip: link: the number in the search (the centre's when idle, else the
        side panel's), its contact's card when found; calling waits for the agent's click."""
        if self.centre.currentWidget() is self.idle:
            box = self.idle.search
        else:  # in a call or a wrap-up: the side panel, without touching the call zone
            self.side.setCurrentIndex(0)
            box = self.side.contacts
        focus = QApplication.focusWidget()
        typing = focus is not box.field and _has_typed_text(focus)  # e.g. wrap-up notes
        box.prepare_number(target)
        if not typing:
            box.call.setFocus(Qt.FocusReason.OtherFocusReason)  # Space calls

    # -- rendering ---------------------------------------------------------------------

    def show_snapshot(self, snap: DeskSnapshot) -> None:
        """Render one snapshot (cheap; called on every change).

        The call zone comes first and every later part is drawn on its own: whatever
        fails (a card that cannot render, a banner, the inbox), a ringing call is on
        screen with its Answer button.
        """
        previous = self._snapshot
        self._snapshot = snap
        page = {
            Screen.RINGING: self.ringing,
            Screen.IN_CALL: self.controls,
            Screen.WRAP_UP: self.wrap_up,
        }.get(snap.screen)
        if page is None:
            self._switch_centre(self.idle)
        else:
            self._switch_actions(page)
            self._switch_centre(self.call_page)
        queue = snap.call.queue if snap.call else ""
        rings = snap.screen is Screen.RINGING and (
            previous is None or previous.screen is not Screen.RINGING
        )
        steps: list[tuple[str, Callable[[], object]]] = [
            ("mode", lambda: self._follow_ring(rings, snap.screen is Screen.RINGING)),
            ("ringing", lambda: self.ringing.show_snapshot(snap)),
            ("call controls", lambda: self.controls.show_snapshot(snap)),
            ("wrap-up", lambda: self.wrap_up.show_snapshot(snap)),
            ("top bar", lambda: self.top.show_snapshot(snap)),
            ("title", lambda: self.setWindowTitle(
                self.tr("HomeAgent — {state}").format(state=presence_text(snap.presence))
            )),
            ("card", lambda: self.card.show_card(snap.card, queue=queue) if page else None),
            ("idle", lambda: self.idle.show_snapshot(snap)),
            ("unread", lambda: self.side.set_unread(snap.unread)),
            ("inbox", lambda: self.side.inbox.show_messages(self._messages())),
            ("banners", lambda: self._show_banners(snap, previous)),
        ]  # fmt: skip
        for name, step in steps:
            try:
                step()
            except Exception:
                _log.exception("drawing the %s failed; the rest of the window goes on", name)

    def _messages(self) -> tuple[Message, ...]:
        return self._message_source() if self._message_source else ()

    def set_message_source(self, source: Callable[[], tuple[Message, ...]]) -> None:
        """Where the Inbox tab reads the messages from (the desk's inbox)."""
        self._message_source = source

    def _switch_actions(self, page: QWidget) -> None:
        """Show ringing / call controls / wrap-up; focus lost with the old page lands on
        the wrap-up notes (the next thing to type) or on the neutral centre."""
        leaving = self.actions_stack.currentWidget()
        if leaving is page:
            return
        focus = QApplication.focusWidget()
        lost = focus is None or (leaving is not None and leaving.isAncestorOf(focus))
        typing = not lost and _has_typed_text(focus)
        self.actions_stack.setCurrentWidget(page)
        if page is self.wrap_up and not typing:
            self.wrap_up.notes.setFocus(Qt.FocusReason.OtherFocusReason)
        elif lost:
            self.centre.setFocus(Qt.FocusReason.OtherFocusReason)

    def _switch_centre(self, page: QWidget) -> None:
        """Change the centre page without ever moving focus out of a visible text field."""
        if self.centre.currentWidget() is page:
            return
        self._show_side_contacts(page is not self.idle)
        focus = QApplication.focusWidget()
        leaving = self.centre.currentWidget()
        if focus is not None and leaving is not None and leaving.isAncestorOf(focus):
            if focus is self.idle.search.field and self.idle.search.field.text():
                # keep the agent typing: same text, same cursor, in the side panel's search
                side = self.side.contacts.field
                side.setText(focus.text())
                side.setCursorPosition(focus.cursorPosition())
                self.side.setCurrentIndex(0)
                side.setFocus(Qt.FocusReason.OtherFocusReason)
            else:
                self.centre.setFocus(Qt.FocusReason.OtherFocusReason)
        self.centre.setCurrentWidget(page)

    def _show_side_contacts(self, shown: bool) -> None:
        """Nothing twice: idle, the centre has the contact search and the day's figures;
        in a call, the side panel has them (its Contacts tab keeps the card and the
        vCard import/export either way)."""
        self.side.contacts.setVisible(shown)
        index = self.side.indexOf(self.side.my_day)
        if self.side.isTabVisible(index) == shown:
            return
        if not shown and self.side.currentIndex() == index:
            self.side.setCurrentIndex(self.side.indexOf(self.side.history))
        self.side.setTabVisible(index, shown)

    def _show_banners(self, snap: DeskSnapshot, previous: DeskSnapshot | None) -> None:
        ringing = snap.screen is Screen.RINGING and snap.call is not None
        if ringing and snap.call is not None:
            who = snap.card.contact.full_name if snap.card and snap.card.contact else ""
            number = format_number(snap.card.number) if snap.card else ""
            who = who or number or self.tr("Unknown caller")
            self.ring_banner.show_text(
                self.tr("Incoming call: {who}").format(who=who), self.tr("Answer")
            )
            was_ringing = previous is not None and previous.screen is Screen.RINGING
            if not was_ringing or (previous and previous.call != snap.call and not previous.call):
                self.card.expect_paint(snap.call.call_id)
        else:
            self.ring_banner.setVisible(False)
        banner = snap.banner
        if banner is not None:  # stays until "Bien reçu", even while a call rings
            self.urgent_banner.show_text(
                self.tr("Urgent from {sender}: {body}").format(
                    sender=banner.sender, body=banner.body
                ),
                self.tr("Acknowledge"),
            )
            self.urgent_banner.button.setToolTip(
                self.tr("Acknowledge the urgent message ({keys})").format(
                    keys=key_text(SHORTCUTS["ack_urgent"][0])
                )
            )
        else:
            self.urgent_banner.setVisible(False)
        # A ringing call has the room to itself: the lead's other news wait for it.
        new = snap.new_message
        if new is not None and not ringing and not self._inbox_open():
            first = new.body.splitlines()[0] if new.body else ""
            self.message_banner.show_text(
                self.tr("New message from {sender}: {body}").format(sender=new.sender, body=first),
                self.tr("Open"),
            )
        else:
            self.message_banner.setVisible(False)
        if snap.pending is not None and not ringing:
            self.state_banner.show_text(pending_text(snap.pending))
        elif snap.remote_change is not None and not ringing:
            self.state_banner.show_text(remote_change_text(snap.remote_change), self.tr("OK"))
        else:
            self.state_banner.setVisible(False)
        if snap.unread and self._inbox_open() and self.isActiveWindow():
            QTimer.singleShot(0, self, self._on_inbox_still_open)  # on screen: read (after drawing)

    def refresh_clock(self) -> None:
        """Every second: time in state, call timer, wrap-up countdown."""
        self.top.presence.refresh()
        if self.actions_stack.currentWidget() is self.controls:
            self.controls.refresh()
        elif self.actions_stack.currentWidget() is self.wrap_up:
            self.wrap_up.refresh()

    # -- events ------------------------------------------------------------------------

    def _on_top_inbox_requested(self) -> None:
        already = self.side.currentWidget() is self.side.inbox
        self.side.setCurrentWidget(self.side.inbox)
        sizes = self.splitter.sizes()
        if sizes[1] == 0:  # collapsed: open it again
            self.splitter.setSizes([sizes[0] - 480, 480])
        if already:  # no tab change to tell: the agent looks at it now
            self.messages_seen.emit()

    def _inbox_open(self) -> bool:
        """Whether the agent can see the Inbox now (its tab current, the panel open)."""
        return (
            self.isVisible()
            and self.side.currentWidget() is self.side.inbox
            and self.splitter.sizes()[1] > 0
        )

    def _on_inbox_still_open(self) -> None:
        if self._inbox_open():
            self.messages_seen.emit()

    def _on_side_current_changed(self, _index: int) -> None:
        if self.side.currentWidget() is self.side.inbox:
            self.messages_seen.emit()

    def _ask_help(self) -> None:
        help_button = self.controls.help
        if help_button.isVisibleTo(self) and help_button.isEnabled():
            self.help_requested.emit()

    def _on_urgent_banner_action_clicked(self) -> None:
        if self._snapshot is not None and self._snapshot.banner is not None:
            self.message_ack_requested.emit(self._snapshot.banner.id)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.close_to_tray and event.spontaneous():  # the agent closed it: the tray keeps it
            event.ignore()
            self.hide()
            self.hidden_to_tray.emit()
            return
        self._call_keys.stop()
        self.closing.emit()
        super().closeEvent(event)


def _has_typed_text(widget: QWidget | None) -> bool:
    """Whether `widget` is a text field holding something the agent typed."""
    if isinstance(widget, QLineEdit):
        return bool(widget.text())
    if isinstance(widget, QPlainTextEdit):
        return bool(widget.toPlainText())
    return False
