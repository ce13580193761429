"""`homeagent diagnose --json` reports each check, even with nothing set up."""

from __future__ import annotations

import json
from pathlib import Path

from homeagent.cli import main


def test_diagnose_json_without_profile(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    code = main(["diagnose", "--json", "--config-dir", str(tmp_path), "--data-dir", str(tmp_path)])
    report = json.loads(capsys.readouterr().out)
    names = [c["name"] for c in report["checks"]]
    assert names == ["profile", "audio"]
    assert report["checks"][0]["status"] == "fail"
    assert code == 1
