"""One desk per user: a second ``homeagent`` hands its link to the first and exits.

The first start takes a lock file (`QLockFile`: a lock left by a crashed process is
detected by its PID and taken over) and listens on a per-user local socket
(`QLocalServer`, in ``$XDG_RUNTIME_DIR`` when there is one). A later start finds the lock
held, connects and sends one JSON line: ``{"link": "tel:+33…"}`` (``""``: just raise the
window); the first answers ``ok``. A socket file left by a crash is removed before
listening: only the lock holder may do that, so two starts at once never steal each
other's socket.

The instance name (``--instance`` or ``$HOMEAGENT_INSTANCE``, default ``desk``) keeps
parallel tests and a demo beside a real desk apart.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import tempfile
import time
from pathlib import Path

from PySide6.QtCore import QLockFile, QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

log = logging.getLogger(__name__)

INSTANCE_ENV = "HOMEAGENT_INSTANCE"
DEFAULT_INSTANCE = "desk"
HANDOVER_TIMEOUT_MS = 10_000  # a desk busy on a loaded PC still answers within it
MAX_MESSAGE = 4096
_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,40}$")


def instance_name(option: str | None = None) -> str:
    """The instance name from the option, the environment or the default."""
    name = option or os.environ.get(INSTANCE_ENV) or DEFAULT_INSTANCE
    if not _NAME.match(name):
        raise ValueError(f"instance name must be 1-40 letters, digits, '.', '_' or '-': {name!r}")
    return name


def _user_tag() -> str:
    if hasattr(os, "getuid"):
        return str(os.getuid())
    return re.sub(r"[^A-Za-z0-9_.-]", "_", os.environ.get("USERNAME", "user"))


def _runtime_dir() -> Path:
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if runtime and Path(runtime).is_dir() and os.access(runtime, os.W_OK):
        return Path(runtime)
    return Path(tempfile.gettempdir())


MAX_SOCKET_PATH = 100  # a Unix socket's path must fit sun_path (108 bytes on Linux)


def socket_name(instance: str) -> str:
    """The per-user server name (a socket path on Unix, a pipe name on Windows).

    A runtime folder so deep that the path would not fit a Unix socket (a deep
    XDG_RUNTIME_DIR: listening failed and a later start found nobody answering) gives a
    short path in the temporary folder instead, named after the long one.
    """
    if os.name == "nt":
        return f"homeagent-{_user_tag()}-{instance}"
    path = str(_runtime_dir() / f"homeagent-{_user_tag()}-{instance}.sock")
    if len(os.fsencode(path)) <= MAX_SOCKET_PATH:
        return path
    digest = hashlib.sha256(os.fsencode(path)).hexdigest()[:16]
    return str(Path(tempfile.gettempdir()) / f"homeagent-{_user_tag()}-{digest}.sock")


def lock_path(instance: str) -> Path:
    """The lock file that says which process owns the instance."""
    return _runtime_dir() / f"homeagent-{_user_tag()}-{instance}.lock"


class InstanceServer(QObject):
    """The running desk's end: emits `activated(link)` for each later start."""

    activated = Signal(str)  # payload: the link given to the later start ("" = none)

    def __init__(self, name: str, lock: QLockFile, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self._lock = lock
        self._server = QLocalServer(self)
        self._server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self._server.newConnection.connect(self._on_new_connection)

    def listen(self) -> bool:
        """Listen, removing a socket file a crashed desk left behind."""
        QLocalServer.removeServer(self.name)  # we hold the lock: any socket there is stale
        if self._server.listen(self.name):
            return True
        log.warning(
            "single instance: cannot listen on %s: %s", self.name, self._server.errorString()
        )
        return False

    def close(self) -> None:
        """Stop listening and release the lock (the next start becomes the desk)."""
        self._server.close()
        self._lock.unlock()

    def _on_new_connection(self) -> None:
        while self._server.hasPendingConnections():
            sock = self._server.nextPendingConnection()
            if sock is None:
                return
            handler = _Handover(sock)
            handler.received.connect(self.activated)
            sock.disconnected.connect(sock.deleteLater)


class _Handover(QObject):
    """One later start's connection: reads its line, answers, emits `received(link)`.

    A child of the socket, so it goes with it; it holds no reference to the server (a
    closure over the server made deleting the socket delete the server that owned it).
    """

    received = Signal(str)  # payload: the link the later start handed over ("" = none)

    def __init__(self, sock: QLocalSocket) -> None:
        super().__init__(sock)
        self._sock = sock
        self._buffer = bytearray()
        sock.readyRead.connect(self._on_ready_read)

    def _on_ready_read(self) -> None:
        sock, buffer = self._sock, self._buffer
        buffer.extend(bytes(sock.readAll().data()))
        if b"\n" not in buffer:
            if len(buffer) > MAX_MESSAGE:
                log.warning("single instance: an oversized message was dropped")
                sock.abort()
            return
        line = bytes(buffer).split(b"\n", 1)[0]
        try:
            message = json.loads(line.decode("utf-8"))
            link = message.get("link", "") if isinstance(message, dict) else None
            if not isinstance(link, str):
                raise ValueError("no link")
        except (ValueError, UnicodeDecodeError):
            log.warning("single instance: an unreadable message was dropped")
            sock.write(b"refused\n")
            sock.disconnectFromServer()
            return
        sock.write(b"ok\n")
        sock.flush()
        sock.disconnectFromServer()
        self.received.emit(link)


def claim(instance: str, link: str = "") -> InstanceServer | None:
    """Become the desk (an `InstanceServer`, listening) or hand `link` to the running one.

    Returns None when the running desk took the link. Raises RuntimeError when a desk
    holds the lock but does not answer (it is hung: starting a second one would not help).
    """
    path = lock_path(instance)
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = QLockFile(str(path))
    lock.setStaleLockTime(0)  # only a dead PID makes the lock stale, never its age
    name = socket_name(instance)
    deadline = time.monotonic() + HANDOVER_TIMEOUT_MS / 1000
    while True:
        if lock.tryLock(0):
            server = InstanceServer(name, lock)
            server.listen()
            return server
        if _hand_over(name, link):
            return None
        if time.monotonic() > deadline:
            raise RuntimeError(f"another HomeAgent holds {path} but does not answer on its socket")
        time.sleep(0.1)  # it may be between taking the lock and listening


def _hand_over(name: str, link: str) -> bool:
    sock = QLocalSocket()
    sock.connectToServer(name)
    if not sock.waitForConnected(2000):
        return False
    sock.write(json.dumps({"link": link}).encode() + b"\n")
    sock.waitForBytesWritten(1000)
    reply = b""
    deadline = time.monotonic() + HANDOVER_TIMEOUT_MS / 1000
    while b"\n" not in reply and time.monotonic() < deadline:
        if sock.waitForReadyRead(200):
            reply += bytes(sock.readAll().data())
        elif sock.state() is not QLocalSocket.LocalSocketState.ConnectedState:
            reply += bytes(sock.readAll().data())
            break
    sock.abort()
    return reply.startswith(b"ok")


def claim_instance(instance: str | None, link: str) -> tuple[bool, InstanceServer | None]:
    """(go on, server): go on is False when the running desk took the link.

    `instance` None (the demo, tests) means no single instance unless
    ``$HOMEAGENT_INSTANCE`` names one.
    """
    name = instance or os.environ.get(INSTANCE_ENV)
    if not name:
        return True, None
    server = claim(name, link)
    if server is None:
        log.info("HomeAgent already runs (instance %s): the link and focus went to it", name)
        return False, None
    return True, server
