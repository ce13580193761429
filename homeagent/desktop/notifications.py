"""The freedesktop notification service (``org.freedesktop.Notifications`` on the session
bus), for `homeagent.ui.shell.notifier.Notifier`.

Why jeepney and not QtDBus: the specification's Notify takes ``replaces_id`` as a D-Bus
``uint32`` (and CloseNotification its id), and PySide6's QtDBus cannot marshal one from
Python: a Python int goes out as ``int32`` (QDBusMessage) or ``uint16``
(``QDBusArgument <<``), and servers built on GDBus refuse the call ("Type of message
'(sisssasa{sv}i)' does not match expected type"); QDBusInterface's typed path stops at the
``a{sv}`` hints, which introspection leaves as a raw type. jeepney (pure Python, already
under `keyring` on Linux) writes exact signatures; its socket is read by a
`QSocketNotifier` on the GUI thread, so nothing ever blocks: calls are sent and their
replies and the ActionInvoked / NotificationClosed signals are dispatched as they come.
Signals are taken on the same connection that created the notifications: servers such as
dunst send them to the notification's sender only.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QObject, QSocketNotifier

log = logging.getLogger(__name__)

NAME = "org.freedesktop.Notifications"
PATH = "/org/freedesktop/Notifications"
IFACE = "org.freedesktop.Notifications"
APP_NAME = "HomeAgent"
DESKTOP_ENTRY = "homeagent"  # installers/debian/homeagent.desktop


class FreedesktopNotifications(QObject):
    """`DesktopNotifications` over the session bus; `available` once the server answered."""

    def __init__(self, connection: Any, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._conn = connection
        self.available = False
        self.supports_actions = False
        self.capabilities: tuple[str, ...] = ()
        self._replies: dict[int, Callable[[Any], None]] = {}
        self._tokens = itertools.count(1)
        self._ids: dict[int, int] = {}  # token → server id
        self._by_id: dict[int, tuple[int, Callable[[str], None] | None]] = {}
        self._closed: set[int] = set()  # tokens closed before their id arrived
        self._reader = QSocketNotifier(connection.sock.fileno(), QSocketNotifier.Type.Read, self)
        self._reader.activated.connect(self._on_readable)
        from jeepney import MatchRule
        from jeepney.bus_messages import message_bus

        rule = MatchRule(type="signal", interface=IFACE, path=PATH)
        self._call(message_bus.AddMatch(rule), lambda _reply: None)
        self._call(self._method("GetCapabilities"), self._on_capabilities)

    @classmethod
    def connect_session(cls, parent: QObject | None = None) -> FreedesktopNotifications | None:
        """On the session bus of ``$DBUS_SESSION_BUS_ADDRESS``, or None without a bus."""
        try:
            from jeepney.io.blocking import open_dbus_connection
        except ImportError:  # not Linux, or jeepney missing: the tray's balloon will do
            return None
        try:
            conn = open_dbus_connection(bus="SESSION")
        except Exception as exc:  # no session bus (a bare X session, a service account)
            log.info("no D-Bus session bus for notifications: %s", exc)
            return None
        return cls(conn, parent)

    # -- DesktopNotifications ----------------------------------------------------------

    def show(
        self,
        title: str,
        body: str,
        *,
        actions: Sequence[tuple[str, str]] = (),
        on_action: Callable[[str], None] | None = None,
        on_failed: Callable[[], None] | None = None,
        urgent: bool = False,
    ) -> int:
        """Notify (asynchronously); the token is valid at once."""
        token = next(self._tokens)
        flat: list[str] = []
        for key, label in actions if "actions" in self.capabilities else ():
            flat += [key, label]
        hints: dict[str, tuple[str, object]] = {
            "desktop-entry": ("s", DESKTOP_ENTRY),
            "urgency": ("y", 2 if urgent else 1),
        }
        if urgent:
            hints["category"] = ("s", "call.incoming")  # a hint only: no standard name yet
            hints["suppress-sound"] = ("b", True)  # the desk rings itself
            hints["resident"] = ("b", False)
        timeout = 0 if urgent else -1  # a ringing call stays until it stops ringing
        message = self._method(
            "Notify",
            "susssasa{sv}i",
            (APP_NAME, 0, "call-start" if urgent else "", title, body, flat, hints, timeout),
        )

        def done(reply: Any) -> None:
            if _is_error(reply):
                log.warning("the notification server refused a notification: %s", reply.body)
                if on_failed is not None:
                    on_failed()
                return
            (server_id,) = reply.body
            if token in self._closed:  # the call stopped ringing before the id came
                self._closed.discard(token)
                self._call(self._method("CloseNotification", "u", (server_id,)), None)
                return
            self._ids[token] = server_id
            self._by_id[server_id] = (token, on_action)

        self._call(message, done)
        return token

    def close(self, token: int) -> None:
        """CloseNotification for `token` (at once, or as soon as its id is known)."""
        server_id = self._ids.pop(token, None)
        if server_id is None:
            self._closed.add(token)
            return
        self._by_id.pop(server_id, None)
        self._call(self._method("CloseNotification", "u", (server_id,)), None)

    def shutdown(self) -> None:
        """Stop reading and close the connection (at the end of the run)."""
        self._reader.setEnabled(False)
        with contextlib.suppress(OSError):
            self._conn.close()

    # -- the wire ----------------------------------------------------------------------

    @staticmethod
    def _method(member: str, signature: str | None = None, body: tuple[Any, ...] = ()) -> Any:
        from jeepney import DBusAddress, new_method_call

        address = DBusAddress(PATH, bus_name=NAME, interface=IFACE)
        return new_method_call(address, member, signature, body)

    def _call(self, message: Any, on_reply: Callable[[Any], None] | None) -> None:
        serial = next(self._conn.outgoing_serial)
        if on_reply is not None:
            self._replies[serial] = on_reply
        try:
            self._conn.send(message, serial=serial)
        except OSError as exc:
            log.warning("the session bus went away: %s", exc)
            self._replies.pop(serial, None)
            self.available = False

    def _on_readable(self) -> None:
        from jeepney import HeaderFields, MessageType

        while True:
            try:
                msg = self._conn.receive(timeout=0)
            except TimeoutError:
                return
            except (OSError, ValueError) as exc:  # the bus closed: notifications fall back
                log.warning("the session bus closed: %s", exc)
                self.available = False
                self._reader.setEnabled(False)
                return
            fields = msg.header.fields
            kind = msg.header.message_type
            if kind in (MessageType.method_return, MessageType.error):
                handler = self._replies.pop(fields.get(HeaderFields.reply_serial, -1), None)
                if handler is not None:
                    self._run(handler, msg)
            elif kind is MessageType.signal and fields.get(HeaderFields.interface) == IFACE:
                self._on_signal(fields.get(HeaderFields.member), msg.body)

    def _on_signal(self, member: str | None, body: tuple[Any, ...]) -> None:
        if member == "ActionInvoked" and len(body) == 2:
            server_id, key = body
            token, on_action = self._by_id.get(server_id, (0, None))
            if on_action is not None:
                self._run(on_action, str(key))
        elif member == "NotificationClosed" and body:
            token, _ = self._by_id.pop(body[0], (0, None))
            self._ids.pop(token, None)

    def _on_capabilities(self, reply: Any) -> None:
        if _is_error(reply):
            log.info("no notification server on the session bus: %s", reply.body)
            return
        self.capabilities = tuple(str(c) for c in reply.body[0])
        self.available = True
        self.supports_actions = "actions" in self.capabilities
        log.info("notification server: actions %s", "yes" if self.supports_actions else "no")

    @staticmethod
    def _run(handler: Callable[[Any], None], arg: Any) -> None:
        try:
            handler(arg)
        except Exception:  # one bad handler must not stop the bus reader
            log.exception("a notification handler failed")


def _is_error(reply: Any) -> bool:
    from jeepney import MessageType

    return bool(reply.header.message_type is MessageType.error)
