"""PulseDeviceWatch with the real libpulse: no server means a quick, quiet False."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from homeagent.sip.audio.pulse_watch import PulseDeviceWatch


def test_no_server_is_reported_quickly(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PULSE_SERVER", f"unix:{tmp_path / 'nothing-here'}")
    monkeypatch.setenv("PULSE_RUNTIME_PATH", str(tmp_path))
    monkeypatch.setenv("HOME", str(tmp_path))
    changes: list[None] = []
    watch = PulseDeviceWatch(lambda: changes.append(None))
    t0 = time.monotonic()
    assert watch.start(timeout_s=3.0) is False
    assert time.monotonic() - t0 < 2.0
    assert not watch.active
    assert watch.present() == (frozenset(), frozenset())
    watch.stop()  # idempotent
    assert changes == []
