"""Request and response bodies of the API (pydantic), as described in docs/api.md."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from homeagent.core.agent_state import AgentState

E164 = r"^\+[1-9][0-9]{5,14}$"
Uuid = r"^[0-9a-fA-F-]{36}$"
# Ids, cursors and event ids are 64-bit signed integers in both databases: a larger value
# is refused at the edge (SQLite raised OverflowError, a 500 that dropped the connection).
MAX_ID = 2**63 - 1


def parse_id(text: str) -> int | None:
    """A non-negative 64-bit id from ASCII digits, or None."""
    if not text.isascii() or not text.isdigit() or len(text) > 19:
        return None
    value = int(text)
    return value if value <= MAX_ID else None


def _sane_moment(value: datetime) -> datetime:
    """Timezone-aware (naive means UTC), between 1970 and 2200, returned in UTC."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    if not 1970 <= value.year <= 2200:
        raise ValueError("the date must be between 1970 and 2200")
    return value.astimezone(UTC)


def _sane_day(value: date) -> date:
    if not 1970 <= value.year <= 2200:
        raise ValueError("the day must be between 1970 and 2200")
    return value


Moment = Annotated[datetime, AfterValidator(_sane_moment)]
Day = Annotated[date, AfterValidator(_sane_day)]


def _holds_nul(value: object) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, list | tuple):
        return any(_holds_nul(v) for v in value)
    if isinstance(value, dict):
        return any(_holds_nul(k) or _holds_nul(v) for k, v in value.items())
    return False  # nested models check themselves


class Strict(BaseModel):
    """Request bodies: unknown fields and NUL characters (in any text) are refused."""

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="after")
    def _no_nul(self) -> Self:
        for name in type(self).model_fields:
            if _holds_nul(getattr(self, name)):
                raise ValueError(f"{name}: NUL characters are refused")
        return self


# Sizes of the parts of a contact (the lists' lengths are capped where they are used).
PhoneText = Annotated[str, StringConstraints(min_length=1, max_length=40)]
Tag = Annotated[str, StringConstraints(min_length=1, max_length=50)]
CustomKey = Annotated[str, StringConstraints(min_length=1, max_length=64)]
CustomValue = Annotated[str, StringConstraints(max_length=1000)]


class LoginIn(Strict):
    username: str = Field(min_length=1, max_length=100)
    password: str = Field(min_length=1, max_length=1000)
    device_name: str = Field(min_length=1, max_length=200)
    # from an earlier login on this PC: spares it the back-off after others' failures
    device_key: str | None = Field(default=None, max_length=200)


class RefreshIn(Strict):
    refresh_token: str = Field(min_length=1, max_length=200)


class UserOut(BaseModel):
    id: str
    name: str
    display_name: str
    role: Literal["agent", "team_lead", "admin"]
    team_id: str | None


class TokensOut(BaseModel):
    access_token: str
    refresh_token: str
    expires_in_s: int
    device_id: str
    user: UserOut
    device_key: str | None = None  # login only: keep it with the refresh token


class DispositionOut(BaseModel):
    code: str
    label: str


class TeamOut(BaseModel):
    id: str
    name: str
    pause_reasons: list[str]
    wrap_up_s: int
    auto_answer_s: int
    auto_available_after_wrap_up: bool
    dispositions: list[DispositionOut]


class MeOut(BaseModel):
    user: UserOut
    team: TeamOut | None


class SipSettingsOut(BaseModel):
    """The SIP settings of the calling device; `auth_username` is its digest user name
    (None until `POST /provisioning/sip` issued one). No secret: the server keeps none."""

    registrar_host: str
    registrar_port: int
    domain: str
    transport: str
    srtp: str
    username: str  # the user's address of record (sip:<username>@<domain>)
    auth_username: str | None
    display_name: str


class SipProvisioningOut(SipSettingsOut):
    """`SipSettingsOut` plus the device's newly issued secret (shown this once)."""

    auth_username: str
    realm: str  # the digest realm the server's HA1 is for (= domain at issuance)
    password: str


class StateIn(Strict):
    state: AgentState
    reason: str = Field(default="", max_length=100)


class PersonRef(BaseModel):
    """Who did something: a user's id and the name to show (display name, else login)."""

    id: str
    name: str


class PendingStateOut(BaseModel):
    """A lead's state change waiting for the end of the agent's call and wrap-up."""

    state: AgentState
    reason: str
    by: PersonRef | None
    note: str
    at: datetime


class StateOut(BaseModel):
    agent_id: str
    state: AgentState
    reason: str
    since: datetime
    # a lead set the current state (None: the agent or the ACD), with the lead's note
    changed_by: PersonRef | None = None
    note: str = ""
    pending: PendingStateOut | None = None


class AgentLiveOut(StateOut):
    name: str
    display_name: str


class RemoteStateIn(Strict):
    """A lead sets an agent's state (applied now, or after the current call)."""

    state: Literal["break", "not_ready", "offline"]
    reason: str = Field(default="", max_length=100)
    note: str = Field(default="", max_length=500)


class RemoteStateOut(BaseModel):
    applied: bool
    state: StateOut
    pending: PendingStateOut | None


QualityFloat = Annotated[float, Field(allow_inf_nan=False)]


class CallQualityIn(Strict):
    """The agent app's figures of its current call (every 5 s, and once at its end)."""

    sip_call_id: str = Field(min_length=1, max_length=255)
    mos: QualityFloat = Field(ge=1.0, le=4.5)
    loss_pct: QualityFloat = Field(ge=0.0, le=100.0)
    jitter_ms: QualityFloat = Field(ge=0.0, le=60000.0)
    rtt_ms: QualityFloat = Field(ge=0.0, le=60000.0)
    final: bool = False


class StateHistoryOut(BaseModel):
    state: AgentState
    reason: str
    started_at: datetime
    ended_at: datetime | None


class ContactIn(Strict):
    id: str | None = Field(default=None, pattern=Uuid)
    first_name: str = Field(default="", max_length=100)
    last_name: str = Field(default="", max_length=100)
    company: str = Field(default="", max_length=200)
    phones: list[PhoneText] = Field(default_factory=list, max_length=10)
    email: str = Field(default="", max_length=200)
    account_ref: str = Field(default="", max_length=100)
    tags: list[Tag] = Field(default_factory=list, max_length=50)
    custom: dict[CustomKey, CustomValue] = Field(default_factory=dict, max_length=50)


class ContactPatch(Strict):
    first_name: str | None = Field(default=None, max_length=100)
    last_name: str | None = Field(default=None, max_length=100)
    company: str | None = Field(default=None, max_length=200)
    phones: list[PhoneText] | None = Field(default=None, max_length=10)
    email: str | None = Field(default=None, max_length=200)
    account_ref: str | None = Field(default=None, max_length=100)
    tags: list[Tag] | None = Field(default=None, max_length=50)
    custom: dict[CustomKey, CustomValue] | None = Field(default=None, max_length=50)


class ContactOut(BaseModel):
    id: str
    first_name: str
    last_name: str
    company: str
    phones: list[str]
    email: str
    account_ref: str
    tags: list[str]
    custom: dict[str, Any]
    updated_at: datetime


class SyncOut(BaseModel):
    items: list[ContactOut]
    deleted: list[str]
    cursor: str
    has_more: bool


class InteractionIn(Strict):
    id: str = Field(pattern=Uuid)
    contact_id: str | None = Field(default=None, pattern=Uuid)
    direction: Literal["inbound", "outbound"]
    queue: str = Field(default="", max_length=64)
    remote_number: str = Field(default="", max_length=20)
    started_at: Moment
    answered_at: Moment | None = None
    ended_at: Moment | None = None
    outcome: Literal["answered", "missed", "abandoned", "failed", "busy", "transferred"]
    sip_call_id: str = Field(default="", max_length=255)


class CallbackIn(Strict):
    id: str = Field(pattern=Uuid)
    due_at: Moment
    notes: str = Field(default="", max_length=5000)


class WrapUpIn(Strict):
    disposition: str = Field(min_length=1, max_length=50)
    notes: str = Field(default="", max_length=20000)
    callback: CallbackIn | None = None


class InteractionOut(BaseModel):
    id: str
    contact_id: str | None
    agent_id: str
    direction: str
    queue: str
    remote_number: str
    started_at: datetime
    answered_at: datetime | None
    ended_at: datetime | None
    outcome: str
    sip_call_id: str
    disposition: str | None
    notes: str


class NoteIn(Strict):
    id: str = Field(pattern=Uuid)
    contact_id: str = Field(pattern=Uuid)
    interaction_id: str | None = Field(default=None, pattern=Uuid)
    text: str = Field(min_length=1, max_length=20000)


class NoteOut(BaseModel):
    id: str
    contact_id: str
    interaction_id: str | None
    agent_id: str
    text: str
    created_at: datetime


class ContactHistoryOut(BaseModel):
    interactions: list[InteractionOut]
    notes: list[NoteOut]


class CallbackOut(BaseModel):
    id: str
    contact_id: str | None
    interaction_id: str | None
    agent_id: str
    due_at: datetime
    notes: str
    status: str


class CallbackPatch(Strict):
    status: Literal["pending", "done", "cancelled"]


MessagePriority = Literal["normal", "urgent"]
MAX_RECIPIENTS = 200


def _urgent(value: str) -> str:
    return "urgent" if value == "high" else value  # the word of the first API version


class MessageIn(Strict):
    """A lead writes to one agent, several agents (of one team), or a whole team."""

    to_agent_ids: list[Annotated[str, StringConstraints(min_length=1, max_length=36)]] | None = (
        Field(default=None, min_length=1, max_length=MAX_RECIPIENTS)
    )
    to_agent_id: str | None = Field(default=None, max_length=36)
    to_team_id: str | None = Field(default=None, max_length=36)
    body: str = Field(min_length=1, max_length=5000)
    priority: Annotated[
        Literal["normal", "urgent", "high"],
        AfterValidator(_urgent),
        Field(description='"high" (the first version\'s word) is taken as "urgent"'),
    ] = "normal"


class MessageToLeadIn(Strict):
    body: str = Field(min_length=1, max_length=5000)


class ReceiptOut(BaseModel):
    """The caller's own receipt of a message."""

    delivered_at: datetime | None
    read_at: datetime | None
    acked_at: datetime | None


class ReceiptCountsOut(BaseModel):
    recipients: int
    delivered: int
    read: int
    acked: int


class MessageOut(BaseModel):
    id: int
    sender_id: str
    sender_name: str
    to_agent_id: str | None
    to_team_id: str | None
    thread_agent_id: str | None
    body: str
    priority: MessagePriority
    created_at: datetime
    receipt: ReceiptOut | None  # the caller's own (None: the caller is not a recipient)
    counts: ReceiptCountsOut | None  # the sender, the team's leads and admins only
    read_at: datetime | None = None  # = receipt.read_at (kept for the first desks)


class ReadReceiptOut(BaseModel):
    """One recipient's receipt of a message (answer of delivered/read/ack)."""

    message_id: int
    agent_id: str
    delivered_at: datetime | None
    read_at: datetime | None
    acked_at: datetime | None


class RecipientOut(BaseModel):
    agent_id: str
    name: str
    display_name: str
    delivered_at: datetime | None
    read_at: datetime | None
    acked_at: datetime | None


class CallContext(Strict):
    queue: str = Field(default="", max_length=64)
    contact_id: str | None = Field(default=None, max_length=36)
    remote_number_masked: str = Field(default="", max_length=20)
    call_started_at: Moment | None = None


class HelpIn(Strict):
    call_context: CallContext
    text: str = Field(default="", max_length=5000)


HelpStatus = Literal["open", "acknowledged", "resolved"]


class HelpOut(BaseModel):
    id: int
    agent_id: str
    agent_name: str
    team_id: str | None
    text: str
    call_context: dict[str, Any]
    created_at: datetime
    status: HelpStatus
    acked_by: PersonRef | None
    acked_at: datetime | None
    resolved_at: datetime | None


class BreaksOut(BaseModel):
    count: int
    duration_s: int


class FiguresOut(BaseModel):
    """One day's figures; each is defined once in `homeagent.server.routers.figures`."""

    day: str
    calls_handled: int  # answered calls, inbound or outbound
    missed: int  # inbound calls that rang and were neither answered nor declined
    declined: int  # inbound calls the agent turned down
    talk_s: int  # answered -> ended of the handled calls (hold included)
    wrap_up_s: int  # time in wrap-up segments (total)
    handle_s: int  # talk_s + wrap_up_s
    avg_handle_s: int  # handle_s / calls_handled
    avg_wrap_up_s: int  # wrap_up_s / calls_handled (never above avg_handle_s)
    breaks: BreaksOut


class QueueStatsOut(BaseModel):
    """A queue's live and daily figures; each is defined once in `homeagent.server.queue_stats`."""

    queue: str  # the queue's name (its SIP user part without "queue-")
    label: str
    team_id: str
    waiting: int  # customers in the queue now, not yet answered (ringing at an agent too)
    longest_wait_s: int  # how long the oldest of them has waited (0 with nobody waiting)
    oldest_since: str | None  # when the oldest of them entered the queue (clients tick it)
    offered: int  # calls that entered the queue today
    answered: int
    abandoned: int  # the customer hung up before an answer
    timed_out: int  # nobody took it within the queue's max_wait_s (480)
    service_level_pct: float | None  # answered within sl_threshold_s / (answered + late abandons)
    sl_threshold_s: int
    asa_s: float | None  # mean time to answer of the answered calls
    day: str  # the UTC day of the daily figures (YYYY-MM-DD)


class OkOut(BaseModel):
    ok: bool = True


class DiagnosticRequestIn(Strict):
    """A lead's or IT's request for an agent's diagnostics bundle."""

    note: str = Field(default="", max_length=500)


class DiagnosticRequestOut(BaseModel):
    id: int
    agent_id: str
    requested_by: PersonRef
    note: str
    requested_at: datetime
    status: Literal["pending", "declined", "sent"]
    answered_at: datetime | None
    bundle_id: int | None


class DiagnosticBundleOut(BaseModel):
    """A stored bundle, without its content (GET /diagnostics/{id} downloads the zip)."""

    id: int
    agent_id: str
    agent_name: str
    device_id: str
    request_id: int | None
    received_at: datetime
    size_bytes: int
    sha256: str
    manifest: dict[str, Any]


# -- the pre-shift check (issue 15) -------------------------------------------------------

CheckLevel = Literal["green", "amber", "red"]
CheckItemId = Literal[
    "server", "echo", "bandwidth", "sip", "microphone", "headset", "ringer", "clock"
]


class EchoSessionOut(BaseModel):
    """A token for the UDP echo service and how to use it (docs/api.md, "Echo protocol")."""

    token: str  # base64url, 28 bytes: goes into each probe's payload
    host: str  # "" = the API's own host name
    port: int
    packet_bytes: int
    payload_bytes: int
    max_packets: int
    max_pps: float
    expires_at: datetime
    server_time: datetime  # the server's clock (the check's clock line)


class NetworkCheckItemIn(Strict):
    id: CheckItemId
    level: CheckLevel
    advice: str = Field(max_length=40, pattern=r"^[a-z_]*$")


class NetworkCheckIn(Strict):
    """The result of the agent's pre-shift check (no secret, no number)."""

    level: CheckLevel
    mos_g722: QualityFloat | None = Field(default=None, ge=1.0, le=4.5)
    mos_pcma: QualityFloat | None = Field(default=None, ge=1.0, le=4.5)
    loss_pct: QualityFloat | None = Field(default=None, ge=0.0, le=100.0)
    jitter_ms: QualityFloat | None = Field(default=None, ge=0.0, le=60000.0)
    rtt_ms: QualityFloat | None = Field(default=None, ge=0.0, le=60000.0)
    items: list[NetworkCheckItemIn] = Field(default_factory=list, max_length=20)


class NetworkCheckOut(BaseModel):
    agent_id: str
    level: CheckLevel
    mos_g722: float | None
    mos_pcma: float | None
    loss_pct: float | None
    jitter_ms: float | None
    rtt_ms: float | None
    items: list[NetworkCheckItemIn]
    at: datetime
