"""The agent's app without its window: the real device, desk model, outbox and engine.

`AgentApp` is what `homeagent.desktop.session.AgentSession` builds, minus Qt: an enrolled
`DeviceSession` (encrypted store, outbox, event stream, contact sync) against the real
server, the desk model with the app's own `AppSink` and `StoreDirectory`, the SIP engine
(pjsua2, this process) registered at Kamailio, everything the app's GUI thread would run
on the harness's GUI thread. The agent's SIP account is Kamailio's (the reference server
provisions its own SIP secret, which Kamailio's test database does not know).
"""

from __future__ import annotations

import sqlite3
import sys
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from homeagent.client.device import DeviceSession
from homeagent.client.events import ConnectionState
from homeagent.core import records
from homeagent.core.agent_state import AgentState
from homeagent.core.desk import DeskModel
from homeagent.core.desk_snapshot import DeskSnapshot, Screen
from homeagent.core.desk_types import Delivery, ServerLink, TeamSettings
from homeagent.core.eventlog import EventLog
from homeagent.core.events import CallPhase, RegistrationState
from homeagent.core.sip_config import SipAccountConfig
from homeagent.crm.outbox_items import OutboxStatus
from homeagent.desktop.adapters import AppSink, StoreDirectory
from homeagent.desktop.desk_records import team_from_me
from homeagent.security.provisioning import ProfileStore
from tests.helpers.desk_harness import DeskHarness, DiskLane, GuiThread, MemoryVault
from tests.integration.client.realserver import PASSWORD, ServerInstance
from tests.integration.net.conftest import Agent

AGENT_NAME = "alice"


@dataclass
class AgentApp:
    server: ServerInstance
    device: DeviceSession
    agent: Agent
    team: TeamSettings
    disk: DiskLane
    log: EventLog
    sink: AppSink | None = None
    outbox_passes: list[OutboxStatus] = field(default_factory=list)
    notes_written: list[str] = field(default_factory=list)

    @property
    def desk(self) -> DeskHarness:
        return self.agent.desk

    # -- the agent's work --------------------------------------------------------------

    def take_call(
        self,
        dial: Callable[[], None],
        *,
        disposition: str,
        notes: str,
        contact_id: str = "",
        talk_s: float = 0.0,
        timeout_s: float = 10.0,
    ) -> str:
        """A call rings, the agent answers, hangs up, writes the wrap-up; returns the
        interaction id. Checks the card popped with `contact_id` from the cache."""
        desk = self.desk
        dial()
        ringing = desk.wait_for(lambda s: s.screen is Screen.RINGING, timeout_s, "ringing")
        if contact_id:
            card = ringing.snap.card
            assert card is not None
            assert card.contact is not None, "no card from the cache"
            assert card.contact.id == contact_id
        desk.do(lambda m: m.answer())
        desk.wait_for(_talking, timeout_s, "in the call")
        if talk_s:
            time.sleep(talk_s)
        desk.do(lambda m: m.hang_up())
        wrap = desk.wait_for(lambda s: s.screen is Screen.WRAP_UP, timeout_s, "in wrap-up")
        assert wrap.snap.wrap_up is not None
        interaction_id = wrap.snap.wrap_up.interaction_id
        desk.do(lambda m: m.edit_wrap_up(notes=notes, disposition=disposition, callback_at=None))
        assert desk.do(lambda m: m.submit_wrap_up())
        # "Enregistré" (durable), then the desk is Available again (team setting)
        desk.wait_for(
            lambda s: s.screen is Screen.IDLE and s.presence.state is AgentState.AVAILABLE,
            timeout_s,
            "available after the wrap-up",
        )
        return interaction_id

    def write_note(self, contact_id: str, text: str, interaction_id: str) -> None:
        outbox = self.device.outbox
        self.disk.run(
            lambda: outbox.add_note(contact_id, text, interaction_id), self.notes_written.append
        )

    def take_break(self, reason: str) -> None:
        assert self.desk.do(lambda m: m.set_presence(AgentState.BREAK, reason))
        assert self.desk.do(lambda m: m.set_presence(AgentState.AVAILABLE))

    def pending(self) -> int:
        return self.device.outbox.status().pending

    def wait_delivered(self, timeout_s: float) -> float:
        """Wait until the outbox is empty (everything acknowledged); seconds it took."""
        t0 = time.monotonic()
        self.disk.drain()
        backlog = self.pending()
        while self.pending() or self.desk.now.last_delivery is Delivery.SAVED:
            if time.monotonic() - t0 > timeout_s:
                raise TimeoutError(
                    f"outbox still has {self.pending()} of its {backlog} entries after "
                    f"{timeout_s} s: "
                    f"{self.device.outbox.status()}, the desk sees the server "
                    f"{self.desk.now.server.name}; "
                    + "; ".join(
                        f"{i.kind} {i.path} x{i.attempts}: {i.last_error}"
                        for i in self.device.outbox.pending()
                    )
                    + _sender_thread()
                )
            time.sleep(0.05)
        return time.monotonic() - t0

    def stop(self) -> None:
        self.device.stop()
        self.disk.close()
        self.log.close()


def _sender_thread() -> str:
    """Where the outbox's sender thread is (a pass blocked in a request, or none left)."""
    frames = sys._current_frames()
    for thread in threading.enumerate():
        if thread.name == "outbox-sender" and thread.ident in frames:
            stack = "".join(traceback.format_stack(frames[thread.ident])[-8:])
            return f"\nthe outbox sender is at:\n{stack}"
    return "\nno outbox sender thread is running"


def _talking(snap: DeskSnapshot) -> bool:
    call = snap.call
    return call is not None and call.phase is CallPhase.ACTIVE and call.connected_at_s is not None


def build_app(
    server: ServerInstance,
    tmp: Path,
    account: SipAccountConfig,
    start_agent: Callable[..., Agent],
    *,
    max_backoff_s: float,
) -> AgentApp:
    """Enrol alice on `server` (running), sync the contacts, start the desk and engine."""
    data = server.export_profile(tmp / "org.homeagent-profile")
    store = ProfileStore(user_config_dir=tmp / "config", system_dir=server.trust_dir)
    profile = store.import_bytes(data).profile
    data_dir = tmp / "data"
    device = DeviceSession(profile, MemoryVault(), data_dir=data_dir, max_backoff_s=max_backoff_s)
    device.enrol(AGENT_NAME, PASSWORD, "alice-pc")
    device.sync_contacts()
    _, team = team_from_me(records.parse_me(device.client.me()))
    assert team.dispositions, "the server's team has no dispositions"
    log = EventLog(data_dir / "logs" / "events.jsonl")
    holder: dict[str, Any] = {}

    def model_factory(gui: GuiThread) -> DeskModel:
        disk = holder["disk"] = DiskLane(gui)

        def on_delivery(record_id: str, delivery: Delivery) -> None:
            model = holder["model"]
            if delivery is Delivery.SAVED:
                model.wrap_up_durable(record_id)
            elif delivery is Delivery.SENT:
                model.wrap_up_sent(record_id)
            elif delivery is Delivery.FAILED:
                model.wrap_up_failed(record_id)

        sink = holder["sink"] = AppSink(
            submit=lambda c: holder["engine"].submit(c),
            outbox=device.outbox,
            store=device.store,
            disk=disk,  # type: ignore[arg-type]  # the same run(job, on_done, on_error)
            on_delivery=on_delivery,
        )
        model = holder["model"] = DeskModel(
            directory=StoreDirectory(device.open_reader()), sink=sink, log=log
        )
        return model

    agent = start_agent(account, model_factory=model_factory)
    holder["engine"] = agent.engine
    app = AgentApp(server, device, agent, team, holder["disk"], log, holder["sink"])
    gui = agent.desk.gui
    agent.desk.do(lambda m: m.configure(agent_name=AGENT_NAME, team=team))

    def on_outbox(status: OutboxStatus) -> None:
        app.outbox_passes.append(status)
        gui.post(holder["sink"].check_sent)

    def on_connection(state: ConnectionState) -> None:
        gui.post(lambda: holder["model"].set_server_link(ServerLink(state.value)))

    device.start(on_connection=on_connection, on_outbox=on_outbox)
    agent.desk.wait_for(lambda s: s.server is ServerLink.ONLINE, 15, "online")
    agent.desk.wait_for(lambda s: s.registration is RegistrationState.REGISTERED, 15)
    assert agent.desk.do(lambda m: m.set_presence(AgentState.AVAILABLE))
    return app


def server_rows(server: ServerInstance, sql: str, *args: object) -> list[tuple[Any, ...]]:
    """Read the server's database directly (what it stored, not what it answers)."""
    path = server.db_url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as db:
        return list(db.execute(sql, args).fetchall())
