"""Registration against a real Kamailio with digest auth, over UDP, TCP and TLS."""

from __future__ import annotations

import dataclasses
import logging
import threading
import time

import pytest

from homeagent.core.events import (
    EngineStarted,
    EngineStopped,
    RegistrationChanged,
    RegistrationState,
)
from homeagent.core.sip_config import EngineConfig, Transport
from tests.helpers.kamailio import Kamailio
from tests.helpers.procs import free_port
from tests.integration.sip.conftest import EngineRunner, account_for
from tests.integration.sip.peers import Peers

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("transport", [Transport.UDP, Transport.TCP])
def test_registers_with_digest_auth(
    kamailio: Kamailio, engines: EngineRunner, transport: Transport
) -> None:
    engine, events = engines.start(account_for(kamailio, "1001", transport))
    reg = events.wait_for(RegistrationChanged, lambda e: e.state is RegistrationState.REGISTERED)
    assert reg.code == 200
    assert reg.account == f"sip:1001@{kamailio.domain}"
    started = events.wait_for(EngineStarted)
    assert started.transport == transport.value
    assert started.local_port == engine.local_port > 0
    assert events.threads == {"sip-engine"}
    engine.stop()
    events.wait_for(EngineStopped)
    assert not any(t.name == "sip-engine" for t in threading.enumerate())


@pytest.mark.parametrize("transport", [Transport.UDP, Transport.TCP])
def test_stopping_the_engine_removes_its_binding_at_the_registrar(
    kamailio: Kamailio, engines: EngineRunner, peers: Peers, transport: Transport
) -> None:
    """An agent who quits must not stay reachable: a call to them afterwards is 404 at
    once, instead of ringing a contact nobody listens on until the binding expires."""
    engine, events = engines.start(account_for(kamailio, "1001", transport))
    engine.stop()
    gone = events.wait_for(RegistrationChanged, lambda e: e.state is RegistrationState.UNREGISTERED)
    assert gone.code == 200
    events.wait_for(EngineStopped)
    caller = peers.start("--call", f"sip:1001@{kamailio.domain}", kamailio=kamailio, user="2002")
    assert caller.wait_for("ended", timeout_s=10)["code"] == 404


def test_registers_over_tls_with_the_profile_ca(
    kamailio_tls: Kamailio, engines: EngineRunner
) -> None:
    _, events = engines.start(account_for(kamailio_tls, "1002", Transport.TLS))
    reg = events.wait_for(RegistrationChanged, lambda e: e.state is RegistrationState.REGISTERED)
    assert reg.code == 200


def test_wrong_password_fails_without_retry_and_never_logs_it(
    kamailio: Kamailio, engines: EngineRunner, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="homeagent")
    secret = "Secr3t-" + "x" * 12
    account = dataclasses.replace(account_for(kamailio, "1003"), password=secret)
    engine, events = engines.start(account, EngineConfig(log_level=3), wait_registered=False)
    failed = events.wait_for(RegistrationChanged, lambda e: e.state is RegistrationState.FAILED)
    assert failed.code in (401, 403, 407)
    assert "authentication failed" in failed.reason
    assert failed.next_retry_s is None
    engine.stop()
    assert caplog.records, "the pjsip log should reach Python logging"
    assert secret not in caplog.text
    assert secret not in repr(account)


def test_unreachable_registrar_is_retried_first_soon_then_slower(
    kamailio: Kamailio, engines: EngineRunner
) -> None:
    account = dataclasses.replace(
        account_for(kamailio, "1004", Transport.TCP), registrar_port=free_port()
    )
    _, events = engines.start(account, wait_registered=False)
    first = events.wait_for(RegistrationChanged, lambda e: e.state is RegistrationState.FAILED)
    assert first.next_retry_s == account.first_retry_s
    t0 = time.monotonic()
    second = events.wait_for(
        RegistrationChanged,
        lambda e: e.state is RegistrationState.FAILED and e is not first,
        timeout_s=15,
    )
    elapsed = time.monotonic() - t0
    # first_retry_s with +/- 1 s of jitter (randomRetryIntervalSec), plus connect time
    assert account.first_retry_s - 1.2 <= elapsed <= account.first_retry_s + 4
    assert second.next_retry_s == account.retry_interval_s
