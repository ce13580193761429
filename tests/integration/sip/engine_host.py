"""Run a SipEngine in its own process for tests that may crash it (robustness, bursts).

    python -m tests.integration.sip.engine_host --registrar HOST:PORT --domain D --user U
        [--transport udp] [--max-calls N] [--unavailable] [--srtp MODE] [--ring-timeout S]
        [--audio MIC,SPEAKER]

Password from $HOMEAGENT_PEER_PASSWORD. Prints every engine event as one JSON line
({"event": "CallRinging", ...}); reads commands on stdin: ``answer ID``, ``hangup ID``,
``available 0|1``, ``mute ID 0|1``, ``hold ID``, ``resume ID``, supervision's
``expect SESSION TOKEN``, ``start SESSION CALL TARGET TOKEN MODE``, ``mode SESSION MODE``,
``stopsup SESSION [REASON]``, and ``quit``.

``--audio`` gives the engine real headset audio: an AudioService (Qt Multimedia on the
PulseAudio daemon of $PULSE_SERVER) with these device ids, as the desk would.
"""

from __future__ import annotations

import argparse
import dataclasses
import enum
import json
import os
import sys
import threading
from typing import Any

from homeagent.core import commands as cmd
from homeagent.core.events import Event
from homeagent.core.sip_config import EngineConfig, SipAccountConfig, SrtpMode, Transport
from homeagent.sip.engine import SipEngine

_lock = threading.Lock()


def _plain(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict) or hasattr(value, "items"):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


_SUPERVISION_VERBS: dict[str, Any] = {
    "mute": lambda a: cmd.SetMute(int(a[0]), a[1] == "1"),
    "hold": lambda a: cmd.Hold(int(a[0])),
    "resume": lambda a: cmd.Resume(int(a[0])),
    "expect": lambda a: cmd.ExpectSupervision(int(a[0]), a[1]),
    "start": lambda a: cmd.StartSupervision(int(a[0]), int(a[1]), a[2], a[3], a[4]),
    "mode": lambda a: cmd.SetSupervisionMode(int(a[0]), a[1]),
    "stopsup": lambda a: cmd.StopSupervision(int(a[0]), *a[1:2]),
}


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--registrar", required=True)
    p.add_argument("--domain", required=True)
    p.add_argument("--user", required=True)
    p.add_argument("--transport", default="udp")
    p.add_argument("--max-calls", type=int, default=4)
    p.add_argument("--unavailable", action="store_true")
    p.add_argument("--srtp", default="disabled")
    p.add_argument("--ring-timeout", type=float, default=EngineConfig().ring_timeout_s)
    p.add_argument("--audio", help="MIC,SPEAKER device ids: real headset audio")
    args = p.parse_args()
    host, port = args.registrar.rsplit(":", 1)
    out = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)

    def emit(event: Event) -> None:
        with _lock:
            out.write(json.dumps({"event": type(event).__name__, **_plain(event)}) + "\n")

    account = SipAccountConfig(
        registrar_host=host,
        registrar_port=int(port),
        domain=args.domain,
        username=args.user,
        password=os.environ.get("HOMEAGENT_PEER_PASSWORD", ""),
        transport=Transport(args.transport),
        srtp=SrtpMode(args.srtp),
    )
    audio = None
    if args.audio:
        from PySide6.QtCore import QCoreApplication

        from homeagent.core.audio_settings import AudioSettings
        from homeagent.sip.audio import AudioService

        app = QCoreApplication(["engine-host"])  # noqa: F841 - AudioService's QThread needs it
        mic, speaker = args.audio.split(",", 1)
        audio = AudioService(emit, AudioSettings(microphone_id=mic, speaker_id=speaker))
        audio.start()
    engine = SipEngine(
        EngineConfig(max_calls=args.max_calls, ring_timeout_s=args.ring_timeout),
        account,
        emit,
        audio=None if audio is None else audio.bridge,
    )
    engine.start()
    if args.unavailable:
        engine.submit(cmd.SetAvailable(False))
    for line in sys.stdin:
        verb, _, rest = line.strip().partition(" ")
        if verb == "quit":
            break
        if verb == "answer":
            engine.submit(cmd.Answer(int(rest)))
        elif verb == "hangup":
            engine.submit(cmd.Hangup(int(rest)))
        elif verb == "available":
            engine.submit(cmd.SetAvailable(rest.strip() == "1"))
        elif verb in _SUPERVISION_VERBS:
            engine.submit(_SUPERVISION_VERBS[verb](rest.split()))
    engine.stop(timeout_s=8)
    if audio is not None:
        audio.stop()
    with _lock:
        out.write(json.dumps({"event": "exited"}) + "\n")
    return 0


if __name__ == "__main__":
    code = main()
    sys.stderr.flush()
    os._exit(code)
