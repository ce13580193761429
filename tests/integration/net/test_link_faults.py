"""Item 17: the home link fails during a call.

- Link down 30 s (the home router loses its uplink: packets vanish, nothing tells the PC):
  the call survives, the desk shows the line is not registered, and the registration is
  back within 5 s of the link's return; hold, resume and hang-up then work end to end.
- The PC's address changes during a call (Wi-Fi → wired) and the app's network watcher
  sends HandleIpChange: it registers again from the new address and the call goes on.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest

from homeagent.core import commands as cmd
from homeagent.core.desk_snapshot import Screen
from homeagent.core.events import CallPhase, CallRinging, CallStateChanged, RegistrationState
from tests.helpers.netlab import CentreKamailio, NetLab
from tests.integration.net.conftest import AGENT, Agent, agent_account, start_caller
from tests.integration.sip.peers import PeerProcess

pytestmark = pytest.mark.integration

LINK_DOWN_S = 30.0


def _in_call(agent: Agent, caller: PeerProcess, domain: str) -> tuple[int, int]:
    """Ring the desk, answer: (the desk's call id, the caller's call id)."""
    caller.send(f"call sip:{AGENT}@{domain}")
    ringing = agent.desk.wait_for(lambda s: s.screen is Screen.RINGING, 10, "ringing")
    assert ringing.snap.call is not None
    agent.desk.do(lambda m: m.answer())
    agent.desk.wait_for(
        lambda s: s.call is not None and s.call.phase is CallPhase.ACTIVE, 10, "in the call"
    )
    confirmed = caller.wait_for("state", lambda e: e["state"] == "confirmed")
    return ringing.snap.call.call_id, int(confirmed["call"])


def _hold_resume_hang_up(agent: Agent, caller: PeerProcess, call_id: int, peer_call: int) -> None:
    """The dialog works both ways: re-INVITEs and the BYE reach the caller."""
    held_before = len(caller.named("media"))
    agent.desk.do(lambda m: m.toggle_hold())
    agent.events.wait_for(
        CallStateChanged, lambda e: e.call_id == call_id and e.phase is CallPhase.HELD, 10
    )
    agent.desk.do(lambda m: m.toggle_hold())
    agent.desk.wait_for(
        lambda s: s.call is not None and s.call.phase is CallPhase.ACTIVE and not s.call.held,
        10,
        "resumed",
    )
    assert len(caller.named("media")) > held_before  # the caller saw both re-INVITEs
    agent.desk.do(lambda m: m.hang_up())
    ended = caller.wait_for("ended", lambda e: e["call"] == peer_call, timeout_s=10)
    assert ended["code"] == 200
    agent.desk.wait_for(lambda s: s.screen is Screen.WRAP_UP, 10, "in wrap-up")


def test_link_down_30s_during_a_call(
    lab: NetLab, centre: CentreKamailio, tmp_path: Path, start_agent: Callable[..., Agent]
) -> None:
    agent = start_agent(agent_account(centre.info))
    agent.desk.wait_for(lambda s: s.registration is RegistrationState.REGISTERED, 15)
    caller = start_caller(lab, centre, tmp_path)
    call_id, peer_call = _in_call(agent, caller, centre.info.domain)

    lab.link_down()
    down = time.monotonic()
    told = agent.desk.wait_for(
        lambda s: s.registration is not RegistrationState.REGISTERED,
        LINK_DOWN_S,
        "told the line is down",
    )
    time.sleep(max(0.0, LINK_DOWN_S - (time.monotonic() - down)))
    during = agent.desk.since(down)
    assert all(s.snap.call is not None and s.snap.call.call_id == call_id for s in during)
    lab.link_up()
    up = time.monotonic()
    back = agent.desk.wait_for(
        lambda s: s.registration is RegistrationState.REGISTERED, 5.0, "registered again"
    )
    assert agent.desk.now.call is not None  # the call survived, on both sides
    assert not caller.named("ended")
    _hold_resume_hang_up(agent, caller, call_id, peer_call)
    print(
        f"\nlink down {up - down:.1f} s: the desk showed "
        f"{told.snap.registration.value} after {told.at - down:.1f} s; registered again "
        f"{back.at - up:.2f} s after the link returned; the call survived"
    )
    caller.stop()


def test_wifi_to_wired_during_a_call(
    lab: NetLab, centre: CentreKamailio, tmp_path: Path, start_agent: Callable[..., Agent]
) -> None:
    agent = start_agent(agent_account(centre.info))
    agent.desk.wait_for(lambda s: s.registration is RegistrationState.REGISTERED, 15)
    caller = start_caller(lab, centre, tmp_path)
    call_id, peer_call = _in_call(agent, caller, centre.info.domain)

    lab.switch_to("wired")  # the Wi-Fi address is gone, the route goes through the cable
    switched = time.monotonic()
    agent.engine.submit(cmd.HandleIpChange())
    took = agent.registered_after(switched, timeout_s=10)
    # Kamailio has the new address: a second call reaches the engine (turned away here)
    caller.send(f"call sip:{AGENT}@{centre.info.domain}")
    second = agent.events.wait_for(CallRinging, lambda e: e.call_id != call_id, timeout_s=10)
    agent.engine.submit(cmd.Reject(second.call_id, 486))
    caller.wait_for("ended", lambda e: e["code"] == 486, timeout_s=10)
    assert agent.desk.now.call is not None
    assert agent.desk.now.call.call_id == call_id
    assert not caller.named("ended")[:-1]  # only the second call ended
    _hold_resume_hang_up(agent, caller, call_id, peer_call)
    print(f"\nWi-Fi → wired: registered again {took:.2f} s after the switch; the call survived")
    caller.stop()
