"""The lead's supervision state machine, without Qt: a fake server, a fake engine leg, a
lane that runs jobs when the test says, a fake monotonic clock."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from homeagent.client.errors import ApiError, ServerUnreachable
from homeagent.core.commands import ExpectSupervision, StopSupervision
from homeagent.core.events import SupervisionChanged
from homeagent.core.lead_supervision import (
    CONNECT_TIMEOUT_S,
    END_GRACE_S,
    ENDED_NOTICE_S,
    Blocked,
    LeadSupervision,
    Phase,
    SupervisedAgents,
    refusal_of,
)
from homeagent.core.supervision import parse_session
from homeagent.testing.lead_board import FakeLeadBoardServer, FakeSupervisionServer


class Lane:
    """Jobs wait until `drain()` (so the test sees the "requesting" moment)."""

    def __init__(self) -> None:
        self.jobs: list[tuple[Callable[[], Any], Any, Any]] = []

    def __call__(self, job: Callable[[], Any], on_done: Any = None, on_error: Any = None) -> None:
        self.jobs.append((job, on_done, on_error))

    def drain(self) -> None:
        while self.jobs:
            job, on_done, on_error = self.jobs.pop(0)
            try:
                result = job()
            except Exception as exc:
                if on_error is not None:
                    on_error(exc)
                continue
            if on_done is not None:
                on_done(result)


class World:
    def __init__(self) -> None:
        self.team = FakeLeadBoardServer(agents=3)
        self.server = FakeSupervisionServer(self.team)
        self.now = 100.0
        self.lane = Lane()
        self.commands: list[object] = []
        self.log: list[tuple[str, dict[str, object]]] = []
        self.views: list[Phase] = []
        self.sup = LeadSupervision(
            api=self.server,  # type: ignore[arg-type]
            submit=self.commands.append,  # type: ignore[arg-type]
            run=self.lane,
            write_log=lambda event, **f: self.log.append((event, f)),
            on_change=lambda view: self.views.append(view.phase),
            clock=lambda: self.now,
            me_id="u-lead",
        )
        self.agent = "a-001"
        self.team.start_call(self.agent)

    def started(self, mode: str = "listen") -> int:
        assert self.sup.start(self.agent, "Léa Moreau", mode)
        self.lane.drain()
        assert self.sup.view.phase is Phase.CONNECTING
        return self.sup.view.session_id

    def connected(self, mode: str = "listen") -> int:
        session_id = self.started(mode)
        assert self.sup.engine_event(SupervisionChanged(session_id, "lead", "connected", mode))
        return session_id

    def events(self) -> list[str]:
        return [e for e, _ in self.log]


def phase(world: World) -> Phase:
    """The phase now (a function: each read is fresh for the type checker too)."""
    return world.sup.view.phase


@pytest.fixture
def world() -> World:
    return World()


def test_start_arms_the_engine_with_the_token_then_connects(world: World) -> None:
    assert world.sup.start(world.agent, "Léa Moreau", "listen")
    assert phase(world) is Phase.REQUESTING
    assert world.commands == []  # nothing armed before the server's answer
    world.lane.drain()
    session_id = world.sup.view.session_id
    token = world.server.tokens[session_id]
    assert world.commands == [ExpectSupervision(session_id, token)]
    assert phase(world) is Phase.CONNECTING
    world.now += 3
    world.sup.engine_event(SupervisionChanged(session_id, "lead", "connected", "listen"))
    assert phase(world) is Phase.CONNECTED
    world.now += 42
    assert world.sup.view.elapsed_s(world.now) == 42
    assert world.log == [
        ("supervision_requested", {"id": session_id, "agent_id": world.agent, "mode": "listen"}),
        ("supervision_connected", {"id": session_id}),
    ]
    assert token not in repr(world.log)
    assert token not in repr(world.sup.view)


def test_other_sides_and_other_sessions_are_not_ours(world: World) -> None:
    session_id = world.started()
    assert not world.sup.engine_event(SupervisionChanged(session_id, "agent", "connected"))
    assert not world.sup.engine_event(SupervisionChanged(session_id + 7, "lead", "connected"))
    assert phase(world) is Phase.CONNECTING


def test_a_mode_switch_shows_once_the_server_took_it(world: World) -> None:
    session_id = world.connected()
    assert world.sup.set_mode("whisper")
    assert world.sup.view.mode == "listen"
    assert world.sup.view.switching_to == "whisper"
    assert not world.sup.set_mode("barge")  # one switch at a time
    world.lane.drain()
    assert world.sup.view.mode == "whisper"
    assert world.sup.view.switching_to == ""
    assert world.server.sessions[session_id]["mode"] == "whisper"
    assert ("supervision_mode", {"id": session_id, "mode": "whisper"}) in world.log
    assert not world.sup.set_mode("whisper")  # already


def test_a_refused_mode_switch_keeps_the_session_and_says_so(world: World) -> None:
    world.connected()
    world.server.fail_next = ApiError(403, "forbidden", "not yours")
    world.sup.set_mode("barge")
    world.lane.drain()
    view = world.sup.view
    assert view.phase is Phase.CONNECTED
    assert view.mode == "listen"
    assert not view.switching_to
    assert view.notice is not None
    assert view.notice.kind == "mode_failed"


def test_stop_ends_on_the_server_and_hangs_up_the_leg(world: World) -> None:
    session_id = world.connected()
    assert world.sup.stop()
    assert StopSupervision(session_id, "lead_stopped") in world.commands
    assert phase(world) is Phase.IDLE
    assert world.sup.view.notice is not None
    assert world.sup.view.notice.code == "lead_stopped"
    world.lane.drain()
    assert world.server.sessions[session_id]["end_reason"] == "lead_stopped"
    assert world.log[-1] == ("supervision_ended", {"id": session_id, "reason": "lead_stopped"})
    # the engine's own "ended" for the leg just hung up changes nothing
    hung_up = SupervisionChanged(session_id, "lead", "ended", "", "lead_stopped")
    assert not world.sup.engine_event(hung_up)
    world.now += ENDED_NOTICE_S
    world.sup.tick()
    assert world.sup.view.notice is None
    assert not world.sup.stop()


def test_stop_while_the_post_is_on_its_way_arms_nothing(world: World) -> None:
    world.sup.start(world.agent, "Léa Moreau", "listen")
    assert world.sup.stop()
    assert phase(world) is Phase.IDLE
    world.lane.drain()  # the answer, then the end it triggers
    assert not any(isinstance(c, ExpectSupervision) for c in world.commands)
    (session,) = world.server.sessions.values()
    assert session["status"] == "ended"
    assert session["end_reason"] == "lead_stopped"
    assert world.events() == ["supervision_requested", "supervision_ended"]
    # a leg that arrives anyway for it is hung up
    world.sup.engine_event(SupervisionChanged(int(session["id"]), "lead", "connected"))  # type: ignore[call-overload]
    assert isinstance(world.commands[-1], StopSupervision)


def test_the_stream_ends_it_with_its_reason(world: World) -> None:
    session_id = world.connected()
    assert world.sup.stream_ended(session_id, "transferred")
    assert StopSupervision(session_id, "transferred") in world.commands
    assert world.sup.view.notice is not None
    assert world.sup.view.notice.code == "transferred"
    assert world.log[-1] == ("supervision_ended", {"id": session_id, "reason": "transferred"})
    assert not any(name == "end_supervision" for name, _ in world.server.calls)


def test_an_ended_session_record_on_the_stream_ends_it_too(world: World) -> None:
    session_id = world.connected()
    world.server.end(session_id, "call_ended")
    record = parse_session(world.server.sessions[session_id])
    assert world.sup.stream_session(record)
    assert phase(world) is Phase.IDLE
    assert world.sup.view.notice is not None
    assert world.sup.view.notice.code == "call_ended"


def test_the_engine_seeing_the_end_first_waits_for_the_streams_reason(world: World) -> None:
    session_id = world.connected()
    world.sup.engine_event(SupervisionChanged(session_id, "lead", "ended", "", "lead_lost"))
    assert phase(world) is Phase.IDLE
    assert world.sup.view.notice is not None
    assert world.sup.view.notice.code == "lead_lost"
    assert "supervision_ended" not in world.events()  # the reason is not known yet
    world.now += 0.5
    world.sup.stream_ended(session_id, "call_ended")  # the agent's app told the server
    assert world.sup.view.notice.code == "call_ended"  # type: ignore[union-attr]
    assert world.log[-1] == ("supervision_ended", {"id": session_id, "reason": "call_ended"})
    world.now += END_GRACE_S
    world.sup.tick()
    world.lane.drain()
    assert not any(name == "end_supervision" for name, _ in world.server.calls)


def test_the_engine_seeing_the_end_alone_ends_it_on_the_server(world: World) -> None:
    session_id = world.connected()
    world.sup.engine_event(SupervisionChanged(session_id, "lead", "ended", "", "weird"))
    world.now += END_GRACE_S
    world.sup.tick()
    world.lane.drain()
    assert ("end_supervision", (session_id, "lead_lost")) in world.server.calls
    assert world.log[-1] == ("supervision_ended", {"id": session_id, "reason": "lead_lost"})
    assert world.sup.view.notice is not None
    assert world.sup.view.notice.code == "lead_lost"


def test_the_server_end_is_idempotent_and_its_reason_wins(world: World) -> None:
    session_id = world.connected()
    world.sup.engine_event(SupervisionChanged(session_id, "lead", "ended", "", "lead_lost"))
    world.server.end(session_id, "transferred")  # the agent's app, without the stream
    world.now += END_GRACE_S
    world.sup.tick()
    world.lane.drain()
    assert world.server.sessions[session_id]["end_reason"] == "transferred"
    assert world.sup.view.notice.code == "transferred"  # type: ignore[union-attr]
    assert world.log[-1] == ("supervision_ended", {"id": session_id, "reason": "transferred"})


def test_no_audio_within_the_timeout_stops_it_and_says_so(world: World) -> None:
    session_id = world.started()
    world.now += CONNECT_TIMEOUT_S - 1
    world.sup.tick()
    assert phase(world) is Phase.CONNECTING
    world.now += 1
    world.sup.tick()
    assert phase(world) is Phase.IDLE
    assert world.sup.view.notice is not None
    assert world.sup.view.notice.code == "timeout"
    assert StopSupervision(session_id, "failed") in world.commands
    world.lane.drain()
    assert world.server.sessions[session_id]["end_reason"] == "failed"
    assert world.log[-1] == ("supervision_ended", {"id": session_id, "reason": "failed"})


@pytest.mark.parametrize(
    ("error", "code", "by"),
    [
        ("already", "already_supervised", "Marc Petit"),
        (ApiError(409, "not_in_call", "x"), "not_in_call", ""),
        (ApiError(409, "lead_busy", "x"), "lead_busy", ""),
        (ApiError(403, "supervision_off", "x"), "supervision_off", ""),
        (ApiError(403, "forbidden", "x"), "forbidden", ""),
        (ServerUnreachable("down"), "unreachable", ""),
    ],
)
def test_refusals_arm_nothing_and_say_why(world: World, error: Any, code: str, by: str) -> None:
    if error == "already":
        world.server.other_lead_starts(world.agent, "Marc Petit")
    else:
        world.server.fail_next = error
    world.sup.start(world.agent, "Léa Moreau", "listen")
    world.lane.drain()
    view = world.sup.view
    assert view.phase is Phase.IDLE
    assert world.commands == []
    assert view.notice is not None
    assert view.notice.kind == "refused"
    assert (view.notice.code, view.notice.by) == (code, by)
    assert world.log == []
    world.now += 60
    world.sup.tick()
    assert world.sup.view.notice is None


def test_refusal_of_reads_the_holder_the_client_kept() -> None:
    by = {"by": {"id": "l2", "name": "Claire Martin"}}
    error = ApiError(409, "already_supervised", "Claire is there", extra=by)
    assert refusal_of(error) == ("already_supervised", "Claire Martin", "Claire is there")
    bare = ApiError(409, "already_supervised", "Claire is there")
    assert refusal_of(bare) == ("already_supervised", "", "Claire is there")
    assert refusal_of(ApiError(403, "device_blocked", "no"))[0] == "forbidden"


def test_what_blocks_a_start(world: World) -> None:
    assert world.sup.blocked(on_call=True) is None
    assert world.sup.blocked(on_call=False) is Blocked.NOT_ON_CALL
    other = world.server.other_lead_starts("a-002")
    record = parse_session(world.server.sessions[other])
    assert world.sup.blocked(on_call=True, supervised_by=record) is Blocked.SUPERVISED
    world.sup.set_own_call(True)
    assert world.sup.blocked(on_call=True) is Blocked.OWN_CALL
    world.sup.set_own_call(False)
    world.started()
    assert world.sup.blocked(on_call=True) is Blocked.BUSY
    assert not world.sup.start("a-002", "x", "listen")
    world.sup.has_line = False
    assert world.sup.blocked(on_call=True) is Blocked.NO_LINE


def test_shutdown_hangs_up_and_hands_back_the_server_end(world: World) -> None:
    session_id = world.connected()
    job = world.sup.shutdown()
    assert StopSupervision(session_id, "lead_stopped") in world.commands
    assert job is not None
    job()
    assert world.server.sessions[session_id]["end_reason"] == "lead_stopped"
    assert world.log[-1] == ("supervision_ended", {"id": session_id, "reason": "lead_stopped"})
    assert not world.sup.start(world.agent, "Léa Moreau", "listen")  # closed


def test_shutdown_when_idle_has_nothing_to_do(world: World) -> None:
    assert world.sup.shutdown() is None


def test_supervised_agents_follow_the_sessions(world: World) -> None:
    agents = SupervisedAgents()
    first = world.server.other_lead_starts("a-002", "Marc Petit")
    record = parse_session(world.server.sessions[first])
    assert agents.apply(record) == {"a-002"}
    assert agents.apply(record) == set()
    assert agents.of("a-002") == record
    world.server.end(first, "call_ended")
    assert agents.apply(parse_session(world.server.sessions[first])) == {"a-002"}
    assert agents.of("a-002") is None
    assert agents.replace_all([record]) == {"a-002"}
    assert agents.drop(first) == {"a-002"}


def test_a_session_the_stream_ended_before_the_post_answer_arms_nothing(world: World) -> None:
    world.sup.start(world.agent, "Léa Moreau", "whisper")
    job, on_done, _on_error = world.lane.jobs.pop(0)
    started = job()  # the server created it; its answer is still on the way
    assert not world.sup.stream_ended(started.session.id, "not_in_call")
    on_done(started)
    assert phase(world) is Phase.IDLE
    assert not any(isinstance(c, ExpectSupervision) for c in world.commands)
    notice = world.sup.view.notice
    assert notice is not None
    assert notice.code == "not_in_call"
    assert world.log[-1] == (
        "supervision_ended",
        {"id": started.session.id, "reason": "not_in_call"},
    )


def test_stop_while_requesting_keeps_the_mode_in_the_notice(world: World) -> None:
    world.sup.start(world.agent, "Léa Moreau", "barge")
    world.sup.stop()
    assert world.sup.view.mode == "barge"


def test_a_new_start_during_the_grace_ends_the_last_one_on_the_server(world: World) -> None:
    first = world.connected()
    world.sup.engine_event(SupervisionChanged(first, "lead", "ended", "", "lead_lost"))
    world.team.start_call("a-002")
    assert world.sup.start("a-002", "Hugo Laurent", "listen")
    world.lane.drain()
    assert ("end_supervision", (first, "lead_lost")) in world.server.calls
    assert ("supervision_ended", {"id": first, "reason": "lead_lost"}) in world.log
    assert phase(world) is Phase.CONNECTING
    assert world.sup.view.agent_id == "a-002"
