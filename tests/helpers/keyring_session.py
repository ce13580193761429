"""A private Secret Service for tests: dbus session bus + gnome-keyring-daemon.

`keyring_session` (session scope) starts a dbus session bus and an unlocked
gnome-keyring (secrets component only) in a temp HOME/XDG tree, points this process's
DBUS_SESSION_BUS_ADDRESS at it, checks that `keyring` picks the SecretService backend,
and stops both daemons at the end.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from jeepney.bus_messages import message_bus
from jeepney.io.blocking import open_dbus_connection

from tests.helpers.procs import require_tool, stop, wait_until

SECRETS_NAME = "org.freedesktop.secrets"


@dataclass
class KeyringSession:
    bus_address: str
    home: Path
    env: dict[str, str]  # environment for child processes that must see this keyring
    backend: Any  # a keyring.backends.SecretService.Keyring bound to this bus


def _kill_pid(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)
        time.sleep(0.05)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


def _forget_detected_backends() -> None:
    """`keyring` caches the viable backends (jaraco `once`): detect again."""
    import keyring.backend

    with contextlib.suppress(KeyError):
        keyring.backend.get_all_keyring.reset()  # type: ignore[attr-defined]


@pytest.fixture(scope="session")
def keyring_session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KeyringSession]:
    dbus = require_tool("dbus-daemon")
    gkd = require_tool("gnome-keyring-daemon")
    home = tmp_path_factory.mktemp("keyring-home")
    dirs = {n: home / n for n in ("data", "config", "cache", "run")}
    for d in dirs.values():
        d.mkdir(mode=0o700)
    env = dict(os.environ)
    env.update(
        HOME=str(home),
        XDG_DATA_HOME=str(dirs["data"]),
        XDG_CONFIG_HOME=str(dirs["config"]),
        XDG_CACHE_HOME=str(dirs["cache"]),
        XDG_RUNTIME_DIR=str(dirs["run"]),
    )
    out = subprocess.run(
        [dbus, "--session", "--fork", "--print-address=1", "--print-pid=1"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=10,
    ).stdout.split()
    address, bus_pid = out[0], int(out[1])
    env["DBUS_SESSION_BUS_ADDRESS"] = address
    daemon = None
    old = os.environ.get("DBUS_SESSION_BUS_ADDRESS")
    try:
        with open(home / "gnome-keyring.log", "wb") as errors:  # the child keeps a copy
            daemon = subprocess.Popen(
                [gkd, "--foreground", "--unlock", "--components=secrets"],
                env=env,
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                stderr=errors,
                start_new_session=True,
            )
        assert daemon.stdin is not None
        daemon.stdin.write(b"test-login-password")
        daemon.stdin.close()
        os.environ["DBUS_SESSION_BUS_ADDRESS"] = address

        # Our daemon must own the Secret Service name before anything asks it: the bus
        # activates gnome-keyring's own service file otherwise, a second daemon without
        # our password takes the name, and every write waits on a prompt no one answers
        # ("another secret service is running"; seen once in a full run).
        def _owned() -> bool:
            if daemon is not None and daemon.poll() is not None:
                raise RuntimeError(f"gnome-keyring-daemon exited ({daemon.returncode})")
            with open_dbus_connection(bus=address) as conn:
                reply = conn.send_and_get_reply(message_bus.NameHasOwner(SECRETS_NAME))
            return bool(reply.body[0])

        try:
            wait_until(_owned, timeout_s=30, interval_s=0.05)
        except (TimeoutError, RuntimeError) as exc:
            log = (home / "gnome-keyring.log").read_text(errors="replace")[-2000:]
            pytest.fail(f"gnome-keyring did not take {SECRETS_NAME}: {exc}; its log:\n{log}")

        from keyring.backends import SecretService

        backend = SecretService.Keyring()

        errors: list[Exception] = []

        def _ready() -> bool:
            try:
                backend.set_password("homeagent-probe", "probe", "x")
                backend.delete_password("homeagent-probe", "probe")
            except Exception as exc:
                errors[:] = [exc]
                return False
            return True

        try:
            wait_until(_ready, timeout_s=30, interval_s=0.1)  # slow under a loaded CI box
        except TimeoutError:
            log = (home / "gnome-keyring.log").read_text(errors="replace")[-2000:]
            pytest.fail(f"gnome-keyring did not come up: {errors!r}; its log:\n{log}")
        import keyring
        import keyring.backend
        import keyring.core

        _forget_detected_backends()
        keyring.core.init_backend()  # re-detect: what the app would pick, given this env
        detected = keyring.get_keyring()
        if type(detected).__module__ != "keyring.backends.SecretService":
            try:
                why = str(SecretService.Keyring.priority)
            except Exception as exc:
                why = repr(exc)
            pytest.fail(f"keyring picked {detected!r}, not SecretService: {why}")
        yield KeyringSession(address, home, env, backend)
    finally:
        if old is None:
            os.environ.pop("DBUS_SESSION_BUS_ADDRESS", None)
        else:
            os.environ["DBUS_SESSION_BUS_ADDRESS"] = old
        if daemon is not None:
            stop(daemon)  # type: ignore[arg-type]
        _kill_pid(bus_pid)
        import keyring.backend
        import keyring.core

        _forget_detected_backends()
        keyring.core.init_backend()  # forget the backend bound to the bus we stopped
