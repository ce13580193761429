"""The tests' UDP impairment relay (`tests/helpers/udp_relay.py`) replays its random choices."""

from __future__ import annotations

import socket
import threading
import time

from tests.helpers.udp_relay import UdpRelay


def _arrived_upstream(echo_back: bool, seed: int = 15, count: int = 200) -> list[int]:
    """The sequence numbers the upstream received through a 30 % lossy relay, the upstream
    echoing each one back (traffic the other way, interleaved) or not."""
    upstream = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    upstream.bind(("127.0.0.1", 0))
    upstream.settimeout(0.2)
    got: list[int] = []
    done = threading.Event()

    def serve() -> None:
        while not done.is_set():
            try:
                data, src = upstream.recvfrom(64)
            except TimeoutError:
                continue
            got.append(int(data))
            if echo_back:
                upstream.sendto(data, src)

    server = threading.Thread(target=serve, daemon=True)
    server.start()
    client = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        with UdpRelay(upstream.getsockname(), seed=seed) as relay:
            relay.impair(drop=0.3)
            for n in range(count):
                client.sendto(str(n).encode(), relay.address)
                time.sleep(0.002)  # the echoes come back between two sends
            time.sleep(0.3)
    finally:
        done.set()
        server.join(2)
        client.close()
        upstream.close()
    return sorted(got)


def test_a_directions_drops_do_not_depend_on_the_other_direction() -> None:
    """A failing run can be replayed: the n-th datagram one way meets the same fate whatever
    came the other way meanwhile (one generator for both ways once made the pre-shift
    check's loss, and so its red line, depend on how a loaded machine interleaved them)."""
    alone = _arrived_upstream(echo_back=False)
    with_echoes = _arrived_upstream(echo_back=True)
    assert 100 < len(alone) < 180  # ~30 % lost
    assert with_echoes == alone
