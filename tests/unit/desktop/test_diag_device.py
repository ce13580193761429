"""This PC's diagnostics bundle from the command line: written, listed, nothing sent."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

from homeagent.cli import main
from tests.unit.desktop.test_diag_bundle import _event


def test_the_command_line_writes_a_bundle_and_sends_nothing(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    data = tmp_path / "data"
    data.mkdir()
    (data / "events.jsonl").write_bytes(
        _event(dt.datetime.now(dt.UTC), "app_started").encode() + b"\xff\xfe not utf-8\n"
    )
    target = tmp_path / "b.zip"
    code = main(
        ["diagnose", "--bundle", str(target), "--config-dir", str(tmp_path / "cfg"),
         "--data-dir", str(data), "--hours", "2"]
    )  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0
    assert str(target) in out
    assert "Nothing was sent" in out
    assert "outbox.json" in out
    assert "skipped" in out
    assert "keyring and contact cache" in out  # what the masking could not check against
    with zipfile.ZipFile(target) as zf:
        events = zf.read("events.jsonl").decode("utf-8")
    assert "app_started" in events
    assert "not utf-8" in events
