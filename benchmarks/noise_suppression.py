"""Noise suppression on the agent's microphone: PESQ (wideband), SI-SNR, CPU and latency.

    .venv/bin/python benchmarks/noise_suppression.py [--candidates] [--json out.json]
    .venv/bin/python benchmarks/noise_suppression.py --speech recorded --levels 1,2,3

French speech (espeak-ng, or `--speech recorded`: a human voice, Asterisk's French prompts)
clean and mixed with home noises (tests/helpers/noise_mix.py: hum + pink noise, a babble of
espeak-ng voices, impulsive bangs) at 0, 5, 10 and 20 dB SNR, then passed
through the real capture stage (`homeagent.sip.audio.denoise.NoiseSuppressor`) in the
chunk sizes the microphone delivers (2048-byte 48 kHz blocks resampled: ~341 samples at
16 kHz, not a multiple of 10 ms), exactly as `service.py` feeds it during a call.

Reported per noise and SNR: PESQ WB (ITU-T P.862.2, `pesq` package) and SI-SNR of the
noisy input and of the output against the clean speech; the CPU per 10 ms frame (process
time over the whole run / audio time = share of one core); the added latency (the
stage's held-back samples, mean and max, plus the lag of its output measured by
cross-correlation on clean speech).

`--candidates` also runs the other packages compared when choosing (if installed in the
venv; they are not project dependencies): pyrnnoise (RNNoise, 48 kHz 10 ms frames: fed the
mixture upsampled by sox) and noisereduce (spectral gating, whole-file, not causal).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from homeagent.sip.audio.denoise import (
    FRAME_SAMPLES,
    NoiseSuppressor,
    webrtc_processor,
)
from tests.helpers import noise_mix

SNRS_DB = (0.0, 5.0, 10.0, 20.0)
CHUNK_SAMPLES = 2048 // 2 // 3  # one 2048-byte 48 kHz Qt block after resampling


def pesq_wb(clean: np.ndarray, degraded: np.ndarray) -> float:
    from pesq import pesq  # test extra

    n = min(len(clean), len(degraded))
    return float(pesq(noise_mix.RATE_HZ, clean[:n], degraded[:n], "wb"))


def through_stage(noisy: np.ndarray, level: int) -> tuple[np.ndarray, float, list[float]]:
    """The real stage in microphone-sized chunks: (output, process seconds, held ms)."""
    stage = NoiseSuppressor(factory=lambda: webrtc_processor(level))
    pcm = noise_mix.to_pcm(noisy)
    out = bytearray()
    held: list[float] = []
    t0 = time.process_time()
    step = 2 * CHUNK_SAMPLES
    for i in range(0, len(pcm), step):
        out += stage.process(pcm[i : i + step])
        held.append(stage.held_ms)
    cpu_s = time.process_time() - t0
    y = noise_mix.from_pcm(bytes(out))
    return np.concatenate([y, np.zeros(len(noisy) - len(y))]), cpu_s, held


def rnnoise(noisy: np.ndarray, folder: Path) -> tuple[np.ndarray, float]:
    from pyrnnoise import rnnoise as rn

    src, up = folder / "rn-in.wav", folder / "rn-48k.wav"
    noise_mix.write_wav(src, noisy)
    subprocess.run(["sox", "-R", str(src), "-r", "48000", str(up)], check=True)
    import wave

    with wave.open(str(up), "rb") as w:
        x48 = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").copy()
    state = rn.create()
    out = []
    t0 = time.process_time()
    for i in range(0, len(x48) - rn.FRAME_SIZE + 1, rn.FRAME_SIZE):
        frame, _prob = rn.process_mono_frame(state, x48[i : i + rn.FRAME_SIZE])
        out.append(np.asarray(frame, dtype=np.int16).reshape(-1))
    cpu_s = time.process_time() - t0
    rn.destroy(state)
    y48 = np.concatenate(out)
    down, back = folder / "rn-out48.wav", folder / "rn-out.wav"
    with wave.open(str(down), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(48000)
        w.writeframes(y48.astype("<i2").tobytes())
    subprocess.run(["sox", "-R", str(down), "-r", "16000", str(back)], check=True)
    y = noise_mix.read_wav(back)
    y = y[: len(noisy)]
    return np.concatenate([y, np.zeros(len(noisy) - len(y))]), cpu_s


def noisereduce_whole(noisy: np.ndarray) -> tuple[np.ndarray, float]:
    import noisereduce as nr

    t0 = time.process_time()
    y = nr.reduce_noise(y=noisy, sr=noise_mix.RATE_HZ, stationary=False, n_jobs=1)
    return np.asarray(y, dtype=np.float64), time.process_time() - t0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--candidates", action="store_true", help="also pyrnnoise, noisereduce")
    ap.add_argument("--levels", default="3", help="WebRTC NS levels to run, e.g. 1,2,3,4")
    ap.add_argument("--json", type=Path, help="write every figure to this file")
    ap.add_argument("--speech", choices=("espeak", "recorded"), default="espeak")
    args = ap.parse_args()
    if not noise_mix.have_tools():
        print("needs espeak-ng and sox", file=sys.stderr)
        return 2
    levels = [int(v) for v in args.levels.split(",")]
    results: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory(prefix="ha-noise-") as tmp:
        folder = Path(tmp)
        clean = noise_mix.speech(folder) if args.speech == "espeak" else noise_mix.recorded_speech()
        audio_s = len(clean) / noise_mix.RATE_HZ
        # latency: the lag of the stage's output on clean speech
        for level in levels:
            y, _cpu, held = through_stage(clean, level)
            lag = noise_mix.lag_samples(clean, y)
            print(
                f"webrtc-ns{level}: output lag {1000 * lag / noise_mix.RATE_HZ:.1f} ms, "
                f"held back mean {np.mean(held):.1f} ms max {max(held):.1f} ms "
                f"(frame {1000 * FRAME_SAMPLES / noise_mix.RATE_HZ:.0f} ms)"
            )
        cases = [("none", None)] + [(k, s) for k in (*noise_mix.NOISES, "home") for s in SNRS_DB]
        for kind, snr in cases:
            noise = None if snr is None else noise_mix.noise(folder, kind, len(clean))
            noisy = clean if snr is None else noise_mix.mix(clean, noise, snr)
            row: dict[str, object] = {
                "noise": kind,
                "snr_db": snr,
                "pesq_in": round(pesq_wb(clean, noisy), 3),
                "si_snr_in": round(noise_mix.si_snr_db(clean, noisy), 2),
            }
            runs: list[tuple[str, Callable[..., tuple[np.ndarray, float]]]] = []
            for level in levels:
                runs.append(
                    (f"webrtc-ns{level}", lambda lv=level, x=noisy: through_stage(x, lv)[:2])
                )
            if args.candidates:
                runs.append(("rnnoise", lambda x=noisy: rnnoise(x, folder)))
                runs.append(("noisereduce", lambda x=noisy: noisereduce_whole(x)))
            for name, run in runs:
                try:
                    y, cpu_s = run()
                except ImportError as exc:
                    print(f"  {name}: not installed ({exc})")
                    continue
                lag = noise_mix.lag_samples(clean, y)  # SI-SNR needs them aligned
                row[f"{name}_pesq"] = round(pesq_wb(clean, y), 3)
                row[f"{name}_si_snr"] = round(noise_mix.si_snr_db(clean, y[lag:]), 2)
                row[f"{name}_pause_drop_db"] = round(noise_mix.pause_drop_db(noisy, y), 1)
                row[f"{name}_lag_ms"] = round(1000 * lag / noise_mix.RATE_HZ, 1)
                row[f"{name}_cpu_pct"] = round(100 * cpu_s / audio_s, 3)
            results.append(row)
            print(json.dumps(row))
    print(f"load: {os.getloadavg()}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
