"""Call bookkeeping: one record per call, and the pjsua2 Call subclass that reports to it.

Records are plain Python (unit-tested with fakes); :class:`EngineCall` is the thin pjsua2
object. Both live and die on the engine thread. Engine call ids are our own counter:
pjsua2 reuses its call slots, the UI must never see an id come back for another call.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Generic, Protocol, TypeVar

import pjsua2 as pj

from homeagent.core.events import CallDirection, CallPhase, CallQuality
from homeagent.sip.headers import InviteFacts
from homeagent.sip.policy import Admission


@dataclass(slots=True)
class CallRecord:
    """What the engine knows about one call (mutable, engine thread only)."""

    call_id: int
    direction: CallDirection
    facts: InviteFacts = field(default_factory=InviteFacts)
    phase: CallPhase = CallPhase.DIALING
    seen_ns: int = 0  # monotonic time the INVITE arrived / the call was placed
    source_host: str = ""  # inbound: where the INVITE came from (trusted-source check)
    admission: Admission | None = None  # inbound: decided on the next loop turn
    decided: bool = False
    auto_answer_at_s: float | None = None
    ring_deadline_s: float | None = None  # inbound ringing: rejected 480 past this
    rang_out: bool = False  # we gave up on it (ring timeout)
    connected_at_s: float | None = None
    answered: bool = False
    muted: bool = False
    attached: bool = False
    ringing_reported: bool = False
    ended: bool = False
    last_quality: CallQuality | None = None
    next_quality_at_s: float = 0.0
    transfer_pending: bool = False
    # A hold (True) / resume (False) re-INVITE not yet confirmed by the far end, how many
    # times it was sent, and when to send it again after a transient refusal (reinvite.py).
    hold_wanted: bool | None = None
    reinvite_tries: int = 0
    reinvite_at_s: float | None = None


log = logging.getLogger(__name__)

T = TypeVar("T")


class CallRegistry(Generic[T]):
    """Engine call id -> (record, call object). Keeps every call object alive until removed."""

    def __init__(self) -> None:
        self._ids = itertools.count(1)
        self._calls: dict[int, tuple[CallRecord, T]] = {}

    def new_id(self) -> int:
        return next(self._ids)

    def add(self, record: CallRecord, call: T) -> None:
        if record.call_id in self._calls:
            raise ValueError(f"call {record.call_id} already registered")
        self._calls[record.call_id] = (record, call)

    def get(self, call_id: int) -> tuple[CallRecord, T] | None:
        return self._calls.get(call_id)

    def remove(self, call_id: int) -> T | None:
        entry = self._calls.pop(call_id, None)
        return None if entry is None else entry[1]

    def __len__(self) -> int:
        return len(self._calls)

    def __iter__(self) -> Iterator[tuple[CallRecord, T]]:
        return iter(list(self._calls.values()))

    def admitted_count(self, excluding: int | None = None) -> int:
        """Calls that ring or are up (not ended, not turned away), other than `excluding`."""
        return sum(
            1
            for rec, _ in self._calls.values()
            if rec.call_id != excluding
            and not rec.ended
            and (
                rec.direction is CallDirection.OUTBOUND
                or (rec.decided and rec.admission is not None and rec.admission.rings)
            )
        )

    def active_other(self, call_id: int) -> list[CallRecord]:
        """Other calls currently ACTIVE (talking), e.g. to hold before answering."""
        return [
            rec
            for rec, _ in self._calls.values()
            if rec.call_id != call_id and rec.phase is CallPhase.ACTIVE and not rec.ended
        ]


class CallListener(Protocol):
    """Who an :class:`EngineCall` reports to (the engine's call controller)."""

    def call_state_changed(self, call: EngineCall) -> None: ...

    def call_media_changed(self, call: EngineCall) -> None: ...

    def dtmf_received(self, call: EngineCall, digit: str, method: int) -> None: ...

    def transfer_status(self, call: EngineCall, code: int, final: bool) -> None: ...

    def reinvite_refused(
        self, call: EngineCall, code: int, reason: str, whole_msg: str
    ) -> None: ...


class EngineCall(pj.Call):  # type: ignore[misc]
    """A pjsua2 call that forwards its callbacks (engine thread) to the controller."""

    def __init__(
        self,
        listener: CallListener,
        account: pj.Account,
        record: CallRecord,
        pj_call_id: int = pj.PJSUA_INVALID_ID,
    ) -> None:
        super().__init__(account, pj_call_id)
        self.listener = listener
        self.record = record

    def onCallState(self, prm: pj.OnCallStateParam) -> None:
        self.listener.call_state_changed(self)

    def onCallMediaState(self, prm: pj.OnCallMediaStateParam) -> None:
        self.listener.call_media_changed(self)

    def onDtmfDigit(self, prm: pj.OnDtmfDigitParam) -> None:
        self.listener.dtmf_received(self, str(prm.digit), int(prm.method))

    def onCallTransferStatus(self, prm: pj.OnCallTransferStatusParam) -> None:
        prm.cont = True
        self.listener.transfer_status(self, int(prm.statusCode), bool(prm.finalNotify))

    def onCallTsxState(self, prm: pj.OnCallTsxStateParam) -> None:
        """Reports a hold / resume re-INVITE the far end refused (the only INVITE we send
        on a call already up); the final response of an outbound call's first INVITE goes
        through onCallState as usual."""
        if self.record.hold_wanted is None or prm.e.type != pj.PJSIP_EVENT_TSX_STATE:
            return
        body = prm.e.body.tsxState
        tsx = body.tsx
        if tsx.role != pj.PJSIP_ROLE_UAC or tsx.method != "INVITE" or tsx.statusCode < 300:
            return
        # a refusal is seen COMPLETED (then TERMINATED); a timeout or a transport error
        # goes straight to TERMINATED
        completed = tsx.state == pj.PJSIP_TSX_STATE_COMPLETED
        if not completed and not (
            tsx.state == pj.PJSIP_TSX_STATE_TERMINATED
            and body.prevState != pj.PJSIP_TSX_STATE_COMPLETED
        ):
            return
        whole = str(body.src.rdata.wholeMsg) if body.type == pj.PJSIP_EVENT_RX_MSG else ""
        self.listener.reinvite_refused(self, int(tsx.statusCode), str(tsx.statusText), whole)


def hang_up(call: pj.Call, code: int = 0, reason: str = "") -> None:
    """Hang up (or turn away, with `code`) a call; a call already disconnecting is fine."""
    prm = pj.CallOpParam(True)
    if code:
        prm.statusCode = code
    if reason:
        prm.reason = reason
    try:
        call.hangup(prm)
    except pj.Error as exc:  # already disconnecting
        log.debug("hangup: %s", exc.info())
