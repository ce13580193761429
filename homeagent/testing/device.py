"""A device and a server client for tests: the real encrypted store and outbox, no server.

`FakeDevice` has `homeagent.desktop.ports.Device`'s surface plus what
`homeagent.desktop.app` uses (enrolment, revocation); `FakeServerClient` answers the
desk's reads with fixed data, like a server with one agent.
"""

from __future__ import annotations

import copy
import datetime as dt
import itertools
import json
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any, ClassVar

from homeagent.client.events import ConnectionState, StreamEvent
from homeagent.core import lead_comms, records, supervision
from homeagent.core.call_quality import QualitySample
from homeagent.core.ports import ServerApi
from homeagent.core.sip_config import SipAccountConfig
from homeagent.crm.outbox import Outbox
from homeagent.crm.outbox_items import OutboxStatus
from homeagent.crm.store import LocalStore
from homeagent.crm.sync import SyncProgress
from homeagent.testing.fake_server import FakeServer
from homeagent.testing.vault import MemoryVault

ME: dict[str, Any] = {
    "user": {
        "id": "u-1",
        "name": "alice",
        "display_name": "Alice Robert",
        "role": "agent",
        "team_id": "t-1",
    },
    "team": {
        "id": "t-1",
        "name": "Support",
        "pause_reasons": ["Déjeuner", "Café"],
        "wrap_up_s": 30,
        "auto_answer_s": 0,
        "auto_available_after_wrap_up": True,
        "dispositions": [{"code": "ok", "label": "Résolu"}],
    },
}
PASSWORD = "mot-de-passe"  # noqa: S105 - what `FakeDevice.enrol` accepts


class FakeServerClient:
    """`homeagent.core.ports.ServerApi` answered at once from fixed data, through the same
    parse functions as the real client's answers."""

    verify: str | bool = True
    figures_reads = 0  # how often the desk read its figures
    server: FakeServer | None = None  # the messages GET /messages lists

    def messages(self, after_id: str | int | None = None) -> list[dict[str, Any]]:
        server = self.server
        return server.conversation(int(after_id or 0)) if server is not None else []

    def me(self) -> dict[str, Any]:
        return copy.deepcopy(ME)

    def read_me(self) -> records.Me:
        return records.parse_me(self.me())

    def read_my_state(self) -> records.AgentStateRow:
        return records.parse_agent_state(
            {"agent_id": "u-1", "state": "offline", "reason": "", "since": "2026-12-01T07:00:00Z"}
        )

    def read_callbacks(
        self,
        status: records.CallbackStatus | None = "pending",
        due_before: dt.datetime | None = None,
    ) -> tuple[records.Callback, ...]:
        return ()

    def read_contact_history(self, contact_id: str) -> records.ContactHistory:
        return records.ContactHistory(interactions=(), notes=())

    def read_figures(self, agent_id: str, day: dt.date) -> records.Figures:
        self.figures_reads += 1
        return records.parse_figures(
            {
                "day": day.isoformat(),
                "calls_handled": 3,
                "missed": 0,
                "declined": 0,
                "talk_s": 240,
                "wrap_up_s": 60,
                "handle_s": 300,
                "avg_handle_s": 100,
                "avg_wrap_up_s": 20,
                "breaks": {"count": 1, "duration_s": 600},
            }
        )

    def read_agent_day(self, agent_id: str, day: dt.date) -> lead_comms.DayReport:
        """One agent's plausible day (the console's sample, answered as the server would)."""
        from homeagent.testing.lead_comms import sample_day

        payload = sample_day(day, ((agent_id, "agent", "Agent"),))
        return lead_comms.parse_day({**payload, "team": None})

    # diagnostics bundles (docs/api.md): what the desk sent or declined, and the requests
    # still pending (a test puts them there; `offline` makes the sending fail)
    diagnostics_offline = False

    def __init__(self) -> None:
        self.diagnostics_sent: list[tuple[bytes, int | None]] = []
        self.diagnostics_declined: list[int] = []
        self.diagnostics_pending: list[dict[str, Any]] = []

    def send_diagnostics(self, content: bytes, request_id: int | None = None) -> dict[str, Any]:
        from homeagent.client.errors import ServerUnreachable

        if self.diagnostics_offline:
            raise ServerUnreachable("POST /agents/me/diagnostics: connection refused")
        self.diagnostics_sent.append((content, request_id))
        self.diagnostics_pending = [r for r in self.diagnostics_pending if r["id"] != request_id]
        return {"id": len(self.diagnostics_sent), "size_bytes": len(content)}

    def decline_diagnostics(self, request_id: int) -> dict[str, Any]:
        self.diagnostics_declined.append(request_id)
        self.diagnostics_pending = [r for r in self.diagnostics_pending if r["id"] != request_id]
        return {"id": request_id, "status": "declined"}

    def pending_diagnostics_requests(self) -> list[dict[str, Any]]:
        return list(self.diagnostics_pending)

    # the agent's supervision routes (docs/supervision-contract.md), answered by `server`

    def supervision_connected(self, session_id: int) -> supervision.SessionRecord:
        assert self.server is not None
        found = self.server.supervision_request("POST", f"/supervision/{session_id}/connected")
        return supervision.parse_session(found)

    def end_supervision(self, session_id: int, reason: str) -> supervision.SessionRecord:
        assert self.server is not None
        found = self.server.supervision_request("POST", f"/supervision/{session_id}/end", reason)
        return supervision.parse_session(found)


class FakeDevice:
    """An enrolled (or enrollable) device over a real encrypted store in `data_dir`.

    `revoke()` acts like the server's revocation: wipe, then the listeners on the calling
    thread. Every instance is kept in `instances` so a test can reach the one the
    composition made.
    """

    instances: ClassVar[list[FakeDevice]] = []

    def __init__(
        self,
        profile: Any = None,
        vault: MemoryVault | None = None,
        *,
        data_dir: Path,
        enrolled: bool = False,
    ) -> None:
        self.profile = profile or SimpleNamespace(default_region="FR")
        self.vault = vault or MemoryVault()
        self.data_dir = data_dir
        self.client: ServerApi = FakeServerClient()
        self._listeners: list[Callable[[], None]] = []
        self._store: LocalStore | None = None
        self._outbox: Outbox | None = None
        self.on_outbox: Callable[[OutboxStatus], None] | None = None
        self.on_event: Callable[[StreamEvent], None] | None = None
        self.on_connection: Callable[[ConnectionState], None] | None = None
        self.enrolments: list[str] = []
        self.started = 0
        self.server = FakeServer(push=self.push)  # answers the outbox, pushes events
        if isinstance(self.client, FakeServerClient):
            self.client.server = self.server
        self.qualities: list[QualitySample] = []  # what `publish_quality` was handed
        self.sip_renewals_due = 0  # > 0: an enrolled device without its own SIP credential
        self.sip_renewals = 0
        self._event_ids = itertools.count(1)
        FakeDevice.instances.append(self)
        if enrolled:
            self.enrol("alice", PASSWORD, "pc")

    @property
    def is_enrolled(self) -> bool:
        return self.vault.get_refresh_token() is not None

    def enrol(self, username: str, password: str, device_name: str) -> None:
        if password != PASSWORD:
            raise PermissionError("wrong password")
        self.vault.set_refresh_token("refresh")
        self.vault.set_sip_secret("sip")
        (self.data_dir / "device.json").write_text(json.dumps({"user": {"id": "u-1"}}))
        self.enrolments.append(username)

    @property
    def store(self) -> LocalStore:
        if self._store is None:
            self._store = LocalStore.open(self.vault.data_key(), self.data_dir)
            self._outbox = Outbox(self._store)
        return self._store

    @property
    def outbox(self) -> Outbox:
        _ = self.store
        assert self._outbox is not None
        return self._outbox

    def open_reader(self) -> LocalStore:
        return LocalStore.open(self.vault.data_key(), self.data_dir)

    def sip_account(self, ca_file: str | None = None) -> SipAccountConfig:
        return SipAccountConfig(
            "127.0.0.1", 5060, "demo.local", "1001", "sip", auth_username="1001.fake0001"
        )

    @property
    def needs_sip_credential(self) -> bool:
        """Whether `renew_sip_credential` is due (a test sets `sip_renewals_due`)."""
        return self.is_enrolled and self.sip_renewals_due > 0

    def renew_sip_credential(self) -> None:
        self.sip_renewals_due = 0
        self.sip_renewals += 1
        self.vault.set_sip_secret("sip-renewed")

    def on_revoked(self, callback: Callable[[], None]) -> None:
        self._listeners.append(callback)

    def start(
        self,
        *,
        on_event: Callable[[StreamEvent], None] | None = None,
        on_connection: Callable[[ConnectionState], None] | None = None,
        on_outbox: Callable[[OutboxStatus], None] | None = None,
        on_sync: Callable[[SyncProgress], None] | None = None,
    ) -> None:
        self.started += 1
        self.on_outbox = on_outbox
        self.on_event = on_event  # a test delivers stream events through it
        self.on_connection = on_connection  # and the stream's connection changes

    def server_sends_everything(self) -> None:
        """The outbox sender's pass: every pending entry to the fake server, which answers
        as the contract says (what it refuses becomes a dead letter, as for real)."""
        self.outbox.send_pending(self.server)
        if self.on_outbox is not None:
            self.on_outbox(self.outbox.status())

    def push(self, type_: str, data: dict[str, Any]) -> None:
        """A stream event, handled as `DeviceSession` does: a message is stored with its
        "delivered" receipt queued, then the desk hears of it."""
        if type_ == "message":
            self.outbox.message_arrived(data)
        if self.on_event is not None:
            self.on_event(StreamEvent(next(self._event_ids), type_, copy.deepcopy(data)))

    def publish_quality(self, sample: QualitySample) -> None:
        """Record (the real device posts it live on its own thread)."""
        self.qualities.append(sample)

    def stop(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None

    def close(self) -> None:
        self.stop()

    def revoke(self) -> None:
        if self._store is not None:
            self._store.wipe()
            self._store = None
        self.vault.wipe()
        (self.data_dir / "device.json").unlink(missing_ok=True)
        for callback in self._listeners:
            callback()
