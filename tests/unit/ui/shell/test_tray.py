"""The tray: presence colour, line-down mark and missed-call badge (in pixels and in
words), quick presence and Answer from its menu; the notifier's Answer / Decline actions
reach the desk; closing the window hides it only when a tray exists."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QCloseEvent, QColor

from homeagent.core.agent_state import AgentState
from homeagent.core.desk_snapshot import Screen
from homeagent.ui.qt.theme import STATE_COLOURS
from homeagent.ui.shell.notifier import Notifier
from homeagent.ui.shell.tray import ICON_PX, DeskTray, tray_icon
from tests.unit.ui.conftest import ring


def _pixel(icon, x: float, y: float) -> QColor:  # type: ignore[no-untyped-def]
    image = icon.pixmap(ICON_PX, ICON_PX).toImage()
    return image.pixelColor(int(x * ICON_PX), int(y * ICON_PX))


def test_the_icon_is_the_presence_colour_with_marks() -> None:
    for state in (AgentState.AVAILABLE, AgentState.ON_CALL, AgentState.BREAK):
        plain = tray_icon(state)
        assert _pixel(plain, 0.5, 0.5).name().upper() == STATE_COLOURS[state].fill.upper()
        assert _pixel(plain, 0.25, 0.78) == _pixel(plain, 0.5, 0.5)
    down = tray_icon(AgentState.AVAILABLE, line_down=True)
    assert _pixel(down, 0.12, 0.88).name().upper() == "#B3261E"  # the warning mark
    missed = tray_icon(AgentState.AVAILABLE, missed=3)
    assert _pixel(missed, 0.88, 0.12).name().upper() == "#B3261E"  # the badge
    assert _pixel(missed, 0.12, 0.88).name().upper() != "#B3261E"


def _tray(desk) -> DeskTray:  # type: ignore[no-untyped-def]
    tray = DeskTray(available=False)
    tray.show_snapshot(desk.model.snapshot())
    desk.model.subscribe(tray.show_snapshot)
    tray.answer_requested.connect(desk.model.answer)
    tray.presence_requested.connect(desk.model.set_presence)
    return tray


def test_missed_calls_are_counted_until_the_agent_looks(qtbot, desk) -> None:  # type: ignore[no-untyped-def]
    tray = _tray(desk)
    assert tray.icon is None  # offscreen: no tray, nothing breaks
    for _ in range(2):
        call_id = ring(qtbot, desk)
        desk.engine.remote_hangup(call_id)  # the customer gave up before Answer
        qtbot.waitUntil(lambda: desk.model.snapshot().screen is Screen.IDLE, timeout=3000)
    assert tray.missed == 2
    assert "Missed calls: 2" in tray.tooltip()
    call_id = ring(qtbot, desk)
    desk.window.decline_requested.emit()  # declined by the agent: not missed
    qtbot.waitUntil(lambda: desk.model.snapshot().screen is Screen.IDLE, timeout=3000)
    assert tray.missed == 2
    tray.clear_missed()
    assert tray.missed == 0
    assert "Missed" not in tray.tooltip()
    desk.model.unsubscribe(tray.show_snapshot)


def test_answer_from_the_menu(qtbot, desk) -> None:  # type: ignore[no-untyped-def]
    tray = _tray(desk)
    assert not tray.answer_action.isEnabled()
    ring(qtbot, desk)
    assert tray.answer_action.isEnabled()
    assert not tray.breaks.isEnabled()  # automatic state: no presence by hand
    tray.answer_action.trigger()
    qtbot.waitUntil(lambda: desk.model.snapshot().screen is Screen.IN_CALL, timeout=3000)
    assert not tray.answer_action.isEnabled()
    desk.model.unsubscribe(tray.show_snapshot)


def test_presence_from_the_menu(qtbot, desk) -> None:  # type: ignore[no-untyped-def]
    tray = _tray(desk)
    reasons = desk.model.snapshot().team.pause_reasons
    assert reasons
    assert [a.text() for a in tray.breaks.actions()] == list(reasons)  # the team's reasons
    tray.breaks.actions()[0].trigger()
    snap = desk.model.snapshot()
    assert snap.presence.state is AgentState.BREAK
    assert snap.presence.reason == reasons[0]
    assert tray.tooltip().startswith("HomeAgent — ")
    assert reasons[0] in tray.tooltip()  # the state in words, not only in colour
    assert (
        _pixel(tray.current_icon(), 0.5, 0.5).name().upper()
        == STATE_COLOURS[AgentState.BREAK].fill.upper()
    )
    tray.presence_actions[-1].trigger()  # Offline
    assert desk.model.snapshot().presence.state is AgentState.OFFLINE
    tray.presence_actions[0].trigger()  # Available
    assert desk.model.snapshot().presence.state is AgentState.AVAILABLE
    desk.model.unsubscribe(tray.show_snapshot)


def test_a_failed_line_is_marked_and_said(qtbot, desk) -> None:  # type: ignore[no-untyped-def]
    from homeagent.core.events import RegistrationChanged, RegistrationState

    tray = _tray(desk)
    desk.model.handle(RegistrationChanged("sip:alice@example.org", RegistrationState.FAILED, 503))
    assert tray.line_down
    assert "Line down" in tray.tooltip()
    assert _pixel(tray.current_icon(), 0.12, 0.88).name().upper() == "#B3261E"
    desk.model.unsubscribe(tray.show_snapshot)


class FakeDesktop:
    """A notification service with actions, played by the test."""

    available = True
    supports_actions = True

    def __init__(self) -> None:
        self.shown: list[tuple[str, str, list[str]]] = []
        self.closed: list[int] = []
        self.handlers: dict[int, Callable[[str], None]] = {}

    def show(self, title: str, body: str, *, actions: Sequence[tuple[str, str]] = (),
             on_action: Callable[[str], None] | None = None,
             on_failed: Callable[[], None] | None = None, urgent: bool = False) -> int:  # fmt: skip
        token = len(self.shown) + 1
        self.shown.append((title, body, [k for k, _ in actions]))
        if on_action is not None:
            self.handlers[token] = on_action
        return token

    def close(self, token: int) -> None:
        self.closed.append(token)


def _use(desk, desktop: FakeDesktop) -> Notifier:  # type: ignore[no-untyped-def]
    notifier = desk.controller.notifier
    assert isinstance(notifier, Notifier)
    notifier.use(desktop=desktop)
    return notifier


def test_answer_from_the_notification(qtbot, desk) -> None:  # type: ignore[no-untyped-def]
    desktop = FakeDesktop()
    _use(desk, desktop)
    ring(qtbot, desk)
    title, body, keys = desktop.shown[-1]
    assert title == "Incoming call"
    assert body == "Camille Martin"
    assert keys == ["default", "answer", "decline"]
    desktop.handlers[1]("answer")
    qtbot.waitUntil(lambda: desk.model.snapshot().screen is Screen.IN_CALL, timeout=3000)
    assert desktop.closed == []  # answered from the notification: the server closed it


def test_decline_from_the_notification_and_late_clicks_do_nothing(qtbot, desk) -> None:  # type: ignore[no-untyped-def]
    desktop = FakeDesktop()
    _use(desk, desktop)
    ring(qtbot, desk)
    desktop.handlers[1]("decline")
    qtbot.waitUntil(lambda: desk.model.snapshot().screen is Screen.IDLE, timeout=3000)
    call_id = ring(qtbot, desk)
    desk.engine.remote_hangup(call_id)  # stopped ringing: its notification is withdrawn
    qtbot.waitUntil(lambda: desk.model.snapshot().screen is Screen.IDLE, timeout=3000)
    assert desktop.closed == [2]
    ring(qtbot, desk)  # a third call rings; a late click on the second one's Answer
    desktop.handlers[2]("answer")
    QCoreApplication.processEvents()
    assert desk.model.snapshot().screen is Screen.RINGING  # not answered by a stale click


def test_without_a_service_or_a_tray_nothing_breaks(qtbot, desk) -> None:  # type: ignore[no-untyped-def]
    notifier = desk.controller.notifier
    ring(qtbot, desk)
    assert notifier.via[-1] == "none"  # offscreen: no tray, no service; the call still shows
    assert desk.window.ringing.isVisible()


class _WindowManagerClose(QCloseEvent):
    def spontaneous(self) -> bool:  # the window manager's close button
        return True


def test_closing_hides_to_the_tray_only_when_there_is_one(qtbot, desk) -> None:  # type: ignore[no-untyped-def]
    window = desk.window
    hidden: list[bool] = []
    closing: list[bool] = []
    window.hidden_to_tray.connect(lambda: hidden.append(True))
    window.closing.connect(lambda: closing.append(True))
    window.close_to_tray = True
    event = _WindowManagerClose()
    window.closeEvent(event)
    assert not event.isAccepted()
    assert hidden == [True]
    assert closing == []
    assert not window.isVisible()
    window.show()
    window.close()  # Quit from the tray, Ctrl+C, revocation: programmatic, the desk ends
    assert closing == [True]
    window.close_to_tray = False
    window.show()
    window.closeEvent(_WindowManagerClose())  # no tray: closing the window quits
    assert closing == [True, True]


_CALL_STATES = (AgentState.RINGING, AgentState.ON_CALL, AgentState.WRAP_UP, AgentState.AVAILABLE)


def test_a_shift_of_calls_makes_one_window_icon_per_state(qtbot) -> None:  # type: ignore[no-untyped-def]
    """Each call moves the presence four times; a new QIcon at each move cost the X11
    window ~4.6 KB that Qt never gave back (`benchmarks/shift_memory.py`: +11 MB over 200
    calls). The icons are made once per state and set only when the state changes."""
    from PySide6.QtWidgets import QWidget

    window = QWidget()
    qtbot.addWidget(window)
    notifier = Notifier(window)
    keys = set()
    for _ in range(50):  # 50 calls
        for state in _CALL_STATES:
            notifier.set_state(state, "")
            keys.add(window.windowIcon().cacheKey())
            centre = window.windowIcon().pixmap(32, 32).toImage().pixelColor(16, 16)
            assert centre.name().upper() == STATE_COLOURS[state].fill.upper()
    assert len(keys) == len(_CALL_STATES)


def test_the_tray_icon_is_made_once_per_look(qtbot, desk) -> None:  # type: ignore[no-untyped-def]
    tray = _tray(desk)
    keys = set()
    for _ in range(5):
        call_id = ring(qtbot, desk)
        keys.add(tray.current_icon().cacheKey())
        desk.engine.remote_hangup(call_id)  # missed: the badge's count changes the look
        qtbot.waitUntil(lambda: desk.model.snapshot().screen is Screen.IDLE, timeout=3000)
        keys.add(tray.current_icon().cacheKey())
        assert tray.current_icon().cacheKey() == tray.current_icon().cacheKey()
    assert len(keys) <= 2 * 5  # ringing and idle with each missed count, nothing per redraw
    assert _pixel(tray.current_icon(), 0.88, 0.12).name().upper() == "#B3261E"  # the badge
    desk.model.unsubscribe(tray.show_snapshot)
