"""Supervision legs through a real Kamailio, between real pjsua2 endpoints.

The agent is a SipEngine in this process (1001); the lead is either a second SipEngine in
a subprocess (tests/integration/sip/engine_host.py, 1003) or the scriptable peer; the
customers and the forgers are peers (`python -m homeagent.sip.peer`).
"""

from __future__ import annotations

import secrets
import time
from pathlib import Path

import pytest

from homeagent.core import commands as cmd
from homeagent.core.events import (
    CallEnded,
    CallRinging,
    CallStateChanged,
    SupervisionChanged,
    SupervisionRefused,
)
from homeagent.core.sip_config import EngineConfig
from homeagent.sip.headers import SUPERVISION_HEADER
from tests.helpers.kamailio import Kamailio
from tests.integration.sip.conftest import EngineRunner, EventLog, account_for
from tests.integration.sip.peers import PeerProcess, Peers, start_engine_host

pytestmark = pytest.mark.integration

AGENT, LEAD, CUSTOMER, OTHER = "1001", "1003", "2001", "2002"


def lead_uri(kamailio: Kamailio) -> str:
    return f"sip:{LEAD}@{kamailio.domain}"


def customer_on_the_line(
    engine: object, events: EventLog, peers: Peers, kamailio: Kamailio, *args: str
) -> tuple[PeerProcess, int]:
    """A customer (2001) calls the agent, who answers; returns the peer and the call id."""
    customer = peers.start(
        "--call", f"sip:{AGENT}@{kamailio.domain}", "--tone", "700", *args,
        kamailio=kamailio, user=CUSTOMER,
    )  # fmt: skip
    ringing = events.wait_for(CallRinging)
    engine.submit(cmd.Answer(ringing.call_id))  # type: ignore[attr-defined]
    events.wait_for(
        CallStateChanged, lambda e: e.call_id == ringing.call_id and e.phase.value == "active"
    )
    customer.wait_for("state", lambda e: e["state"] == "confirmed")
    return customer, ringing.call_id


def supervision(events: EventLog, phase: str, side: str = "agent", timeout_s: float = 10):  # type: ignore[no-untyped-def]
    return events.wait_for(
        SupervisionChanged, lambda e: e.phase == phase and e.side == side, timeout_s=timeout_s
    )


def test_the_leg_connects_is_not_a_call_refuses_a_replay_and_ends_with_the_customer(
    kamailio: Kamailio, engines: EngineRunner, peers: Peers, tmp_path: Path
) -> None:
    # the lead's app takes one call at a time (max_calls=1)
    lead = start_engine_host(tmp_path, kamailio, LEAD, "--max-calls", "1")
    try:
        agent, events = engines.start(account_for(kamailio, AGENT))
        customer, call_id = customer_on_the_line(agent, events, peers, kamailio)
        token = secrets.token_urlsafe(32)
        lead.send(f"expect 7 {token}")
        time.sleep(0.2)
        agent.submit(cmd.StartSupervision(7, call_id, lead_uri(kamailio), token, "listen"))
        assert supervision(events, "connecting").session_id == 7
        connected = supervision(events, "connected")
        assert (connected.session_id, connected.mode) == (7, "listen")
        lead.wait_for(
            "SupervisionChanged", lambda e: e["phase"] == "connected" and e["side"] == "lead"
        )
        # the leg is no call: not on the agent's desk, not on the lead's
        assert [e.call_id for e in events.all(CallRinging)] == [call_id]
        assert not lead.named("CallRinging")
        assert not lead.named("CallStateChanged")

        # ...and not counted: with the leg up, a customer call still rings on the lead
        other = peers.start("--call", lead_uri(kamailio), kamailio=kamailio, user=OTHER)
        lead.wait_for("CallRinging", timeout_s=10)
        other.send("hangup")
        other.wait_for("ended")

        # a replay of the used token is refused at once and nothing connects
        forger = peers.start(
            "--call", lead_uri(kamailio), "--header", f"{SUPERVISION_HEADER}: {token}",
            kamailio=kamailio, user=OTHER,
        )  # fmt: skip
        incoming_at = time.monotonic()
        ended = forger.wait_for("ended", timeout_s=10)
        assert ended["code"] == 403
        assert time.monotonic() - incoming_at < 1.8  # no 2 s wait for a used token
        assert not forger.named("state") or all(
            e["state"] != "confirmed" for e in forger.named("state")
        )
        refused = lead.wait_for("SupervisionRefused")
        assert refused["reason"] == "token already used"
        assert token not in lead.log.read_text(errors="replace")

        # the customer hangs up: the leg ends within 1 s, on both sides
        customer.send("hangup")
        events.wait_for(CallEnded, lambda e: e.call_id == call_id)
        t0 = time.monotonic()
        lead.wait_for(
            "SupervisionChanged", lambda e: e["phase"] == "ended" and e["side"] == "lead",
            timeout_s=1.0,
        )  # fmt: skip
        ended_agent = supervision(events, "ended", timeout_s=1.0)
        assert time.monotonic() - t0 < 1.0
        assert ended_agent.reason == "call_ended"
        assert len(events.all(SupervisionChanged)) == 3  # connecting, connected, ended
    finally:
        lead.stop()


def test_a_forged_token_and_a_header_to_an_app_that_armed_nothing_are_refused(
    kamailio: Kamailio, engines: EngineRunner, peers: Peers
) -> None:
    engine, events = engines.start(account_for(kamailio, LEAD), EngineConfig(max_calls=1))
    # armed nothing: held 2 s (its arming may be on its way), then 403
    stranger = peers.start(
        "--call", lead_uri(kamailio),
        "--header", f"{SUPERVISION_HEADER}: {secrets.token_urlsafe(32)}",
        kamailio=kamailio, user=OTHER,
    )  # fmt: skip
    stranger.wait_for("state", lambda e: e["state"] == "calling")
    t0 = time.monotonic()
    ended = stranger.wait_for("ended", timeout_s=10)
    waited = time.monotonic() - t0
    assert ended["code"] == 403
    assert 1.5 <= waited < 4.0
    assert events.wait_for(SupervisionRefused).reason == "unknown token"

    # armed one session: another (forged) token is still refused
    engine.submit(cmd.ExpectSupervision(4, secrets.token_urlsafe(32)))
    forger = peers.start(
        "--call", lead_uri(kamailio),
        "--header", f"{SUPERVISION_HEADER}: {secrets.token_urlsafe(32)}",
        kamailio=kamailio, user=CUSTOMER,
    )  # fmt: skip
    assert forger.wait_for("ended", timeout_s=10)["code"] == 403
    assert all(e["state"] != "confirmed" for e in forger.named("state"))
    assert len(events.all(SupervisionRefused)) == 2
    # neither ever rang the desk nor became a supervision session
    assert not events.all(CallRinging)
    assert not events.all(SupervisionChanged)


def test_the_lead_refusing_is_refused_and_a_lead_that_vanishes_is_lead_lost(
    kamailio: Kamailio, engines: EngineRunner, peers: Peers
) -> None:
    agent, events = engines.start(account_for(kamailio, AGENT))
    customer, call_id = customer_on_the_line(agent, events, peers, kamailio)
    # a lead's app that refuses (403): the leg ends `refused`
    lead = peers.start("--reject", "403", kamailio=kamailio, user=LEAD)
    agent.submit(cmd.StartSupervision(1, call_id, lead_uri(kamailio), secrets.token_urlsafe(32)))
    assert supervision(events, "ended").reason == "refused"
    lead.stop()

    # a lead's app that answers, sends its microphone, then dies (no BYE): `lead_lost`
    lead = peers.start("--answer", "--tone", "500", kamailio=kamailio, user=LEAD)
    agent.submit(cmd.StartSupervision(2, call_id, lead_uri(kamailio), secrets.token_urlsafe(32)))
    events.wait_for(SupervisionChanged, lambda e: e.session_id == 2 and e.phase == "connected")
    time.sleep(1.0)
    lead.proc.kill()
    killed = time.monotonic()
    lost = events.wait_for(
        SupervisionChanged, lambda e: e.session_id == 2 and e.phase == "ended", timeout_s=10
    )
    assert lost.reason == "lead_lost"
    assert 3.5 <= time.monotonic() - killed < 6.5
    # the customer's call went on untouched
    assert not events.all(CallEnded)
    customer.send("dtmf 5")
    assert customer.named("ended") == []
    agent.submit(cmd.Hangup(call_id))
    events.wait_for(CallEnded)


def test_not_in_call_and_a_transfer_ends_the_leg(
    kamailio: Kamailio, engines: EngineRunner, peers: Peers
) -> None:
    agent, events = engines.start(account_for(kamailio, AGENT))
    agent.submit(cmd.StartSupervision(5, 42, lead_uri(kamailio), secrets.token_urlsafe(32)))
    assert supervision(events, "ended").reason == "not_in_call"

    customer, call_id = customer_on_the_line(agent, events, peers, kamailio)
    lead = peers.start("--answer", "--tone", "500", kamailio=kamailio, user=LEAD)
    target = peers.start("--answer", kamailio=kamailio, user=OTHER)
    agent.submit(cmd.StartSupervision(6, call_id, lead_uri(kamailio), secrets.token_urlsafe(32)))
    events.wait_for(SupervisionChanged, lambda e: e.session_id == 6 and e.phase == "connected")
    agent.submit(cmd.BlindTransfer(call_id, OTHER))
    ended = events.wait_for(
        SupervisionChanged, lambda e: e.session_id == 6 and e.phase == "ended", timeout_s=15
    )
    assert ended.reason == "transferred"
    lead.wait_for("ended", timeout_s=5)
    target.wait_for("state", lambda e: e["state"] == "confirmed", timeout_s=10)
    assert customer.named("transfer_request")  # the customer now talks to the target
