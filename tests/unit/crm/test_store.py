"""The local store: encryption at rest, migrations, search, lookup, sync, history."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from homeagent.crm.db import MIGRATIONS, StoreUnreadable, schema_version
from homeagent.crm.search import fts_query
from homeagent.crm.store import LocalStore
from homeagent.crm.sync import CURSOR_KEY, SyncProgress, sync_contacts

KEY = bytes(range(32))


def contact(i: int, **over: Any) -> dict[str, Any]:
    c = {
        "id": f"c{i}",
        "first_name": "Jean",
        "last_name": f"Dupont{i}",
        "company": "Boulangerie Lefèvre",
        "email": f"jean{i}@example.fr",
        "account_ref": f"ACC-{i:06d}",
        "phones": [f"01 23 45 {i // 100 % 100:02d} {i % 100:02d}"],
        "tags": ["vip"],
        "custom": {"segment": "B2B"},
        "updated_at": "2026-11-23T10:00:00Z",
    }
    c.update(over)
    return c


@pytest.fixture
def store(tmp_path: Path) -> LocalStore:
    s = LocalStore.open(KEY, tmp_path)
    yield s
    s.close()


def test_file_is_encrypted_and_needs_the_key(tmp_path: Path) -> None:
    s = LocalStore.open(KEY, tmp_path)
    s.apply_contact_changes([contact(1, last_name="Zyxwvutsrq")])
    s.close()
    raw = b"".join(p.read_bytes() for p in tmp_path.iterdir())
    assert b"Zyxwvutsrq" not in raw
    assert b"SQLite format" not in raw
    with pytest.raises(StoreUnreadable):
        LocalStore.open(os.urandom(32), tmp_path)
    again = LocalStore.open(KEY, tmp_path)
    assert again.get_contact("c1").last_name == "Zyxwvutsrq"
    again.close()


def test_schema_is_migrated_and_wal(store: LocalStore) -> None:
    assert schema_version(store.db) == len(MIGRATIONS)
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL


def test_search_as_you_type(store: LocalStore) -> None:
    store.apply_contact_changes(
        [
            contact(1, first_name="Amélie", last_name="Lefèvre", company="Acme", email="al@x.fr"),
            contact(2, first_name="Jean", last_name="Martin", company="Ziggurat"),
            contact(3, first_name="Jeanne", last_name="Martinez", company="Acme"),
        ]
    )
    assert [c.id for c in store.search("lef")] == ["c1"]
    assert [c.id for c in store.search("amelie")] == ["c1"]  # accents ignored
    assert {c.id for c in store.search("jea")} == {"c2", "c3"}
    assert [c.id for c in store.search("jea marti ziggu")] == ["c2"]
    assert {c.id for c in store.search("acme")} == {"c1", "c3"}
    assert [c.id for c in store.search("jean2@")] == ["c2"]  # email
    assert [c.id for c in store.search("ACC-000003")] == ["c3"]  # account ref
    assert store.search("") == []
    assert store.search('"*) OR (') == []  # typed punctuation is not FTS syntax


def test_fts_query_quotes_words() -> None:
    assert fts_query('jean "dup') == '"jean"* "dup"*'
    assert fts_query("dupont42 jea") == '"dupont"* "jea"*'  # digits: identifier indexes


def test_identifiers_match_from_their_start(store: LocalStore) -> None:
    store.apply_contact_changes(
        [contact(1, email="Jean.Dupont42@exemple.fr", account_ref="CLI-1000042"), contact(2)]
    )
    assert [c.id for c in store.search("jean.dupont4")] == ["c1"]
    assert [c.id for c in store.search("cli-100004")] == ["c1"]
    assert [c.id for c in store.search("jean.dupont42@ex")] == ["c1"]
    assert {c.id for c in store.search("dupont1")} == {"c1", "c2"}  # then the name words


def test_migration_from_v1_keeps_data_and_search(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from homeagent.crm import db as dbmod

    monkeypatch.setattr(dbmod, "MIGRATIONS", dbmod.MIGRATIONS[:1])
    s = LocalStore.open(KEY, tmp_path)
    s.db.execute(
        "INSERT INTO contacts (id, first_name, last_name, email) "
        "VALUES ('old', 'Zoé', 'Ancien', 'zoe.ancien7@x.fr')"
    )
    assert schema_version(s.db) == 1
    s.close()
    monkeypatch.undo()
    s = LocalStore.open(KEY, tmp_path)
    assert schema_version(s.db) == len(MIGRATIONS) == 5
    assert [c.id for c in s.search("zoe anc")] == ["old"]
    assert [c.id for c in s.search("ancien")] == ["old"]
    s.close()


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    s = LocalStore.open(KEY, tmp_path)
    s.db.execute("PRAGMA user_version = 99")
    s.close()
    with pytest.raises(StoreUnreadable, match="newer HomeAgent"):
        LocalStore.open(KEY, tmp_path)


def test_lookup_by_number_in_any_format(store: LocalStore) -> None:
    store.apply_contact_changes([contact(7, phones=["+33 6 12 34 56 78", "01 99 88 77 66"])])
    for typed in ("+33612345678", "06 12 34 56 78", "0033612345678", "0199887766"):
        assert [c.id for c in store.lookup_number(typed)] == ["c7"], typed
    assert store.lookup_number("+33600000000") == []
    assert store.lookup_number("abc") == []
    assert [c.id for c in store.search("06 12 3")] == ["c7"]  # number prefix


def test_update_and_delete_keep_indexes_right(store: LocalStore) -> None:
    store.apply_contact_changes([contact(1), contact(2)])
    store.apply_contact_changes([contact(1, last_name="Renamed", phones=["+33699999999"])])
    assert [c.id for c in store.search("dupont")] == ["c2"]
    assert [c.id for c in store.search("renamed")] == ["c1"]
    assert store.lookup_number("0123450001") == []
    assert [c.id for c in store.lookup_number("+33699999999")] == ["c1"]
    store.apply_contact_changes([], ["c1", "unknown"])
    assert store.search("renamed") == []
    assert store.lookup_number("+33699999999") == []
    assert store.contact_count() == 1


class FakeServer:
    """Pages of /sync/contacts over an in-memory change log."""

    def __init__(self) -> None:
        self.log: list[tuple[str, dict[str, Any] | None]] = []
        self.calls = 0

    def change(self, cid: str, item: dict[str, Any] | None) -> None:
        self.log.append((cid, item))

    def page(self, cursor: str | None, limit: int) -> dict[str, Any]:
        self.calls += 1
        start = int(cursor or 0)
        chunk = self.log[start : start + limit]
        end = start + len(chunk)
        return {
            "items": [i for _, i in chunk if i is not None],
            "deleted": [c for c, i in chunk if i is None],
            "cursor": str(end),
            "has_more": end < len(self.log),
        }


def test_initial_then_delta_sync_with_progress(store: LocalStore) -> None:
    server = FakeServer()
    for i in range(2500):
        server.change(f"c{i}", contact(i))
    seen: list[SyncProgress] = []
    result = sync_contacts(store, server.page, page_size=1000, on_progress=seen.append)
    assert result.done
    assert result.received == 2500
    assert [p.received for p in seen] == [1000, 2000, 2500]
    assert store.contact_count() == 2500
    server.change("c5", contact(5, last_name="Changed"))
    server.change("c6", None)
    delta = sync_contacts(store, server.page)
    assert (delta.received, delta.deleted) == (1, 1)
    assert store.get_contact("c6") is None
    assert store.get_contact("c5").last_name == "Changed"
    assert store.get_meta(CURSOR_KEY) == "2502"


def test_interrupted_sync_resumes_at_the_cursor(store: LocalStore) -> None:
    server = FakeServer()
    for i in range(300):
        server.change(f"c{i}", contact(i))

    def flaky(cursor: str | None, limit: int) -> dict[str, Any]:
        if cursor == "200":
            raise ConnectionError("network gone")
        return server.page(cursor, limit)

    with pytest.raises(ConnectionError):
        sync_contacts(store, flaky, page_size=100)
    assert store.contact_count() == 200
    assert sync_contacts(store, server.page, page_size=100).received == 100


def test_call_history_and_messages(store: LocalStore) -> None:
    store.record_call({"id": "k1", "direction": "inbound", "started_at": "2026-11-23T09:00:00Z"})
    store.record_call({"id": "k2", "direction": "outbound", "started_at": "2026-11-23T10:00:00Z"})
    assert [c["id"] for c in store.call_history()] == ["k2", "k1"]
    assert store.save_messages([{"id": "m1", "body": "Réunion à 14h", "created_at": "1"}]) == 1
    assert store.save_messages([{"id": "m1", "body": "Réunion à 14h", "created_at": "1"}]) == 0
    assert store.unread_count() == 1
    assert store.messages()[0]["body"] == "Réunion à 14h"


def test_wipe_deletes_the_files(tmp_path: Path) -> None:
    s = LocalStore.open(KEY, tmp_path)
    s.apply_contact_changes([contact(1)])
    s.wipe()
    assert list(tmp_path.iterdir()) == []
