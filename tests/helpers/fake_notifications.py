"""A small ``org.freedesktop.Notifications`` server for tests (jeepney, its own process).

``python -m tests.helpers.fake_notifications --record FILE [--no-actions]`` owns the name
on the session bus of its environment, answers GetCapabilities / GetServerInformation /
Notify / CloseNotification with the specification's signatures (and refuses a Notify
whose signature is not ``susssasa{sv}i``, as GDBus-based servers do), and records each
call as a JSON line. Tests play the user with its control interface:
``org.homeagent.test.FakeNotifications.Invoke(u id, s action)`` emits ActionInvoked and
NotificationClosed(id, 2) like a click on the action.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from jeepney import DBusAddress, HeaderFields, MessageType, new_error, new_method_return, new_signal
from jeepney.bus_messages import message_bus
from jeepney.io.blocking import open_dbus_connection

NAME = "org.freedesktop.Notifications"
PATH = "/org/freedesktop/Notifications"
IFACE = "org.freedesktop.Notifications"
CONTROL = "org.homeagent.test.FakeNotifications"
NOTIFY_SIGNATURE = "susssasa{sv}i"

INTROSPECTION = f"""<!DOCTYPE node PUBLIC "-//freedesktop//DTD D-BUS Object Introspection 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/introspect.dtd">
<node>
 <interface name="{IFACE}">
  <method name="GetCapabilities"><arg type="as" direction="out"/></method>
  <method name="Notify">
   <arg type="s" direction="in"/><arg type="u" direction="in"/><arg type="s" direction="in"/>
   <arg type="s" direction="in"/><arg type="s" direction="in"/><arg type="as" direction="in"/>
   <arg type="a{{sv}}" direction="in"/><arg type="i" direction="in"/>
   <arg type="u" direction="out"/>
  </method>
  <method name="CloseNotification"><arg type="u" direction="in"/></method>
  <method name="GetServerInformation">
   <arg type="s" direction="out"/><arg type="s" direction="out"/>
   <arg type="s" direction="out"/><arg type="s" direction="out"/>
  </method>
  <signal name="NotificationClosed"><arg type="u"/><arg type="u"/></signal>
  <signal name="ActionInvoked"><arg type="u"/><arg type="s"/></signal>
 </interface>
</node>"""


def _plain(value: object) -> object:
    """Hints arrive as (signature, value) variants: keep the value."""
    if isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], str):
        return value[1]
    return value


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--record", type=Path, required=True)
    p.add_argument("--no-actions", action="store_true")
    args = p.parse_args()
    caps = ["body"] if args.no_actions else ["actions", "body"]
    conn = open_dbus_connection(bus="SESSION")
    reply = conn.send_and_get_reply(message_bus.RequestName(NAME, 4))  # DO_NOT_QUEUE
    if reply.body[0] != 1:
        print(f"could not own {NAME}: {reply.body}", file=sys.stderr)
        return 1
    emitter = DBusAddress(PATH, interface=IFACE)
    next_id = 0
    record = args.record.open("a", encoding="utf-8")

    def log(**entry: object) -> None:
        record.write(json.dumps(entry) + "\n")
        record.flush()

    print("ready", flush=True)
    while True:
        msg = conn.receive()
        if msg.header.message_type is not MessageType.method_call:
            continue
        member = msg.header.fields.get(HeaderFields.member)
        signature = msg.header.fields.get(HeaderFields.signature, "")
        if member == "Introspect":
            conn.send(new_method_return(msg, "s", (INTROSPECTION,)))
        elif member == "GetCapabilities":
            log(call="GetCapabilities")
            conn.send(new_method_return(msg, "as", (caps,)))
        elif member == "GetServerInformation":
            conn.send(new_method_return(msg, "ssss", ("fake", "homeagent-tests", "1", "1.2")))
        elif member == "Notify":
            if signature != NOTIFY_SIGNATURE:
                log(call="Notify", refused=signature)
                conn.send(new_error(msg, "org.freedesktop.DBus.Error.InvalidArgs", "s",
                                    (f"signature {signature!r}",)))  # fmt: skip
                continue
            app, replaces, _icon, summary, body, actions, hints, timeout = msg.body
            nid = replaces or next_id + 1
            next_id = max(next_id, nid)
            log(call="Notify", id=nid, app=app, replaces=replaces, summary=summary, body=body,
                actions=list(actions), hints={k: _plain(v) for k, v in hints.items()},
                timeout=timeout)  # fmt: skip
            conn.send(new_method_return(msg, "u", (nid,)))
        elif member == "CloseNotification":
            (nid,) = msg.body
            log(call="CloseNotification", id=nid)
            conn.send(new_method_return(msg))
            conn.send(new_signal(emitter, "NotificationClosed", "uu", (nid, 3)))
        elif member == "Invoke":  # the control interface: a click on an action
            nid, key = msg.body
            log(call="Invoke", id=nid, action=key)
            conn.send(new_method_return(msg))
            conn.send(new_signal(emitter, "ActionInvoked", "us", (nid, key)))
            conn.send(new_signal(emitter, "NotificationClosed", "uu", (nid, 2)))
        elif member == "Quit":
            conn.send(new_method_return(msg))
            return 0
        else:
            conn.send(new_error(msg, "org.freedesktop.DBus.Error.UnknownMethod", "s", (member,)))


if __name__ == "__main__":
    raise SystemExit(main())
