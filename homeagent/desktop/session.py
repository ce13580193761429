"""One agent's working session over the real parts, built and torn down in order.

Start order (reverse for stop):
 1. dispatcher + task lanes (the GUI-thread door; the disk and network workers)
 2. the local store (opened through the enrolled `DeviceSession`)
 3. the audio service (headset, ringer) — optional
 4. the SIP engine (its thread; events through the dispatcher)
 5. the desk model, the window and its controller
 6. the device services (event stream, outbox sender, contact sync)
 7. the engine's start (REGISTER) on the worker, so the window is up at once
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import platform
from collections.abc import Callable
from pathlib import Path
from typing import Any

from homeagent.core.agent_state import AgentState
from homeagent.core.audio_setup import AudioSettingsFile
from homeagent.core.desk import DeskModel
from homeagent.core.desk_snapshot import DeskSnapshot, Screen
from homeagent.core.desk_types import Delivery, ServerLink
from homeagent.core.eventlog import EventLog
from homeagent.core.events import EngineFailed, Event
from homeagent.core.sip_config import EngineConfig
from homeagent.core.state_echo import ServerStateFilter
from homeagent.desktop.adapters import (
    ME_META_KEY,
    AppData,
    AppSink,
    StoreDirectory,
    message_from_wire,
    parse_time,
    team_from_me,
)
from homeagent.ui.desk.controller import DeskController
from homeagent.ui.qt.dispatcher import Dispatcher
from homeagent.ui.qt.tasks import TaskLanes
from homeagent.ui.settings.audio_page import AudioSettingsController, SettingsSaver
from homeagent.ui.shell.main_window import MainWindow
from homeagent.ui.shell.notifier import Notifier

log = logging.getLogger(__name__)

AUDIO_SETTINGS_FILE = "audio.json"  # in the device's data folder
EngineFactory = Callable[..., Any]  # SipEngine(config, account, on_event, audio=None)


class AgentSession:
    """See the module docstring. `device` is an enrolled `DeviceSession`."""

    def __init__(
        self,
        *,
        device: Any,
        event_log: EventLog,
        engine_factory: EngineFactory | None = None,
        engine_config: EngineConfig | None = None,
        use_audio: bool = True,
        on_revoked: Callable[[], None] | None = None,
    ) -> None:
        self.device = device
        self._on_revoked = on_revoked
        self.log = event_log
        self._engine_factory = engine_factory
        self._engine_config = engine_config or EngineConfig(bind_address="0.0.0.0")  # noqa: S104
        self._use_audio = use_audio
        self.dispatcher = Dispatcher()
        self.lanes = TaskLanes(self.dispatcher)
        self.audio: Any = None
        self.engine: Any = None
        self.model: DeskModel | None = None
        self.window: MainWindow | None = None
        self.controller: DeskController | None = None
        self.audio_settings: AudioSettingsController | None = None
        self._audio_saver: SettingsSaver | None = None
        self.sink: AppSink | None = None
        self._ringing = False
        self._user_id = ""
        self._server_states = ServerStateFilter()
        self._applying_server_state = False
        # agent-state events wait here until the server's current state is known
        self._held_states: list[tuple[AgentState, str, dt.datetime | None]] | None = []
        self._lookups: Any = None  # the cache connection of the card lookups
        self._shared_store: Any = None

    # -- start -------------------------------------------------------------------------

    def start(self) -> MainWindow:
        """Build everything and show the window; registration continues in the background."""
        device, d = self.device, self.dispatcher
        store = device.store
        info = self._device_info()
        self._user_id = str((info.get("user") or {}).get("id") or "")
        if self._use_audio:
            self.audio = self._start_audio()
        account = device.sip_account(ca_file=self._ca_file())
        factory = self._engine_factory
        if factory is None:
            from homeagent.sip.engine import SipEngine

            factory = SipEngine
        self.engine = factory(
            self._engine_config,
            account,
            self._on_engine_event,
            audio=self.audio.bridge if self.audio is not None else None,
        )
        self.sink = AppSink(
            submit=self.engine.submit,
            outbox=device.outbox,
            store=store,
            disk=self.lanes.disk,
            on_delivery=self._on_sink_delivery,
            on_state_published=self._on_sink_state_published,
        )
        self._shared_store = store
        self._lookups = self._open_lookup_store(store)
        self.model = DeskModel(
            directory=StoreDirectory(self._lookups), sink=self.sink, log=self.log
        )
        self.window = MainWindow()
        self.controller = DeskController(
            model=self.model,
            window=self.window,
            dispatcher=d,
            lanes=self.lanes,
            data=AppData(store, device.client, lambda: self._user_id),
            notifier=Notifier(self.window),
        )
        self._wire_audio_page(self.window)
        self.model.subscribe(self._on_model_snapshot)
        cached = store.get_meta(ME_META_KEY)
        if cached:
            self._apply_me(json.loads(cached))
        for row in reversed(store.messages(100)):
            self.model.add_message(message_from_wire(row))
        device.on_revoked(lambda: d.call_soon(self._on_device_revoked))
        device.start(
            on_event=lambda ev: d.call_soon(lambda: self._on_stream_event(ev)),
            on_connection=lambda st: d.call_soon(lambda: self._on_stream_connection(st)),
            on_outbox=lambda _st: d.call_soon(self._on_outbox_pass),
            on_sync=lambda p: d.call_soon(lambda: self._on_sync_progress(p)) if p.done else None,
        )
        self.lanes.net.run(device.client.me, self._on_me, lambda exc: log.info("GET /me: %s", exc))
        self.lanes.net.run(
            lambda: device.client.get("/agents/me/state"),
            self._on_server_state_read,
            lambda exc: self._on_server_state_read(None),
        )
        self.lanes.disk.run(self.engine.start, None, self._on_engine_start_failed)
        self.log.write("app_started", version=_version(), system=platform.system())
        return self.window

    def _open_lookup_store(self, store: Any) -> Any:
        """A second connection to the cache for the ringing card's lookups.

        The cache is in WAL mode, so this connection reads while the background sync
        writes; through the shared connection a lookup waited for the sync's page
        transactions under the store lock (measured with a 100k-contact initial sync:
        p50 74 ms, max 168 ms on the GUI thread, against 0.24 ms without a sync).
        """
        vault = getattr(self.device, "vault", None)
        profile = getattr(self.device, "profile", None)
        if vault is None or profile is None:
            return store
        from homeagent.crm.store import LocalStore

        try:
            return LocalStore.open(
                vault.data_key(), Path(self.device.data_dir), default_region=profile.default_region
            )
        except Exception as exc:  # the shared connection still works, only slower
            log.warning("no separate lookup connection to the cache: %s", exc)
            return store

    def _device_info(self) -> dict[str, Any]:
        try:
            return dict(json.loads((Path(self.device.data_dir) / "device.json").read_text()))
        except (OSError, ValueError):
            return {}

    def _ca_file(self) -> str | None:
        bundle = getattr(self.device.client, "verify", None)
        return bundle if isinstance(bundle, str) else None

    def _start_audio(self) -> Any:
        try:
            from homeagent.core.audio_settings import AudioSettings
            from homeagent.sip.audio.service import AudioService

            # the agent's device choices, remembered by device identity across restarts
            file = AudioSettingsFile(Path(self.device.data_dir) / AUDIO_SETTINGS_FILE)
            stored = file.load()
            self._audio_saver = SettingsSaver(file, self.lanes.disk.run, stored)
            service = AudioService(
                self.dispatcher.post,
                AudioSettings.from_dict(stored),
                on_settings_changed=self._audio_saver,
            )
            service.start()
            return service
        except Exception as exc:  # no sound server: calls still work on the null device
            log.warning("audio unavailable: %s", exc)
            self.log.write("audio_unavailable", message=str(exc))
            return None

    def _wire_audio_page(self, window: MainWindow) -> None:
        if self.audio is None:  # no sound server: nothing to choose
            window.top.audio.setVisible(False)
            window.shortcut_actions["audio_settings"].setEnabled(False)
            return
        self.audio_settings = AudioSettingsController(
            audio=self.audio,
            dispatcher=self.dispatcher,
            banner=window.audio_banner,
            parent_widget=window,
            saver=self._audio_saver,
        )
        window.audio_settings_requested.connect(self.audio_settings.open_page)

    # -- inputs from other threads (already on the GUI thread) ----------------------------

    def _on_engine_event(self, event: Event) -> None:
        """Engine thread: straight through the door."""
        self.dispatcher.post(event)

    def _on_engine_start_failed(self, exc: BaseException) -> None:
        self.dispatcher.post(EngineFailed(str(exc)))

    def _on_me(self, me: dict[str, Any]) -> None:
        self._apply_me(me)
        store = self.device.store
        self.lanes.disk.run(lambda: store.set_meta(ME_META_KEY, json.dumps(me, ensure_ascii=False)))

    def _apply_me(self, me: dict[str, Any]) -> None:
        if self.model is None:
            return
        self._user_id = str((me.get("user") or {}).get("id") or self._user_id)
        name, team = team_from_me(me)
        self.model.configure(agent_name=name, team=team)

    def _on_stream_event(self, event: Any) -> None:
        model = self.model
        if model is None:
            return
        data = event.data if isinstance(event.data, dict) else {}
        if event.type == "message":
            model.add_message(message_from_wire(data))
        elif event.type == "agent_state" and str(data.get("agent_id")) == self._user_id:
            with contextlib.suppress(ValueError):
                state, reason = AgentState(data.get("state")), str(data.get("reason") or "")
                since = parse_time(data["since"]) if data.get("since") else None
                if self._held_states is not None:
                    self._held_states.append((state, reason, since))
                else:
                    self._apply_server_state(state, reason, since)
        elif event.type in ("callback_due", "contact_changed") and self.controller is not None:
            self.controller.reload_lists()

    def _on_server_state_read(self, row: Any) -> None:
        """GET /agents/me/state at start (None: unavailable): take it, then the held events."""
        held, self._held_states = self._held_states or [], None
        if self.model is None:
            return
        if isinstance(row, dict) and row.get("since"):
            with contextlib.suppress(ValueError):
                state, reason = AgentState(row.get("state")), str(row.get("reason") or "")
                self._server_states.known(parse_time(row["since"]))
                # the agent may have chosen a presence since start: then this is stale
                if self._server_states.accept(state, reason):
                    self._from_server(state, reason)
        for state, reason, since in held:
            self._apply_server_state(state, reason, since)

    def _apply_server_state(self, state: AgentState, reason: str, since: Any) -> None:
        if self._server_states.accept(state, reason, since):
            self._from_server(state, reason)

    def _from_server(self, state: AgentState, reason: str) -> None:
        """Move the desk where the server says; what that publishes expects no echo."""
        if self.model is None:
            return
        self._applying_server_state = True
        try:
            self.model.server_set_state(state, reason)
        finally:
            self._applying_server_state = False

    def _on_sink_state_published(self, presence: Any) -> None:
        if not self._applying_server_state:
            self._server_states.published(presence.state, presence.reason)

    def _on_stream_connection(self, state: Any) -> None:
        if self.model is not None:
            self.model.set_server_link(ServerLink(state.value))
        if self.controller is not None and state.value == "online":
            self.controller.reload_lists()

    def _on_device_revoked(self) -> None:
        """IT revoked this device: the data is already wiped; hand over to the composition
        root (back to sign-in), or close the window when nobody listens."""
        self.log.write("device_revoked")
        if self._on_revoked is not None:
            self._on_revoked()
        elif self.window is not None:
            self.window.close()

    def _on_sync_progress(self, progress: Any) -> None:
        self.log.write("contacts_synced", received=progress.received, deleted=progress.deleted)
        if self.controller is not None:
            self.controller.refresh_searches()
            self.controller.reload_lists()

    def _on_outbox_pass(self) -> None:
        if self.sink is not None:
            self.sink.check_sent()

    def _on_sink_delivery(self, record_id: str, delivery: Delivery) -> None:
        model = self.model
        if model is None:
            return
        if delivery is Delivery.SAVED:
            model.wrap_up_durable(record_id)
        elif delivery is Delivery.SENT:
            model.wrap_up_sent(record_id)
        elif delivery is Delivery.FAILED:
            model.wrap_up_failed(record_id)

    def _on_model_snapshot(self, snap: DeskSnapshot) -> None:
        ringing = snap.screen is Screen.RINGING
        if ringing != self._ringing and self.audio is not None:
            (self.audio.start_ringing if ringing else self.audio.stop_ringing)()
        self._ringing = ringing

    # -- stop --------------------------------------------------------------------------

    def stop(self) -> None:
        """Tear down in reverse order; safe to call twice."""
        self.log.write("app_stopping", at=dt.datetime.now(dt.UTC).isoformat())
        if self.controller is not None:
            self.controller.stop()
        if self.engine is not None:
            try:
                self.engine.stop()
            except RuntimeError as exc:
                log.error("engine stop: %s", exc)
            self.engine = None
        if self._lookups is not None and self._lookups is not self._shared_store:
            self._lookups.close()  # after the controller: nothing looks up any more
        self._lookups = None
        self.device.stop()
        if self.audio_settings is not None:
            self.audio_settings.stop()  # meter off while the audio thread still runs
            self.audio_settings = None
        self.lanes.close()  # after the page: a last settings write still lands
        if self.audio is not None:
            self.audio.stop()
            self.audio = None
        self.log.write("app_stopped")


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("homeagent")
    except PackageNotFoundError:
        return "dev"
