"""The outbox: everything the agent writes, durable first, then sent in order.

Durable: `Outbox.add_note()` & co. write the local record and the outbox entry in one
transaction, committed with `synchronous=FULL` (fsync) before they return, so when the
UI says "saved" it survives a crash or a kill -9.

Sending (`OutboxSender`, its own thread): oldest first; each entry's id is its
`Idempotency-Key` and the id of what it creates, so a resend after a crash (sent, but
not yet marked sent) is replayed by the server, not applied twice.

Conflict rule (stated):
- Agent-created objects (notes, interactions, wrap-ups, callbacks, help requests) carry
  client UUIDs: creation never conflicts, replays are idempotent.
- Contacts are server-owned: the cache mirrors the server and the next sync overwrites
  it (server wins). The agent may create a contact offline (client UUID, create-only,
  idempotent by id); edits of existing contacts are not queued.
- State changes and callback status updates are applied by the server in the order the
  agent made them (last write wins at the server, in our order).
- If the server refuses an entry for good (a 4xx other than 401/408/425/429, e.g. 409
  for a callback someone else already closed, 422 invalid), the entry is marked
  `failed` with the server's message for the UI, and the queue goes on: one bad entry
  never blocks the others. The server's version stands; the next sync shows it.
- Unreachable server / 5xx / 429: the entry stays `pending`; retried with backoff, and
  at once when `wake()` is called (the event stream came back online).
- A revoked device stops sending; the wipe deletes the outbox with the rest.
"""

from __future__ import annotations

import json
import logging
import random
import threading
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from homeagent.client.errors import ApiError, ClientError, DeviceRevoked
from homeagent.crm.store import LocalStore, utc_now

log = logging.getLogger(__name__)


INTERACTION_FIELDS = frozenset(
    {
        "id",
        "contact_id",
        "direction",
        "queue",
        "remote_number",
        "started_at",
        "answered_at",
        "ended_at",
        "outcome",
        "sip_call_id",
    }
)
_ITEM_COLUMNS = "seq, id, kind, method, path, body, created_at, status, attempts, last_error"


@dataclass(frozen=True, slots=True)
class OutboxItem:
    seq: int
    id: str  # the Idempotency-Key
    kind: str
    method: str
    path: str
    body: Any
    created_at: str
    status: str  # pending | sent | failed
    attempts: int
    last_error: str


def _item(r: tuple[Any, ...]) -> OutboxItem:
    return OutboxItem(r[0], r[1], r[2], r[3], r[4], json.loads(r[5]), r[6], r[7], r[8], r[9])


@dataclass(frozen=True, slots=True)
class OutboxStatus:
    pending: int
    failed: int
    last_error: str = ""


class Sender(Protocol):
    def request(
        self, method: str, path: str, body: Any = None, *, idempotency_key: str | None = None
    ) -> Any: ...


class Outbox:
    """Durable queue of agent writes, over the local store."""

    def __init__(self, store: LocalStore) -> None:
        self._store = store
        self._listeners: list[Callable[[], None]] = []

    def on_enqueued(self, callback: Callable[[], None]) -> None:
        """Called (on the writer's thread) after each committed entry: wake the sender."""
        self._listeners.append(callback)

    def _committed(self) -> None:
        for callback in list(self._listeners):
            callback()

    def enqueue(
        self, kind: str, method: str, path: str, body: Any, *, item_id: str | None = None
    ) -> str:
        """Queue one write; durable when this returns. Returns its id (idempotency key)."""
        with self._store.transaction() as db:
            key = self._insert(db, kind, method, path, body, item_id)
        self._committed()
        return key

    def _insert(
        self, db: Any, kind: str, method: str, path: str, body: Any, item_id: str | None
    ) -> str:
        key = item_id or str(uuid.uuid4())
        db.execute(
            "INSERT INTO outbox (id, kind, method, path, body, created_at) VALUES (?,?,?,?,?,?)",
            [key, kind, method.upper(), path, json.dumps(body, ensure_ascii=False), utc_now()],
        )
        return key

    # --- what the agent writes (local record + outbox entry, one transaction) -------

    def add_note(self, contact_id: str, text: str, interaction_id: str | None = None) -> str:
        note_id = str(uuid.uuid4())
        body: dict[str, Any] = {"id": note_id, "contact_id": contact_id, "text": text}
        if interaction_id:
            body["interaction_id"] = interaction_id
        with self._store.transaction() as db:
            db.execute(
                "INSERT INTO notes (id, contact_id, interaction_id, text, created_at) "
                "VALUES (?,?,?,?,?)",
                [note_id, contact_id, interaction_id, text, utc_now()],
            )
            self._insert(db, "note", "POST", "/notes", body, note_id)
        self._committed()
        return note_id

    def log_call(self, call: Mapping[str, Any]) -> str:
        """Save a finished (or answered) call locally and queue POST /interactions.

        Only the API's fields are sent (`INTERACTION_FIELDS`); the id (a client UUID) is
        created when absent and returned: it is the interaction id for `wrap_up`."""
        body = {k: v for k, v in call.items() if v is not None and k in INTERACTION_FIELDS}
        body.setdefault("id", str(uuid.uuid4()))
        with self._store.transaction() as db:
            call_id = self._store._record_call(body)
            self._insert(db, "interaction", "POST", "/interactions", body, None)
        self._committed()
        return call_id

    def wrap_up(
        self,
        interaction_id: str,
        disposition: str,
        notes: str = "",
        callback: Mapping[str, Any] | None = None,
    ) -> str:
        body: dict[str, Any] = {"disposition": disposition, "notes": notes}
        if callback is not None:
            body["callback"] = {"id": str(uuid.uuid4()), **callback}
        with self._store.transaction() as db:
            db.execute(
                "UPDATE calls SET disposition = ?, notes = ? WHERE id = ?",
                [disposition, notes, interaction_id],
            )
            key = self._insert(
                db, "wrap_up", "POST", f"/interactions/{interaction_id}/wrap-up", body, None
            )
        self._committed()
        return key

    def set_agent_state(self, state: str, reason: str = "") -> str:
        return self.enqueue("state", "PUT", "/agents/me/state", {"state": state, "reason": reason})

    def update_callback(self, callback_id: str, status: str) -> str:
        return self.enqueue("callback", "PATCH", f"/callbacks/{callback_id}", {"status": status})

    def mark_message_read(self, message_id: str) -> str:
        with self._store.transaction() as db:
            db.execute(
                "UPDATE messages SET read_at = ? WHERE id = ? AND read_at IS NULL",
                [utc_now(), message_id],
            )
            key = self._insert(db, "receipt", "POST", f"/messages/{message_id}/read", {}, None)
        self._committed()
        return key

    def help_request(self, call_context: Mapping[str, Any], text: str) -> str:
        """Queue a help request (the outbox key makes it idempotent; the API has no id)."""
        body = {"call_context": dict(call_context), "text": text}
        return self.enqueue("help_request", "POST", "/help-requests", body)

    # --- queue state -----------------------------------------------------------------

    def pending(self, limit: int = 100) -> list[OutboxItem]:
        with self._store.lock:
            rows = self._store.db.execute(
                "SELECT seq, id, kind, method, path, body, created_at, status, attempts, "
                "last_error FROM outbox WHERE status = 'pending' ORDER BY seq LIMIT ?",
                [limit],
            ).fetchall()
        return [_item(r) for r in rows]

    def items(self, status: str | None = None) -> list[OutboxItem]:
        where, args = ("WHERE status = ?", [status]) if status else ("", [])
        with self._store.lock:
            rows = self._store.db.execute(
                f"SELECT {_ITEM_COLUMNS} FROM outbox {where} ORDER BY seq",  # noqa: S608
                args,
            ).fetchall()
        return [_item(r) for r in rows]

    def status(self) -> OutboxStatus:
        with self._store.lock:
            counts = dict(
                self._store.db.execute(
                    "SELECT status, count(*) FROM outbox GROUP BY status"
                ).fetchall()
            )
        return OutboxStatus(counts.get("pending", 0), counts.get("failed", 0))

    def mark_sent(self, item_id: str) -> None:
        with self._store.transaction() as db:
            db.execute(
                "UPDATE outbox SET status = 'sent', sent_at = ?, attempts = attempts + 1, "
                "last_error = '' WHERE id = ?",
                [utc_now(), item_id],
            )

    def mark_failed(self, item_id: str, error: str, *, permanent: bool) -> None:
        with self._store.transaction() as db:
            db.execute(
                "UPDATE outbox SET status = ?, attempts = attempts + 1, last_error = ? "
                "WHERE id = ?",
                ["failed" if permanent else "pending", error[:500], item_id],
            )

    def purge_sent(self, keep: int = 1000) -> None:
        """Forget old sent entries (the server has them), keeping the latest `keep`."""
        with self._store.transaction() as db:
            db.execute(
                "DELETE FROM outbox WHERE status = 'sent' AND seq NOT IN "
                "(SELECT seq FROM outbox WHERE status = 'sent' ORDER BY seq DESC LIMIT ?)",
                [keep],
            )

    def send_pending(self, sender: Sender) -> int:
        """Send what is pending, in order, until done or the server is unreachable.

        Returns how many were sent. Raises `ClientError` (unreachable, TLS, revoked)
        when it had to stop; the remaining entries stay pending.
        """
        sent = 0
        while True:
            batch = self.pending(50)
            if not batch:
                return sent
            for item in batch:
                try:
                    sender.request(item.method, item.path, item.body, idempotency_key=item.id)
                except DeviceRevoked:
                    raise
                except ApiError as exc:
                    if not exc.permanent:
                        self.mark_failed(item.id, str(exc), permanent=False)
                        raise
                    log.warning("outbox %s %s refused by the server: %s", item.kind, item.id, exc)
                    self.mark_failed(item.id, exc.message or str(exc), permanent=True)
                    continue
                self.mark_sent(item.id)
                sent += 1


class OutboxSender:
    """Drains the outbox on its own thread; `wake()` after a write or when back online.

    `on_status` runs on the sender thread after each pass (pending/failed counts).
    """

    def __init__(
        self,
        outbox: Outbox,
        sender: Sender,
        *,
        on_status: Callable[[OutboxStatus], None] | None = None,
        retry_s: float = 1.0,
        max_retry_s: float = 30.0,
    ) -> None:
        self._outbox = outbox
        self._sender = sender
        self._on_status = on_status
        self._retry_s = retry_s
        self._max_retry_s = max_retry_s
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        outbox.on_enqueued(self.wake)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="outbox-sender", daemon=True)
        self._thread.start()

    def stop(self, timeout_s: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout_s)

    def wake(self) -> None:
        self._wake.set()

    def _run(self) -> None:
        failures = 0
        while not self._stop.is_set():
            self._wake.clear()
            error = ""
            try:
                if self._outbox.send_pending(self._sender):
                    self._outbox.purge_sent()
                failures = 0
            except DeviceRevoked:
                return
            except ClientError as exc:
                failures += 1
                error = str(exc)
            except Exception as exc:  # e.g. the store was wiped under us
                if self._stop.is_set():
                    return
                failures += 1
                error = f"{type(exc).__name__}: {exc}"
                log.exception("outbox sender pass failed")
            if self._on_status is not None:
                try:
                    st = self._outbox.status()
                    self._on_status(OutboxStatus(st.pending, st.failed, error))
                except Exception:
                    log.exception("outbox status callback failed")
            if failures:
                delay = min(self._max_retry_s, self._retry_s * 2 ** (failures - 1))
                self._wake.wait(random.uniform(delay / 2, delay))  # noqa: S311 (jitter)
            else:
                self._wake.wait()
