"""A bank of simulated phones: many registered SIP accounts on one pjsua2 Endpoint.

The demo's simulated team (`homeagent.demo.team`) needs agents registered to the ACD's
Kamailio with their own SIP users, answering and hanging up calls when a shift script says
so, driven from Python threads. pjsua2 allows one Endpoint per process; the bank is one:
one UDP transport, the null audio device, one account per phone (pjsua picks the account
of an incoming INVITE by the user part of its Request-URI, the contact Kamailio looked up).

Threading contract (as :mod:`homeagent.sip.engine`): the Endpoint is created, pumped every
10 ms and destroyed on the bank's own thread; ``threadCnt=0``, ``mainThreadOnly=True``.
Other threads call :meth:`PhoneBank.add_account`, :meth:`answer`, :meth:`hangup` and
:meth:`quality`, which queue the work for that thread and wait for its result.
``on_event`` is called on the bank's thread with frozen :class:`PhoneEvent` values; it must
not block (the team process puts them on per-agent queues).

Why pjsua2 and not sipp UAS processes (measured for the demo's team of 10): a sipp UAS is
small (6.5 MB RSS each) but answers on a timer fixed in its scenario — "answer this call
after 4 s, let that one ring out, hang up after 37 s" would need a scenario per behaviour
or one control socket per process driven from Python; it registers only through a
hand-written REGISTER scenario with no refresh, and reports no RTCP figures. The bank
registers and refreshes like the desk (`homeagent.sip.endpoint.account_config`: the same
digest, keep-alive and contact settings), is driven call by call from Python, gives each
call's real SIP Call-ID, and measures real RTCP figures for the call-quality reports
(one process with one agent: 49 MB RSS, under 2 % of one core).

One agent per bank behind an ACD: when an offer rings out, the ACD offers the same INVITE
(same Call-ID, From tag and CSeq) to the next agent. Two agents on one pjsip stack make
that a merged request (RFC 3261 8.2.2.2): pjsip answers 482 Loop Detected or 486 before
any callback, and the next agent is set aside for a call it never saw. Measured over
2.5 minutes of the demo: 6 of 22 offers lost so with five agents per process, none of 38
with one. So the demo runs one team process per agent; several accounts on one bank
suit only accounts that never share a call. pjsua holds at most 8 accounts per Endpoint
(`MAX_ACCOUNTS`).
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import pjsua2 as pj

from homeagent.core.events import CallQuality
from homeagent.core.sip_config import EngineConfig, SipAccountConfig
from homeagent.sip.callmedia import measure_quality
from homeagent.sip.endpoint import (
    PythonLogWriter,
    account_config,
    endpoint_config,
    quiet_pjlib_until_configured,
    set_codec_priorities,
    transport_config,
)
from homeagent.sip.engine import _PROCESS_ENDPOINT
from homeagent.sip.headers import parse_invite
from homeagent.sip.teardown import destroy, unregister

__all__ = ["MAX_ACCOUNTS", "PhoneBank", "PhoneEvent"]

log = logging.getLogger(__name__)

LOOP_POLL_MS = 10
# pjsua's compile-time PJSUA_MAX_ACC in the wheel: a ninth account aborts the process
# (an assertion in pjsua_acc_add), so the bank refuses it first.
MAX_ACCOUNTS = 8


@dataclass(frozen=True, slots=True)
class PhoneEvent:
    """Something that happened to one account of the bank.

    kind: ``registered`` (code), ``incoming`` (call, sip_call_id, remote_number, headers),
    ``confirmed`` (call), ``ended`` (call, code, reason)."""

    account: str
    kind: str
    call: int = -1
    code: int = 0
    reason: str = ""
    sip_call_id: str = ""
    remote_number: str = ""
    headers: MappingProxyType[str, str] = field(default_factory=lambda: MappingProxyType({}))


class _Call(pj.Call):  # type: ignore[misc]
    def __init__(self, bank: PhoneBank, account: _Account, call_id: int) -> None:
        super().__init__(account, call_id)
        self.bank = bank
        self.key = account.key
        self.call_id = call_id
        self.media: list[Any] = []  # audio ports kept alive while the call is
        self.ended = False

    def onCallState(self, prm: pj.OnCallStateParam) -> None:
        try:
            info = self.getInfo()
        except pj.Error:  # the INVITE session is already gone: the call has ended
            self.bank._call_ended(self, 0, "")
            return
        if info.state == pj.PJSIP_INV_STATE_CONFIRMED:
            self.bank._emit(PhoneEvent(self.key, "confirmed", call=self.call_id))
        elif info.state == pj.PJSIP_INV_STATE_DISCONNECTED:
            self.bank._call_ended(self, int(info.lastStatusCode), str(info.lastReason))

    def onCallMediaState(self, prm: pj.OnCallMediaStateParam) -> None:
        if self.media:
            return
        info = self.getInfo()
        for media in info.media:
            if media.type == pj.PJMEDIA_TYPE_AUDIO and media.status == pj.PJSUA_CALL_MEDIA_ACTIVE:
                audio = self.getAudioMedia(media.index)
                adm = self.bank._ep.audDevManager()
                # the null capture device sends silence: RTP flows both ways (no VAD), so
                # RTCP has real figures to report
                adm.getCaptureDevMedia().startTransmit(audio)
                audio.startTransmit(adm.getPlaybackDevMedia())
                self.media.append(audio)
                break


class _Account(pj.Account):  # type: ignore[misc]
    def __init__(self, bank: PhoneBank, key: str) -> None:
        super().__init__()
        self.bank = bank
        self.key = key
        self.registered = False

    def is_registered(self) -> bool:
        return self.registered

    def onRegState(self, prm: pj.OnRegStateParam) -> None:
        self.registered = 200 <= prm.code < 300 and prm.expiration > 0
        self.bank._emit(
            PhoneEvent(self.key, "registered", code=int(prm.code), reason=str(prm.reason))
        )

    def onIncomingCall(self, prm: pj.OnIncomingCallParam) -> None:
        call = _Call(self.bank, self, prm.callId)
        self.bank._calls[(self.key, prm.callId)] = call
        facts = parse_invite(str(prm.rdata.wholeMsg))
        self.bank._ringing.append(call)  # 180 on the next loop turn, never in the callback
        self.bank._emit(
            PhoneEvent(
                self.key,
                "incoming",
                call=prm.callId,
                sip_call_id=facts.sip_call_id,
                remote_number=facts.remote_number,
                headers=MappingProxyType(dict(facts.headers)),
            )
        )


class PhoneBank:
    """See the module docstring. ``start()``, then ``stop()`` (also on errors)."""

    def __init__(
        self,
        config: EngineConfig,
        on_event: Callable[[PhoneEvent], None],
        *,
        max_calls: int = 32,
    ) -> None:
        self._config = config
        self._on_event = on_event
        self._max_calls = max_calls
        self._work: queue.Queue[tuple[Callable[[], Any], concurrent.futures.Future[Any]]] = (
            queue.Queue()
        )
        self._stopping = threading.Event()
        self._ready: concurrent.futures.Future[None] = concurrent.futures.Future()
        self._thread = threading.Thread(target=self._run, name="phone-bank", daemon=True)
        self._ep: Any = None
        self._writer: PythonLogWriter | None = None
        self._transport_id = -1
        self._accounts: dict[str, _Account] = {}
        self._calls: dict[tuple[str, int], _Call] = {}
        self._ringing: list[_Call] = []
        self._ended: list[_Call] = []

    # -- other threads -----------------------------------------------------------------

    def start(self, timeout_s: float = 10.0) -> None:
        """Create the Endpoint on the bank's thread; raises what libInit raised."""
        self._thread.start()
        self._ready.result(timeout_s)

    def add_account(self, key: str, account: SipAccountConfig, timeout_s: float = 10.0) -> None:
        """Register `account` under `key` (its events carry that key)."""
        self._call(lambda: self._add(key, account), timeout_s)

    def answer(self, key: str, call: int, code: int = 200) -> bool:
        """Answer (or, with a 4xx-6xx `code`, refuse) a ringing call; False if it is gone."""
        return bool(self._call(lambda: self._op(key, call, "answer", code)))

    def hangup(self, key: str, call: int) -> bool:
        """Hang up a call; False if it had already ended."""
        return bool(self._call(lambda: self._op(key, call, "hangup", 0)))

    def quality(self, key: str, call: int) -> CallQuality | None:
        """The call's RTCP figures now, or None (no live stream)."""
        result: CallQuality | None = self._call(lambda: self._quality(key, call))
        return result

    def stop(self, timeout_s: float = 8.0) -> None:
        """Hang up, unregister, destroy the Endpoint; waits for the bank's thread."""
        self._stopping.set()
        if self._thread.is_alive():
            self._thread.join(timeout_s)

    def _call(self, fn: Callable[[], Any], timeout_s: float = 10.0) -> Any:
        if self._stopping.is_set() or not self._thread.is_alive():
            raise RuntimeError("the phone bank is stopped")
        future: concurrent.futures.Future[Any] = concurrent.futures.Future()
        self._work.put((fn, future))
        return future.result(timeout_s)

    # -- the bank's thread -------------------------------------------------------------

    def _emit(self, event: PhoneEvent) -> None:
        try:
            self._on_event(event)
        except Exception:  # a raise into pjsua2's callback would abort the process
            log.exception("phone bank listener failed on %s", event.kind)

    def _call_ended(self, call: _Call, code: int, reason: str) -> None:
        """Tell once that `call` ended; its object is dropped on a later loop turn."""
        if call.ended:
            return
        call.ended = True
        self._ended.append(call)
        self._emit(PhoneEvent(call.key, "ended", call=call.call_id, code=code, reason=reason))

    def _sweep(self) -> None:
        """A call pjsua no longer has, whose DISCONNECTED we never heard, has ended."""
        for call in list(self._calls.values()):
            if not call.ended and not call.isActive():
                self._call_ended(call, 0, "gone")

    def _run(self) -> None:
        if not _PROCESS_ENDPOINT.acquire(blocking=False):
            self._ready.set_exception(RuntimeError("this process already has a SIP Endpoint"))
            return
        try:
            try:
                self._create()
            except Exception as exc:
                self._ready.set_exception(exc)
                return
            self._ready.set_result(None)
            next_sweep = time.monotonic() + 1.0
            while not self._stopping.is_set():
                self._ep.libHandleEvents(LOOP_POLL_MS)
                self._turn()
                if time.monotonic() >= next_sweep:
                    next_sweep = time.monotonic() + 1.0
                    self._sweep()
            self._destroy()
        finally:
            _PROCESS_ENDPOINT.release()

    def _create(self) -> None:
        quiet_pjlib_until_configured()
        self._ep = pj.Endpoint()
        self._ep.libCreate()
        # libDestroy() deletes the writer's C++ side: C++ owns it, we keep the Python side
        self._writer = PythonLogWriter()
        self._writer.__disown__()
        self._ep.libInit(endpoint_config(self._config, self._writer, self._max_calls))
        self._ep.audDevManager().setNullDev()
        placeholder = SipAccountConfig(
            registrar_host="127.0.0.1", registrar_port=5060, domain="x", username="x", password=""
        )
        self._transport_id = self._ep.transportCreate(
            pj.PJSIP_TRANSPORT_UDP, transport_config(self._config, placeholder)
        )
        self._ep.libStart()
        set_codec_priorities(self._ep, self._config.codecs)

    def _turn(self) -> None:
        for _ in range(32):
            try:
                fn, future = self._work.get_nowait()
            except queue.Empty:
                break
            try:
                future.set_result(fn())
            except Exception as exc:
                future.set_exception(exc)
        while self._ringing:
            call = self._ringing.pop()
            if not call.ended:
                with contextlib.suppress(pj.Error):
                    prm = pj.CallOpParam(True)
                    prm.statusCode = 180
                    call.answer(prm)
        while self._ended:
            call = self._ended.pop()
            call.media.clear()
            # our last reference, out of the callback: pjsua2 frees the Call now, before
            # pjsua can give its slot to a new call (a later destructor would clear the
            # new call's link to its object)
            if self._calls.get((call.key, call.call_id)) is call:
                del self._calls[(call.key, call.call_id)]

    def _add(self, key: str, account: SipAccountConfig) -> None:
        if key in self._accounts:
            raise ValueError(f"account {key!r} is already in the bank")
        if len(self._accounts) >= MAX_ACCOUNTS:
            raise ValueError(f"a phone bank holds at most {MAX_ACCOUNTS} accounts (pjsua)")
        acc = _Account(self, key)
        acc.create(account_config(self._config, account, self._transport_id))
        self._accounts[key] = acc

    def _op(self, key: str, call_id: int, verb: str, code: int) -> bool:
        call = self._calls.get((key, call_id))
        if call is None or call.ended:
            return False
        prm = pj.CallOpParam(True)
        if code:
            prm.statusCode = code
        try:
            call.answer(prm) if verb == "answer" else call.hangup(prm)
        except pj.Error as exc:
            log.info("phone bank: %s of call %s failed: %s", verb, call_id, exc.info())
            return False
        return True

    def _quality(self, key: str, call_id: int) -> CallQuality | None:
        call = self._calls.get((key, call_id))
        if call is None or call.ended or not call.isActive():
            return None
        return measure_quality(call)

    def _destroy(self) -> None:
        """Hang up, unregister, drop every pjsua2 object, then the library. No loop
        variable may hold a Call or an Account past libDestroy: their destructors would
        assert."""
        with contextlib.suppress(pj.Error):
            self._ep.hangupAllCalls()
        end = time.monotonic() + 1.5
        while time.monotonic() < end and any(not c.ended for c in self._calls.values()):
            self._ep.libHandleEvents(LOOP_POLL_MS)
        self._drop_calls()
        unregister(self._ep, [(a, a.is_registered) for a in self._accounts.values()], end + 1.5)
        self._drop_accounts()
        with contextlib.suppress(pj.Error):
            destroy(self._ep)
        self._ep = None
        self._writer = None  # its C++ side went with libDestroy()

    def _drop_calls(self) -> None:
        for call in self._calls.values():
            call.media.clear()
        self._calls.clear()
        self._ringing.clear()
        self._ended.clear()

    def _drop_accounts(self) -> None:
        for acc in self._accounts.values():
            with contextlib.suppress(pj.Error):
                acc.shutdown()
        self._accounts.clear()
