"""Reproducible noisy French speech for the noise-suppression test and benchmark.

Speech: espeak-ng (`-v fr`) resampled to 16 kHz by sox, or (`recorded_speech`) a human
voice: three of Asterisk's Canadian-French prompts (Debian `asterisk-core-sounds-fr-g722`,
16 kHz G.722, decoded by the `g722` package). Home noises, each the same on every run:
`hum` (mains hum 50 Hz + harmonics under sox's seeded pink noise, `sox -R`), `babble`
(several espeak-ng voices and languages talking over each other, quieter, as from the next
room), `bangs` (seeded decaying bursts: doors, dishes, a toy). `mix()` scales the noise to
a given SNR over the whole clean signal. Needs numpy (the `test` extra).
"""

from __future__ import annotations

import random
import shutil
import subprocess
import wave
from pathlib import Path

import numpy as np

RATE_HZ = 16000

SPEECH_FR = (
    "Bonjour, je vous appelle au sujet de ma facture du mois dernier. "
    "Le montant me semble beaucoup trop élevé, pouvez-vous vérifier mon contrat ? "
    "Mon numéro de client commence par quatre, sept, deux. Merci beaucoup."
)
BABBLE = (
    ("fr", 40, "On mange à quelle heure ce soir ? Il reste des pâtes dans le placard."),
    ("fr+f3", 70, "Maman, je ne trouve plus mes chaussures, elles étaient dans l'entrée."),
    ("en", 55, "Did you see the match yesterday, it was absolutely incredible."),
    ("de", 45, "Wir fahren morgen früh los, vergiss bitte die Schlüssel nicht."),
    ("es", 60, "La televisión está muy alta, baja el volumen por favor."),
)
NOISES = ("hum", "babble", "bangs")


def have_tools() -> bool:
    return shutil.which("espeak-ng") is not None and shutil.which("sox") is not None


def read_wav(path: Path) -> np.ndarray:
    with wave.open(str(path), "rb") as w:
        if w.getframerate() != RATE_HZ or w.getsampwidth() != 2 or w.getnchannels() != 1:
            raise ValueError(f"{path}: want 16 kHz mono 16-bit")
        return np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float64)


def write_wav(path: Path, x: np.ndarray) -> None:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE_HZ)
        w.writeframes(to_pcm(x))


def to_pcm(x: np.ndarray) -> bytes:
    return bytes(np.clip(np.round(x), -32768, 32767).astype("<i2").tobytes())


def from_pcm(pcm: bytes) -> np.ndarray:
    return np.frombuffer(pcm, dtype="<i2").astype(np.float64)


def _espeak(folder: Path, name: str, voice: str, pitch: int, text: str, speed: int = 150) -> Path:
    raw, out = folder / f"{name}-raw.wav", folder / f"{name}.wav"
    subprocess.run(
        ["espeak-ng", "-v", voice, "-p", str(pitch), "-s", str(speed), "-w", str(raw), text],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        ["sox", "-R", str(raw), "-r", str(RATE_HZ), "-b", "16", "-c", "1", str(out)],
        check=True,
        capture_output=True,
    )
    return out


def speech(folder: Path, text: str = SPEECH_FR) -> np.ndarray:
    """The clean French sample, with 0.5 s of silence on each side (the room is heard)."""
    x = read_wav(_espeak(folder, "speech", "fr", 50, text))
    x = 0.7 * 32767 * x / max(1.0, float(np.max(np.abs(x))))  # -3 dBFS peak
    pad = np.zeros(RATE_HZ // 2)
    return np.concatenate([pad, x, pad])


RECORDED_FR = Path("/usr/share/asterisk/sounds/fr_CA_f_June")
# "Tous nos agents sont occupés...", "Un instant, s'il vous plaît", "Veuillez rappeler plus tard"
PROMPTS_FR = ("queue-periodic-announce", "one-moment-please", "please-try-call-later")


def have_recorded() -> bool:
    return all((RECORDED_FR / f"{name}.g722").is_file() for name in PROMPTS_FR)


def recorded_speech(seed: int = 14) -> np.ndarray:
    """The recorded French sample: the prompts 0.3 s apart, -3 dBFS peak, 0.5 s of room on
    each side (13.2 s in all), with 16-bit TPDF dither (seeded) as any recording has: no
    digital zero, which no microphone gives and WebRTC NS mangles (benchmarks/README.md)."""
    import G722  # the test extra's `g722`

    gap, pad = np.zeros(RATE_HZ * 3 // 10), np.zeros(RATE_HZ // 2)
    parts = [pad]
    for name in PROMPTS_FR:
        coded = (RECORDED_FR / f"{name}.g722").read_bytes()
        parts += [np.asarray(G722.G722(RATE_HZ, 64000).decode(coded), dtype=np.float64), gap]
    x = np.concatenate(parts[:-1])
    x = np.concatenate([0.7 * 32767 * x / max(1.0, float(np.max(np.abs(x)))), pad])
    rng = np.random.default_rng(seed)
    return np.round(x + rng.uniform(-0.5, 0.5, len(x)) + rng.uniform(-0.5, 0.5, len(x)))


def noise(folder: Path, kind: str, n_samples: int, seed: int = 15) -> np.ndarray:
    """`n_samples` of one home noise (unscaled), the same for a given seed."""
    seconds = n_samples / RATE_HZ + 0.1
    if kind == "hum":
        out = folder / "hum.wav"
        # sox -R: repeatable (seeded) noise generators
        subprocess.run(
            [
                *("sox", "-R", "-n", "-r", str(RATE_HZ), "-b", "16", "-c", "1", str(out)),
                *("synth", f"{seconds:.2f}", "pinknoise", "vol", "0.5"),
                *("synth", f"{seconds:.2f}", "sine", "mix", "50"),
                *("synth", f"{seconds:.2f}", "sine", "mix", "150", "vol", "0.5"),
            ],
            check=True,
            capture_output=True,
        )
        return read_wav(out)[:n_samples]
    if kind == "babble":
        mix = np.zeros(n_samples)
        rng = random.Random(seed)
        for i, (voice, pitch, text) in enumerate(BABBLE):
            talker = read_wav(_espeak(folder, f"babble{i}", voice, pitch, text, 140 + 10 * i))
            talker /= max(1.0, float(np.sqrt(np.mean(talker**2))))
            start = rng.randrange(0, RATE_HZ)
            pos = start
            while pos < n_samples:  # each talker loops, offset from the others
                take = min(len(talker), n_samples - pos)
                mix[pos : pos + take] += talker[:take]
                pos += take + rng.randrange(RATE_HZ // 10, RATE_HZ // 2)
        # the next room: a first-order low-pass (walls take the highs)
        out = np.empty_like(mix)
        acc = 0.0
        for i, v in enumerate(mix):
            acc += 0.35 * (v - acc)
            out[i] = acc
        return out
    if kind == "bangs":
        rng_np = np.random.default_rng(seed)
        out = np.zeros(n_samples)
        pos = int(0.3 * RATE_HZ)
        while pos < n_samples:
            length = int(RATE_HZ * rng_np.uniform(0.04, 0.25))
            burst = rng_np.standard_normal(length) * np.exp(-np.arange(length) / (0.2 * length))
            burst *= rng_np.uniform(0.3, 1.0)
            take = min(length, n_samples - pos)
            out[pos : pos + take] += burst[:take]
            pos += int(RATE_HZ * rng_np.uniform(0.4, 1.2))
        return out
    if kind == "home":  # all three at once, equal power
        parts = [noise(folder, k, n_samples, seed) for k in NOISES]
        return sum((p / (float(np.sqrt(np.mean(p**2))) or 1.0) for p in parts), np.zeros(n_samples))
    raise ValueError(f"unknown noise {kind!r}; one of {NOISES} or 'home'")


def mix(clean: np.ndarray, noise_: np.ndarray, snr_db: float) -> np.ndarray:
    """`clean` plus `noise_` scaled so the whole-signal SNR is `snr_db` (no clipping)."""
    p_s = float(np.mean(clean**2))
    p_n = float(np.mean(noise_**2)) or 1.0
    noisy = clean + noise_ * np.sqrt(p_s / (p_n * 10 ** (snr_db / 10)))
    peak = float(np.max(np.abs(noisy)))
    return noisy * (32000 / peak) if peak > 32000 else noisy


def si_snr_db(reference: np.ndarray, estimate: np.ndarray) -> float:
    """Scale-invariant SNR of `estimate` against `reference` (same length, aligned)."""
    n = min(len(reference), len(estimate))
    s, y = reference[:n] - np.mean(reference[:n]), estimate[:n] - np.mean(estimate[:n])
    target = (np.dot(y, s) / (np.dot(s, s) or 1.0)) * s
    err = y - target
    return float(10 * np.log10((np.dot(target, target) or 1e-12) / (np.dot(err, err) or 1e-12)))


def lag_samples(reference: np.ndarray, estimate: np.ndarray, max_lag: int = 800) -> int:
    """How many samples `estimate` lags `reference` (cross-correlation peak, >= 0)."""
    n = min(len(reference), len(estimate))
    best, best_c = 0, -np.inf
    for lag in range(0, max_lag + 1):
        c = float(np.dot(reference[: n - lag], estimate[lag:n]))
        if c > best_c:
            best, best_c = lag, c
    return best


def pause_drop_db(noisy: np.ndarray, output: np.ndarray, pad_samples: int = RATE_HZ // 2) -> float:
    """How much quieter the noise got where nobody speaks (the trailing pad), in dB."""
    a, b = noisy[-pad_samples:], output[-pad_samples:]
    return float(10 * np.log10((np.mean(a**2) or 1e-12) / (np.mean(b**2) or 1e-12)))
