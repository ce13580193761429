"""The engine's brain on the SIP thread: accounts' and calls' callbacks in, events out.

Every method runs on the engine thread (called from pjsua2 callbacks during
``libHandleEvents`` or from the loop between two turns). Decisions on incoming INVITEs are
taken in :meth:`CallController.tick`, never inside ``onIncomingCall``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import pjsua2 as pj

from homeagent.core import commands as cmd
from homeagent.core.dialstring import InvalidDestination, normalise_destination
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
    DtmfReceived,
    Event,
    IncomingCallRefused,
    TransferProgressed,
)
from homeagent.core.sip_config import EngineConfig, SipAccountConfig
from homeagent.core.text import clean_text
from homeagent.sip.callmedia import CallMedia, measure_quality
from homeagent.sip.calls import CallRecord, CallRegistry, EngineCall, hang_up
from homeagent.sip.headers import parse_invite, source_host
from homeagent.sip.media import AudioAttachment
from homeagent.sip.policy import FloodGuard, RejectPacer, admit
from homeagent.sip.registration import Registration
from homeagent.sip.reinvite import MAX_TRIES, retry_after_s, retry_delay_s
from homeagent.sip.supervision import SupervisionLegs

log = logging.getLogger(__name__)

QUALITY_INTERVAL_S = 5.0
_ANY_ADDRESS = frozenset({"", "0.0.0.0", "::"})  # noqa: S104 - compared, never bound


class CallController:
    """Holds the calls and turns pjsua2 callbacks and commands into events."""

    def __init__(
        self,
        config: EngineConfig,
        account: SipAccountConfig,
        emit: Callable[[Event], None],
        audio: AudioAttachment | None,
        trusted_hosts: frozenset[str],
    ) -> None:
        self.config = config
        self.account_cfg = account
        self.emit = emit
        self.audio = audio
        self.trusted_hosts = trusted_hosts
        self.calls: CallRegistry[EngineCall] = CallRegistry()
        self.available = True
        self.auto_answer_s = config.auto_answer_s
        self.pacer = RejectPacer(budget=max(1, config.max_calls), window_s=0.6)
        self.account: pj.Account | None = None
        self.media = CallMedia(audio)
        # supervision legs live apart from the calls: never counted, never call events
        self.supervision = SupervisionLegs(
            emit, self.media, self.calls, trusted_hosts, self.pacer, lambda: self.account
        )
        self.registration = Registration(account, emit, lambda: self.account)
        self._pending_removal: list[int] = []
        self.flood = FloodGuard()  # the engine's loop asks it before reading the network

    # ----------------------------------------------------------------- account reports
    # The controller is the account's listener (accounts.AccountListener): the reports
    # go on to the registration it owns.
    def registration_reported(self, code: int, reason: str, expiration_s: int) -> None:
        self.registration.reported(code, reason, expiration_s)

    def transport_failed(self, message: str) -> None:
        self.registration.transport_failed(message)

    def incoming_call(self, pj_call_id: int, whole_msg: str, src_address: str) -> None:
        assert self.account is not None
        self.flood.note_arrival(time.monotonic())
        # SWIG decoded the bytes with surrogateescape: decode them again, once, here, so
        # every fact (and every event built from them) is clean UTF-8 (Latin-1 PBXs).
        facts = parse_invite(clean_text(whole_msg))
        if facts.supervision_token is not None:  # a supervision leg, never a call to ring
            self.supervision.incoming(pj_call_id, facts, source_host(src_address))
            return
        record = CallRecord(
            call_id=self.calls.new_id(),
            direction=CallDirection.INBOUND,
            facts=facts,
            phase=CallPhase.RINGING,
            seen_ns=time.monotonic_ns(),
            source_host=source_host(src_address),
        )
        self.calls.add(record, EngineCall(self, self.account, record, pj_call_id))

    # ------------------------------------------------------------------ the loop's turn
    def tick(self, now_s: float) -> None:
        """Work that must not happen inside a pjsua2 callback; called between two turns."""
        for call_id in self._pending_removal:
            self.calls.remove(call_id)  # drops our last reference: pjsua2 frees the Call
            self.media.forget(call_id)
        self._pending_removal.clear()
        self.registration.refresh(now_s)
        for record, call in self.calls:
            if record.ended:
                continue
            try:
                self._tick_call(record, call, now_s)
            except Exception:  # one broken call must not stop the engine
                log.exception("call %s", record.call_id)
        self.supervision.tick(now_s)

    def _tick_call(self, record: CallRecord, call: EngineCall, now_s: float) -> None:
        if record.direction is CallDirection.INBOUND and not record.decided:
            self._decide(record, call, now_s)
        elif record.ring_deadline_s is not None and now_s >= record.ring_deadline_s:
            self._ring_out(record, call)
        elif record.auto_answer_at_s is not None and now_s >= record.auto_answer_at_s:
            record.auto_answer_at_s = None
            self._play_zip_tone()
            self.answer(record.call_id)
        if record.reinvite_at_s is not None and now_s >= record.reinvite_at_s:
            self._resend_hold(record, call)
        if record.phase in (CallPhase.ACTIVE, CallPhase.HELD) and (
            now_s >= record.next_quality_at_s
        ):
            record.next_quality_at_s = now_s + QUALITY_INTERVAL_S
            quality = self._measure(call)
            if quality is not None:
                record.last_quality = quality
                self.emit(CallQualityMeasured(record.call_id, quality))

    def _decide(self, record: CallRecord, call: EngineCall, now_s: float) -> None:
        if record.admission is None:
            record.admission = admit(
                source_host=record.source_host,
                trusted_hosts=self.trusted_hosts,
                available=self.available,
                active_calls=self.calls.admitted_count(excluding=record.call_id),
                max_calls=self.config.max_calls,
            )
        admission = record.admission
        if admission.rings:
            record.decided = True
            if self.config.ring_timeout_s is not None:  # first: nothing below may skip it
                record.ring_deadline_s = now_s + max(self.config.ring_timeout_s, 0.0)
            if not _answer(call, 180):
                record.ended = True  # gone already: never report it as ringing
                return
            auto = self.auto_answer_s
            if auto is not None:
                record.auto_answer_at_s = now_s + max(auto, 0.0)
            facts = record.facts
            self.emit(
                CallRinging(
                    call_id=record.call_id,
                    direction=CallDirection.INBOUND,
                    remote_uri=facts.remote_uri,
                    remote_number=facts.remote_number,
                    display_name=facts.display_name,
                    queue=facts.queue,
                    contact_id=facts.contact_id,
                    asserted_identity=facts.asserted_identity,
                    call_info=facts.call_info,
                    headers=facts.headers,
                    sip_call_id=facts.sip_call_id,
                    auto_answer_in_s=auto,
                    monotonic_ns=record.seen_ns,
                )
            )
            return
        # Turned away: paced, so a burst cannot exhaust pjsip's socket slots; a waiting
        # call keeps its slot, and pjsua answers further INVITEs 486 without media.
        if not self.pacer.try_take(now_s):
            return
        record.decided = True
        record.ended = True
        hang_up(call, admission.code, admission.reason)
        self.emit(IncomingCallRefused(admission.code, admission.reason, record.facts.remote_uri))

    def _ring_out(self, record: CallRecord, call: EngineCall) -> None:
        """Nobody answered and nobody cancelled within ring_timeout_s: give up (480).

        A safety net for INVITEs that no proxy timer guards (sent straight to us, or a
        proxy that lost the transaction): without it the desk rings for ever and every
        other call gets 486. pjsua2 then reports the call DISCONNECTED; ``_ended`` sends
        the CallEnded with ``rang_out`` so the desk treats it like the ACD's RONA.
        """
        record.ring_deadline_s = None
        record.auto_answer_at_s = None
        if record.phase is not CallPhase.RINGING or record.answered:
            return
        record.rang_out = True
        log.info("call %s rang out after %s s: 480", record.call_id, self.config.ring_timeout_s)
        hang_up(call, 480, "Temporarily Unavailable: no answer")

    # ------------------------------------------------------------------ call callbacks
    def call_state_changed(self, call: EngineCall) -> None:
        try:
            self._call_state_changed(call)
        except Exception:
            log.exception("onCallState")

    def _call_state_changed(self, call: EngineCall) -> None:
        record = call.record
        info = call.getInfo()
        state = info.state
        if state == pj.PJSIP_INV_STATE_EARLY and record.direction is CallDirection.OUTBOUND:
            if info.lastStatusCode in (180, 183) and not record.ringing_reported:
                record.ringing_reported = True
                self.emit(
                    CallRinging(
                        call_id=record.call_id,
                        direction=CallDirection.OUTBOUND,
                        remote_uri=str(info.remoteUri),
                        remote_number=record.facts.remote_number,
                        sip_call_id=str(info.callIdString),
                        monotonic_ns=time.monotonic_ns(),
                    )
                )
        elif state == pj.PJSIP_INV_STATE_CONNECTING:
            self._set_phase(record, CallPhase.CONNECTING)
        elif state == pj.PJSIP_INV_STATE_CONFIRMED:
            if record.connected_at_s is None:
                record.connected_at_s = time.monotonic()
                record.answered = True
                record.next_quality_at_s = time.monotonic() + QUALITY_INTERVAL_S
            self._set_phase(record, CallPhase.ACTIVE)
        elif state == pj.PJSIP_INV_STATE_DISCONNECTED:
            self._ended(call, int(info.lastStatusCode), str(info.lastReason))

    def _ended(self, call: EngineCall, code: int, reason: str) -> None:
        record = call.record
        if record.call_id in self._pending_removal:
            return
        self._pending_removal.append(record.call_id)
        self.supervision.customer_gone(record.call_id, "call_ended")
        self._detach(record.call_id)
        if not record.decided:  # gone before we even looked at it (CANCEL, bad INVITE)
            record.ended = True
            return
        was_refused = record.ended
        record.ended = True
        if was_refused:
            return
        quality = self._measure(call) or record.last_quality
        duration = 0.0
        if record.connected_at_s is not None:
            duration = round(time.monotonic() - record.connected_at_s, 3)
        record.phase = CallPhase.ENDED
        self.emit(CallStateChanged(record.call_id, CallPhase.ENDED, code, reason))
        self.emit(
            CallEnded(
                record.call_id,
                code,
                reason,
                duration,
                record.answered,
                quality,
                rang_out=record.rang_out and not record.answered,
            )
        )

    def call_media_changed(self, call: EngineCall) -> None:
        try:
            self._call_media_changed(call)
        except Exception:
            log.exception("onCallMediaState")

    def _call_media_changed(self, call: EngineCall) -> None:
        record = call.record
        info = call.getInfo()
        for media in info.media:
            if media.type != pj.PJMEDIA_TYPE_AUDIO:
                continue
            if media.status == pj.PJSUA_CALL_MEDIA_ACTIVE:
                self._attach(call, media.index)
                if record.hold_wanted is False:
                    self._reinvite_done(record)
                if record.phase is CallPhase.HELD:
                    self._set_phase(record, CallPhase.ACTIVE)
            elif media.status in (pj.PJSUA_CALL_MEDIA_LOCAL_HOLD, pj.PJSUA_CALL_MEDIA_REMOTE_HOLD):
                self._detach(record.call_id, int(media.audioConfSlot))
                local = media.status == pj.PJSUA_CALL_MEDIA_LOCAL_HOLD
                if local and record.hold_wanted is True:
                    self._reinvite_done(record)
                reason = "local" if local else "remote"
                self._set_phase(record, CallPhase.HELD, reason=f"held ({reason})")
            else:
                self._detach(record.call_id, int(media.audioConfSlot))
            break

    def dtmf_received(self, call: EngineCall, digit: str, method: int) -> None:
        kind = "info" if method == pj.PJSUA_DTMF_METHOD_SIP_INFO else "rfc4733"
        self.emit(DtmfReceived(call.record.call_id, digit, kind))

    def transfer_status(self, call: EngineCall, code: int, final: bool) -> None:
        accepted = 200 <= code < 300
        self.emit(TransferProgressed(call.record.call_id, code, final, accepted))
        if final and accepted:
            self.supervision.customer_gone(call.record.call_id, "transferred")
            hang_up(call, 0, "")  # the transferee now talks to the target

    def reinvite_refused(self, call: EngineCall, code: int, reason: str, whole_msg: str) -> None:
        record = call.record
        if record.hold_wanted is None or record.ended:
            return
        delay = retry_delay_s(
            code,
            retry_after_s(whole_msg),
            owns_call_id=record.direction is CallDirection.OUTBOUND,
            tries=record.reinvite_tries,
        )
        what = "hold" if record.hold_wanted else "resume"
        again = "" if delay is None else f", again in {delay:.1f} s"
        log.info("call %s: %s refused %s %s%s", record.call_id, what, code, reason, again)
        if delay is not None:
            record.reinvite_at_s = time.monotonic() + delay
            return
        self._give_up_hold(record, f"refused by the other side: {code} {reason}")

    def _send_hold(self, record: CallRecord, call: EngineCall, hold: bool) -> None:
        """Send a hold / resume re-INVITE; tried again on a transient refusal."""
        if record.hold_wanted is not hold:
            record.reinvite_tries = 0
        record.hold_wanted = hold
        record.reinvite_at_s = None
        record.reinvite_tries += 1
        if hold:
            call.setHold(pj.CallOpParam(True))
        else:
            prm = pj.CallOpParam(True)
            prm.opt.flag = pj.PJSUA_CALL_UNHOLD
            call.reinvite(prm)

    def _resend_hold(self, record: CallRecord, call: EngineCall) -> None:
        assert record.hold_wanted is not None
        try:
            self._send_hold(record, call, record.hold_wanted)
        except pj.Error as exc:  # e.g. a re-INVITE of pjsua's own in progress: next turn
            if record.reinvite_tries >= MAX_TRIES:
                self._give_up_hold(record, str(exc.info()))
            else:
                record.reinvite_at_s = time.monotonic() + 0.5

    def _give_up_hold(self, record: CallRecord, message: str) -> None:
        command = "Hold" if record.hold_wanted else "Resume"
        self._reinvite_done(record)
        self.emit(CommandFailed(command, message, record.call_id))

    @staticmethod
    def _reinvite_done(record: CallRecord) -> None:
        record.hold_wanted = None
        record.reinvite_tries = 0
        record.reinvite_at_s = None

    # ---------------------------------------------------------------------- media
    @property
    def endpoint(self) -> pj.Endpoint | None:
        return self.media.endpoint

    @endpoint.setter
    def endpoint(self, value: pj.Endpoint | None) -> None:
        self.media.endpoint = value

    @property
    def tone(self) -> pj.ToneGenerator | None:
        return self.media.tone

    @tone.setter
    def tone(self, value: pj.ToneGenerator | None) -> None:
        self.media.tone = value

    def _attach(self, call: EngineCall, index: int) -> None:
        self.media.attach(call.record, call, index)

    def _detach(self, call_id: int, slot: int | None = None) -> None:
        """`slot`: the call's conference slot now (None: ended, its port is gone)."""
        entry = self.calls.get(call_id)
        if entry is not None:
            self.media.detach(entry[0], slot)

    def detach_all(self) -> None:
        self.supervision.clear()
        for record, _ in self.calls:
            self.media.detach(record)

    @property
    def busy(self) -> bool:
        """True while a call or a supervision leg has not ended (shutdown waits for it)."""
        return self.supervision.live or any(not rec.ended for rec, _ in self.calls)

    def _measure(self, call: EngineCall) -> CallQuality | None:
        return measure_quality(call)

    def _play_zip_tone(self) -> None:
        self.media.play_zip_tone()

    def _set_phase(self, record: CallRecord, phase: CallPhase, reason: str = "") -> None:
        if record.phase is phase:
            return
        record.phase = phase
        self.emit(CallStateChanged(record.call_id, phase, reason=reason))

    # ---------------------------------------------------------------------- commands
    def handle(self, command: cmd.Command) -> None:
        """Carry out one command; failures become CommandFailed events."""
        name = type(command).__name__
        try:
            self._handle(command)
        except (InvalidDestination, LookupError, ValueError) as exc:
            self.emit(CommandFailed(name, str(exc), getattr(command, "call_id", None)))
        except pj.Error as exc:
            self.emit(CommandFailed(name, str(exc.info()), getattr(command, "call_id", None)))

    def _handle(self, command: cmd.Command) -> None:
        match command:
            case cmd.Answer(call_id=call_id):
                self.answer(call_id)
            case cmd.Reject(call_id=call_id, code=code):
                record, call = self._get(call_id)
                record.decided = True
                record.ring_deadline_s = None
                hang_up(call, code if code in (486, 603) else 486, "")
            case cmd.Dial(destination=destination, headers=headers):
                self.dial(destination, dict(headers))
            case cmd.Hangup(call_id=call_id):
                hang_up(self._get(call_id)[1], 0, "")
            case cmd.Hold(call_id=call_id):
                self._send_hold(*self._get(call_id), hold=True)
            case cmd.Resume(call_id=call_id):
                self._send_hold(*self._get(call_id), hold=False)
            case cmd.SetMute(call_id=call_id, muted=muted):
                record, _ = self._get(call_id)
                record.muted = muted
                self.media.apply_mute(record)
                self.emit(CallMuteChanged(call_id, muted))
            case cmd.SendDtmf(call_id=call_id, digits=digits):
                self.send_dtmf(call_id, digits)
            case cmd.BlindTransfer(call_id=call_id, destination=destination):
                uri = normalise_destination(destination, self.account_cfg.domain)
                record, call = self._get(call_id)
                record.transfer_pending = True
                call.xfer(uri, pj.CallOpParam(True))
            case cmd.AttendedTransfer(call_id=call_id, consult_call_id=consult_id):
                record, call = self._get(call_id)
                _, consult = self._get(consult_id)
                record.transfer_pending = True
                call.xferReplaces(consult, pj.CallOpParam(True))
            case cmd.SetAvailable(available=available):
                self.available = available
            case cmd.SetAutoAnswer(delay_s=delay_s):
                self.auto_answer_s = delay_s
            case (
                cmd.StartSupervision()
                | cmd.SetSupervisionMode()
                | cmd.StopSupervision()
                | cmd.ExpectSupervision()
            ):
                self.supervision.handle(command)
            case cmd.HandleIpChange():
                assert self.endpoint is not None
                prm = pj.IpChangeParam()
                # pjsip re-binds a restarted listener to every interface: only restart it
                # when we listen on every interface anyway (keeps a pinned address pinned).
                prm.restartListener = self.config.bind_address in _ANY_ADDRESS
                self.endpoint.handleIpChange(prm)
            case _:
                raise ValueError(f"unknown command {type(command).__name__}")

    def _get(self, call_id: int) -> tuple[CallRecord, EngineCall]:
        entry = self.calls.get(call_id)
        if entry is None or entry[0].ended:
            raise LookupError(f"no call {call_id}")
        return entry

    def answer(self, call_id: int) -> None:
        record, call = self._get(call_id)
        if record.direction is not CallDirection.INBOUND or record.answered:
            raise ValueError(f"call {call_id} cannot be answered")
        if not record.decided:
            self._decide(record, call, time.monotonic())
            if record.ended:
                raise LookupError(f"call {call_id} was turned away")
        record.auto_answer_at_s = None
        record.ring_deadline_s = None  # answering: no longer ours to give up on
        # Call waiting: the call we were talking to goes on hold first.
        for other in self.calls.active_other(call_id):
            entry = self.calls.get(other.call_id)
            if entry is not None:
                self._send_hold(*entry, hold=True)
        _answer(call, 200)

    def dial(self, destination: str, headers: dict[str, str]) -> None:
        assert self.account is not None
        uri = normalise_destination(destination, self.account_cfg.domain)
        record = CallRecord(
            call_id=self.calls.new_id(),
            direction=CallDirection.OUTBOUND,
            phase=CallPhase.DIALING,
            seen_ns=time.monotonic_ns(),
            decided=True,
        )
        call = EngineCall(self, self.account, record)
        prm = pj.CallOpParam(True)
        for name, value in headers.items():
            header = pj.SipHeader()
            header.hName = name
            header.hValue = value
            prm.txOption.headers.append(header)
        self.calls.add(record, call)
        try:
            call.makeCall(uri, prm)
        except pj.Error:
            self.calls.remove(record.call_id)
            raise
        self.emit(CallStateChanged(record.call_id, CallPhase.DIALING, reason=uri))

    def send_dtmf(self, call_id: int, digits: str) -> None:
        record, call = self._get(call_id)
        if record.phase is not CallPhase.ACTIVE:
            # on hold (or resuming) the digits would be dropped silently: say so instead
            raise ValueError(f"call {call_id} is {record.phase.value}: DTMF not sent")
        prm = pj.CallSendDtmfParam()
        prm.digits = digits
        prm.method = pj.PJSUA_DTMF_METHOD_RFC2833
        try:
            call.sendDtmf(prm)
        except pj.Error:  # the far end did not offer telephone-event: SIP INFO instead
            prm.method = pj.PJSUA_DTMF_METHOD_SIP_INFO
            call.sendDtmf(prm)


def _answer(call: pj.Call, code: int) -> bool:
    """Answer; False if the call is already gone (e.g. CANCELled before this turn)."""
    prm = pj.CallOpParam(True)
    prm.statusCode = code
    try:
        call.answer(prm)
    except pj.Error as exc:
        log.debug("answer %s: %s", code, exc.info())
        return False
    return True
