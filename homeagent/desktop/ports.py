"""What the composition needs of an enrolled device (`homeagent.client.device.DeviceSession`,
or the tests' fake): the parts a desk is built over, typed with the real parts' types."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:  # annotations only: the SIP engine starts before these are imported
    from homeagent.client.events import ConnectionState, StreamEvent
    from homeagent.core.call_quality import QualitySample
    from homeagent.core.ports import ServerApi
    from homeagent.core.sip_config import SipAccountConfig
    from homeagent.crm.outbox import Outbox
    from homeagent.crm.outbox_items import OutboxStatus
    from homeagent.crm.store import LocalStore
    from homeagent.crm.sync import SyncProgress


class Device(Protocol):
    """An enrolled device: its store, outbox and server client, and its services."""

    data_dir: Path

    @property
    def store(self) -> LocalStore: ...
    @property
    def outbox(self) -> Outbox: ...
    @property
    def client(self) -> ServerApi: ...

    def open_reader(self) -> LocalStore:
        """A second connection to the cache (the caller closes it)."""

    def sip_account(self, ca_file: str | None = None) -> SipAccountConfig: ...
    def on_revoked(self, callback: Callable[[], None]) -> None: ...
    def start(
        self,
        *,
        on_event: Callable[[StreamEvent], None] | None = None,
        on_connection: Callable[[ConnectionState], None] | None = None,
        on_outbox: Callable[[OutboxStatus], None] | None = None,
        on_sync: Callable[[SyncProgress], None] | None = None,
    ) -> None: ...
    def stop(self) -> None: ...
    def publish_quality(self, sample: QualitySample) -> None:
        """Post a call-quality sample now (its own thread) or drop it; never blocks."""
