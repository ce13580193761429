"""A bad home link for signalling, through our UDP impairment relay (no tc/netem here):
the relay sits between the agent's engine and Kamailio like the home router's NAT.

- The relay itself: drop, delay ± jitter and "down" do what they say (measured).
- 20 % loss each way with 40 ± 30 ms of delay: the engine registers and every call rings,
  is answered and hung up (SIP over UDP retransmits); the relay down 3 s during a call
  (everything dropped) and the call carries on.
"""

from __future__ import annotations

import socket
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from homeagent.core.desk_snapshot import Screen
from homeagent.core.events import CallPhase, RegistrationState
from homeagent.core.sip_config import SipAccountConfig
from tests.helpers.netlab import CentreKamailio, NetLab
from tests.helpers.udp_relay import UdpRelay
from tests.integration.net.conftest import AGENT, Agent, start_caller

pytestmark = pytest.mark.integration

CALLS = 5


def test_the_relay_drops_delays_and_goes_down() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as echo:
        echo.bind(("127.0.0.1", 0))
        echo.settimeout(0.01)
        with (
            UdpRelay(echo.getsockname(), seed=3) as relay,
            socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as client,
        ):
            client.settimeout(0.3)

            def send_all(n: int) -> list[float]:
                arrived: list[float] = []
                for i in range(n):
                    sent = time.monotonic()
                    client.sendto(str(i).encode(), relay.address)
                    try:
                        echo.recvfrom(100)
                        arrived.append(time.monotonic() - sent)
                    except TimeoutError:
                        pass
                return arrived

            assert len(send_all(50)) == 50
            relay.impair(drop=0.3)
            kept = len(send_all(300))
            assert 150 < kept < 270  # ~70 % of 300
            relay.impair(delay_s=0.05, jitter_s=0.02)
            echo.settimeout(0.2)
            delays = send_all(40)
            assert len(delays) == 40
            assert min(delays) >= 0.03
            assert 0.045 < statistics.mean(delays) < 0.065
            assert max(delays) < 0.09
            relay.impair()
            relay.down()
            assert send_all(20) == []
            relay.up()
            assert len(send_all(10)) == 10


def test_calls_over_a_lossy_link(
    lab: NetLab, centre: CentreKamailio, tmp_path: Path, start_agent: Callable[..., Agent]
) -> None:
    kam = centre.info
    # The relay listens on Kamailio's port number: the engine answers Kamailio's requests
    # at the address they came from (the relay) and the port in Kamailio's Via (no rport).
    listen = ("127.0.0.1", kam.udp_port)
    with UdpRelay((kam.host, kam.udp_port), listen=listen, seed=7) as relay:
        relay.impair(drop=0.2, delay_s=0.04, jitter_s=0.03)
        host, port = relay.address
        account = SipAccountConfig(
            registrar_host=host,
            registrar_port=port,
            domain=kam.domain,
            username=AGENT,
            password=kam.passwords[AGENT],
        )
        t0 = time.monotonic()
        agent = start_agent(account)
        agent.desk.wait_for(lambda s: s.registration is RegistrationState.REGISTERED, 30)
        registered_s = time.monotonic() - t0
        caller = start_caller(lab, centre, tmp_path)
        took: list[float] = []
        for i in range(CALLS):
            start = time.monotonic()
            caller.send(f"call sip:{AGENT}@{kam.domain}")
            agent.desk.wait_for(lambda s: s.screen is Screen.RINGING, 20, f"call {i} ringing")
            agent.desk.do(lambda m: m.answer())
            agent.desk.wait_for(
                lambda s: s.call is not None and s.call.phase is CallPhase.ACTIVE, 20, "talking"
            )
            if i == 2:  # the link goes down for a while during this call
                relay.down()
                time.sleep(3)
                relay.up()
                assert agent.desk.now.call is not None
            agent.desk.do(lambda m: m.hang_up())
            agent.desk.wait_for(lambda s: s.screen is Screen.WRAP_UP, 20, "in wrap-up")
            deadline = time.monotonic() + 20  # the caller saw the BYE (its call ids are reused)
            while len(caller.named("ended")) < i + 1:
                assert time.monotonic() < deadline, f"call {i}: the caller saw no BYE"
                time.sleep(0.05)
            took.append(time.monotonic() - start)
            # the next call: the desk goes back to Available (the wrap-up is not the point)
            agent.desk.do(lambda m: m.edit_wrap_up(notes="", disposition="x", callback_at=None))
            agent.desk.do(lambda m: m.submit_wrap_up())
            assert agent.sink is not None
            record = agent.sink.wrap_ups[-1]
            agent.desk.do(lambda m, r=record.id: m.wrap_up_durable(r))
            agent.desk.wait_for(lambda s: s.screen is Screen.IDLE, 10, "idle")
        caller.stop()
        print(
            f"\n20 % loss, 40 ± 30 ms: registered in {registered_s:.1f} s; {CALLS} calls, "
            f"ring to hang-up {min(took):.1f}-{max(took):.1f} s (one with the link down 3 s); "
            f"relay dropped {relay.stats.dropped}, forwarded {relay.stats.forwarded}"
        )
