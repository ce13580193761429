"""Queue figures: the maths (service level, ASA, abandons, day boundaries), the queue-call
steps, and the coalescing publisher (at most 4 events a second, only on real changes)."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from homeagent.server import queue_calls
from homeagent.server.db import Database
from homeagent.server.models import Base, Event, Queue, QueueCall, Team
from homeagent.server.queue_stats import (
    CallTimes,
    QueueStatsPublisher,
    close_lost_calls,
    digest,
    figures,
    publish_if_changed,
    queue_stats,
)

DAY = date(2026, 12, 1)
T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def answered(entered_s: float, waited_s: float) -> CallTimes:
    return CallTimes(at(entered_s), at(entered_s + waited_s), at(entered_s + waited_s), "answered")


def abandoned(entered_s: float, waited_s: float) -> CallTimes:
    return CallTimes(at(entered_s), None, at(entered_s + waited_s), "abandoned")


def waiting(entered: datetime, outcome: str = "waiting") -> CallTimes:
    return CallTimes(entered, None, None, outcome)


def test_no_call_no_figure() -> None:
    f = figures([], day=DAY, now=at(0), sl_threshold_s=20)
    assert (f.offered, f.answered, f.abandoned, f.timed_out, f.waiting) == (0, 0, 0, 0, 0)
    assert (f.service_level_pct, f.asa_s, f.oldest_since, f.longest_wait_s) == (None, None, None, 0)


def test_service_level_counts_late_abandons_and_leaves_out_early_ones() -> None:
    calls = [
        answered(0, 5),
        answered(10, 20),  # exactly at the threshold: within
        answered(20, 21),  # after
        abandoned(30, 3),  # within the threshold: left out of the service level
        abandoned(40, 45),  # after: counts against it
        CallTimes(at(50), None, at(350), "timed_out"),  # nobody took it: counts against it
    ]
    f = figures(calls, day=DAY, now=at(1000), sl_threshold_s=20)
    assert (f.offered, f.answered, f.abandoned, f.timed_out) == (6, 3, 2, 1)
    assert f.service_level_pct == pytest.approx(40.0)  # 2 within / (3 + 1 late abandon + 1)
    assert f.asa_s == pytest.approx(round((5 + 20 + 21) / 3, 1))  # 15.3


def test_a_queue_where_every_call_timed_out_has_a_service_level_of_zero() -> None:
    # a queue that does not wait (max_wait_s 0) refuses at once: still not served in time
    calls = [CallTimes(at(0), None, at(0), "timed_out"), CallTimes(at(5), None, at(5), "timed_out")]
    f = figures(calls, day=DAY, now=at(60), sl_threshold_s=20)
    assert (f.timed_out, f.service_level_pct) == (2, 0.0)


def test_only_early_abandons_gives_no_service_level_but_counts_them() -> None:
    f = figures([abandoned(0, 2), abandoned(5, 19)], day=DAY, now=at(60), sl_threshold_s=20)
    assert (f.offered, f.abandoned, f.service_level_pct, f.asa_s) == (2, 2, None, None)


def test_service_level_rounds_to_one_decimal() -> None:
    calls = [answered(0, 1), answered(1, 1), answered(2, 30)]
    f = figures(calls, day=DAY, now=at(100), sl_threshold_s=20)
    assert f.service_level_pct == 66.7
    assert f.asa_s == pytest.approx(10.7)


def test_waiting_counts_queued_and_ringing_calls_and_ticks_from_the_oldest() -> None:
    calls = [waiting(at(10)), waiting(at(4), "ringing"), answered(0, 2)]
    f = figures(calls, day=DAY, now=at(30.9), sl_threshold_s=20)
    assert (f.waiting, f.oldest_since, f.longest_wait_s) == (2, at(4), 26)  # floor
    assert (f.offered, f.answered) == (3, 1)


def test_a_call_belongs_to_the_day_it_entered_but_still_waits_after_midnight() -> None:
    midnight = datetime(2026, 12, 2, tzinfo=UTC)
    calls = [
        waiting(midnight - timedelta(seconds=10)),  # entered yesterday, still waiting
        CallTimes(  # entered yesterday, answered today: yesterday's
            midnight - timedelta(seconds=5), midnight + timedelta(seconds=5), None, "answered"
        ),
        CallTimes(midnight, midnight + timedelta(seconds=3), None, "answered"),  # today's
    ]
    today = figures(
        calls, day=midnight.date(), now=midnight + timedelta(seconds=20), sl_threshold_s=20
    )
    assert (today.offered, today.answered, today.waiting, today.longest_wait_s) == (1, 1, 1, 30)
    assert today.asa_s == 3.0
    yesterday = figures(calls, day=DAY, now=midnight + timedelta(seconds=20), sl_threshold_s=20)
    assert (yesterday.offered, yesterday.answered) == (2, 1)
    assert yesterday.asa_s == 10.0
    before = figures(calls, day=DAY, now=midnight - timedelta(seconds=1), sl_threshold_s=20)
    assert before.offered == 2  # the end of the day is exclusive: nothing of midnight


# -- the steps of a queue call ----------------------------------------------------------


def _queue(max_wait_s: int) -> Queue:
    return Queue(
        name="q", team_id="t", label="Q", rona_s=15, sl_threshold_s=20, max_wait_s=max_wait_s
    )


def _call() -> QueueCall:
    return QueueCall(
        call_id="c", queue="q", team_id="t", entered_at=at(0), seen_at=at(0), outcome="waiting"
    )


def test_nobody_free_waits_until_max_wait_then_times_out() -> None:
    call = _call()
    assert queue_calls.nobody(call, _queue(30), at(10.2)) == 20  # seconds left, rounded up
    assert call.outcome == "waiting"
    assert queue_calls.nobody(call, _queue(30), at(29.5)) == 1
    assert queue_calls.nobody(call, _queue(30), at(30)) is None
    assert (call.outcome, call.ended_at) == ("timed_out", at(30))


def test_a_queue_that_does_not_wait_times_out_at_once() -> None:
    call = _call()
    assert queue_calls.nobody(call, _queue(0), at(0)) is None
    assert call.outcome == "timed_out"


def test_answer_after_a_crossing_hang_up_wins_but_never_after_a_time_out() -> None:
    call = _call()
    queue_calls.offered(call, at(2))
    assert queue_calls.ended(call, "abandoned", at(5))
    assert not queue_calls.ended(call, "abandoned", at(6))  # idempotent
    assert queue_calls.answered(call, "agent", at(5.1))
    assert (call.outcome, call.answered_at, call.offered_at) == ("answered", at(5.1), at(2))
    late = _call()
    queue_calls.nobody(late, _queue(0), at(1))
    assert not queue_calls.answered(late, "agent", at(2))
    assert late.outcome == "timed_out"


def test_a_missed_offer_puts_the_call_back_in_the_queue() -> None:
    call = _call()
    queue_calls.offered(call, at(1))
    queue_calls.missed(call, at(16))
    assert (call.outcome, call.offered_at, call.seen_at) == ("waiting", at(1), at(16))
    with pytest.raises(ValueError, match="cannot end as"):
        queue_calls.ended(call, "answered", at(17))


# -- publication ------------------------------------------------------------------------


@pytest.fixture
def db(tmp_path: Path) -> Database:
    database = Database(f"sqlite:///{tmp_path}/q.db")
    Base.metadata.create_all(database.engine)
    with database.write() as s:
        s.add(Team(id="team", name="Équipe"))
        s.flush()
        s.add(Queue(name="ventes", label="Ventes", team_id="team", rona_s=15))
    return database


def _enter(db: Database, call_id: str) -> None:
    with db.write() as s:
        queue = s.scalar(select(Queue).where(Queue.name == "ventes"))
        assert queue is not None
        queue_calls.entry(s, queue, call_id, datetime.now(UTC))


def _events(db: Database) -> list[Event]:
    with db.read() as s:
        return list(s.scalars(select(Event).where(Event.type == "queue_stats").order_by(Event.id)))


def test_publish_only_on_a_change_and_not_twice_within_250_ms(db: Database) -> None:
    _enter(db, "a")
    assert publish_if_changed(db, "ventes") is None
    (first,) = _events(db)
    assert (first.to_team_id, first.to_role) == ("team", "lead")
    assert (first.data["waiting"], first.data["offered"], first.data["queue"]) == (1, 1, "ventes")
    _enter(db, "b")
    retry = publish_if_changed(db, "ventes")
    assert retry is not None
    assert 0 < retry <= 0.25
    time.sleep(retry)
    assert publish_if_changed(db, "ventes") is None
    assert [e.data["offered"] for e in _events(db)] == [1, 2]
    time.sleep(0.3)
    assert publish_if_changed(db, "ventes") is None  # nothing changed: nothing sent
    assert len(_events(db)) == 2


def test_the_digest_ignores_the_ticking_wait(db: Database) -> None:
    _enter(db, "a")
    with db.read() as s:
        queue = s.scalar(select(Queue))
        assert queue is not None
        now = datetime.now(UTC)
        (early,) = queue_stats(s, [queue], now)
        (later,) = queue_stats(s, [queue], now + timedelta(seconds=30))
    assert later.longest_wait_s >= early.longest_wait_s + 30
    assert digest(early) == digest(later)


def test_the_publisher_coalesces_a_burst_to_at_most_four_a_second(db: Database) -> None:
    async def burst() -> None:
        publisher = QueueStatsPublisher(db, sweep_s=60)
        await publisher.start()
        try:
            for i in range(40):  # 40 entries in 2 s, each followed by a change notice
                await asyncio.to_thread(_enter, db, f"call-{i}")
                publisher.changed("ventes")
                await asyncio.sleep(0.05)
            await asyncio.sleep(0.6)
        finally:
            await publisher.stop()

    t0 = time.monotonic()
    asyncio.run(burst())
    elapsed_s = time.monotonic() - t0
    events = _events(db)
    assert events[-1].data["offered"] == 40  # the last word is the truth
    assert 2 <= len(events) <= 4 * elapsed_s + 1
    stamps = [e.created_at for e in events]
    for first, fifth in zip(stamps, stamps[4:], strict=False):
        assert (fifth - first).total_seconds() >= 0.95


def test_calls_the_acd_lost_are_closed_as_timed_out_at_the_last_word(db: Database) -> None:
    now = datetime.now(UTC)
    seen = {
        "fresh": ("waiting", now - timedelta(seconds=3)),
        "silent": ("waiting", now - timedelta(seconds=20)),
        "ringing": ("ringing", now - timedelta(seconds=20)),  # within RONA 15 s + 60 s
        "ringing-long-ago": ("ringing", now - timedelta(seconds=80)),
    }
    with db.write() as s:
        for call_id, (outcome, at_) in seen.items():
            s.add(QueueCall(call_id=call_id, queue="ventes", team_id="team",
                            entered_at=at_, seen_at=at_, outcome=outcome))  # fmt: skip
    assert close_lost_calls(db) == {"ventes"}
    with db.read() as s:
        rows = {c.call_id: c for c in s.scalars(select(QueueCall))}
    assert {k: r.outcome for k, r in rows.items()} == {
        "fresh": "waiting",
        "silent": "timed_out",
        "ringing": "ringing",
        "ringing-long-ago": "timed_out",
    }
    assert rows["silent"].ended_at == seen["silent"][1]
    assert close_lost_calls(db) == set()
