"""Call audio quality, measured: PESQ wideband (MOS-LQO) through the whole path (a benchmark).

French speech goes both ways of a real G.722 call. The sample is recorded human speech by
default: three Canadian-French prompts of Asterisk's voice (Debian
``asterisk-core-sounds-fr-g722``, CC-BY-SA 3.0, ``tests/helpers/noise_mix.recorded_speech``),
13 s with its pauses;
``--sample espeak`` takes espeak-ng's ``-v fr`` synthesis instead, whose buzzy formants
G.722 itself scores at ~3.0 offline, against 4.5 for the recording (README):

- **downlink**: a pjsua2 customer (``homeagent.sip.peer``, playing the sample) ->
  Kamailio -> the callee -> its headset, recorded at the PulseAudio sink's monitor;
- **uplink**: the sample played into the virtual microphone -> the callee -> Kamailio's
  customer, recorded by the customer's pjsua2 recorder.

The callee is, in turn: **homeagent** (this process: `SipEngine` + `AudioService`, the
bridge and Qt Multimedia on the tests' PulseAudio virtual headset, `tests/helpers/pulse.py`);
**baresip** (Debian package, auto-answer, pulse audio driver on the same virtual devices;
HOME is a temp dir); **pjsua2** (a second raw peer answering, no bridge and no sound
device: codec + network + jitter buffer only, the ceiling).

The customer's SDP offers a relay address (``--public-address 127.0.0.2``), and so does
the callee's where it can (homeagent: the account's media transport publicAddress, set
by this benchmark only; the pjsua2 callee: the same flag), each relay forwarding to the
real port (`tests/helpers/udp_relay.py`). pjmedia latches on the source address of what
it receives, so after a few packets each direction may take the other relay back: every
packet still crosses exactly one relay (reported as ``relay_both_ways``). baresip offers
its own address and does not latch: its path is the customer's relay both ways.
``impaired``: 3 % loss and 40 ± 30 ms delay (30 ms jitter, packets reordered), seeded.
Each recording is aligned on the reference by cross-correlation and one whole copy is
scored (``pesq`` package, ``wb`` mode).

    .venv/bin/python benchmarks/audio_quality.py                 # everything, ~5 minutes
    .venv/bin/python benchmarks/audio_quality.py --only homeagent --conditions impaired
    .venv/bin/python benchmarks/audio_quality.py --only pjsua2 --jb 80,60,160,500  # a JB trial
    .venv/bin/python benchmarks/audio_quality.py --only homeagent --app-jb -1,-1,-1,-1  # before

Needs the ``test`` extra (pesq, numpy, g722) and the Debian packages asterisk-core-sounds-fr-g722,
sox, baresip and baresip-x11 (Debian ships baresip's pulse module there); espeak-ng for
``--sample espeak``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import queue
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
from pesq import pesq  # noqa: E402

from tests.helpers import noise_mix  # noqa: E402
from tests.helpers.pulse import PulseServer, start_pulse  # noqa: E402
from tests.helpers.udp_relay import UdpRelay  # noqa: E402

RATE = 16000
RELAY_IP = "127.0.0.2"  # the customer's media, as its SDP offers them
CALLEE_RELAY_IP = "127.0.0.3"  # the callee's, for callees that can offer an address
SENTENCES = (
    "Bonjour, vous êtes bien au service client. Je m'appelle Claire, que puis-je faire "
    "pour vous aujourd'hui ? Votre commande est partie hier matin, elle arrivera jeudi."
)
CONDITIONS = {
    "clean": {"drop": 0.0, "delay_s": 0.0, "jitter_s": 0.0},
    "impaired": {"drop": 0.03, "delay_s": 0.04, "jitter_s": 0.03},
    # the two halves of "impaired", to tell which one costs what (--conditions)
    "loss": {"drop": 0.03, "delay_s": 0.0, "jitter_s": 0.0},
    "jitter": {"drop": 0.0, "delay_s": 0.04, "jitter_s": 0.03},
}


# -- signals ------------------------------------------------------------------------------


def g722_offline(pcm: np.ndarray) -> np.ndarray:
    """`pcm` through a G.722 64 kbit/s encoder and decoder, no network: the codec's own share."""
    import G722

    coded = G722.G722(RATE, 64000).encode(pcm.astype(np.int16))
    return np.asarray(G722.G722(RATE, 64000).decode(coded), dtype=np.float64)


def make_reference(tmp: Path, sample: str) -> Path:
    ref = tmp / "reference.wav"
    if sample == "recorded":
        noise_mix.write_wav(ref, noise_mix.recorded_speech())
        return ref
    raw = tmp / "espeak.wav"
    subprocess.run(["espeak-ng", "-v", "fr", "-s", "150", "-w", str(raw), SENTENCES], check=True)
    # 16 kHz mono, -3 dB peak, 0.5 s of silence each side (PESQ wants pauses)
    subprocess.run(
        ["sox", str(raw), "-r", "16000", "-c", "1", "-b", "16", str(ref),
         "gain", "-n", "-3", "pad", "0.5", "0.5"],
        check=True,
    )  # fmt: skip
    return ref


def read_wav(path: Path) -> np.ndarray:
    """16 kHz 16-bit mono PCM of a WAV file, also one whose sizes were never written
    (pjsua2's recorder fills them in only when it is destroyed cleanly)."""
    raw = path.read_bytes()
    if raw[:4] != b"RIFF" or raw[8:12] != b"WAVE":
        raise RuntimeError(f"{path.name}: not a WAV file")
    fmt = raw.find(b"fmt ")
    channels, rate = (
        int.from_bytes(raw[fmt + 10 : fmt + 12], "little"),
        int.from_bytes(raw[fmt + 12 : fmt + 16], "little"),
    )
    bits = int.from_bytes(raw[fmt + 22 : fmt + 24], "little")
    if rate != RATE or bits != 16:
        raise RuntimeError(f"{path.name}: expected 16 kHz 16-bit, got {rate} Hz {bits} bits")
    data = raw.find(b"data", fmt)
    size = int.from_bytes(raw[data + 4 : data + 8], "little")
    body = raw[data + 8 :] if size == 0 else raw[data + 8 : data + 8 + size]
    samples = np.frombuffer(body[: len(body) - len(body) % 2], dtype="<i2")
    return samples[::channels].astype(np.float64)


def repeated(ref: Path, times: int, out: Path) -> Path:
    subprocess.run(["sox", str(ref), str(out), "repeat", str(times - 1)], check=True)
    return out


def align(ref: np.ndarray, rec: np.ndarray, skip_s: float = 1.0) -> tuple[np.ndarray, int]:
    """The copy of `ref` in `rec` (after `skip_s`) that correlates best, and its lag."""
    start = int(skip_s * RATE)
    if len(rec) < start + len(ref):
        raise RuntimeError(f"recording too short: {len(rec) / RATE:.1f} s")
    seg = rec[start:]
    n = 1 << int(np.ceil(np.log2(len(seg) + len(ref))))
    corr = np.fft.irfft(np.fft.rfft(seg, n) * np.conj(np.fft.rfft(ref, n)), n)
    valid = corr[: len(seg) - len(ref) + 1]
    lag = int(np.argmax(valid))
    return seg[lag : lag + len(ref)], start + lag


def mos(ref: np.ndarray, rec_path: Path) -> float:
    return score(ref, read_wav(rec_path), rec_path.name)


def score(ref: np.ndarray, rec: np.ndarray, name: str) -> float:
    deg, _ = align(ref, rec)
    if np.max(np.abs(deg)) < 100:
        raise RuntimeError(f"{name}: silence where speech was expected")
    return float(pesq(RATE, ref, deg, "wb"))


# -- peers ---------------------------------------------------------------------------------


def free_rtp_port(relay_ip: str = RELAY_IP) -> int:
    """An even port free on 127.0.0.1 and on the relay address (RTP and RTCP)."""
    for _ in range(200):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1] & ~1
        try:
            with contextlib.ExitStack() as stack:
                for host in ("127.0.0.1", relay_ip):
                    for p in (port, port + 1):
                        sock = stack.enter_context(socket.socket(socket.AF_INET, socket.SOCK_DGRAM))
                        sock.bind((host, p))
            return port
        except OSError:
            continue
    raise RuntimeError("no free RTP port")


class Peer:
    """A `homeagent.sip.peer` subprocess and its JSON events (read by a thread)."""

    def __init__(self, kam: Any, user: str, extra: list[str], log: Path) -> None:
        cmd = [sys.executable, "-m", "homeagent.sip.peer", "--registrar",
               f"{kam.host}:{kam.udp_port}", "--domain", kam.domain, "--user", user,
               "--codec", "G722", *extra]  # fmt: skip
        env = dict(os.environ, HOMEAGENT_PEER_PASSWORD=kam.passwords[user])
        self._log = log.open("w")
        self.proc = subprocess.Popen(
            cmd, stdout=subprocess.PIPE, stderr=self._log, text=True, cwd=ROOT, env=env
        )
        self.events: queue.Queue[dict[str, Any]] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            with contextlib.suppress(ValueError):
                self.events.put(json.loads(line))

    def wait(self, name: str, timeout_s: float) -> dict[str, Any]:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            try:
                event = self.events.get(timeout=0.1)
            except queue.Empty:
                if self.proc.poll() is not None and self.events.empty():
                    raise RuntimeError(f"peer exited before {name!r}") from None
                continue
            if event.get("event") == name:
                return event
        raise RuntimeError(f"no {name!r} from the peer within {timeout_s} s")

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        self._log.close()


@contextlib.contextmanager
def baresip(tmp: Path, kam: Any, pulse: PulseServer) -> Iterator[None]:
    """baresip registered as 1003, auto-answering, on the virtual headset."""
    exe = shutil.which("baresip")
    if exe is None or not Path("/usr/lib/baresip/modules/pulse.so").exists():
        raise SystemExit("baresip is not installed (apt-get install baresip baresip-x11)")
    home = tmp / "baresip-home"
    conf = home / ".baresip"
    conf.mkdir(parents=True)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        sip_port = s.getsockname()[1]
    (conf / "config").write_text(
        "\n".join(
            [
                "poll_method epoll",
                f"sip_listen 127.0.0.1:{sip_port}",
                "audio_player pulse,headset",
                "audio_source pulse,headset_mic",
                "audio_alert pulse,headset",
                "audio_level no",
                "rtp_stats no",
                "module_path /usr/lib/baresip/modules",
                "module g722.so",
                "module pulse.so",
                "module account.so",
                "module menu.so",
                "",
            ]
        )
    )
    (conf / "accounts").write_text(
        f"<sip:1003@{kam.domain}>;auth_pass={kam.passwords['1003']};"
        f'outbound="sip:{kam.host}:{kam.udp_port};transport=udp";regint=300;'
        "answermode=auto;audio_codecs=G722\n"
    )
    (conf / "contacts").write_text("")
    env = dict(pulse.env, HOME=str(home))
    log = (tmp / "baresip.log").open("w")
    proc = subprocess.Popen(
        [exe, "-f", str(conf)], stdin=subprocess.PIPE, stdout=log, stderr=log, env=env
    )
    try:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if "200 OK" in (tmp / "baresip.log").read_text(errors="replace"):
                break
            if proc.poll() is not None:
                raise SystemExit(f"baresip exited: see {tmp / 'baresip.log'}")
            time.sleep(0.2)
        else:
            raise SystemExit("baresip did not register")
        yield
    finally:
        proc.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=5)
        if proc.poll() is None:
            proc.kill()
        log.close()


class HomeAgent:
    """The app's engine and audio service in this process, registered as 1001."""

    def __init__(
        self,
        kam: Any,
        jb: str | None = None,
        suppression: bool = True,
        discard: str | None = None,
    ) -> None:
        from PySide6.QtCore import QCoreApplication

        from homeagent.core.audio_settings import AudioSettings
        from homeagent.core.sip_config import EngineConfig, SipAccountConfig
        from homeagent.sip import engine as engine_module
        from homeagent.sip.audio import AudioService
        from homeagent.sip.engine import SipEngine

        # Benchmark only: the app's SDP offers the callee relay, like a STUN-found address.
        self.rtp_port = free_rtp_port(CALLEE_RELAY_IP)
        real_account_config = engine_module.account_config

        def account_config(*args: Any) -> Any:
            acfg = real_account_config(*args)
            acfg.mediaConfig.transportConfig.port = self.rtp_port
            acfg.mediaConfig.transportConfig.publicAddress = CALLEE_RELAY_IP
            return acfg

        engine_module.account_config = account_config  # type: ignore[assignment]
        if jb or discard:  # --app-jb, --jb-discard: try jitter-buffer settings on the app
            from homeagent.sip.endpoint import set_jb_discard

            real_endpoint_config = engine_module.endpoint_config

            def endpoint_config(*args: Any) -> Any:
                cfg = real_endpoint_config(*args)
                m = cfg.medConfig
                if jb:
                    m.jbInit, m.jbMinPre, m.jbMaxPre, m.jbMax = [int(v) for v in jb.split(",")]
                if discard:
                    set_jb_discard(m, discard)
                return cfg

            engine_module.endpoint_config = endpoint_config  # type: ignore[assignment]

        self.app = QCoreApplication.instance() or QCoreApplication([])
        self.events: queue.Queue[Any] = queue.Queue()
        self.svc = AudioService(
            self.events.put,
            AudioSettings(
                microphone_id="headset_mic", speaker_id="headset", noise_suppression=suppression
            ),
        )
        self.svc.start()
        account = SipAccountConfig(
            registrar_host=kam.host,
            registrar_port=kam.udp_port,
            domain=kam.domain,
            username="1001",
            password=kam.passwords["1001"],
        )
        self.engine = SipEngine(EngineConfig(), account, self.events.put, audio=self.svc.bridge)
        self.engine.start()
        self._wait(
            lambda e: type(e).__name__ == "RegistrationChanged" and e.state.value == "registered",
            20,
        )

    def _wait(self, match: Any, timeout_s: float) -> Any:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            try:
                e = self.events.get(timeout=0.1)
            except queue.Empty:
                continue
            if match(e):
                return e
        raise RuntimeError("the app did not get there in time")

    def answer_next(self, timeout_s: float = 20) -> None:
        from homeagent.core.commands import Answer

        ringing = self._wait(lambda e: type(e).__name__ == "CallRinging", timeout_s)
        self.svc.start_ringing()  # as the desk does: the headset output opens while ringing
        time.sleep(0.3)
        self.engine.submit(Answer(ringing.call_id))
        self.svc.stop_ringing()

    def close(self) -> None:
        self.engine.stop(timeout_s=8)
        self.svc.stop()


# -- one call ------------------------------------------------------------------------------


def one_call(
    system: str, cond: str, tmp: Path, kam: Any, pulse: PulseServer, ref: Path,
    ref3: Path, record_s: float, app: HomeAgent | None, jb_args: list[str],
) -> dict[str, Any]:  # fmt: skip
    tag = f"{system}-{cond}"
    rtp_port = free_rtp_port()
    relays = [UdpRelay(("127.0.0.1", rtp_port), listen=(RELAY_IP, rtp_port), seed=14)]
    callee_port = app.rtp_port if app is not None else free_rtp_port(CALLEE_RELAY_IP)
    if system != "baresip":
        relays.append(
            UdpRelay(("127.0.0.1", callee_port), listen=(CALLEE_RELAY_IP, callee_port), seed=15)
        )
    for relay in relays:
        relay.impair(**CONDITIONS[cond])
        relay.start()
    target = {"homeagent": "1001", "baresip": "1003", "pjsua2": "1004"}[system]
    cust_rec = tmp / f"{tag}-customer-heard.wav"
    callee_rec = tmp / f"{tag}-callee-heard.wav"
    callee = None
    if system == "pjsua2":
        callee = Peer(kam, "1004", ["--answer", "--play", str(ref), "--record", str(callee_rec),
                                    "--rtp-port", str(callee_port), "--public-address",
                                    CALLEE_RELAY_IP, "--exit-after", str(record_s + 30),
                                    *jb_args],
                      tmp / f"{tag}-callee.log")  # fmt: skip
        callee.wait("registered", 15)
    customer = Peer(
        kam, "1002",
        ["--call", f"sip:{target}@{kam.domain}", "--play", str(ref), "--record", str(cust_rec),
         "--rtp-port", str(rtp_port), "--public-address", RELAY_IP,
         "--hangup-after", str(record_s + 1.5), "--exit-on-end", "--exit-after", str(record_s + 30),
         *jb_args],
        tmp / f"{tag}-customer.log",
    )  # fmt: skip
    try:
        customer.wait("registered", 15)
        if app is not None:
            app.answer_next()
        customer.wait("media", 20)
        headset_rec = tmp / f"{tag}-headset-heard.wav"
        mic = None
        with contextlib.ExitStack() as stack:
            if system != "pjsua2":
                mic = pulse.play(ref3)  # into the virtual microphone
                stack.enter_context(pulse.recording(headset_rec, "headset.monitor"))
            time.sleep(record_s)
        if mic is not None:
            mic.terminate()
        customer.wait("exiting", record_s + 30)
    finally:
        for one in (customer, callee):
            if one is not None:
                one.close()
        for relay in relays:
            relay.close()
    ref_sig = read_wav(ref)
    down_path = callee_rec if system == "pjsua2" else headset_rec
    dropped = sum(r.stats.dropped for r in relays)
    passed = sum(r.stats.forwarded for r in relays)
    result: dict[str, Any] = {
        "system": system,
        "condition": cond,
        "relay_dropped_pct": round(100 * dropped / max(1, dropped + passed), 1),
        "relay_both_ways": passed > 0.9 * 2 * 50 * record_s,  # both directions, 50 pkt/s
    }
    for direction, path in (("downlink", down_path), ("uplink", cust_rec)):
        try:
            result[direction] = round(mos(ref_sig, path), 2)
        except (RuntimeError, OSError) as exc:
            result[direction] = None
            result[f"{direction}_error"] = str(exc)
    if app is not None:
        st = app.svc.stats()
        result["bridge"] = {
            "uplink_underruns": st.uplink.underruns,
            "downlink_underruns": st.downlink.underruns,
            "corrections": st.uplink.corrections + st.downlink.corrections,
        }
    return result


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--only", action="append", choices=("homeagent", "baresip", "pjsua2"))
    ap.add_argument("--conditions", action="append", choices=tuple(CONDITIONS))
    ap.add_argument("--record-s", type=float, default=0.0, help="default: 2 copies + 2 s")
    ap.add_argument("--sample", choices=("recorded", "espeak"), default="recorded")
    ap.add_argument("--json", type=Path)
    ap.add_argument("--keep", type=Path, help="copy the recordings here")
    ap.add_argument("--jb", help="INIT,MINPRE,MAXPRE,MAX ms for the pjsua2 peers (a trial)")
    ap.add_argument(
        "--app-jb", help="the same for the app's engine (-1,-1,-1,-1: pjsua2's defaults)"
    )
    ap.add_argument(
        "--jb-discard",
        choices=("none", "static", "progressive"),
        help="the jitter buffer's discard algorithm, for every pjsua2 side (a trial)",
    )
    ap.add_argument(
        "--no-suppression", action="store_true", help="the app's microphone noise filter off"
    )
    args = ap.parse_args()
    jb_args = (["--jb", args.jb] if args.jb else []) + (
        ["--jb-discard", args.jb_discard] if args.jb_discard else []
    )
    systems = args.only or ["homeagent", "baresip", "pjsua2"]
    conditions = args.conditions or ["clean", "impaired"]
    os.environ.setdefault("QT_LOGGING_RULES", "qt.multimedia.symbolsresolver=false")
    from tests.helpers.kamailio import start_kamailio

    results = []
    with tempfile.TemporaryDirectory(prefix="audio-quality-") as d:
        tmp = Path(d)
        ref = make_reference(tmp, args.sample)
        ref3 = repeated(ref, 4, tmp / "reference-x4.wav")
        length_s = len(read_wav(ref)) / RATE
        record_s = args.record_s or 2 * length_s + 2.5
        ref_pcm = read_wav(ref)
        gap = np.zeros(2 * RATE)
        ceiling = score(ref_pcm, np.concatenate([gap, g722_offline(ref_pcm), gap]), "offline")
        print(f"reference: {args.sample}, {length_s:.1f} s at 16 kHz; {record_s:.0f} s per call; "
              f"G.722 offline (the codec's ceiling): {ceiling:.2f}")  # fmt: skip
        (tmp / "pulse").mkdir()
        (tmp / "kam").mkdir()
        with start_pulse(tmp / "pulse") as pulse:
            gen = start_kamailio(tmp / "kam", tls=False)
            kam = next(gen)
            app = (
                HomeAgent(kam, args.app_jb, not args.no_suppression, args.jb_discard)
                if "homeagent" in systems
                else None
            )
            try:
                use_baresip = "baresip" in systems
                with baresip(tmp, kam, pulse) if use_baresip else contextlib.nullcontext():
                    for cond in conditions:
                        for system in systems:
                            callee_app = app if system == "homeagent" else None
                            r = one_call(system, cond, tmp, kam, pulse, ref, ref3, record_s,
                                         callee_app, jb_args)  # fmt: skip
                            r["jb"] = args.jb or "default"
                            r["jb_discard"] = args.jb_discard or "default"
                            if callee_app is not None:
                                r["app_jb"] = args.app_jb or "engine's"
                                r["suppression"] = not args.no_suppression
                            print(json.dumps(r), flush=True)
                            results.append(r)
            finally:
                if app is not None:
                    app.close()
                with contextlib.suppress(StopIteration):
                    next(gen)
        if args.keep:
            args.keep.mkdir(parents=True, exist_ok=True)
            for f in tmp.glob("*.wav"):
                shutil.copy(f, args.keep / f.name)
    print("\nMOS-LQO (PESQ P.862.2 wideband), G.722:")
    print(f"{'system':10s} {'condition':9s} {'downlink':>9s} {'uplink':>7s}  relay loss")
    for r in results:
        fmt = lambda v: f"{v:.2f}" if isinstance(v, float) else "  -"  # noqa: E731
        print(f"{r['system']:10s} {r['condition']:9s} {fmt(r['downlink']):>9s} "
              f"{fmt(r['uplink']):>7s}  {r['relay_dropped_pct']} %")  # fmt: skip
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
