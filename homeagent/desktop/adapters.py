"""Adapters from the real parts (local store, outbox, server client, SIP engine) to the
desk's ports (`ContactDirectory`, `DeskSink`, `DeskData`).

Writes go through the durable outbox on the disk lane; results come back on
the GUI thread. Nothing here blocks the GUI thread except the indexed contact lookups of
`StoreDirectory`, which the card needs at once when a call rings.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from homeagent.client.errors import ClientError
from homeagent.core import records
from homeagent.core.agent_state import Presence
from homeagent.core.call_quality import QualitySample
from homeagent.core.commands import Command
from homeagent.core.contact_files import ExportSummary, ImportSummary, SkippedCard, SkipReason
from homeagent.core.desk_types import (
    Callback,
    Contact,
    ContactMemory,
    ContactNote,
    DayFigures,
    Delivery,
    HelpRequest,
    HistoryEntry,
    InteractionRecord,
    Outcome,
    WrapUpRecord,
)
from homeagent.core.lead_comms import DayReport
from homeagent.core.payload import MalformedPayload
from homeagent.core.ports import ServerApi
from homeagent.crm import vcard
from homeagent.crm.outbox import Outbox
from homeagent.crm.store import Contact as StoredContact
from homeagent.crm.store import LocalStore
from homeagent.desktop.desk_records import contact_body, contact_from_store, stored_time
from homeagent.ui.qt.tasks import TaskRunner

log = logging.getLogger(__name__)
MEMORY_CALLS = 20  # the calls a card's memory reads (it shows fewer)
ME_META_KEY = "desk.me"  # the last GET /me, so an offline start knows the team


def _iso(when: dt.datetime | None) -> str | None:
    if when is None:
        return None
    return when.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


class VCardFiles:
    """`ContactFiles` over the cache and the outbox: imported contacts are queued to
    ``POST /contacts`` like a contact created from an unknown caller (the disk lane)."""

    def __init__(self, store: LocalStore, outbox: Outbox) -> None:
        self._store = store
        self._outbox = outbox

    def import_vcard(self, path: Path) -> ImportSummary:
        """Read, leave out what the cache already has, add and queue the rest at once."""
        try:
            parsed = vcard.read_vcard_file(path, self._store.default_region)
        except vcard.VCardFileError as exc:
            return ImportSummary(problem=exc.problem, limit=exc.limit, detail=exc.detail)
        skipped = list(parsed.skipped)
        new: list[StoredContact] = []
        numbers: set[str] = set()
        for position, c in parsed.cards:
            known = self._store.get_contact(c.id) is not None or any(
                p in numbers or self._store.lookup_number(p) for p in c.phones
            )
            if known:
                skipped.append(SkippedCard(position, c.display_name, SkipReason.ALREADY_KNOWN))
                continue
            numbers.update(c.phones)
            new.append(c)
        if new:
            self._outbox.create_contacts([contact_body(c) for c in new])
        return ImportSummary(
            imported=len(new),
            skipped=tuple(sorted(skipped, key=lambda s: s.position)),
            numbers_dropped=parsed.numbers_dropped,
            lines_dropped=parsed.lines_dropped,
        )

    def export_vcard(self, path: Path, contact_ids: Sequence[str] | None = None) -> ExportSummary:
        """Write the cache's contacts (or a selection) as vCard 4.0."""
        contacts = self._store.contacts(contact_ids)
        try:
            return ExportSummary(exported=vcard.write_vcard_file(path, contacts))
        except vcard.VCardFileError as exc:
            return ExportSummary(problem=exc.problem, detail=exc.detail)


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
        on_message_delivery: Callable[[str, Delivery], None] | None = None,
        on_state_answer: Callable[[Presence, Any], None] | None = None,
        quality: Callable[[QualitySample], None] | None = None,
    ) -> None:
        self._submit = submit
        self._on_state_published = on_state_published
        self._on_message_delivery = on_message_delivery
        self._quality = quality
        self._state_writes = 0  # state PUTs handed to the disk lane, not yet in the outbox
        self._latest_state: tuple[str, Presence] | None = None  # (outbox key, presence)
        self._on_state_answer = on_state_answer
        self._early_answer: tuple[str, Any] | None = None  # came before its write's news
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
        self._state_writes += 1

        def done(key: str) -> None:
            self._state_writes -= 1
            self._latest_state = (key, presence)
            early, self._early_answer = self._early_answer, None
            if early is not None and early[0] == key:
                self.state_answered(*early)

        def failed(_exc: BaseException) -> None:
            self._state_writes -= 1

        self._disk.run(lambda: self._outbox.set_agent_state(state, reason), done, failed)

    def state_answered(self, item_id: str, answer: Any) -> None:
        """The server answered the state PUT of outbox entry `item_id` (GUI thread). Only
        the answer to the desk's latest PUT, nothing published since, is the server's
        word on the desk's state (`on_state_answer`); an earlier one is history."""
        if self._state_writes:  # a PUT on its way to the outbox: this may be its answer
            self._early_answer = (item_id, answer)
            return
        latest = self._latest_state
        if latest is not None and latest[0] == item_id and self._on_state_answer is not None:
            self._on_state_answer(latest[1], answer)

    def log_interaction(self, record: InteractionRecord) -> None:
        """Record the call locally and queue POST /interactions."""
        body = {
            "id": record.id,
            "contact_id": record.contact_id or None,
            "direction": record.direction.value,
            "queue": record.queue,
            "remote_number": record.remote_number[:20],
            "started_at": _iso(record.started_at),
            "answered_at": _iso(record.answered_at),
            "ended_at": _iso(record.ended_at),
            "outcome": record.outcome.value if record.outcome else None,
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

        def unsent() -> tuple[set[str], set[str]]:
            waiting = {i.id for i in self._outbox.items("pending")} | {
                i.id
                for i in self._outbox.items("failed")  # refused: the agent decides
            }
            return waiting, {i.id for i in self._outbox.items("discarded")}

        def done(found: tuple[set[str], set[str]]) -> None:
            still, discarded = found
            for key, record_id in keys.items():
                if key in still or self._waiting.pop(key, None) is None:
                    continue
                self._on_delivery(record_id, Delivery.FAILED if key in discarded else Delivery.SENT)

        self._disk.run(unsent, done)

    def request_help(self, request: HelpRequest) -> None:
        """Queue POST /help-requests (number already masked)."""
        context = {
            "queue": request.queue,
            "contact_id": request.contact_id or None,
            "remote_number_masked": request.remote_number_masked,
            "call_started_at": _iso(request.call_started_at),
        }
        self._disk.run(lambda: self._outbox.help_request(context, request.text, request.id))

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

    def ack_message(self, message_id: str) -> None:
        """Acknowledge locally and queue POST /messages/{id}/ack (it survives offline)."""
        self._disk.run(lambda: self._outbox.ack_message(message_id))

    def send_to_lead(self, message_id: str, body: str) -> None:
        """Keep the message and queue POST /messages/to-lead: "Enregistré" when on disk;
        "Envoyé" comes from the outbox's answer (`AgentSession`)."""
        report = self._on_message_delivery or (lambda _id, _d: None)
        self._disk.run(
            lambda: self._outbox.message_to_lead(body, message_id),
            lambda _key: report(message_id, Delivery.SAVED),
            lambda _exc: report(message_id, Delivery.FAILED),
        )

    def publish_quality(self, sample: QualitySample) -> None:
        """Post the sample live (the device's own thread) or drop it."""
        if self._quality is not None:
            self._quality(sample)


class AppData:
    """`DeskData` over the store (history, search) and the server (callbacks, figures).

    Server answers are typed records (`homeagent.core.records`); an unreachable server
    or a malformed answer gives None ("unavailable", shown as such), never zeros.
    """

    def __init__(self, store: LocalStore, client: ServerApi, user_id: Callable[[], str]) -> None:
        self._store = store
        self._client = client
        self._user_id = user_id

    def search(self, text: str, limit: int = 50) -> list[Contact]:
        """Search-as-you-type over the cache."""
        return [contact_from_store(c) for c in self._store.search(text, limit)]

    def callbacks_today(self) -> list[Callback] | None:
        """Pending callbacks due before tonight (None: the server cannot tell now)."""
        end = dt.datetime.now().astimezone().replace(hour=23, minute=59, second=59)
        try:
            items = self._client.read_callbacks("pending", end)
        except (ClientError, MalformedPayload) as exc:
            _unavailable("callbacks", exc)
            return None
        found = []
        for item in items:
            contact = self._store.get_contact(item.contact_id) if item.contact_id else None
            found.append(
                Callback(
                    id=item.id,
                    due_at=item.due_at,
                    contact_id=item.contact_id or "",
                    contact_name=contact.display_name if contact else "",
                    number=contact.phones[0] if contact and contact.phones else "",
                    notes=item.notes,
                )
            )
        return sorted(found, key=lambda c: c.due_at)

    def _contact_name(self, contact_id: str) -> str:
        contact = self._store.get_contact(contact_id) if contact_id else None
        return contact.display_name if contact else ""

    def _local_entries(self, rows: list[dict[str, Any]]) -> list[HistoryEntry]:
        """Calls of the local history; a row this app wrote badly is skipped and said."""
        entries = []
        for row in rows:
            try:
                entries.append(self._local_entry(row))
            except (KeyError, TypeError, ValueError) as exc:
                log.warning("local call %s unreadable: %s", row.get("id"), exc)
        return entries

    def _local_entry(self, row: dict[str, Any]) -> HistoryEntry:
        started = stored_time(row["started_at"])
        answered = stored_time(row["answered_at"]) if row.get("answered_at") else None
        ended = stored_time(row["ended_at"]) if row.get("ended_at") else None
        contact_id = str(row.get("contact_id") or "")
        return HistoryEntry(
            interaction_id=str(row["id"]),
            started_at=started,
            number=str(row.get("remote_number") or ""),
            outcome=Outcome.from_wire(str(row.get("outcome")), str(row.get("direction"))),
            contact_id=contact_id,
            contact_name=self._contact_name(contact_id),
            duration_s=_talk_s(answered, ended),
            disposition=str(row.get("disposition") or ""),
        )

    def history_today(self) -> list[HistoryEntry]:
        """Today's calls from the local history."""
        today = dt.datetime.now().astimezone().date()
        rows = self._store.call_history(200)
        return [e for e in self._local_entries(rows) if e.started_at.astimezone().date() == today]

    def contact_history(self, contact_id: str) -> list[HistoryEntry]:
        """The contact's calls from the server (all agents), else the local history."""
        try:
            found = self._client.read_contact_history(contact_id)
        except (ClientError, MalformedPayload) as exc:
            _unavailable("contact history", exc)
            entries = self._local_entries(self._store.call_history(20, contact_id))
        else:
            name = self._contact_name(contact_id)
            entries = [_server_entry(i, contact_id, name) for i in found.interactions]
        return sorted(entries, key=lambda e: e.started_at, reverse=True)

    def local_memory(self, contact_id: str) -> ContactMemory:
        """The cache's part: notes written here and the calls taken here (wrap-up notes
        included), newest first; `complete` is False."""
        calls: list[HistoryEntry] = []
        notes: list[ContactNote] = []
        for row in self._store.call_history(MEMORY_CALLS, contact_id):
            entry = next(iter(self._local_entries([row])), None)
            if entry is None:
                continue
            calls.append(entry)
            if str(row.get("notes") or "").strip():
                notes.append(
                    _call_note(entry.interaction_id, str(row["notes"]), entry.started_at, True)
                )
        for row in self._store.notes_of(contact_id):
            try:
                notes.append(
                    ContactNote(
                        text=str(row["text"]),
                        created_at=stored_time(row["created_at"]),
                        mine=True,
                        interaction_id=str(row.get("interaction_id") or ""),
                        id=str(row["id"]),
                    )
                )
            except (KeyError, TypeError, ValueError) as exc:
                log.warning("local note %s unreadable: %s", row.get("id"), exc)
        return ContactMemory(
            contact_id=contact_id,
            notes=_newest_first(notes),
            calls=tuple(calls),
            complete=False,
        )

    def contact_memory(self, contact_id: str) -> ContactMemory | None:
        """The server's notes and calls (all agents), the agent's open callbacks for the
        contact, and what the cache has that the server does not have yet.

        None when the server cannot tell now: the card keeps the cache's part."""
        try:
            found = self._client.read_contact_history(contact_id)
            pending = self._client.read_callbacks("pending")
        except (ClientError, MalformedPayload) as exc:
            _unavailable("contact memory", exc)
            return None
        local = self.local_memory(contact_id)
        me = self._user_id()
        name = self._contact_name(contact_id)
        calls = {e.interaction_id: e for e in local.calls}
        notes = {n.id: n for n in local.notes}
        for i in found.interactions:
            calls[i.id] = _server_entry(i, contact_id, name)
            if i.notes.strip():
                when = i.ended_at or i.started_at
                notes[f"call:{i.id}"] = _call_note(i.id, i.notes, when, i.agent_id == me)
        for n in found.notes:
            notes[n.id] = ContactNote(
                text=n.text,
                created_at=n.created_at,
                mine=n.agent_id == me,
                interaction_id=n.interaction_id or "",
                id=n.id,
            )
        contact = self._store.get_contact(contact_id)
        number = contact.phones[0] if contact and contact.phones else ""
        callbacks = sorted(
            (
                Callback(
                    id=c.id,
                    due_at=c.due_at,
                    contact_id=contact_id,
                    contact_name=name,
                    number=number,
                    notes=c.notes,
                )
                for c in pending
                if c.contact_id == contact_id
            ),
            key=lambda c: c.due_at,
        )
        return ContactMemory(
            contact_id=contact_id,
            notes=_newest_first(notes.values()),
            callbacks=tuple(callbacks),
            calls=tuple(sorted(calls.values(), key=lambda e: e.started_at, reverse=True)),
            complete=True,
        )

    def figures_today(self) -> DayFigures | None:
        """The agent's figures for today (None: the server cannot tell now)."""
        try:
            f = self._client.read_figures(self._user_id(), dt.date.today())
        except (ClientError, MalformedPayload) as exc:
            _unavailable("figures", exc)
            return None
        return DayFigures(
            calls_handled=f.calls_handled,
            avg_handle_s=float(f.avg_handle_s),
            wrap_up_s=float(f.wrap_up_s),
            breaks_count=f.breaks.count,
            breaks_duration_s=float(f.breaks.duration_s),
            missed=f.missed,
            avg_wrap_up_s=float(f.avg_wrap_up_s),
        )

    def day_today(self) -> DayReport | None:
        try:
            return self._client.read_agent_day(self._user_id(), dt.date.today())
        except (ClientError, MalformedPayload) as exc:
            _unavailable("day", exc)
            return None


def _unavailable(what: str, exc: Exception) -> None:
    """Offline is a state (INFO); an answer of the wrong shape is a defect (WARNING)."""
    if isinstance(exc, MalformedPayload):
        log.warning("%s: the server's answer is malformed: %s", what, exc)
    else:
        log.info("%s unavailable: %s", what, exc)


def _call_note(interaction_id: str, text: str, when: dt.datetime, mine: bool) -> ContactNote:
    """A call's wrap-up notes as a note of the contact (one per call, whoever has it)."""
    return ContactNote(
        text=text, created_at=when, mine=mine, interaction_id=interaction_id,
        id=f"call:{interaction_id}",
    )  # fmt: skip


def _newest_first(notes: Iterable[ContactNote]) -> tuple[ContactNote, ...]:
    return tuple(sorted(notes, key=lambda n: n.created_at, reverse=True))


def _server_entry(i: records.Interaction, contact_id: str, name: str) -> HistoryEntry:
    """A call the server logged (any agent's), as a line of the contact's history."""
    return HistoryEntry(
        interaction_id=i.id,
        started_at=i.started_at,
        number=i.remote_number,
        outcome=Outcome.from_wire(i.outcome, i.direction),
        contact_id=contact_id,
        contact_name=name,
        duration_s=_talk_s(i.answered_at, i.ended_at),
        disposition=i.disposition or "",
    )


def _talk_s(answered: dt.datetime | None, ended: dt.datetime | None) -> float:
    if answered is None or ended is None:
        return 0.0
    return max(0.0, (ended - answered).total_seconds())
