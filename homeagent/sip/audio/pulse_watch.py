"""Which sinks and sources PulseAudio has right now, watched through libpulse (ctypes).

Why: Qt Multimedia 6.12's PulseAudio backend signals a device that appears but not one
that disappears (its list keeps an unplugged headset until the next add/change event;
we measured it against `pactl unload-module`). To fall back when the headset in use is
unplugged, the audio thread filters Qt's list through this set and refreshes on every
sink/source event. PipeWire desktops speak the same protocol (pipewire-pulse).

Where libpulse is missing or the server does not answer, `start()` returns False and Qt's
own list is used as is.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)

_READY, _FAILED, _TERMINATED = 4, 5, 6
_MASK_SINK, _MASK_SOURCE = 0x0001, 0x0002
_NOAUTOSPAWN = 0x0001

_StateCb = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_void_p)
_SubscribeCb = ctypes.CFUNCTYPE(
    None, ctypes.c_void_p, ctypes.c_int, ctypes.c_uint32, ctypes.c_void_p
)
# pa_sink_info / pa_source_info both start with `const char *name`.
_InfoCb = ctypes.CFUNCTYPE(
    None, ctypes.c_void_p, ctypes.POINTER(ctypes.c_char_p), ctypes.c_int, ctypes.c_void_p
)


def _load() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("pulse") or "libpulse.so.0"
    try:
        lib = ctypes.CDLL(name)
    except OSError:
        return None
    vp = ctypes.c_void_p
    sigs: dict[str, tuple[object, list[object]]] = {
        "pa_threaded_mainloop_new": (vp, []),
        "pa_threaded_mainloop_get_api": (vp, [vp]),
        "pa_threaded_mainloop_start": (ctypes.c_int, [vp]),
        "pa_threaded_mainloop_stop": (None, [vp]),
        "pa_threaded_mainloop_free": (None, [vp]),
        "pa_threaded_mainloop_lock": (None, [vp]),
        "pa_threaded_mainloop_unlock": (None, [vp]),
        "pa_context_new": (vp, [vp, ctypes.c_char_p]),
        "pa_context_connect": (ctypes.c_int, [vp, ctypes.c_char_p, ctypes.c_int, vp]),
        "pa_context_disconnect": (None, [vp]),
        "pa_context_unref": (None, [vp]),
        "pa_context_get_state": (ctypes.c_int, [vp]),
        "pa_context_set_state_callback": (None, [vp, _StateCb, vp]),
        "pa_context_set_subscribe_callback": (None, [vp, _SubscribeCb, vp]),
        "pa_context_subscribe": (vp, [vp, ctypes.c_int, vp, vp]),
        "pa_context_get_sink_info_list": (vp, [vp, _InfoCb, vp]),
        "pa_context_get_source_info_list": (vp, [vp, _InfoCb, vp]),
        "pa_operation_unref": (None, [vp]),
    }
    try:
        for fname, (res, args) in sigs.items():
            fn = getattr(lib, fname)
            fn.restype = res
            fn.argtypes = args
    except AttributeError:
        return None
    return lib


class PulseDeviceWatch:
    """Keeps the current sink and source names; calls `on_change` (PA thread) on changes."""

    def __init__(self, on_change: Callable[[], None]) -> None:
        self._on_change = on_change
        self._lib: ctypes.CDLL | None = None
        self._ml: int | None = None
        self._ctx: int | None = None
        self._lock = threading.Lock()
        self._sinks: frozenset[str] = frozenset()
        self._sources: frozenset[str] = frozenset()
        self._pending_sinks: set[str] = set()
        self._pending_sources: set[str] = set()
        self._lists_left = 0
        self._refresh_again = False
        self._failed = False
        self._ready = threading.Event()
        self._listed = threading.Event()
        # ctypes callbacks must stay referenced while libpulse may call them.
        self._state_cb = _StateCb(self._on_state)
        self._subscribe_cb = _SubscribeCb(self._on_subscribe)
        self._sink_cb = _InfoCb(self._on_sink)
        self._source_cb = _InfoCb(self._on_source)

    def start(self, timeout_s: float = 3.0) -> bool:
        """Connect (server from PULSE_SERVER / the usual places); False if unavailable."""
        lib = _load()
        if lib is None:
            log.info("libpulse not available: relying on Qt's device list alone")
            return False
        ml = lib.pa_threaded_mainloop_new()
        if not ml:
            return False
        ctx = lib.pa_context_new(lib.pa_threaded_mainloop_get_api(ml), b"homeagent-devices")
        self._lib, self._ml, self._ctx = lib, ml, ctx
        lib.pa_context_set_state_callback(ctx, self._state_cb, None)
        # PA_CONTEXT_NOAUTOSPAWN: watch a server, never start one.
        if (
            lib.pa_context_connect(ctx, None, _NOAUTOSPAWN, None) < 0
            or lib.pa_threaded_mainloop_start(ml) < 0
        ):
            self.stop()
            return False
        if not (self._ready.wait(timeout_s) and self._listed.wait(timeout_s)) or self._failed:
            log.info("PulseAudio device watch: no server answered; using Qt's list alone")
            self.stop()
            return False
        return True

    def stop(self) -> None:
        lib, ml, ctx = self._lib, self._ml, self._ctx
        if lib is None or ml is None:
            return
        self._lib = self._ml = self._ctx = None
        lib.pa_threaded_mainloop_stop(ml)
        if ctx:
            lib.pa_context_disconnect(ctx)
            lib.pa_context_unref(ctx)
        lib.pa_threaded_mainloop_free(ml)

    @property
    def active(self) -> bool:
        return self._lib is not None

    def present(self) -> tuple[frozenset[str], frozenset[str]]:
        """(sink names, source names) as PulseAudio has them now."""
        with self._lock:
            return self._sinks, self._sources

    # -- libpulse callbacks (its mainloop thread, its lock held) -----------------------

    def _on_state(self, ctx: int, _userdata: int) -> None:
        lib = self._lib
        if lib is None:
            return
        state = lib.pa_context_get_state(ctx)
        if state == _READY:
            lib.pa_context_set_subscribe_callback(ctx, self._subscribe_cb, None)
            op = lib.pa_context_subscribe(ctx, _MASK_SINK | _MASK_SOURCE, None, None)
            if op:
                lib.pa_operation_unref(op)
            self._ready.set()
            self._refresh(ctx)
        elif state in (_FAILED, _TERMINATED):
            self._failed = True
            self._ready.set()
            self._listed.set()

    def _on_subscribe(self, ctx: int, _event: int, _index: int, _userdata: int) -> None:
        self._refresh(ctx)

    def _refresh(self, ctx: int) -> None:
        lib = self._lib
        if lib is None:
            return
        if self._lists_left:
            self._refresh_again = True  # a listing is under way: list once more after it
            return
        self._pending_sinks = set()
        self._pending_sources = set()
        self._lists_left = 2
        for op in (
            lib.pa_context_get_sink_info_list(ctx, self._sink_cb, None),
            lib.pa_context_get_source_info_list(ctx, self._source_cb, None),
        ):
            if op:
                lib.pa_operation_unref(op)

    def _on_sink(self, ctx: int, info: ctypes._Pointer[ctypes.c_char_p], eol: int, _u: int) -> None:
        self._collect(ctx, info, eol, self._pending_sinks)

    def _on_source(
        self, ctx: int, info: ctypes._Pointer[ctypes.c_char_p], eol: int, _u: int
    ) -> None:
        self._collect(ctx, info, eol, self._pending_sources)

    def _collect(
        self, ctx: int, info: ctypes._Pointer[ctypes.c_char_p], eol: int, into: set[str]
    ) -> None:
        if not eol and info:
            name = info[0]
            if name:
                into.add(name.decode("utf-8", errors="backslashreplace"))
            return
        self._lists_left -= 1
        if self._lists_left > 0:
            return
        sinks, sources = frozenset(self._pending_sinks), frozenset(self._pending_sources)
        with self._lock:
            changed = (sinks, sources) != (self._sinks, self._sources)
            self._sinks, self._sources = sinks, sources
        first = not self._listed.is_set()
        self._listed.set()
        if self._refresh_again:
            self._refresh_again = False
            self._refresh(ctx)
        if changed and not first:
            try:
                self._on_change()
            except Exception:
                log.exception("device watch callback failed")
