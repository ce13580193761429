"""A scriptable pjsua2 SIP peer for demos and tests (one Endpoint per process).

Run it as a subprocess; it prints one JSON object per line on stdout (pjsip's own log
goes to stderr) and accepts commands on stdin.

Usage::

    python -m homeagent.sip.peer [options]

Identity and transport:
  --bind IP                 local address (default 127.0.0.1)
  --port N                  local SIP port (default 0: any free port)
  --transport udp|tcp       (default udp)
  --registrar HOST:PORT     register as --user@--domain through this proxy
  --user NAME               user part of our address (default "peer")
  --domain NAME             SIP domain (default: the --bind address)
  --password-file PATH      take the digest password from a file (mode 0600 or stricter)
  --password-env VAR        else from environment variable VAR
                            (default HOMEAGENT_PEER_PASSWORD; never on the command line)
  --srtp disabled|optional|mandatory   SDES-SRTP use (default disabled)
  --codec NAME              enable only this codec (repeatable: G722, PCMA, PCMU)
  --rtp-port N              first local RTP port (default 0: any free port)
  --public-address IP       the address our SDP offers for media (e.g. a relay's)
  --jb INIT,MINPRE,MAXPRE,MAX   jitter buffer (ms; -1 keeps pjsua2's default)
  --jb-discard none|static|progressive   its discard algorithm (default progressive)

Behaviour:
  --call URI                place a call once started (and registered, if --registrar)
  --header "Name: value"    extra header on the outgoing INVITE (repeatable)
  --answer                  answer incoming calls (after --answer-after S, default 0)
  --reject CODE             answer incoming calls with this final code instead
  --play WAV                play this WAV into every connected call (looped)
  --tone HZ                 play a sine tone into every connected call
  --record WAV              record what the far end sends in the first connected call
  --dtmf DIGITS             send DTMF after --dtmf-after S (default 1) once connected
  --dtmf-method rfc4733|info   (default rfc4733)
  --hangup-after S          hang up S seconds after the call is connected
  --exit-after S            exit after S seconds whatever happens (default 60)
  --exit-on-end             exit when the last call has ended

stdin commands (one per line): ``answer``, ``hangup``, ``hold``, ``unhold``,
``dtmf DIGITS``, ``call URI``, ``xfer URI``, ``quit`` (they act on the newest call).

Events (``{"event": ...}``): started {port}, registered {code, reason}, incoming {call,
from, number, display, headers, source, crypto}, state {call, state, code, reason},
media {call, status}, dtmf {call, digit, method}, transfer_request {call, to},
transfer_status {call, code, final}, replaced {call, new_call}, ended {call, code, reason,
duration_s}, error {message}, exiting {}.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import pjsua2 as pj

from homeagent.sip.endpoint import JB_DISCARD, set_jb_discard
from homeagent.sip.headers import parse_invite
from homeagent.sip.teardown import destroy, unregister

_STATES = {
    pj.PJSIP_INV_STATE_CALLING: "calling",
    pj.PJSIP_INV_STATE_INCOMING: "incoming",
    pj.PJSIP_INV_STATE_EARLY: "early",
    pj.PJSIP_INV_STATE_CONNECTING: "connecting",
    pj.PJSIP_INV_STATE_CONFIRMED: "confirmed",
    pj.PJSIP_INV_STATE_DISCONNECTED: "disconnected",
}
_SRTP = {
    "disabled": pj.PJMEDIA_SRTP_DISABLED,
    "optional": pj.PJMEDIA_SRTP_OPTIONAL,
    "mandatory": pj.PJMEDIA_SRTP_MANDATORY,
}


class Printer:
    """Writes one JSON line per event to the real stdout (pjsip's console is stderr)."""

    def __init__(self, out: TextIO) -> None:
        self._out = out

    def __call__(self, event: str, **fields: Any) -> None:
        self._out.write(json.dumps({"event": event, "t": round(time.time(), 3), **fields}) + "\n")
        self._out.flush()


@dataclass
class CallState:
    connected_at: float | None = None
    ring_at: float | None = None
    answer_at: float | None = None
    hangup_at: float | None = None
    dtmf_at: float | None = None
    ended: bool = False
    media: list[Any] = field(default_factory=list)  # players/recorders/tones of this call
    active: bool = False  # the call's audio is active (not held)


class PeerCall(pj.Call):  # type: ignore[misc]
    def __init__(self, peer: Peer, account: pj.Account, call_id: int = pj.PJSUA_INVALID_ID):
        super().__init__(account, call_id)
        self.peer = peer
        self.st = CallState()

    def onCallState(self, prm: pj.OnCallStateParam) -> None:
        self.peer.on_state(self)

    def onCallMediaState(self, prm: pj.OnCallMediaStateParam) -> None:
        self.peer.on_media(self)

    def onDtmfDigit(self, prm: pj.OnDtmfDigitParam) -> None:
        method = "info" if prm.method == pj.PJSUA_DTMF_METHOD_SIP_INFO else "rfc4733"
        self.peer.emit("dtmf", call=self.getId(), digit=str(prm.digit), method=method)

    def onCallTransferRequest(self, prm: pj.OnCallTransferRequestParam) -> None:
        self.peer.emit("transfer_request", call=self.getId(), to=str(prm.dstUri))
        new_call = PeerCall(self.peer, self.peer.account)
        self.peer.calls.append(new_call)
        prm.newCall = new_call

    def onCallTransferStatus(self, prm: pj.OnCallTransferStatusParam) -> None:
        self.peer.emit(
            "transfer_status", call=self.getId(), code=prm.statusCode, final=prm.finalNotify
        )

    def onCallReplaced(self, prm: pj.OnCallReplacedParam) -> None:
        new_call = PeerCall(self.peer, self.peer.account, prm.newCallId)
        self.peer.calls.append(new_call)
        prm.newCall = new_call
        self.peer.emit("replaced", call=self.getId(), new_call=prm.newCallId)


class PeerAccount(pj.Account):  # type: ignore[misc]
    def __init__(self, peer: Peer) -> None:
        super().__init__()
        self.peer = peer

    def onRegState(self, prm: pj.OnRegStateParam) -> None:
        self.peer.emit("registered", code=prm.code, reason=str(prm.reason))
        self.peer.registered = 200 <= prm.code < 300 and prm.expiration > 0

    def onIncomingCall(self, prm: pj.OnIncomingCallParam) -> None:
        call = PeerCall(self.peer, self, prm.callId)
        self.peer.calls.append(call)
        whole = str(prm.rdata.wholeMsg)
        facts = parse_invite(whole)
        self.peer.emit(
            "incoming",
            call=prm.callId,
            **{"from": facts.remote_uri},
            number=facts.remote_number,
            display=facts.display_name,
            headers=dict(facts.headers),
            source=str(prm.rdata.srcAddress),
            crypto="a=crypto:" in whole,  # the offer carries SDES-SRTP keys
        )
        # Ring, then answer, on later loop turns: never inside this callback (DESIGN.md).
        now = time.monotonic()
        call.st.ring_at = now
        call.st.answer_at = now + (self.peer.args.answer_after or 0.0)


class Peer:
    """The whole peer: endpoint, one account, its calls; driven by `run`."""

    def __init__(self, args: argparse.Namespace, emit: Printer) -> None:
        self.args = args
        self.emit = emit
        self.calls: list[PeerCall] = []
        self.registered = False
        self.commands: queue.Queue[str] = queue.Queue()
        self.ep: Any = pj.Endpoint()
        self.account: PeerAccount | None = None
        self.port = 0

    def start(self) -> None:
        args = self.args
        self.ep.libCreate()
        cfg = pj.EpConfig()
        cfg.uaConfig.threadCnt = 0
        cfg.uaConfig.mainThreadOnly = True
        cfg.uaConfig.maxCalls = 8
        cfg.uaConfig.userAgent = "HomeAgent-Peer"
        cfg.logConfig.level = 2
        cfg.logConfig.consoleLevel = 2
        cfg.logConfig.msgLogging = 0
        cfg.medConfig.threadCnt = 0
        cfg.medConfig.noVad = True
        cfg.medConfig.ecTailLen = 0
        cfg.medConfig.clockRate = 16000
        cfg.medConfig.sndClockRate = 16000
        if args.jb:
            jb = [int(v) for v in args.jb.split(",")]
            if len(jb) != 4:
                raise SystemExit("--jb wants INIT,MINPRE,MAXPRE,MAX")
            m = cfg.medConfig
            m.jbInit, m.jbMinPre, m.jbMaxPre, m.jbMax = jb
        if args.jb_discard:
            med = cfg.medConfig
            set_jb_discard(med, args.jb_discard)
            cfg.medConfig = med
        self.ep.libInit(cfg)
        self.ep.audDevManager().setNullDev()
        tcfg = pj.TransportConfig()
        tcfg.port = args.port
        tcfg.boundAddress = args.bind
        ttype = pj.PJSIP_TRANSPORT_TCP if args.transport == "tcp" else pj.PJSIP_TRANSPORT_UDP
        tid = self.ep.transportCreate(ttype, tcfg)
        self.port = int(self.ep.transportGetInfo(tid).localName.rsplit(":", 1)[1])
        self.ep.libStart()
        if args.codec:
            wanted = [c.lower() for c in args.codec]
            for info in self.ep.codecEnum2():
                name = str(info.codecId).split("/", 1)[0].lower()
                self.ep.codecSetPriority(info.codecId, 200 if name in wanted else 0)
        acfg = pj.AccountConfig()
        domain = args.domain or args.bind
        acfg.idUri = f"sip:{args.user}@{domain}"
        acfg.sipConfig.transportId = tid
        acfg.natConfig.iceEnabled = False
        acfg.mediaConfig.srtpUse = _SRTP[args.srtp]
        acfg.mediaConfig.srtpSecureSignaling = 0
        acfg.mediaConfig.transportConfig.boundAddress = args.bind
        acfg.mediaConfig.transportConfig.port = args.rtp_port
        if args.public_address:
            acfg.mediaConfig.transportConfig.publicAddress = args.public_address
        if args.registrar:
            uri = f"sip:{args.registrar};transport={args.transport}"
            acfg.regConfig.registrarUri = uri
            acfg.regConfig.timeoutSec = 300
            acfg.regConfig.firstRetryIntervalSec = 2
            proxies = pj.StringVector()
            proxies.append(uri + ";lr")
            acfg.sipConfig.proxies = proxies
            password = peer_password(args.password_file, args.password_env)
            creds = pj.AuthCredInfoVector()
            auth_user = args.auth_user or args.user
            creds.append(pj.AuthCredInfo("digest", "*", auth_user, 0, password))
            acfg.sipConfig.authCreds = creds
        self.account = PeerAccount(self)
        self.account.create(acfg)
        self.emit("started", port=self.port)

    # ------------------------------------------------------------------ callbacks
    def on_state(self, call: PeerCall) -> None:
        info = call.getInfo()
        state = _STATES.get(info.state, str(info.state))
        self.emit(
            "state",
            call=info.id,
            state=state,
            code=info.lastStatusCode,
            reason=str(info.lastReason),
        )
        now = time.monotonic()
        if info.state == pj.PJSIP_INV_STATE_CONFIRMED and call.st.connected_at is None:
            call.st.connected_at = now
            if self.args.hangup_after is not None:
                call.st.hangup_at = now + self.args.hangup_after
            if self.args.dtmf:
                call.st.dtmf_at = now + self.args.dtmf_after
        elif info.state == pj.PJSIP_INV_STATE_DISCONNECTED:
            call.st.ended = True
            call.st.ring_at = call.st.answer_at = call.st.hangup_at = call.st.dtmf_at = None
            duration = 0.0 if call.st.connected_at is None else now - call.st.connected_at
            self.emit(
                "ended",
                call=info.id,
                code=info.lastStatusCode,
                reason=str(info.lastReason),
                duration_s=round(duration, 3),
            )

    def on_media(self, call: PeerCall) -> None:
        info = call.getInfo()
        for media in info.media:
            if media.type != pj.PJMEDIA_TYPE_AUDIO:
                continue
            self.emit("media", call=info.id, status=int(media.status))
            active = media.status == pj.PJSUA_CALL_MEDIA_ACTIVE
            if active and not call.st.media:
                self._connect_audio(call, call.getAudioMedia(media.index))
            elif active and not call.st.active:
                # back from a hold: pjsua may have replaced the stream and its connections
                self._reconnect_audio(call, call.getAudioMedia(media.index))
            call.st.active = active
            break

    def _connect_audio(self, call: PeerCall, audio: pj.AudioMedia) -> None:
        args = self.args
        adm = self.ep.audDevManager()
        audio.startTransmit(adm.getPlaybackDevMedia())
        call.st.media.append(audio)
        if args.play:
            player = pj.AudioMediaPlayer()
            player.createPlayer(args.play, 0)
            player.startTransmit(audio)
            call.st.media.append(player)
        elif args.tone:
            tone = pj.ToneGenerator()
            tone.createToneGenerator(16000, 1)
            desc = pj.ToneDesc()
            desc.freq1 = int(args.tone)
            desc.freq2 = 0
            desc.on_msec = 30000
            desc.off_msec = 0
            desc.volume = 0
            tones = pj.ToneDescVector()
            tones.append(desc)
            tone.play(tones, True)
            tone.startTransmit(audio)
            call.st.media.append(tone)
        if args.record and not any(c.st.connected_at and c is not call for c in self.calls):
            recorder = pj.AudioMediaRecorder()
            recorder.createRecorder(args.record)
            audio.startTransmit(recorder)
            call.st.media.append(recorder)

    def _reconnect_audio(self, call: PeerCall, audio: pj.AudioMedia) -> None:
        audio.startTransmit(self.ep.audDevManager().getPlaybackDevMedia())
        for item in call.st.media[1:]:
            if isinstance(item, pj.AudioMediaRecorder):
                audio.startTransmit(item)
            else:
                item.startTransmit(audio)
        call.st.media[0] = audio

    # ------------------------------------------------------------------ the loop
    def run(self) -> int:
        args = self.args
        deadline = time.monotonic() + args.exit_after
        dialled = False
        while time.monotonic() < deadline:
            self.ep.libHandleEvents(10)
            if args.call and not dialled and (self.registered or not args.registrar):
                dialled = True
                self.dial(args.call)
            if not self._commands():
                break
            self._timers(time.monotonic())
            if args.exit_on_end and self.calls and all(c.st.ended for c in self.calls):
                break
        return 0

    def dial(self, uri: str) -> None:
        assert self.account is not None
        call = PeerCall(self, self.account)
        prm = pj.CallOpParam(True)
        for item in self.args.header or []:
            name, _, value = item.partition(":")
            header = pj.SipHeader()
            header.hName = name.strip()
            header.hValue = value.strip()
            prm.txOption.headers.append(header)
        self.calls.append(call)
        call.makeCall(uri, prm)

    def _timers(self, now: float) -> None:
        for call in list(self.calls):
            st = call.st
            if st.ring_at is not None:
                st.ring_at = None
                if self.args.reject:
                    st.answer_at = None
                    self._op(call.hangup, self.args.reject)
                    continue
                self._op(call.answer, 180)
            if st.answer_at is not None and now >= st.answer_at:
                st.answer_at = None
                if self.args.answer:
                    self._op(call.answer, 200)
            if st.dtmf_at is not None and now >= st.dtmf_at:
                st.dtmf_at = None
                self._dtmf(call, self.args.dtmf)
            if st.hangup_at is not None and now >= st.hangup_at:
                st.hangup_at = None
                self._op(call.hangup, 0)

    def _op(self, method: Any, code: int) -> None:
        prm = pj.CallOpParam(True)
        if code:
            prm.statusCode = code
        try:
            method(prm)
        except pj.Error as exc:
            self.emit("error", message=str(exc.info()))

    def _dtmf(self, call: PeerCall, digits: str) -> None:
        prm = pj.CallSendDtmfParam()
        prm.digits = digits
        prm.method = (
            pj.PJSUA_DTMF_METHOD_SIP_INFO
            if self.args.dtmf_method == "info"
            else pj.PJSUA_DTMF_METHOD_RFC2833
        )
        try:
            call.sendDtmf(prm)
        except pj.Error as exc:
            self.emit("error", message=str(exc.info()))

    def _commands(self) -> bool:
        """Run stdin commands; False when asked to quit."""
        while True:
            try:
                line = self.commands.get_nowait().strip()
            except queue.Empty:
                return True
            verb, _, rest = line.partition(" ")
            live = [c for c in self.calls if not c.st.ended]
            call = live[-1] if live else None
            if verb == "quit":
                return False
            if verb == "call":
                self.dial(rest.strip())
            elif call is None:
                self.emit("error", message=f"no call for {verb!r}")
            elif verb == "answer":
                self._op(call.answer, 200)
            elif verb == "hangup":
                self._op(call.hangup, 0)
            elif verb == "hold":
                self._op(call.setHold, 0)
            elif verb == "unhold":
                prm = pj.CallOpParam(True)
                prm.opt.flag = pj.PJSUA_CALL_UNHOLD
                call.reinvite(prm)
            elif verb == "dtmf":
                self._dtmf(call, rest.strip())
            elif verb == "xfer":
                call.xfer(rest.strip(), pj.CallOpParam(True))
            else:
                self.emit("error", message=f"unknown command {verb!r}")

    def close(self) -> None:
        """Hang up, then drop every pjsua2 object before libDestroy (no loop variable may
        keep a Call alive past it: its destructor would assert)."""
        try:
            self.ep.hangupAllCalls()
            end = time.monotonic() + 1.5
            while time.monotonic() < end and not all(c.st.ended for c in self.calls):
                self.ep.libHandleEvents(10)
        except pj.Error:
            pass
        while self.calls:
            self.calls.pop().st.media.clear()
        if self.account is not None:
            unregister(self.ep, [(self.account, lambda: self.registered)], time.monotonic() + 2)
            self.account.shutdown()
            self.account = None
        destroy(self.ep)
        self.ep = None


def peer_password(file: Path | None, env_var: str) -> str:
    """The digest password: from `file` (readable by its owner only, one line), else from
    the environment variable `env_var` (tests), else ""."""
    if file is None:
        return os.environ.get(env_var, "")
    if file.stat().st_mode & 0o077:
        raise SystemExit(f"peer: {file} must be readable by its owner only (chmod 600)")
    return file.read_text(encoding="utf-8").strip()


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m homeagent.sip.peer", description=__doc__)
    p.add_argument("--bind", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--transport", choices=("udp", "tcp"), default="udp")
    p.add_argument("--registrar")
    p.add_argument("--user", default="peer")
    p.add_argument("--auth-user", help="digest user name, when not --user (a device's own)")
    p.add_argument("--domain")
    p.add_argument("--password-file", type=Path)
    p.add_argument("--password-env", default="HOMEAGENT_PEER_PASSWORD")
    p.add_argument("--srtp", choices=tuple(_SRTP), default="disabled")
    p.add_argument("--codec", action="append")
    p.add_argument("--rtp-port", type=int, default=0)
    p.add_argument("--public-address")
    p.add_argument("--jb")
    p.add_argument("--jb-discard", choices=tuple(JB_DISCARD))
    p.add_argument("--call")
    p.add_argument("--header", action="append")
    p.add_argument("--answer", action="store_true")
    p.add_argument("--answer-after", type=float, default=0.0)
    p.add_argument("--reject", type=int)
    p.add_argument("--play")
    p.add_argument("--tone", type=float)
    p.add_argument("--record")
    p.add_argument("--dtmf")
    p.add_argument("--dtmf-after", type=float, default=1.0)
    p.add_argument("--dtmf-method", choices=("rfc4733", "info"), default="rfc4733")
    p.add_argument("--hangup-after", type=float)
    p.add_argument("--exit-after", type=float, default=60.0)
    p.add_argument("--exit-on-end", action="store_true")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    # pjsip prints to fd 1; keep the real stdout for our JSON lines only.
    json_out = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)
    emit = Printer(json_out)  # flushes every line
    peer = Peer(args, emit)

    def read_stdin() -> None:
        for line in sys.stdin:
            peer.commands.put(line)

    try:
        peer.start()
        if not sys.stdin.isatty():
            threading.Thread(target=read_stdin, name="stdin", daemon=True).start()
        code = peer.run()
    except pj.Error as exc:
        emit("error", message=str(exc.info()))
        code = 2
    finally:
        emit("exiting")
        peer.close()
    return code


if __name__ == "__main__":
    exit_code = main()
    # pjsua2 is gone; skip interpreter finalisation, which can block on the stdin
    # reader thread's buffer lock.
    sys.stderr.flush()
    os._exit(exit_code)
