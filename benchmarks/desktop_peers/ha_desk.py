"""The HomeAgent desk as its own process, for ``benchmarks/desktop_peers.py``.

    python benchmarks/desktop_peers/ha_desk.py --setup SETUP.json [--profile FILE] [--audio]
        [--wrap-up]

Runs the real app (`homeagent.desktop.app.run_desk`: Qt, profile store, device session, cache,
SIP engine, window, event stream) against the benchmark's server and Kamailio. The one
stand-in is the secret store: the demo's in-memory vault, kept in a JSON file between
runs (benchmark data only), so that the second start is a returning agent's start (no
enrolment), as it is with the OS keyring. Once started the agent goes Available (as in
the demo) so that calls ring instead of getting 486.

For `benchmarks/shift_memory.py`: `--audio` opens the audio devices (PulseAudio, whatever
`PULSE_SERVER` names) as an installed desk does; `--wrap-up` plays the agent after each
call: when the wrap-up form opens it picks the first disposition that promises no
callback, types a note and clicks Save (the form's own widgets, as a user does), so the
wrap-up goes the real way (desk model, outbox, server). With `HA_TRACEMALLOC=1` the desk
traces Python allocations and `SIGUSR1` writes a snapshot (and gc counts by type) into
`HA_TRACEMALLOC_DIR`: to find what holds memory over a shift.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
from pathlib import Path
from typing import Any

from homeagent.testing.vault import MemoryVault


class FileVault(MemoryVault):
    """`MemoryVault` saved to a JSON file after every change (benchmark only)."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self._path = path
        if path.exists():
            self.items.update(json.loads(path.read_text()))

    def _set(self, name: str, value: str) -> None:
        super()._set(name, value)
        self._save()

    def _save(self) -> None:
        self._path.write_text(json.dumps(self.items))
        self._path.chmod(0o600)

    def data_key(self) -> bytes:
        had = self.has_data_key()
        key = super().data_key()
        if not had:
            self._save()
        return key

    def wipe(self) -> None:
        super().wipe()
        self._save()


def drive_wrap_ups(session: Any) -> None:
    """Save every wrap-up through the form's widgets, 300 ms after it opens."""
    from PySide6.QtCore import QTimer

    from homeagent.core.desk_snapshot import Screen
    from homeagent.ui.desk.wrapup_form import _promises_callback

    last = [""]  # the interaction whose wrap-up was last driven (nothing grows per call)

    def save() -> None:
        form = session.window.wrap_up
        for index in range(1, form.disposition.count()):
            if not _promises_callback(str(form.disposition.itemData(index) or "")):
                form.disposition.setCurrentIndex(index)
                break
        form.callback.setChecked(False)
        form.notes.setPlainText("Shift benchmark call: customer served.")
        form.save.click()

    def on_snapshot(snap: Any) -> None:
        wrap = snap.wrap_up
        new = wrap is not None and not wrap.submitted and wrap.interaction_id != last[0]
        if snap.screen is Screen.WRAP_UP and new:
            last[0] = wrap.interaction_id
            QTimer.singleShot(300, save)

    session.model.subscribe(on_snapshot)


def trace_memory(out_dir: Path) -> None:
    """tracemalloc from now on; SIGUSR1 dumps a snapshot and gc counts by type."""
    import gc
    import tracemalloc
    from collections import Counter

    tracemalloc.start(12)
    out_dir.mkdir(parents=True, exist_ok=True)
    seq = [0]

    def dump(*_: object) -> None:
        seq[0] += 1
        gc.collect()
        tracemalloc.take_snapshot().dump(str(out_dir / f"snap{seq[0]:03d}.tracemalloc"))
        counts = Counter(type(o).__qualname__ for o in gc.get_objects())
        lines = [f"{n}\t{name}" for name, n in counts.most_common(300)]
        (out_dir / f"gc{seq[0]:03d}.tsv").write_text("\n".join(lines))

    signal.signal(signal.SIGUSR1, dump)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--setup", type=Path, required=True)
    parser.add_argument("--profile", type=Path)
    parser.add_argument("--audio", action="store_true", help="open the audio devices")
    parser.add_argument("--wrap-up", action="store_true", help="save each wrap-up as a user")
    args = parser.parse_args()
    if os.environ.get("HA_TRACEMALLOC") == "1":
        trace_memory(Path(os.environ.get("HA_TRACEMALLOC_DIR", "tracemalloc")))
    setup = json.loads(args.setup.read_text())
    home = Path(setup["home"])

    # as installed: IT's trusted key in the system configuration directory; the app
    # makes its own profile store (nothing of the app is imported before `run_desk`)
    system = home / "system"
    system.mkdir(exist_ok=True)
    (system / "trusted-keys.pem").write_text(setup["trusted_key_pem"])
    os.environ["HOMEAGENT_SYSTEM_CONFIG_DIR"] = str(system)
    from homeagent.core.sip_config import EngineConfig
    from homeagent.desktop.app import AppOptions, run_desk

    def started(session: object) -> None:
        from homeagent.core.agent_state import AgentState

        session.model.set_presence(AgentState.AVAILABLE)  # type: ignore[attr-defined]
        if args.wrap_up:
            drive_wrap_ups(session)

    return run_desk(
        AppOptions(
            profile_file=args.profile,
            lang="fr",
            data_dir=home / "agent",
            config_dir=home / "config",
            use_audio=args.audio,
            vault=FileVault(home / "vault.json"),
            engine_config=EngineConfig(bind_address="127.0.0.1"),
            credentials=(setup["login"], setup["password"]),
            on_started=started,
        )
    )


if __name__ == "__main__":
    raise SystemExit(main())
