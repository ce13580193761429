"""Item 20: an accelerated shift of calls through the real parts, with the server
restarted (stopped for a while, then killed -9) and the home link flapping in the middle.

Every call rings through Kamailio (in the centre namespace), is answered on the desk,
hung up and wrapped up; every tenth gets a note, every fiftieth is followed by a break.
At the end: every wrap-up on the server once (0 lost, 0 duplicated), nothing queued, no
dead letter, nothing stuck (desk idle and available, registered, online; the engine holds
no call; the server has the agent available), and the process's RSS flat.
"""

from __future__ import annotations

import gc
import logging
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from homeagent.core.agent_state import AgentState
from homeagent.core.desk_snapshot import Screen
from homeagent.core.desk_types import ServerLink
from homeagent.core.events import RegistrationState
from tests.helpers.netlab import CentreKamailio, NetLab
from tests.integration.client.realserver import ServerInstance
from tests.integration.net.agent_app import AGENT_NAME, build_app, server_rows
from tests.integration.net.conftest import AGENT, Agent, agent_account, start_caller

pytestmark = [pytest.mark.integration, pytest.mark.slow]

CALLS = 500
WARM_UP = 20  # calls before the first RSS figure (caches, pools, first allocations)
FLAPS = (120, 320)  # link down ~1.5 s before these calls
SERVER_DOWN = (180, 230)  # server stopped before call 180, started again before call 230
SERVER_KILLED = 380  # kill -9 and restart before this call
MAX_RSS_GROWTH_MB = 30


class _Count(logging.Handler):
    def __init__(self, needle: str) -> None:
        super().__init__(logging.WARNING)
        self.needle = needle
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        if self.needle in record.getMessage():
            self.count += 1


def rss_mb() -> float:
    gc.collect()
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def test_soak_accelerated_shift(
    lab: NetLab, centre: CentreKamailio, tmp_path: Path, start_agent: Callable[..., Agent]
) -> None:
    server = ServerInstance(tmp_path / "server", host=lab.service_ip, prefix=lab.exec_prefix)
    try:
        _soak(lab, centre, server, tmp_path, start_agent)
    finally:
        server.stop()


def _soak(
    lab: NetLab,
    centre: CentreKamailio,
    server: ServerInstance,
    tmp_path: Path,
    start_agent: Callable[..., Agent],
) -> None:
    contacts = server.seed_contacts(500)
    target = contacts[7]
    server.create_user(AGENT_NAME, "agent")
    server.start()
    app = build_app(server, tmp_path, agent_account(centre.info), start_agent, max_backoff_s=0.2)
    caller = start_caller(
        lab, centre, tmp_path, "2001", "--header", f"X-Contact-Id: {target['id']}"
    )
    domain = centre.info.domain
    disposition = app.team.dispositions[0].code
    reason = app.team.pause_reasons[0]
    rss: dict[str, float] = {}
    ids: list[str] = []
    events: list[str] = []
    rekeyed = _Count("sent again under a new key")
    logging.getLogger("homeagent.crm.outbox").addHandler(rekeyed)
    t0 = time.monotonic()
    try:
        for i in range(CALLS):
            if i == WARM_UP:
                rss["start"] = rss_mb()
            if i == CALLS // 2:
                rss["middle"] = rss_mb()
            if i in FLAPS:
                lab.link_down()
                time.sleep(1.5)
                lab.link_up()
                events.append(f"link flap before call {i}")
            if i == SERVER_DOWN[0]:
                server.stop()
                events.append(f"server stopped before call {i}")
            if i == SERVER_DOWN[1]:
                server.start()
                events.append(f"server started before call {i}")
            if i == SERVER_KILLED:
                server.kill()
                server.start()
                events.append(f"server killed -9 and restarted before call {i}")
            try:
                iid = app.take_call(
                    lambda: caller.send(f"call sip:{AGENT}@{domain}"),
                    disposition=disposition,
                    notes=f"soak {i}",
                    contact_id=target["id"],
                )
            except TimeoutError as exc:
                raise AssertionError(f"call {i} ({events[-1:]}): {exc}") from exc
            ids.append(iid)
            if i % 10 == 0:
                app.write_note(target["id"], f"soak note {i}", iid)
            if i % 50 == 49:
                app.take_break(reason)
        calls_s = time.monotonic() - t0
        backlog = app.pending()
        # A bound against a stuck sender, not a speed figure: the backlog of an accelerated
        # shift (~1,100 entries) drains in ~33 s with two other soaks on the 2 cores; one
        # loaded full run left 15 of it after 60 s
        flush_s = app.wait_delivered(150)
        rss["end"] = rss_mb()
    except BaseException:
        app.stop()
        raise
    finally:
        caller.stop()
        logging.getLogger("homeagent.crm.outbox").removeHandler(rekeyed)

    # nothing stuck
    now = app.desk.now
    assert now.screen is Screen.IDLE
    assert now.presence.state is AgentState.AVAILABLE
    assert now.registration is RegistrationState.REGISTERED
    app.desk.wait_for(lambda s: s.server is ServerLink.ONLINE, 30, "online")
    assert app.device.outbox.status().pending == 0
    assert app.device.outbox.status().dead_letters == 0
    ctl = app.agent.engine._ctl
    assert ctl is not None
    assert [r.call_id for r, _ in ctl.calls if not r.ended] == []

    # 0 lost, 0 duplicated: every wrap-up once, on the server
    (agent_id,) = server_rows(server, "SELECT id FROM users WHERE name = ?", AGENT_NAME)[0]
    rows = server_rows(
        server,
        "SELECT id, wrap_up_notes FROM interactions WHERE agent_id = ? AND wrapped_at IS NOT NULL",
        agent_id,
    )
    assert len(rows) == len({r[0] for r in rows}) == CALLS
    assert {r[0] for r in rows} == set(ids)
    assert sorted(r[1] for r in rows) == sorted(f"soak {i}" for i in range(CALLS))
    notes = server_rows(server, "SELECT id FROM notes WHERE agent_id = ?", agent_id)
    assert sorted(n[0] for n in notes) == sorted(app.notes_written)
    assert len(app.notes_written) == CALLS // 10
    (state,) = server_rows(server, "SELECT state FROM agent_status WHERE agent_id = ?", agent_id)[0]
    assert state == AgentState.AVAILABLE.value

    growth = rss["end"] - rss["start"]
    print(
        f"\n{CALLS} calls in {calls_s:.1f} s ({calls_s / CALLS * 1000:.0f} ms each), "
        f"{backlog} entries still queued then, flushed {flush_s:.1f} s after; "
        f"{'; '.join(events)}; {rekeyed.count} entries re-keyed (stuck in progress after "
        f"the kill); RSS start "
        f"{rss['start']:.1f} MB, middle {rss['middle']:.1f} MB, end {rss['end']:.1f} MB "
        f"(+{growth:.1f} MB)"
    )
    assert growth < MAX_RSS_GROWTH_MB
    app.stop()
