"""A private PulseAudio daemon with a virtual USB headset, for real-audio tests.

The daemon runs in a temp dir (its own HOME / XDG_RUNTIME_DIR, so it works as root and
never touches a desktop session) and offers:

- sink ``headset`` ("Virtual Headset"): what the agent hears; record ``headset.monitor``;
- source ``headset_mic`` ("Virtual Headset Microphone"): a remap of ``micfeed.monitor``,
  so whatever a test plays into the sink ``micfeed`` is what the microphone captures;
- ``module-always-sink``; ``headset`` and ``headset_mic`` are the defaults.

Qt Multimedia connects to PulseAudio once per process, at the first QMediaDevices, and
reads ``PULSE_SERVER`` then. So the daemon is session-scoped and ``PULSE_SERVER`` is set in
``os.environ`` before any Qt audio object exists; tests that plug/unplug devices use the
function-scoped ``pulse`` fixture, which unloads whatever the test loaded.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.helpers.procs import require_tool, running, wait_until

CONFIG = "\n".join(
    [
        "load-module module-native-protocol-unix auth-anonymous=1 socket={socket}",
        "load-module module-null-sink sink_name=headset rate=48000"
        " sink_properties=device.description=Virtual_Headset",
        "load-module module-null-sink sink_name=micfeed rate=48000"
        " sink_properties=device.description=Mic_Feed",
        "load-module module-remap-source source_name=headset_mic master=micfeed.monitor"
        " channels=1 channel_map=mono"
        " source_properties=device.description=Virtual_Headset_Microphone",
        "load-module module-always-sink",
        "set-default-sink headset",
        "set-default-source headset_mic",
        "",
    ]
)


@dataclass
class PulseServer:
    """Handle on the private daemon: pactl and the pa* tools pointed at it."""

    socket: Path
    runtime_dir: Path
    base_modules: frozenset[int] = field(default_factory=frozenset)

    @property
    def server(self) -> str:
        return f"unix:{self.socket}"

    @property
    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env["PULSE_SERVER"] = self.server
        return env

    def pactl(self, *args: str) -> str:
        out = subprocess.run(
            ["pactl", *args], env=self.env, capture_output=True, text=True, timeout=20, check=False
        )
        if out.returncode != 0:
            raise RuntimeError(f"pactl {' '.join(args)} failed: {out.stderr.strip()}")
        return out.stdout

    def modules(self) -> dict[int, str]:
        found: dict[int, str] = {}
        for line in self.pactl("list", "short", "modules").splitlines():
            parts = line.split("\t")
            if parts and parts[0].isdigit():
                found[int(parts[0])] = parts[1] if len(parts) > 1 else ""
        return found

    def sinks(self) -> list[str]:
        return [ln.split("\t")[1] for ln in self.pactl("list", "short", "sinks").splitlines()]

    def sources(self) -> list[str]:
        return [ln.split("\t")[1] for ln in self.pactl("list", "short", "sources").splitlines()]

    def plug_headset(self, name: str = "usb_headset", description: str = "USB_Headset") -> int:
        """A new output device appears (what plugging a USB headset does); module index."""
        idx = self.pactl(
            "load-module",
            "module-null-sink",
            f"sink_name={name}",
            f"sink_properties=device.description={description}",
        ).strip()
        return int(idx)

    def unplug(self, module_index: int) -> None:
        self.pactl("unload-module", str(module_index))

    def play(self, wav: Path, device: str = "micfeed") -> subprocess.Popen[bytes]:
        """Start playing a WAV into a sink (``micfeed`` = into the headset microphone)."""
        return subprocess.Popen(
            ["paplay", f"--device={device}", str(wav)],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )

    @contextlib.contextmanager
    def recording(
        self, out: Path, device: str = "headset.monitor", rate_hz: int = 16000
    ) -> Iterator[Path]:
        """Record a source (default: what the headset plays) to a mono WAV while inside."""
        proc = subprocess.Popen(
            [
                "parecord",
                f"--device={device}",
                f"--rate={rate_hz}",
                "--channels=1",
                "--format=s16le",
                "--file-format=wav",
                "--latency-msec=20",
                str(out),
            ],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            time.sleep(0.2)
            yield out
        finally:
            proc.terminate()
            proc.wait(timeout=10)

    def reset(self) -> None:
        """Unload modules loaded after start; restore the default devices."""
        for idx in sorted(set(self.modules()) - self.base_modules, reverse=True):
            with contextlib.suppress(RuntimeError):
                self.unplug(idx)
        self.pactl("set-default-sink", "headset")
        self.pactl("set-default-source", "headset_mic")


@contextlib.contextmanager
def start_pulse(root: Path, *, export_env: bool = True) -> Iterator[PulseServer]:
    """Run the private daemon in `root` while inside (also used by the benchmarks).

    Sets ``PULSE_SERVER`` in ``os.environ`` while it runs, so Qt Multimedia (created
    afterwards) and the pa* tools find it. ``export_env=False`` leaves ``os.environ``
    alone: a second daemon (another party's devices, for a child process given
    ``server.env``) next to the session's.
    """
    root.mkdir(parents=True, exist_ok=True)
    exe = require_tool("pulseaudio")
    require_tool("pactl")
    runtime = root / "runtime"
    runtime.mkdir(mode=0o700)
    sock = root / "native"
    config = root / "default.pa"
    config.write_text(CONFIG.format(socket=sock))
    env = dict(os.environ)
    env.update(
        HOME=str(root),
        XDG_RUNTIME_DIR=str(runtime),
        PULSE_RUNTIME_PATH=str(runtime / "pulse"),
        XDG_CONFIG_HOME=str(root / "config"),
    )
    env.pop("PULSE_SERVER", None)
    env.pop("DBUS_SESSION_BUS_ADDRESS", None)
    argv = [
        exe,
        "-n",
        "--daemonize=no",
        "--exit-idle-time=-1",
        "--system=no",
        "--disallow-exit",
        "--use-pid-file=no",
        "--log-target=stderr",
        "-F",
        str(config),
    ]
    server = PulseServer(socket=sock, runtime_dir=runtime)
    previous = os.environ.get("PULSE_SERVER")
    with running(argv, log=root / "pulseaudio.log", env=env, ready=sock.exists):
        wait_until(lambda: _answers(server), timeout_s=10)
        server.base_modules = frozenset(server.modules())
        if not export_env:
            yield server
            return
        os.environ["PULSE_SERVER"] = server.server
        try:
            yield server
        finally:
            if previous is None:
                os.environ.pop("PULSE_SERVER", None)
            else:
                os.environ["PULSE_SERVER"] = previous


@pytest.fixture(scope="session")
def pulse_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PulseServer]:
    """The private PulseAudio daemon, for the whole session; sets PULSE_SERVER."""
    with start_pulse(tmp_path_factory.mktemp("pulse")) as server:
        yield server


def _answers(server: PulseServer) -> bool:
    try:
        return "headset_mic" in server.sources()
    except RuntimeError:
        return False


@pytest.fixture
def pulse(pulse_server: PulseServer) -> Iterator[PulseServer]:
    """The session daemon, with whatever the test plugged in unplugged afterwards."""
    yield pulse_server
    pulse_server.reset()
