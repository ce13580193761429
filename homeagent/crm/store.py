"""The local store: contacts cache, search, lookup, call history, messages, metadata.

One encrypted SQLite database per user (see `homeagent.crm.db`), in the user's data
folder (platformdirs) unless a directory is given. All access is serialised on one
connection by a lock, so any thread may call these methods; each call is short (the sync
commits page by page), so the GUI thread may search while a sync runs.

The cache mirrors the server: contacts are never edited here (server wins). What the
agent writes goes through the outbox (`homeagent.crm.outbox`).
"""

from __future__ import annotations

import json
import logging
import threading
import uuid
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from homeagent.crm.db import DB_FILE, open_database
from homeagent.crm.paths import default_data_dir as default_data_dir  # re-exported
from homeagent.crm.phones import to_e164
from homeagent.crm.search import email_words, search_rids

if TYPE_CHECKING:
    import sqlite_utils
else:
    from homeagent.crm.db import sqlite_utils  # without numpy (see there)

log = logging.getLogger(__name__)


def delete_database_files(data_dir: Path) -> None:
    """Delete the cache database and its WAL/SHM files (encrypted: the key goes too)."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{data_dir / DB_FILE}{suffix}").unlink(missing_ok=True)
    log.info("local cache deleted")


def utc_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True, slots=True)
class Contact:
    id: str
    first_name: str = ""
    last_name: str = ""
    company: str = ""
    email: str = ""
    account_ref: str = ""
    phones: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    custom: Mapping[str, Any] = field(default_factory=dict)
    updated_at: str = ""

    @property
    def display_name(self) -> str:
        name = f"{self.first_name} {self.last_name}".strip()
        return name or self.company or self.email or self.id


# SQL below is built only from these constants; every value is a bound parameter.
_CONTACT_COLUMNS = (
    "id, first_name, last_name, company, email, account_ref, phones, tags, custom, updated_at"
)
_C = ", ".join("c." + c.strip() for c in _CONTACT_COLUMNS.split(","))
_UPSERT = (
    f"INSERT INTO contacts ({_CONTACT_COLUMNS}, email_words) "  # noqa: S608
    "VALUES (?,?,?,?,?,?,?,?,?,?,?) "
    "ON CONFLICT(id) DO UPDATE SET first_name=excluded.first_name, "
    "last_name=excluded.last_name, company=excluded.company, email=excluded.email, "
    "account_ref=excluded.account_ref, phones=excluded.phones, tags=excluded.tags, "
    "custom=excluded.custom, updated_at=excluded.updated_at, email_words=excluded.email_words"
)


def _json(value: Any, empty: str) -> str:
    return json.dumps(value, ensure_ascii=False) if value else empty


def _contact(row: tuple[Any, ...]) -> Contact:
    return Contact(
        id=row[0],
        first_name=row[1],
        last_name=row[2],
        company=row[3],
        email=row[4],
        account_ref=row[5],
        phones=tuple(json.loads(row[6])),
        tags=tuple(json.loads(row[7])),
        custom=json.loads(row[8]),
        updated_at=row[9],
    )


class LocalStore:
    """See the module docstring. Open with `LocalStore.open(key, data_dir)`."""

    def __init__(self, path: Path, key: bytes, *, default_region: str = "FR") -> None:
        self.path = path
        self.default_region = default_region
        self._conn, self.db = open_database(path, key)
        self.lock = threading.RLock()
        self._closed = False

    @classmethod
    def open(
        cls, key: bytes, data_dir: Path | None = None, *, default_region: str = "FR"
    ) -> LocalStore:
        return cls((data_dir or default_data_dir()) / DB_FILE, key, default_region=default_region)

    def close(self) -> None:
        with self.lock:
            if not self._closed:
                self._closed = True
                self._conn.close()

    def wipe(self) -> None:
        """Close and delete the database files (revocation). The key goes with the vault."""
        self.close()
        delete_database_files(self.path.parent)

    @contextmanager
    def transaction(self) -> Iterator[sqlite_utils.Database]:
        """BEGIN IMMEDIATE … COMMIT under the store lock; rolled back on error."""
        with self.lock:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                yield self.db
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
            self.db.execute("COMMIT")

    # --- metadata --------------------------------------------------------------------

    def get_meta(self, key: str) -> str | None:
        with self.lock:
            row = self.db.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str | None) -> None:
        with self.lock:
            self._set_meta(key, value)

    def _set_meta(self, key: str, value: str | None) -> None:
        if value is None:
            self.db.execute("DELETE FROM meta WHERE key = ?", [key])
        else:
            self.db.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                [key, value],
            )

    # --- contacts --------------------------------------------------------------------

    def apply_contact_changes(
        self,
        items: Iterable[Mapping[str, Any]],
        deleted: Iterable[str] = (),
        *,
        cursor_key: str | None = None,
        cursor: str | None = None,
    ) -> tuple[int, int]:
        """Upsert `items`, delete `deleted` ids and (optionally) save the sync cursor, in
        one transaction: a crash leaves either the whole page or none of it."""
        gone = [str(x) for x in deleted]
        removed = 0
        with self.transaction() as db:
            conn = db.conn
            count = self.upsert_contacts(db, items)
            for contact_id in gone:
                row = conn.execute("SELECT rid FROM contacts WHERE id = ?", [contact_id]).fetchone()
                if row is not None:
                    conn.execute("DELETE FROM contact_phones WHERE rid = ?", [row[0]])
                    conn.execute("DELETE FROM contacts WHERE rid = ?", [row[0]])
                    removed += 1
            if cursor_key is not None:
                self._set_meta(cursor_key, cursor)
        return count, removed

    def upsert_contacts(self, db: sqlite_utils.Database, items: Iterable[Mapping[str, Any]]) -> int:
        """Upsert `items` inside the caller's `transaction()` (the outbox queues them in
        the same one); returns how many distinct ids."""
        rows = {str(item["id"]): self._row(item) for item in items}  # last one wins
        if not rows:
            return 0
        conn = db.conn
        conn.executemany(_UPSERT, [values for values, _ in rows.values()])
        ids = list(rows)
        rid_of: dict[str, int] = {}
        for k in range(0, len(ids), 500):
            chunk = ids[k : k + 500]
            marks = ",".join("?" * len(chunk))
            rid_of.update(
                conn.execute(
                    f"SELECT id, rid FROM contacts WHERE id IN ({marks})",  # noqa: S608
                    chunk,
                ).fetchall()
            )
        conn.executemany(
            "DELETE FROM contact_phones WHERE rid = ?", [(r,) for r in rid_of.values()]
        )
        conn.executemany(
            "INSERT OR IGNORE INTO contact_phones (e164, rid) VALUES (?, ?)",
            [(p, rid_of[cid]) for cid, (_, phones) in rows.items() for p in phones],
        )
        return len(rows)

    def _row(self, item: Mapping[str, Any]) -> tuple[list[Any], list[str]]:
        phones = list(
            dict.fromkeys(
                p
                for p in (to_e164(str(n), self.default_region) for n in item.get("phones") or [])
                if p
            )
        )
        values = [
            str(item["id"]),
            item.get("first_name") or "",
            item.get("last_name") or "",
            item.get("company") or "",
            item.get("email") or "",
            item.get("account_ref") or "",
            json.dumps(phones),
            _json(item.get("tags"), "[]"),
            _json(item.get("custom"), "{}"),
            str(item.get("updated_at") or ""),
            email_words(str(item.get("email") or "")),
        ]
        return values, phones

    def contact_count(self) -> int:
        with self.lock:
            return int(self.db.execute("SELECT count(*) FROM contacts").fetchone()[0])

    def contacts(self, ids: Iterable[str] | None = None) -> list[Contact]:
        """Every cached contact by name (or those of `ids`, in that order): the export."""
        with self.lock:
            if ids is None:
                rows = self.db.execute(
                    f"SELECT {_CONTACT_COLUMNS} FROM contacts "  # noqa: S608
                    "ORDER BY last_name COLLATE NOCASE, first_name COLLATE NOCASE, company"
                ).fetchall()
                return [_contact(r) for r in rows]
        found = (self.get_contact(i) for i in dict.fromkeys(ids))
        return [c for c in found if c is not None]

    def get_contact(self, contact_id: str) -> Contact | None:
        with self.lock:
            row = self.db.execute(
                f"SELECT {_CONTACT_COLUMNS} FROM contacts WHERE id = ?",  # noqa: S608
                [contact_id],
            ).fetchone()
        return None if row is None else _contact(row)

    def search(self, text: str, limit: int = 20) -> list[Contact]:
        """Search-as-you-type over names, company, e-mail, account reference and numbers.

        Every typed word is a prefix (``jea dup`` finds Jean Dupont); accents are
        ignored; a typed (partial) number, e-mail or account reference matches from its
        start. See `homeagent.crm.search` for the indexes and the ranking rule.
        """
        with self.lock:
            rids, ranked = search_rids(self.db, text, self.default_region, limit)
            if not rids:
                return []
            rows = self.db.execute(
                f"SELECT rid, {_CONTACT_COLUMNS} FROM contacts "  # noqa: S608
                f"WHERE rid IN ({','.join('?' * len(rids))})",
                rids,
            ).fetchall()
        by_rid = {r[0]: _contact(r[1:]) for r in rows}
        found = [by_rid[r] for r in rids if r in by_rid]
        if not ranked:
            found.sort(key=lambda c: (c.last_name.casefold(), c.first_name.casefold()))
        return found

    def lookup_number(self, number: str) -> list[Contact]:
        """Contacts having `number` (any format; normalised to E.164 with the region)."""
        e164 = to_e164(number, self.default_region)
        if e164 is None:
            return []
        with self.lock:
            rows = self.db.execute(
                f"SELECT {_C} "  # noqa: S608
                "FROM contact_phones p JOIN contacts c ON c.rid = p.rid WHERE p.e164 = ? "
                "ORDER BY c.updated_at DESC",
                [e164],
            ).fetchall()
        return [_contact(r) for r in rows]

    # --- call history ----------------------------------------------------------------

    def record_call(self, call: Mapping[str, Any]) -> str:
        """Save a call in the local history (no server write: see `Outbox.log_call`)."""
        with self.lock:
            return self._record_call(call)

    def _record_call(self, call: Mapping[str, Any]) -> str:
        call_id = str(call.get("id") or uuid.uuid4())
        self.db.execute(
            "INSERT INTO calls (id, contact_id, direction, remote_number, queue, started_at, "
            "answered_at, ended_at, outcome, sip_call_id) VALUES (?,?,?,?,?,?,?,?,?,?) "
            "ON CONFLICT(id) DO UPDATE SET contact_id=excluded.contact_id, "
            "answered_at=excluded.answered_at, ended_at=excluded.ended_at, "
            "outcome=excluded.outcome",
            [
                call_id,
                call.get("contact_id"),
                call.get("direction", "inbound"),
                call.get("remote_number", ""),
                call.get("queue", ""),
                call.get("started_at") or utc_now(),
                call.get("answered_at"),
                call.get("ended_at"),
                call.get("outcome", ""),
                call.get("sip_call_id", ""),
            ],
        )
        return call_id

    def call_history(self, limit: int = 100, contact_id: str | None = None) -> list[dict[str, Any]]:
        """Most recent calls first (optionally of one contact)."""
        where, args = ("WHERE contact_id = ?", [contact_id]) if contact_id else ("", [])
        with self.lock:
            return list(
                self.db.query(
                    f"SELECT * FROM calls {where} ORDER BY started_at DESC LIMIT ?",  # noqa: S608
                    [*args, limit],
                )
            )

    def notes_of(self, contact_id: str) -> list[dict[str, Any]]:
        with self.lock:
            return list(
                self.db.query(
                    "SELECT * FROM notes WHERE contact_id = ? ORDER BY created_at", [contact_id]
                )
            )

    # --- messages --------------------------------------------------------------------

    def save_messages(self, messages: Iterable[Mapping[str, Any]]) -> int:
        """Store messages from the server (event stream or GET /messages); returns how
        many were new. A message already stored keeps its local read state."""
        new = 0
        with self.transaction() as db:
            for m in messages:
                new += self.insert_message(db, m)
        return new

    def insert_message(self, db: Any, m: Mapping[str, Any]) -> int:
        """Store one message inside the caller's transaction; 1 if it was new, else 0.
        Read and acknowledged as the server says (the caller's own receipt)."""
        found = m.get("receipt")
        receipt: Mapping[str, Any] = found if isinstance(found, Mapping) else {}
        cur = db.execute(
            "INSERT INTO messages (id, created_at, sender, body, priority, read_at, raw, "
            "acked_at) VALUES (?,?,?,?,?,?,?,?) ON CONFLICT(id) DO NOTHING",
            [
                str(m["id"]),
                str(m.get("created_at") or ""),
                str(m.get("sender_name") or m.get("sender_id") or m.get("sender") or ""),
                str(m.get("body") or ""),
                str(m.get("priority") or "normal"),
                receipt.get("read_at") or m.get("read_at"),
                json.dumps(dict(m), ensure_ascii=False, default=str),
                receipt.get("acked_at"),
            ],
        )
        return int(cur.rowcount)

    def message_rows(self, limit: int = 200) -> list[dict[str, Any]]:
        """The newest messages received: the server's object as it came (`raw`, decoded)
        and the local `read_at` / `acked_at` (receipts queued here)."""
        with self.lock:
            rows = self.db.execute(
                "SELECT raw, read_at, acked_at FROM messages "
                "ORDER BY created_at DESC, id DESC LIMIT ?",
                [limit],
            ).fetchall()
        return [{"raw": json.loads(r[0]), "read_at": r[1], "acked_at": r[2]} for r in rows]

    def sent_messages(self, limit: int = 200) -> list[dict[str, Any]]:
        """The agent's messages to the lead, newest first: id (local), body, created_at,
        server_id and sent_at (None while the server has not taken it)."""
        with self.lock:
            return list(
                self.db.query(
                    "SELECT id, body, created_at, server_id, sent_at FROM sent_messages "
                    "ORDER BY created_at DESC LIMIT ?",
                    [limit],
                )
            )

    def messages(self, limit: int = 200, unread_only: bool = False) -> list[dict[str, Any]]:
        where = "WHERE read_at IS NULL" if unread_only else ""
        with self.lock:
            return list(
                self.db.query(
                    "SELECT id, created_at, sender, body, priority, read_at FROM messages "  # noqa: S608
                    f"{where} ORDER BY created_at DESC, id DESC LIMIT ?",
                    [limit],
                )
            )

    def unread_count(self) -> int:
        with self.lock:
            return int(
                self.db.execute("SELECT count(*) FROM messages WHERE read_at IS NULL").fetchone()[0]
            )
