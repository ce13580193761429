"""Supervision legs on the engine thread (docs/supervision-contract.md, "SIP engine").

Agent side: ``StartSupervision`` places a call (the *leg*) to the lead's softphone through
the proxy, carrying ``X-HomeAgent-Supervision: <token>``, and mixes it with the customer
call on this app's conference bridge (:mod:`homeagent.sip.supervision_mix`, applied by
:class:`~homeagent.sip.callmedia.CallMedia`). Lead side: an INVITE carrying the header is
answered only if its token was armed by ``ExpectSupervision`` (:mod:`.supervision_tokens`).

Legs are not calls: they live here, apart from the call registry, so they never count in
``max_calls`` or call waiting and never produce call events; only ``SupervisionChanged``
and ``SupervisionRefused``. As for calls, every decision on an incoming INVITE is taken in
:meth:`SupervisionLegs.tick`, never inside ``onIncomingCall``, and every pjsua2 object is
kept here until it is disconnected, then dropped on the engine thread.
"""

from __future__ import annotations

import itertools
import logging
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Protocol

import pjsua2 as pj

from homeagent.core import commands as cmd
from homeagent.core.events import Event, SupervisionChanged, SupervisionRefused
from homeagent.sip.callmedia import CallMedia, LegMix
from homeagent.sip.calls import CallRegistry, EngineCall, hang_up
from homeagent.sip.headers import SUPERVISION_HEADER, InviteFacts
from homeagent.sip.policy import RejectPacer
from homeagent.sip.supervision_tokens import TokenBook, Verdict, is_token

log = logging.getLogger(__name__)

AGENT = "agent"
LEAD = "lead"
CONNECTING, CONNECTED, ENDED = "connecting", "connected", "ended"
LEAD_SILENT_S = 4.0  # no RTP from the lead this long: its app crashed or lost its network
RX_CHECK_INTERVAL_S = 0.25
CONNECT_TIMEOUT_S = 10.0  # the lead answers at once, or within 2 s: 10 s means it never will
MAX_WAITING_LEGS = 1  # INVITEs held for a token not armed yet; more are refused at once
_TARGET = re.compile(r"sips?:[^\s<>\"]{1,250}", re.IGNORECASE)


class LegListener(Protocol):
    def leg_state_changed(self, call: LegCall) -> None: ...

    def leg_media_changed(self, call: LegCall) -> None: ...


@dataclass(slots=True, eq=False)
class Leg:
    """What the engine knows about one supervision leg (mutable, engine thread only)."""

    key: int
    side: str  # AGENT (we placed it) | LEAD (we answered it)
    session_id: int = 0  # lead side: known once the token matched
    mode: str = ""
    customer_call_id: int | None = None
    phase: str = CONNECTING
    end_reason: str = ""  # why we end it (the first reason wins)
    hangup_due: bool = False  # hang up on the next turn (asked from inside a callback)
    remote_uri: str = ""
    started_s: float = 0.0
    # lead side, until decided
    token: str | None = field(default=None, repr=False)
    source_host: str = ""
    decided: bool = False
    answered: bool = False
    # media
    confirmed: bool = False
    media_index: int = -1
    audio: pj.AudioMedia | None = None  # lead side: plugged into the headset
    rx_packets: int = -1
    rx_at_s: float = 0.0
    next_rx_check_s: float = 0.0


class LegCall(pj.Call):  # type: ignore[misc]
    """The leg's pjsua2 call: forwards its callbacks (engine thread) to :class:`SupervisionLegs`."""

    def __init__(
        self,
        listener: LegListener,
        account: pj.Account,
        leg: Leg,
        pj_call_id: int = pj.PJSUA_INVALID_ID,
    ) -> None:
        super().__init__(account, pj_call_id)
        self.listener = listener
        self.leg = leg

    def onCallState(self, prm: pj.OnCallStateParam) -> None:
        self.listener.leg_state_changed(self)

    def onCallMediaState(self, prm: pj.OnCallMediaStateParam) -> None:
        self.listener.leg_media_changed(self)


class SupervisionLegs:
    """Both sides' legs: commands in, ``SupervisionChanged``/``SupervisionRefused`` out."""

    def __init__(
        self,
        emit: Callable[[Event], None],
        media: CallMedia,
        calls: CallRegistry[EngineCall],
        trusted_hosts: frozenset[str],
        pacer: RejectPacer,
        account: Callable[[], pj.Account | None],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.emit = emit
        self.media = media
        self.calls = calls
        self.trusted_hosts = trusted_hosts
        self.pacer = pacer
        self.account = account
        self.clock = clock
        self.tokens = TokenBook()
        self._keys = itertools.count(1)
        self._legs: dict[int, tuple[Leg, LegCall]] = {}
        self._pending_removal: list[int] = []

    # ------------------------------------------------------------------ bookkeeping
    def __iter__(self) -> Iterator[tuple[Leg, LegCall]]:
        return iter(list(self._legs.values()))

    def __len__(self) -> int:
        return len(self._legs)

    @property
    def live(self) -> bool:
        """True while a leg has not been reported disconnected (shutdown waits for it)."""
        return any(leg.phase != ENDED for leg, _ in self._legs.values())

    def shutting_down(self) -> None:
        """The engine stops (the app quits or signs out): say so when the legs end."""
        for leg, _ in self:
            if leg.phase != ENDED:
                leg.end_reason = leg.end_reason or (
                    "agent_signed_out" if leg.side == AGENT else "lead_stopped"
                )

    def clear(self) -> None:
        """Unplug and drop every leg (engine thread, before libDestroy)."""
        for leg, _ in list(self._legs.values()):
            self._unplug(leg)
        self._legs.clear()
        self._pending_removal.clear()
        self.media.leg = None

    def _agent_leg(self) -> tuple[Leg, LegCall] | None:
        for leg, call in self._legs.values():
            if leg.side == AGENT and leg.phase != ENDED:
                return leg, call
        return None

    # ------------------------------------------------------------------ commands
    def handle(self, command: cmd.Command) -> bool:
        """Carry out a supervision command; False if `command` is not one."""
        match command:
            case cmd.StartSupervision():
                self._start(command)
            case cmd.SetSupervisionMode(session_id=session_id, mode=mode):
                self._set_mode(session_id, mode)
            case cmd.StopSupervision(session_id=session_id, reason=reason):
                self._stop(session_id, reason)
            case cmd.ExpectSupervision(session_id=session_id, token=token):
                self.tokens.arm(session_id, token, self.clock())
                log.info("supervision %s: expecting its leg", session_id)
            case _:
                return False
        return True

    def _refuse_start(self, command: cmd.StartSupervision, reason: str, why: str) -> None:
        log.warning("supervision %s: not started (%s)", command.session_id, why)
        self.emit(SupervisionChanged(command.session_id, AGENT, ENDED, command.mode, reason))

    def _start(self, command: cmd.StartSupervision) -> None:
        if command.mode not in cmd.SUPERVISION_MODES:
            raise ValueError(f"unknown supervision mode {command.mode!r}")
        current = self._agent_leg()
        if current is not None:
            if current[0].session_id == command.session_id:
                log.info("supervision %s: already started", command.session_id)
                return
            self._refuse_start(command, "failed", "another session's leg is up")
            return
        entry = self.calls.get(command.call_id)
        if entry is None or entry[0].ended or not entry[0].answered:
            self._refuse_start(command, "not_in_call", f"no connected call {command.call_id}")
            return
        if not _TARGET.fullmatch(command.target):
            self._refuse_start(command, "failed", "the target is not a sip: or sips: URI")
            return
        if not is_token(command.token):
            self._refuse_start(command, "failed", "malformed token")
            return
        account = self.account()
        if account is None:
            self._refuse_start(command, "failed", "no account")
            return
        if not self.media.mixes:
            self._refuse_start(command, "failed", "the audio attachment has no bridge port")
            return
        now = self.clock()
        leg = Leg(
            key=next(self._keys),
            side=AGENT,
            session_id=command.session_id,
            mode=command.mode,
            customer_call_id=command.call_id,
            remote_uri=command.target,
            started_s=now,
        )
        call = LegCall(self, account, leg)
        prm = pj.CallOpParam(True)
        header = pj.SipHeader()
        header.hName = SUPERVISION_HEADER
        header.hValue = command.token
        prm.txOption.headers.append(header)
        self._legs[leg.key] = (leg, call)
        self.media.leg = LegMix(command.call_id, command.mode)
        try:
            call.makeCall(command.target, prm)
        except pj.Error as exc:
            del self._legs[leg.key]
            self.media.leg = None
            self._refuse_start(command, "failed", f"INVITE not sent: {exc.info()}")
            return
        log.info(
            "supervision %s: calling the lead (%s, call %s)",
            command.session_id,
            command.mode,
            command.call_id,
        )
        self.emit(SupervisionChanged(command.session_id, AGENT, CONNECTING, command.mode))

    def _set_mode(self, session_id: int, mode: str) -> None:
        if mode not in cmd.SUPERVISION_MODES:
            raise ValueError(f"unknown supervision mode {mode!r}")
        current = self._agent_leg()
        if current is None or current[0].session_id != session_id:
            log.info("supervision %s: no leg to switch to %s", session_id, mode)
            return
        leg = current[0]
        leg.mode = mode
        if self.media.leg is not None:
            self.media.leg.mode = mode
            self.media.remix()
        log.info("supervision %s: mode %s", session_id, mode)

    def _stop(self, session_id: int, reason: str) -> None:
        if self.tokens.disarm(session_id):
            log.info("supervision %s: token withdrawn", session_id)
        for leg, call in self:
            if leg.session_id == session_id and leg.phase != ENDED:
                if leg.side == LEAD and not leg.decided:
                    continue  # still waiting: now refused (the token is withdrawn)
                self._end(leg, call, reason or "lead_stopped")

    # ------------------------------------------------------------------ incoming (lead)
    def incoming(self, pj_call_id: int, facts: InviteFacts, source_host: str) -> None:
        """Record an INVITE carrying the header (from ``onIncomingCall``: decide later)."""
        account = self.account()
        assert account is not None
        leg = Leg(
            key=next(self._keys),
            side=LEAD,
            token=facts.supervision_token,
            source_host=source_host,
            remote_uri=facts.remote_uri,
            started_s=self.clock(),
        )
        self._legs[leg.key] = (leg, LegCall(self, account, leg, pj_call_id))

    def _decide(self, leg: Leg, call: LegCall, now_s: float) -> None:
        if leg.source_host not in self.trusted_hosts:
            self._refuse(leg, call, now_s, "untrusted source")
            return
        check = self.tokens.check(leg.token, leg.started_s, now_s)
        if check.verdict is Verdict.WAIT:
            waiting_before = sum(
                1
                for other, _ in self._legs.values()
                if other.side == LEAD
                and not other.decided
                and other.phase != ENDED
                and other.key < leg.key
            )
            if waiting_before >= MAX_WAITING_LEGS:
                self._refuse(leg, call, now_s, "unknown token")
            return
        if check.verdict is Verdict.REFUSE:
            self._refuse(leg, call, now_s, check.reason)
            return
        assert check.session_id is not None
        leg.decided = True
        leg.token = None
        leg.session_id = check.session_id
        prm = pj.CallOpParam(True)
        prm.statusCode = 200
        try:
            call.answer(prm)
        except pj.Error as exc:
            log.warning("supervision %s: answer failed: %s", leg.session_id, exc.info())
            leg.phase = ENDED
            return
        leg.answered = True
        log.info("supervision %s: leg answered", leg.session_id)

    def _refuse(self, leg: Leg, call: LegCall, now_s: float, reason: str) -> None:
        if not self.pacer.try_take(now_s):
            return  # paced like every rejection (pjsip's socket slots); next turn
        leg.decided = True
        leg.token = None
        leg.phase = ENDED
        log.warning("supervision INVITE from %s refused: %s", leg.remote_uri, reason)
        hang_up(call, 403, f"Forbidden: {reason}")
        self.emit(SupervisionRefused(reason, leg.remote_uri))

    # ------------------------------------------------------------------ customer call
    def customer_gone(self, call_id: int, reason: str) -> None:
        """The supervised customer call ended or was transferred: end its leg on this
        turn (the hang-up itself is sent from :meth:`tick`, outside pjsua2's callback)."""
        for leg, _ in self:
            if leg.side == AGENT and leg.customer_call_id == call_id and leg.phase != ENDED:
                leg.end_reason = leg.end_reason or reason
                leg.hangup_due = True

    # ------------------------------------------------------------------ the loop's turn
    def tick(self, now_s: float) -> None:
        for key in self._pending_removal:
            self._legs.pop(key, None)  # our last reference: pjsua2 frees the Call
        self._pending_removal.clear()
        self.tokens.expire(now_s)
        for leg, call in self:
            if leg.phase == ENDED:
                continue
            try:
                self._tick_leg(leg, call, now_s)
            except Exception:  # one broken leg must not stop the engine
                log.exception("supervision leg %s", leg.session_id)

    def _tick_leg(self, leg: Leg, call: LegCall, now_s: float) -> None:
        if leg.hangup_due:
            leg.hangup_due = False
            hang_up(call, 0, "")
        elif leg.side == LEAD and not leg.decided:
            self._decide(leg, call, now_s)
        elif leg.side == AGENT and leg.phase == CONNECTING:
            if now_s - leg.started_s >= CONNECT_TIMEOUT_S and not leg.end_reason:
                log.warning("supervision %s: the lead did not answer", leg.session_id)
                self._end(leg, call, "failed")
        elif leg.side == AGENT and leg.phase == CONNECTED and now_s >= leg.next_rx_check_s:
            leg.next_rx_check_s = now_s + RX_CHECK_INTERVAL_S
            packets = _rx_packets(call, leg.media_index)
            if packets is not None and packets != leg.rx_packets:
                leg.rx_packets = packets
                leg.rx_at_s = now_s
            elif now_s - leg.rx_at_s >= LEAD_SILENT_S and not leg.end_reason:
                log.warning(
                    "supervision %s: no audio from the lead for %.1f s",
                    leg.session_id,
                    now_s - leg.rx_at_s,
                )
                self._end(leg, call, "lead_lost")

    def _end(self, leg: Leg, call: LegCall, reason: str) -> None:
        leg.end_reason = leg.end_reason or reason
        hang_up(call, 0, "")

    # ------------------------------------------------------------------ leg callbacks
    def leg_state_changed(self, call: LegCall) -> None:
        try:
            info = call.getInfo()
            leg = call.leg
            if info.state == pj.PJSIP_INV_STATE_CONFIRMED:
                leg.confirmed = True
            elif info.state == pj.PJSIP_INV_STATE_DISCONNECTED:
                self._ended(leg, int(info.lastStatusCode))
        except Exception:
            log.exception("supervision leg onCallState")

    def leg_media_changed(self, call: LegCall) -> None:
        try:
            self._media_changed(call)
        except Exception:
            log.exception("supervision leg onCallMediaState")

    def _media_changed(self, call: LegCall) -> None:
        leg = call.leg
        if leg.phase == ENDED:
            return
        info = call.getInfo()  # keep it: `.media` is a view into it (SWIG), not a copy
        for media in info.media:
            if media.type != pj.PJMEDIA_TYPE_AUDIO:
                continue
            if media.status == pj.PJSUA_CALL_MEDIA_ACTIVE:
                leg.media_index = int(media.index)
                self._plug(leg, call.getAudioMedia(media.index))
                if leg.phase == CONNECTING:
                    leg.phase = CONNECTED
                    now = self.clock()
                    leg.rx_at_s = now
                    leg.next_rx_check_s = now + RX_CHECK_INTERVAL_S
                    log.info("supervision %s: connected (%s side)", leg.session_id, leg.side)
                    self.emit(SupervisionChanged(leg.session_id, leg.side, CONNECTED, leg.mode))
            else:
                self._unplug(leg, int(media.audioConfSlot))
            break

    def _plug(self, leg: Leg, audio: pj.AudioMedia) -> None:
        if leg.side == AGENT:
            self.media.attach_leg(audio)
        elif leg.audio is None:
            leg.audio = audio
            self.media.plug(audio)

    def _unplug(self, leg: Leg, slot: int | None = None) -> None:
        """Unplug the leg's audio; `slot` None: the leg ended, pjsua removed its port."""
        if leg.side == AGENT:
            self.media.detach_leg(slot)
        elif leg.audio is not None:
            audio, leg.audio = leg.audio, None
            if slot is not None and slot == audio.getPortId():
                self.media.unplug(audio)
            else:
                self.media.drop(audio)

    def _ended(self, leg: Leg, code: int) -> None:
        if leg.key in self._pending_removal:
            return
        self._pending_removal.append(leg.key)
        self._unplug(leg)
        if leg.side == AGENT:
            self.media.leg = None
            self.media.remix()
        already = leg.phase == ENDED
        leg.phase = ENDED
        if already or (leg.side == LEAD and not leg.answered):
            return  # refused (reported then) or gone before we decided (CANCEL)
        reason = leg.end_reason or _remote_reason(leg, code)
        log.info("supervision %s: leg ended (%s side): %s", leg.session_id, leg.side, reason)
        self.emit(SupervisionChanged(leg.session_id, leg.side, ENDED, leg.mode, reason))


def _remote_reason(leg: Leg, code: int) -> str:
    """Why the other side ended the leg, in the contract's words."""
    if leg.side == LEAD:
        return "call_ended"  # the agent's app hung up: its call ended, or it stopped
    if not leg.confirmed:
        return "refused" if code == 403 else "failed"
    return "lead_stopped"


def _rx_packets(call: pj.Call, index: int) -> int | None:
    """RTP packets received on the leg so far (None when there is no stream to ask)."""
    if index < 0:
        return None
    try:
        return int(call.getStreamStat(index).rtcp.rxStat.pkt)
    except pj.Error:
        return None
