"""A UDP impairment relay of our own (no tc/netem in this sandbox): drop, delay, jitter, down.

    with UdpRelay(("127.0.0.1", kamailio_port)) as relay:
        # point the client at relay.address; the relay forwards to the upstream
        relay.impair(drop=0.2, delay_s=0.05, jitter_s=0.03)
        relay.down()   # the link is down: every datagram, both ways, is dropped
        relay.up()

It behaves like a home router's NAT: each client address gets its own upstream socket,
so the upstream (Kamailio) sees one source per client and its answers and requests to
that source are relayed back to the client. Delayed datagrams wait in a heap served by
the relay's one thread; jitter may reorder them, as a real path does.

For SIP, listen on the upstream's port number (on another address): a SIP client answers
a request at the address it came from (the relay) and the port of the sender's Via, which
carries the upstream's own port when the upstream does not ask for rport. Random choices use
one seeded generator per direction, so a failing run can be replayed: the n-th datagram of a
direction meets the same fate whatever the other direction did meanwhile (one generator for
both made the drops depend on how the two directions interleaved, which a loaded machine
changes).
"""

from __future__ import annotations

import heapq
import itertools
import random
import selectors
import socket
import threading
import time
from dataclasses import dataclass, field
from types import TracebackType

Address = tuple[str, int]


@dataclass
class RelayStats:
    forwarded: int = 0  # datagrams delivered (both directions)
    dropped: int = 0  # lost to `drop` or while down
    upstream_to_client: int = 0
    client_to_upstream: int = 0


@dataclass
class _Impairment:
    drop: float = 0.0
    delay_s: float = 0.0
    jitter_s: float = 0.0
    down: bool = False


@dataclass(order=True)
class _Pending:
    due: float
    order: int
    sock: socket.socket = field(compare=False)
    data: bytes = field(compare=False)
    to: Address = field(compare=False)


class UdpRelay:
    """See the module docstring. Thread-safe controls; one relay thread."""

    def __init__(
        self, upstream: Address, *, listen: Address = ("127.0.0.1", 0), seed: int = 1
    ) -> None:
        self.upstream = upstream
        self._front = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._front.bind(listen)
        self._front.setblocking(False)
        # per direction (outbound: client -> upstream): replayable however they interleave
        self._rng = {True: random.Random(2 * seed + 1), False: random.Random(2 * seed + 2)}
        self._imp = _Impairment()
        self._lock = threading.Lock()
        self._sel = selectors.DefaultSelector()
        self._sel.register(self._front, selectors.EVENT_READ, None)
        self._back: dict[Address, socket.socket] = {}  # client address -> upstream socket
        self._heap: list[_Pending] = []
        self._order = itertools.count()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="udp-relay", daemon=True)
        self.stats = RelayStats()

    @property
    def address(self) -> Address:
        host, port = self._front.getsockname()[:2]
        return str(host), int(port)

    # -- controls ----------------------------------------------------------------------

    def impair(self, *, drop: float = 0.0, delay_s: float = 0.0, jitter_s: float = 0.0) -> None:
        """Lose `drop` of the datagrams; delay the others by delay_s ± jitter_s."""
        with self._lock:
            self._imp = _Impairment(drop, delay_s, jitter_s, self._imp.down)

    def down(self) -> None:
        """Link down: drop everything, both ways (queued datagrams are lost too)."""
        with self._lock:
            self._imp.down = True
            self.stats.dropped += len(self._heap)
            self._heap.clear()

    def up(self) -> None:
        with self._lock:
            self._imp.down = False

    # -- life --------------------------------------------------------------------------

    def start(self) -> UdpRelay:
        self._thread.start()
        return self

    def close(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(2)
        self._sel.close()
        for sock in [self._front, *self._back.values()]:
            sock.close()

    def __enter__(self) -> UdpRelay:
        return self.start()

    def __exit__(
        self, _t: type[BaseException] | None, _e: BaseException | None, _tb: TracebackType | None
    ) -> None:
        self.close()

    # -- the relay thread --------------------------------------------------------------

    def _run(self) -> None:
        while not self._stop.is_set():
            with self._lock:
                wait = 0.05 if not self._heap else max(0.0, self._heap[0].due - time.monotonic())
            for key, _ in self._sel.select(min(wait, 0.05)):
                sock: socket.socket = key.fileobj  # type: ignore[assignment]
                client: Address | None = key.data
                while True:
                    try:
                        data, src = sock.recvfrom(65535)
                    except (BlockingIOError, InterruptedError):
                        break
                    except OSError:  # e.g. ICMP port unreachable reported on the socket
                        break
                    if client is None:  # from a client: to the upstream
                        self._submit(self._upstream_socket(src), data, self.upstream, True)
                    else:  # from the upstream: back to its client
                        self._submit(self._front, data, client, False)
            self._flush(time.monotonic())

    def _upstream_socket(self, client: Address) -> socket.socket:
        sock = self._back.get(client)
        if sock is None:
            sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            sock.bind(("", 0))  # the route to the upstream picks the source address
            sock.setblocking(False)
            self._back[client] = sock
            self._sel.register(sock, selectors.EVENT_READ, client)
        return sock

    def _submit(self, sock: socket.socket, data: bytes, to: Address, outbound: bool) -> None:
        with self._lock:
            imp = self._imp
            rng = self._rng[outbound]
            if imp.down or (imp.drop and rng.random() < imp.drop):
                self.stats.dropped += 1
                return
            delay = imp.delay_s
            if imp.jitter_s:
                delay = max(0.0, delay + rng.uniform(-imp.jitter_s, imp.jitter_s))
            if outbound:
                self.stats.client_to_upstream += 1
            else:
                self.stats.upstream_to_client += 1
            heapq.heappush(
                self._heap, _Pending(time.monotonic() + delay, next(self._order), sock, data, to)
            )

    def _flush(self, now: float) -> None:
        while True:
            with self._lock:
                if not self._heap or self._heap[0].due > now:
                    return
                item = heapq.heappop(self._heap)
            try:
                item.sock.sendto(item.data, item.to)
            except OSError:
                with self._lock:
                    self.stats.dropped += 1
                continue
            with self._lock:
                self.stats.forwarded += 1
