"""`homeagent-server run --updates-dir`: the TUF repository served read-only at /updates/.

The real server process over a repository made by `homeagent-release`, and the real
update client checking and downloading through it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from homeagent.core.update_policy import UpdatePolicy
from homeagent.release.repository import Repository
from tests.helpers.tuf_repo import client_for, fake_target, make_repo
from tests.integration.server.launch import prepare, run_server


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Repository, Path]]:
    tmp = tmp_path_factory.mktemp("updates")
    repo, keys = make_repo(tmp)
    repo.add_target(keys, fake_target(tmp, "0.2.0"), version="0.2.0", platform="linux-x86_64")
    (tmp / "secret.txt").write_text("not for you")
    (repo.metadata_dir / "escape.json").symlink_to(tmp / "secret.txt")
    (repo.metadata_dir / ".hidden.json").write_text("{}")
    db_url = f"sqlite:///{tmp / 'server.db'}"
    db, _ = prepare(db_url)
    with run_server(db_url, tmp / "server.log", "--updates-dir", str(repo.path)) as url:
        yield url, repo, tmp
    db.dispose()


def test_metadata_and_targets_are_served_with_types_and_caching(
    served: tuple[str, Repository, Path],
) -> None:
    url, repo, _ = served
    r = httpx.get(f"{url}/updates/metadata/timestamp.json")
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/json"
    assert r.headers["cache-control"] == "no-cache"
    assert r.content == (repo.metadata_dir / "timestamp.json").read_bytes()
    r = httpx.get(f"{url}/updates/metadata/1.root.json")
    assert r.status_code == 200
    assert "immutable" in r.headers["cache-control"]
    (stored,) = repo.targets_dir.iterdir()
    r = httpx.get(f"{url}/updates/targets/{stored.name}")
    assert r.status_code == 200
    assert r.content == stored.read_bytes()
    assert r.headers["content-type"] == "application/gzip"
    assert "immutable" in r.headers["cache-control"]
    assert httpx.head(f"{url}/updates/metadata/timestamp.json").status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/updates/metadata/..%2F..%2Fserver.db",
        "/updates/metadata/%2E%2E%2Fsecret.txt",
        "/updates/../server.db",
        "/updates/metadata/escape.json",  # a symlink out of the repository
        "/updates/metadata/.hidden.json",
        "/updates/keys/root-1.pem",
        "/updates/metadata/missing.json",
        "/updates/targets/..",
    ],
)
def test_paths_out_of_the_repository_are_refused(
    served: tuple[str, Repository, Path], path: str
) -> None:
    r = httpx.get(f"{served[0]}{path}")
    assert r.status_code == 404
    assert "not for you" not in r.text


def test_writes_are_not_allowed(served: tuple[str, Repository, Path]) -> None:
    r = httpx.put(f"{served[0]}/updates/metadata/timestamp.json", content=b"{}")
    assert r.status_code == 405


def test_the_update_client_checks_and_downloads_through_the_server(
    served: tuple[str, Repository, Path],
) -> None:
    url, repo, tmp = served
    client = client_for(repo, f"{url}/updates", tmp / "desk-data")
    offer = client.check(UpdatePolicy()).offer
    assert offer is not None
    assert offer.version == "0.2.0"
    assert client.download(offer).read_bytes() == fake_target(tmp / "x", "0.2.0").read_bytes()
