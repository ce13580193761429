"""A home network in network namespaces: the "centre" (Kamailio, callers) behind real links.

The test process is the agent's PC. `NetLab` makes a namespace for the contact centre
(``ha-<random>``) and joins it to this one by veth pairs ("wifi", "wired"); the centre's
services listen on one address (`service_ip`, on the centre's loopback) that this side
routes through the current link, as a home router would.

- `link_down(link)` sets the centre's end of the link down: this side keeps its address
  and route, packets vanish (the home router lost its uplink: nothing tells the PC);
  `link_up(link)` brings it back.
- `switch_to(link)` moves the route to another link and removes the old link's address
  (Wi-Fi → wired: the PC's IP changes).

Parallel-safe: names carry a random suffix, each lab takes a free 10.x.y.0/24 (chosen under
a file lock, checked against the addresses and routes in use), and `close()` deletes the
namespace (and with it both ends of every veth) and the routes. Needs root and `ip`.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import random
import secrets
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.helpers.kamailio import (
    DOMAIN,
    USERS,
    Kamailio,
    _write_db,
    kamailio_argv,
    write_tls_config,
)
from tests.helpers.procs import free_port, port_open, require_tool, stop, wait_until

_LOCK = Path("/tmp/homeagent-netlab.lock")


def ip(*args: str, check: bool = True) -> str:
    out = subprocess.run(
        [require_tool("ip"), *args], capture_output=True, text=True, timeout=10, check=False
    )
    if check and out.returncode != 0:
        raise RuntimeError(f"ip {' '.join(args)}: {out.stderr.strip()}")
    return out.stdout


@dataclass
class Link:
    name: str
    host_if: str  # this side (the agent's PC)
    peer_if: str  # the centre's side
    host_ip: str
    peer_ip: str
    up: bool = True


@dataclass
class NetLab:
    ns: str = field(default_factory=lambda: f"ha-{secrets.token_hex(4)}")
    prefix: str = ""  # "10.x.y"
    links: dict[str, Link] = field(default_factory=dict)
    current: Link | None = None

    @property
    def service_ip(self) -> str:
        return f"{self.prefix}.100"

    @property
    def exec_prefix(self) -> tuple[str, ...]:
        return (require_tool("ip"), "netns", "exec", self.ns)

    def create(self, links: tuple[str, ...] = ("wifi",)) -> NetLab:
        ip("netns", "add", self.ns)
        ip("-n", self.ns, "link", "set", "lo", "up")
        with _LOCK.open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            self.prefix = _free_prefix()
            for i, name in enumerate(links):
                self._add_link(name, i)
            ip("-n", self.ns, "addr", "add", f"{self.service_ip}/32", "dev", "lo")
            self.route_via(self.links[links[0]])
        return self

    def _add_link(self, name: str, index: int) -> None:
        tag = self.ns[3:]
        link = Link(
            name,
            host_if=f"h{tag}{index}",
            peer_if=f"p{tag}{index}",
            host_ip=f"{self.prefix}.{4 * index + 1}",
            peer_ip=f"{self.prefix}.{4 * index + 2}",
        )
        ip("link", "add", link.host_if, "type", "veth", "peer", "name", link.peer_if)
        ip("link", "set", link.peer_if, "netns", self.ns)
        ip("addr", "add", f"{link.host_ip}/30", "dev", link.host_if)
        ip("link", "set", link.host_if, "up")
        ip("-n", self.ns, "addr", "add", f"{link.peer_ip}/30", "dev", link.peer_if)
        ip("-n", self.ns, "link", "set", link.peer_if, "up")
        self.links[name] = link

    def route_via(self, link: Link) -> None:
        ip("route", "replace", f"{self.service_ip}/32", "via", link.peer_ip, "dev", link.host_if)
        self.current = link

    def link_down(self, link: Link | None = None) -> None:
        link = link or self.current
        assert link is not None
        ip("-n", self.ns, "link", "set", link.peer_if, "down")
        link.up = False

    def link_up(self, link: Link | None = None) -> None:
        link = link or self.current
        assert link is not None
        ip("-n", self.ns, "link", "set", link.peer_if, "up")
        link.up = True
        if link is self.current:  # the kernel may have dropped the route meanwhile
            self.route_via(link)

    def switch_to(self, name: str) -> Link:
        """Move to another link and drop the old one's address (the PC's IP changes)."""
        old, new = self.current, self.links[name]
        self.route_via(new)
        if old is not None and old is not new:
            ip("addr", "del", f"{old.host_ip}/30", "dev", old.host_if, check=False)
            ip("link", "set", old.host_if, "down", check=False)
        return new

    def close(self) -> None:
        for link in self.links.values():
            ip("link", "del", link.host_if, check=False)  # also deletes the peer end
        ip("route", "del", f"{self.service_ip}/32", check=False)
        ip("netns", "del", self.ns, check=False)


def _free_prefix() -> str:
    used = ip("-o", "addr") + ip("route") + ip("-o", "-4", "route", "show", "table", "all")
    for _ in range(200):
        prefix = f"10.{random.randint(64, 250)}.{random.randint(0, 255)}"
        if f"{prefix}." not in used:
            return prefix
    raise RuntimeError("no free 10.x.y.0/24 for a test network")


@contextlib.contextmanager
def netlab(links: tuple[str, ...] = ("wifi",)) -> Iterator[NetLab]:
    if os.geteuid() != 0:
        pytest.fail("network namespaces need root (ip netns add)")
    lab = NetLab()
    try:
        yield lab.create(links)
    finally:
        lab.close()


class CentreKamailio:
    """Kamailio in the centre namespace on `service_ip`, restartable on the same ports.

    `defines` are ``NAME=VALUE`` for the config's #!defines, e.g. an accelerated shift
    raises ``AGENT_INVITE_BURST`` (the proxy turns away an 11th INVITE within 2 s)."""

    def __init__(
        self, lab: NetLab, tmp: Path, *, tls: bool = False, defines: tuple[str, ...] = ()
    ) -> None:
        self.lab = lab
        self.tmp = tmp
        tmp.mkdir(parents=True, exist_ok=True)
        self.passwords = {user: secrets.token_hex(8) for user in USERS}
        _write_db(tmp / "db", self.passwords)
        host = lab.service_ip
        self.udp, self.tcp = free_port(), free_port()
        self.tls_port = free_port() if tls else None
        tls_cfg, self.ca_file = write_tls_config(tmp, host) if tls else (None, None)
        self.argv = [
            *lab.exec_prefix,
            *kamailio_argv(
                require_tool("kamailio"),
                tmp,
                host=host,
                udp=self.udp,
                tcp=self.tcp,
                tls_port=self.tls_port,
                tls_cfg=tls_cfg,
            ),
            *(arg for define in defines for arg in ("-A", define)),
        ]
        self.proc: subprocess.Popen[bytes] | None = None
        self.starts = 0

    @property
    def info(self) -> Kamailio:
        return Kamailio(
            host=self.lab.service_ip,
            udp_port=self.udp,
            tcp_port=self.tcp,
            tls_port=self.tls_port,
            domain=DOMAIN,
            passwords=self.passwords,
            log=self.tmp / "kamailio-1.log",
            ca_file=self.ca_file,
        )

    def start(self) -> None:
        self.starts += 1
        log = self.tmp / f"kamailio-{self.starts}.log"
        with open(log, "wb") as out:
            self.proc = subprocess.Popen(
                self.argv, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        host, proc = self.lab.service_ip, self.proc
        wait_until(lambda: proc.poll() is not None or port_open(self.tcp, host), 20, 0.05)
        if proc.poll() is not None:
            raise RuntimeError(f"kamailio exited: {log.read_text(errors='replace')[-2000:]}")

    def stop(self) -> None:
        if self.proc is not None:
            stop(self.proc)
            self.proc = None

    def restart(self) -> None:
        self.stop()
        self.start()
