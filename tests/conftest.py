"""Fixtures shared by the whole suite. Each real peer has its own module in tests/helpers."""

from __future__ import annotations

import os

import pytest

# Unit UI tests draw offscreen; e2e tests start their own Xvfb and set DISPLAY per process.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Small argon2 costs for every password the suite hashes, in this process and in the servers
# it starts (they inherit it): hundreds of users and logins. tests/unit/server/test_auth.py
# holds a process without it to the production costs.
os.environ.setdefault("HOMEAGENT_ARGON2_CHEAP", "1")

pytest_plugins = [
    "tests.helpers.kamailio",
    "tests.helpers.sipp",
    "tests.helpers.pulse",
    "tests.helpers.postgres",
    "tests.helpers.keyring_session",
    "tests.helpers.xvfb",
    "tests.helpers.xdist_crash",
]


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under `--dist loadgroup` (make test), each xdist worker's items of an `xdist_group`
    (the audio tests share one PulseAudio worker; the bundle tests share one build) must
    carry the group in their node id: that suffix is how xdist keeps a group on one worker.
    pytest 9.2 keeps node ids where xdist 3.8 no longer writes them, and the groups were
    then silently spread over both workers: refuse to run like that."""
    if not getattr(config.option, "loadgroup", False):
        return
    for item in items:
        if item.get_closest_marker("xdist_group") is not None and "@" not in item.nodeid:
            raise pytest.UsageError(
                f"{item.nodeid}: its xdist_group is not honoured by this pytest/pytest-xdist "
                "pair (see tests/conftest.py); pin a pytest that keeps the group suffix"
            )
