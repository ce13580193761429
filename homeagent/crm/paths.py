"""Where the agent's data lives by default (the cache, the event log, the device file).

Apart from `store.py` so that the desk's start can name the folder without importing the
cache (SQLCipher, sqlite-utils): `homeagent.crm.store` re-exports it.
"""

from __future__ import annotations

from pathlib import Path

import platformdirs


def default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir("HomeAgent", appauthor=False))
