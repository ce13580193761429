"""Diagnostics bundles on a server with small limits: the size cap and the kept bundles."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.integration.server.conftest import Server, tuned_server
from tests.integration.server.test_diagnostics import ZIP, bundle


@pytest.fixture(scope="module")
def server(db_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    yield from tuned_server(
        db_url,
        tmp_path_factory,
        "--diagnostics-max-bytes", "200000",
        "--diagnostics-kept-per-agent", "2",
    )  # fmt: skip


def test_the_size_limit_and_the_kept_bundles(server: Server) -> None:
    a = server.login("agent_a1")
    admin = server.login("admin")
    try:
        big = bundle(os.urandom(300_000))  # incompressible: > 200 kB
        assert len(big) > 200_000
        r = a.client.post("/agents/me/diagnostics", content=big, headers=ZIP)
        assert r.status_code == 413
        assert r.json()["error"]["code"] == "body_too_large"
        # above the JSON routes' 1 MiB limit on the default server, still below this one's
        ids = []
        for _ in range(3):
            r = a.client.post("/agents/me/diagnostics", content=bundle(b"y" * 1000), headers=ZIP)
            assert r.status_code == 201, r.text
            ids.append(r.json()["id"])
        listed = [b["id"] for b in admin.client.get("/diagnostics").json()]
        assert listed == ids[:0:-1]  # the newest two, newest first
        assert admin.client.get(f"/diagnostics/{ids[0]}").status_code == 404
    finally:
        a.close()
        admin.close()


def test_it_reads_bundles_on_the_server_host_with_the_cli(server: Server, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import stat
    import subprocess
    import sys

    from sqlalchemy import select

    from homeagent.server.supervision_models import AuditEntry

    a = server.login("agent_b1")
    try:
        content = bundle(b"cli")
        sent = a.client.post("/agents/me/diagnostics", content=content, headers=ZIP).json()
    finally:
        a.close()

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        argv = [sys.executable, "-m", "homeagent.server.cli", "diagnostics", "--db", server.db_url]
        return subprocess.run([*argv, *args], capture_output=True, text=True, timeout=60)

    listed = cli("--user", "agent_b1")
    assert listed.returncode == 0, listed.stderr
    first = listed.stdout.splitlines()[0].split("\t")
    assert first[0] == str(sent["id"])
    assert first[2:] == ["agent_b1", f"{len(content)} bytes", "1 files"]
    out = tmp_path / "b.zip"
    got = cli("--get", str(sent["id"]), "--out", str(out))
    assert got.returncode == 0, got.stderr
    assert out.read_bytes() == content
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    with server.db.read() as s:
        actions = s.scalars(select(AuditEntry.action).where(AuditEntry.actor_id == "server-cli"))
        assert "diagnostics_read" in list(actions)
    missing = cli("--get", "999999", "--out", str(tmp_path / "x.zip"))
    assert missing.returncode == 1
    assert "no diagnostics bundle 999999" in missing.stderr
