"""Hostile input: RFC 4475-style torture messages, garbage datagrams, INVITE bursts.

The engine runs in a subprocess (engine_host.py) so that a PJSIP assertion shows up as a
dead process instead of killing the test run. After the abuse it must still take a normal
call (sipp uac_answer_bye.xml).
"""

from __future__ import annotations

import random
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers.kamailio import Kamailio
from tests.helpers.sipp import SippRunner
from tests.integration.sip.peers import PeerProcess, start_engine_host
from tests.integration.sip.torture_messages import MESSAGES, render

pytestmark = pytest.mark.integration


class Host:
    """The engine subprocess plus the calls we already dealt with."""

    def __init__(self, proc: PeerProcess) -> None:
        self.proc = proc
        self.port = int(proc.wait_for("EngineStarted")["local_port"])
        self.handled: set[int] = set()

    def alive(self) -> bool:
        return self.proc.proc.poll() is None

    def hang_up_ringing(self) -> int:
        """Hang up every call that rang and that we have not handled yet."""
        count = 0
        for event in self.proc.named("CallRinging"):
            if event["call_id"] not in self.handled:
                self.handled.add(event["call_id"])
                self.proc.send(f"hangup {event['call_id']}")
                count += 1
        return count

    def takes_a_normal_call(self, sipp: SippRunner) -> None:
        run = sipp.start("uac_answer_bye.xml", f"127.0.0.1:{self.port}", service="1001")
        ringing = self.proc.wait_for(
            "CallRinging",
            lambda e: e["call_id"] not in self.handled and e["queue"] == "sipp-queue",
            timeout_s=20,
        )
        self.handled.add(ringing["call_id"])
        self.proc.send(f"answer {ringing['call_id']}")
        result = run.wait(40)
        assert result.returncode == 0, result.errors[-2000:]
        assert result.successful == 1
        assert self.alive()


@pytest.fixture
def host(tmp_path: Path, kamailio: Kamailio) -> Iterator[Host]:
    proc = start_engine_host(tmp_path, kamailio, "1001", "--max-calls", "4")
    yield Host(proc)
    proc.stop()


def _udp() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    return sock


def test_torture_messages_do_not_crash_the_engine(host: Host, sipp: SippRunner) -> None:
    sock = _udp()
    lport = sock.getsockname()[1]
    for n, (name, template) in enumerate(MESSAGES):
        data = render(name, template, host="127.0.0.1", port=host.port,
                      lhost="127.0.0.1", lport=lport, n=n)  # fmt: skip
        sock.sendto(data, ("127.0.0.1", host.port))
        time.sleep(0.08)
        host.hang_up_ringing()
        assert host.alive(), f"the engine died on torture message {name!r}"
    sock.close()
    time.sleep(1.0)
    host.hang_up_ringing()
    # the baseline INVITE rang: the parser and the call path really ran
    assert any(e["remote_number"] == "+331000001" for e in host.proc.named("CallRinging"))
    host.takes_a_normal_call(sipp)


def test_garbage_and_mutated_datagrams_do_not_crash_the_engine(
    host: Host, sipp: SippRunner
) -> None:
    seed = random.randrange(1 << 30)
    rng = random.Random(seed)
    sock = _udp()
    lport = sock.getsockname()[1]
    template = dict(MESSAGES)["invite-ok-baseline"]
    values = {"host": "127.0.0.1", "port": host.port, "lhost": "127.0.0.1", "lport": lport}
    base = render("invite-ok-baseline", template, n=0, **values)
    for i in range(1500):
        if i % 3 == 0:
            data = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 1400)))
        else:
            mutated = bytearray(base.replace(b"torture-0", f"mut-{i}".encode()))
            for _ in range(rng.randrange(1, 12)):
                pos = rng.randrange(len(mutated))
                mutated[pos] = rng.randrange(256)
            data = bytes(mutated[: rng.randrange(len(mutated) // 2, len(mutated) + 1)])
        sock.sendto(data, ("127.0.0.1", host.port))
        if i % 50 == 49:
            time.sleep(0.05)
            host.hang_up_ringing()
            assert host.alive(), f"the engine died after {i + 1} datagrams (seed {seed})"
    sock.close()
    time.sleep(1.0)
    host.hang_up_ringing()
    assert host.alive(), f"seed {seed}"
    host.takes_a_normal_call(sipp)


@pytest.mark.parametrize("available", [True, False], ids=["available", "not-available"])
def test_burst_of_100_invites_in_one_second(host: Host, sipp: SippRunner, available: bool) -> None:
    if not available:
        host.proc.send("available 0")
        time.sleep(0.2)
    started = time.monotonic()
    run = sipp.start("uac_burst.xml", f"127.0.0.1:{host.port}",
                     calls=100, rate=100, limit=100, timeout_s=40)  # fmt: skip
    result = run.wait(60)
    took = time.monotonic() - started
    assert host.alive(), "the engine died during the burst"
    assert result.successful + result.failed == 100, result.stats[-800:]
    # every INVITE got an answer: rang (then CANCEL) or turned away
    assert result.successful >= 95, result.errors[-2000:]
    answered_by = host.proc.named("IncomingCallRefused")
    if not available:
        assert not [e for e in host.proc.named("CallRinging")], "rang while not available"
        assert answered_by, "no 486 from the engine itself"
        assert all(e["code"] == 486 for e in answered_by)
        host.proc.send("available 1")
    assert took < 50
    time.sleep(1.0)
    host.hang_up_ringing()
    host.takes_a_normal_call(sipp)


@pytest.mark.parametrize("available", [True, False], ids=["available", "not-available"])
def test_burst_of_100_invites_each_cancelled_at_once(
    host: Host, sipp: SippRunner, available: bool
) -> None:
    """INVITE then CANCEL at full speed: every call opens and closes two media sockets."""
    if not available:
        host.proc.send("available 0")
        time.sleep(0.2)
    run = sipp.start("uac_burst_cancel.xml", f"127.0.0.1:{host.port}",
                     calls=100, rate=100, limit=100, timeout_s=40)  # fmt: skip
    result = run.wait(60)
    assert host.alive(), "the engine died during the burst"
    assert result.successful + result.failed == 100, result.stats[-800:]
    if not available:
        host.proc.send("available 1")
    time.sleep(1.0)
    host.hang_up_ringing()
    host.takes_a_normal_call(sipp)


def test_kamailio_shields_an_agent_from_an_invite_burst(
    kamailio: Kamailio, host: Host, sipp: SippRunner
) -> None:
    """40 INVITEs in one second through the proxy: only the first 10 reach the agent."""
    run = sipp.start("uac_burst.xml", f"127.0.0.1:{kamailio.udp_port}",
                     calls=40, rate=40, limit=40, timeout_s=40)  # fmt: skip
    result = run.wait(60)
    assert host.alive()
    shielded = result.messages.count("486 Busy Here (too many calls at once)")
    assert shielded >= 25, result.stats[-500:]
    reached = len(host.proc.named("CallRinging")) + len(host.proc.named("IncomingCallRefused"))
    assert reached <= 10
    time.sleep(2.5)  # the proxy's per-agent window expires
    host.hang_up_ringing()
    host.takes_a_normal_call(sipp)
