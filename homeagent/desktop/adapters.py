"""Adapters from the real parts (local store, outbox, server client, SIP engine) to the
desk's ports (`ContactDirectory`, `DeskSink`, `DeskData`).

Writes go through the durable outbox on the disk lane; results come back on
the GUI thread. Nothing here blocks the GUI thread except the indexed contact lookups of
`StoreDirectory`, which the card needs at once when a call rings.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable, Mapping
from typing import Any

from PySide6.QtCore import QCoreApplication

from homeagent.client.server import ServerClient
from homeagent.core.agent_state import Presence
from homeagent.core.commands import Command
from homeagent.core.desk_types import (
    Callback,
    Contact,
    DayFigures,
    Delivery,
    Disposition,
    HelpRequest,
    HistoryEntry,
    InteractionRecord,
    Message,
    Outcome,
    Priority,
    TeamSettings,
    WrapUpRecord,
)
from homeagent.crm.outbox import Outbox
from homeagent.crm.store import Contact as StoredContact
from homeagent.crm.store import LocalStore
from homeagent.ui.qt.tasks import TaskRunner

log = logging.getLogger(__name__)
ME_META_KEY = "desk.me"  # the last GET /me, so an offline start knows the team


def _iso(when: dt.datetime | None) -> str | None:
    if when is None:
        return None
    return when.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def parse_time(text: object) -> dt.datetime:
    """An ISO-8601 time from the server or the store (naive means UTC)."""
    try:
        value = dt.datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return dt.datetime.now(dt.UTC)
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def contact_from_store(c: StoredContact, notes: list[dict[str, Any]] | None = None) -> Contact:
    """A `homeagent.crm.store.Contact` (and its notes) as the desk's Contact."""
    return Contact(
        id=str(c.id),
        first_name=c.first_name,
        last_name=c.last_name,
        company=c.company,
        phones=tuple(c.phones),
        email=c.email,
        account_ref=c.account_ref,
        tags=tuple(c.tags),
        notes=str(notes[-1]["text"]) if notes else "",
    )


def team_from_me(me: Mapping[str, Any]) -> tuple[str, TeamSettings]:
    """The agent's display name and team settings from ``GET /me``."""
    user = me.get("user") or {}
    team = me.get("team") or {}
    name = str(user.get("display_name") or user.get("name") or "")
    auto = team.get("auto_answer_s")
    return name, TeamSettings(
        name=str(team.get("name") or ""),
        pause_reasons=tuple(str(r) for r in team.get("pause_reasons") or ()),
        wrap_up_s=int(team.get("wrap_up_s") or 60),
        auto_answer_s=float(auto) if auto else None,
        auto_available_after_wrap_up=bool(team.get("auto_available_after_wrap_up", True)),
        dispositions=tuple(
            Disposition(str(d["code"]), str(d["label"])) for d in team.get("dispositions") or ()
        ),
    )


_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)


def message_from_wire(m: Mapping[str, Any]) -> Message:
    """A message from the store or the event stream (a bare sender id reads "Team lead")."""
    sender = str(m.get("sender") or m.get("sender_name") or m.get("sender_id") or "")
    if not sender or _UUID.match(sender):
        sender = QCoreApplication.translate("Backend", "Team lead")
    return Message(
        id=str(m["id"]),
        sender=sender,
        body=str(m.get("body") or ""),
        sent_at=parse_time(m.get("created_at")),
        priority=Priority.HIGH if m.get("priority") == "high" else Priority.NORMAL,
        read=bool(m.get("read_at")),
    )


class StoreDirectory:
    """`ContactDirectory` over the encrypted local cache."""

    def __init__(self, store: LocalStore) -> None:
        self._store = store

    def lookup_number(self, number: str) -> Contact | None:
        """The first contact owning `number` (E.164 normalised by the store)."""
        found = self._store.lookup_number(number)
        return contact_from_store(found[0], self._store.notes_of(found[0].id)) if found else None

    def get(self, contact_id: str) -> Contact | None:
        """A cached contact by id."""
        c = self._store.get_contact(contact_id)
        return contact_from_store(c, self._store.notes_of(c.id)) if c is not None else None


class AppSink:
    """`DeskSink` over the engine and the outbox; reports durability back to the desk."""

    def __init__(
        self,
        *,
        submit: Callable[[Command], None],
        outbox: Outbox,
        store: LocalStore,
        disk: TaskRunner,
        on_delivery: Callable[[str, Delivery], None],
        on_state_published: Callable[[Presence], None] | None = None,
    ) -> None:
        self._submit = submit
        self._on_state_published = on_state_published
        self._outbox = outbox
        self._store = store
        self._disk = disk
        self._on_delivery = on_delivery
        self._waiting: dict[str, str] = {}  # outbox key -> wrap-up record id

    def submit(self, command: Command) -> None:
        """Queue for the SIP engine (thread-safe, never blocks)."""
        self._submit(command)

    def publish_state(self, presence: Presence) -> None:
        """Queue PUT /agents/me/state (sent when online)."""
        if self._on_state_published is not None:
            self._on_state_published(presence)
        state, reason = presence.state.value, presence.reason
        self._disk.run(lambda: self._outbox.set_agent_state(state, reason))

    def log_interaction(self, record: InteractionRecord) -> None:
        """Record the call locally and queue POST /interactions."""
        body = {
            "id": record.id,
            "contact_id": record.contact_id or None,
            "direction": record.direction,
            "queue": record.queue,
            "remote_number": record.remote_number[:20],
            "started_at": _iso(record.started_at),
            "answered_at": _iso(record.answered_at),
            "ended_at": _iso(record.ended_at),
            "outcome": record.outcome,
            "sip_call_id": record.sip_call_id,
        }
        self._disk.run(lambda: self._outbox.log_call(body))

    def save_wrap_up(self, record: WrapUpRecord) -> None:
        """Queue the wrap-up; "saved" once the outbox transaction committed."""
        callback = None
        if record.callback_due_at is not None:
            callback = {"due_at": _iso(record.callback_due_at), "notes": record.notes[:5000]}

        def write() -> str:
            return str(
                self._outbox.wrap_up(
                    record.interaction_id, record.disposition, record.notes, callback
                )
            )

        def done(key: str) -> None:
            self._waiting[key] = record.id
            self._on_delivery(record.id, Delivery.SAVED)

        self._disk.run(write, done, lambda _exc: self._on_delivery(record.id, Delivery.FAILED))

    def check_sent(self) -> None:
        """After an outbox pass: which saved wrap-ups has the server acknowledged?"""
        if not self._waiting:
            return
        keys = dict(self._waiting)

        def pending() -> set[str]:
            return {item.id for item in self._outbox.items("pending")} | {
                item.id for item in self._outbox.items("failed")
            }

        def done(still: set[str]) -> None:
            for key, record_id in keys.items():
                if key not in still and self._waiting.pop(key, None) is not None:
                    self._on_delivery(record_id, Delivery.SENT)

        self._disk.run(pending, done)

    def request_help(self, request: HelpRequest) -> None:
        """Queue POST /help-requests (number already masked)."""
        context = {
            "queue": request.queue,
            "contact_id": request.contact_id or None,
            "remote_number_masked": request.remote_number_masked,
            "call_started_at": _iso(request.call_started_at),
        }
        self._disk.run(lambda: self._outbox.help_request(context, request.text))

    def create_contact(self, contact: Contact) -> None:
        """Add to the local cache now and queue POST /contacts."""
        body = {
            "id": contact.id,
            "first_name": contact.first_name,
            "last_name": contact.last_name,
            "company": contact.company,
            "phones": list(contact.phones),
        }

        def write() -> None:
            self._store.apply_contact_changes([body])
            self._outbox.enqueue("contact", "POST", "/contacts", body, item_id=contact.id)

        self._disk.run(write)

    def mark_message_read(self, message_id: str) -> None:
        """Mark read locally and queue the read receipt."""
        self._disk.run(lambda: self._outbox.mark_message_read(message_id))


class AppData:
    """`DeskData` over the store (history, search) and the server (callbacks, figures)."""

    def __init__(self, store: LocalStore, client: ServerClient, user_id: Callable[[], str]) -> None:
        self._store = store
        self._client = client
        self._user_id = user_id

    def search(self, text: str, limit: int = 50) -> list[Contact]:
        """Search-as-you-type over the cache."""
        return [contact_from_store(c) for c in self._store.search(text, limit)]

    def callbacks_today(self) -> list[Callback]:
        """Pending callbacks due before tonight (empty while offline)."""
        end = dt.datetime.now().astimezone().replace(hour=23, minute=59, second=59)
        try:
            items = self._client.callbacks("pending", _iso(end))
        except Exception as exc:
            log.info("callbacks unavailable: %s", exc)
            return []
        items = items.get("items", []) if isinstance(items, dict) else items
        found = []
        for item in items:
            contact = (
                self._store.get_contact(item["contact_id"]) if item.get("contact_id") else None
            )
            found.append(
                Callback(
                    id=str(item["id"]),
                    due_at=parse_time(item["due_at"]),
                    contact_id=str(item.get("contact_id") or ""),
                    contact_name=contact.display_name if contact else "",
                    number=contact.phones[0] if contact and contact.phones else "",
                    notes=str(item.get("notes") or ""),
                )
            )
        return sorted(found, key=lambda c: c.due_at)

    def _entries(self, rows: list[dict[str, Any]]) -> list[HistoryEntry]:
        entries = []
        for row in rows:
            contact_id = str(row.get("contact_id") or "")
            contact = self._store.get_contact(contact_id) if contact_id else None
            start = parse_time(row.get("answered_at") or row.get("started_at"))
            end = parse_time(row["ended_at"]) if row.get("ended_at") else start
            entries.append(
                HistoryEntry(
                    interaction_id=str(row["id"]),
                    started_at=parse_time(row.get("started_at")),
                    number=str(row.get("remote_number") or ""),
                    outcome=Outcome.from_wire(str(row.get("outcome")), str(row.get("direction"))),
                    contact_id=contact_id,
                    contact_name=contact.display_name if contact else "",
                    duration_s=max(0.0, (end - start).total_seconds())
                    if row.get("answered_at")
                    else 0.0,
                    disposition=str(row.get("disposition") or ""),
                )
            )
        return entries

    def history_today(self) -> list[HistoryEntry]:
        """Today's calls from the local history."""
        today = dt.datetime.now().astimezone().date()
        rows = self._store.call_history(200)
        return [e for e in self._entries(rows) if e.started_at.astimezone().date() == today]

    def contact_history(self, contact_id: str) -> list[HistoryEntry]:
        """The contact's calls from the server (all agents), else the local history."""
        try:
            found = self._client.contact_interactions(contact_id)
            rows = found.get("interactions", []) if isinstance(found, dict) else list(found)
        except Exception as exc:
            log.info("contact history from the server unavailable: %s", exc)
            rows = self._store.call_history(20, contact_id)
        return sorted(self._entries(rows), key=lambda e: e.started_at, reverse=True)

    def figures_today(self) -> DayFigures:
        """GET /figures/agents/me for today (zeros while offline)."""
        try:
            f = self._client.figures_for_agent(self._user_id(), dt.date.today().isoformat())
        except Exception as exc:
            log.info("figures unavailable: %s", exc)
            return DayFigures()
        breaks = f.get("breaks") or {}
        return DayFigures(
            calls_handled=int(f.get("calls_handled") or 0),
            avg_handle_s=float(f.get("avg_handle_s") or 0),
            wrap_up_s=float(f.get("wrap_up_s") or 0),
            breaks_count=int(breaks.get("count") or 0),
            breaks_duration_s=float(breaks.get("duration_s") or 0),
            missed=int(f.get("missed") or 0),
        )
