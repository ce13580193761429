"""The encrypted local database: open it (SQLCipher), tune it, migrate its schema.

The whole file is encrypted with SQLCipher (`sqlcipher3`) under a 32-byte raw key from
the keyring (`PRAGMA key = "x'<hex>'"`), so contacts, notes, messages, call history and
the outbox are unreadable without it. WAL journal; `synchronous=FULL` so a commit (an
outbox entry above all) is on disk before the call returns.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

import sqlcipher3

from homeagent.crm.search import email_words


def _sqlite_utils_without_dataframes() -> ModuleType:
    """sqlite-utils, without the numpy and pandas it imports whenever they are installed
    (for column types this cache never uses). numpy alone is 84 modules and ~20 MB in the
    desk; a developer's environment has it for the tests (an installed desk has neither).
    Only while sqlite-utils is imported, and only if they are not imported already."""
    blocked = [name for name in ("numpy", "pandas") if name not in sys.modules]
    for name in blocked:
        sys.modules[name] = None  # type: ignore[assignment]  # import raises ImportError
    try:
        import sqlite_utils
    finally:
        for name in blocked:
            del sys.modules[name]
    return sqlite_utils


if TYPE_CHECKING:
    import sqlite_utils
else:
    sqlite_utils = _sqlite_utils_without_dataframes()

log = logging.getLogger(__name__)

DB_FILE = "homeagent-cache.db"


class StoreUnreadable(RuntimeError):
    """The database cannot be used (wrong key, damaged file, newer schema)."""


class StoreKeyMismatch(StoreUnreadable):
    """The file was not written with this key (the keyring entry was lost or replaced)."""


def _script(db: sqlite_utils.Database, sql: str) -> None:
    """Run several statements inside the current transaction.

    (`executescript` would COMMIT first, breaking the one-transaction-per-migration rule.)
    """
    statement = ""
    for line in sql.splitlines(keepends=True):
        statement += line
        if sqlcipher3.complete_statement(statement):
            db.execute(statement)
            statement = ""
    if statement.strip():
        raise ValueError(f"incomplete SQL statement: {statement[:80]!r}")


def _v1(db: sqlite_utils.Database) -> None:
    _script(
        db,
        """
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE contacts (
            rid INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            first_name TEXT NOT NULL DEFAULT '',
            last_name TEXT NOT NULL DEFAULT '',
            company TEXT NOT NULL DEFAULT '',
            email TEXT NOT NULL DEFAULT '',
            account_ref TEXT NOT NULL DEFAULT '',
            phones TEXT NOT NULL DEFAULT '[]',
            tags TEXT NOT NULL DEFAULT '[]',
            custom TEXT NOT NULL DEFAULT '{}',
            updated_at TEXT NOT NULL DEFAULT ''
        );
        CREATE TABLE contact_phones (
            e164 TEXT NOT NULL,
            rid INTEGER NOT NULL,
            PRIMARY KEY (e164, rid)
        ) WITHOUT ROWID;
        CREATE INDEX contact_phones_rid ON contact_phones (rid);
        CREATE VIRTUAL TABLE contacts_fts USING fts5 (
            first_name, last_name, company, email, account_ref,
            content='contacts', content_rowid='rid',
            tokenize="unicode61 remove_diacritics 2", prefix='2 3'
        );
        CREATE TRIGGER contacts_ai AFTER INSERT ON contacts BEGIN
            INSERT INTO contacts_fts (rowid, first_name, last_name, company, email, account_ref)
            VALUES (new.rid, new.first_name, new.last_name, new.company, new.email,
                    new.account_ref);
        END;
        CREATE TRIGGER contacts_ad AFTER DELETE ON contacts BEGIN
            INSERT INTO contacts_fts (contacts_fts, rowid, first_name, last_name, company,
                                      email, account_ref)
            VALUES ('delete', old.rid, old.first_name, old.last_name, old.company, old.email,
                    old.account_ref);
        END;
        CREATE TRIGGER contacts_au AFTER UPDATE ON contacts BEGIN
            INSERT INTO contacts_fts (contacts_fts, rowid, first_name, last_name, company,
                                      email, account_ref)
            VALUES ('delete', old.rid, old.first_name, old.last_name, old.company, old.email,
                    old.account_ref);
            INSERT INTO contacts_fts (rowid, first_name, last_name, company, email, account_ref)
            VALUES (new.rid, new.first_name, new.last_name, new.company, new.email,
                    new.account_ref);
        END;
        CREATE TABLE calls (
            id TEXT PRIMARY KEY,
            contact_id TEXT,
            direction TEXT NOT NULL,
            remote_number TEXT NOT NULL DEFAULT '',
            queue TEXT NOT NULL DEFAULT '',
            started_at TEXT NOT NULL,
            answered_at TEXT,
            ended_at TEXT,
            outcome TEXT NOT NULL DEFAULT '',
            sip_call_id TEXT NOT NULL DEFAULT '',
            disposition TEXT,
            notes TEXT
        );
        CREATE INDEX calls_started ON calls (started_at);
        CREATE INDEX calls_contact ON calls (contact_id, started_at);
        CREATE TABLE notes (
            id TEXT PRIMARY KEY,
            contact_id TEXT NOT NULL,
            interaction_id TEXT,
            text TEXT NOT NULL,
            created_at TEXT NOT NULL
        );
        CREATE INDEX notes_contact ON notes (contact_id, created_at);
        CREATE TABLE messages (
            id TEXT PRIMARY KEY,
            created_at TEXT NOT NULL DEFAULT '',
            sender TEXT NOT NULL DEFAULT '',
            body TEXT NOT NULL DEFAULT '',
            priority TEXT NOT NULL DEFAULT 'normal',
            read_at TEXT,
            raw TEXT NOT NULL DEFAULT '{}'
        );
        CREATE INDEX messages_created ON messages (created_at);
        CREATE TABLE outbox (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            id TEXT NOT NULL UNIQUE,
            kind TEXT NOT NULL,
            method TEXT NOT NULL,
            path TEXT NOT NULL,
            body TEXT NOT NULL,
            created_at TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'pending',
            attempts INTEGER NOT NULL DEFAULT 0,
            last_error TEXT NOT NULL DEFAULT '',
            sent_at TEXT
        );
        CREATE INDEX outbox_status ON outbox (status, seq);
        """,
    )


def _v2(db: sqlite_utils.Database) -> None:
    """Search v2 (see `homeagent.crm.search`): FTS over names, company and e-mail words
    with 1-letter prefixes; B-tree prefixes for e-mail and account reference."""
    _script(
        db,
        """
        DROP TRIGGER contacts_ai;
        DROP TRIGGER contacts_ad;
        DROP TRIGGER contacts_au;
        DROP TABLE contacts_fts;
        ALTER TABLE contacts ADD COLUMN email_words TEXT NOT NULL DEFAULT '';
        CREATE INDEX contacts_email_lc ON contacts (lower(email));
        CREATE INDEX contacts_account_lc ON contacts (lower(account_ref));
        """,
    )
    rows = db.execute("SELECT rid, email FROM contacts").fetchall()
    db.conn.executemany(
        "UPDATE contacts SET email_words = ? WHERE rid = ?",
        [(email_words(email), rid) for rid, email in rows],
    )
    cols = "first_name, last_name, company, email_words"
    new = ", ".join(f"new.{c.strip()}" for c in cols.split(","))
    old = ", ".join(f"old.{c.strip()}" for c in cols.split(","))
    fts = f"""
        CREATE VIRTUAL TABLE contacts_fts USING fts5 (
            {cols}, content='contacts', content_rowid='rid',
            tokenize="unicode61 remove_diacritics 2", prefix='1 2 3'
        );
        INSERT INTO contacts_fts (contacts_fts) VALUES ('rebuild');
        CREATE TRIGGER contacts_ai AFTER INSERT ON contacts BEGIN
            INSERT INTO contacts_fts (rowid, {cols}) VALUES (new.rid, {new});
        END;
        CREATE TRIGGER contacts_ad AFTER DELETE ON contacts BEGIN
            INSERT INTO contacts_fts (contacts_fts, rowid, {cols})
            VALUES ('delete', old.rid, {old});
        END;
        CREATE TRIGGER contacts_au AFTER UPDATE ON contacts BEGIN
            INSERT INTO contacts_fts (contacts_fts, rowid, {cols})
            VALUES ('delete', old.rid, {old});
            INSERT INTO contacts_fts (rowid, {cols}) VALUES (new.rid, {new});
        END;
        """  # noqa: S608 (column names are constants)
    _script(db, fts)


def _v3(db: sqlite_utils.Database) -> None:
    """Dead letters (see `homeagent.crm.outbox`): the HTTP status and error code of the
    refusal and when it came. Entries refused before this version keep a NULL status."""
    _script(
        db,
        """
        ALTER TABLE outbox ADD COLUMN failed_status INTEGER;
        ALTER TABLE outbox ADD COLUMN failed_code TEXT NOT NULL DEFAULT '';
        ALTER TABLE outbox ADD COLUMN failed_at TEXT;
        """,
    )


def _v4(db: sqlite_utils.Database) -> None:
    """The Idempotency-Key an outbox entry is sent under when it is not its id (`send_key`,
    '' = the id), and how many 409 `idempotency_in_progress` answers in a row it got."""
    _script(
        db,
        """
        ALTER TABLE outbox ADD COLUMN send_key TEXT NOT NULL DEFAULT '';
        ALTER TABLE outbox ADD COLUMN in_progress INTEGER NOT NULL DEFAULT 0;
        """,
    )


def _v5(db: sqlite_utils.Database) -> None:
    """Messages both ways (docs/lead-contract.md): when the agent acknowledged an urgent
    message (its "Bien reçu" queued), and the messages the agent wrote to the lead, kept
    here first ("Enregistré") and given the server's id when it took them ("Envoyé")."""
    _script(
        db,
        """
        ALTER TABLE messages ADD COLUMN acked_at TEXT;
        CREATE TABLE sent_messages (
            id TEXT PRIMARY KEY,
            body TEXT NOT NULL,
            created_at TEXT NOT NULL,
            server_id INTEGER,
            sent_at TEXT
        );
        CREATE INDEX sent_messages_created ON sent_messages (created_at);
        """,
    )


# Append only: index + 1 is the schema version (`PRAGMA user_version`).
MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [_v1, _v2, _v3, _v4, _v5]


def open_database(path: Path, key: bytes) -> tuple[Any, sqlite_utils.Database]:
    """Open (creating if needed) and migrate the encrypted database at `path`."""
    if len(key) != 32:
        raise ValueError("the data key must be 32 bytes")
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    conn = sqlcipher3.connect(str(path), check_same_thread=False, isolation_level=None)
    try:
        conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlcipher3.DatabaseError:
            raise StoreKeyMismatch(
                "The local cache cannot be opened with this device's data key."
            ) from None
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA busy_timeout = 5000")
        conn.execute("PRAGMA temp_store = MEMORY")
        db = sqlite_utils.Database(conn)
        migrate(db)
    except BaseException:
        conn.close()
        raise
    return conn, db


def schema_version(db: sqlite_utils.Database) -> int:
    return int(db.execute("PRAGMA user_version").fetchone()[0])


def migrate(db: sqlite_utils.Database) -> None:
    """Apply the migrations newer than the file's version, each in its own transaction."""
    current = schema_version(db)
    if current > len(MIGRATIONS):
        raise StoreUnreadable(
            f"The local cache was written by a newer HomeAgent (schema {current}); update the app."
        )
    for version in range(current + 1, len(MIGRATIONS) + 1):
        db.execute("BEGIN IMMEDIATE")
        try:
            MIGRATIONS[version - 1](db)
            db.execute(f"PRAGMA user_version = {version}")
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        log.info("local cache schema migrated to version %d", version)
