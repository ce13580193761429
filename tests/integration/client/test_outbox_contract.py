"""Every kind of outbox entry is accepted by the real server (the bodies match its API);
what it refuses for good becomes a dead letter that holds back only its own record."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

import pytest

from homeagent.client.device import DeviceSession
from homeagent.core.profile import Profile
from homeagent.crm.outbox_items import OutboxStatus
from homeagent.security.vault import Vault
from tests.integration.client.conftest import lead_client
from tests.integration.client.realserver import PASSWORD, ServerInstance

pytestmark = pytest.mark.integration


def iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_all_agent_writes_reach_the_server(
    server: ServerInstance, profile: Profile, vault: Vault, data_dir: Path
) -> None:
    contact = server.seed_contacts(3)[1]
    agent_id = server.create_user("alice", "agent")
    server.create_user("lena", "team_lead")
    server.start()
    lead = lead_client(server, "lena")
    message = lead.post("/messages", {"to_agent_id": agent_id, "body": "Point à 14 h"})
    session = DeviceSession(profile, vault, data_dir=data_dir)
    session.enrol("alice", PASSWORD, "alice-pc")
    session.store.save_messages(session.client.messages())
    disposition = session.client.me()["team"]["dispositions"][0]["code"]
    now = dt.datetime.now(dt.UTC)
    out = session.outbox

    out.set_agent_state("available")
    out.set_agent_state("on_call")
    call_id = out.log_call(
        {
            "contact_id": contact["id"],
            "direction": "inbound",
            "queue": "ventes",
            "remote_number": contact["phones"][0],
            "started_at": iso(now - dt.timedelta(minutes=3)),
            "answered_at": iso(now - dt.timedelta(minutes=2)),
            "ended_at": iso(now),
            "outcome": "answered",
            "sip_call_id": f"{uuid.uuid4()}@test",
            "local_only_field": "not sent",
        }
    )
    out.set_agent_state("wrap_up")
    out.add_note(contact["id"], "Client satisfait.", interaction_id=call_id)
    out.wrap_up(
        call_id,
        disposition,
        "Rappeler demain.",
        callback={"due_at": iso(now + dt.timedelta(days=1)), "notes": "Devis"},
    )
    out.mark_message_read(str(message["id"]))
    out.help_request(
        {"queue": "ventes", "contact_id": contact["id"], "remote_number_masked": "+336…01"},
        "Question tarif",
    )
    out.set_agent_state("break", "Pause café")
    sent = out.send_pending(session.client)
    assert out.status().dead_letters == 0, [(i.kind, i.last_error) for i in out.items("failed")]
    assert sent == 9

    callbacks = session.client.callbacks("pending")
    assert len(callbacks) == 1
    out.update_callback(str(callbacks[0]["id"]), "done")
    assert out.send_pending(session.client) == 1
    assert session.client.callbacks("pending") == []

    history = session.client.contact_interactions(contact["id"])
    assert [i["id"] for i in history["interactions"]] == [call_id]
    assert history["interactions"][0]["disposition"] == disposition
    assert [n["text"] for n in history["notes"]] == ["Client satisfait."]
    assert session.client.messages()[0]["read_at"] is not None
    assert lead.get("/help-requests")[0]["text"] == "Question tarif"
    team = session.client.me()["user"]["team_id"]
    states = {a["agent_id"]: a for a in lead.get(f"/teams/{team}/agents")}
    assert (states[agent_id]["state"], states[agent_id]["reason"]) == ("break", "Pause café")

    # The stated conflict rule: a write the server refuses for good becomes a dead letter
    # with its status and message, and the queue goes on.
    out.set_agent_state("wrap_up")  # break -> wrap_up is not a transition the server allows
    out.add_note(contact["id"], "Après le refus.")
    assert out.send_pending(session.client) == 1
    failed = out.items("failed")
    assert [i.kind for i in failed] == ["state"]
    assert "not allowed" in failed[0].last_error
    assert [(d.kind, d.status) for d in out.dead_letters()] == [("state", 409)]
    notes = session.client.contact_interactions(contact["id"])["notes"]
    assert {n["text"] for n in notes} == {"Client satisfait.", "Après le refus."}
    lead.close()
    session.close()


def test_a_record_the_server_refuses_waits_as_a_dead_letter_while_others_arrive(
    server: ServerInstance, profile: Profile, vault: Vault, data_dir: Path
) -> None:
    contacts = server.seed_contacts(2)
    server.create_user("bruno", "agent")
    server.start()
    session = DeviceSession(profile, vault, data_dir=data_dir)
    session.enrol("bruno", PASSWORD, "bruno-pc")
    disposition = session.client.me()["team"]["dispositions"][0]["code"]
    now = dt.datetime.now(dt.UTC)
    out = session.outbox

    def call(contact: dict[str, object]) -> str:
        return out.log_call(
            {
                "contact_id": contact["id"],
                "direction": "inbound",
                "started_at": iso(now - dt.timedelta(minutes=2)),
                "answered_at": iso(now - dt.timedelta(minutes=1)),
                "ended_at": iso(now),
                "outcome": "answered",
            }
        )

    refused_call = call(contacts[0])
    refused = out.wrap_up(refused_call, "no-such-disposition", "Code inconnu.")
    held_note = out.add_note(contacts[0]["id"], "Après le refus.", interaction_id=refused_call)
    unknown = out.wrap_up(str(uuid.uuid4()), disposition, "Appel inconnu.")  # never logged
    other_call = call(contacts[1])
    out.wrap_up(other_call, disposition, "Tout va bien.")
    out.add_note(contacts[1]["id"], "Autre client.", interaction_id=other_call)

    assert out.send_pending(session.client) == 4  # both calls, the other wrap-up and note
    dead = {d.id: d for d in out.dead_letters()}
    assert set(dead) == {refused, unknown}
    assert (dead[refused].status, dead[refused].record_key) == (422, f"call:{refused_call}")
    assert "unknown_disposition" in dead[refused].error
    assert dead[unknown].status == 404
    assert dead[unknown].kind == "wrap_up"
    assert out.status().dead_letters == 2
    assert out.status().pending == 1

    other = session.client.contact_interactions(contacts[1]["id"])
    assert other["interactions"][0]["disposition"] == disposition
    assert [n["text"] for n in other["notes"]] == ["Autre client."]
    first = session.client.contact_interactions(contacts[0]["id"])
    assert [i["id"] for i in first["interactions"]] == [refused_call]
    assert first["interactions"][0]["disposition"] is None
    assert first["notes"] == []  # held back behind its call's dead wrap-up

    # The agent discards the unknown call's wrap-up and retries the refused one: it is
    # refused again (the code is still unknown), so the note still waits; discarded, the
    # note goes.
    assert out.discard_dead_letter(unknown)
    assert out.retry_dead_letter(refused)
    assert out.send_pending(session.client) == 0
    assert [d.id for d in out.dead_letters()] == [refused]
    assert out.discard_dead_letter(refused)
    assert out.send_pending(session.client) == 1
    notes = session.client.contact_interactions(contacts[0]["id"])["notes"]
    assert [n["id"] for n in notes] == [held_note]
    assert out.status() == OutboxStatus(0, 0)
    session.close()
