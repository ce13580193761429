"""The demo keeps its secrets (the ACD token, the server database) to its user."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from homeagent.demo.world import DemoWorld

pytestmark = pytest.mark.integration


def test_demo_folders_are_0700_and_files_0600(tmp_path: Path) -> None:
    root = tmp_path / "demo"
    root.mkdir(mode=0o755)  # as `homeagent demo --dir` may find it
    world = DemoWorld(root, contacts=40)
    try:
        world.start()  # seeds, starts the server, writes the ACD's connection file, Kamailio
    finally:
        world.stop()
    assert (root / "kamailio" / "acd-http.cfg").exists()  # holds the ACD token
    assert (root / "server.db").exists()
    direct = DemoWorld(tmp_path / "direct", contacts=40, acd=False)
    try:
        direct.start()  # customers call the agent directly, through the same Kamailio
    finally:
        direct.stop()
    assert (tmp_path / "direct" / "kamailio" / "acd-http.cfg").exists()
    for path in [root, tmp_path / "direct", *root.rglob("*"), *(tmp_path / "direct").rglob("*")]:
        mode = stat.S_IMODE(path.stat().st_mode)
        if path.is_dir():
            assert mode == 0o700, f"{path}: {oct(mode)}"
        else:
            assert mode & 0o077 == 0, f"{path}: {oct(mode)}"
