"""The e2e tests run one after another on the audio tests' worker.

Each starts several real app processes on an Xvfb display of its own, with Kamailio and the
server; two of them at once, next to the other worker's load, starved the apps' GUI threads
on a 2-core machine until keystrokes came too late (a ringing call rang out before its
Ctrl+Return was seen). The audio tests are timed too: they share that one worker.
"""

from __future__ import annotations

import pytest


@pytest.hookimpl(tryfirst=True)  # before xdist's loadgroup reads the groups
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.nodeid.startswith("tests/e2e/") and not item.get_closest_marker("xdist_group"):
            item.add_marker(pytest.mark.xdist_group("audio"))
