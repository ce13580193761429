"""The seams of the desktop as Protocols: the SIP engine, the audio service, the server.

The real parts (`homeagent.sip.engine.SipEngine`, `homeagent.sip.audio.AudioService`,
`homeagent.client.server.ServerClient`) and their fakes (`homeagent.testing`) both
implement these (the device, whose parts are the cache's own types, is
`homeagent.desktop.ports.Device`); the composition (`homeagent.desktop`) is typed
against them, and the contract tests run the same cases through a fake and the real part.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from homeagent.core import lead_comms, lead_records, lead_settings, records
from homeagent.core.audio_settings import AudioSettings, NoiseStatus
from homeagent.core.commands import Command
from homeagent.core.events import AudioDevicesChanged, Event
from homeagent.core.sip_config import EngineConfig, SipAccountConfig


class SipEngine(Protocol):
    """Commands in (any thread, never blocks), events out (from the engine's thread)."""

    def start(self) -> None:
        """Bring the transport up and send REGISTER; raises RuntimeError when it cannot."""

    def submit(self, command: Command) -> None:
        """Queue a command for the engine thread."""

    def stop(self) -> None:
        """Hang up, unregister and release everything; safe to call twice."""


class EngineFactory(Protocol):
    """`SipEngine`'s constructor: how the composition makes an engine (tests: a fake)."""

    def __call__(
        self,
        config: EngineConfig,
        account: SipAccountConfig,
        on_event: Callable[[Event], None],
        audio: object | None = None,
    ) -> SipEngine: ...


class AudioService(Protocol):
    """Headset, ringer, meter and test tone; its `bridge` is handed to the engine as is."""

    @property
    def bridge(self) -> object:
        """The engine's audio attachment (opaque outside `homeagent.sip`)."""

    @property
    def settings(self) -> AudioSettings:
        """The agent's current device choices."""

    def start(self) -> None:
        """Open the devices (its own thread); raises when there is no sound server."""

    def stop(self) -> None:
        """Close the devices; after the engine stopped."""

    def devices(self) -> AudioDevicesChanged:
        """The devices plugged in now, as the last event said."""

    def select_microphone(self, device_id: str | None) -> None: ...
    def select_speaker(self, device_id: str | None) -> None: ...
    def select_ringer(self, device_id: str | None) -> None: ...
    def set_ringer_volume(self, volume: float) -> None: ...
    def set_mic_meter(self, on: bool) -> None: ...
    def play_test_tone(self, freq_hz: float = 440.0, duration_s: float = 1.5) -> None: ...
    def record_and_play_back(self, duration_s: float = 3.0) -> None:
        """Record the microphone for `duration_s`, then play it on the headset."""

    def set_noise_suppression(self, on: bool) -> None: ...
    @property
    def noise_status(self) -> NoiseStatus:
        """What the microphone's noise filter does now."""

    def record_noise_test(self, duration_s: float = 3.0) -> None:
        """Record, then play back raw and filtered (`NoiseTestProgressed` events)."""

    def start_ringing(self) -> None: ...
    def stop_ringing(self) -> None: ...


class ServerApi(Protocol):
    """The desk's reads of the central server, parsed into typed records.

    Each raises `homeagent.client.errors.ClientError` when the server cannot answer now
    and `payload.MalformedPayload` when the answer is not what the API promises.
    """

    @property
    def verify(self) -> str | bool:
        """The CA bundle TLS is verified against (a path), or True for the system's."""

    def me(self) -> dict[str, Any]:
        """GET /me as it came (the desk caches it for offline starts; parse_me reads it)."""

    def messages(self, after_id: str | int | None = None) -> Any:
        """GET /messages as it came: the agent's conversation (the desk stores it raw)."""

    def read_me(self) -> records.Me: ...
    def read_my_state(self) -> records.AgentStateRow: ...
    def read_callbacks(
        self,
        status: records.CallbackStatus | None = "pending",
        due_before: dt.datetime | None = None,
    ) -> tuple[records.Callback, ...]: ...
    def read_contact_history(self, contact_id: str) -> records.ContactHistory: ...
    def read_figures(self, agent_id: str, day: dt.date) -> records.Figures: ...

    def read_agent_day(self, agent_id: str, day: dt.date) -> lead_comms.DayReport: ...


class LeadCommsApi(Protocol):
    """The team-lead console's messages, help queue, alerts and days (docs/lead-contract.md).

    Blocking (call them on the net lane). Each raises `homeagent.client.errors.ClientError`
    when the server cannot answer now and `payload.MalformedPayload` when the answer is not
    what the contract promises.
    """

    def send_lead_message(
        self,
        body: str,
        *,
        priority: lead_comms.MessagePriority = "normal",
        to_agent_ids: Sequence[str] = (),
        to_team_id: str | None = None,
        idempotency_key: str,
    ) -> lead_comms.LeadMessage:
        """POST /messages to one agent, several, or (`to_team_id`) the whole team."""
        ...

    def read_lead_messages(
        self, after_id: int | None = None, agent_id: str | None = None
    ) -> tuple[lead_comms.LeadMessage, ...]:
        """GET /messages: every message the lead sees, or one agent's conversation."""
        ...

    def read_message_receipts(self, message_id: int) -> tuple[lead_comms.RecipientReceipt, ...]:
        """GET /messages/{id}/receipts: every recipient's delivered / read / acknowledged."""
        ...

    def mark_message_read(self, message_id: int) -> lead_comms.ReceiptUpdate:
        """POST /messages/{id}/read: the lead read an agent's message."""
        ...

    def read_help_requests(
        self, status: lead_comms.HelpStatus, after_id: int | None = None
    ) -> tuple[lead_comms.HelpRequest, ...]: ...

    def ack_help_request(self, request_id: int) -> lead_comms.HelpRequest:
        """POST /help-requests/{id}/ack ("J'arrive")."""
        ...

    def resolve_help_request(self, request_id: int) -> lead_comms.HelpRequest: ...

    def read_alerts(
        self, team_id: str, day: dt.date | None = None, *, open_only: bool = False
    ) -> tuple[lead_comms.Alert, ...]: ...

    def ack_alert(self, alert_id: int | str) -> lead_comms.Alert: ...

    def read_team_day(self, team_id: str, day: dt.date) -> lead_comms.DayReport: ...

    def read_agent_day(self, agent_id: str, day: dt.date) -> lead_comms.DayReport: ...


class LeadBoardApi(Protocol):
    """The console's board reads and writes (docs/lead-contract.md), parsed into
    `homeagent.core.lead_records` and `lead_settings`. Errors as `ServerApi`'s: `ClientError`
    when the server cannot answer now (an `ApiError` carries its 4xx code and message),
    `MalformedPayload` when the answer is not what the contract promises."""

    def read_teams(self) -> tuple[lead_records.TeamRef, ...]:
        """GET /teams (admins): the teams to choose from."""

    def read_board(self, team_id: str) -> lead_records.Board: ...
    def read_queue_stats(self, team_id: str) -> tuple[lead_records.QueueStats, ...]: ...
    def read_team_settings(self, team_id: str) -> lead_settings.TeamBoardSettings: ...
    def write_team_settings(
        self, team_id: str, settings: lead_settings.TeamBoardSettings
    ) -> lead_settings.TeamBoardSettings:
        """PUT /teams/{id}/settings; returns what the server stored."""

    def set_agent_state_remote(
        self, agent_id: str, state: lead_records.RemoteState, reason: str, note: str
    ) -> lead_records.RemoteStateResult:
        """POST /agents/{id}/state: applied now, or pending until the call ends."""

    def cancel_pending_state(self, agent_id: str) -> None:
        """DELETE /agents/{id}/pending-state."""

    def request_diagnostics(self, agent_id: str, note: str = "") -> object:
        """POST /agents/{id}/diagnostics/requests: ask the agent for a diagnostics bundle."""
