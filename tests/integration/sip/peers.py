"""Drive `python -m homeagent.sip.peer` subprocesses from tests."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from tests.helpers.kamailio import Kamailio
from tests.helpers.procs import stop

REPO = Path(__file__).resolve().parents[3]


class PeerProcess:
    """A running peer; its JSON events are collected by a reader thread."""

    def __init__(
        self,
        argv: list[str],
        env: dict[str, str],
        log: Path,
        module: str = "homeagent.sip.peer",
        prefix: tuple[str, ...] = (),  # e.g. ("ip", "netns", "exec", NS): run it there
    ) -> None:
        self._stderr = open(log, "wb")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            [*prefix, sys.executable, "-m", module, *argv],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            env=env,
            cwd=REPO,
            start_new_session=True,
        )
        self.log = log
        self.events: list[dict[str, Any]] = []
        self._cond = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for raw in self.proc.stdout:
            try:
                event = json.loads(raw)
            except ValueError:
                continue
            with self._cond:
                self.events.append(event)
                self._cond.notify_all()

    def wait_for(
        self,
        name: str,
        predicate: Callable[[dict[str, Any]], bool] = lambda e: True,
        timeout_s: float = 15.0,
    ) -> dict[str, Any]:
        deadline = time.monotonic() + timeout_s
        with self._cond:
            while True:
                for event in self.events:
                    if event["event"] == name and predicate(event):
                        return event
                remaining = deadline - time.monotonic()
                if remaining <= 0 or (self.proc.poll() is not None and not self._reader.is_alive()):
                    raise TimeoutError(
                        f"peer: no {name!r} within {timeout_s} s; events: {self.events[-12:]}; "
                        f"stderr: {self.log.read_text(errors='replace')[-1500:]}"
                    )
                self._cond.wait(min(remaining, 0.2))

    def named(self, name: str) -> list[dict[str, Any]]:
        with self._cond:
            return [e for e in self.events if e["event"] == name]

    def send(self, command: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(command.encode() + b"\n")
        self.proc.stdin.flush()

    @property
    def port(self) -> int:
        return int(self.wait_for("started")["port"])

    def stop(self) -> None:
        if self.proc.poll() is None:
            with contextlib.suppress(OSError):
                self.send("quit")
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                stop(self.proc)  # type: ignore[arg-type]
        self._reader.join(2)
        for pipe in (self.proc.stdin, self.proc.stdout):
            if pipe is not None:
                with contextlib.suppress(OSError):
                    pipe.close()
        self._stderr.close()


class Peers:
    """Factory fixture object: starts peers and stops them all at the end."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.running: list[PeerProcess] = []

    def start(
        self, *args: str, kamailio: Kamailio | None = None, user: str = "peer"
    ) -> PeerProcess:
        env = dict(os.environ)
        argv = ["--user", user, *args]
        if kamailio is not None:
            argv += [
                "--registrar",
                f"{kamailio.host}:{kamailio.udp_port}",
                "--domain",
                kamailio.domain,
            ]
            env["HOMEAGENT_PEER_PASSWORD"] = kamailio.passwords[user]
        peer = PeerProcess(argv, env, self.tmp / f"peer-{len(self.running)}-{user}.log")
        self.running.append(peer)
        peer.wait_for("started")
        if kamailio is not None:
            peer.wait_for("registered", lambda e: e["code"] == 200)
        return peer

    def stop_all(self) -> None:
        for peer in self.running:
            peer.stop()


def start_engine_host(
    tmp: Path,
    kamailio: Kamailio,
    user: str,
    *args: str,
    env: dict[str, str] | None = None,
    timeout_s: float = 15.0,
) -> PeerProcess:
    """An engine in a subprocess (tests/integration/sip/engine_host.py), registered.

    `env`: the child's environment (default: ours), e.g. another PULSE_SERVER."""
    env = dict(env or os.environ, HOMEAGENT_PEER_PASSWORD=kamailio.passwords[user])
    argv = [
        "--registrar", f"{kamailio.host}:{kamailio.udp_port}",
        "--domain", kamailio.domain, "--user", user, *args,
    ]  # fmt: skip
    host = PeerProcess(
        argv, env, tmp / f"engine-host-{user}.log", "tests.integration.sip.engine_host"
    )
    try:
        host.wait_for(
            "RegistrationChanged", lambda e: e["state"] == "registered", timeout_s=timeout_s
        )
    except BaseException:
        host.stop()
        raise
    return host


@contextlib.contextmanager
def peers_in(tmp: Path) -> Iterator[Peers]:
    peers = Peers(tmp)
    try:
        yield peers
    finally:
        peers.stop_all()
