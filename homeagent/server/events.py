"""The persisted event stream: publish in a transaction, fan out live to SSE subscribers.

Every event is a row with a monotonic id. Writers publish inside their transaction; ids
become visible in id order (PostgreSQL: an advisory lock serialises event writers until
commit). One dispatcher per process reads new rows once and hands them to the matching
subscribers; with PostgreSQL, LISTEN/NOTIFY wakes the dispatcher of every instance.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import math
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, event, false, func, or_, select, text
from sqlalchemy.orm import Session

from homeagent.server.db import Database
from homeagent.server.models import Device, Event, User

log = logging.getLogger(__name__)
CHANNEL = "homeagent_events"
_EVENT_LOCK_KEY = 7262011  # pg_advisory_xact_lock key ordering event commits
POLL_S = 1.0  # fallback poll, and the wake-up of a dispatcher without notifications
MAX_QUEUE = 1000  # a subscriber further behind is dropped; it reconnects and replays
STREAMS_PER_DEVICE = 2


@dataclass(frozen=True, slots=True)
class Audience:
    """Who reads the stream of one device."""

    user_id: str
    device_id: str
    team_id: str | None
    role: str

    def sees(self, ev: Event) -> bool:
        if ev.to_user_id == self.user_id or ev.to_device_id == self.device_id:
            return True
        if ev.to_role is None:
            return False
        if ev.to_team_id is None:  # broadcast to everyone
            return True
        if self.role == "admin":
            return ev.to_role == "lead"
        if ev.to_team_id != self.team_id:
            return False
        return ev.to_role == "all" or self.role == "team_lead"

    def where(self) -> Any:
        """The same filter as `sees`, in SQL."""
        team_cond: Any
        if self.role == "admin":
            team_cond = Event.to_role == "lead"
        elif self.team_id is None:
            team_cond = false()
        elif self.role == "team_lead":
            team_cond = Event.to_team_id == self.team_id
        else:
            team_cond = and_(Event.to_team_id == self.team_id, Event.to_role == "all")
        return or_(
            Event.to_user_id == self.user_id,
            Event.to_device_id == self.device_id,
            and_(Event.to_role.is_not(None), Event.to_team_id.is_(None)),
            and_(Event.to_role.is_not(None), team_cond),
        )


def publish(
    session: Session,
    type_: str,
    data: dict[str, Any],
    *,
    to_user_id: str | None = None,
    to_device_id: str | None = None,
    to_team_id: str | None = None,
    to_role: str | None = None,
) -> Event:
    """Add an event to the current transaction; subscribers see it after commit."""
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _EVENT_LOCK_KEY})
    ev = Event(
        type=type_,
        data=data,
        to_user_id=to_user_id,
        to_device_id=to_device_id,
        to_team_id=to_team_id,
        to_role=to_role,
    )
    session.add(ev)
    session.flush()
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        session.execute(text("SELECT pg_notify(:c, :p)"), {"c": CHANNEL, "p": str(ev.id)})
    _wake_after_commit(session)
    return ev


def publish_to_users(
    session: Session, type_: str, data: dict[str, Any], user_ids: Iterable[str]
) -> list[Event]:
    """The same event to each of `user_ids`, one row each, in one flush and one notify
    (a broadcast to a team's 200 agents costs one round trip, not 200)."""
    ids = list(user_ids)
    if not ids:
        return []
    postgres = session.bind is not None and session.bind.dialect.name == "postgresql"
    if postgres:
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _EVENT_LOCK_KEY})
    rows = [Event(type=type_, data=data, to_user_id=uid) for uid in ids]
    session.add_all(rows)
    session.flush()
    if postgres:
        session.execute(text("SELECT pg_notify(:c, :p)"), {"c": CHANNEL, "p": str(rows[-1].id)})
    _wake_after_commit(session)
    return rows


def _wake_after_commit(session: Session) -> None:
    wake = session.info.get("wake")
    if wake is not None and not session.info.get("wake_hooked"):
        session.info["wake_hooked"] = True
        event.listen(session, "after_commit", lambda _s: wake(), once=True)


def sse_frame(ev_id: int, type_: str, data: dict[str, Any]) -> bytes:
    """One Server-Sent Events message."""
    payload = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
    return f"id: {ev_id}\nevent: {type_}\ndata: {payload}\n\n".encode()


@dataclass(eq=False)
class Subscriber:
    """One open stream: its audience and the events waiting to be written to it.

    `None` in the queue ends the stream (server stopping, too far behind, replaced by a
    newer stream of the same device); `reason` says which.
    """

    audience: Audience
    queue: asyncio.Queue[Event | None] = field(default_factory=asyncio.Queue)
    reason: str = ""

    def end(self, reason: str) -> None:
        if not self.reason:
            self.reason = reason
            self.queue.put_nowait(None)


class EventBus:
    """Per-process fan-out of new event rows to the connected subscribers.

    Memory is bounded: at most `streams_per_device` streams per device (a new one ends the
    oldest) and `max_queue` waiting events per stream (a stream further behind is ended;
    its client reconnects with Last-Event-ID and replays from the database).
    """

    def __init__(
        self,
        db: Database,
        *,
        streams_per_device: int = STREAMS_PER_DEVICE,
        max_queue: int = MAX_QUEUE,
    ) -> None:
        self.db = db
        self.streams_per_device = streams_per_device
        self.max_queue = max_queue
        self.subscribers: set[Subscriber] = set()
        self._by_device: dict[str, list[Subscriber]] = {}
        self.high_water = 0
        self._wake = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[None] | None = None
        self._listener: threading.Thread | None = None
        self._stopping = threading.Event()
        # enrolled devices of active users, read at most every `still_enrolled`'s max age
        self._enrolled: frozenset[str] = frozenset()
        self._enrolled_at = -math.inf
        self._enrolled_lock = threading.Lock()

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self.db.on_event_commit = self.wake_threadsafe
        self.high_water = await asyncio.to_thread(self._max_id)
        self._task = asyncio.create_task(self._run(), name="event-dispatcher")
        if not self.db.is_sqlite:
            self._listener = threading.Thread(target=self._listen, name="pg-listen", daemon=True)
            self._listener.start()

    async def stop(self) -> None:
        self._stopping.set()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        for sub in list(self.subscribers):
            sub.end("server_stopping")
        if self._listener is not None:
            await asyncio.to_thread(self._listener.join, 3)

    def wake_threadsafe(self) -> None:
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._wake.set)

    def subscribe(self, audience: Audience) -> Subscriber:
        """A new stream for `audience`; the device's oldest streams past the cap end."""
        sub = Subscriber(audience)
        streams = self._by_device.setdefault(audience.device_id, [])
        while len(streams) >= self.streams_per_device:
            oldest = streams.pop(0)
            self.subscribers.discard(oldest)
            oldest.end("replaced")
        streams.append(sub)
        self.subscribers.add(sub)
        return sub

    def unsubscribe(self, sub: Subscriber) -> None:
        """Forget a stream and whatever it still had queued."""
        self.subscribers.discard(sub)
        streams = self._by_device.get(sub.audience.device_id)
        if streams is not None:
            if sub in streams:
                streams.remove(sub)
            if not streams:
                del self._by_device[sub.audience.device_id]
        while not sub.queue.empty():
            sub.queue.get_nowait()

    def replay(self, audience: Audience, after_id: int, limit: int = 500) -> list[Event]:
        """Stored events for `audience` after `after_id` (a page, in id order)."""
        with self.db.read() as s:
            rows = s.scalars(
                select(Event)
                .where(Event.id > after_id, audience.where())
                .order_by(Event.id)
                .limit(limit)
            )
            return list(rows)

    def last_id_before_device(self, device_id: str) -> int:
        """The newest event id stored before `device_id` was enrolled.

        A device that connects without a last event id has missed nothing from before it
        existed; starting after this id spares it the organisation's whole history.
        """
        with self.db.read() as s:
            enrolled = s.scalar(select(Device.created_at).where(Device.id == device_id))
            if enrolled is None:
                return 0
            newest = s.scalar(select(func.max(Event.id)).where(Event.created_at < enrolled))
            return int(newest or 0)

    def still_enrolled(self, device_id: str, max_age_s: float) -> bool:
        """Whether `device_id` is still enrolled (not revoked) for an active account.

        Every open stream asks this every `stream_check_s`; one query of every enrolled
        device answers them all for `max_age_s` (thousands of streams, not thousands of
        queries). A device missing from that answer is read again at once (it may have
        enrolled since): only a revoked device or a disabled account ends a stream.
        Blocking: call it from a worker thread.
        """
        with self._enrolled_lock:
            if time.monotonic() - self._enrolled_at > max_age_s:
                self._read_enrolled()
            if device_id in self._enrolled:
                return True
            self._read_enrolled()
            return device_id in self._enrolled

    def _read_enrolled(self) -> None:
        with self.db.read() as s:
            self._enrolled = frozenset(
                s.scalars(
                    select(Device.id)
                    .join(User, User.id == Device.user_id)
                    .where(Device.revoked_at.is_(None), User.active.is_(True))
                )
            )
        self._enrolled_at = time.monotonic()

    def _max_id(self) -> int:
        with self.db.read() as s:
            return int(s.scalar(select(func.max(Event.id))) or 0)

    def _fetch_new(self, after_id: int) -> list[Event]:
        with self.db.read() as s:
            return list(
                s.scalars(select(Event).where(Event.id > after_id).order_by(Event.id).limit(2000))
            )

    async def _run(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), POLL_S)
            self._wake.clear()
            try:
                rows = await asyncio.to_thread(self._fetch_new, self.high_water)
            except Exception:  # the database restarts: try again on the next wake-up
                log.exception("event dispatcher could not read new events")
                continue
            if rows:
                self.high_water = rows[-1].id
                self._fan_out(rows)
                if len(rows) == 2000:
                    self._wake.set()

    def _fan_out(self, rows: Iterable[Event]) -> None:
        everyone = list(self.subscribers)
        by_user: dict[str, list[Subscriber]] = {}
        by_team: dict[str, list[Subscriber]] = {}
        admins: list[Subscriber] = []
        for sub in everyone:
            by_user.setdefault(sub.audience.user_id, []).append(sub)
            if sub.audience.role == "admin":
                admins.append(sub)
            elif sub.audience.team_id is not None:
                by_team.setdefault(sub.audience.team_id, []).append(sub)
        for ev in rows:
            # An event for one user only (a message's copy per recipient) is offered to
            # that user's streams, a team's event to that team's streams, the admins' and
            # its user's: not checked against every stream of the organisation. `sees`
            # still decides.
            candidates: Iterable[Subscriber]
            if ev.to_device_id is not None or (ev.to_role is not None and ev.to_team_id is None):
                candidates = everyone
            elif ev.to_role is None:
                candidates = by_user.get(ev.to_user_id or "", [])
            else:
                candidates = dict.fromkeys(
                    by_team.get(ev.to_team_id or "", [])
                    + admins
                    + by_user.get(ev.to_user_id or "", [])
                )
            for sub in candidates:
                if sub in self.subscribers and sub.audience.sees(ev):
                    if sub.queue.qsize() >= self.max_queue:
                        self.subscribers.discard(sub)
                        sub.end("too_far_behind")
                    else:
                        sub.queue.put_nowait(ev)

    def _listen(self) -> None:
        """LISTEN on PostgreSQL; every notification wakes the dispatcher."""
        import psycopg

        url = self.db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        while not self._stopping.is_set():
            try:
                with psycopg.connect(url, autocommit=True) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    self.wake_threadsafe()  # catch up on anything sent while away
                    while not self._stopping.is_set():
                        for _n in conn.notifies(timeout=0.5, stop_after=1):
                            self.wake_threadsafe()
            except psycopg.Error:
                log.warning("LISTEN connection lost; reconnecting")
                self._stopping.wait(1.0)
