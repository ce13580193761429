"""Every kind of outbox entry is accepted by the real server (the bodies match its API)."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

import pytest

from homeagent.client.device import DeviceSession
from homeagent.core.profile import Profile
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
    assert out.status().failed == 0, [(i.kind, i.last_error) for i in out.items("failed")]
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

    # The stated conflict rule: a write the server refuses for good is marked failed
    # with its message, and the queue goes on.
    out.set_agent_state("wrap_up")  # break -> wrap_up is not a transition the server allows
    out.add_note(contact["id"], "Après le refus.")
    assert out.send_pending(session.client) == 1
    failed = out.items("failed")
    assert [i.kind for i in failed] == ["state"]
    assert "not allowed" in failed[0].last_error
    notes = session.client.contact_interactions(contact["id"])["notes"]
    assert {n["text"] for n in notes} == {"Client satisfait.", "Après le refus."}
    lead.close()
    session.close()
