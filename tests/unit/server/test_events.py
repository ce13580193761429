"""Event audiences: the Python filter (live fan-out) and the SQL filter (replay) agree."""

from __future__ import annotations

import itertools

import pytest

from homeagent.server.db import Database
from homeagent.server.events import Audience, publish, publish_to_users, sse_frame
from homeagent.server.models import Base, Event

AUDIENCES = [
    Audience("agent1", "dev1", "teamA", "agent"),
    Audience("lead1", "dev2", "teamA", "team_lead"),
    Audience("lead2", "dev3", "teamB", "team_lead"),
    Audience("admin", "dev4", None, "admin"),
]
TARGETS = {
    "to_user_id": [None, "agent1", "lead1"],
    "to_device_id": [None, "dev4"],
    "to_team_id": [None, "teamA", "teamB"],
    "to_role": [None, "all", "lead"],
}


@pytest.fixture
def db(tmp_path: object) -> Database:
    database = Database(f"sqlite:///{tmp_path}/e.db")
    Base.metadata.create_all(database.engine)
    return database


def test_sql_and_python_filters_agree(db: Database) -> None:
    with db.write() as s:
        for values in itertools.product(*TARGETS.values()):
            publish(s, "x", {}, **dict(zip(TARGETS, values, strict=True)))
    with db.read() as s:
        events = list(s.query(Event).order_by(Event.id))
        for audience in AUDIENCES:
            by_sql = [e.id for e in s.query(Event).where(audience.where()).order_by(Event.id)]
            by_python = [e.id for e in events if audience.sees(e)]
            assert by_sql == by_python, audience


def test_team_scoping() -> None:
    agent, lead, other_lead, admin = AUDIENCES
    state = Event(
        id=1, type="agent_state", data={}, to_user_id="agent9", to_team_id="teamA", to_role="lead"
    )
    assert lead.sees(state)
    assert admin.sees(state)
    assert not agent.sees(state)
    assert not other_lead.sees(state)
    team_msg = Event(id=2, type="message", data={}, to_team_id="teamA", to_role="all")
    assert agent.sees(team_msg)
    assert lead.sees(team_msg)
    assert not other_lead.sees(team_msg)


def test_sse_frame() -> None:
    assert (
        sse_frame(7, "message", {"body": "é"})
        == 'id: 7\nevent: message\ndata: {"body":"é"}\n\n'.encode()
    )


def test_a_stream_too_far_behind_is_ended_and_its_queue_freed(db: Database) -> None:
    import asyncio

    from homeagent.server.events import EventBus

    async def scenario() -> None:
        bus = EventBus(db, streams_per_device=2, max_queue=5)
        slow = bus.subscribe(AUDIENCES[0])
        with db.write() as s:
            rows = [publish(s, "x", {}, to_user_id="agent1") for _ in range(8)]
        bus._fan_out(rows)
        assert slow.queue.qsize() == 6  # five events, then the end marker
        assert slow.reason == "too_far_behind"
        assert slow not in bus.subscribers
        bus.unsubscribe(slow)
        assert slow.queue.empty()
        assert bus._by_device == {}

    asyncio.run(scenario())


def test_a_new_stream_past_the_cap_ends_the_oldest_of_that_device(db: Database) -> None:
    import asyncio

    from homeagent.server.events import EventBus

    async def scenario() -> None:
        bus = EventBus(db, streams_per_device=2)
        first, second, third = (bus.subscribe(AUDIENCES[0]) for _ in range(3))
        other = bus.subscribe(AUDIENCES[1])
        assert first.reason == "replaced"
        assert first.queue.get_nowait() is None
        assert bus.subscribers == {second, third, other}

    asyncio.run(scenario())


def test_the_live_fan_out_delivers_exactly_what_each_audience_sees(db: Database) -> None:
    """The per-user shortcut of the fan-out (one user's events offered to that user's
    streams only) gives every stream the same events as the audience filter."""
    import asyncio

    from homeagent.server.events import EventBus

    async def scenario() -> None:
        bus = EventBus(db, streams_per_device=2)
        subs = [bus.subscribe(a) for a in AUDIENCES]
        with db.write() as s:
            rows = [
                publish(s, "x", {}, **dict(zip(TARGETS, values, strict=True)))
                for values in itertools.product(*TARGETS.values())
            ]
            rows += publish_to_users(s, "m", {}, ["agent1", "lead2", "nobody"])
        bus._fan_out(rows)
        for sub in subs:
            got = [sub.queue.get_nowait() for _ in range(sub.queue.qsize())]
            assert [e.id for e in got if e is not None] == [
                e.id for e in rows if sub.audience.sees(e)
            ], sub.audience
        assert sum(1 for e in rows if e.type == "m" and subs[0].audience.sees(e)) == 1

    asyncio.run(scenario())
