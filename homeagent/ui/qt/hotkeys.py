"""Global hotkeys: key combinations that reach HomeAgent while another window has focus.

Only X11 lets a program do that: `XGrabKey` on the root window, through `ctypes` on
libX11, on a connection of our own whose socket a `QSocketNotifier` watches (so the
events come on the GUI thread, and Qt's own xcb connection is left alone). Wayland
forbids it by design, and the offscreen platform has no keyboard: `availability()` says
so and nothing is grabbed. A combination another program already holds cannot be grabbed
(X11 says BadAccess): `GlobalHotkeys.start` reports it per action.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import enum
import logging
import os
from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import QObject, QSocketNotifier, Qt, Signal
from PySide6.QtGui import QGuiApplication, QKeySequence

_log = logging.getLogger(__name__)

# X11 constants (X.h)
KEY_PRESS = 2
SHIFT_MASK, LOCK_MASK, CONTROL_MASK, MOD1_MASK, MOD2_MASK, MOD4_MASK = 1, 2, 4, 8, 16, 64
GRAB_MODE_ASYNC = 1
BAD_ACCESS = 10
# Caps Lock and Num Lock must not stop a hotkey: grab every combination of them
_LOCKS = (0, LOCK_MASK, MOD2_MASK, LOCK_MASK | MOD2_MASK)
_MODIFIERS = {
    Qt.KeyboardModifier.ShiftModifier: SHIFT_MASK,
    Qt.KeyboardModifier.ControlModifier: CONTROL_MASK,
    Qt.KeyboardModifier.AltModifier: MOD1_MASK,
    Qt.KeyboardModifier.MetaModifier: MOD4_MASK,
}
_SPECIAL_KEYSYMS = {
    Qt.Key.Key_Return: 0xFF0D,
    Qt.Key.Key_Enter: 0xFF8D,
    Qt.Key.Key_Space: 0x20,
    Qt.Key.Key_Escape: 0xFF1B,
    Qt.Key.Key_Tab: 0xFF09,
    Qt.Key.Key_Backspace: 0xFF08,
    Qt.Key.Key_Insert: 0xFF63,
    Qt.Key.Key_Delete: 0xFFFF,
    Qt.Key.Key_Home: 0xFF50,
    Qt.Key.Key_End: 0xFF57,
    Qt.Key.Key_PageUp: 0xFF55,
    Qt.Key.Key_PageDown: 0xFF56,
    Qt.Key.Key_Pause: 0xFF13,
}


class Availability(enum.Enum):
    """Whether this desktop lets a program have global hotkeys."""

    AVAILABLE = "available"
    WAYLAND = "wayland"  # forbidden by the compositor's design
    UNSUPPORTED = "unsupported"  # another platform (offscreen, Windows, macOS: not yet)
    NO_X11_LIBRARY = "no_x11_library"


def availability(platform_name: str | None = None) -> Availability:
    """What this session allows (`platform_name`: Qt's, by default the running one)."""
    name = platform_name if platform_name is not None else QGuiApplication.platformName()
    if name.startswith("wayland") or (
        name != "xcb" and os.environ.get("XDG_SESSION_TYPE") == "wayland"
    ):
        return Availability.WAYLAND
    if name != "xcb":
        return Availability.UNSUPPORTED
    return Availability.AVAILABLE if _libx11() is not None else Availability.NO_X11_LIBRARY


def combination(text: str) -> tuple[int, int] | None:
    """(X keysym, X modifier mask) of a Qt key sequence text ("Ctrl+Alt+A"), or None."""
    sequence = QKeySequence(text)
    if sequence.isEmpty() or sequence.count() != 1:
        return None
    combo = sequence[0]  # type: ignore[index]  # QKeySequence.__getitem__ exists at run time
    key, mods = combo.key(), combo.keyboardModifiers()
    mask = 0
    for qt_mod, x_mod in _MODIFIERS.items():
        if mods & qt_mod:
            mask |= x_mod
    value = int(key.value) if hasattr(key, "value") else int(key)
    if Qt.Key.Key_A.value <= value <= Qt.Key.Key_Z.value:
        keysym = ord(chr(value).lower())  # XK_a … XK_z
    elif Qt.Key.Key_0.value <= value <= Qt.Key.Key_9.value:
        keysym = value  # XK_0 … XK_9 are ASCII too
    elif Qt.Key.Key_F1.value <= value <= Qt.Key.Key_F35.value:
        keysym = 0xFFBE + value - Qt.Key.Key_F1.value  # XK_F1 …
    elif key in _SPECIAL_KEYSYMS:
        keysym = _SPECIAL_KEYSYMS[key]
    else:
        return None
    if mask == 0:
        return None  # a bare key grabbed for the whole desktop would stop the agent typing
    return keysym, mask


# -- libX11 through ctypes ---------------------------------------------------------------


class _XKeyEvent(ctypes.Structure):
    _fields_ = [
        ("type", ctypes.c_int),
        ("serial", ctypes.c_ulong),
        ("send_event", ctypes.c_int),
        ("display", ctypes.c_void_p),
        ("window", ctypes.c_ulong),
        ("root", ctypes.c_ulong),
        ("subwindow", ctypes.c_ulong),
        ("time", ctypes.c_ulong),
        ("x", ctypes.c_int),
        ("y", ctypes.c_int),
        ("x_root", ctypes.c_int),
        ("y_root", ctypes.c_int),
        ("state", ctypes.c_uint),
        ("keycode", ctypes.c_uint),
        ("same_screen", ctypes.c_int),
    ]


class _XEvent(ctypes.Union):
    _fields_ = [
        ("type", ctypes.c_int),
        ("xkey", _XKeyEvent),
        ("pad", ctypes.c_long * 24),
    ]


class _XErrorEvent(ctypes.Structure):
    _fields_ = [
        ("type", ctypes.c_int),
        ("display", ctypes.c_void_p),
        ("resourceid", ctypes.c_ulong),
        ("serial", ctypes.c_ulong),
        ("error_code", ctypes.c_ubyte),
        ("request_code", ctypes.c_ubyte),
        ("minor_code", ctypes.c_ubyte),
    ]


_ERROR_HANDLER = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.POINTER(_XErrorEvent))
_lib: Any = None


def _libx11() -> Any:
    """libX11, loaded once (None when it is not installed)."""
    global _lib
    if _lib is None:
        name = ctypes.util.find_library("X11") or "libX11.so.6"
        try:
            lib = ctypes.CDLL(name)
        except OSError:
            return None
        lib.XOpenDisplay.restype = ctypes.c_void_p
        lib.XOpenDisplay.argtypes = [ctypes.c_char_p]
        lib.XCloseDisplay.argtypes = [ctypes.c_void_p]
        lib.XDefaultRootWindow.restype = ctypes.c_ulong
        lib.XDefaultRootWindow.argtypes = [ctypes.c_void_p]
        lib.XConnectionNumber.argtypes = [ctypes.c_void_p]
        lib.XKeysymToKeycode.restype = ctypes.c_ubyte
        lib.XKeysymToKeycode.argtypes = [ctypes.c_void_p, ctypes.c_ulong]
        lib.XGrabKey.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_uint, ctypes.c_ulong,
                                 ctypes.c_int, ctypes.c_int, ctypes.c_int]  # fmt: skip
        lib.XUngrabKey.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_uint, ctypes.c_ulong]
        lib.XSync.argtypes = [ctypes.c_void_p, ctypes.c_int]
        lib.XPending.argtypes = [ctypes.c_void_p]
        lib.XNextEvent.argtypes = [ctypes.c_void_p, ctypes.POINTER(_XEvent)]
        lib.XSetErrorHandler.restype = ctypes.c_void_p
        lib.XSetErrorHandler.argtypes = [ctypes.c_void_p]
        _lib = lib
    return _lib


class X11KeyGrabber:
    """Passive key grabs on the root window of one X display (no Qt: `fileno()` to watch,
    `read_keys()` when it is readable). `display` None: the DISPLAY variable."""

    def __init__(self, display: str | None = None) -> None:
        lib = _libx11()
        if lib is None:
            raise OSError("libX11 is not installed")
        self._x = lib
        self._dpy = lib.XOpenDisplay(display.encode() if display else None)
        if not self._dpy:
            raise OSError(f"cannot open the X display {display or os.environ.get('DISPLAY')}")
        self._root = lib.XDefaultRootWindow(self._dpy)
        self._grabs: dict[tuple[int, int], str] = {}  # (keycode, mask) -> name

    def fileno(self) -> int:
        return int(self._x.XConnectionNumber(self._dpy))

    def grab(self, name: str, keysym: int, mask: int) -> bool:
        """Grab the combination for `name`; False when another program holds it."""
        keycode = int(self._x.XKeysymToKeycode(self._dpy, keysym))
        if not keycode:
            return False
        errors: list[int] = []

        def on_error(_dpy: int, event: Any) -> int:
            errors.append(int(event.contents.error_code))
            return 0

        handler = _ERROR_HANDLER(on_error)
        previous = self._x.XSetErrorHandler(ctypes.cast(handler, ctypes.c_void_p))
        try:
            for lock in _LOCKS:
                self._x.XGrabKey(self._dpy, keycode, mask | lock, self._root, 0,
                                 GRAB_MODE_ASYNC, GRAB_MODE_ASYNC)  # fmt: skip
            self._x.XSync(self._dpy, 0)  # the errors, if any, arrive now
        finally:
            self._x.XSetErrorHandler(previous)
        if errors:
            for lock in _LOCKS:
                self._x.XUngrabKey(self._dpy, keycode, mask | lock, self._root)
            self._x.XSync(self._dpy, 0)
            return False
        self._grabs[(keycode, mask)] = name
        return True

    def read_keys(self) -> list[str]:
        """The names of the grabbed combinations pressed since the last call."""
        pressed = []
        event = _XEvent()
        while self._x.XPending(self._dpy):
            self._x.XNextEvent(self._dpy, ctypes.byref(event))
            if event.type != KEY_PRESS:
                continue
            mask = event.xkey.state & ~(LOCK_MASK | MOD2_MASK) & 0xFF
            name = self._grabs.get((int(event.xkey.keycode), int(mask)))
            if name is not None:
                pressed.append(name)
        return pressed

    @property
    def grabbed(self) -> list[str]:
        return list(self._grabs.values())

    def close(self) -> None:
        """Release every grab and the connection."""
        if not self._dpy:
            return
        for keycode, mask in self._grabs:
            for lock in _LOCKS:
                self._x.XUngrabKey(self._dpy, keycode, mask | lock, self._root)
        self._grabs.clear()
        self._x.XSync(self._dpy, 0)
        self._x.XCloseDisplay(self._dpy)
        self._dpy = None


class GlobalHotkeys(QObject):
    """Grabs the given combinations (X11 only) and emits `triggered(name)` on the GUI
    thread when one is pressed, whichever window has focus."""

    triggered = Signal(str)  # payload: the action's name ("answer", "hangup"…)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._grabber: X11KeyGrabber | None = None
        self._notifier: QSocketNotifier | None = None

    @property
    def active(self) -> bool:
        return self._grabber is not None

    def start(self, bindings: Mapping[str, str]) -> dict[str, bool]:
        """Grab `bindings` (name -> "Ctrl+Alt+A"); per name, whether it worked. Nothing is
        grabbed (all False) unless `availability()` is AVAILABLE."""
        self.stop()
        result = dict.fromkeys(bindings, False)
        if availability() is not Availability.AVAILABLE:
            return result
        try:
            grabber = X11KeyGrabber()
        except OSError as exc:
            _log.warning("global hotkeys unavailable: %s", exc)
            return result
        for name, text in bindings.items():
            combo = combination(text)
            result[name] = combo is not None and grabber.grab(name, *combo)
        if not grabber.grabbed:
            grabber.close()
            return result
        self._grabber = grabber
        self._notifier = QSocketNotifier(grabber.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._on_notifier_activated)
        self._on_notifier_activated()  # events Xlib already read while grabbing
        _log.info("global hotkeys grabbed: %s", ", ".join(grabber.grabbed))
        return result

    def stop(self) -> None:
        """Release every grab."""
        if self._notifier is not None:
            self._notifier.setEnabled(False)
            self._notifier.deleteLater()
            self._notifier = None
        if self._grabber is not None:
            self._grabber.close()
            self._grabber = None

    def _on_notifier_activated(self, *_args: object) -> None:
        if self._grabber is None:
            return
        for name in self._grabber.read_keys():
            self.triggered.emit(name)
