"""`AppData`'s contact memory over a real encrypted store and a fake server (item 3):
the cache's part alone, the merge with the server's part, and None when offline."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from homeagent.client.errors import ServerUnreachable
from homeagent.core import records
from homeagent.crm.outbox import Outbox
from homeagent.crm.store import LocalStore
from homeagent.desktop.adapters import AppData

ME, COLLEAGUE, CONTACT = "u-me", "u-karim", "c-1"
T0 = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)


def _interaction(id_: str, at: dt.datetime, agent: str, disposition: str, notes: str = "") -> Any:
    return records.Interaction(
        id=id_, contact_id=CONTACT, agent_id=agent, direction="inbound", queue="Support",
        remote_number="+33612345678", started_at=at, answered_at=at,
        ended_at=at + dt.timedelta(minutes=4), outcome="answered", sip_call_id="",
        disposition=disposition, notes=notes,
    )  # fmt: skip


class FakeClient:
    def __init__(self) -> None:
        self.online = True

    def read_contact_history(self, contact_id: str) -> records.ContactHistory:
        if not self.online:
            raise ServerUnreachable("down")
        return records.ContactHistory(
            interactions=(
                _interaction("i-2", T0 + dt.timedelta(days=2), ME, "callback", "Devis promis"),
                _interaction("i-1", T0, COLLEAGUE, "resolved"),
            ),
            notes=(
                records.Note(
                    id="n-k",
                    contact_id=contact_id,
                    interaction_id=None,
                    agent_id=COLLEAGUE,
                    text="Client pressé",
                    created_at=T0,
                ),
            ),
        )

    def read_callbacks(self, status: Any = "pending", due_before: Any = None) -> tuple[Any, ...]:
        due = T0 + dt.timedelta(days=3)
        return (
            records.Callback(id="cb-1", contact_id=CONTACT, interaction_id="i-2", agent_id=ME,
                             due_at=due, notes="Devis promis", status="pending"),
            records.Callback(id="cb-x", contact_id="c-other", interaction_id=None, agent_id=ME,
                             due_at=due, notes="someone else", status="pending"),
        )  # fmt: skip


@pytest.fixture
def parts(tmp_path: Path) -> Iterator[tuple[LocalStore, Outbox, FakeClient, AppData]]:
    store = LocalStore.open(bytes(32), tmp_path)
    store.apply_contact_changes(
        [{"id": CONTACT, "first_name": "Camille", "last_name": "Martin",
          "phones": ["06 12 34 56 78"]}]
    )  # fmt: skip
    outbox = Outbox(store)
    client = FakeClient()
    yield store, outbox, client, AppData(store, client, lambda: ME)  # type: ignore[arg-type]
    store.close()


def _local_call(outbox: Outbox, id_: str, at: dt.datetime) -> None:
    outbox.log_call(
        {"id": id_, "contact_id": CONTACT, "direction": "inbound",
         "remote_number": "+33612345678", "started_at": at.isoformat(),
         "answered_at": at.isoformat(), "ended_at": (at + dt.timedelta(minutes=2)).isoformat(),
         "outcome": "answered"}
    )  # fmt: skip


def test_the_cache_part_has_this_pcs_notes_and_calls(parts) -> None:  # type: ignore[no-untyped-def]
    _store, outbox, _client, data = parts
    _local_call(outbox, "i-3", T0 + dt.timedelta(days=4))
    outbox.wrap_up("i-3", "wrong_number", "Pas le bon client")
    outbox.add_note(CONTACT, "Préfère être appelé le matin")
    memory = data.local_memory(CONTACT)
    assert not memory.complete
    assert [c.interaction_id for c in memory.calls] == ["i-3"]
    assert memory.calls[0].disposition == "wrong_number"  # the code: the UI labels it
    texts = {n.text: n for n in memory.notes}
    assert set(texts) == {"Pas le bon client", "Préfère être appelé le matin"}
    assert all(n.mine for n in memory.notes)


def test_the_server_part_merges_with_what_is_not_sent_yet(parts) -> None:  # type: ignore[no-untyped-def]
    _store, outbox, _client, data = parts
    _local_call(outbox, "i-3", T0 + dt.timedelta(days=4))  # not on the server yet
    memory = data.contact_memory(CONTACT)
    assert memory is not None
    assert memory.complete
    assert [c.interaction_id for c in memory.calls] == ["i-3", "i-2", "i-1"]
    assert [c.disposition for c in memory.calls[1:]] == ["callback", "resolved"]
    notes = [(n.text, n.mine) for n in memory.notes]
    assert notes == [("Devis promis", True), ("Client pressé", False)]  # newest first
    assert [c.id for c in memory.callbacks] == ["cb-1"]  # this contact's only
    assert memory.callbacks[0].contact_name == "Camille Martin"
    assert memory.callbacks[0].number == "+33612345678"


def test_an_unreachable_server_gives_none(parts) -> None:  # type: ignore[no-untyped-def]
    _store, _outbox, client, data = parts
    client.online = False
    assert data.contact_memory(CONTACT) is None
    assert data.local_memory(CONTACT).contact_id == CONTACT
