"""`homeagent diagnose`'s pre-shift lines against the real server (HTTPS, pinned CA, UDP
echo): the same network test as the desk, saved at <data dir>/last-check.json (0600, no
secret) and sent to the server, where the lead reads it."""

from __future__ import annotations

import json
import stat
import time
from pathlib import Path

import pytest

from homeagent.client.device import DeviceSession
from homeagent.client.echo_probe import ProbePlan
from homeagent.client.preshift import LAST_CHECK_FILE, NetworkCheck, load_report
from homeagent.core import preshift as ps
from homeagent.core.profile import Profile
from homeagent.desktop import diagnose
from homeagent.security.vault import Vault
from tests.integration.client.conftest import lead_client
from tests.integration.client.realserver import PASSWORD, ServerInstance

pytestmark = pytest.mark.integration


@pytest.mark.timeout(90)
def test_diagnose_runs_the_pre_shift_network_test_saves_and_posts_it(
    server: ServerInstance,
    profile: Profile,
    vault: Vault,
    data_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    agent_id = server.create_user("amel", "agent")
    server.create_user("lena", "team_lead")
    server.start()
    session = DeviceSession(profile, vault, data_dir=data_dir)
    session.enrol("amel", PASSWORD, "amel-pc")
    session.close()
    monkeypatch.setattr("homeagent.security.vault.Vault", lambda *a, **k: vault)

    network: list[object] = []
    started = time.monotonic()
    checks = diagnose._preshift_network(profile, data_dir, network)
    elapsed = time.monotonic() - started
    assert elapsed < 14  # health + echo session + the 11 s echo and bandwidth test
    by_name = {c.name: c for c in checks}
    assert list(by_name) == ["latency", "echo", "bandwidth", "clock"]
    assert by_name["echo"].status == "ok", by_name["echo"]
    assert "MOS" in by_name["echo"].detail
    assert by_name["clock"].status == "ok"
    audio = diagnose.Check("audio", "ok", "")
    sip = diagnose.Check("sip", "fail", "")
    report = diagnose._preshift_report(network, [sip, audio], audio, data_dir)
    assert report.item(ps.ItemId.SIP).level is ps.Level.RED  # it said so above
    assert report.level is ps.Level.RED
    saved = data_dir / LAST_CHECK_FILE
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600
    body = json.loads(saved.read_text())
    assert body["source"] == "diagnose"
    assert body["network"]["mos_g722"] > 4.0
    text = saved.read_text()
    assert PASSWORD not in text
    assert (vault.get_refresh_token() or "x") not in text
    loaded = load_report(data_dir)
    assert loaded is not None
    assert loaded.to_json() == report.to_json()
    lead = lead_client(server, "lena")
    try:
        got = lead.get(f"/agents/{agent_id}/network-check")
    finally:
        lead.close()
    assert got["level"] == "red"
    assert {i["id"]: i["level"] for i in got["items"]}["echo"] == "green"


def test_a_broken_last_check_file_is_ignored_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / LAST_CHECK_FILE).write_bytes(b"\xff\xfe not json")
    assert load_report(tmp_path) is None
    (tmp_path / LAST_CHECK_FILE).write_text('{"version": 1, "at": "now", "items": 3}')
    assert load_report(tmp_path) is None
    assert any("ignored" in r.message or "unreadable" in r.message for r in caplog.records)


@pytest.mark.timeout(60)
def test_a_pc_clock_two_minutes_behind_the_server_is_a_red_clock_line(
    server: ServerInstance, profile: Profile, vault: Vault, data_dir: Path
) -> None:
    server.create_user("amel", "agent")
    server.clock_offset = "+2m"  # libfaketime: the server's clock runs 2 minutes ahead
    server.start()
    session = DeviceSession(profile, vault, data_dir=data_dir)
    try:
        session.enrol("amel", PASSWORD, "amel-pc")
        host = profile.server_url.split("//")[1].split(":")[0]
        plan = ProbePlan(steady_s=1.0, burst_s=0.5, tail_s=0.5)
        items = {i.id: i for i in NetworkCheck(session.client, host, plan=plan).run()}
    finally:
        session.close()
    clock = items[ps.ItemId.CLOCK]
    assert (clock.level, clock.advice) == (ps.Level.RED, ps.Advice.CLOCK_OFF)
    assert clock.figures["offset_s"] == pytest.approx(120, abs=5)
    assert items[ps.ItemId.ECHO].level is ps.Level.GREEN  # only the clock is wrong
