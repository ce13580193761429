"""In-memory stand-ins for the engine, the contact cache and the server side.

They implement the same methods as the real parts (`SipEngine.submit`, the cache's lookup,
the `DeskSink` protocol), so the window can be tested, screenshotted and demonstrated
without a SIP stack or a server.
"""

from __future__ import annotations

import datetime as dt
import itertools
import queue
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from homeagent.core import commands as cmd
from homeagent.core.agent_state import Presence
from homeagent.core.call_quality import QualitySample
from homeagent.core.contact_files import ExportSummary, ImportSummary, SkippedCard, SkipReason
from homeagent.core.desk_types import (
    Callback,
    CallOutcome,
    Contact,
    ContactMemory,
    ContactNote,
    DayFigures,
    HelpRequest,
    HistoryEntry,
    InteractionRecord,
    Message,
    Outcome,
    Priority,
    WrapUpRecord,
)
from homeagent.core.events import (
    CallDirection,
    CallEnded,
    CallMuteChanged,
    CallPhase,
    CallQuality,
    CallQualityMeasured,
    CallRinging,
    CallStateChanged,
    Event,
    RegistrationChanged,
    RegistrationState,
    TransferProgressed,
)
from homeagent.core.lead_comms import DayReport
from homeagent.testing.demo_team import DEMO_CONTACTS


def _digits(number: str) -> str:
    return "".join(ch for ch in number if ch.isdigit())


class FakeDirectory:
    """A contact cache in memory; numbers match on their last nine digits."""

    def __init__(self, contacts: tuple[Contact, ...] = DEMO_CONTACTS) -> None:
        self.contacts: dict[str, Contact] = {c.id: c for c in contacts}

    def lookup_number(self, number: str) -> Contact | None:
        """The contact owning `number` in any format (0612…, +33612…, 33612…)."""
        key = _digits(number)[-9:]
        if len(key) < 6:
            return None
        for contact in self.contacts.values():
            if any(_digits(p)[-9:] == key for p in contact.phones):
                return contact
        return None

    def get(self, contact_id: str) -> Contact | None:
        """The contact with this id."""
        return self.contacts.get(contact_id)

    def search(self, text: str, limit: int = 50) -> list[Contact]:
        """Contacts whose name, company, account or number contains `text`."""
        needle = text.strip().casefold()
        found = []
        for c in self.contacts.values():
            hay = " ".join((c.full_name, c.company, c.account_ref, *c.phones)).casefold()
            if not needle or needle in hay or (_digits(needle) and _digits(needle) in hay):
                found.append(c)
        return found[:limit]

    def add(self, contact: Contact) -> None:
        """Store a contact (quick-create)."""
        self.contacts[contact.id] = contact


@dataclass
class RecordingSink:
    """A `DeskSink` that records everything; `durable` says whether the outbox works."""

    engine: FakeEngine | None = None
    directory: FakeDirectory | None = None
    commands: list[cmd.Command] = field(default_factory=list)
    states: list[Presence] = field(default_factory=list)
    interactions: list[InteractionRecord] = field(default_factory=list)
    wrap_ups: list[WrapUpRecord] = field(default_factory=list)
    help_requests: list[HelpRequest] = field(default_factory=list)
    created: list[Contact] = field(default_factory=list)
    receipts: list[str] = field(default_factory=list)
    acks: list[str] = field(default_factory=list)
    to_lead: list[tuple[str, str]] = field(default_factory=list)  # (local id, body)
    qualities: list[QualitySample] = field(default_factory=list)
    on_wrap_up: Callable[[WrapUpRecord], None] | None = None

    def submit(self, command: cmd.Command) -> None:
        """Record and forward to the fake engine."""
        self.commands.append(command)
        if self.engine is not None:
            self.engine.submit(command)

    def publish_state(self, presence: Presence) -> None:
        """Record."""
        self.states.append(presence)

    def log_interaction(self, record: InteractionRecord) -> None:
        """Record."""
        self.interactions.append(record)

    def save_wrap_up(self, record: WrapUpRecord) -> None:
        """Record, then let the test decide when it becomes durable."""
        self.wrap_ups.append(record)
        if self.on_wrap_up is not None:
            self.on_wrap_up(record)

    def request_help(self, request: HelpRequest) -> None:
        """Record."""
        self.help_requests.append(request)

    def create_contact(self, contact: Contact) -> None:
        """Record and add to the fake cache."""
        self.created.append(contact)
        if self.directory is not None:
            self.directory.add(contact)

    def mark_message_read(self, message_id: str) -> None:
        """Record."""
        self.receipts.append(message_id)

    def ack_message(self, message_id: str) -> None:
        """Record."""
        self.acks.append(message_id)

    def send_to_lead(self, message_id: str, body: str) -> None:
        """Record (the test says when it is saved and sent)."""
        self.to_lead.append((message_id, body))

    def publish_quality(self, sample: QualitySample) -> None:
        """Record."""
        self.qualities.append(sample)


class FakeContactFiles:
    """`ContactFiles` over the fake cache with the real vCard reader and writer; each new
    contact goes to the sink's `create_contact` (queued to the server, as a contact made
    from an unknown caller is). `delay_s` holds the disk lane (a slow disk)."""

    def __init__(self, directory: FakeDirectory, sink: RecordingSink, region: str = "FR") -> None:
        self.directory = directory
        self.sink = sink
        self.region = region
        self.delay_s = 0.0
        self.threads: list[str] = []  # where each call ran (never the GUI thread)

    def import_vcard(self, path: Path) -> ImportSummary:
        """Read `path`; add what the fake cache does not know yet."""
        from homeagent.crm import vcard

        self.threads.append(threading.current_thread().name)
        if self.delay_s:
            time.sleep(self.delay_s)
        try:
            parsed = vcard.read_vcard_file(path, self.region)
        except vcard.VCardFileError as exc:
            return ImportSummary(problem=exc.problem, limit=exc.limit, detail=exc.detail)
        skipped = list(parsed.skipped)
        added = 0
        for position, c in parsed.cards:
            if self.directory.get(c.id) or any(self.directory.lookup_number(p) for p in c.phones):
                skipped.append(SkippedCard(position, c.display_name, SkipReason.ALREADY_KNOWN))
                continue
            self.sink.create_contact(
                Contact(c.id, c.first_name, c.last_name, c.company, c.phones, c.email,
                        c.account_ref, c.tags, str(c.custom.get(vcard.NOTE_KEY) or ""))
            )  # fmt: skip
            added += 1
        return ImportSummary(
            imported=added,
            skipped=tuple(sorted(skipped, key=lambda s: s.position)),
            numbers_dropped=parsed.numbers_dropped,
            lines_dropped=parsed.lines_dropped,
        )

    def export_vcard(self, path: Path, contact_ids: Sequence[str] | None = None) -> ExportSummary:
        """Write the fake cache (or a selection) as vCard 4.0."""
        from homeagent.crm import vcard
        from homeagent.crm.store import Contact as StoredContact

        self.threads.append(threading.current_thread().name)
        ids = list(contact_ids) if contact_ids is not None else list(self.directory.contacts)
        chosen = [self.directory.contacts[i] for i in ids if i in self.directory.contacts]
        stored = [
            StoredContact(c.id, c.first_name, c.last_name, c.company, c.email, c.account_ref,
                          c.phones, c.tags, {vcard.NOTE_KEY: c.notes} if c.notes else {})
            for c in chosen
        ]  # fmt: skip
        try:
            return ExportSummary(exported=vcard.write_vcard_file(path, stored))
        except vcard.VCardFileError as exc:
            return ExportSummary(problem=exc.problem, detail=exc.detail)


class FakeEngine:
    """Behaves like `SipEngine` seen from outside: submit() in, events out.

    Events go to `on_event` from one worker thread, in the order they happened, when
    `threaded` (as the real engine does from its own thread), else synchronously.
    """

    def __init__(self, on_event: Callable[[Event], None], *, threaded: bool = False) -> None:
        self.on_event = on_event
        self.threaded = threaded
        self.submitted: list[cmd.Command] = []
        self._ids = itertools.count(1)
        self._connected: dict[int, float] = {}
        self._outbox: queue.SimpleQueue[Event | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def start(self) -> None:
        """Pretend to register."""
        self._emit(RegistrationChanged("sip:1001@demo.local", RegistrationState.REGISTERED, 200))

    def stop(self) -> None:
        """Deliver what is queued, then end the event thread."""
        with self._lock:
            thread, self._thread = self._thread, None
        if thread is not None:
            self._outbox.put(None)
            thread.join(5)

    def _emit(self, event: Event) -> None:
        if not self.threaded:
            self.on_event(event)
            return
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._deliver, name="fake-sip-engine", daemon=True
                )
                self._thread.start()
            self._outbox.put(event)

    def _deliver(self) -> None:
        while (event := self._outbox.get()) is not None:
            self.on_event(event)

    def ring(self, number: str, *, contact_id: str = "", queue: str = "Support") -> int:
        """A customer calls: emits CallRinging and returns the call id."""
        call_id = next(self._ids)
        self._emit(
            CallRinging(
                call_id=call_id,
                direction=CallDirection.INBOUND,
                remote_uri=f"sip:{number}@demo.local",
                remote_number=number,
                queue=queue,
                contact_id=contact_id,
                monotonic_ns=time.monotonic_ns(),
            )
        )
        return call_id

    def remote_hangup(self, call_id: int, quality: CallQuality | None = None) -> None:
        """The customer hangs up (`quality`: the call's last measure, as the engine's)."""
        self._end(call_id, 200, "BYE", quality)

    def measure(self, call_id: int, quality: CallQuality) -> None:
        """The periodic RTCP measure of a connected call (the engine's every 5 s)."""
        self._emit(CallQualityMeasured(call_id, quality))

    def _end(
        self, call_id: int, code: int, reason: str, quality: CallQuality | None = None
    ) -> None:
        started = self._connected.pop(call_id, None)
        duration = time.monotonic() - started if started else 0.0
        self._emit(
            CallEnded(
                call_id, code, reason, duration, answered=started is not None, quality=quality
            )
        )

    def submit(self, command: cmd.Command) -> None:
        """Apply a command the way a well-behaved far end would answer it."""
        self.submitted.append(command)
        if isinstance(command, cmd.Answer):
            self._connected[command.call_id] = time.monotonic()
            self._emit(CallStateChanged(command.call_id, CallPhase.ACTIVE, 200))
        elif isinstance(command, cmd.Reject):
            self._end(command.call_id, command.code, "Busy Here")
        elif isinstance(command, cmd.Hangup):
            self._end(command.call_id, 200, "BYE")
        elif isinstance(command, cmd.Hold):
            self._emit(CallStateChanged(command.call_id, CallPhase.HELD))
        elif isinstance(command, cmd.Resume):
            self._emit(CallStateChanged(command.call_id, CallPhase.ACTIVE))
        elif isinstance(command, cmd.SetMute):
            self._emit(CallMuteChanged(command.call_id, command.muted))
        elif isinstance(command, cmd.Dial):
            call_id = next(self._ids)
            self._emit(CallStateChanged(call_id, CallPhase.DIALING))
            self._connected[call_id] = time.monotonic()
            self._emit(CallStateChanged(call_id, CallPhase.ACTIVE, 200))
        elif isinstance(command, cmd.BlindTransfer | cmd.AttendedTransfer):
            self._emit(TransferProgressed(command.call_id, 200, final=True, accepted=True))
            self._end(command.call_id, 200, "transferred")


def demo_messages(now: dt.datetime) -> list[Message]:
    """Two messages from the team lead, one of them urgent."""
    return [
        Message(
            "m-1",
            "Nadia (cheffe d'équipe)",
            "Bonjour à toutes et à tous ! Réunion d'équipe à 14 h sur le canal habituel.",
            now - dt.timedelta(minutes=50),
        ),
        Message(
            "m-2",
            "Nadia (cheffe d'équipe)",
            "Incident fibre en cours à Lyon : proposez un rappel sous 24 h.",
            now - dt.timedelta(minutes=5),
            Priority.URGENT,
        ),
    ]


def demo_callbacks(now: dt.datetime) -> list[Callback]:
    """Callbacks due today."""
    return [
        Callback(
            "cb-1",
            now.replace(hour=15, minute=30, second=0, microsecond=0),
            "c-003",
            "Sophie Dubois",
            "+33145678901",
            "Devis fibre pro",
        ),
        Callback(
            "cb-2",
            now.replace(hour=16, minute=45, second=0, microsecond=0),
            "c-002",
            "Julien Bernard",
            "+33698765432",
            "Vérifier la portabilité",
        ),
    ]


def demo_history(now: dt.datetime) -> list[HistoryEntry]:
    """A few calls of this morning; dispositions as the server and the store give them
    (the team's codes, which the UI shows as labels)."""
    h = dt.timedelta
    return [
        HistoryEntry("i-3", now - h(minutes=20), "+33611223344", Outcome.ANSWERED, "c-005",
                     "Léa Moreau", 312, "resolved"),
        HistoryEntry("i-2", now - h(minutes=48), "+33700000042", Outcome.MISSED),
        HistoryEntry("i-1", now - h(hours=1, minutes=5), "+442079460958", Outcome.ANSWERED,
                     "", "", 185, "wrong_number"),
    ]  # fmt: skip


DEMO_FIGURES = DayFigures(
    calls_handled=14,
    avg_handle_s=262,
    wrap_up_s=14 * 41,
    breaks_count=2,
    breaks_duration_s=1500,
    missed=1,
    avg_wrap_up_s=41,
)


def demo_memory_notes(now: dt.datetime) -> dict[str, list[ContactNote]]:
    """What colleagues and the agent wrote about the demo contacts (the server's part)."""
    d = dt.timedelta
    return {
        "c-001": [
            ContactNote("Box remplacée. Rappeler pour vérifier le débit.",
                        now - d(days=5, hours=2), mine=True, interaction_id="i-old-1",
                        id="call:i-old-1"),
        ],
    }  # fmt: skip


class FakeDeskData:
    """`DeskData` over the fake cache and sink: today's lists, figures, contact memory.

    `server_online` False makes every server read unavailable (None); `server_delay_s`
    makes them slow (a hung network), `local_delay_s` the cache's reads."""

    def __init__(
        self,
        directory: FakeDirectory,
        sink: RecordingSink,
        *,
        now: Callable[[], dt.datetime] | None = None,
    ) -> None:
        self.directory = directory
        self.sink = sink
        self._now = now or (lambda: dt.datetime.now().astimezone())
        self.history = demo_history(self._now())
        self.callbacks = demo_callbacks(self._now())
        tomorrow = (self._now() + dt.timedelta(days=1)).replace(hour=10, minute=0, second=0)
        self.later_callbacks = [
            Callback("cb-3", tomorrow, "c-001", "Camille Martin", "+33612345678",
                     "Vérifier le débit après le changement de box"),
        ]  # fmt: skip
        self.memory_notes = demo_memory_notes(self._now())
        self.day: DayReport | None = None  # "Ma journée"'s charts (None: none shown)
        self.server_online = True
        self.server_delay_s = 0.0
        self.local_delay_s = 0.0

    def search(self, text: str, limit: int = 50) -> list[Contact]:
        """Search the fake cache."""
        return self.directory.search(text, limit)

    def _scheduled(self) -> list[Callback]:
        return [
            Callback(w.callback_id, w.callback_due_at, w.contact_id, notes=w.notes)
            for w in self.sink.wrap_ups
            if w.callback_due_at is not None
        ]

    def callbacks_today(self) -> list[Callback]:
        """Demo callbacks plus those scheduled in wrap-ups."""
        return sorted([*self.callbacks, *self._scheduled()], key=lambda c: c.due_at)

    def history_today(self) -> list[HistoryEntry]:
        """Calls logged through the sink, then the demo morning."""
        logged = []
        wrapped = {w.interaction_id: w.disposition for w in self.sink.wrap_ups}
        for record in reversed(self.sink.interactions):
            contact = self.directory.get(record.contact_id) if record.contact_id else None
            duration = (
                (record.ended_at - record.answered_at).total_seconds()
                if record.ended_at and record.answered_at
                else 0.0
            )
            logged.append(
                HistoryEntry(
                    record.id,
                    record.started_at,
                    record.remote_number,
                    Outcome.from_wire(
                        record.outcome.value if record.outcome else "", record.direction.value
                    ),
                    record.contact_id,
                    contact.full_name if contact else "",
                    duration,
                    wrapped.get(record.id, ""),
                )
            )
        return [*logged, *self.history]

    def contact_history(self, contact_id: str) -> list[HistoryEntry]:
        """Calls with this contact (today's and a few older demo ones)."""
        older = [
            HistoryEntry("i-old-1", self._now() - dt.timedelta(days=5, hours=2), "",
                         Outcome.ANSWERED, "c-001", "", 412, "escalated"),
            HistoryEntry("i-old-2", self._now() - dt.timedelta(days=12), "",
                         Outcome.ANSWERED, "c-001", "", 198, "resolved"),
        ]  # fmt: skip
        return [h for h in [*self.history_today(), *older] if h.contact_id == contact_id]

    def local_memory(self, contact_id: str) -> ContactMemory:
        """This session's calls with the contact and their wrap-up notes."""
        if self.local_delay_s:
            time.sleep(self.local_delay_s)
        calls = [h for h in self.history_today() if h.contact_id == contact_id]
        ours = {h.interaction_id for h in calls}
        notes = [
            ContactNote(w.notes, self._now(), mine=True, interaction_id=w.interaction_id,
                        id=f"call:{w.interaction_id}")
            for w in self.sink.wrap_ups
            if w.notes and w.interaction_id in ours
        ]  # fmt: skip
        contact = self.directory.get(contact_id)
        if contact is not None and contact.notes:  # the cache's note (the card's preview)
            notes.append(ContactNote(contact.notes, self._now() - dt.timedelta(days=12),
                                     author="Karim Haddad", id=f"n-{contact_id}"))  # fmt: skip
        notes.sort(key=lambda n: n.created_at, reverse=True)
        return ContactMemory(contact_id, tuple(notes), (), tuple(calls), complete=False)

    def contact_memory(self, contact_id: str) -> ContactMemory | None:
        """The local part, the demo's older calls and notes, and the open callbacks."""
        if self.server_delay_s:
            time.sleep(self.server_delay_s)
        if not self.server_online:
            return None
        local = self.local_memory(contact_id)
        notes = sorted(
            [*local.notes, *self.memory_notes.get(contact_id, [])],
            key=lambda n: n.created_at,
            reverse=True,
        )
        callbacks = sorted(
            (
                c
                for c in [*self.callbacks, *self.later_callbacks, *self._scheduled()]
                if c.contact_id == contact_id
            ),
            key=lambda c: c.due_at,
        )
        return ContactMemory(
            contact_id,
            tuple(notes),
            tuple(callbacks),
            tuple(self.contact_history(contact_id)),
            complete=True,
        )

    def day_today(self) -> DayReport | None:
        """The agent's day for "Ma journée"'s charts (`day`; None: unavailable)."""
        if not self.server_online:
            return None
        return self.day

    def figures_today(self) -> DayFigures:
        """Demo figures plus the calls of this session."""
        answered = sum(1 for r in self.sink.interactions if r.outcome is CallOutcome.ANSWERED)
        return DayFigures(
            calls_handled=DEMO_FIGURES.calls_handled + answered,
            avg_handle_s=DEMO_FIGURES.avg_handle_s,
            wrap_up_s=DEMO_FIGURES.wrap_up_s,
            breaks_count=DEMO_FIGURES.breaks_count,
            breaks_duration_s=DEMO_FIGURES.breaks_duration_s,
            missed=DEMO_FIGURES.missed,
            avg_wrap_up_s=DEMO_FIGURES.avg_wrap_up_s,
        )


# The team-lead console's messages, help queue, alerts and days: its own module (size).
from homeagent.testing.lead_comms import FakeLeadComms  # noqa: E402, F401
