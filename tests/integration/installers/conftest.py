"""The built bundle, shared by the installer tests: from the cache when its inputs (locks,
sources, SOURCE_DATE_EPOCH) were built before, else built now (≈ 2.5 min cold, once per
session: a file lock makes parallel workers wait for one build)."""

from __future__ import annotations

import faulthandler
import json
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from installers.bundle import cache_key, cache_root, ensure_bundle, source_date_epoch


@dataclass(frozen=True)
class Built:
    folder: Path  # homeagent/, manifest.json, sbom.cdx.json, build.json, the tar.gz
    cold: bool  # built by this session (not reused from the cache)
    seconds: float

    @property
    def app(self) -> Path:
        return self.folder / "homeagent" / "homeagent"

    @property
    def facts(self) -> dict:
        return dict(json.loads((self.folder / "build.json").read_text(encoding="utf-8")))


@pytest.fixture(scope="session")
def built_bundle() -> Built:
    final = cache_root() / cache_key(source_date_epoch())
    cold = not (final / "build.json").exists()
    # A cold build takes minutes (more on a loaded machine): no stack dump of every thread at
    # faulthandler_timeout meanwhile (pyproject; such dumps crashed xdist workers), the
    # test's pytest-timeout still bounds it.
    faulthandler.cancel_dump_traceback_later()
    started = time.monotonic()
    folder = ensure_bundle()
    return Built(folder, cold, time.monotonic() - started)
