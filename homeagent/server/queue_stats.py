"""Queue figures, each defined once (docs/api.md, "Queue figures"), and their publication.

Computed from the ``queue_calls`` rows the ACD hook records (``homeagent.server.queue_calls``),
never from separate counters, per UTC day (a call belongs to the day it entered the queue):

- **offered**: calls that entered the queue that day;
- **answered**: of those, answered by an agent;
- **abandoned**: the customer hung up before an answer (waiting, or ringing at an agent);
- **timed_out**: nobody took it within the queue's ``max_wait_s`` (the caller got 480);
- **waiting**: calls in the queue now, not yet answered (waiting, or ringing at an agent),
  whatever day they entered; **oldest_since**: when the oldest of them entered;
  **longest_wait_s**: now - oldest_since (0 when nobody waits);
- **service_level_pct** = answered within ``sl_threshold_s`` of entering ÷ (answered +
  abandoned after ``sl_threshold_s`` + timed out) × 100, one decimal: abandons within the
  threshold are left out; a timed-out call was never served, so it always counts against
  it; null while no call counts;
- **asa_s** (average speed of answer): mean of answered - entered over the answered calls,
  one decimal; null with no answered call.

`QueueStatsPublisher` sends a ``queue_stats`` event to the team's leads when a figure
changes, at most 4 a second per queue across every server instance: the queue row holds
when the last one left and a digest of what it said (the ticking ``longest_wait_s`` is left
out of the digest: clients tick it from ``oldest_since``).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from homeagent.server import schemas
from homeagent.server.db import Database
from homeagent.server.events import publish
from homeagent.server.models import Queue, QueueCall, system_now, utcnow
from homeagent.server.state import iso

log = logging.getLogger(__name__)

LIVE = ("waiting", "ringing")
FINAL = ("answered", "abandoned", "timed_out")
MIN_INTERVAL_S = 0.25  # at most 4 `queue_stats` events a second per queue
SWEEP_S = 5.0  # how often each instance looks for lost calls and a new day
# A waiting call the ACD has not asked about for this long was lost (Kamailio restarted,
# or an ACD configuration that does not wait): it is closed as timed out.
STALE_WAITING = timedelta(seconds=15)
STALE_RINGING_SLACK = timedelta(seconds=60)  # beyond the queue's RONA time


@dataclass(frozen=True, slots=True)
class CallTimes:
    """What the figures need of one queue call."""

    entered_at: datetime
    answered_at: datetime | None
    ended_at: datetime | None
    outcome: str


@dataclass(frozen=True, slots=True)
class Figures:
    waiting: int
    oldest_since: datetime | None
    longest_wait_s: int
    offered: int
    answered: int
    abandoned: int
    timed_out: int
    service_level_pct: float | None
    asa_s: float | None


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """[start, end) of a UTC day, timezone-aware."""
    start = datetime(day.year, day.month, day.day, tzinfo=UTC)
    return start, start + timedelta(days=1)


def figures(
    calls: Iterable[CallTimes], *, day: date, now: datetime, sl_threshold_s: int
) -> Figures:
    """The figures of one queue for `day` (definitions: the module docstring)."""
    start, end = day_bounds(day)
    threshold = timedelta(seconds=sl_threshold_s)
    offered = answered = abandoned = timed_out = 0
    within = late_abandons = 0
    answer_s = 0.0
    oldest: datetime | None = None
    waiting = 0
    for c in calls:
        if c.outcome in LIVE:
            waiting += 1
            oldest = c.entered_at if oldest is None else min(oldest, c.entered_at)
        if not start <= c.entered_at < end:
            continue
        offered += 1
        if c.outcome == "answered" and c.answered_at is not None:
            answered += 1
            waited = c.answered_at - c.entered_at
            answer_s += max(0.0, waited.total_seconds())
            within += 1 if waited <= threshold else 0
        elif c.outcome == "abandoned":
            abandoned += 1
            if c.ended_at is not None and c.ended_at - c.entered_at > threshold:
                late_abandons += 1
        elif c.outcome == "timed_out":
            timed_out += 1
    counted = answered + late_abandons + timed_out
    longest = 0 if oldest is None else max(0, math.floor((now - oldest).total_seconds()))
    return Figures(
        waiting=waiting,
        oldest_since=oldest,
        longest_wait_s=longest,
        offered=offered,
        answered=answered,
        abandoned=abandoned,
        timed_out=timed_out,
        service_level_pct=round(100.0 * within / counted, 1) if counted else None,
        asa_s=round(answer_s / answered, 1) if answered else None,
    )


def queue_stats(s: Session, queues: Sequence[Queue], now: datetime) -> list[schemas.QueueStatsOut]:
    """Today's QueueStats of `queues` (one query for all of them)."""
    if not queues:
        return []
    day = now.date()
    start, end = day_bounds(day)
    by_queue: dict[str, list[CallTimes]] = {q.name: [] for q in queues}
    rows = s.execute(
        select(
            QueueCall.queue,
            QueueCall.entered_at,
            QueueCall.answered_at,
            QueueCall.ended_at,
            QueueCall.outcome,
        ).where(
            QueueCall.queue.in_(list(by_queue)),
            or_(
                (QueueCall.entered_at >= start) & (QueueCall.entered_at < end),
                QueueCall.outcome.in_(LIVE),
            ),
        )
    )
    for name, entered, answered, ended, outcome in rows:
        by_queue[name].append(CallTimes(entered, answered, ended, outcome))
    out = []
    for q in queues:
        f = figures(by_queue[q.name], day=day, now=now, sl_threshold_s=q.sl_threshold_s)
        out.append(
            schemas.QueueStatsOut(
                queue=q.name,
                label=q.label or q.name,
                team_id=q.team_id,
                waiting=f.waiting,
                longest_wait_s=f.longest_wait_s,
                oldest_since=iso(f.oldest_since) if f.oldest_since is not None else None,
                offered=f.offered,
                answered=f.answered,
                abandoned=f.abandoned,
                timed_out=f.timed_out,
                service_level_pct=f.service_level_pct,
                sl_threshold_s=q.sl_threshold_s,
                asa_s=f.asa_s,
                day=day.isoformat(),
            )
        )
    return out


def team_queue_stats(s: Session, team_id: str) -> list[schemas.QueueStatsOut]:
    queues = list(s.scalars(select(Queue).where(Queue.team_id == team_id).order_by(Queue.name)))
    return queue_stats(s, queues, utcnow())


def digest(stats: schemas.QueueStatsOut) -> str:
    """What a `queue_stats` event says, minus the wait that ticks by itself."""
    body = stats.model_dump(exclude={"longest_wait_s"})
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


def publish_if_changed(db: Database, queue_name: str) -> float | None:
    """Publish the queue's figures if they changed; seconds to wait first, or None.

    The queue row is locked (PostgreSQL) so instances take turns: each sees when the
    last event left, whoever sent it, and what it said.
    """
    with db.write() as s:
        stmt = select(Queue).where(Queue.name == queue_name)
        if not db.is_sqlite:
            stmt = stmt.with_for_update()
        queue = s.scalar(stmt)
        if queue is None:
            return None
        sent = queue.stats_sent_at
        wall = system_now()  # the rate limit uses the real clock, even under a test's clock
        if sent is not None:
            since_s = (wall - sent).total_seconds()
            if 0 <= since_s < MIN_INTERVAL_S:
                return MIN_INTERVAL_S - since_s
        (stats,) = queue_stats(s, [queue], utcnow())
        mark = digest(stats)
        if mark == queue.stats_digest:
            return None
        publish(s, "queue_stats", stats.model_dump(), to_team_id=queue.team_id, to_role="lead")
        queue.stats_sent_at, queue.stats_digest = wall, mark
        return None


def close_lost_calls(db: Database) -> set[str]:
    """Close calls the ACD lost track of as timed out; the queues that changed.

    A waiting call is asked about every second, a ringing one has its offer's result
    within the RONA time: silence far beyond that means Kamailio no longer has the call.
    """
    now = utcnow()
    with db.read() as s:
        rona = {q.name: q.rona_s for q in s.scalars(select(Queue))}
        candidates = s.execute(
            select(QueueCall.id, QueueCall.queue, QueueCall.outcome, QueueCall.seen_at).where(
                QueueCall.outcome.in_(LIVE), QueueCall.seen_at < now - STALE_WAITING
            )
        ).all()
    lost = [
        c
        for c in candidates
        if c.outcome == "waiting"
        or now - c.seen_at >= timedelta(seconds=rona.get(c.queue, 15)) + STALE_RINGING_SLACK
    ]
    changed: set[str] = set()
    if not lost:
        return changed
    with db.write() as s:
        for c in lost:
            done = s.execute(
                update(QueueCall)
                .where(
                    QueueCall.id == c.id,
                    QueueCall.outcome == c.outcome,
                    QueueCall.seen_at == c.seen_at,  # not asked about meanwhile
                )
                .values(outcome="timed_out", ended_at=c.seen_at)
            )
            if done.rowcount:  # type: ignore[attr-defined]
                log.warning("queue %s: call %s lost by the ACD, closed", c.queue, c.id)
                changed.add(c.queue)
    return changed


class QueueStatsPublisher:
    """Coalesces figure changes into `queue_stats` events (this process's share).

    `changed(queue)` (on the event loop) publishes at once if the queue's last event left
    more than 250 ms ago, else once that time is up; changes meanwhile ride along.
    A timer closes lost calls and republishes every queue when the UTC day turns.
    """

    def __init__(self, db: Database, *, sweep_s: float = SWEEP_S) -> None:
        self.db = db
        self.sweep_s = sweep_s
        self._timers: dict[str, asyncio.TimerHandle] = {}
        self._busy: set[str] = set()
        self._dirty: set[str] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._sweeper: asyncio.Task[None] | None = None
        self._day = utcnow().date()

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._sweeper = asyncio.create_task(self._sweep_forever(), name="queue-stats-sweep")

    async def stop(self) -> None:
        for handle in self._timers.values():
            handle.cancel()
        self._timers.clear()
        pending = [t for t in (self._sweeper, *self._tasks) if t is not None]
        for task in pending:
            task.cancel()
        for task in pending:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._loop = None

    def changed(self, queue: str, delay_s: float = 0.0) -> None:
        """A figure of `queue` may have changed (call on the event loop)."""
        loop = self._loop
        if loop is None:
            return
        if queue in self._busy:
            self._dirty.add(queue)
            return
        if queue in self._timers:
            return
        self._timers[queue] = loop.call_later(delay_s, self._fire, queue)

    def _fire(self, queue: str) -> None:
        self._timers.pop(queue, None)
        task = asyncio.create_task(self._publish(queue), name=f"queue-stats-{queue}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _publish(self, queue: str) -> None:
        self._busy.add(queue)
        retry: float | None = None
        try:
            retry = await asyncio.to_thread(publish_if_changed, self.db, queue)
        except Exception:  # the database is restarting: the next change or sweep retries
            log.exception("queue_stats for %s could not be published", queue)
        finally:
            self._busy.discard(queue)
        if retry is not None:
            self._dirty.discard(queue)
            self.changed(queue, retry)
        elif queue in self._dirty:
            self._dirty.discard(queue)
            self.changed(queue, MIN_INTERVAL_S)

    async def _sweep_forever(self) -> None:
        while True:
            await asyncio.sleep(self.sweep_s)
            try:
                lost = await asyncio.to_thread(close_lost_calls, self.db)
                today = utcnow().date()
                if today != self._day:
                    self._day = today
                    lost |= await asyncio.to_thread(self._all_queues)
            except Exception:
                log.exception("queue call sweep failed")
                continue
            for queue in lost:
                self.changed(queue)

    def _all_queues(self) -> set[str]:
        with self.db.read() as s:
            return set(s.scalars(select(Queue.name)))
