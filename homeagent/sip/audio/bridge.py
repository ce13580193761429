"""The engine-side half of headset audio: a pjsua2 media port feeding two drift buffers.

pjsua2 runs on its null sound device; the conference bridge, clocked by that device's
own thread (pjmedia's, *not* the engine thread: we checked), calls `onFrameRequested`
(what we send: microphone audio) and `onFrameReceived` (what we hear) every 20 ms with
the GIL held. Both callbacks only move one frame in or out of a `DriftBuffer` (a lock,
a slice, ~20 µs; the frame's bytes are copied with one memmove, never through SWIG's
element-by-element conversion) and touch no pjsua2 object but the frame handed in; the
device side (Qt Multimedia, its own thread) does everything else.

`PjAudioBridge` implements the engine's `AudioAttachment` protocol: `open()` after
libStart, `attach(media)`/`detach(media)` as a call's audio becomes active/inactive,
`close()` before libDestroy — all on the engine thread.
"""

from __future__ import annotations

import ctypes
import logging
import threading
from collections.abc import Callable
from typing import Any

import pjsua2 as pj

from homeagent.sip.audio.ringbuffer import SAMPLE_BYTES, DriftBuffer

log = logging.getLogger(__name__)

CLOCK_RATE_HZ = 16000  # G.722's rate; the conference bridge resamples if its own differs
FRAME_MS = 20
PTR_SIZE = ctypes.sizeof(ctypes.c_void_p)


def _vector_bytes_slow(vec: Any) -> bytes:
    return bytes(vec)  # SWIG iterates element by element: ~0.4 ms for a 640-byte frame


def _vector_bytes_fast(vec: Any) -> bytes:
    """The bytes of a SWIG `std::vector<unsigned char>` without iterating in Python.

    libstdc++ lays a vector out as three pointers (begin, end, end of storage); reading
    begin/end and copying with `string_at` takes ~1.5 µs instead of ~400 µs. `open()`
    checks this against the slow path once and falls back if the layout differs.
    """
    addr = int(vec.this)
    begin = ctypes.c_void_p.from_address(addr).value
    end = ctypes.c_void_p.from_address(addr + PTR_SIZE).value
    if not begin or not end or end < begin:
        return b""
    return ctypes.string_at(begin, end - begin)


def _vector_fill_slow(frame: Any, data: bytes) -> None:
    frame.buf = pj.ByteVector(data)  # SWIG converts element by element: ~40 µs for 640 bytes


def _vector_fill_fast(frame: Any, data: bytes) -> None:
    """Copy `data` into the frame's `std::vector<unsigned char>` in place.

    `frame.buf` is a reference to the member (not a copy); `resize` runs in C++, and the
    bytes go in with one `memmove` at the vector's begin pointer (the layout checked by
    `_pick_vector_io`).
    """
    vec = frame.buf
    vec.resize(len(data))
    if data:
        begin = ctypes.c_void_p.from_address(int(vec.this)).value
        if not begin:
            raise ValueError("empty vector after resize")
        ctypes.memmove(begin, data, len(data))


def _pick_vector_io() -> tuple[Callable[[Any], bytes], Callable[[Any, bytes], None]]:
    probe = bytes(range(256)) * 2 + bytes(range(128))
    read: Callable[[Any], bytes] = _vector_bytes_slow
    fill: Callable[[Any, bytes], None] = _vector_fill_slow
    try:
        if _vector_bytes_fast(pj.ByteVector(probe)) == probe:
            read = _vector_bytes_fast
        frame = pj.MediaFrame()
        _vector_fill_fast(frame, probe)
        if bytes(frame.buf) == probe:
            fill = _vector_fill_fast
    except (AttributeError, TypeError, ValueError, OSError):
        pass
    if read is _vector_bytes_slow or fill is _vector_fill_slow:
        log.warning("audio bridge: fast ByteVector access unavailable, using the slow path")
    return read, fill


class _Port(pj.AudioMediaPort):  # type: ignore[misc]
    """The conference port. Callbacks run on the null-device clock thread: keep them tiny."""

    def __init__(
        self,
        uplink: DriftBuffer,
        downlink: DriftBuffer,
        frame_samples: int,
        vector_io: tuple[Callable[[Any], bytes], Callable[[Any, bytes], None]],
    ) -> None:
        super().__init__()
        self._read_up = uplink.read
        self._write_down = downlink.write
        self._frame_samples = frame_samples
        self._read_vector, self._fill_vector = vector_io
        self._audio = pj.PJMEDIA_FRAME_TYPE_AUDIO
        self.frames_requested = 0
        self.frames_received = 0

    def onFrameRequested(self, frame: Any) -> None:
        data = self._read_up(self._frame_samples)
        frame.type = self._audio
        self._fill_vector(frame, data)
        frame.size = len(data)
        self.frames_requested += 1

    def onFrameReceived(self, frame: Any) -> None:
        self.frames_received += 1
        if frame.type != self._audio:
            return
        data = self._read_vector(frame.buf)
        if len(data) % SAMPLE_BYTES:
            data = data[: len(data) - len(data) % SAMPLE_BYTES]
        if data:
            self._write_down(data)


class PjAudioBridge:
    """`AudioAttachment` for the SIP engine: call audio <-> the headset via drift buffers.

    `on_active(True)` is called (engine thread) when the first call's audio is attached,
    `on_active(False)` when the last is detached: the device side opens and closes the
    headset streams on it. Every method must be called on the engine thread.
    """

    def __init__(
        self,
        uplink: DriftBuffer,
        downlink: DriftBuffer,
        *,
        on_active: Callable[[bool], None] | None = None,
        clock_rate_hz: int = CLOCK_RATE_HZ,
        frame_ms: int = FRAME_MS,
    ) -> None:
        self.uplink = uplink  # microphone -> far end
        self.downlink = downlink  # far end -> headset
        self._on_active = on_active
        self.clock_rate_hz = clock_rate_hz
        self.frame_ms = frame_ms
        self._port: _Port | None = None
        self._attached: list[Any] = []  # the AudioMedia we are connected to (refs kept)
        self._owner: int | None = None

    # -- AudioAttachment -------------------------------------------------------------

    def open(self) -> None:
        """Create the conference port (engine thread, after libStart)."""
        if self._port is not None:
            return
        self._owner = threading.get_ident()
        frame_samples = self.clock_rate_hz * self.frame_ms // 1000
        fmt = pj.MediaFormatAudio()
        fmt.init(pj.PJMEDIA_FORMAT_PCM, self.clock_rate_hz, 1, self.frame_ms * 1000, 16)
        port = _Port(self.uplink, self.downlink, frame_samples, _pick_vector_io())
        port.createPort("homeagent-headset", fmt)
        self._port = port
        log.info("audio bridge open: %d Hz mono, %d ms frames", self.clock_rate_hz, self.frame_ms)

    def attach(self, media: Any) -> None:
        """Connect a call's audio both ways (engine thread)."""
        self._check_thread()
        if self._port is None:
            raise RuntimeError("attach() before open()")
        if any(m is media for m in self._attached):
            return
        first = not self._attached
        if first:
            self.uplink.clear()
            self.downlink.clear()
        media.startTransmit(self._port)
        self._port.startTransmit(media)
        self._attached.append(media)
        if first and self._on_active is not None:
            self._on_active(True)

    def detach(self, media: Any) -> None:
        """Disconnect a call's audio (engine thread); unknown media is ignored."""
        self._check_thread()
        index = next((i for i, m in enumerate(self._attached) if m is media), None)
        if index is None:
            return
        del self._attached[index]
        if self._port is not None:
            self._stop_transmit(media)
        if not self._attached and self._on_active is not None:
            self._on_active(False)

    def drop(self, media: Any) -> None:
        """Forget a call's audio whose conference port pjsua already removed (engine
        thread). Nothing is disconnected: pjsua removed the port's connections with it,
        and the bridge turns a disconnection from a removed port into "everything from
        (or to) the other port", which would cut every other call or leg from the headset.
        """
        self._check_thread()
        index = next((i for i, m in enumerate(self._attached) if m is media), None)
        if index is None:
            return
        del self._attached[index]
        if not self._attached and self._on_active is not None:
            self._on_active(False)

    def close(self) -> None:
        """Disconnect everything and drop the port (engine thread, before libDestroy)."""
        if self._port is None:
            return
        self._check_thread()
        had_calls = bool(self._attached)
        for media in self._attached:
            self._stop_transmit(media)
        self._attached.clear()
        self._destroy_port()
        if had_calls and self._on_active is not None:
            self._on_active(False)

    def _destroy_port(self) -> None:
        # The null device's clock thread keeps calling the port's Python callbacks even
        # when nothing is connected. Dropping the last reference while it runs frees the
        # Python object before the C++ destructor unplugs it from the conference bridge,
        # and a callback landing in between crashes the process (we saw AttributeError,
        # then segfaults). So: stop the clock, destroy the port, restart the clock.
        adm = pj.Endpoint.instance().audDevManager()
        adm.setNoDev()
        try:
            port, self._port = self._port, None
            del port
        finally:
            adm.setNullDev()

    # -- figures ---------------------------------------------------------------------

    @property
    def port(self) -> Any:
        """The conference port (a `pj.AudioMedia`), or None before `open()`.

        Attaching it to itself (`attach(bridge.port)`) makes an echo loop, microphone ->
        pjsua2 -> headset: what the latency benchmark measures.
        """
        return self._port

    @property
    def active(self) -> bool:
        return bool(self._attached)

    @property
    def frames(self) -> tuple[int, int]:
        """(frames requested, frames received) by the conference bridge so far."""
        if self._port is None:
            return (0, 0)
        return (self._port.frames_requested, self._port.frames_received)

    def _stop_transmit(self, media: Any) -> None:
        assert self._port is not None
        # pjsua2 asserts (aborts the process) on a negative conference slot; the engine
        # detaches while the call's media is still valid, and we skip what is already gone.
        if media.getPortId() < 0 or self._port.getPortId() < 0:
            return
        try:
            media.stopTransmit(self._port)
        except pj.Error as exc:
            log.debug("audio bridge: stopTransmit(call->port): %s", exc.info())
        try:
            self._port.stopTransmit(media)
        except pj.Error as exc:
            log.debug("audio bridge: stopTransmit(port->call): %s", exc.info())

    def _check_thread(self) -> None:
        if self._owner is not None and threading.get_ident() != self._owner:
            raise RuntimeError("PjAudioBridge used off the engine thread")
