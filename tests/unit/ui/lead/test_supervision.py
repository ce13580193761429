"""Call supervision in the console: the row actions, the bar, the board marks, the help
queue's buttons, over the fake supervision server and a fake lead engine leg."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication

from homeagent.core.commands import ExpectSupervision, StopSupervision
from homeagent.testing.lead_comms import FakeLeadComms
from homeagent.testing.lead_harness import FakeConsole, build_fake_console
from homeagent.ui.lead.actions import LEAD_SHORTCUTS
from homeagent.ui.lead.board_text import COL_AGENT
from homeagent.ui.lead.help_queue import HelpQueuePanel
from homeagent.ui.qt.tasks import TaskRunner
from homeagent.ui.qt.theme import apply_theme
from homeagent.ui.shell.shortcuts import SHORTCUTS

from .conftest import FakeClock
from .test_console import select

AGENT = "a-001"  # Léa Moreau


class Mono:
    """The supervision's monotonic clock, moved by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def build(qtbot, clock: FakeClock, mono: Mono, *, has_line: bool = True) -> FakeConsole:  # type: ignore[no-untyped-def]
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    apply_theme(app, dark=False)
    fake = build_fake_console(
        agents=6, clock=clock, supervision=True, has_line=has_line, monotonic=mono
    )
    qtbot.addWidget(fake.console)
    fake.controller.start()
    fake.server.start_call(AGENT)
    fake.server.quality(AGENT, 4.3, 0.2, 6, 38)
    fake.board.flush()
    return fake


@pytest.fixture
def mono() -> Mono:
    return Mono()


@pytest.fixture
def sup(qtbot, clock: FakeClock, mono: Mono) -> Iterator[FakeConsole]:  # type: ignore[no-untyped-def]
    fake = build(qtbot, clock, mono)
    yield fake
    fake.close()


def bar_text(fake: FakeConsole) -> str:
    return fake.console.supervision_bar.text.text()


def session_id(fake: FakeConsole) -> int:
    assert fake.supervision is not None
    return fake.supervision.core.view.session_id


def test_the_actions_follow_the_row_and_show_the_call_quality(sup: FakeConsole) -> None:
    actions = sup.console.row_actions
    select(sup, "a-002")  # available: not in a call
    for action in actions.supervision_actions.values():
        assert not action.isEnabled()
        assert action.toolTip() == "Hugo Laurent is not in a call."
    select(sup, AGENT)
    assert actions.listen.isEnabled()
    assert actions.whisper.isEnabled()
    assert actions.barge.isEnabled()
    tip = actions.listen.toolTip()
    assert "Léa Moreau" in tip
    assert "MOS 4.3 · loss 0.2 % · jitter 6 ms" in tip
    assert "Ctrl+Shift+L" in tip
    assert "the customer hears you" in actions.barge.toolTip()
    assert not actions.stop_supervision.isEnabled()
    select(sup, AGENT, "a-002")
    assert not actions.listen.isEnabled()  # one agent at a time


def test_click_bar_mode_switch_and_stop(sup: FakeConsole, mono: Mono, qtbot) -> None:  # type: ignore[no-untyped-def]
    assert sup.leg is not None
    assert sup.sup_server is not None
    bar = sup.console.supervision_bar
    assert not bar.isVisibleTo(sup.console)
    select(sup, AGENT)
    sup.console.row_actions.listen.trigger()
    sid = session_id(sup)
    token = sup.sup_server.tokens[sid]
    assert sup.leg.commands == [ExpectSupervision(sid, token)]
    assert bar.isVisibleTo(sup.console)
    assert bar_text(sup) == (
        "Listening to Léa Moreau — connecting… (MOS 4.3 · loss 0.2 % · jitter 6 ms)"
    )
    assert sup.console.row_actions.stop_supervision.isEnabled()
    assert not sup.console.row_actions.listen.isEnabled()  # one session at a time
    # the board row says who listens (the console heard its own supervision_session)
    row = sup.board.source_row(AGENT)
    index = sup.board.index(row, COL_AGENT)
    assert index.data() == "Léa Moreau · Listening: you"
    assert index.data(Qt.ItemDataRole.DecorationRole) is not None
    # the agent's app places the leg with the token: answered, the clock runs
    assert sup.agent_connects_leg(sid)
    assert bar_text(sup) == "Listening to Léa Moreau · 00:00 · MOS 4.3"
    mono.now += 42
    sup.supervision.tick()  # type: ignore[union-attr]
    assert bar_text(sup) == "Listening to Léa Moreau · 00:42 · MOS 4.3"
    assert bar.modes["listen"].isChecked()
    # whisper: the bar follows the server's answer
    qtbot.mouseClick(bar.modes["whisper"], Qt.MouseButton.LeftButton)
    assert sup.sup_server.sessions[sid]["mode"] == "whisper"
    assert bar.modes["whisper"].isChecked()
    assert not bar.modes["listen"].isChecked()
    assert bar_text(sup).startswith("Whispering to Léa Moreau · 00:42")
    assert index.data() == "Léa Moreau · Whispering: you"
    # stop
    qtbot.mouseClick(bar.stop, Qt.MouseButton.LeftButton)
    assert StopSupervision(sid, "lead_stopped") in sup.leg.commands
    assert sup.sup_server.sessions[sid]["end_reason"] == "lead_stopped"
    assert bar_text(sup) == "Whispering to Léa Moreau: Stopped"
    assert not bar.stop.isVisibleTo(sup.console)
    assert index.data() == "Léa Moreau"  # the mark went with the session
    assert sup.console.row_actions.listen.isEnabled()
    mono.now += 6
    sup.supervision.tick()  # type: ignore[union-attr]
    assert not bar.isVisibleTo(sup.console)
    assert sup.log == [
        ("supervision_requested", {"id": sid, "agent_id": AGENT, "mode": "listen"}),
        ("supervision_connected", {"id": sid}),
        ("supervision_mode", {"id": sid, "mode": "whisper"}),
        ("supervision_ended", {"id": sid, "reason": "lead_stopped"}),
    ]
    assert token not in repr(sup.log)


def test_the_row_keys_switch_the_mode_of_the_session_on_that_agent(sup: FakeConsole) -> None:
    assert sup.sup_server is not None
    actions = sup.console.row_actions
    select(sup, AGENT)
    actions.listen.trigger()
    sid = session_id(sup)
    assert sup.agent_connects_leg(sid)
    actions.refresh()
    assert not actions.listen.isEnabled()  # the mode it is in
    assert actions.whisper.isEnabled()
    assert actions.barge.isEnabled()
    actions.barge.trigger()  # Ctrl+Shift+I on the row: a switch, not a second session
    assert sup.sup_server.sessions[sid]["mode"] == "barge"
    assert list(sup.sup_server.sessions) == [sid]
    actions.refresh()
    assert not actions.barge.isEnabled()
    assert actions.listen.isEnabled()


def test_the_customer_hanging_up_ends_it_and_says_why(sup: FakeConsole) -> None:
    assert sup.leg is not None
    select(sup, AGENT)
    sup.console.row_actions.barge.trigger()
    sid = session_id(sup)
    sup.agent_connects_leg(sid)
    sup.server.end_call(AGENT)  # the server ends the session: call_ended
    assert bar_text(sup) == "Barging in on Léa Moreau: Call ended"
    assert StopSupervision(sid, "call_ended") in sup.leg.commands
    assert sup.log[-1] == ("supervision_ended", {"id": sid, "reason": "call_ended"})
    assert sup.leg.up == {}


def test_a_transfer_seen_by_the_engine_first_shows_the_servers_reason(
    sup: FakeConsole, mono: Mono
) -> None:
    assert sup.leg is not None
    assert sup.sup_server is not None
    select(sup, AGENT)
    sup.console.row_actions.listen.trigger()
    sid = session_id(sup)
    sup.agent_connects_leg(sid)
    sup.leg.hang_up(sid, "lead_lost")  # the BYE beats the stream
    assert bar_text(sup) == "Listening to Léa Moreau: Connection lost"
    sup.sup_server.end(sid, "transferred")  # the agent's app tells the server
    assert bar_text(sup) == "Listening to Léa Moreau: Transferred"
    assert sup.log[-1] == ("supervision_ended", {"id": sid, "reason": "transferred"})


def test_no_audio_within_ten_seconds(sup: FakeConsole, mono: Mono) -> None:
    assert sup.supervision is not None
    select(sup, AGENT)
    sup.console.row_actions.listen.trigger()
    sid = session_id(sup)
    mono.now += 10
    sup.supervision.tick()
    assert bar_text(sup) == "Listening to Léa Moreau: No audio within 10 s: stopped"
    assert sup.sup_server is not None
    assert sup.sup_server.sessions[sid]["end_reason"] == "failed"


def test_another_leads_session_shows_and_blocks(sup: FakeConsole) -> None:
    assert sup.sup_server is not None
    sup.sup_server.other_lead_starts(AGENT, "Marc Petit", "whisper")
    index = sup.board.index(sup.board.source_row(AGENT), COL_AGENT)
    assert index.data() == "Léa Moreau · Whispering: Marc Petit"
    assert "Whispering: Marc Petit" in index.data(Qt.ItemDataRole.ToolTipRole)
    select(sup, AGENT)
    listen = sup.console.row_actions.listen
    assert not listen.isEnabled()
    assert listen.toolTip() == "Marc Petit is already listening to Léa Moreau."


def test_refusals_say_why_and_arm_nothing(sup: FakeConsole) -> None:
    assert sup.sup_server is not None
    assert sup.leg is not None
    assert sup.supervision is not None
    # another lead got there and the console missed it: the server's 409 names them
    on_event, sup.server.on_event = sup.server.on_event, None
    sup.sup_server.other_lead_starts(AGENT, "Claire Martin")
    sup.server.on_event = on_event
    select(sup, AGENT)
    sup.console.row_actions.listen.trigger()
    assert bar_text(sup) == "Claire Martin is already listening to Léa Moreau."
    assert sup.leg.commands == []
    assert not sup.supervision.core.view.active
    sup.sup_server.sessions.clear()
    sup.sup_server.policy = "off"
    sup.console.row_actions.listen.trigger()
    assert bar_text(sup) == "Call supervision is turned off by your organisation."
    sup.sup_server.policy = "announced"
    # the board is behind the server: the row still says on_call
    sup.sup_server.team.rows[AGENT]["state"] = "wrap_up"
    sup.console.row_actions.listen.trigger()
    assert bar_text(sup) == "Léa Moreau is no longer in a call."
    assert sup.leg.commands == []


def test_without_a_line_or_in_a_call_of_ones_own(qtbot, clock: FakeClock, mono: Mono) -> None:  # type: ignore[no-untyped-def]
    fake = build(qtbot, clock, mono, has_line=False)
    try:
        select(fake, AGENT)
        listen = fake.console.row_actions.listen
        assert not listen.isEnabled()
        assert listen.toolTip() == "You have no phone line: call supervision needs one."
    finally:
        fake.close()
    fake = build(qtbot, clock, mono)
    try:
        assert fake.supervision is not None
        fake.supervision.set_own_call(True)
        select(fake, AGENT)
        assert not fake.console.row_actions.whisper.isEnabled()
        assert fake.console.row_actions.whisper.toolTip() == "In a call"
        fake.supervision.set_own_call(False)
        assert fake.console.row_actions.whisper.isEnabled()
        fake.console.row_actions.listen.trigger()
        fake.agent_connects_leg(session_id(fake))
        fake.supervision.set_own_call(True, connected=True)  # the lead answered a call
        assert not fake.supervision.core.view.active
        assert fake.log[-1][1]["reason"] == "lead_stopped"
    finally:
        fake.close()


def test_the_help_queue_supervises_the_requesting_agent(
    sup: FakeConsole, qtbot, net: TaskRunner
) -> None:  # type: ignore[no-untyped-def]
    assert sup.supervision is not None
    comms = FakeLeadComms()
    comms.agents[AGENT] = ("lea1", "Léa Moreau")
    comms.agents["a-002"] = ("hugo2", "Hugo Laurent")
    panel = HelpQueuePanel(comms, net)  # type: ignore[arg-type]
    qtbot.addWidget(panel)
    sup.supervision.add_help_panel(panel)
    first = comms.agent_asks_help(AGENT, "Client difficile")
    second = comms.agent_asks_help("a-002", "Question")
    for event_type, data in comms.drain_events():
        panel.apply_event(event_type, data)
    panel.select(second)
    assert not panel.listen_button.isEnabled()
    assert panel.listen_button.toolTip() == "Hugo Laurent is not in a call."
    panel.select(first)
    assert panel.whisper_button.isEnabled()
    assert "MOS 4.3" in panel.whisper_button.toolTip()
    qtbot.mouseClick(panel.whisper_button, Qt.MouseButton.LeftButton)
    view = sup.supervision.core.view
    assert view.active
    assert (view.agent_id, view.mode) == (AGENT, "whisper")
    assert not panel.whisper_button.isEnabled()  # the mode it is in
    assert panel.listen_button.isEnabled()  # a switch of this session
    assert panel.listen_button.toolTip() == "Switch this session to Listen"


def test_the_shortcuts_are_free_and_live_on_the_console(sup: FakeConsole) -> None:
    desk = {QKeySequence(k).toString() for keys in SHORTCUTS.values() for k in keys}
    console = [QKeySequence(k).toString() for k in LEAD_SHORTCUTS.values()]
    assert len(set(console)) == len(console)
    assert not desk & set(console)
    actions = sup.console.row_actions
    for name in ("listen", "whisper", "barge", "stop_supervision"):
        action = getattr(actions, name)
        assert action.shortcut() == QKeySequence(LEAD_SHORTCUTS[name])
        assert action in sup.console.actions()  # live while the console is shown
        assert action.shortcutContext() is Qt.ShortcutContext.WidgetWithChildrenShortcut
    assert LEAD_SHORTCUTS["listen"] == "Ctrl+Shift+L"
    assert LEAD_SHORTCUTS["whisper"] == "Ctrl+Shift+W"
    assert LEAD_SHORTCUTS["barge"] == "Ctrl+Shift+I"
    assert LEAD_SHORTCUTS["stop_supervision"] == "Ctrl+Shift+X"
    # (the offscreen platform has no active window: real key presses are the e2e's)
    select(sup, AGENT)
    actions.whisper.trigger()
    assert sup.supervision is not None
    assert sup.supervision.core.view.active
    assert sup.supervision.core.view.mode == "whisper"
    actions.stop_supervision.trigger()
    assert not sup.supervision.core.view.active


def test_french_words(sup: FakeConsole, french) -> None:  # type: ignore[no-untyped-def]
    assert sup.sup_server is not None
    sup.sup_server.policy = "off"
    assert sup.supervision is not None
    sup.supervision.core.start(AGENT, "Léa Moreau", "listen")
    assert bar_text(sup) == "La double écoute est désactivée par votre organisation."
    sup.sup_server.policy = "announced"
    on_event, sup.server.on_event = sup.server.on_event, None
    sup.sup_server.other_lead_starts(AGENT, "Claire Martin")
    sup.server.on_event = on_event
    sup.supervision.core.start(AGENT, "Léa Moreau", "listen")
    assert bar_text(sup) == "Claire Martin écoute déjà Léa Moreau."
    sup.sup_server.sessions.clear()
    sup.supervision.core.start(AGENT, "Léa Moreau", "listen")
    assert bar_text(sup).startswith("Écoute de Léa Moreau — connexion…")
