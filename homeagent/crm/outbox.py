"""The outbox: everything the agent writes, durable first, then sent in order.

Durable: `Outbox.add_note()` & co. write the local record and the outbox entry in one
transaction, committed with `synchronous=FULL` (fsync) before they return, so when the
UI says "saved" it survives a crash or a kill -9.

Sending (`OutboxSender`, its own thread): oldest first; each entry's id is its
`Idempotency-Key` and the id of what it creates, so a resend after a crash (sent, but
not yet marked sent) is replayed by the server, not applied twice.

Order is kept per record, not across the whole queue: each entry has record keys (the
records it creates or refers to, `record_keys()`: ``call:<interaction id>``,
``contact:<id>``, ``callback:<id>``, ``message:<id>``, ``agent-state``…). An entry that
fails (retrying, or a dead letter) holds back the later entries sharing one of its keys,
and only those: a wrap-up waits for its call, a callback update for the wrap-up that
created the callback, and every other record goes on. (A dead state change holds back
nothing: each state change states the whole presence, the next one supersedes it.)

Conflict rule (stated):
- Agent-created objects (notes, interactions, wrap-ups, callbacks, help requests) carry
  client UUIDs: creation never conflicts, replays are idempotent.
- Contacts are server-owned: the cache mirrors the server and the next sync overwrites
  it (server wins). The agent may create a contact offline (client UUID, create-only,
  idempotent by id); edits of existing contacts are not queued.
- State changes and callback status updates are applied by the server in the order the
  agent made them (last write wins at the server, in our order).
- A permanent refusal (`ApiError.permanent`: every 4xx but 401, 408, 425, 429 and 409
  `idempotency_in_progress`; e.g. 422 invalid, 404 unknown call, 409 a callback already
  closed, 403 not for this role) makes the entry a dead letter (status `failed`, with the
  HTTP status, the error code and the server's message, numbers masked), durable in the
  same store. It stays until the desk retries it (back into the queue, in its place) or
  discards it (logged). The server's version stands meanwhile; the next sync shows it.
- Retryable: no answer (network, TLS aside), 5xx, 408, 425, 429, 409 in progress. The
  entry stays `pending` with its error and is retried with backoff, and at once when
  `wake()` is called (the event stream came back online). No answer, 401, 429 and
  502/503/504 concern the whole server: the pass stops there. A 500/408/425/409 concerns
  that request: the pass goes on with the other records.
- After an outage (the first pass that follows a failed one), a queued call state
  (ringing, on call, wrap-up) that a later queued state supersedes is not replayed: it is
  marked `superseded`. Replayed hours late it would show the lead a call that ended long
  ago as live, and the server refuses the stale wrap-up state (409 `no_call`: the call it
  logged ended before the replayed on-call time), leaving the agent dead letters nothing
  can send. The call itself arrives with its own times (`POST /interactions`, then its
  wrap-up); the agent's own states (available, break with its reason, offline) are all
  replayed, in order, and so is the last state queued, whatever it is.
- A server killed while it ran a request leaves that request's Idempotency-Key claimed
  ("in progress") until its records expire: every try gets 409
  `idempotency_in_progress`, and the entry (with every later entry of its records, all
  the agent's later states among them) would wait for hours. After
  `IN_PROGRESS_REKEY_AFTER` such answers in a row the entry is sent under a new key
  (`send_key`, kept with the entry). That is safe because what the outbox sends is
  idempotent by itself (client ids, whole-state PUTs, same-value wrap-ups), except help
  requests (the API gives them no id): they keep their key.
- A revoked device stops sending; the wipe deletes the outbox with the rest.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from homeagent.client.errors import (
    ApiError,
    ClientError,
    ServerFailed,
    ServerUnreachable,
)
from homeagent.core import records
from homeagent.core.payload import MalformedPayload
from homeagent.crm.outbox_items import (
    ITEM_COLUMNS,
    DeadLetter,
    OutboxItem,
    OutboxStatus,
    as_dead_letter,
    error_summary,
    item_from_row,
)
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
# 409 idempotency_in_progress answers in a row before an entry goes under a new key (with
# the sender's back-off, at least ~30 s: longer than any request the server really runs)
IN_PROGRESS_REKEY_AFTER = 5
# no id of their own: under a new key the server would make a second one
_NEVER_REKEYED = frozenset({"help_request", "message"})
# A refused state change is superseded by the next one: it holds back nothing.
SUPERSEDED_KINDS = frozenset({"state"})
# States the desk sets for a call; replayed after an outage only if nothing supersedes them.
CALL_STATES = frozenset({"ringing", "on_call", "wrap_up"})
# Answers about the whole server, not this request: the pass stops (see the docstring).
_SERVER_WIDE = frozenset({401, 429, 502, 503, 504})


class Sender(Protocol):
    def request(
        self, method: str, path: str, body: Any = None, *, idempotency_key: str | None = None
    ) -> Any: ...


class Outbox:
    """Durable queue of agent writes, over the local store."""

    def __init__(self, store: LocalStore) -> None:
        self._store = store
        self._listeners: list[Callable[[], None]] = []
        self._sent_listeners: list[Callable[[OutboxItem, Any], None]] = []

    def on_enqueued(self, callback: Callable[[], None]) -> None:
        """Called (on the writer's thread) after each committed entry: wake the sender."""
        self._listeners.append(callback)

    def on_sent(self, callback: Callable[[OutboxItem, Any], None]) -> None:
        """Called (on the sender's thread) with each entry the server took and its answer
        (the state it applied to a PUT, the help request it created…)."""
        self._sent_listeners.append(callback)

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

    def create_contacts(self, bodies: list[dict[str, Any]]) -> int:
        """Add contacts to the cache and queue their POST /contacts, in one transaction
        (a vCard import: all of them or none, durable when this returns)."""
        with self._store.transaction() as db:
            count = self._store.upsert_contacts(db, bodies)
            for body in bodies:
                self._insert(db, "contact", "POST", "/contacts", body, str(body["id"]))
        self._committed()
        return count

    def set_agent_state(self, state: str, reason: str = "") -> str:
        return self.enqueue("state", "PUT", "/agents/me/state", {"state": state, "reason": reason})

    def update_callback(self, callback_id: str, status: str) -> str:
        return self.enqueue("callback", "PATCH", f"/callbacks/{callback_id}", {"status": status})

    def message_arrived(self, message: Mapping[str, Any]) -> bool:
        """Store a message that reached the desk (stream or list) and, in the same
        transaction, queue its "delivered" receipt when it is ours to receive (it has our
        receipt, not yet delivered): a crash can lose neither. False: already stored."""
        receipt = message.get("receipt")
        with self._store.transaction() as db:
            new = self._store.insert_message(db, message)
            due = isinstance(receipt, Mapping) and not receipt.get("delivered_at")
            if new and due:
                path = f"/messages/{message['id']}/delivered"
                self._insert(db, "receipt", "POST", path, {}, None)
        if new and due:
            self._committed()
        return bool(new)

    def mark_message_read(self, message_id: str) -> str:
        with self._store.transaction() as db:
            db.execute(
                "UPDATE messages SET read_at = ? WHERE id = ? AND read_at IS NULL",
                [utc_now(), message_id],
            )
            key = self._insert(db, "receipt", "POST", f"/messages/{message_id}/read", {}, None)
        self._committed()
        return key

    def ack_message(self, message_id: str) -> str:
        """The agent acknowledged an urgent message ("Bien reçu"; the server's ack implies
        read): kept locally and queued, so an acknowledgement made offline reaches the lead."""
        now = utc_now()
        with self._store.transaction() as db:
            db.execute(
                "UPDATE messages SET acked_at = ?, read_at = COALESCE(read_at, ?) "
                "WHERE id = ? AND acked_at IS NULL",
                [now, now, message_id],
            )
            key = self._insert(db, "receipt", "POST", f"/messages/{message_id}/ack", {}, None)
        self._committed()
        return key

    def message_to_lead(self, body: str, message_id: str | None = None) -> str:
        """The agent writes to the team's leads: kept locally ("Enregistré") and queued
        (POST /messages/to-lead); its id is the entry's, so the answer finds it."""
        local_id = message_id or str(uuid.uuid4())
        with self._store.transaction() as db:
            db.execute(
                "INSERT INTO sent_messages (id, body, created_at) VALUES (?,?,?)",
                [local_id, body, utc_now()],
            )
            self._insert(db, "message", "POST", "/messages/to-lead", {"body": body}, local_id)
        self._committed()
        return local_id

    def help_request(
        self, call_context: Mapping[str, Any], text: str, request_id: str | None = None
    ) -> str:
        """Queue a help request (the outbox key makes it idempotent; the API has no id).
        `request_id`, the desk's own id, becomes the key: the answer (the server's id and
        status) is matched to the request by it."""
        body = {"call_context": dict(call_context), "text": text}
        return self.enqueue("help_request", "POST", "/help-requests", body, item_id=request_id)

    # --- queue state -----------------------------------------------------------------

    def pending(self, limit: int = 100) -> list[OutboxItem]:
        return self._select("WHERE status = 'pending'", [], limit)

    def items(self, status: str | None = None) -> list[OutboxItem]:
        where, args = ("WHERE status = ?", [status]) if status else ("", [])
        return self._select(where, args, -1)

    def _select(self, where: str, args: list[Any], limit: int) -> list[OutboxItem]:
        with self._store.lock:
            rows = self._store.db.execute(
                f"SELECT {ITEM_COLUMNS} FROM outbox {where} ORDER BY seq LIMIT ?",  # noqa: S608
                [*args, limit],
            ).fetchall()
        return [item_from_row(r) for r in rows]

    def status(self) -> OutboxStatus:
        with self._store.lock:
            counts = dict(
                self._store.db.execute(
                    "SELECT status, count(*) FROM outbox GROUP BY status"
                ).fetchall()
            )
            retrying = self._store.db.execute(
                "SELECT count(*) FROM outbox WHERE status = 'pending' AND last_error != ''"
            ).fetchone()[0]
        return OutboxStatus(
            counts.get("pending", 0), counts.get("failed", 0), retrying=int(retrying)
        )

    # --- dead letters ----------------------------------------------------------------

    def dead_letters(self) -> list[DeadLetter]:
        """The entries the server refused for good, oldest first."""
        return [as_dead_letter(item) for item in self.items("failed")]

    def dead_letter_count(self) -> int:
        with self._store.lock:
            row = self._store.db.execute(
                "SELECT count(*) FROM outbox WHERE status = 'failed'"
            ).fetchone()
        return int(row[0])

    def retry_dead_letter(self, item_id: str) -> bool:
        """Put a dead letter back into the queue, in its place (before the later entries
        of its record). False if `item_id` is not a dead letter."""
        with self._store.transaction() as db:
            moved = db.execute(
                "UPDATE outbox SET status = 'pending', last_error = '', failed_status = NULL, "
                "failed_code = '', failed_at = NULL WHERE id = ? AND status = 'failed'",
                [item_id],
            ).rowcount
        if moved:
            log.info("outbox dead letter %s queued again", item_id)
            self._committed()
        return bool(moved)

    def discard_dead_letter(self, item_id: str) -> bool:
        """Give up a dead letter (the agent chose to): it is never sent, and the later
        entries of its record go on. Kept as `discarded` until purged. False if
        `item_id` is not a dead letter."""
        with self._store.transaction() as db:
            row = db.execute(
                f"SELECT {ITEM_COLUMNS} FROM outbox WHERE id = ? AND status = 'failed'",  # noqa: S608
                [item_id],
            ).fetchone()
            if row is not None:
                db.execute("UPDATE outbox SET status = 'discarded' WHERE id = ?", [item_id])
        if row is None:
            return False
        dead = as_dead_letter(item_from_row(row))
        log.warning(
            "outbox dead letter discarded by the agent: %s %s (%s, refused %s: %s)",
            dead.kind,
            dead.id,
            dead.record_key,
            dead.status,
            dead.error,
        )
        self._committed()
        return True

    # --- sending ---------------------------------------------------------------------

    def mark_sent(self, item_id: str) -> None:
        with self._store.transaction() as db:
            self._sent(db, item_id)

    def _sent(self, db: Any, item_id: str) -> None:
        db.execute(
            "UPDATE outbox SET status = 'sent', sent_at = ?, attempts = attempts + 1, "
            "last_error = '' WHERE id = ?",
            [utc_now(), item_id],
        )

    def _took(self, item: OutboxItem, answer: Any) -> None:
        """The server took `item` and answered `answer`: marked sent (a message to the
        lead gets the server's id, in the same transaction), then the listeners."""
        server_id: int | None = None
        if item.kind == "message":
            try:
                server_id = records.parse_message(answer, route="POST /messages/to-lead").id
            except MalformedPayload as exc:  # the server has it all the same
                log.warning("%s", exc)
        with self._store.transaction() as db:
            self._sent(db, item.id)
            if item.kind == "message":
                db.execute(
                    "UPDATE sent_messages SET sent_at = ?, server_id = ? WHERE id = ?",
                    [utc_now(), server_id, item.id],
                )
        for callback in list(self._sent_listeners):
            try:
                callback(item, answer)
            except Exception:
                log.exception("outbox sent listener failed for a %s entry", item.kind)

    def _mark_retrying(self, item_id: str, error: str) -> None:
        with self._store.transaction() as db:
            db.execute(
                "UPDATE outbox SET attempts = attempts + 1, last_error = ?, in_progress = 0 "
                "WHERE id = ?",
                [error_summary(error), item_id],
            )

    def _mark_in_progress(self, item: OutboxItem, error: str) -> None:
        """409 idempotency_in_progress again; a new key after too many (see the docstring)."""
        with self._store.transaction() as db:
            db.execute(
                "UPDATE outbox SET attempts = attempts + 1, last_error = ?, "
                "in_progress = in_progress + 1 WHERE id = ?",
                [error_summary(error), item.id],
            )
            (count,) = db.execute(
                "SELECT in_progress FROM outbox WHERE id = ?", [item.id]
            ).fetchone()
            if count < IN_PROGRESS_REKEY_AFTER or item.kind in _NEVER_REKEYED:
                return
            key = f"{item.id}.{uuid.uuid4().hex[:8]}"
            db.execute(
                "UPDATE outbox SET send_key = ?, in_progress = 0 WHERE id = ?", [key, item.id]
            )
        log.warning(
            "outbox %s %s: its key stayed in progress on the server for %d tries "
            "(a request the server never finished): sent again under a new key",
            item.kind,
            item.id,
            count,
        )

    def _mark_dead(self, item: OutboxItem, exc: ApiError) -> None:
        message = error_summary(exc.message or str(exc))
        with self._store.transaction() as db:
            db.execute(
                "UPDATE outbox SET status = 'failed', attempts = attempts + 1, last_error = ?, "
                "failed_status = ?, failed_code = ?, failed_at = ? WHERE id = ?",
                [message, exc.status, exc.code, utc_now(), item.id],
            )
        log.warning(
            "outbox %s %s refused for good (%s %s: %s): kept as a dead letter",
            item.kind,
            item.id,
            exc.status,
            exc.code,
            message,
        )

    def purge_sent(self, keep: int = 1000) -> None:
        """Forget old sent and discarded entries, keeping the latest `keep`."""
        with self._store.transaction() as db:
            db.execute(
                "DELETE FROM outbox WHERE status IN ('sent', 'discarded', 'superseded') "
                "AND seq NOT IN (SELECT seq FROM outbox "
                "WHERE status IN ('sent', 'discarded', 'superseded') "
                "ORDER BY seq DESC LIMIT ?)",
                [keep],
            )

    def supersede_call_states(self) -> int:
        """Mark `superseded` the queued call states a later queued state supersedes (see
        the module docstring: done after an outage). Returns how many."""
        with self._store.transaction() as db:
            rows = db.execute(
                "SELECT id, body FROM outbox WHERE status = 'pending' AND kind = 'state' "
                "ORDER BY seq"
            ).fetchall()
            stale = [r[0] for r in rows[:-1] if json.loads(r[1]).get("state") in CALL_STATES]
            for item_id in stale:
                db.execute("UPDATE outbox SET status = 'superseded' WHERE id = ?", [item_id])
        if stale:
            log.info("outbox: %d call states superseded while offline, not replayed", len(stale))
        return len(stale)

    def send_pending(self, sender: Sender, *, after_outage: bool = False) -> int:
        """One pass over the queue, oldest first, keeping the order of each record.

        `after_outage`: the previous pass failed; first drop the call states that later
        states superseded (`supersede_call_states`).

        Returns how many entries were sent. A dead letter, or an entry that fails again
        in this pass, holds back the later entries of its records; the others are sent.
        Raises the `ClientError` that stopped the pass (no answer, TLS, 401, 429,
        502/503/504, revoked), or after the pass the first retryable error some entry got
        (it stays pending: the caller retries later).
        """
        if after_outage:
            self.supersede_call_states()
        sent = 0
        held: set[str] = set()
        retry_later: Exception | None = None
        after_seq = 0
        while True:
            batch = self._select(
                "WHERE status IN ('pending', 'failed') AND seq > ?", [after_seq], 100
            )
            if not batch:
                break
            for item in batch:
                after_seq = item.seq
                keys = set(item.record_keys)
                if item.status == "failed":
                    if item.kind not in SUPERSEDED_KINDS:
                        held |= keys
                    continue
                if keys & held:
                    held |= keys  # what waits holds back the rest of its records too
                    continue
                try:
                    answer = sender.request(
                        item.method, item.path, item.body, idempotency_key=item.idempotency_key
                    )
                except ApiError as exc:
                    if exc.status == 401:  # refresh failed or revoked: not this entry's fault
                        raise
                    if exc.status == 409 and exc.code == "idempotency_in_progress":
                        self._mark_in_progress(item, str(exc))
                        held |= keys
                        retry_later = retry_later or exc
                        continue
                    if exc.permanent:
                        self._mark_dead(item, exc)
                        if item.kind not in SUPERSEDED_KINDS:
                            held |= keys
                        continue
                    self._mark_retrying(item.id, str(exc))
                    if exc.status in _SERVER_WIDE:
                        raise
                    held |= keys
                    retry_later = retry_later or exc
                    continue
                except ServerFailed as exc:
                    self._mark_retrying(item.id, str(exc))
                    if exc.status in _SERVER_WIDE:
                        raise
                    held |= keys
                    retry_later = retry_later or exc
                    continue
                except ServerUnreachable as exc:
                    self._mark_retrying(item.id, str(exc))
                    raise
                except ClientError:
                    raise  # TLS refused: nothing can be sent
                except Exception as exc:  # e.g. a 2xx whose body is not JSON: this entry's
                    self._mark_retrying(item.id, f"{type(exc).__name__}: {exc}")
                    held |= keys
                    retry_later = retry_later or exc
                    continue
                self._took(item, answer)
                sent += 1
        if retry_later is not None:
            raise retry_later
        return sent
