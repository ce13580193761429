"""The scriptable peer itself: direct calls, WAV play/record, DTMF over SIP INFO, headers."""

from __future__ import annotations

import math
import struct
import wave
from pathlib import Path

import pytest

from tests.integration.sip.peers import Peers

pytestmark = pytest.mark.integration


def _write_tone(path: Path, hz: float, seconds: float, rate: int = 16000) -> None:
    frames = b"".join(
        struct.pack("<h", int(12000 * math.sin(2 * math.pi * hz * i / rate)))
        for i in range(int(seconds * rate))
    )
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(frames)


def _dominant_hz(path: Path) -> tuple[float, float]:
    """(frequency with the most energy among 100..4000 Hz in 10 Hz steps, RMS)."""
    with wave.open(str(path), "rb") as wav:
        rate = wav.getframerate()
        raw = wav.readframes(wav.getnframes())
    samples = struct.unpack(f"<{len(raw) // 2}h", raw)
    # skip the first half second (call set-up), look at one second
    chunk = samples[rate // 2 : rate // 2 + rate]
    rms = math.sqrt(sum(s * s for s in chunk) / max(len(chunk), 1))

    def power(freq: float) -> float:
        coeff = 2 * math.cos(2 * math.pi * freq / rate)
        s1 = s2 = 0.0
        for x in chunk:
            s1, s2 = x + coeff * s1 - s2, s1
        return s1 * s1 + s2 * s2 - coeff * s1 * s2

    best = max(range(100, 4000, 10), key=power)
    return float(best), rms


def test_peer_plays_a_wav_the_other_records_it_and_dtmf_info_arrives(
    tmp_path: Path, peers: Peers
) -> None:
    tone = tmp_path / "tone.wav"
    recording = tmp_path / "recorded.wav"
    _write_tone(tone, 700.0, 4.0)
    callee = peers.start("--answer", "--record", str(recording))
    caller = peers.start(
        "--call", f"sip:callee@127.0.0.1:{callee.port}",
        "--header", "X-Contact-Id: P-1",
        "--play", str(tone),
        "--dtmf", "3*", "--dtmf-after", "0.5", "--dtmf-method", "info",
        "--hangup-after", "2.5",
    )  # fmt: skip
    incoming = callee.wait_for("incoming")
    assert incoming["headers"]["X-Contact-Id"] == "P-1"
    ended = caller.wait_for("ended", timeout_s=20)
    assert ended["duration_s"] >= 2.0
    callee.wait_for("ended")
    digits = [(e["digit"], e["method"]) for e in callee.named("dtmf")]
    assert digits == [("3", "info"), ("*", "info")]
    callee.stop()  # the recorder is closed (WAV header written) at exit
    hz, rms = _dominant_hz(recording)
    assert rms > 500, "the recording is silent"
    assert abs(hz - 700.0) <= 20


def test_peer_rejects_with_the_code_asked(tmp_path: Path, peers: Peers) -> None:
    callee = peers.start("--reject", "603")
    caller = peers.start("--call", f"sip:callee@127.0.0.1:{callee.port}")
    assert caller.wait_for("ended")["code"] == 603
