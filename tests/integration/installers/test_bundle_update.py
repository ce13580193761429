"""The real bundle through the update path: `make dist`'s tarball published with
`homeagent-release`, found and verified by the app's TUF client over HTTP on 127.0.0.1,
installed beside the running version, and the switched install starts."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from homeagent.core.update_policy import UpdatePolicy
from homeagent.update.install import install_tarball, tarball_root
from tests.helpers.tuf_repo import client_for, http_server, make_repo

from .conftest import Built

pytestmark = [
    pytest.mark.integration,
    pytest.mark.slow,
    pytest.mark.timeout(600),
    pytest.mark.xdist_group("bundle"),
]


def test_the_bundle_is_published_verified_installed_side_by_side_and_starts(
    built_bundle: Built, tmp_path: Path
) -> None:
    tarball = built_bundle.folder / built_bundle.facts["tarball"]
    running = built_bundle.facts.get("version", "0.1.0")
    # a PC that runs the bundle as a tarball install: <root>/current -> homeagent-<version>
    root = tmp_path / "opt"
    install_tarball(tarball, root, running)
    assert tarball_root(root / "current" / "homeagent") == root

    repo, keys = make_repo(tmp_path)
    name = repo.add_target(keys, tarball, version="99.0.0", platform="linux-x86_64")
    assert name == "homeagent-99.0.0-linux-x86_64.tar.gz"
    with http_server(repo.path) as served:
        client = client_for(repo, served.url, tmp_path / "data", current=running)
        offer = client.check(UpdatePolicy()).offer
        assert offer is not None
        assert offer.version == "99.0.0"
        downloaded = client.download(offer)
    assert downloaded.read_bytes() == tarball.read_bytes()  # length and hash checked by TUF

    install_tarball(downloaded, root, "99.0.0")
    assert os.readlink(root / "current") == "homeagent-99.0.0"
    assert (root / f"homeagent-{running}" / "homeagent").is_file()  # the old one stays
    env = {k: v for k, v in os.environ.items() if k not in ("PULSE_SERVER", "PYTHONPATH")}
    env.update(HOME=str(tmp_path), QT_QPA_PLATFORM="offscreen")
    done = subprocess.run(
        [str(root / "current" / "homeagent"), "--version"],
        env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.startswith("homeagent ")
