"""The agent desk's side of live supervision (docs/supervision-contract.md, "Agent desk"),
over the real desk model and the in-memory fakes: what the stream asks becomes engine
commands, what the engine says reaches the server, the indicator follows, and the event
log says it all without the token."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from homeagent.core import commands as cmd
from homeagent.core.agent_state import AgentState
from homeagent.core.desk import DeskModel
from homeagent.core.desk_snapshot import Screen, SupervisionView
from homeagent.core.desk_supervision import MAX_END_TRIES, SERVER_LOST_S, DeskSupervision
from homeagent.core.eventlog import MemoryEventLog
from homeagent.core.events import CallDirection, CallRinging, SupervisionChanged
from homeagent.testing.demo_team import DEMO_TEAM
from homeagent.testing.fakes import FakeDirectory, FakeEngine, RecordingSink

TOKEN = "tok_" + "A" * 40  # the shape of secrets.token_urlsafe(32)
LEAD_URI = "sip:claire@demo.local"


class ApiError(Exception):
    """Like `homeagent.client.errors.ApiError`: a refusal carries its HTTP status."""

    def __init__(self, status: int) -> None:
        super().__init__(f"HTTP {status}")
        self.status = status


class FakeApi:
    """The agent's two supervision routes, recorded; `fail` makes the next calls raise."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, int, str]] = []
        self.fail: Exception | None = None

    def supervision_connected(self, session_id: int) -> object:
        self.calls.append(("connected", session_id, ""))
        if self.fail is not None:
            raise self.fail
        return None

    def end_supervision(self, session_id: int, reason: str) -> object:
        self.calls.append(("end", session_id, reason))
        if self.fail is not None:
            raise self.fail
        return None


class Lane:
    """The network lane, run at once (the job's exception goes to `on_error`)."""

    def __init__(self) -> None:
        self.jobs = 0

    def __call__(
        self,
        job: Callable[[], Any],
        on_done: Callable[[Any], object] | None = None,
        on_error: Callable[[BaseException], object] | None = None,
    ) -> None:
        self.jobs += 1
        try:
            result = job()
        except Exception as exc:
            if on_error is not None:
                on_error(exc)
            return
        if on_done is not None:
            on_done(result)


class Timers:
    """`call_later`, fired by the test."""

    def __init__(self) -> None:
        self.pending: list[tuple[float, Callable[[], None]]] = []

    def __call__(self, delay_s: float, fn: Callable[[], None]) -> None:
        self.pending.append((delay_s, fn))

    def fire(self) -> None:
        due, self.pending = self.pending, []
        for _delay, fn in due:
            fn()


class World:
    def __init__(self) -> None:
        directory = FakeDirectory()
        self.sink = RecordingSink(directory=directory)
        self.log = MemoryEventLog()
        self.model = DeskModel(directory=directory, sink=self.sink, log=self.log)
        self.engine = FakeEngine(self._on_event)
        self.sink.engine = self.engine
        self.api = FakeApi()
        self.lane = Lane()
        self.timers = Timers()
        self.ended = 0
        self.sup = DeskSupervision(
            desk=self.model,
            submit=self.sink.submit,
            api=self.api,
            run=self.lane,
            call_later=self.timers,
            log=self.log,
            on_ended=self._count_end,
        )
        self.model.configure(agent_name="Alice", team=DEMO_TEAM)
        self.model.set_presence(AgentState.AVAILABLE)

    def _on_event(self, event: Any) -> None:  # the composition: the desk, then supervision
        self.model.handle(event)
        self.sup.handle(event)

    def _count_end(self) -> None:
        self.ended += 1

    def in_call(self) -> int:
        self.engine.on_event(
            CallRinging(7, CallDirection.INBOUND, "sip:x@h", "+33612345678", sip_call_id="s-7")
        )
        self.model.answer()
        assert self.model.snapshot().screen is Screen.IN_CALL
        return 7

    def leg(self, session_id: int, phase: str, reason: str = "") -> None:
        self._on_event(SupervisionChanged(session_id, "agent", phase, "listen", reason))

    def sup_commands(self) -> list[cmd.Command]:
        kinds = (cmd.StartSupervision, cmd.SetSupervisionMode, cmd.StopSupervision)
        return [c for c in self.sink.commands if isinstance(c, kinds)]

    def sup_log(self) -> list[dict[str, object]]:
        return [r for r in self.log.records if str(r["event"]).startswith("supervision_")]


def request(session_id: int = 11, mode: str = "listen", **over: Any) -> dict[str, Any]:
    return {
        "id": session_id, "token": TOKEN, "mode": mode,
        "lead": {"id": "lead-1", "name": "Claire Martin"},
        "lead_sip_uri": LEAD_URI, "announce": True, **over,
    }  # fmt: skip


@pytest.fixture
def w() -> World:
    return World()


def test_a_request_during_a_call_places_the_leg_then_tells_the_server_it_is_up(w) -> None:  # type: ignore[no-untyped-def]
    call_id = w.in_call()
    w.sup.requested(request(mode="whisper"))
    assert w.sup_commands() == [cmd.StartSupervision(11, call_id, LEAD_URI, TOKEN, "whisper")]
    assert w.model.snapshot().supervision == SupervisionView(
        11, call_id, "whisper", "Claire Martin", connected=False
    )
    assert w.api.calls == []  # nothing to tell before the leg is up
    w.leg(11, "connecting")
    w.leg(11, "connected")
    assert w.api.calls == [("connected", 11, "")]
    assert w.model.snapshot().supervision.connected  # type: ignore[union-attr]
    w.leg(11, "connected")  # said twice by the engine: told once
    assert w.api.calls == [("connected", 11, "")]
    assert w.sup.active == 11


def test_a_request_without_a_connected_call_is_ended_not_in_call(w) -> None:  # type: ignore[no-untyped-def]
    w.sup.requested(request())
    assert w.sup_commands() == []
    assert w.api.calls == [("end", 11, "not_in_call")]
    assert w.sup_log() == [{"event": "supervision_ended", "id": 11, "reason": "not_in_call"}]
    assert w.sup.active is None


def test_a_ringing_call_is_not_a_call_to_supervise(w) -> None:  # type: ignore[no-untyped-def]
    w.engine.on_event(CallRinging(3, CallDirection.INBOUND, "sip:x@h", "+33612345678"))
    assert w.model.snapshot().screen is Screen.RINGING
    w.sup.requested(request())
    assert w.sup_commands() == []
    assert w.api.calls == [("end", 11, "not_in_call")]
    assert w.model.snapshot().screen is Screen.RINGING  # and the call still rings


def test_a_call_on_hold_can_be_supervised(w) -> None:  # type: ignore[no-untyped-def]
    call_id = w.in_call()
    w.model.toggle_hold()
    w.sup.requested(request())
    assert w.sup_commands() == [cmd.StartSupervision(11, call_id, LEAD_URI, TOKEN, "listen")]


@pytest.mark.parametrize(
    "bad",
    [
        {"token": "short"},
        {"token": "x" * 40 + "\r\nX-Evil: 1"},
        {"lead_sip_uri": "tel:+33612345678"},
        {"lead_sip_uri": "sip:claire@demo.local>;x"},
        {"mode": "record"},
        {"id": 0},
        {"announce": "yes"},
        {"lead": None},
    ],
)
def test_a_malformed_request_is_logged_and_ignored_without_its_token(
    w, bad: dict[str, Any], caplog
) -> None:  # type: ignore[no-untyped-def]
    w.in_call()
    w.sup.requested(request(**bad))
    assert w.sup_commands() == []
    assert w.api.calls == []
    assert w.sup_log() == []
    assert "supervision request ignored" in caplog.text
    assert TOKEN not in caplog.text
    assert "X-Evil" not in caplog.text


def test_a_replayed_request_is_never_placed_twice(w) -> None:  # type: ignore[no-untyped-def]
    w.in_call()
    w.sup.requested(request())
    w.sup.requested(request())
    assert len(w.sup_commands()) == 1
    w.leg(11, "ended", "lead_stopped")
    w.sup.requested(request())  # an old event replayed after the session ended
    assert len(w.sup_commands()) == 1


def test_a_request_for_a_session_the_server_already_ended_is_not_placed(w) -> None:  # type: ignore[no-untyped-def]
    w.in_call()
    w.sup.ended({"id": 11, "reason": "lead_stopped"})
    w.sup.requested(request())
    assert w.sup_commands() == []


def test_the_mode_changes_reconnect_the_bridge_and_the_indicator(w) -> None:  # type: ignore[no-untyped-def]
    w.in_call()
    w.sup.requested(request())
    w.leg(11, "connected")
    mode = {"id": 11, "mode": "barge", "lead": {"id": "lead-1", "name": "Claire Martin"},
            "announce": True}  # fmt: skip
    w.sup.mode_changed(mode)
    assert w.sup_commands()[-1] == cmd.SetSupervisionMode(11, "barge")
    assert w.model.snapshot().supervision.mode == "barge"  # type: ignore[union-attr]
    w.sup.mode_changed(mode)  # the same again: no reconnection
    assert len(w.sup_commands()) == 2
    w.sup.mode_changed({**mode, "id": 99, "mode": "whisper"})  # another session: ignored
    w.sup.mode_changed({**mode, "mode": "shout"})  # malformed: ignored
    assert len(w.sup_commands()) == 2
    assert [r["event"] for r in w.sup_log()] == [
        "supervision_started",
        "supervision_connected",
        "supervision_mode",
    ]


def test_the_server_s_end_hangs_up_the_leg_and_is_not_posted_back(w) -> None:  # type: ignore[no-untyped-def]
    w.in_call()
    w.sup.requested(request())
    w.leg(11, "connected")
    w.sup.ended({"id": 11, "reason": "lead_stopped"})
    assert w.sup_commands()[-1] == cmd.StopSupervision(11, "lead_stopped")
    assert w.model.snapshot().supervision is not None  # until the engine says the leg is gone
    w.leg(11, "ended", "lead_stopped")
    assert w.model.snapshot().supervision is None
    assert w.api.calls == [("connected", 11, "")]  # no POST …/end: the server ended it
    assert w.sup_log()[-1] == {"event": "supervision_ended", "id": 11, "reason": "lead_stopped"}
    assert w.ended == 1
    assert w.sup.active is None


def test_an_end_of_the_leg_by_the_engine_is_told_to_the_server(w) -> None:  # type: ignore[no-untyped-def]
    call_id = w.in_call()
    w.sup.requested(request())
    w.leg(11, "connected")
    w.engine.remote_hangup(call_id)  # the customer hangs up
    assert w.sup_commands()[-1] == cmd.StopSupervision(11, "call_ended")  # a safety: no-op
    w.leg(11, "ended", "call_ended")
    assert w.api.calls[-1] == ("end", 11, "call_ended")
    assert w.model.snapshot().supervision is None
    w.leg(11, "ended", "call_ended")  # said twice: told once
    assert [c for c in w.api.calls if c[0] == "end"] == [("end", 11, "call_ended")]


def test_an_unknown_end_reason_from_the_engine_is_said_failed(w) -> None:  # type: ignore[no-untyped-def]
    w.in_call()
    w.sup.requested(request())
    w.leg(11, "ended", "whatever")
    assert w.api.calls == [("end", 11, "failed")]


def test_a_second_request_hangs_up_the_first_leg_and_places_the_new_one(w) -> None:  # type: ignore[no-untyped-def]
    call_id = w.in_call()
    w.sup.requested(request(11))
    w.leg(11, "connected")
    w.sup.requested(request(12, "barge"))
    assert w.sup_commands()[-2:] == [
        cmd.StopSupervision(11, "lead_stopped"),
        cmd.StartSupervision(12, call_id, LEAD_URI, TOKEN, "barge"),
    ]
    assert w.sup.active == 12
    assert w.model.snapshot().supervision.session_id == 12  # type: ignore[union-attr]
    w.leg(11, "ended", "lead_stopped")  # the old leg goes: the new one's indicator stays
    assert w.model.snapshot().supervision.session_id == 12  # type: ignore[union-attr]
    assert ("end", 11, "lead_stopped") in w.api.calls


def test_a_silent_policy_shows_no_indicator_but_still_supervises_and_logs(w) -> None:  # type: ignore[no-untyped-def]
    w.in_call()
    w.sup.requested(request(announce=False))
    w.leg(11, "connected")
    assert len(w.sup_commands()) == 1
    assert w.model.snapshot().supervision is None
    assert [r["event"] for r in w.sup_log()] == ["supervision_started", "supervision_connected"]


def test_the_server_lost_for_more_than_5_s_ends_the_leg(w) -> None:  # type: ignore[no-untyped-def]
    w.in_call()
    w.sup.requested(request())
    w.leg(11, "connected")
    w.sup.link_changed(False)
    assert [d for d, _ in w.timers.pending] == [SERVER_LOST_S]
    w.api.fail = OSError("network unreachable")
    w.timers.fire()
    assert w.sup_commands()[-1] == cmd.StopSupervision(11, "server_lost")
    w.leg(11, "ended", "server_lost")
    assert w.model.snapshot().supervision is None
    assert w.api.calls[-1] == ("end", 11, "server_lost")  # failed: offline
    w.api.fail = None
    w.sup.link_changed(True)  # back: the end goes now
    assert w.api.calls[-1] == ("end", 11, "server_lost")
    assert len([c for c in w.api.calls if c[0] == "end"]) == 2
    w.sup.link_changed(False)
    w.sup.link_changed(True)
    assert len([c for c in w.api.calls if c[0] == "end"]) == 2  # told: not again


def test_a_short_stream_outage_leaves_the_leg_alone(w) -> None:  # type: ignore[no-untyped-def]
    w.in_call()
    w.sup.requested(request())
    w.sup.link_changed(False)
    w.sup.link_changed(True)
    w.timers.fire()  # the timer of the outage that ended in time
    assert not any(isinstance(c, cmd.StopSupervision) for c in w.sup_commands())
    w.sup.link_changed(False)  # down again, still supervised
    w.sup.link_changed(True)
    w.sup.link_changed(False)
    w.timers.fire()  # only the last outage's timer may act, and it lasts
    assert w.sup_commands()[-1] == cmd.StopSupervision(11, "server_lost")
    assert sum(isinstance(c, cmd.StopSupervision) for c in w.sup_commands()) == 1


def test_an_outage_without_a_session_arms_nothing(w) -> None:  # type: ignore[no-untyped-def]
    w.sup.link_changed(False)
    assert w.timers.pending == []


def test_an_end_the_server_refuses_is_not_sent_again(w) -> None:  # type: ignore[no-untyped-def]
    w.in_call()
    w.sup.requested(request())
    w.api.fail = ApiError(404)
    w.leg(11, "ended", "failed")
    w.api.fail = None
    w.sup.link_changed(False)
    w.sup.link_changed(True)
    assert [c for c in w.api.calls if c[0] == "end"] == [("end", 11, "failed")]


def test_an_end_that_never_gets_through_stops_after_a_few_tries(w) -> None:  # type: ignore[no-untyped-def]
    w.in_call()
    w.sup.requested(request())
    w.api.fail = OSError("down")
    w.leg(11, "ended", "failed")
    for _ in range(5):
        w.sup.link_changed(False)
        w.sup.link_changed(True)
    assert len([c for c in w.api.calls if c[0] == "end"]) == MAX_END_TRIES


def test_failing_server_calls_never_reach_the_desk(w) -> None:  # type: ignore[no-untyped-def]
    call_id = w.in_call()
    w.api.fail = RuntimeError("500")
    w.sup.requested(request())
    w.leg(11, "connected")
    w.leg(11, "ended", "lead_lost")
    assert w.model.snapshot().screen is Screen.IN_CALL
    assert w.model.snapshot().call.call_id == call_id  # type: ignore[union-attr]


def test_a_broken_engine_queue_or_desk_never_raises_into_the_gui(w) -> None:  # type: ignore[no-untyped-def]
    w.in_call()

    def broken(_command: object) -> None:
        raise RuntimeError("engine gone")

    w.sup._submit = broken
    w.sup.requested(request())  # logged, not raised
    w.sup.handle(SupervisionChanged(11, "agent", "ended", "listen", "failed"))
    assert w.sup.active is None


def test_lead_side_events_and_unknown_sessions_are_not_the_desk_s(w) -> None:  # type: ignore[no-untyped-def]
    w.in_call()
    w.sup.requested(request())
    w.sup.handle(SupervisionChanged(11, "lead", "ended", "listen", "lead_stopped"))
    w.sup.handle(SupervisionChanged(42, "agent", "connected", "listen"))
    assert w.sup.active == 11
    assert w.api.calls == []


def test_the_indicator_is_only_beside_the_supervised_call(w) -> None:  # type: ignore[no-untyped-def]
    call_id = w.in_call()
    w.sup.requested(request())
    w.engine.remote_hangup(call_id)  # the engine's `ended` is late
    assert w.model.snapshot().supervision is None  # wrap-up: no call, no indicator
    w.engine.on_event(CallRinging(8, CallDirection.INBOUND, "sip:y@h", "+33699999999"))
    assert w.model.snapshot().supervision is None  # a new call never shows the old one


def test_without_supervision_routes_no_request_is_taken(w) -> None:  # type: ignore[no-untyped-def]
    w.in_call()
    sup = DeskSupervision(
        desk=w.model, submit=w.sink.submit, api=None, run=w.lane, call_later=w.timers, log=w.log
    )
    sup.requested(request())
    assert w.sup_commands() == []


def test_the_event_log_never_holds_the_token(w) -> None:  # type: ignore[no-untyped-def]
    w.in_call()
    w.sup.requested(request())
    w.leg(11, "connected")
    w.sup.mode_changed(
        {"id": 11, "mode": "whisper", "lead": {"id": "l", "name": "Claire"}, "announce": True}
    )
    w.sup.ended({"id": 11, "reason": "lead_stopped"})
    w.leg(11, "ended", "lead_stopped")
    assert w.sup_log() == [
        {"event": "supervision_started", "id": 11, "mode": "listen"},
        {"event": "supervision_connected", "id": 11},
        {"event": "supervision_mode", "id": 11, "mode": "whisper"},
        {"event": "supervision_ended", "id": 11, "reason": "lead_stopped"},
    ]
    assert TOKEN not in json.dumps(w.log.records)
    assert TOKEN not in repr(w.sup_commands())  # nor a command's repr
