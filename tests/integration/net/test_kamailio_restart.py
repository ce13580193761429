"""Item 18: Kamailio restarts (its registrations are in memory: all lost). The agent's
app re-registers by itself within its retry time and calls ring on the desk again."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest

from homeagent.core.desk_snapshot import Screen
from homeagent.core.events import CallEnded, CallRinging, RegistrationState
from homeagent.core.sip_config import Transport
from tests.helpers.netlab import CentreKamailio, NetLab
from tests.integration.net.conftest import AGENT, Agent, agent_account, start_caller

pytestmark = pytest.mark.integration

FIGURES: dict[str, float] = {}


def ring_and_decline(agent: Agent, caller: object, domain: str, n_before: int) -> None:
    caller.send(f"call sip:{AGENT}@{domain}")  # type: ignore[attr-defined]
    agent.desk.wait_for(lambda s: s.screen is Screen.RINGING, 10, "ringing")
    ringing = agent.events.all(CallRinging)
    assert len(ringing) == n_before + 1
    agent.desk.do(lambda m: m.decline())
    agent.events.wait_for(CallEnded, lambda e: e.call_id == ringing[-1].call_id, timeout_s=10)
    agent.desk.wait_for(lambda s: s.screen is Screen.IDLE, 10, "idle")


@pytest.mark.parametrize("transport", [Transport.UDP, Transport.TLS], ids=["udp", "tls"])
def test_kamailio_restart_agent_registers_again_and_calls_ring(
    lab: NetLab,
    tmp_path: Path,
    start_agent: Callable[..., Agent],
    transport: Transport,
) -> None:
    kam = CentreKamailio(lab, tmp_path / "kamailio", tls=transport is Transport.TLS)
    kam.start()
    try:
        account = agent_account(kam.info, transport)
        agent = start_agent(account)
        agent.desk.wait_for(lambda s: s.registration is RegistrationState.REGISTERED, 15)
        caller = start_caller(lab, kam, tmp_path)
        ring_and_decline(agent, caller, kam.info.domain, 0)

        kam.stop()
        down_at = time.monotonic()
        time.sleep(2.0)  # a short outage: the service manager restarts it
        kam.start()
        back_at = time.monotonic()

        budget = account.first_retry_s + account.retry_interval_s + 2
        took = agent.registered_after(back_at, timeout_s=budget)
        FIGURES[f"{transport.value}: re-registered after Kamailio came back (s)"] = took
        outage = back_at - down_at
        print(f"{transport.value}: down {outage:.1f} s, registered again {took:.1f} s after")
        ring_and_decline(agent, caller, kam.info.domain, 1)
        caller.stop()
    finally:
        kam.stop()
