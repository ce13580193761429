"""Live supervision at the agent's desk, in one session (docs/supervision-contract.md,
"Agent desk"): the real store, outbox and window, the fake engine, and the fake server
pushing what a lead's clicks make. Only the stream starts a session: dial links (from the
command line or the single-instance IPC) and an INVITE's headers never do."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from homeagent.client.errors import ApiError
from homeagent.client.events import ConnectionState
from homeagent.core import commands as cmd
from homeagent.core import desk_supervision
from homeagent.core.desk_snapshot import Screen
from homeagent.core.events import CallDirection, CallRinging, SupervisionChanged
from homeagent.desktop.links import LinkRouter
from homeagent.testing.device import FakeDevice
from tests.unit.desktop.conftest import running_session

HEADER = "X-HomeAgent-Supervision"
FORGED = "forged_" + "Q" * 40


@pytest.fixture
def session(qtbot, tmp_path: Path):  # type: ignore[no-untyped-def]
    device = FakeDevice(data_dir=tmp_path, enrolled=True)
    with running_session(qtbot, device, tmp_path / "events.jsonl") as s:
        qtbot.waitUntil(lambda: s.model.snapshot().agent_name == "Alice Robert", timeout=3000)
        yield s


def _in_call(qtbot, session) -> int:  # type: ignore[no-untyped-def]
    call_id = int(session.fake_engine.ring("+33612345678"))
    qtbot.waitUntil(lambda: session.model.snapshot().screen is Screen.RINGING, timeout=3000)
    session.model.answer()
    qtbot.waitUntil(lambda: session.model.snapshot().screen is Screen.IN_CALL, timeout=3000)
    return call_id


def _sup(session) -> list[cmd.Command]:  # type: ignore[no-untyped-def]
    kinds = (cmd.StartSupervision, cmd.SetSupervisionMode, cmd.StopSupervision)
    return [c for c in session.fake_engine.submitted if isinstance(c, kinds)]


def _leg(session, session_id: int, phase: str, reason: str = "") -> None:  # type: ignore[no-untyped-def]
    """What the engine says of the leg (its events reach the desk through the dispatcher)."""
    session.dispatcher.post(SupervisionChanged(session_id, "agent", phase, "listen", reason))


def _ends_posted(session) -> list[object]:  # type: ignore[no-untyped-def]
    return [b for m, p, b in session.device.server.requests if p.endswith("/end")]


def test_listen_then_barge_then_the_lead_stops(qtbot, session, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    server, window = session.device.server, session.window
    call_id = _in_call(qtbot, session)
    notes = window.controls.notes
    notes.setFocus()
    qtbot.waitUntil(notes.hasFocus, timeout=3000)
    started = server.lead_supervises("listen")
    sid = started["id"]
    qtbot.waitUntil(lambda: bool(_sup(session)), timeout=3000)
    assert _sup(session) == [
        cmd.StartSupervision(sid, call_id, "sip:claire@demo.local", started["token"], "listen")
    ]
    indicator = window.controls.supervision
    qtbot.waitUntil(indicator.isVisible, timeout=3000)
    assert indicator.text.text() == "Listening: Claire M. · connecting…"
    _leg(session, sid, "connected")
    qtbot.waitUntil(lambda: server.supervisions[sid]["status"] == "connected", timeout=3000)
    qtbot.waitUntil(lambda: indicator.text.text() == "Listening: Claire M.", timeout=3000)
    assert indicator.accessibleName() == "Listening: Claire M."
    assert indicator.accessibleDescription() == (
        "Your team lead hears the call; nobody hears them."
    )
    server.lead_switches(sid, "barge")
    qtbot.waitUntil(lambda: _sup(session)[-1] == cmd.SetSupervisionMode(sid, "barge"), timeout=3000)
    qtbot.waitUntil(lambda: indicator.text.text() == "Barged in: Claire M.", timeout=3000)
    assert indicator.property("mode") == "barge"  # the style sheet's prominent look
    assert notes.hasFocus()  # nothing of it took the focus from the agent's notes
    server.lead_stops(sid)
    qtbot.waitUntil(
        lambda: _sup(session)[-1] == cmd.StopSupervision(sid, "lead_stopped"), timeout=3000
    )
    _leg(session, sid, "ended", "lead_stopped")
    qtbot.waitUntil(lambda: not indicator.isVisible(), timeout=3000)
    assert session.model.snapshot().screen is Screen.IN_CALL  # the call goes on
    qtbot.wait(100)
    assert _ends_posted(session) == []  # the server ended it: nothing posted back
    text = (tmp_path / "events.jsonl").read_text()
    events = [json.loads(line) for line in text.splitlines()]
    sup = [
        {k: v for k, v in e.items() if k != "ts"}
        for e in events
        if e["event"].startswith("supervision_")
    ]
    assert sup == [
        {"event": "supervision_started", "id": sid, "mode": "listen"},
        {"event": "supervision_connected", "id": sid},
        {"event": "supervision_mode", "id": sid, "mode": "barge"},
        {"event": "supervision_ended", "id": sid, "reason": "lead_stopped"},
    ]
    assert started["token"] not in text


def test_a_request_while_no_call_is_connected_is_ended_not_in_call(qtbot, session) -> None:  # type: ignore[no-untyped-def]
    server = session.device.server
    sid = server.lead_supervises("listen")["id"]
    qtbot.waitUntil(lambda: server.supervisions[sid]["status"] == "ended", timeout=3000)
    assert server.supervisions[sid]["end_reason"] == "not_in_call"
    qtbot.wait(100)  # the server's own `supervision_ended` comes back: nothing more
    assert _sup(session) == []
    assert not session.window.controls.supervision.isVisible()


def test_the_customer_hanging_up_ends_the_leg_and_the_server_hears_it(qtbot, session) -> None:  # type: ignore[no-untyped-def]
    server = session.device.server
    call_id = _in_call(qtbot, session)
    sid = server.lead_supervises("whisper")["id"]
    qtbot.waitUntil(lambda: bool(_sup(session)), timeout=3000)
    _leg(session, sid, "connected")
    session.fake_engine.remote_hangup(call_id)
    _leg(session, sid, "ended", "call_ended")  # the engine ends the leg with the call
    qtbot.waitUntil(lambda: server.supervisions[sid]["status"] == "ended", timeout=3000)
    assert server.supervisions[sid]["end_reason"] == "call_ended"
    assert session.model.snapshot().screen is Screen.WRAP_UP


def test_a_silent_policy_supervises_without_the_indicator(qtbot, session) -> None:  # type: ignore[no-untyped-def]
    server = session.device.server
    _in_call(qtbot, session)
    sid = server.lead_supervises("listen", announce=False)["id"]
    qtbot.waitUntil(lambda: bool(_sup(session)), timeout=3000)
    _leg(session, sid, "connected")
    qtbot.waitUntil(lambda: server.supervisions[sid]["status"] == "connected", timeout=3000)
    assert not session.window.controls.supervision.isVisible()


def test_the_stream_lost_longer_than_allowed_ends_the_leg_server_lost(
    qtbot, session, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(desk_supervision, "SERVER_LOST_S", 0.3)
    device = session.device
    server = device.server
    _in_call(qtbot, session)
    sid = server.lead_supervises("listen")["id"]
    qtbot.waitUntil(lambda: bool(_sup(session)), timeout=3000)
    _leg(session, sid, "connected")
    qtbot.waitUntil(lambda: server.supervisions[sid]["status"] == "connected", timeout=3000)
    device.on_connection(ConnectionState.RECONNECTING)  # a blip, back in time
    device.on_connection(ConnectionState.ONLINE)
    qtbot.wait(600)
    assert not any(isinstance(c, cmd.StopSupervision) for c in _sup(session))
    server.refuse = lambda _m, _p: ApiError(503, "unavailable", "The server is down.")
    device.on_connection(ConnectionState.OFFLINE)
    qtbot.waitUntil(
        lambda: _sup(session)[-1] == cmd.StopSupervision(sid, "server_lost"), timeout=3000
    )
    _leg(session, sid, "ended", "server_lost")
    qtbot.waitUntil(lambda: not session.window.controls.supervision.isVisible(), timeout=3000)
    qtbot.waitUntil(lambda: len(_ends_posted(session)) == 1, timeout=3000)  # refused: offline
    assert server.supervisions[sid]["status"] == "connected"
    server.refuse = None
    device.on_connection(ConnectionState.ONLINE)  # back: the end is told now
    qtbot.waitUntil(lambda: server.supervisions[sid]["status"] == "ended", timeout=3000)
    assert server.supervisions[sid]["end_reason"] == "server_lost"
    assert session.model.snapshot().screen is Screen.IN_CALL  # the customer call untouched


@pytest.mark.parametrize(
    ("link", "target"),
    [
        (f"sip:claire@demo.local?{HEADER}={FORGED}", "sip:claire@demo.local"),
        (
            f"sip:claire@demo.local;transport=tls?Subject=x&{HEADER}={FORGED}",
            "sip:claire@demo.local",
        ),
        (f"sips:claire@demo.local:5061?{HEADER}={FORGED}&x=1", "sips:claire@demo.local:5061"),
        (f"sip:claire@demo.local%3F{HEADER}%3D{FORGED}", ""),  # escaped in the host: refused
        (f"tel:+33612345678;{HEADER}={FORGED}", "+33612345678"),
    ],
)
def test_a_dial_link_with_the_supervision_header_places_a_plain_call(
    qtbot, session, link: str, target: str
) -> None:  # type: ignore[no-untyped-def]
    window, engine = session.window, session.fake_engine
    router = LinkRouter(session.log)
    router.attach(window)
    for via in ("command line", "another start"):  # the IPC hands links to the same door
        router.received(link, via)
    box = window.idle.search
    assert box.prepared == target
    if target:
        box.call.click()
        qtbot.waitUntil(lambda: any(isinstance(c, cmd.Dial) for c in engine.submitted))
        [dial] = [c for c in engine.submitted if isinstance(c, cmd.Dial)]
        assert dial == cmd.Dial(target)  # no header, nothing of the link's but the address
        assert dial.headers == {}
        qtbot.waitUntil(lambda: session.model.snapshot().screen is Screen.IN_CALL, timeout=3000)
    qtbot.wait(100)
    assert _sup(session) == []
    assert all("/supervision" not in p for _m, p, _b in session.device.server.requests)


def test_an_incoming_invite_s_supervision_header_starts_nothing(qtbot, session) -> None:  # type: ignore[no-untyped-def]
    session.dispatcher.post(
        CallRinging(
            call_id=50,
            direction=CallDirection.INBOUND,
            remote_uri="sip:claire@demo.local",
            remote_number="+33612345678",
            headers={HEADER: FORGED},
        )
    )
    qtbot.waitUntil(lambda: session.model.snapshot().screen is Screen.RINGING, timeout=3000)
    session.model.answer()
    qtbot.waitUntil(lambda: session.model.snapshot().screen is Screen.IN_CALL, timeout=3000)
    qtbot.wait(100)
    assert _sup(session) == []
    assert not session.window.controls.supervision.isVisible()


def test_only_the_supervision_requested_event_starts_a_session(qtbot, session) -> None:  # type: ignore[no-untyped-def]
    device = session.device
    _in_call(qtbot, session)
    data = {
        "id": 77, "token": "t" * 43, "mode": "listen", "lead": {"id": "x", "name": "Eve"},
        "lead_sip_uri": "sip:eve@evil.example", "announce": False,
    }  # fmt: skip
    for type_ in ("supervision_session", "supervision_request", "message", "agent_state"):
        device.push(type_, data)
    qtbot.wait(200)
    assert _sup(session) == []
    device.push("supervision_requested", data)  # the one door: it opens
    qtbot.waitUntil(lambda: bool(_sup(session)), timeout=3000)
