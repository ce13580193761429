"""What happens to a customer call in a queue, as the ACD hook reports it (queue_calls rows).

    waiting --offer--> ringing --2xx--> answered
       ^                  |
       +---- RONA/busy ---+            waiting|ringing --customer hangs up--> abandoned
    waiting --nobody at or after max_wait_s--> timed_out (480 to the caller)

The first `GET /acd/route` of a SIP Call-ID is the call's entry. Each function works in the
caller's transaction and returns whether a figure changed (the caller then tells the
`QueueStatsPublisher`, after the commit).
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from homeagent.server.models import Queue, QueueCall
from homeagent.server.queue_stats import FINAL, LIVE

ENDINGS = ("abandoned", "timed_out")  # what the ACD may report with /acd/ended
ASKED_WITHIN = timedelta(seconds=5)  # a waiting call Kamailio asked about lately (1 s ticks)


def entry(s: Session, queue: Queue, call_id: str, now: datetime) -> tuple[QueueCall, bool]:
    """The call's row; created (entering the queue now) on the first ask."""
    call = s.scalar(select(QueueCall).where(QueueCall.call_id == call_id))
    if call is not None:
        call.seen_at = now
        return call, False
    call = QueueCall(
        call_id=call_id,
        queue=queue.name,
        team_id=queue.team_id,
        entered_at=now,
        seen_at=now,
        outcome="waiting",
    )
    s.add(call)
    s.flush()
    return call, True


def older_calls(s: Session, call: QueueCall, now: datetime) -> int:
    """How many calls that entered the queue before `call` wait for an agent.

    Kamailio asks for every waiting call each second, in no particular order; the caller
    gives `call` an agent only while fewer older calls wait than agents are free, so the
    queue stays first come, first served. Calls the ACD stopped asking about are left
    out (they are closed as lost later).
    """
    return int(
        s.scalar(
            select(func.count(QueueCall.id)).where(
                QueueCall.queue == call.queue,
                QueueCall.outcome == "waiting",
                QueueCall.entered_at < call.entered_at,
                QueueCall.seen_at >= now - ASKED_WITHIN,
            )
        )
        or 0
    )


def offered(call: QueueCall, now: datetime) -> None:
    """An agent rings for the call (it still counts as waiting: no figure moves)."""
    call.outcome = "ringing"
    call.offered_at = call.offered_at or now


def nobody(call: QueueCall, queue: Queue, now: datetime) -> int | None:
    """Nobody can take the call now: seconds it may still wait, or None (timed out now).

    It times out once it has waited the queue's `max_wait_s` (0: at once, no waiting).
    """
    left_s = queue.max_wait_s - (now - call.entered_at).total_seconds()
    if left_s <= 0:
        call.outcome, call.ended_at = "timed_out", now
        return None
    call.outcome = "waiting"
    return max(1, math.ceil(left_s))


def answered(call: QueueCall, agent_id: str, now: datetime) -> bool:
    """The offered agent answered. Wins over a hang-up crossing it: the 200 reached the
    caller (Kamailio relays it even after a CANCEL), so the call was connected."""
    if call.outcome == "answered" or call.outcome == "timed_out":
        return False
    call.outcome, call.answered_at, call.answered_by = "answered", now, agent_id
    call.ended_at = now
    return True


def missed(call: QueueCall, now: datetime) -> None:
    """The offer failed (RONA, busy, unreachable): the call waits again (no figure moves)."""
    if call.outcome == "ringing":
        call.outcome, call.seen_at = "waiting", now


def ended(call: QueueCall, outcome: str, now: datetime) -> bool:
    """The customer hung up (abandoned) or the ACD gave up (timed_out) before an answer."""
    if call.outcome in FINAL:
        return False
    if call.outcome not in LIVE or outcome not in ENDINGS:
        raise ValueError(f"a {call.outcome} call cannot end as {outcome}")
    call.outcome, call.ended_at = outcome, now
    return True
