"""One agent's working session over the real parts, built and torn down in order.

Start order (reverse for stop):
 1. dispatcher + task lanes (the GUI-thread door; the disk and network workers)
 2. the SIP engine, starting on its own thread (REGISTER) while the rest is built — or
    the one `run_desk` started even before this module was imported
    (`homeagent.desktop.sip_start`); its events wait for the dispatcher
 3. the audio service (headset, ringer; `desk_audio`) — optional; its bridge is plugged
    into the engine
 4. the local store (opened through the enrolled `DeviceSession`)
 5. the desk model, the window and its controller, live supervision's agent side
 6. the device services (event stream, outbox sender, contact sync)
 7. verified updates (`homeagent.desktop.updates`, on a lane of their own), when IT set
    them up; at stop they go first, so an update accepted "at restart" is handed over
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import platform
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from PySide6.QtCore import QTimer

from homeagent.client.events import ConnectionState, StreamEvent
from homeagent.core import records
from homeagent.core.agent_state import AgentState, Presence
from homeagent.core.desk import DeskModel
from homeagent.core.desk_snapshot import DeskSnapshot, Screen
from homeagent.core.desk_supervision import DeskSupervision
from homeagent.core.desk_types import Delivery, RemoteChange, ServerLink
from homeagent.core.eventlog import EventLog
from homeagent.core.events import EngineFailed
from homeagent.core.hotkey_settings import HOTKEY_SETTINGS_FILE, HotkeySettingsFile
from homeagent.core.payload import MalformedPayload
from homeagent.core.ports import AudioService, EngineFactory, SipEngine
from homeagent.core.sip_config import EngineConfig
from homeagent.core.state_echo import ServerStateSync
from homeagent.core.supervision import SupervisionApi
from homeagent.crm.outbox_items import OutboxItem, OutboxStatus
from homeagent.crm.store import LocalStore
from homeagent.crm.sync import SyncProgress
from homeagent.desktop import desk_audio, desk_slots, diag_bundle, diag_desk
from homeagent.desktop.adapters import ME_META_KEY, AppData, AppSink, StoreDirectory, VCardFiles
from homeagent.desktop.desk_records import (
    message_from_record,
    sent_message_from_row,
    team_from_me,
    unsent_from_outbox,
)
from homeagent.desktop.ports import Device
from homeagent.desktop.preshift import DeskCheck
from homeagent.desktop.sip_start import EarlyEngine, start_engine
from homeagent.ui.desk.controller import DeskController
from homeagent.ui.qt.dispatcher import Dispatcher
from homeagent.ui.qt.phone_format import set_home_region
from homeagent.ui.qt.tasks import TaskLanes
from homeagent.ui.settings.audio_page import SettingsSaver
from homeagent.ui.settings.hotkeys_page import HotkeysController
from homeagent.ui.shell.main_window import MainWindow
from homeagent.ui.shell.notifier import Notifier
from homeagent.ui.shell.unsent_controller import UnsentController

if TYPE_CHECKING:  # loaded only when IT set verified updates up (tuf, 26 MB)
    from homeagent.desktop.updates import DeskUpdates, UpdateSetup

log = logging.getLogger(__name__)


class AgentSession:
    """See the module docstring. `device` is an enrolled `DeviceSession`.

    The constructor builds every part (steps 1-5), so none is ever missing afterwards;
    `start()` starts the services (steps 6-7) and `stop()` tears down in reverse.
    """

    def __init__(
        self,
        *,
        device: Device,
        event_log: EventLog,
        engine_factory: EngineFactory | None = None,
        engine_config: EngineConfig | None = None,
        engine: EarlyEngine | None = None,
        use_audio: bool = True,
        on_revoked: Callable[[], None] | None = None,
        updates: UpdateSetup | None = None,
    ) -> None:
        self.device = device
        self.log = event_log
        self._on_revoked = on_revoked
        self._ringing = False
        self._user_id = str(_device_info(device).get("user", {}).get("id") or "")
        self._server_states = ServerStateSync(self._from_server)
        # other parts fed from this session's stream and /me (the lead console), on the
        # GUI thread, after the desk's own handling
        self.stream_listeners: list[Callable[[StreamEvent], None]] = []
        self.connection_listeners: list[Callable[[ConnectionState], None]] = []
        self.me_listeners: list[Callable[[records.Me], None]] = []
        # 1. the GUI-thread door and the two lanes
        self.dispatcher = Dispatcher()
        self.lanes = TaskLanes(self.dispatcher)
        # 2. the SIP engine, registering while the rest is built
        early = self._early = engine or start_engine(device, engine_factory, engine_config)
        self.engine: SipEngine | None = early.engine
        # 3. audio (optional: without a sound server calls still work on the null device)
        self._audio_saver: SettingsSaver | None = None
        self.audio: AudioService | None = None
        if use_audio:
            self.audio, self._audio_saver = desk_audio.start_audio(
                data_dir=Path(device.data_dir),
                dispatcher=self.dispatcher,
                lanes=self.lanes,
                event_log=self.log,
            )
        early.attach(
            self.dispatcher.post,  # engine thread: straight through the door
            audio=self.audio.bridge if self.audio is not None else None,
            on_failed=self._on_engine_start_failed,
        )
        # 4. the store (opened by the device) and a second connection for the card lookups
        self._store = device.store
        # numbers read in the agent's national format: the profile's region, as the store
        set_home_region(self._store.default_region)
        self._lookups = self._open_lookup_store()
        # 5. the desk, its window and their glue
        self.sink = AppSink(
            submit=self.engine.submit,
            outbox=device.outbox,
            store=self._store,
            disk=self.lanes.disk,
            on_delivery=self._on_sink_delivery,
            on_state_published=lambda p: self._server_states.published(p.state, p.reason),
            on_message_delivery=lambda i, d: self.model.message_delivery(i, d),
            on_state_answer=self._on_state_answer,
            quality=device.publish_quality,
        )
        self.model = DeskModel(
            directory=StoreDirectory(self._lookups), sink=self.sink, log=self.log
        )
        self.window = MainWindow()
        self.controller = DeskController(
            model=self.model,
            window=self.window,
            dispatcher=self.dispatcher,
            lanes=self.lanes,
            data=AppData(self._store, device.client, lambda: self._user_id),
            notifier=Notifier(self.window),
            files=VCardFiles(self._store, device.outbox),
        )
        # live supervision: started by the stream only (`_on_desk_stream_event`); after
        # the controller, so the desk has seen an engine event before supervision does
        self.supervision = DeskSupervision(
            desk=self.model,
            submit=self.sink.submit,
            api=_supervision_api(device.client),
            run=self.lanes.net.run,
            call_later=self._call_later,
            log=self.log,
            on_ended=self.controller.reload_lists,  # "Ma journée" lists the session
        )
        self.dispatcher.event_delivered.connect(self.supervision.handle)
        self.audio_settings = desk_audio.wire_audio_page(
            window=self.window,
            audio=self.audio,
            dispatcher=self.dispatcher,
            saver=self._audio_saver,
        )
        self.hotkeys = self._wire_hotkeys()
        self.check = DeskCheck(  # "Vérifier mon poste" (issue 15)
            window=self.window,
            dispatcher=self.dispatcher,
            lanes=self.lanes,
            client=device.client,
            data_dir=Path(device.data_dir),
            audio=self.audio,
            registration=lambda: self.model.snapshot().registration,
            call_ringing=lambda: self._ringing,
        )
        outbox = device.outbox
        self.unsent = UnsentController(
            badge=self.window.top.unsent,
            disk=self.lanes.disk,
            list_items=lambda: [unsent_from_outbox(d) for d in outbox.dead_letters()],
            retry=outbox.retry_dead_letter,
            discard=outbox.discard_dead_letter,
            parent=self.window,
        )
        self.updates: DeskUpdates | None = None
        if updates is not None:  # verified updates, when IT set them up
            from homeagent.desktop import updates as desk_updates

            self.updates = desk_updates.wire(
                updates,
                snapshot=self.model.snapshot,
                banner=self.window.update_banner,
                call_soon=self.dispatcher.call_soon,
                call_later=self._call_later,
                quit_app=self.window.close,
                event_log=self.log,
            )
        # the help menu's diagnostic report for IT, and a lead's request for one
        self.diagnostics = diag_desk.wire(
            device=device,
            window=self.window,
            lanes=self.lanes,
            dispatcher=self.dispatcher,
            event_log=self.log,
            audio_devices=diag_bundle.qt_audio_devices,
        )
        self.model.subscribe(self._on_model_snapshot)
        self.slots = desk_slots.wire(self)  # "My slots": team from /me, changes from the stream

    # -- start -------------------------------------------------------------------------

    def start(self) -> MainWindow:
        """Start the services; registration continues in the background."""
        device, d, store = self.device, self.dispatcher, self._store
        cached = store.get_meta(ME_META_KEY)
        if cached:  # an offline start still knows the team
            try:
                self._apply_me(records.parse_me(json.loads(cached), route="cached /me"))
            except ValueError as exc:
                log.warning("the cached GET /me is unreadable: %s", exc)
        self._load_conversation()
        device.outbox.on_sent(
            lambda item, answer: d.call_soon(lambda: self._on_outbox_sent(item, answer))
        )
        device.on_revoked(lambda: d.call_soon(self._on_device_revoked))
        self.unsent.refresh()  # refused entries from an earlier run
        device.start(
            on_event=lambda ev: d.call_soon(lambda: self._on_stream_event(ev)),
            on_connection=lambda st: d.call_soon(lambda: self._on_stream_connection(st)),
            on_outbox=lambda st: d.call_soon(lambda: self._on_outbox_status(st)),
            on_sync=lambda p: d.call_soon(lambda: self._on_sync_progress(p)) if p.done else None,
        )
        self.lanes.net.run(self._read_me, self._on_me, lambda exc: log.info("GET /me: %s", exc))
        self.lanes.net.run(
            device.client.read_my_state,
            self._on_server_state_read,
            lambda exc: self._server_states.read(None),  # logged by the lane
        )
        self.lanes.net.run(  # after the state: events wait for that one
            device.client.messages,
            self._on_messages_listed,
            lambda exc: log.info("GET /messages: %s", exc),
        )
        if self.updates is not None:
            self.updates.start()
        diag_desk.read_pending(self.diagnostics, device, self.lanes)
        self.check.offer()
        self.log.write("app_started", version=_version(), system=platform.system())
        return self.window

    def _open_lookup_store(self) -> LocalStore:
        """A second connection to the cache for the ringing card's lookups.

        The cache is in WAL mode, so this connection reads while the background sync
        writes; through the shared connection a lookup waited for the sync's page
        transactions under the store lock (measured with a 100k-contact initial sync:
        p50 74 ms, max 168 ms on the GUI thread, against 0.24 ms without a sync).
        """
        try:
            return self.device.open_reader()
        except Exception as exc:  # the shared connection still works, only slower
            log.warning("no separate lookup connection to the cache: %s", exc)
            return self._store

    def _wire_hotkeys(self) -> HotkeysController:
        """Global hotkeys (off by default; X11 only), their page from the top bar."""
        window = self.window
        controller = HotkeysController(
            file=HotkeySettingsFile(Path(self.device.data_dir) / HOTKEY_SETTINGS_FILE),
            trigger=lambda name: window.shortcut_actions[name].trigger(),
            run=self.lanes.disk.run,
            parent_widget=window,
            parent=window,
        )
        window.hotkeys_settings_requested.connect(controller.open_page)
        window.top.hotkeys.setVisible(True)
        return controller

    # -- inputs from other threads (already on the GUI thread) ----------------------------

    def _on_engine_start_failed(self, exc: BaseException) -> None:
        """The engine could not start (any thread: the dispatcher's door is thread-safe)."""
        self.dispatcher.post(EngineFailed(str(exc)))

    def _read_me(self) -> tuple[records.Me, str]:
        """GET /me (network lane): the record, and its JSON to cache for offline starts."""
        raw = self.device.client.me()
        return records.parse_me(raw), json.dumps(raw, ensure_ascii=False)

    def _on_me(self, found: tuple[records.Me, str]) -> None:
        me, raw = found
        self._apply_me(me)
        store = self._store
        self.lanes.disk.run(lambda: store.set_meta(ME_META_KEY, raw))

    def _apply_me(self, me: records.Me) -> None:
        self._user_id = me.user.id
        name, team = team_from_me(me)
        self.model.configure(agent_name=name, team=team)
        for listener in self.me_listeners:
            try:
                listener(me)
            except Exception:
                log.exception("a /me listener failed")

    def _load_conversation(self) -> None:
        """The conversation kept in the store: the lead's messages (with what the desk
        already acknowledged) and the agent's own, sent or still waiting."""
        store = self._store
        for row in reversed(store.message_rows(100)):
            self._add_message(
                row["raw"], "stored message", read=bool(row["read_at"]), acked=bool(row["acked_at"])
            )
        name = self.model.snapshot().agent_name
        for sent in reversed(store.sent_messages(100)):
            try:
                self.model.add_message(sent_message_from_row(sent, name))
            except (KeyError, TypeError, ValueError) as exc:
                log.warning("stored message to the lead unreadable: %s", exc)

    def _on_messages_listed(self, listed: object) -> None:
        """GET /messages at start: the conversation as the server keeps it (a cache that
        was rebuilt, a stream that cannot replay that far). Each message that reaches the
        desk this way is stored with its "delivered" receipt, like one from the stream;
        the agent's own messages the store already has (sent from here) are not doubled."""
        if not isinstance(listed, list):
            log.warning("GET /messages: expected a list, got %s", type(listed).__name__)
            return
        outbox, store = self.device.outbox, self._store

        def store_them() -> list[object]:
            local = {row["server_id"] for row in store.sent_messages(1000) if row["server_id"]}
            fresh: list[object] = []
            for item in listed:
                if not isinstance(item, dict) or "id" not in item:
                    continue
                if item.get("sender_id") == self._user_id and item["id"] in local:
                    continue  # the store's own copy of a message sent from here
                outbox.message_arrived(item)
                fresh.append(item)
            return fresh

        def show(found: list[object]) -> None:
            for item in found:
                self._add_message(item, "GET /messages")

        self.lanes.disk.run(store_them, show)

    def _add_message(
        self, data: object, where: str, *, read: bool = False, acked: bool = False
    ) -> None:
        try:
            found = records.parse_message(data, route=where)
        except MalformedPayload as exc:
            log.warning("%s", exc)
            return
        if found.receipt is None and found.sender_id != self._user_id:
            # a lead who takes calls hears every team message: the desk shows only the
            # ones to them (their receipt) and their own
            return
        self.model.add_message(
            message_from_record(found, my_id=self._user_id, read=read, acked=acked)
        )

    def _on_stream_event(self, event: StreamEvent) -> None:
        try:
            self._on_desk_stream_event(event)
        finally:  # the console sees every event, whatever the desk made of it
            for listener in self.stream_listeners:
                try:
                    listener(event)
                except Exception:
                    log.exception("a stream listener failed on a %s event", event.type)

    def _on_desk_stream_event(self, event: StreamEvent) -> None:
        data = event.data if isinstance(event.data, dict) else {}
        mine = str(data.get("agent_id")) == self._user_id
        if event.type == "message":
            self._add_message(event.data, f"event {event.id} (message)")
        elif event.type == "agent_state" and mine:
            try:
                row = records.parse_agent_state(data, route=f"event {event.id} (agent_state)")
            except MalformedPayload as exc:
                log.warning("%s", exc)
                return
            fresh = not self._server_states.stale(row.since)
            self._server_states.event(row.state, row.reason, row.since)
            if row.changed_by is not None and fresh:
                self._remote_change(row)
            if row.state not in (AgentState.RINGING, AgentState.ON_CALL):
                # a break or a wrap-up just ended on the server: "Ma journée" follows
                self.controller.reload_lists()
        elif event.type == "state_change_pending" and mine:
            try:
                found = records.parse_pending_change(data, route=f"event {event.id} (pending)")
            except MalformedPayload as exc:
                log.warning("%s", exc)
                return
            p = found.pending
            self.model.set_pending(
                None if p is None else RemoteChange(p.state, p.reason, p.by.name, p.note)
            )
        elif event.type == "help_request_updated" and mine:
            try:
                out = records.parse_help_request(data, route=f"event {event.id} (help)")
            except MalformedPayload as exc:
                log.warning("%s", exc)
                return
            self.model.help_updated(out.id, out.status, out.acked_by.name if out.acked_by else "")
        elif event.type in ("callback_due", "contact_changed"):
            self.controller.reload_lists()
        # live supervision: the authenticated stream is the only way a session starts
        elif event.type == "supervision_requested":
            self.supervision.requested(event.data, f"event {event.id} (supervision_requested)")
        elif event.type == "supervision_mode":
            self.supervision.mode_changed(event.data, f"event {event.id} (supervision_mode)")
        elif event.type == "supervision_ended":
            self.supervision.ended(event.data, f"event {event.id} (supervision_ended)")
        elif event.type == "diagnostics_requested":  # a lead or IT asks for a report
            diag_desk.on_request(self.diagnostics, event.data, f"event {event.id}")

    def _call_later(self, delay_s: float, fn: Callable[[], None]) -> None:
        """Run `fn` on the GUI thread after `delay_s` (not once the window is gone)."""
        QTimer.singleShot(max(0, round(delay_s * 1000)), self.window, fn)

    def _remote_change(self, row: records.AgentStateRow) -> None:
        by = row.changed_by.name if row.changed_by is not None else ""
        self.model.remote_state_change(RemoteChange(row.state, row.reason, by, row.note))

    def _on_outbox_sent(self, item: OutboxItem, answer: object) -> None:
        """The server took an outbox entry: what its answer tells the desk."""
        if item.kind == "state":
            self.sink.state_answered(item.id, answer)
        elif item.kind == "message":
            self.model.message_delivery(item.id, Delivery.SENT)
        elif item.kind == "help_request":
            try:
                out = records.parse_help_request(answer)
            except MalformedPayload as exc:
                log.warning("%s", exc)
                return
            by = out.acked_by.name if out.acked_by else ""
            self.model.help_answered(item.id, out.id, out.status, by)

    def _on_state_answer(self, published: Presence, answer: object) -> None:
        """The server's answer to the desk's latest state PUT: the state it applied."""
        if published.state.is_automatic:  # the call's states follow the call, not this
            return
        try:
            row = records.parse_agent_state(answer, route="PUT /agents/me/state")
        except MalformedPayload as exc:
            log.warning("%s", exc)
            return
        self._server_states.answered(
            (published.state, published.reason), (row.state, row.reason, row.since)
        )
        if row.changed_by is not None:
            self._remote_change(row)

    def _on_server_state_read(self, row: records.AgentStateRow) -> None:
        """GET /agents/me/state at start: take it, then the events held meanwhile."""
        self._server_states.read((row.state, row.reason, row.since))

    def _from_server(self, state: AgentState, reason: str) -> None:
        """Move the desk where the server says (what that publishes expects no echo)."""
        self.model.server_set_state(state, reason)

    def _on_stream_connection(self, state: ConnectionState) -> None:
        self.model.set_server_link(ServerLink(state.value))
        self.supervision.link_changed(state is ConnectionState.ONLINE)
        if state.value == "online":
            self.controller.reload_lists()
        for listener in self.connection_listeners:
            try:
                listener(state)
            except Exception:
                log.exception("a connection listener failed")

    @property
    def user_info(self) -> dict[str, Any]:
        """The signed-in user as enrolment stored it (`{id, name, role, team_id…}`)."""
        user = _device_info(self.device).get("user")
        return dict(user) if isinstance(user, dict) else {}

    @property
    def has_line(self) -> bool:
        """Whether this user has a SIP account (takes calls)."""
        sip = _device_info(self.device).get("sip")
        return isinstance(sip, dict) and bool(sip.get("username"))

    def _on_device_revoked(self) -> None:
        """IT revoked this device: the data is already wiped; hand over to the composition
        root (back to sign-in), or close the window when nobody listens."""
        self.log.write("device_revoked")
        if self._on_revoked is not None:
            self._on_revoked()
        else:
            self.window.close()

    def _on_sync_progress(self, progress: SyncProgress) -> None:
        self.log.write("contacts_synced", received=progress.received, deleted=progress.deleted)
        self.controller.refresh_searches()
        self.controller.reload_lists()

    def _on_outbox_status(self, status: OutboxStatus | None) -> None:
        """After an outbox pass: acknowledged wrap-ups, and what the server refused."""
        self.sink.check_sent()
        if status is not None:
            self.unsent.show_count(status.dead_letters)

    def _on_sink_delivery(self, record_id: str, delivery: Delivery) -> None:
        if delivery is Delivery.SAVED:
            self.model.wrap_up_durable(record_id)
        elif delivery is Delivery.SENT:
            self.model.wrap_up_sent(record_id)
        elif delivery is Delivery.FAILED:
            self.model.wrap_up_failed(record_id)

    def _on_model_snapshot(self, snap: DeskSnapshot) -> None:
        ringing = snap.screen is Screen.RINGING
        if ringing != self._ringing and self.audio is not None:
            try:
                (self.audio.start_ringing if ringing else self.audio.stop_ringing)()
            except Exception:  # a ringer that fails must not hide the call on screen
                log.exception("the ringer failed to %s", "start" if ringing else "stop")
        self._ringing = ringing
        if self.updates is not None:
            self.updates.on_snapshot(snap)

    # -- stop --------------------------------------------------------------------------

    def stop(self) -> None:
        """Tear down in reverse order; safe to call twice."""
        self.log.write("app_stopping", at=dt.datetime.now(dt.UTC).isoformat())
        if self.updates is not None:
            self.updates.stop()  # an update accepted for restart goes to the installer now
        self.hotkeys.stop()  # release the keys for the other programs
        self.diagnostics.close()
        self.controller.stop()
        self.slots.stop()
        if self.engine is not None:
            try:
                self._early.stop()  # after its start, which may still run
            except RuntimeError as exc:
                log.error("engine stop: %s", exc)
            self.engine = None
        if self._lookups is not self._store:
            self._lookups.close()  # after the controller: nothing looks up any more
            self._lookups = self._store
        self.device.stop()
        self.check.stop()  # cancels a running check; meter off while audio still runs
        if self.audio_settings is not None:
            self.audio_settings.stop()  # meter off while the audio thread still runs
            self.audio_settings = None
        self.lanes.close()  # after the page: a last settings write still lands
        if self.audio is not None:
            self.audio.stop()
            self.audio = None
        self.log.write("app_stopped")


def _device_info(device: Device) -> dict[str, Any]:
    try:
        info = json.loads((Path(device.data_dir) / "device.json").read_text())
    except (OSError, ValueError):
        return {}
    return info if isinstance(info, dict) and isinstance(info.get("user", {}), dict) else {}


def _supervision_api(client: object) -> SupervisionApi | None:
    """The server client's supervision routes (docs/supervision-contract.md); None for a
    client without them (then the desk takes no supervision request)."""
    if hasattr(client, "supervision_connected") and hasattr(client, "end_supervision"):
        return cast(SupervisionApi, client)
    log.warning("this server client has no supervision routes: no live supervision")
    return None


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("homeagent")
    except PackageNotFoundError:
        return "dev"
