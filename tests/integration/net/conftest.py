"""Fixtures of the home-network fault tests: a centre namespace, its Kamailio, callers,
and the agent's engine + desk in this process (the agent's PC)."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from homeagent.core.desk import DeskModel
from homeagent.core.eventlog import EventLog as DeskEventLog
from homeagent.core.events import Event, RegistrationChanged, RegistrationState
from homeagent.core.sip_config import EngineConfig, SipAccountConfig, Transport
from homeagent.sip.engine import SipEngine
from tests.helpers.desk_harness import DeskHarness, NoContacts, RecordingSink
from tests.helpers.kamailio import Kamailio
from tests.helpers.netlab import CentreKamailio, NetLab, netlab
from tests.integration.sip.conftest import EventLog
from tests.integration.sip.peers import PeerProcess

AGENT = "1001"
CALLER = "2001"


@pytest.fixture
def lab() -> Iterator[NetLab]:
    with netlab(("wifi", "wired")) as running:
        yield running


@pytest.fixture
def centre(lab: NetLab, tmp_path: Path) -> Iterator[CentreKamailio]:
    """Kamailio in the centre; its INVITE burst shield widened for accelerated shifts."""
    kam = CentreKamailio(lab, tmp_path / "kamailio", defines=(f"AGENT_INVITE_BURST={10**6}",))
    kam.start()
    yield kam
    kam.stop()


def agent_account(kam: Kamailio, transport: Transport = Transport.UDP) -> SipAccountConfig:
    """The agent's account with the product's retry settings (not the tests' shorter ones)."""
    return SipAccountConfig(
        registrar_host=kam.host,
        registrar_port=kam.port(transport.value),
        domain=kam.domain,
        username=AGENT,
        password=kam.passwords[AGENT],
        transport=transport,
        display_name="Agent",
        ca_file=str(kam.ca_file) if kam.ca_file else None,
    )


class TimedEventLog(EventLog):
    def __init__(self) -> None:
        super().__init__()
        self.timed: list[tuple[float, Event]] = []

    def __call__(self, event: Event) -> None:
        self.timed.append((time.monotonic(), event))
        super().__call__(event)


@dataclass
class Agent:
    engine: SipEngine
    events: TimedEventLog
    desk: DeskHarness
    sink: RecordingSink | None

    def registered_after(self, t0: float, timeout_s: float) -> float:
        """Seconds from `t0` to the first REGISTERED event after it."""
        deadline = time.monotonic() + timeout_s
        while True:
            for at, ev in self.events_at():
                registered = isinstance(ev, RegistrationChanged) and (
                    ev.state is RegistrationState.REGISTERED
                )
                if at >= t0 and registered:
                    return at - t0
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"not registered again within {timeout_s} s: "
                    f"{self.events.all(RegistrationChanged)[-6:]}"
                )
            time.sleep(0.05)

    def events_at(self) -> list[tuple[float, Event]]:
        return list(self.events.timed)


@pytest.fixture
def start_agent(tmp_path: Path) -> Iterator[Callable[..., Agent]]:
    """Start the agent's engine (bound to every interface, as the app does) and a desk."""
    started: list[Agent] = []
    logs: list[DeskEventLog] = []

    def start(
        account: SipAccountConfig,
        *,
        model_factory: Callable[..., DeskModel] | None = None,
        config: EngineConfig | None = None,
    ) -> Agent:
        events = TimedEventLog()
        box: list[SipEngine] = []
        sink: RecordingSink | None = None
        desk_log = DeskEventLog(tmp_path / f"desk-{len(started)}.jsonl")
        logs.append(desk_log)

        def default_model(_gui: object) -> DeskModel:
            nonlocal sink
            sink = RecordingSink(lambda c: box[0].submit(c))
            return DeskModel(directory=NoContacts(), sink=sink, log=desk_log)

        desk = DeskHarness(model_factory or default_model, tmp_path / "desk.jsonl")

        def on_event(event: Event) -> None:
            events(event)
            desk.engine_event(event)

        engine = SipEngine(
            config or EngineConfig(bind_address="0.0.0.0"),
            account,
            on_event,
        )
        box.append(engine)
        agent = Agent(engine, events, desk, sink)
        started.append(agent)
        engine.start()
        return agent

    yield start
    for agent in started:
        try:
            agent.engine.stop(timeout_s=8)
        finally:
            agent.desk.close()
    for log in logs:
        log.close()


def start_caller(
    lab: NetLab, kam: CentreKamailio, tmp: Path, user: str = CALLER, *extra: str
) -> PeerProcess:
    """A customer's phone in the centre (a pjsua2 peer), registered; `send("call URI")`
    (`extra`: more peer options, e.g. ``--header`` lines sent with every call)."""
    env = dict(os.environ, HOMEAGENT_PEER_PASSWORD=kam.passwords[user])
    argv = [
        "--user", user, "--bind", lab.service_ip,
        "--registrar", f"{lab.service_ip}:{kam.udp}", "--domain", kam.info.domain,
        "--exit-after", "600", *extra,
    ]  # fmt: skip
    peer = PeerProcess(argv, env, tmp / f"caller-{user}.log", prefix=lab.exec_prefix)
    peer.wait_for("started")
    peer.wait_for("registered", lambda e: e["code"] == 200)
    return peer
