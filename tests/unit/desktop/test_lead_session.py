"""The lead console in the composition: built for a lead, fed by the session's stream."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

from homeagent.client.events import ConnectionState, StreamEvent
from homeagent.desktop.lead_session import lead_session_for
from homeagent.testing.device import FakeDevice, FakeServerClient
from homeagent.testing.lead_board import FakeLeadBoardServer
from homeagent.testing.lead_comms import FakeLeadComms
from homeagent.ui.shell.main_window import CONSOLE
from tests.unit.desktop.conftest import running_session


class LeadClient(FakeServerClient):
    """The desk's reads plus the board routes of a fake team."""

    def __init__(self) -> None:
        self.team = FakeLeadBoardServer(agents=3)
        self.comms = FakeLeadComms(team_id="t-1")
        self.threads: list[str] = []

    def __getattr__(self, name: str) -> Any:
        owner = self.team if hasattr(self.team, name) else self.comms
        target = getattr(owner, name)
        if callable(target):

            def call(*args: Any) -> Any:
                self.threads.append(threading.current_thread().name)
                return target(*args)

            return call
        return target


def lead_device(tmp_path: Path, role: str = "team_lead") -> FakeDevice:
    device = FakeDevice(data_dir=tmp_path, enrolled=True)
    info = {"user": {"id": "u-lead", "role": role, "team_id": "t-1"}, "sip": {"username": "1009"}}
    (tmp_path / "device.json").write_text(json.dumps(info))
    device.client = LeadClient()  # type: ignore[assignment]
    return device


def test_a_lead_gets_the_console_and_its_stream(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    device = lead_device(tmp_path)
    client: LeadClient = device.client  # type: ignore[assignment]
    with running_session(qtbot, device, tmp_path / "events.jsonl") as session:
        lead = lead_session_for(session)
        assert lead is not None
        lead.start()
        try:
            assert session.window.mode == CONSOLE
            assert session.window.top.mode.isVisible()
            qtbot.waitUntil(lambda: lead.board.rowCount() == 3, timeout=5000)
            assert all(name.startswith("homeagent-lead") for name in client.threads)  # its own lane
            agent = next(iter(client.team.rows))
            data = client.team.set_state(agent, "break", "Café")
            assert device.on_event is not None
            threading.Thread(
                target=device.on_event, args=(StreamEvent(7, "agent_state", data),)
            ).start()
            qtbot.waitUntil(lambda: lead.board.row_of(agent).state.value == "break", timeout=3000)  # type: ignore[union-attr]
            reads = client.threads.count(threading.current_thread().name)
            assert reads == 0
            before = len(client.team.calls)
            session._on_stream_connection(ConnectionState.RECONNECTING)
            session._on_stream_connection(ConnectionState.ONLINE)
            qtbot.waitUntil(lambda: len(client.team.calls) > before, timeout=3000)
            assert ("read_board", ("t-1",)) in client.team.calls[before:]
        finally:
            lead.stop()


def test_an_agent_has_no_console(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    device = lead_device(tmp_path, role="agent")
    with running_session(qtbot, device, tmp_path / "events.jsonl") as session:
        assert lead_session_for(session) is None
        assert session.window.console is None
        assert not session.window.top.mode.isVisible()


def test_the_console_pages_hear_the_stream_and_answer_the_board(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    device = lead_device(tmp_path)
    client: LeadClient = device.client  # type: ignore[assignment]
    agent = next(iter(client.team.rows))
    client.comms.agents[agent] = ("agent1", "Agent Un")
    with running_session(qtbot, device, tmp_path / "events.jsonl") as session:
        lead = lead_session_for(session)
        assert lead is not None
        assert lead.comms is not None
        lead.start()
        try:
            pages, side = lead.comms, lead.console.side
            assert [side.tabText(i) for i in range(side.count())][-4:] == [
                "Messages", "Help requests", "Alerts", "Day",
            ]  # fmt: skip
            qtbot.waitUntil(lambda: lead.board.rowCount() == 3, timeout=5000)
            assert device.on_event is not None
            client.comms.agent_asks_help(agent, "Client très mécontent")
            client.comms.raise_alert(agent, "break_over", 1200, 900)
            for i, (kind, data) in enumerate(client.comms.drain_events(), start=20):
                device.on_event(StreamEvent(i, kind, data))
            qtbot.waitUntil(lambda: side.tabText(side.indexOf(pages.help)).endswith("(1)"))
            qtbot.waitUntil(lambda: side.tabText(side.indexOf(pages.alerts)).endswith("(1)"))
            assert agent in pages.alerts.open_by_agent()
            lead.console.message_requested.emit([agent])
            assert side.currentWidget() is pages.messages
            lead.console.day_requested.emit(agent)
            assert side.currentWidget() is pages.day
        finally:
            lead.stop()


class SupervisingLeadClient(LeadClient):
    """A lead client whose server also has the supervision routes."""

    def __init__(self) -> None:
        super().__init__()
        from homeagent.testing.lead_board import FakeSupervisionServer

        self.supervision = FakeSupervisionServer(self.team)

    # the agent's routes of the base fake answer from its own server: the lead's go here
    def supervision_connected(self, session_id: int) -> Any:
        return self._supervising("supervision_connected")(session_id)

    def end_supervision(self, session_id: int, reason: str) -> Any:
        return self._supervising("end_supervision")(session_id, reason)

    def __getattr__(self, name: str) -> Any:
        if name != "supervision" and hasattr(self.supervision, name):
            return self._supervising(name)
        return super().__getattr__(name)

    def _supervising(self, name: str) -> Any:
        target = getattr(self.supervision, name)

        def call(*args: Any) -> Any:
            self.threads.append(threading.current_thread().name)
            return target(*args)

        return call


def test_the_console_supervises_over_the_session_engine_and_stream(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from homeagent.core.commands import ExpectSupervision, StopSupervision
    from homeagent.core.events import SupervisionChanged, SupervisionRefused

    device = lead_device(tmp_path)
    client = SupervisingLeadClient()
    device.client = client  # type: ignore[assignment]
    log_path = tmp_path / "events.jsonl"
    with running_session(qtbot, device, log_path) as session:
        lead = lead_session_for(session)
        assert lead is not None
        assert lead.supervision is not None
        lead.start()
        agent = next(iter(client.team.rows))
        client.team.start_call(agent)
        qtbot.waitUntil(lambda: lead.board.rowCount() == 3, timeout=5000)
        assert device.on_event is not None
        for i, (kind, data) in enumerate(client.team.events, start=1):
            device.on_event(StreamEvent(i, kind, data))
        qtbot.waitUntil(lambda: lead.board.row_of(agent).state.value == "on_call", timeout=3000)  # type: ignore[union-attr]
        engine = session.fake_engine  # type: ignore[attr-defined]
        try:
            assert lead.supervision.start(agent, "listen")
            qtbot.waitUntil(
                lambda: any(isinstance(c, ExpectSupervision) for c in engine.submitted),
                timeout=3000,
            )
            (sid,) = client.supervision.sessions
            token = client.supervision.tokens[sid]
            assert ExpectSupervision(sid, token) in engine.submitted
            assert client.threads[-1].startswith("homeagent-lead")  # off the GUI thread
            # the stream tells the leads of the session; the engine connects the leg
            base = 100
            for i, (kind, data) in enumerate(client.team.events[-1:], start=base):
                device.on_event(StreamEvent(i, kind, data))
            qtbot.waitUntil(lambda: lead.board.supervised(agent) != "", timeout=3000)
            session.dispatcher.post(SupervisionChanged(sid, "lead", "connected", "listen"))
            qtbot.waitUntil(
                lambda: lead.supervision.core.view.phase.value == "connected", timeout=3000
            )  # type: ignore[union-attr]
            assert lead.console.supervision_bar.isVisibleTo(lead.console)
            # an INVITE turned away by the lead's engine is in the log (no token there)
            session.dispatcher.post(SupervisionRefused("token unknown", "sip:x@y"))
            # a call rings at the lead's own desk: nothing new may start
            engine.ring("+33612345678")
            qtbot.waitUntil(lambda: lead.supervision.core.own_call, timeout=3000)  # type: ignore[union-attr]
            other = next(a for a in client.team.rows if a != agent)
            assert lead.supervision.gate(other, "listen") == (False, "In a call")
            assert lead.supervision.core.view.active  # a ringing call ends nothing
        finally:
            lead.stop()  # closing the app during a session ends it
        assert StopSupervision(sid, "lead_stopped") in engine.submitted
        assert client.supervision.sessions[sid]["end_reason"] == "lead_stopped"
    lines = [json.loads(line) for line in log_path.read_text().splitlines()]
    events = [(r["event"], r.get("id")) for r in lines if r["event"].startswith("supervision_")]
    assert events == [
        ("supervision_requested", sid),
        ("supervision_connected", sid),
        ("supervision_refused", None),
        ("supervision_ended", sid),
    ]
    assert token not in log_path.read_text()


def test_a_lead_without_a_line_cannot_supervise(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    device = lead_device(tmp_path)
    info = json.loads((tmp_path / "device.json").read_text())
    info["sip"] = {}
    (tmp_path / "device.json").write_text(json.dumps(info))
    device.client = SupervisingLeadClient()  # type: ignore[assignment]
    with running_session(qtbot, device, tmp_path / "events.jsonl") as session:
        lead = lead_session_for(session)
        assert lead is not None
        assert lead.supervision is not None
        lead.start()
        try:
            agent = next(iter(device.client.team.rows))  # type: ignore[attr-defined]
            ok, why = lead.supervision.gate(agent, "listen")
            assert not ok
            assert "no phone line" in why
        finally:
            lead.stop()
