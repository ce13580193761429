"""Item 19: the central server is down for a whole shift.

Calls still ring through Kamailio and the card pops from the local cache; wrap-ups,
notes and state changes queue durably in the outbox; the desk says offline ("Mode hors
ligne") the whole time; when the server returns everything arrives exactly once, in
order (checked in the server's own database, then by replaying every entry).

The shift is accelerated: the calls follow each other at once, the event stream and the
outbox sender wait at most 0.1 s between two tries (30 s in the app), and the server comes
back with its clock 8 h ahead (libfaketime): to it, everything the desk queued is a
shift old, and the access token has expired.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest

from homeagent.core.agent_state import AgentState
from homeagent.core.desk_types import Delivery, ServerLink
from tests.helpers.desk_harness import server_links
from tests.helpers.netlab import CentreKamailio, NetLab
from tests.integration.client.realserver import ServerInstance
from tests.integration.net.agent_app import AGENT_NAME, build_app, server_rows
from tests.integration.net.conftest import AGENT, Agent, agent_account, start_caller

pytestmark = pytest.mark.integration

CALLS = 12
SHIFT = "+8h"  # the server's clock when it comes back (libfaketime)
OUTAGE_S = 25.0  # at least; the shift's calls take part of it


def test_server_down_for_a_shift(
    lab: NetLab,
    centre: CentreKamailio,
    tmp_path: Path,
    start_agent: Callable[..., Agent],
) -> None:
    # the central server in the centre too: the app reaches it over the home link
    server = ServerInstance(tmp_path / "server", host=lab.service_ip, prefix=lab.exec_prefix)
    try:
        _shift(lab, centre, server, tmp_path, start_agent)
    finally:
        server.stop()


def _shift(
    lab: NetLab,
    centre: CentreKamailio,
    server: ServerInstance,
    tmp_path: Path,
    start_agent: Callable[..., Agent],
) -> None:
    contacts = server.seed_contacts(300)
    target = contacts[42]
    server.create_user(AGENT_NAME, "agent")
    server.start()
    app = build_app(server, tmp_path, agent_account(centre.info), start_agent, max_backoff_s=0.1)
    try:
        disposition = app.team.dispositions[0].code
        reason = app.team.pause_reasons[0]
        number = target["phones"][0]
        caller = start_caller(
            lab, centre, tmp_path, "2001",
            "--header", f"X-Contact-Id: {target['id']}",
            "--header", f"P-Asserted-Identity: <sip:{number}@{centre.info.domain}>",
        )  # fmt: skip

        def dial() -> None:
            caller.send(f"call sip:{AGENT}@{centre.info.domain}")

        # online first: one call, delivered at once
        first = app.take_call(
            dial, disposition=disposition, notes="en ligne", contact_id=target["id"]
        )
        app.wait_delivered(15)
        assert app.desk.now.last_delivery is Delivery.SENT
        seq_before = max(i.seq for i in app.device.outbox.items())

        # the server goes away for the shift
        server.stop()
        stopped = time.monotonic()
        offline = app.desk.wait_for(lambda s: s.server is ServerLink.OFFLINE, 15, "offline")
        passes_before = len(app.outbox_passes)
        shift_ids: list[str] = []
        for i in range(CALLS):
            try:
                iid = app.take_call(
                    dial, disposition=disposition, notes=f"hors ligne {i}", contact_id=target["id"]
                )
            except TimeoutError as exc:
                raise AssertionError(f"call {i}: {exc}; caller: {caller.events[-8:]}") from exc
            shift_ids.append(iid)
            app.write_note(target["id"], f"note {i} de l'appel hors ligne", iid)
            assert app.desk.now.last_delivery is Delivery.SAVED  # "Enregistré", not sent
            if i % 4 == 3:
                app.take_break(reason)
        app.disk.drain()
        remaining = OUTAGE_S - (time.monotonic() - stopped)
        if remaining > 0:
            time.sleep(remaining)
        tries = len(app.outbox_passes) - passes_before
        queued = app.pending()
        # per call: the call, its wrap-up, a note, 4 states; per break: 2 states; of which
        # the call states (ringing, on call, wrap-up) later states superseded
        assert queued == CALLS * 4 + (CALLS // 4) * 2
        superseded = [i for i in app.device.outbox.items("superseded") if i.seq > seq_before]
        assert len(superseded) == CALLS * 3
        assert app.device.outbox.status().dead_letters == 0

        # the server returns
        token = app.device.client._access_token
        restarting = time.monotonic()
        server.clock_offset = SHIFT  # it comes back a shift later, by its clock
        server.start()  # returns once it answers /health
        back = time.monotonic()
        online = app.desk.wait_for(lambda s: s.server is ServerLink.ONLINE, 15, "online")
        flushed = app.wait_delivered(30)
        delivered_s = time.monotonic() - back
        app.desk.wait_for(lambda s: s.last_delivery is Delivery.SENT, 10, "wrap-up sent")
        assert app.device.client._access_token != token  # expired by the server's clock

        # the desk said offline from the moment it noticed until the server came back
        during = [s for s in app.desk.since(offline.at) if s.at < restarting]
        assert server_links(during) == [ServerLink.OFFLINE]
        assert server_links(app.desk.since(stopped))[-1] is ServerLink.ONLINE
        assert app.device.outbox.status().dead_letters == 0

        # on the server: every call, wrap-up and note once, the states in the agent's order
        (agent_id,) = server_rows(server, "SELECT id FROM users WHERE name = ?", AGENT_NAME)[0]
        calls = server_rows(
            server,
            "SELECT id, disposition, wrap_up_notes FROM interactions WHERE agent_id = ? "
            "ORDER BY wrapped_at",
            agent_id,
        )
        assert [c[0] for c in calls] == [first, *shift_ids]  # once each, wrapped in order
        assert [c[2] for c in calls[1:]] == [f"hors ligne {i}" for i in range(CALLS)]
        assert {c[1] for c in calls} == {disposition}
        notes = server_rows(
            server,
            "SELECT id, interaction_id, text FROM notes WHERE agent_id = ? ORDER BY rowid",
            agent_id,
        )
        assert [n[0] for n in notes] == app.notes_written
        assert [n[1] for n in notes] == shift_ids
        sent_states = [
            i.body["state"]
            for i in app.device.outbox.items("sent")
            if i.kind == "state" and i.seq > seq_before
        ]
        # the agent's own states, in order; the call states were superseded (not replayed
        # hours late: the calls arrived with their own times)
        assert {i.body["state"] for i in superseded} == {"ringing", "on_call", "wrap_up"}
        expected = [s for s in sent_states if s != AgentState.RINGING.value]
        agent_states = [
            state
            for i in range(CALLS)
            for state in (["available", "break", "available"] if i % 4 == 3 else ["available"])
        ]
        assert expected == agent_states, (expected, sent_states)
        history = server_rows(
            server,
            "SELECT state FROM state_history WHERE agent_id = ? ORDER BY id",
            agent_id,
        )
        # (a state the agent is already in opens no new segment)
        segments = [s for i, s in enumerate(expected) if i == 0 or s != expected[i - 1]]
        assert [h[0] for h in history][-len(segments) :] == segments
        assert expected.count("break") == CALLS // 4

        # exactly once: every entry of the shift sent again is a replay, not a new write
        counts = _counts(server, agent_id)
        replayed = [i for i in app.device.outbox.items("sent") if i.seq > seq_before]
        for item in replayed:
            app.device.client.request(item.method, item.path, item.body, idempotency_key=item.id)
        assert _counts(server, agent_id) == counts

        # and the next call is delivered at once again
        app.take_call(dial, disposition=disposition, notes="retour", contact_id=target["id"])
        app.wait_delivered(15)
        print(
            f"\nserver down {restarting - stopped:.1f} s (up again in {back - restarting:.1f} s);"
            f" desk offline after {offline.at - stopped:.1f} s;"
            f" {CALLS} calls rang and popped the card; {queued} entries queued;"
            f" {tries} failed outbox passes; server clock {SHIFT} on return (token refreshed);"
            f" desk online {online.at - back:+.2f} s from the server's first healthy answer;"
            f" all delivered {delivered_s:.2f} s after (flush {flushed:.2f} s)"
        )
        caller.stop()
    finally:
        app.stop()


def _counts(server: ServerInstance, agent_id: str) -> tuple[int, ...]:
    return tuple(
        server_rows(server, f"SELECT count(*) FROM {table} WHERE agent_id = ?", agent_id)[0][0]
        for table in ("interactions", "notes", "state_history")
    )
