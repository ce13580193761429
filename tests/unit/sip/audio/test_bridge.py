"""PjAudioBridge against a real pjsua2 conference bridge on the null device (no SIP, no Qt).

The port is attached to itself, so audio written to the uplink buffer comes back in the
downlink buffer after one trip through pjsua2: frames flow at the null-device clock.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pjsua2 as pj
import pytest

from homeagent.sip.audio.bridge import PjAudioBridge
from homeagent.sip.audio.dsp import dominant_frequency, peak_level, tone
from homeagent.sip.audio.ringbuffer import DriftBuffer
from homeagent.sip.media import AudioAttachment


class Endpoint:
    """A null-device pjsua2 endpoint; bridges made by `bridge()` are closed before libDestroy."""

    def __init__(self, ep: pj.Endpoint) -> None:
        self.ep = ep
        self.bridges: list[PjAudioBridge] = []

    def bridge(self, up: DriftBuffer, down: DriftBuffer, **kw: object) -> PjAudioBridge:
        b = PjAudioBridge(up, down, **kw)  # type: ignore[arg-type]
        self.bridges.append(b)
        return b


@pytest.fixture
def endpoint() -> Iterator[Endpoint]:
    ep = pj.Endpoint()
    ep.libCreate()
    cfg = pj.EpConfig()
    cfg.uaConfig.threadCnt = 0
    cfg.uaConfig.mainThreadOnly = True
    cfg.logConfig.level = 0
    cfg.logConfig.consoleLevel = 0
    cfg.medConfig.clockRate = 16000
    cfg.medConfig.sndClockRate = 16000
    ep.libInit(cfg)
    ep.libStart()
    ep.audDevManager().setNullDev()
    holder = Endpoint(ep)
    try:
        yield holder
    finally:
        for b in holder.bridges:  # a port outliving libDestroy aborts the process
            b.close()
        ep.libDestroy()


def run_device(ep: Endpoint, up: DriftBuffer, down: DriftBuffer, source: bytes, s: float) -> bytes:
    """Play the part of the device thread in real time: feed `up`, drain `down`."""
    start = time.monotonic()
    fed = drained = 0
    heard: list[bytes] = []
    while (now := time.monotonic() - start) < s:
        ep.ep.libHandleEvents(5)
        due = int(now * 16000)
        if due > fed:
            up.write(source[2 * fed : 2 * due])
            fed = due
        if due > drained:
            heard.append(down.read(due - drained))
            drained = due
    return b"".join(heard)


def test_is_the_engines_audio_attachment() -> None:
    bridge = PjAudioBridge(DriftBuffer(), DriftBuffer())
    assert isinstance(bridge, AudioAttachment)


def test_audio_goes_through_pjsua2_and_back(endpoint: Endpoint) -> None:
    up, down = DriftBuffer(target_ms=30), DriftBuffer(target_ms=30)
    active: list[bool] = []
    bridge = endpoint.bridge(up, down, on_active=active.append)
    bridge.open()
    bridge.attach(bridge.port)  # echo loop
    assert active == [True]
    heard = run_device(endpoint, up, down, tone(1000, 3.0, rate_hz=16000, amplitude=0.5), 2.0)
    requested, received = bridge.frames
    assert requested >= 40  # ~50 frames/s each way; generous for a loaded machine
    assert received >= 40
    tail = heard[len(heard) // 4 * 2 :]  # the second half, on a sample boundary
    assert dominant_frequency(tail, 16000, range(500, 1501, 50)) == 1000.0
    assert peak_level(tail) > 0.3
    bridge.detach(bridge.port)
    assert active == [True, False]
    bridge.close()
    assert bridge.port is None


def test_attach_is_idempotent_and_unknown_detach_is_ignored(endpoint: Endpoint) -> None:
    active: list[bool] = []
    bridge = endpoint.bridge(DriftBuffer(), DriftBuffer(), on_active=active.append)
    bridge.open()
    port = bridge.port
    bridge.attach(port)
    bridge.attach(port)
    bridge.detach(object())
    assert active == [True]
    bridge.close()  # with a call still attached: disconnects and reports inactive
    assert active == [True, False]
    assert not bridge.active


def test_refuses_other_threads_and_attach_before_open(endpoint: Endpoint) -> None:
    bridge = endpoint.bridge(DriftBuffer(), DriftBuffer())
    with pytest.raises(RuntimeError, match="before open"):
        bridge.attach(object())
    bridge.open()
    errors: list[str] = []

    def elsewhere() -> None:
        try:
            bridge.attach(bridge.port)
        except RuntimeError as exc:
            # Keep the text only: the traceback would keep the port alive past libDestroy.
            errors.append(str(exc))

    t = threading.Thread(target=elsewhere)
    t.start()
    t.join()
    assert errors
    assert "engine thread" in errors[0]
    bridge.close()


def test_drop_forgets_a_media_without_disconnecting_anything(endpoint: Endpoint) -> None:
    # pjsua already removed a dropped media's port (and its connections); disconnecting
    # from a removed port would disconnect everything from the bridge port instead.
    active: list[bool] = []
    up, down = DriftBuffer(), DriftBuffer()
    bridge = endpoint.bridge(up, down, on_active=active.append)
    bridge.open()
    bridge.attach(bridge.port)  # an echo loop: what goes up comes back down
    bridge.drop(object())  # unknown: ignored
    bridge.drop(bridge.port)
    assert active == [True, False]
    assert not bridge.active
    heard = run_device(endpoint, up, down, tone(1000, 1.0), 0.8)
    assert dominant_frequency(heard[len(heard) // 4 * 2 :], 16000) == 1000  # still connected
