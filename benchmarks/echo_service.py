"""The pre-shift echo service's cost: CPU of the server process per simultaneous check.

    .venv/bin/python benchmarks/echo_service.py [--checks 20 40 80] [--seconds 5]

Starts `homeagent.server.echo.EchoService` in a child process (its own socket thread, as
under `homeagent-server run`), then plays N desks' checks at once from this process: N
tokens, each probed at 50 a second (the echo test's steady rate), for `--seconds` (at
most 1,000 probes per token, as the service allows: keep `--seconds` ≤ 20). It
reads the child's CPU time from /proc before and after, and counts the echoes that came
back. Linux only (/proc). Figures under load are upper bounds: say `uptime` with them.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import select
import socket
import time
from multiprocessing.connection import Connection

from homeagent.client.echo_probe import build_probe
from homeagent.server.echo import EchoLimits, EchoService


def _serve(conn: Connection, checks: int) -> None:
    # every desk here comes from 127.0.0.1: lift the per-address ceiling (the cost, not
    # the limits, is measured)
    limits = EchoLimits(total_pps=1e9, per_source_pps=1e9, per_source_burst=1e9)
    svc = EchoService("bench-secret", limits=limits).start()
    conn.send((svc.bound_port, [svc.new_token() for _ in range(checks)]))
    conn.recv()  # until told to stop
    svc.stop()


def _cpu_s(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run(checks: int, seconds: float) -> tuple[float, int, int]:
    parent, child = mp.Pipe()
    proc = mp.Process(target=_serve, args=(child, checks), daemon=True)
    proc.start()
    port, tokens = parent.recv()
    socks = []
    for _ in range(checks):  # one source address and port per desk, as at home
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.connect(("127.0.0.1", port))
        s.setblocking(False)
        socks.append(s)
    time.sleep(0.2)
    before = _cpu_s(proc.pid)
    start = time.monotonic()
    sent = got = 0
    n = 0
    while time.monotonic() - start < seconds:
        due = start + n / 50
        while time.monotonic() < due:
            ready, _, _ = select.select(socks, [], [], max(0.0, due - time.monotonic()))
            for s in ready:
                while True:
                    try:
                        s.recv(2048)
                        got += 1
                    except BlockingIOError:
                        break
        for s, token in zip(socks, tokens, strict=True):
            s.send(build_probe(token, n & 0xFFFF, n * 160, 1, 0))
            sent += 1
        n += 1
    time.sleep(0.3)
    for s in socks:
        while True:
            try:
                s.recv(2048)
                got += 1
            except (BlockingIOError, OSError):
                break
    cpu = _cpu_s(proc.pid) - before
    parent.send("stop")
    proc.join(5)
    for s in socks:
        s.close()
    return cpu / seconds * 100, sent, got


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--checks", type=int, nargs="+", default=[20, 40, 80])
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()
    print(f"load: {os.getloadavg()}")
    for n in args.checks:
        pct, sent, got = run(n, args.seconds)
        print(
            f"{n} checks at once ({n * 50} probes/s): {pct:.1f} % of a core, "
            f"{got}/{sent} echoed ({100 * got / sent:.2f} %)"
        )


if __name__ == "__main__":
    main()
