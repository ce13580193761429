"""Database tables of the server (SQLAlchemy 2 declarative). Times are stored as naive UTC."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# BigInteger ids that still autoincrement on SQLite (which only does so for INTEGER).
BigId = BigInteger().with_variant(Integer(), "sqlite")


def new_id() -> str:
    """A new random identifier (UUID4 text)."""
    return str(uuid.uuid4())


def system_now() -> datetime:
    """The system clock, timezone-aware UTC."""
    return datetime.now(UTC)


# The clock of every time the server records (state segments, queue offers, receipts…).
# Only an in-process test replaces it, to script a day at known times
# (tests/integration/server/test_figures_day.py); access tokens keep the system clock.
clock: Callable[[], datetime] = system_now


def utcnow() -> datetime:
    """Now, timezone-aware UTC (from `clock`)."""
    return clock()


class UtcDateTime(TypeDecorator[datetime]):
    """Stores naive UTC; always returns timezone-aware UTC."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UtcDateTime,
        dict[str, Any]: JSON,
        list[Any]: JSON,
    }


class Setting(Base):
    """Server-wide settings (the token secret, SIP domain…)."""

    __tablename__ = "settings"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class Counter(Base):
    """Monotonic counters (the contact change cursor); the row lock orders writers."""

    __tablename__ = "counters"
    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)


class Team(Base):
    __tablename__ = "teams"
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    wrap_up_s: Mapped[int] = mapped_column(Integer, default=60)
    auto_answer_s: Mapped[int] = mapped_column(Integer, default=0)
    auto_available_after_wrap_up: Mapped[bool] = mapped_column(Boolean, default=True)


class PauseReason(Base):
    __tablename__ = "pause_reasons"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(100))
    __table_args__ = (UniqueConstraint("team_id", "label"),)


class Disposition(Base):
    __tablename__ = "dispositions"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(50))
    label: Mapped[str] = mapped_column(String(200))
    __table_args__ = (UniqueConstraint("team_id", "code"),)


class Queue(Base):
    """A call queue served by the Available agents of one team."""

    __tablename__ = "queues"
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(64), unique=True)  # SIP user part, e.g. "ventes"
    label: Mapped[str] = mapped_column(String(200), default="")
    team_id: Mapped[str] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    rona_s: Mapped[int] = mapped_column(Integer, default=15)
    # service level: answered within this many seconds of entering the queue
    sl_threshold_s: Mapped[int] = mapped_column(Integer, default=20, server_default="20")
    # a call nobody has taken after this long gets 480 (0: at once, nobody waits)
    max_wait_s: Mapped[int] = mapped_column(Integer, default=300, server_default="300")
    # when the last `queue_stats` event left (any instance) and a digest of its figures
    stats_sent_at: Mapped[datetime | None]
    stats_digest: Mapped[str] = mapped_column(String(64), default="", server_default="")


class User(Base):
    __tablename__ = "users"
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(100), unique=True)  # login name
    display_name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(16))  # agent | team_lead | admin
    team_id: Mapped[str | None] = mapped_column(ForeignKey("teams.id"), index=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    # the user's SIP address of record (sip:<sip_username>@domain); each device
    # authenticates with its own digest identity (Device.sip_auth_user)
    sip_username: Mapped[str] = mapped_column(String(64), unique=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None]
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Device(Base):
    __tablename__ = "devices"
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]
    refresh_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    # the refresh token this one replaced, honoured briefly in case the answer was lost
    previous_refresh_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    rotated_at: Mapped[datetime | None]
    # how often the replaced token was presented again inside the grace (at most once)
    refresh_retries: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # SHA-256 of the device key that spares this user's enrolled PC the login back-off
    login_key_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    # the device's own SIP digest identity (homeagent.server.sip_credentials): its user
    # name, the HA1 (MD5 of user:realm:secret; the secret itself is never stored), the
    # realm the HA1 was computed for, and when it was issued. None: none issued yet.
    sip_auth_user: Mapped[str | None] = mapped_column(String(80), unique=True, index=True)
    sip_ha1: Mapped[str | None] = mapped_column(String(64))
    sip_realm: Mapped[str | None] = mapped_column(String(255))
    sip_issued_at: Mapped[datetime | None]


class RetiredRefreshToken(Base):
    """Refresh tokens a device has rotated away from: presenting one again is reuse."""

    __tablename__ = "retired_refresh_tokens"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    device_id: Mapped[str] = mapped_column(ForeignKey("devices.id", ondelete="CASCADE"), index=True)
    retired_at: Mapped[datetime] = mapped_column(default=utcnow)


class AgentStatus(Base):
    """The live state of an agent (one row per agent)."""

    __tablename__ = "agent_status"
    agent_id: Mapped[str] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    team_id: Mapped[str | None] = mapped_column(String(36), index=True)
    state: Mapped[str] = mapped_column(String(16), default="offline")
    reason: Mapped[str] = mapped_column(String(100), default="")
    since: Mapped[datetime] = mapped_column(default=utcnow)
    # the lead who set the current state remotely (None: the agent or the ACD), and why
    changed_by_id: Mapped[str | None] = mapped_column(String(36))
    note: Mapped[str] = mapped_column(String(500), default="", server_default="")
    # a lead's state change waiting for the end of the current call (and its wrap-up)
    pending_state: Mapped[str | None] = mapped_column(String(16))
    pending_reason: Mapped[str] = mapped_column(String(100), default="", server_default="")
    pending_note: Mapped[str] = mapped_column(String(500), default="", server_default="")
    pending_by_id: Mapped[str | None] = mapped_column(String(36))
    pending_at: Mapped[datetime | None]
    # start of the current stretch of work without a break or sign-out (no_break alert)
    work_since: Mapped[datetime | None]


class CallQuality(Base):
    """The latest call-quality figures an agent's app published (one row per agent)."""

    __tablename__ = "call_quality"
    agent_id: Mapped[str] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    sip_call_id: Mapped[str] = mapped_column(String(255), default="")
    mos: Mapped[float] = mapped_column(Float)
    loss_pct: Mapped[float] = mapped_column(Float)
    jitter_ms: Mapped[float] = mapped_column(Float)
    rtt_ms: Mapped[float] = mapped_column(Float)
    final: Mapped[bool] = mapped_column(Boolean, default=False)
    at: Mapped[datetime] = mapped_column(default=utcnow)


class NetworkCheck(Base):
    """The latest pre-shift check an agent's app reported (one row per agent; issue 15)."""

    __tablename__ = "network_checks"
    agent_id: Mapped[str] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    level: Mapped[str] = mapped_column(String(8))  # green | amber | red
    mos_g722: Mapped[float | None] = mapped_column(Float, nullable=True)
    mos_pcma: Mapped[float | None] = mapped_column(Float, nullable=True)
    loss_pct: Mapped[float | None] = mapped_column(Float, nullable=True)
    jitter_ms: Mapped[float | None] = mapped_column(Float, nullable=True)
    rtt_ms: Mapped[float | None] = mapped_column(Float, nullable=True)
    items: Mapped[str] = mapped_column(Text, default="[]")  # [{id, level, advice}] as JSON
    at: Mapped[datetime] = mapped_column(default=utcnow)


class StateHistory(Base):
    """Closed and open state segments, for history and daily figures."""

    __tablename__ = "state_history"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    agent_id: Mapped[str] = mapped_column(String(36), index=True)
    team_id: Mapped[str | None] = mapped_column(String(36))
    state: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(String(100), default="")
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    __table_args__ = (Index("ix_state_history_agent_start", "agent_id", "started_at"),)


class Contact(Base):
    __tablename__ = "contacts"
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    first_name: Mapped[str] = mapped_column(String(100), default="")
    last_name: Mapped[str] = mapped_column(String(100), default="")
    company: Mapped[str] = mapped_column(String(200), default="")
    phones: Mapped[list[Any]] = mapped_column(default=list)
    email: Mapped[str] = mapped_column(String(200), default="")
    account_ref: Mapped[str] = mapped_column(String(100), default="")
    tags: Mapped[list[Any]] = mapped_column(default=list)
    custom: Mapped[dict[str, Any]] = mapped_column(default=dict)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    deleted_at: Mapped[datetime | None]
    change_seq: Mapped[int] = mapped_column(BigInteger, index=True, default=0)
    search_text: Mapped[str] = mapped_column(Text, default="")  # lower-cased, for search


class ContactPhone(Base):
    """Phone index for lookup by E.164."""

    __tablename__ = "contact_phones"
    contact_id: Mapped[str] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True
    )
    e164: Mapped[str] = mapped_column(String(20), primary_key=True, index=True)


class Interaction(Base):
    __tablename__ = "interactions"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    contact_id: Mapped[str | None] = mapped_column(String(36), index=True)
    agent_id: Mapped[str] = mapped_column(String(36), index=True)
    team_id: Mapped[str | None] = mapped_column(String(36))
    direction: Mapped[str] = mapped_column(String(10))
    queue: Mapped[str] = mapped_column(String(64), default="")
    remote_number: Mapped[str] = mapped_column(String(20), default="")
    started_at: Mapped[datetime]
    answered_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    outcome: Mapped[str] = mapped_column(String(20))
    sip_call_id: Mapped[str] = mapped_column(String(255), default="")
    disposition: Mapped[str | None] = mapped_column(String(50))
    wrap_up_notes: Mapped[str] = mapped_column(Text, default="")
    wrapped_at: Mapped[datetime | None]


class Note(Base):
    __tablename__ = "notes"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    contact_id: Mapped[str] = mapped_column(String(36), index=True)
    interaction_id: Mapped[str | None] = mapped_column(String(36))
    agent_id: Mapped[str] = mapped_column(String(36))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Callback(Base):
    __tablename__ = "callbacks"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    contact_id: Mapped[str | None] = mapped_column(String(36))
    interaction_id: Mapped[str | None] = mapped_column(String(36))
    agent_id: Mapped[str] = mapped_column(String(36), index=True)
    team_id: Mapped[str | None] = mapped_column(String(36), index=True)
    due_at: Mapped[datetime]
    notes: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="pending")
    notified_at: Mapped[datetime | None]  # when `callback_due` was published


class Message(Base):
    """A message: a lead to one, several or all agents of a team, or an agent to the leads.

    Who it went to is fixed at send time, one `MessageReceipt` per recipient.
    """

    __tablename__ = "messages"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    sender_id: Mapped[str] = mapped_column(String(36), index=True)
    to_agent_id: Mapped[str | None] = mapped_column(String(36), index=True)
    to_team_id: Mapped[str | None] = mapped_column(String(36), index=True)
    # the team the message belongs to (its leads read it) and, for a one-to-one message
    # (lead to agent, or agent to the leads), the agent of that conversation
    team_id: Mapped[str | None] = mapped_column(String(36), index=True)
    thread_agent_id: Mapped[str | None] = mapped_column(String(36), index=True)
    body: Mapped[str] = mapped_column(Text)
    priority: Mapped[str] = mapped_column(String(8), default="normal")  # normal | urgent
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class MessageReceipt(Base):
    """One recipient of a message: when it reached their desk, was read, acknowledged."""

    __tablename__ = "message_receipts"
    message_id: Mapped[int] = mapped_column(
        ForeignKey("messages.id", ondelete="CASCADE"), primary_key=True
    )
    agent_id: Mapped[str] = mapped_column(String(36), primary_key=True)  # the recipient
    delivered_at: Mapped[datetime | None]
    read_at: Mapped[datetime | None]
    acked_at: Mapped[datetime | None]
    __table_args__ = (Index("ix_message_receipts_agent", "agent_id", "message_id"),)


class HelpRequest(Base):
    __tablename__ = "help_requests"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    agent_id: Mapped[str] = mapped_column(String(36))
    team_id: Mapped[str | None] = mapped_column(String(36), index=True)
    text: Mapped[str] = mapped_column(Text, default="")
    call_context: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    status: Mapped[str] = mapped_column(
        String(16), default="open", server_default="open"
    )  # open | acknowledged | resolved
    acked_by_id: Mapped[str | None] = mapped_column(String(36))
    acked_at: Mapped[datetime | None]
    resolved_by_id: Mapped[str | None] = mapped_column(String(36))
    resolved_at: Mapped[datetime | None]
    __table_args__ = (Index("ix_help_requests_team_status", "team_id", "status"),)


class IdempotencyRecord(Base):
    __tablename__ = "idempotency_keys"
    user_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    body: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class Event(Base):
    """The persisted event stream. `id` is the SSE event id (monotonic)."""

    __tablename__ = "events"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    type: Mapped[str] = mapped_column(String(32))
    data: Mapped[dict[str, Any]] = mapped_column()
    # audience: a user, a device, a team (role "all" or "lead"), or everyone (no team)
    to_user_id: Mapped[str | None] = mapped_column(String(36))
    to_device_id: Mapped[str | None] = mapped_column(String(36))
    to_team_id: Mapped[str | None] = mapped_column(String(36))
    to_role: Mapped[str | None] = mapped_column(String(8))  # None | "all" | "lead"
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AcdOffer(Base):
    """Agents a queued call was offered to (so the next attempt picks someone else)."""

    __tablename__ = "acd_offers"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    call_id: Mapped[str] = mapped_column(String(255), index=True)
    queue: Mapped[str] = mapped_column(String(64))
    agent_id: Mapped[str] = mapped_column(String(36))
    offered_at: Mapped[datetime] = mapped_column(default=utcnow)
    outcome: Mapped[str] = mapped_column(String(16), default="ringing")


class QueueCall(Base):
    """One customer call through a queue, from entry to answer, abandon or time-out.

    `outcome`: waiting (in the queue, nobody ringing), ringing (offered to an agent),
    answered, abandoned (the customer hung up first), timed_out (nobody took it within the
    queue's `max_wait_s`). `ended_at` is when it left the queue (answer, hang-up, 480);
    `seen_at` the ACD's latest word about it (it asks every second while the call waits).
    """

    __tablename__ = "queue_calls"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    call_id: Mapped[str] = mapped_column(String(255), unique=True)
    queue: Mapped[str] = mapped_column(String(64))
    team_id: Mapped[str] = mapped_column(String(36))
    entered_at: Mapped[datetime]
    offered_at: Mapped[datetime | None]
    answered_at: Mapped[datetime | None]
    answered_by: Mapped[str | None] = mapped_column(String(36))
    ended_at: Mapped[datetime | None]
    outcome: Mapped[str] = mapped_column(String(16), default="waiting")
    seen_at: Mapped[datetime]
    __table_args__ = (
        Index("ix_queue_calls_queue_entered", "queue", "entered_at"),
        Index("ix_queue_calls_outcome", "outcome"),
    )


class ShiftSlot(Base):
    """A shift slot a team's lead opened (e.g. Tue 18:00–20:00, 6 places): agents book it.

    `booked` counts the open bookings; it only moves by a conditional UPDATE
    (`booked < capacity`), so two bookings racing for the last place cannot both win, on
    SQLite as on PostgreSQL (homeagent.server.slots.book).
    """

    __tablename__ = "shift_slots"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    capacity: Mapped[int] = mapped_column(Integer)
    booked: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    note: Mapped[str] = mapped_column(String(200), default="", server_default="")
    created_by_id: Mapped[str | None] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    cancelled_at: Mapped[datetime | None]
    cancelled_by_id: Mapped[str | None] = mapped_column(String(36))
    __table_args__ = (Index("ix_shift_slots_team_start", "team_id", "starts_at"),)


class SlotRules(Base):
    """A team's shift-slot rules (homeagent.server.slots.Rules): how long before a slot's
    start an agent may still book it, and cancel a booking; how late counts as late.
    No row: the defaults."""

    __tablename__ = "slot_rules"
    team_id: Mapped[str] = mapped_column(
        ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True
    )
    book_notice_min: Mapped[int] = mapped_column(Integer)
    cancel_notice_min: Mapped[int] = mapped_column(Integer)
    late_grace_min: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[str | None] = mapped_column(String(36))


class SlotBooking(Base):
    """An agent's booking of a slot; cancelling keeps the row (`cancelled_at`).

    At most one open booking per agent and slot (a partial unique index)."""

    __tablename__ = "slot_bookings"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    slot_id: Mapped[int] = mapped_column(ForeignKey("shift_slots.id", ondelete="CASCADE"))
    agent_id: Mapped[str] = mapped_column(String(36))
    team_id: Mapped[str | None] = mapped_column(String(36))
    booked_at: Mapped[datetime] = mapped_column(default=utcnow)
    cancelled_at: Mapped[datetime | None]
    cancelled_by_id: Mapped[str | None] = mapped_column(String(36))
    __table_args__ = (
        Index(
            "uq_slot_bookings_open",
            "slot_id",
            "agent_id",
            unique=True,
            sqlite_where=text("cancelled_at IS NULL"),
            postgresql_where=text("cancelled_at IS NULL"),
        ),
        Index("ix_slot_bookings_agent", "agent_id", "cancelled_at"),
    )


class DiagnosticRequest(Base):
    """A lead's or IT's request for an agent's diagnostics bundle (the agent decides)."""

    __tablename__ = "diagnostic_requests"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    agent_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    team_id: Mapped[str | None] = mapped_column(String(36))
    requested_by_id: Mapped[str] = mapped_column(String(36))
    note: Mapped[str] = mapped_column(String(500), default="")
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    # pending | declined | sent (a bundle answered it)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    answered_at: Mapped[datetime | None]
    bundle_id: Mapped[int | None] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"))
    __table_args__ = (Index("ix_diagnostic_requests_agent", "agent_id", "requested_at"),)


class DiagnosticBundle(Base):
    """A diagnostics bundle an agent's app sent with the agent's consent (masked zip)."""

    __tablename__ = "diagnostic_bundles"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    agent_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    team_id: Mapped[str | None] = mapped_column(String(36))
    device_id: Mapped[str] = mapped_column(String(36))
    request_id: Mapped[int | None] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    manifest: Mapped[dict[str, Any]] = mapped_column(default=dict)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    __table_args__ = (Index("ix_diagnostic_bundles_agent", "agent_id", "received_at"),)


# The supervision tables live in their own module on this same Base. Importing it here (at
# the end, once Base exists) registers them on `Base.metadata` for whoever imports only this
# module: alembic's env.py, `create_all` in tests, the migration/metadata comparison.
import homeagent.server.supervision_models  # noqa: E402, F401
