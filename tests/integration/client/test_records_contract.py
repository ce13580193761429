"""Real answers of the real server parse into the desk's typed records (the contract of
`homeagent.core.records`), through every parse function: if the server changes a
field, this fails here instead of turning into a wrong figure or a "now" on screen."""

from __future__ import annotations

import datetime as dt
import threading
import time
import uuid
from pathlib import Path

import pytest

from homeagent.client.device import DeviceSession
from homeagent.client.events import StreamEvent
from homeagent.core import records
from homeagent.core.agent_state import AgentState
from homeagent.core.call_quality import QualitySample
from homeagent.core.profile import Profile
from homeagent.security.vault import Vault
from tests.helpers.procs import wait_until
from tests.integration.client.conftest import lead_client
from tests.integration.client.realserver import PASSWORD, ServerInstance

pytestmark = pytest.mark.integration


def iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def aware(*moments: dt.datetime | None) -> bool:
    return all(m is None or m.utcoffset() == dt.timedelta(0) for m in moments)


def test_every_answer_the_desk_reads_parses_strictly(
    server: ServerInstance, profile: Profile, vault: Vault, data_dir: Path
) -> None:
    contact = server.seed_contacts(2)[0]
    agent_id = server.create_user("alice", "agent")
    server.create_user("lena", "team_lead")
    server.start()
    lead = lead_client(server, "lena")
    session = DeviceSession(profile, vault, data_dir=data_dir)
    session.enrol("alice", PASSWORD, "alice-pc")
    client = session.client
    events: list[StreamEvent] = []
    got = threading.Event()

    def on_event(event: StreamEvent) -> None:
        events.append(event)
        got.set()

    session.start(on_event=on_event)
    try:
        # GET /me, for an agent and for a team lead
        me = client.read_me()
        assert (me.user.id, me.user.role) == (agent_id, "agent")
        assert me.team is not None
        assert me.team.dispositions
        assert me.user.team_id == me.team.id
        assert client.me()["user"]["display_name"] == me.user.display_name  # same data
        assert lead.read_me().user.role == "team_lead"

        # agent state: the PUT answer, GET, and the lead's live board
        put = client.put(
            "/agents/me/state", {"state": "available"}, idempotency_key=str(uuid.uuid4())
        )
        assert records.parse_agent_state(put, route="PUT /agents/me/state").state is (
            AgentState.AVAILABLE
        )
        mine = client.read_my_state()
        assert (mine.agent_id, mine.state) == (agent_id, AgentState.AVAILABLE)
        assert aware(mine.since)
        board = {row.agent_id: row for row in lead.read_team_agents(me.team.id)}
        assert board[agent_id].state is AgentState.AVAILABLE
        assert board[agent_id].display_name == me.user.display_name

        # messages: GET /messages and the `message` event
        sent = lead.post(
            "/messages", {"to_agent_id": agent_id, "body": "Point à 14 h", "priority": "high"}
        )
        wait_until(lambda: any(e.type == "message" for e in events), timeout_s=15)
        event = next(e for e in events if e.type == "message")
        pushed = records.parse_message(event.data, route="event message")
        assert (pushed.id, pushed.priority, pushed.body) == (sent["id"], "urgent", "Point à 14 h")
        assert pushed.receipt is not None  # a recipient: its own receipt, not yet delivered
        assert pushed.receipt.delivered_at is None
        # the device stored it as it came, its "delivered" receipt queued: never twice
        assert not session.outbox.message_arrived(event.data)
        session.outbox.ack_message(str(sent["id"]))  # "Bien reçu" (urgent: allowed)
        local = session.outbox.message_to_lead("Bien noté, merci")
        lead.post("/messages", {"to_team_id": me.team.id, "body": "Réunion demain"})
        listed = client.read_messages()
        assert [m.body for m in listed] == ["Point à 14 h", "Réunion demain"]
        first = listed[0].receipt
        assert first is not None  # mine: my receipt (the queued ack may be in: ack implies read)
        assert (first.read_at is None) == (first.acked_at is None)
        assert aware(*(m.created_at for m in listed))
        assert client.read_messages(after_id=listed[0].id)[0].to_team_id == me.team.id

        # a call, its wrap-up with a callback, a note, a read receipt, through the outbox
        now = dt.datetime.now(dt.UTC).replace(microsecond=0)
        out = session.outbox
        call_id = out.log_call(
            {
                "contact_id": contact["id"],
                "direction": "inbound",
                "queue": "ventes",
                "remote_number": contact["phones"][0],
                "started_at": iso(now - dt.timedelta(minutes=4)),
                "answered_at": iso(now - dt.timedelta(minutes=3)),
                "ended_at": iso(now),
                "outcome": "answered",
            }
        )
        due = now + dt.timedelta(days=1)
        out.wrap_up(
            call_id,
            me.team.dispositions[0].code,
            "Rappeler.",
            callback={"due_at": iso(due), "notes": "Devis"},
        )
        out.add_note(contact["id"], "Client satisfait.", interaction_id=call_id)
        out.mark_message_read(str(listed[0].id))
        wait_until(lambda: out.status().pending == 0, timeout_s=15)
        assert out.dead_letters() == []
        [mine] = [m for m in session.store.sent_messages() if m["id"] == local]
        assert mine["server_id"] is not None  # the server's MessageOut parsed: "Envoyé"
        [acked] = [m for m in client.read_messages() if m.id == sent["id"]]
        assert acked.receipt is not None
        assert acked.receipt.acked_at is not None
        assert acked.receipt.read_at is not None  # ack implies read
        assert acked.receipt.delivered_at is not None

        # call quality: posted live (204), paced by the server to 1 a second
        quality = {"sip_call_id": "q@test", "mos": 4.1, "loss_pct": 0.5, "jitter_ms": 9.0,
                   "rtt_ms": 40.0, "final": False}  # fmt: skip
        assert client.post("/agents/me/call-quality", quality) is None
        time.sleep(1.1)  # the server's pace
        session.publish_quality(QualitySample("q@test", 3.2, 4.0, 30.0, 120.0, final=True))
        wait_until(lambda: session._quality is not None and session._quality.sent == 1)

        [callback] = client.read_callbacks(due_before=now + dt.timedelta(days=2))
        assert (callback.due_at, callback.interaction_id, callback.status) == (
            due,
            call_id,
            "pending",
        )
        assert client.read_callbacks(due_before=now) == ()
        assert lead.read_callbacks(status=None)[0].id == callback.id

        history = client.read_contact_history(contact["id"])
        [call] = history.interactions
        assert (call.id, call.agent_id, call.disposition) == (
            call_id,
            agent_id,
            me.team.dispositions[0].code,
        )
        assert (call.started_at, call.ended_at) == (now - dt.timedelta(minutes=4), now)
        assert aware(call.answered_at)
        assert [n.text for n in history.notes] == ["Client satisfait."]
        assert history.notes[0].interaction_id == call_id

        again = client.post(
            "/interactions",
            {
                "id": str(uuid.uuid4()),
                "direction": "outbound",
                "started_at": iso(now),
                "outcome": "missed",
            },
            idempotency_key=str(uuid.uuid4()),
        )
        created = records.parse_interaction(again)
        assert (created.contact_id, created.ended_at, created.disposition) == (None, None, None)

        assert client.read_messages()[0].read_at is not None

        figures = client.read_figures(agent_id, now.date())
        assert figures.day == now.date()
        assert figures.calls_handled == 1
        assert figures.avg_handle_s > 0
        assert lead.read_figures(agent_id, now.date()) == figures
    finally:
        lead.close()
        session.close()
