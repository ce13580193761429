"""Does pjsua2's echo canceller act on our bridge? Echo return loss, with and without it.

    .venv/bin/python benchmarks/echo_bridge.py [--seconds 6]

The agent's audio goes through `PjAudioBridge`, a conference port on pjsua2's *null* sound
device. This benchmark builds that set-up with no SIP: a far end (an `AudioMediaPlayer`
playing French-like speech bursts: a tone pattern) is connected to the bridge port; the
"room" takes what the bridge hands to the headset (the downlink) and writes it back into
the microphone (the uplink) 40 ms later at half level, as a loudspeaker heard by the
microphone would; what pjsua2 would send to the far end is recorded
(`AudioMediaRecorder`). Echo return loss enhancement (ERLE) = power of the echo put into
the microphone / power of what reaches the far end, after the first second (any
canceller's convergence). A second run plays no far end and only the agent's voice into
the microphone: a canceller must let that through. Run with
`EpConfig.medConfig.ecTailLen` = 0 (no canceller) and 200 ms with each `ecOptions`.
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
import time
import wave
from array import array
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pjsua2 as pj

from homeagent.sip.audio import dsp
from homeagent.sip.audio.bridge import PjAudioBridge
from homeagent.sip.audio.ringbuffer import DriftBuffer

RATE = 16000
ECHO_DELAY_S = 0.04
ECHO_GAIN = 0.5


def far_end_wav(path: Path) -> None:
    """Bursts of two tones with pauses, like speech's on/off (the canceller needs pauses)."""
    parts = []
    for i in range(8):
        parts.append(dsp.tone((300 + 50 * i, 900 + 70 * i), 0.35, amplitude=0.4))
        parts.append(dsp.silence(0.15))
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(b"".join(parts))


def power(pcm: bytes) -> float:
    a = array("h", pcm[: len(pcm) - len(pcm) % 2])
    return sum(v * v for v in a) / max(1, len(a)) or 1e-9


def run(
    tail_ms: int, options: int, seconds: float, folder: Path, *, near: bool = False
) -> tuple[float, int]:
    """(loss in dB from the microphone to the far end, the EC tail pjsua2 reports).

    `near`: no far end; the microphone hears only the agent (a 1.1 kHz tone pattern),
    which a canceller must let through (a canceller that mutes everything "cancels" too).
    """
    ep = pj.Endpoint()
    ep.libCreate()
    cfg = pj.EpConfig()
    cfg.uaConfig.threadCnt = 0
    cfg.uaConfig.mainThreadOnly = True
    cfg.logConfig.level = 0
    cfg.logConfig.consoleLevel = 0
    cfg.medConfig.clockRate = RATE
    cfg.medConfig.sndClockRate = RATE
    cfg.medConfig.ecTailLen = tail_ms
    cfg.medConfig.ecOptions = options
    ep.libInit(cfg)
    ep.libStart()
    adm = ep.audDevManager()
    adm.setNullDev()
    if tail_ms:
        adm.setEcOptions(tail_ms, options)
    up, down = DriftBuffer(rate_hz=RATE), DriftBuffer(rate_hz=RATE)
    bridge = PjAudioBridge(up, down)
    bridge.open()
    wav = folder / "far.wav"
    far_end_wav(wav)
    out = folder / f"sent-{tail_ms}-{options}.wav"
    player = pj.AudioMediaPlayer()
    player.createPlayer(str(wav))
    recorder = pj.AudioMediaRecorder()
    recorder.createRecorder(str(out))
    if not near:
        player.startTransmit(bridge.port)
    bridge.port.startTransmit(recorder)
    voice = dsp.tone(1100.0, 0.3, amplitude=0.3) + dsp.silence(0.3)
    echo_in = bytearray()
    delay = bytes(2 * int(ECHO_DELAY_S * RATE))
    room = bytearray(delay)
    start = time.monotonic()
    done = 0
    while (now := time.monotonic() - start) < seconds:
        ep.libHandleEvents(5)
        due = int(now * RATE)
        if due > done:
            heard = down.read(due - done)  # what the loudspeaker plays
            a = array("h", heard)
            room += array("h", (int(v * ECHO_GAIN) for v in a)).tobytes()
            mic = bytes(room[: len(heard)])
            del room[: len(heard)]
            if near:  # the agent's own voice, no echo: it must reach the far end intact
                pos = (2 * done) % len(voice)
                mic = (voice[pos:] + voice * 4)[: len(heard)]
            up.write(mic)  # the microphone hears the loudspeaker
            echo_in += mic
            done = due
    tail = adm.getEcTail()
    bridge.port.stopTransmit(recorder)
    if not near:
        player.stopTransmit(bridge.port)
    del player, recorder
    bridge.close()
    ep.libDestroy()
    with wave.open(str(out), "rb") as w:
        sent = w.readframes(w.getnframes())
    if "--debug" in sys.argv:
        print(
            f"  debug: mic {len(echo_in) / 2 / RATE:.2f} s p={power(bytes(echo_in)):.0f}, "
            f"sent {len(sent) / 2 / RATE:.2f} s p={power(sent):.0f}, up {up.stats()}"
        )
    # whole signals but the first second (a canceller's convergence): halves or short
    # windows would compare different parts of the on/off pattern (the two sides are
    # tens of ms apart)
    skip = 2 * RATE
    return 10 * math.log10(power(bytes(echo_in[skip:])) / power(sent[skip:])), tail


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=float, default=6.0)
    ap.add_argument("--debug", action="store_true")
    args = ap.parse_args()
    import os

    print(f"load: {os.getloadavg()}")
    algos = {
        "none (ecTailLen 0)": (0, 0),
        "default (speex)": (200, 0),
        "speex": (200, pj.PJMEDIA_ECHO_SPEEX),
        "webrtc": (200, pj.PJMEDIA_ECHO_WEBRTC),
    }
    with tempfile.TemporaryDirectory(prefix="ha-echo-") as tmp:
        for name, (tail, options) in algos.items():
            erle, got_tail = run(tail, options, args.seconds, Path(tmp))
            voice_loss, _ = run(tail, options, args.seconds, Path(tmp), near=True)
            print(
                f"{name:>20}: echo {erle:5.1f} dB quieter at the far end, the agent's own "
                f"voice {voice_loss:5.1f} dB (getEcTail() = {got_tail} ms)"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
