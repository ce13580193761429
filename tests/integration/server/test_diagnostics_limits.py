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
