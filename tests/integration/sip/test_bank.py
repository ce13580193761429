"""The phone bank (the demo team's SIP side): several accounts on one Endpoint, each
registered to the real Kamailio, taking real calls from a pjsua2 peer."""

from __future__ import annotations

import queue
import time
from collections.abc import Iterator

import pytest

from homeagent.core.sip_config import EngineConfig, SipAccountConfig
from homeagent.sip.bank import MAX_ACCOUNTS, PhoneBank, PhoneEvent
from tests.helpers.kamailio import Kamailio
from tests.integration.sip.peers import Peers

pytestmark = pytest.mark.integration


@pytest.fixture
def bank() -> Iterator[tuple[PhoneBank, queue.Queue[PhoneEvent]]]:
    events: queue.Queue[PhoneEvent] = queue.Queue()
    phones = PhoneBank(EngineConfig(bind_address="127.0.0.1"), events.put)
    phones.start()
    yield phones, events
    phones.stop()


def _next(events: queue.Queue[PhoneEvent], kind: str, account: str, timeout_s: float = 15):
    deadline = time.monotonic() + timeout_s
    seen = []
    while time.monotonic() < deadline:
        try:
            event = events.get(timeout=0.2)
        except queue.Empty:
            continue
        if event.kind == kind and event.account == account:
            return event
        seen.append(event)
    raise AssertionError(f"no {kind} for {account} in {timeout_s} s; seen {seen}")


def _each(
    events: queue.Queue[PhoneEvent], kind: str, accounts: set[str], timeout_s: float = 15
) -> dict[str, PhoneEvent]:
    """The first `kind` event of each of `accounts`, whatever their order."""
    deadline = time.monotonic() + timeout_s
    found: dict[str, PhoneEvent] = {}
    seen = []
    while time.monotonic() < deadline and set(found) != accounts:
        try:
            event = events.get(timeout=0.2)
        except queue.Empty:
            continue
        if event.kind == kind and event.account in accounts:
            found.setdefault(event.account, event)
        else:
            seen.append(event)
    assert set(found) == accounts, f"{kind}: {sorted(found)} of {sorted(accounts)}; seen {seen}"
    return found


def _account(kamailio: Kamailio, user: str) -> SipAccountConfig:
    return SipAccountConfig(
        registrar_host=kamailio.host, registrar_port=kamailio.udp_port, domain=kamailio.domain,
        username=user, password=kamailio.passwords[user], first_retry_s=2,
    )  # fmt: skip


def test_each_account_registers_and_takes_its_own_calls(
    kamailio: Kamailio, peers: Peers, bank: tuple[PhoneBank, queue.Queue[PhoneEvent]]
) -> None:
    phones, events = bank
    for user in ("1001", "1002"):
        phones.add_account(user, _account(kamailio, user))
    registered = _each(events, "registered", {"1001", "1002"})  # in whatever order they come
    assert all(200 <= e.code < 300 for e in registered.values()), registered
    with pytest.raises(ValueError, match="already"):
        phones.add_account("1001", _account(kamailio, "1001"))

    customer = peers.start("--call", f"sip:1002@{kamailio.domain}", "--tone", "440",
                           kamailio=kamailio, user="2001")  # fmt: skip
    ring = _next(events, "incoming", "1002")  # 1002's call, not 1001's
    assert ring.sip_call_id  # the INVITE's Call-ID, as the desk logs it
    assert ring.remote_number == "2001"
    customer.wait_for("state", lambda e: e["state"] == "early")  # the bank sent 180
    assert phones.answer("1002", ring.call)
    _next(events, "confirmed", "1002")
    customer.wait_for("state", lambda e: e["state"] == "confirmed")
    time.sleep(6)  # RTCP is sent every 5 s
    quality = phones.quality("1002", ring.call)
    assert quality is not None
    assert quality.mos > 4.0  # loopback: no loss
    assert phones.hangup("1002", ring.call)
    _next(events, "ended", "1002")
    customer.wait_for("ended")
    assert not phones.hangup("1002", ring.call)  # already over
    assert phones.quality("1002", ring.call) is None


def test_a_customer_who_hangs_up_while_it_rings_ends_the_call(
    kamailio: Kamailio, peers: Peers, bank: tuple[PhoneBank, queue.Queue[PhoneEvent]]
) -> None:
    phones, events = bank
    phones.add_account("1003", _account(kamailio, "1003"))
    _next(events, "registered", "1003")
    customer = peers.start("--call", f"sip:1003@{kamailio.domain}", kamailio=kamailio,
                           user="2002")  # fmt: skip
    ring = _next(events, "incoming", "1003")
    customer.wait_for("state", lambda e: e["state"] == "early")
    customer.send("hangup")
    assert _next(events, "ended", "1003").code == 487  # CANCEL: Request Terminated
    assert not phones.answer("1003", ring.call)


def test_the_bank_refuses_more_accounts_than_pjsua_holds(
    kamailio: Kamailio, bank: tuple[PhoneBank, queue.Queue[PhoneEvent]]
) -> None:
    phones, _ = bank
    for i in range(MAX_ACCOUNTS):  # registration failures do not matter here
        phones.add_account(f"a{i}", SipAccountConfig(
            registrar_host=kamailio.host, registrar_port=kamailio.udp_port,
            domain=kamailio.domain, username=f"nobody{i}", password="x",
        ))  # fmt: skip
    with pytest.raises(ValueError, match="at most"):
        phones.add_account("one-too-many", _account(kamailio, "1001"))


def test_a_second_endpoint_in_the_process_is_refused(
    bank: tuple[PhoneBank, queue.Queue[PhoneEvent]],
) -> None:
    other = PhoneBank(EngineConfig(bind_address="127.0.0.1"), lambda e: None)
    with pytest.raises(RuntimeError, match="already has a SIP Endpoint"):
        other.start()
