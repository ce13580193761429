"""A minimal pjsua2 far end for the real-audio tests, run as a subprocess.

It registers through Kamailio, calls the agent, plays a WAV into the call and records
what it hears to a WAV, then hangs up after `--talk-s` seconds of connected audio.
Progress lines on stdout: ``REGISTERED``, ``CONFIRMED``, ``MEDIA``, ``DISCONNECTED <code>``.

(The engine's scriptable peer, ``homeagent.sip.peer``, can replace this once it exists;
this one keeps the audio tests independent of it.)
"""

from __future__ import annotations

import argparse
import sys
import time

import pjsua2 as pj


def say(line: str) -> None:
    print(line, flush=True)


class FarCall(pj.Call):  # type: ignore[misc]
    def __init__(self, acc: pj.Account, play: str | None, record: str | None) -> None:
        super().__init__(acc)
        self.play_path = play
        self.record_path = record
        self.player: pj.AudioMediaPlayer | None = None
        self.recorder: pj.AudioMediaRecorder | None = None
        self.confirmed_at: float | None = None
        self.ended_code: int | None = None

    def onCallState(self, prm: object) -> None:
        info = self.getInfo()
        if info.state == pj.PJSIP_INV_STATE_CONFIRMED and self.confirmed_at is None:
            self.confirmed_at = time.monotonic()
            say("CONFIRMED")
        elif info.state == pj.PJSIP_INV_STATE_DISCONNECTED:
            self.ended_code = info.lastStatusCode
            say(f"DISCONNECTED {info.lastStatusCode}")

    def onCallMediaState(self, prm: object) -> None:
        info = self.getInfo()
        for m in info.media:
            if m.type == pj.PJMEDIA_TYPE_AUDIO and m.status == pj.PJSUA_CALL_MEDIA_ACTIVE:
                aud = self.getAudioMedia(m.index)
                if self.play_path and self.player is None:
                    self.player = pj.AudioMediaPlayer()
                    self.player.createPlayer(self.play_path, 0)  # loop
                    self.player.startTransmit(aud)
                if self.record_path and self.recorder is None:
                    self.recorder = pj.AudioMediaRecorder()
                    self.recorder.createRecorder(self.record_path)
                    aud.startTransmit(self.recorder)
                say("MEDIA")


class FarAccount(pj.Account):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__()
        self.registered = False

    def onRegState(self, prm: object) -> None:
        info = self.getInfo()
        if info.regIsActive and not self.registered:
            self.registered = True
            say("REGISTERED")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--proxy", required=True, help="host:port of Kamailio (UDP)")
    ap.add_argument("--domain", required=True)
    ap.add_argument("--user", required=True)
    ap.add_argument("--password", required=True)
    ap.add_argument("--call", required=True, help="user to call")
    ap.add_argument("--play")
    ap.add_argument("--record")
    ap.add_argument("--talk-s", type=float, default=5.0)
    ap.add_argument("--timeout-s", type=float, default=60.0)
    args = ap.parse_args(argv)

    ep = pj.Endpoint()
    ep.libCreate()
    cfg = pj.EpConfig()
    cfg.uaConfig.threadCnt = 0
    cfg.uaConfig.mainThreadOnly = True
    cfg.logConfig.level = 1
    cfg.logConfig.consoleLevel = 1
    cfg.medConfig.clockRate = 16000
    cfg.medConfig.sndClockRate = 16000
    cfg.medConfig.channelCount = 1
    ep.libInit(cfg)
    tcfg = pj.TransportConfig()
    tcfg.boundAddress = "127.0.0.1"
    ep.transportCreate(pj.PJSIP_TRANSPORT_UDP, tcfg)
    ep.libStart()
    ep.audDevManager().setNullDev()
    for codec in ep.codecEnum2():
        prio = 255 if codec.codecId.startswith("G722") else 0
        ep.codecSetPriority(codec.codecId, prio)

    acfg = pj.AccountConfig()
    acfg.idUri = f"sip:{args.user}@{args.domain}"
    acfg.regConfig.registrarUri = f"sip:{args.proxy}"
    acfg.sipConfig.proxies.append(f"sip:{args.proxy};lr")
    acfg.sipConfig.authCreds.append(pj.AuthCredInfo("digest", "*", args.user, 0, args.password))
    acc = FarAccount()
    acc.create(acfg)

    call: FarCall | None = None
    deadline = time.monotonic() + args.timeout_s
    code = 1
    try:
        while time.monotonic() < deadline:
            ep.libHandleEvents(10)
            if call is None and acc.registered:
                call = FarCall(acc, args.play, args.record)
                call.makeCall(f"sip:{args.call}@{args.domain}", pj.CallOpParam(True))
            if call is None:
                continue
            if call.ended_code is not None:
                code = 0 if call.confirmed_at is not None else 2
                break
            if call.confirmed_at and time.monotonic() - call.confirmed_at >= args.talk_s:
                say("HANGUP")
                call.hangup(pj.CallOpParam(True))
                call.confirmed_at = float("inf")  # once
        else:
            say("TIMEOUT")
        end = time.monotonic() + 2
        while time.monotonic() < end and call is not None and call.ended_code is None:
            ep.libHandleEvents(10)
    finally:
        if call is not None:
            call.recorder = None
            call.player = None
        call = None
        acc.shutdown()
        del acc
        ep.libDestroy()
    return code


if __name__ == "__main__":
    sys.exit(main())
