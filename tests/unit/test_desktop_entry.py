"""The desktop entry: the URL handler for tel:/sip:/sips: links, and a valid file."""

from __future__ import annotations

import configparser
import subprocess
from pathlib import Path

from tests.helpers.procs import require_tool

ENTRY = Path(__file__).resolve().parents[2] / "installers/debian/homeagent.desktop"


def test_the_entry_handles_tel_and_sip_links() -> None:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    parser.read(ENTRY, encoding="utf-8")
    entry = parser["Desktop Entry"]
    assert entry["Exec"] == "homeagent %u"  # the link reaches the command (or the running desk)
    mimes = set(filter(None, entry["MimeType"].split(";")))
    assert mimes == {"x-scheme-handler/tel", "x-scheme-handler/sip", "x-scheme-handler/sips"}


def test_the_entry_is_valid() -> None:
    validate = require_tool("desktop-file-validate")
    result = subprocess.run(
        [validate, str(ENTRY)], capture_output=True, text=True, timeout=30, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "error" not in result.stdout.lower()
