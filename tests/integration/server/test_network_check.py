"""The pre-shift check against the real server: the echo session, the result, the badge."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from typing import Any

import pytest

from homeagent.client.echo_probe import ProbePlan
from homeagent.client.errors import ApiError
from homeagent.client.preshift import NetworkCheck, post_report
from homeagent.client.server import ServerClient
from homeagent.core import preshift as ps
from tests.integration.server.conftest import Server
from tests.integration.server.launch import PASSWORD, Session, SseReader

CHECK = {
    "level": "red", "mos_g722": 2.9, "mos_pcma": 3.5, "loss_pct": 9.5, "jitter_ms": 31.0,
    "rtt_ms": 80.0, "items": [{"id": "echo", "level": "red", "advice": "net_wired"}],
}  # fmt: skip


class _Tokens:
    def __init__(self) -> None:
        self.value: str | None = None

    def get_refresh_token(self) -> str | None:
        return self.value

    def set_refresh_token(self, value: str) -> None:
        self.value = value


def test_a_check_reaches_the_team_s_leads_and_the_board(
    server: Server, sessions: Callable[[str], Session]
) -> None:
    a1, lead, lead_b = sessions("agent_a1"), sessions("lead_a"), sessions("lead_b")
    lead_s = SseReader(server.url, lead.tokens["access_token"])
    other_s = SseReader(server.url, lead_b.tokens["access_token"])
    try:
        r = a1.client.post("/agents/me/network-check", json=CHECK)
        assert r.status_code == 200, r.text
        assert r.json()["items"] == CHECK["items"]
        ev = lead_s.wait_for("network_check").data
        assert {k: ev[k] for k in ("agent_id", "level", "mos", "loss_pct")} == {
            "agent_id": a1.user_id, "level": "red", "mos": 2.9, "loss_pct": 9.5,
        }  # fmt: skip
        assert [e for e in other_s.drain(0.3) if e.type == "network_check"] == []
        board = lead.client.get(f"/teams/{server.org.team_a}/board").json()
        row = next(r for r in board["agents"] if r["agent_id"] == a1.user_id)
        assert row["network"]["level"] == "red"
        assert row["network"]["jitter_ms"] == 31.0
        others = [r["network"] for r in board["agents"] if r["agent_id"] != a1.user_id]
        assert all(n is None or n["level"] in ("green", "amber", "red") for n in others)
        got = lead.client.get(f"/agents/{a1.user_id}/network-check")
        assert got.status_code == 200
        assert got.json()["mos_pcma"] == 3.5
        assert lead_b.client.get(f"/agents/{a1.user_id}/network-check").status_code == 403
    finally:
        lead_s.close()
        other_s.close()


def test_bad_results_are_refused(sessions: Callable[[str], Session]) -> None:
    a2 = sessions("agent_a2")
    bad: list[dict[str, Any]] = [
        {**CHECK, "level": "purple"},
        {**CHECK, "mos_g722": 9},
        {**CHECK, "loss_pct": -1},
        {**CHECK, "items": [{"id": "echo", "level": "red", "advice": "x"}] * 21},
        {**CHECK, "items": [{"id": "toaster", "level": "red", "advice": "x"}]},
        {**CHECK, "secret": "no"},
    ]
    for body in bad:
        r = a2.client.post("/agents/me/network-check", json=body)
        assert r.status_code == 422, (body, r.text)
    r = a2.client.post(
        "/agents/me/network-check",
        content=b'{"level": "red", "loss_pct": NaN}',
        headers={"Content-Type": "application/json"},
    )
    assert r.status_code in (400, 422)


def test_the_desk_s_network_check_end_to_end(server: Server) -> None:
    """The real client: health, echo session, probes to the UDP echo, the result posted."""
    api = ServerClient(server.url, _Tokens())
    try:
        api.login("agent_b1", PASSWORD, "check-e2e")
        started = time.monotonic()
        check = NetworkCheck(api, "127.0.0.1", plan=ProbePlan(steady_s=2.0, burst_s=1.0))
        items = check.run()
        elapsed = time.monotonic() - started
        by_id = {i.id: i for i in items}
        assert set(by_id) == {
            ps.ItemId.SERVER,
            ps.ItemId.ECHO,
            ps.ItemId.BANDWIDTH,
            ps.ItemId.CLOCK,
        }
        assert by_id[ps.ItemId.SERVER].level is ps.Level.GREEN
        echo = by_id[ps.ItemId.ECHO]
        assert echo.figures["sent"] == 100.0  # 2 s at 50/s
        assert echo.figures["received"] >= 98.0
        assert echo.figures["rtt_ms"] < 50
        assert echo.level is ps.Level.GREEN, echo
        assert by_id[ps.ItemId.CLOCK].level is ps.Level.GREEN
        assert abs(by_id[ps.ItemId.CLOCK].figures["offset_s"]) < 1
        assert elapsed < 3.0 + 2.0  # the plan's 4 s and the REST calls on loopback
        report = ps.make_report(items, dt.datetime.now(dt.UTC))
        assert post_report(api, report)
        again = api.get(f"/agents/{server.org.users['agent_b1']}/network-check")
        assert again["level"] == report.level.value
        assert again["mos_g722"] > 4.0
        # a second session within 5 s is refused: tokens are not handed out in bulk
        with pytest.raises(ApiError) as refused:
            api.probe("POST", "/network-check/echo-session", timeout_s=3)
        assert (refused.value.status, refused.value.code) == (429, "too_many_checks")
    finally:
        api.close()
