"""A normal hang-up writes no error: pjsip used to log PJ_EINVAL for the stream statistics
the engine read after the call's media was gone (one ERROR line at every hang-up)."""

from __future__ import annotations

import logging

import pytest

from homeagent.core import commands as cmd
from homeagent.core.events import CallEnded, CallPhase, CallRinging, CallStateChanged
from tests.helpers.kamailio import Kamailio
from tests.integration.sip.conftest import EngineRunner, account_for
from tests.integration.sip.peers import Peers

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("who_hangs_up", ["customer", "agent"])
def test_a_hang_up_logs_no_pjsip_error(
    kamailio: Kamailio,
    engines: EngineRunner,
    peers: Peers,
    caplog: pytest.LogCaptureFixture,
    who_hangs_up: str,
) -> None:
    engine, events = engines.start(account_for(kamailio, "1001"))
    caller = peers.start("--call", f"sip:1001@{kamailio.domain}", kamailio=kamailio, user="2001")
    cid = events.wait_for(CallRinging).call_id
    with caplog.at_level(logging.WARNING, logger="homeagent.sip"):
        engine.submit(cmd.Answer(cid))
        events.wait_for(
            CallStateChanged, lambda e: e.call_id == cid and e.phase is CallPhase.ACTIVE
        )
        if who_hangs_up == "customer":
            caller.send("hangup")
        else:
            engine.submit(cmd.Hangup(cid))
        ended = events.wait_for(CallEnded, lambda e: e.call_id == cid)
    assert ended.answered
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert not errors, errors
