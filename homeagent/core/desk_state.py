"""The state half of the agent desk: how engine events change what it knows.

`DeskState` consumes engine events (``homeagent.core.events``) on top of
`homeagent.core.desk_base.DeskBase` (the desk's fields, its snapshot and listeners, the
server's news, the presence moves), and tells its listeners the new `DeskSnapshot`;
`homeagent.core.desk.DeskModel` adds the agent's intents. It runs on the GUI thread only:
the UI's dispatcher delivers events there.

A ringing call always reaches the snapshot: a failing contact lookup, event-log write,
server sink or listener is logged (``logging``) and the desk carries on, so the agent
sees the call and can answer it.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import replace

from homeagent.core import commands as cmd
from homeagent.core.agent_state import RONA_REASON, AgentState, Presence
from homeagent.core.call_quality import QualitySample
from homeagent.core.desk_base import DeskBase
from homeagent.core.desk_snapshot import (
    CallView,
    CardView,
    MissedCall,
    Notice,
    QualityLevel,
    WrapUpView,
)
from homeagent.core.desk_types import CallOutcome, Contact, ContactMemory, InteractionRecord
from homeagent.core.events import (
    CallDirection,
    CallEnded,
    CallMuteChanged,
    CallPhase,
    CallQuality,
    CallQualityMeasured,
    CallRinging,
    CallStateChanged,
    CommandFailed,
    EngineFailed,
    Event,
    IncomingCallRefused,
    RegistrationChanged,
    RegistrationState,
    TransferProgressed,
)

_pylog = logging.getLogger(__name__)
# The ACD's offers say how long they ring before its RONA ("X-Acd-Rona-Ms", see
# deploy/kamailio/acd): a CANCEL this close to that time, or later, is the RONA.
RONA_HEADER = "X-Acd-Rona-Ms"
RONA_SLACK_S = 1.0
# The engine's hold / resume gave up (the far end refused it for good): say so.
_HOLD_NOTICES = {"Hold": Notice.HOLD_FAILED, "Resume": Notice.RESUME_FAILED}


class DeskState(DeskBase):
    """How engine events change one agent's desk (what it knows: `DeskBase`)."""

    # -- engine events -----------------------------------------------------------------

    def handle(self, event: Event) -> None:
        """Apply one engine event; listeners always hear of the result."""
        try:
            handled = self._apply(event)
        except Exception:  # show what we have rather than a stale desk
            _pylog.exception("desk: handling %s failed", type(event).__name__)
            handled = True
        if handled:
            self._changed()

    def _apply(self, event: Event) -> bool:
        """Change the state for `event`; False when the event does not concern the desk."""
        if isinstance(event, CallRinging):
            self._on_ringing(event)
        elif isinstance(event, CallStateChanged):
            self._on_call_state(event)
        elif isinstance(event, CallEnded):
            self._on_ended(event)
        elif isinstance(event, CallMuteChanged):
            self._update_call(event.call_id, muted=event.muted)
        elif isinstance(event, CallQualityMeasured):
            self._update_call(event.call_id, quality=QualityLevel.from_quality(event.quality))
            if event.call_id == self._call_id():
                self._last_quality = event.quality
                self._publish_quality(event.quality, final=False)
        elif isinstance(event, RegistrationChanged):
            if event.state is not self._registration:
                self._write("registration", state=event.state.value, code=event.code)
            self._registration = event.state
        elif isinstance(event, TransferProgressed) and event.final:
            self._notice = Notice.TRANSFER_DONE if event.accepted else Notice.TRANSFER_FAILED
            self._write("transfer", code=event.code, accepted=event.accepted)
        elif isinstance(event, EngineFailed):
            self._registration = RegistrationState.FAILED
            self._notice = Notice.ENGINE_FAILED
            self._write("engine_failed", message=event.message)
        elif isinstance(event, IncomingCallRefused):
            self._write("call_refused", code=event.code, remote_uri=event.remote_uri)
        elif isinstance(event, CommandFailed) and event.command in _HOLD_NOTICES:
            self._notice = _HOLD_NOTICES[event.command]
            self._write("hold_failed", command=event.command, message=event.message)
        else:
            return False
        return True

    def _on_ringing(self, ev: CallRinging) -> None:
        if ev.direction is CallDirection.OUTBOUND:
            self._on_new_outbound(ev.call_id, ev.remote_number)
            self._update_call(ev.call_id, phase=CallPhase.DIALING)
            inter = self._interaction
            if ev.call_id == self._call_id() and inter and ev.sip_call_id and not inter.sip_call_id:
                self._interaction = replace(inter, sip_call_id=ev.sip_call_id)
            return
        if self._call is not None:
            return  # the engine caps calls; a second inbound call is not ours to show
        # The call first: whatever fails below, the desk shows it ringing and can answer.
        self._call = CallView(
            call_id=ev.call_id,
            direction=ev.direction,
            phase=CallPhase.RINGING,
            number=ev.remote_number,
            display_name=ev.display_name,
            queue=ev.queue,
            auto_answer_in_s=ev.auto_answer_in_s,
            rona_at_s=self._rona_at(ev),
        )
        self._card = CardView(number=ev.remote_number)
        contact = self._find_contact(ev.contact_id, ev.remote_number)
        self._card = CardView(number=ev.remote_number, contact=contact)
        self._wrap_up = None
        self._call_notes = ""
        self._notice = Notice.NONE
        self._new_call_news()
        self._begin_interaction(
            CallDirection.INBOUND, ev.remote_number, ev.queue, ev.sip_call_id, contact
        )
        self._before_ringing = self._presence
        self._move(AgentState.RINGING)
        self._write(
            "call_ringing",
            call_id=ev.call_id,
            remote_number=ev.remote_number,
            contact_id=contact.id if contact else "",
            queue=ev.queue,
            engine_monotonic_ns=ev.monotonic_ns,
        )

    def _rona_at(self, ev: CallRinging) -> float | None:
        """When the ACD's RONA ends this offer (its header), or None (no queue offer)."""
        try:
            ms = int(ev.headers.get(RONA_HEADER, ""))
        except ValueError:
            return None
        return self._clock() + ms / 1000 if 0 < ms <= 3_600_000 else None

    def _rona_cancel(self, call: CallView, ev: CallEnded) -> bool:
        """Whether this end is the ACD's RONA: its CANCEL (487) once the offer's time is up."""
        return (
            ev.code == 487
            and call.rona_at_s is not None
            and self._clock() >= call.rona_at_s - RONA_SLACK_S
        )

    def _find_contact(self, contact_id: str, number: str) -> Contact | None:
        """The caller's contact, or None (also when the cache fails: the call still rings)."""
        contact: Contact | None = None
        try:
            contact = self._directory.get(contact_id) if contact_id else None
        except Exception:
            _pylog.exception("contact lookup by id failed")
        if contact is None and number:
            try:
                contact = self._directory.lookup_number(number)
            except Exception:
                _pylog.exception("contact lookup by number failed")
        return contact

    def memory_shown(self, memory: ContactMemory, source: str) -> None:
        """A card shows what the desk remembers of a contact (`source`: local | server)."""
        self._write(
            "card_memory",
            contact_id=memory.contact_id,
            source=source,
            notes=len(memory.notes),
            callbacks=len(memory.callbacks),
            calls=len(memory.calls),
        )

    def card_painted(self, call_id: int, monotonic_ns: int, engine_monotonic_ns: int) -> None:
        """The UI painted the ringing card: log it once with the screen-pop latency."""
        if call_id in self._painted:
            return
        self._painted.add(call_id)
        latency_ms = (monotonic_ns - engine_monotonic_ns) / 1e6 if engine_monotonic_ns else None
        contact = self._card.contact if self._card else None
        self._write(
            "card_painted",
            call_id=call_id,
            contact_id=contact.id if contact else "",
            known=contact is not None,
            latency_ms=latency_ms,
        )

    def _on_new_outbound(self, call_id: int, number: str) -> None:
        known = {c.call_id for c in (self._call, self._consult) if c is not None}
        if call_id in known:
            return
        view = CallView(call_id, CallDirection.OUTBOUND, CallPhase.DIALING, number)
        if self._pending_dial == "consult" and self._call is not None:
            self._consult = view
        else:
            self._call = view
            self._wrap_up = None
            self._call_notes = ""
            self._new_call_news()
            if self._notice is Notice.CALL_MISSED:  # e.g. its Call back: the notice is done
                self._notice = Notice.NONE
            self._card = CardView(number, self._directory.lookup_number(number))
            self._begin_interaction(CallDirection.OUTBOUND, number, "", "", self._card.contact)
        self._pending_dial = ""

    def _on_call_state(self, ev: CallStateChanged) -> None:
        if self._pending_dial and ev.phase is CallPhase.DIALING:
            self._on_new_outbound(ev.call_id, self._pending_number)
        call = self._call_by_id(ev.call_id)
        if call is None or ev.phase is CallPhase.ENDED:
            return
        if ev.phase is CallPhase.ACTIVE and call.connected_at_s is None:
            call = replace(call, connected_at_s=self._clock())
            if ev.call_id == self._call_id():
                self._move(AgentState.ON_CALL)
                if self._interaction is not None:
                    self._interaction = replace(self._interaction, answered_at=self._now())
                self._write("call_answered", call_id=ev.call_id)
        held_since = None
        if ev.phase is CallPhase.HELD:
            held_since = call.held_since_s if call.held_since_s is not None else self._clock()
        self._store_call(
            replace(call, phase=ev.phase, auto_answer_in_s=None, held_since_s=held_since)
        )

    def _on_ended(self, ev: CallEnded) -> None:
        if self._consult is not None and ev.call_id == self._consult.call_id:
            self._consult = None
            return
        if self._call is None or ev.call_id != self._call.call_id:
            return
        call, self._call = self._call, None
        quality = ev.quality or self._last_quality
        figures = (
            {  # the call's last quality figures: what the diagnostics bundle shows IT
                "mos": round(quality.mos, 2),
                "loss_pct": round(max(quality.rx_loss_pct, quality.tx_loss_pct), 2),
                "jitter_ms": round(quality.jitter_ms, 1),
                "rtt_ms": round(quality.rtt_ms, 1),
                "codec": quality.codec,
            }
            if quality is not None and quality.mos > 0
            else {}
        )
        self._write(
            "call_ended",
            call_id=ev.call_id,
            code=ev.code,
            answered=ev.answered,
            duration_s=round(ev.duration_s, 1),
            **figures,
        )
        if self._consult is not None:
            self._sink.submit(cmd.Hangup(self._consult.call_id))
            self._consult = None
        if ev.answered:  # the call's last word for the lead's board
            self._publish_quality(ev.quality or self._last_quality, final=True)
        self._finish_interaction(self._outcome(call, ev))
        if ev.answered:
            assert self._interaction is not None
            self._wrap_up = WrapUpView(
                interaction_id=self._interaction.id,
                deadline_s=self._clock() + self._team.wrap_up_s,
                notes=self._call_notes,
            )
            if self._hung_up_here != ev.call_id and self._notice is not Notice.TRANSFER_DONE:
                self._notice = Notice.CUSTOMER_HUNG_UP  # "Le client a raccroché"
            self._move(AgentState.WRAP_UP)
            self._write("wrap_up_started", call_id=ev.call_id, wrap_up_s=self._team.wrap_up_s)
            return
        card, self._card = self._card, None
        back = self._before_ringing
        if call.direction is CallDirection.INBOUND and call.phase is CallPhase.RINGING:
            declined = ev.code == 486 or self._declined == call.call_id
            self._notice = Notice.NONE if declined else Notice.CALL_MISSED
            if (ev.rang_out or self._rona_cancel(call, ev)) and not declined:
                # nobody answered in time — the engine's ring timeout, or the ACD's CANCEL
                # once the offer's RONA time is up: set aside exactly as the ACD's RONA does
                back = Presence(AgentState.NOT_READY, RONA_REASON, self._clock())
            contact = card.contact if card is not None else None
            self._missed = MissedCall(
                number=call.number,
                name=contact.full_name if contact is not None else call.display_name,
                set_aside=back.state is AgentState.NOT_READY and back.reason == RONA_REASON,
            )
            if not declined:
                self._write(
                    "call_missed",
                    call_id=call.call_id,
                    remote_number=call.number,
                    contact_id=contact.id if contact is not None else "",
                    set_aside=self._missed.set_aside,
                )
        self._move(back.state, back.reason)

    # -- helpers -----------------------------------------------------------------------

    def _new_call_news(self) -> None:
        """A new call: no help asked for it yet, no quality measured."""
        self._help, self._help_server_id, self._last_quality = None, None, None

    def _publish_quality(self, quality: CallQuality | None, *, final: bool) -> None:
        """Hand a sample of the main call's quality to the sink (live, or dropped)."""
        inter = self._interaction
        if quality is None or inter is None:
            return
        # the SIP Call-ID names the call for the server; an outbound call answered without
        # a 180 never told it: the interaction's own id is as unique
        sample = QualitySample.of(inter.sip_call_id or inter.id, quality, final=final)
        if sample is None:
            return
        try:
            self._sink.publish_quality(sample)
        except Exception:  # a figure for the board must never disturb the call
            _pylog.exception("publishing the call quality failed")

    def _call_id(self) -> int | None:
        return self._call.call_id if self._call is not None else None

    def _call_by_id(self, call_id: int) -> CallView | None:
        for call in (self._call, self._consult):
            if call is not None and call.call_id == call_id:
                return call
        return None

    def _store_call(self, call: CallView) -> None:
        if self._call is not None and call.call_id == self._call.call_id:
            self._call = call
        elif self._consult is not None and call.call_id == self._consult.call_id:
            self._consult = call

    def _update_call(self, call_id: int, **changes: object) -> None:
        call = self._call_by_id(call_id)
        if call is not None:
            self._store_call(replace(call, **changes))  # type: ignore[arg-type]

    def _begin_interaction(
        self,
        direction: CallDirection,
        number: str,
        queue: str,
        sip_call_id: str,
        contact: Contact | None,
    ) -> None:
        self._interaction = InteractionRecord(
            id=str(uuid.uuid4()),
            direction=direction,
            remote_number=number,
            started_at=self._now(),
            outcome=None,
            contact_id=contact.id if contact else "",
            queue=queue,
            sip_call_id=sip_call_id,
        )

    def _outcome(self, call: CallView, ev: CallEnded) -> CallOutcome:
        """The server's outcome (``POST /interactions``) for a call that ended."""
        if self._notice is Notice.TRANSFER_DONE:
            return CallOutcome.TRANSFERRED
        if ev.answered:
            return CallOutcome.ANSWERED
        if call.direction is CallDirection.OUTBOUND:
            return CallOutcome.BUSY if ev.code in (486, 600) else CallOutcome.FAILED
        if self._declined == call.call_id:
            return CallOutcome.BUSY
        if ev.rang_out or self._rona_cancel(call, ev) or self._set_aside_for_rona():
            return CallOutcome.MISSED  # the 487 was the ACD's CANCEL after its RONA timer
        return CallOutcome.ABANDONED if ev.code == 487 else CallOutcome.MISSED

    def _set_aside_for_rona(self) -> bool:
        """The server set the agent Not ready "missed" while the call was ringing."""
        back = self._before_ringing
        return back.state is AgentState.NOT_READY and back.reason == RONA_REASON

    def _finish_interaction(self, outcome: CallOutcome) -> None:
        if self._interaction is None:
            return
        self._interaction = replace(self._interaction, outcome=outcome, ended_at=self._now())
        self._sink.log_interaction(self._interaction)
