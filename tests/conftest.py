"""Fixtures shared by the whole suite. Each real peer has its own module in tests/helpers."""

from __future__ import annotations

import os

# Unit UI tests draw offscreen; e2e tests start their own Xvfb and set DISPLAY per process.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

pytest_plugins = [
    "tests.helpers.kamailio",
    "tests.helpers.sipp",
    "tests.helpers.pulse",
    "tests.helpers.postgres",
    "tests.helpers.keyring_session",
    "tests.helpers.xvfb",
]
