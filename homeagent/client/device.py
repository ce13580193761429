"""The device's life: enrolment, its services (event stream, outbox, sync), revocation.

One `DeviceSession` per accepted profile. The app (composition root) builds it, calls
`enrol()` from the enrolment screen (off the GUI thread: it talks to the server), then
`start()`; `on_revoked` listeners hear when the server revoked the device, after the
local secrets and the customer cache were wiped, and show the enrolment screen again.

Threads: `enrol`, `sync_contacts` run on the caller's (worker) thread; the event stream,
the outbox sender and the background delta sync have their own threads, and the
callbacks given to `start()` run on those threads (the UI marshals them to Qt).
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from homeagent.core.profile import Profile
from homeagent.core.sip_config import SipAccountConfig, SrtpMode, Transport
from homeagent.crm.paths import default_data_dir

if TYPE_CHECKING:  # the rest is imported where used: the SIP engine starts before them
    from homeagent.client.events import ConnectionState, EventStream, StreamEvent
    from homeagent.client.quality import QualityPublisher
    from homeagent.client.server import ServerClient
    from homeagent.core.call_quality import QualitySample
    from homeagent.crm.outbox import Outbox
    from homeagent.crm.outbox_items import OutboxStatus
    from homeagent.crm.outbox_sender import OutboxSender
    from homeagent.crm.store import LocalStore
    from homeagent.crm.sync import SyncProgress
    from homeagent.security.vault import SecretStore

log = logging.getLogger(__name__)

DEVICE_FILE = "device.json"  # not secret: device id, user name, display name
LAST_EVENT_KEY = "events.last_id"


@dataclass(frozen=True, slots=True)
class Enrolled:
    device_id: str
    user: dict[str, Any]


class NotEnrolled(RuntimeError):
    """The device has no tokens: show the enrolment screen."""


class ProvisioningFailed(RuntimeError):
    """The server's answer gave this device no SIP credential."""


class DeviceSession:
    """See the module docstring."""

    def __init__(
        self,
        profile: Profile,
        vault: SecretStore,
        *,
        data_dir: Path | None = None,
        client: ServerClient | None = None,
        sync_page_size: int = 1000,
        max_backoff_s: float = 30.0,
    ) -> None:
        self.profile = profile
        self.vault = vault
        self.data_dir = data_dir or default_data_dir()
        self._client = client
        self._client_wired = False
        self._sync_page_size = sync_page_size
        # the longest wait between two tries of the event stream and the outbox sender
        # while the server is away (tests shorten it to run a long outage quickly)
        self._max_backoff_s = max_backoff_s
        self._revoked_listeners: list[Callable[[], None]] = []
        self._lock = threading.RLock()
        self._store: LocalStore | None = None
        self._outbox: Outbox | None = None
        self._stream: EventStream | None = None
        self._sender: OutboxSender | None = None
        self._quality: QualityPublisher | None = None
        self._sync_wake = threading.Event()
        self._sync_thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self.revoked = False

    @property
    def client(self) -> ServerClient:
        """The server's client, made at first use (the SIP engine starts without it)."""
        with self._lock:
            if self._client is None:
                from homeagent.client.server import ServerClient

                self._client = ServerClient.from_profile(self.profile, self.vault)
            if not self._client_wired:
                self._client.on_revoked(self._handle_revoked)
                info = self._read_device_file()
                if info.get("device_id"):
                    self._client.device_id = str(info["device_id"])
                self._client_wired = True
            return self._client

    # --- enrolment -------------------------------------------------------------------

    @property
    def is_enrolled(self) -> bool:
        return self.vault.get_refresh_token() is not None

    def on_revoked(self, callback: Callable[[], None]) -> None:
        """`callback()` after a revocation wiped this device (on the noticing thread)."""
        self._revoked_listeners.append(callback)

    def enrol(self, username: str, password: str, device_name: str) -> Enrolled:
        """Log in once; keep device tokens and the SIP secret in the vault, never the
        password. Raises `AuthenticationFailed` (wrong password), `ServerUnreachable`,
        `TlsVerificationFailed`, `VaultUnavailable`."""
        fresh = not self.vault.has_data_key()
        result = self.client.login(username, password, device_name)
        del password
        try:
            info = self._finish_enrolment(result, username)
        except BaseException:
            # A fresh device is enrolled all or nothing: tokens without a SIP secret would
            # skip the enrolment screen and then fail. (A re-enrolment keeps its data key:
            # the cache may hold unsent work.)
            if fresh:
                self.vault.wipe()
            raise
        user = info["user"]
        device_id = info["device_id"]
        self.revoked = False
        log.info("device enrolled for user %s", user.get("id", "?"))
        return Enrolled(device_id, user)

    def _finish_enrolment(self, result: dict[str, Any], username: str) -> dict[str, Any]:
        sip = self._issue_sip_credential()
        self.vault.data_key()  # create it now: the cache opens without a prompt later
        user = dict(result.get("user") or {})
        device_id = str(result.get("device_id") or "")
        info = {
            "device_id": device_id,
            "username": username,
            "user": user,
            "sip": sip,
            "server_url": self.profile.server_url,
        }
        self._write_device_file(info)
        return info

    def _issue_sip_credential(self) -> dict[str, Any]:
        """Ask the server for this device's own SIP credential; the secret goes to the
        vault only. The SIP settings without it are returned (for the device file)."""
        sip = self.client.issue_sip_credential()
        secret, auth_username = sip.get("password"), sip.get("auth_username")
        if not secret or not auth_username:
            raise ProvisioningFailed("the server issued no SIP credential for this device")
        self.vault.set_sip_secret(str(secret))
        return {k: v for k, v in sip.items() if k != "password"}

    def _write_device_file(self, info: dict[str, Any]) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        path = self.data_dir / DEVICE_FILE
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(info, ensure_ascii=False))
        tmp.replace(path)

    @property
    def needs_sip_credential(self) -> bool:
        """Enrolled, but without a SIP credential of its own for the profile's domain: a
        device enrolled before SIP credentials were per device (its keyring holds the
        user's former secret, which no longer registers), or the SIP domain changed."""
        if not self.is_enrolled:
            return False
        sip = self._read_device_file().get("sip") or {}
        return (
            not sip.get("auth_username")
            or sip.get("realm") != self.profile.sip.domain
            or self.vault.get_sip_secret() is None
        )

    def renew_sip_credential(self) -> None:
        """Get this device its own SIP credential with its device tokens (no password).
        Raises the client's errors (`ServerUnreachable`, `DeviceRevoked`…)."""
        sip = self._issue_sip_credential()
        info = self._read_device_file()
        info["sip"] = sip
        self._write_device_file(info)
        log.info("SIP credential renewed for this device")

    def _read_device_file(self) -> dict[str, Any]:
        try:
            return dict(json.loads((self.data_dir / DEVICE_FILE).read_text()))
        except (OSError, ValueError):
            return {}

    def sip_account(self, ca_file: str | None = None) -> SipAccountConfig:
        """The SIP account to register, with the secret from the vault (memory only).

        Over TLS the registrar is verified against the organisation's CA: `ca_file`, or
        the server client's pinned bundle (the client is made only then)."""
        secret = self.vault.get_sip_secret()
        info = self._read_device_file()
        if secret is None or not info:
            raise NotEnrolled("this device is not enrolled")
        sip, p = info.get("sip") or {}, self.profile.sip
        transport = Transport(p.transport)
        if ca_file is None and transport is Transport.TLS:
            verify = getattr(self.client, "verify", True)
            ca_file = verify if isinstance(verify, str) else None
        return SipAccountConfig(
            registrar_host=p.registrar_host,
            registrar_port=p.registrar_port,
            domain=p.domain,
            username=str(sip.get("username") or info.get("username")),
            auth_username=str(sip.get("auth_username") or ""),
            password=secret,
            transport=transport,
            display_name=str(sip.get("display_name") or ""),
            ca_file=ca_file,
            srtp=SrtpMode(p.srtp),
        )

    # --- local data ------------------------------------------------------------------

    @property
    def store(self) -> LocalStore:
        from homeagent.crm.db import StoreKeyMismatch
        from homeagent.crm.outbox import Outbox
        from homeagent.crm.store import LocalStore, delete_database_files

        with self._lock:
            if self._store is None:
                if not self.is_enrolled:
                    raise NotEnrolled("this device is not enrolled")
                key, region = self.vault.data_key(), self.profile.default_region
                try:
                    self._store = LocalStore.open(key, self.data_dir, default_region=region)
                except StoreKeyMismatch:
                    # The key in the keyring does not open this file (keyring reset, or a
                    # profile/user change): the file is unreadable for good. The cache is
                    # rebuilt from the server; unsent outbox entries in it are lost.
                    log.warning("the local cache does not match the data key: starting anew")
                    delete_database_files(self.data_dir)
                    self._store = LocalStore.open(key, self.data_dir, default_region=region)
                self._outbox = Outbox(self._store)
            return self._store

    def open_reader(self) -> LocalStore:
        """A second connection to the cache, for reads while the sync writes (WAL mode);
        the caller closes it."""
        from homeagent.crm.store import LocalStore

        _ = self.store  # opened (and rebuilt if its key changed) first
        return LocalStore.open(
            self.vault.data_key(), self.data_dir, default_region=self.profile.default_region
        )

    @property
    def outbox(self) -> Outbox:
        _ = self.store
        assert self._outbox is not None
        return self._outbox

    def sync_contacts(
        self, on_progress: Callable[[SyncProgress], None] | None = None
    ) -> SyncProgress:
        """Delta sync now, on the calling thread (initial sync the first time)."""
        from homeagent.crm.sync import sync_contacts

        return sync_contacts(
            self.store,
            self.client.sync_contacts,
            page_size=self._sync_page_size,
            on_progress=on_progress,
        )

    # --- services --------------------------------------------------------------------

    def start(
        self,
        *,
        on_event: Callable[[StreamEvent], None] | None = None,
        on_connection: Callable[[ConnectionState], None] | None = None,
        on_outbox: Callable[[OutboxStatus], None] | None = None,
        on_sync: Callable[[SyncProgress], None] | None = None,
    ) -> None:
        """Start the event stream, the outbox sender and the background delta sync."""
        from homeagent.client.events import ConnectionState, EventStream
        from homeagent.client.quality import QualityPublisher
        from homeagent.crm.outbox_sender import OutboxSender

        store = self.store
        last = store.get_meta(LAST_EVENT_KEY)

        outbox = self.outbox

        def handle(event: StreamEvent) -> None:
            if event.type == "message" and isinstance(event.data, dict):
                # stored with its "delivered" receipt queued, in one transaction
                outbox.message_arrived(event.data)
            elif event.type == "contact_changed":
                self._sync_wake.set()
            if on_event is not None:
                on_event(event)
            store.set_meta(LAST_EVENT_KEY, str(event.id))

        def connection(state: ConnectionState) -> None:
            if state is ConnectionState.ONLINE and self._sender is not None:
                self._sender.wake()  # back online: flush the outbox, catch up contacts
                self._sync_wake.set()
            if on_connection is not None:
                on_connection(state)

        self._stopping.clear()
        self._sender = OutboxSender(
            self.outbox, self.client, on_status=on_outbox, max_retry_s=self._max_backoff_s
        )
        self._stream = EventStream(
            self.client,
            handle,
            on_state=connection,
            last_event_id=int(last) if last and last.isdigit() else None,
            max_backoff_s=self._max_backoff_s,
        )
        self._sync_thread = threading.Thread(
            target=self._sync_loop, args=(on_sync,), name="contacts-sync", daemon=True
        )
        self._quality = QualityPublisher(self.client)
        self._quality.start()
        self._sender.start()
        self._sync_thread.start()
        self._stream.start()

    def publish_quality(self, sample: QualitySample) -> None:
        """Post a call-quality sample live (its own thread), or drop it; never blocks."""
        quality = self._quality
        if quality is not None:
            quality.publish(sample)

    def _sync_loop(self, on_sync: Callable[[SyncProgress], None] | None) -> None:
        while not self._stopping.is_set():
            self._sync_wake.wait(300)  # also a periodic catch-up
            self._sync_wake.clear()
            if self._stopping.is_set():
                return
            try:
                self.sync_contacts(on_sync)
            except Exception as exc:
                log.info("background contact sync failed: %s", exc)

    def stop(self) -> None:
        """Stop the services (reverse order of start) and close the store."""
        self._stopping.set()
        self._sync_wake.set()
        if self._stream is not None:
            self._stream.stop()
        if self._sender is not None:
            self._sender.stop()
        if self._quality is not None:
            self._quality.stop()
            self._quality = None
        current = threading.current_thread()
        if self._sync_thread is not None and self._sync_thread is not current:
            self._sync_thread.join(10)
        with self._lock:
            if self._store is not None:
                self._store.close()
                self._store = None
                self._outbox = None

    def close(self) -> None:
        self.stop()
        self.client.close()

    # --- revocation ------------------------------------------------------------------

    def wipe(self) -> None:
        """Delete the device's secrets, its cached customer data and its device file."""
        from homeagent.crm.store import delete_database_files

        self._stopping.set()
        self._sync_wake.set()
        if self._stream is not None:
            self._stream.stop(
                timeout_s=0 if threading.current_thread().name == "event-stream" else 5
            )
        if self._sender is not None:
            self._sender.stop()
        if self._quality is not None:
            self._quality.stop(timeout_s=0)
            self._quality = None
        with self._lock:
            if self._store is not None:
                self._store.wipe()
                self._store = None
                self._outbox = None
            else:
                delete_database_files(self.data_dir)
            self.vault.wipe()
            (self.data_dir / DEVICE_FILE).unlink(missing_ok=True)

    def _handle_revoked(self) -> None:
        with self._lock:
            if self.revoked:
                return
            self.revoked = True
        log.warning("this device was revoked by the server: wiping local data")
        try:
            self.wipe()
        finally:
            for callback in list(self._revoked_listeners):
                try:
                    callback()
                except Exception:
                    log.exception("on_revoked listener failed")
