"""The structured event log never holds a secret or a full number."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from homeagent.core.eventlog import EventLog
from homeagent.core.timefmt import format_duration, mask_number, mask_uri


def test_lines_are_json_with_masked_numbers_and_no_secrets(tmp_path: Path) -> None:
    log = EventLog(tmp_path / "sub" / "events.jsonl")
    log.write("call_ringing", remote_number="+33612345678", password="x", access_token="t")
    log.write("x", remote_uri="sip:0612345678@pbx")
    log.close()
    lines = [json.loads(x) for x in (tmp_path / "sub" / "events.jsonl").read_text().splitlines()]
    assert lines[0]["event"] == "call_ringing"
    assert lines[0]["ts"].endswith("Z")
    assert lines[0]["remote_number"] == "+********678"
    assert "password" not in lines[0]
    assert "access_token" not in lines[0]
    assert lines[1]["remote_uri"] == "sip:*******678@pbx"


def test_mask_keeps_two_to_four_digits() -> None:
    assert mask_number("0612345678", keep=2) == "********78"
    assert mask_number("0612345678", keep=9) == "******5678"
    assert mask_number("12") == "**"
    assert mask_uri("alice") == "alice"[:0] + mask_number("alice")


def test_durations() -> None:
    assert format_duration(0) == "00:00"
    assert format_duration(75.9) == "01:15"
    assert format_duration(3600 + 61) == "1:01:01"
    assert format_duration(-5) == "00:00"


class _Unprintable:
    def __str__(self) -> str:
        raise RuntimeError("no text for you")

    __repr__ = __str__


@pytest.mark.parametrize(
    "fields",
    [
        {"queue": "Fran\udce7ais"},  # a Latin-1 byte as pjsua2/SWIG hands it (surrogateescape)
        {"display_name": "\ud800 lone"},  # a surrogate no codec can write
        {"nested": ["Fran\udce7ais", {"k": "\udcff"}]},
        {"value": _Unprintable()},  # not JSON, and str() raises
        {"value": float("nan"), "other": {1, 2}},
    ],
    ids=["surrogate-escape", "lone-surrogate", "nested", "unprintable", "odd-values"],
)
def test_write_never_raises_and_the_line_stays_readable_utf8(
    tmp_path: Path, fields: dict[str, object], caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "events.jsonl"
    log = EventLog(path)
    log.write("call_ringing", **fields)
    log.write("after", ok=True)
    log.close()
    raw = path.read_bytes()
    raw.decode("utf-8")  # strict: the file is clean UTF-8
    events = [json.loads(line)["event"] for line in raw.decode().splitlines()]
    assert events[-1] == "after"  # a bad line never stops the log


def test_surrogate_escaped_latin1_is_written_as_text(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    log = EventLog(path)
    log.write("call_ringing", queue="Fran\udce7ais")
    log.close()
    assert json.loads(path.read_text(encoding="utf-8"))["queue"] == "Français"


def test_a_failing_file_is_reported_once_and_never_raises(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    log = EventLog(tmp_path / "events.jsonl")

    class Broken:
        def write(self, text: str) -> int:
            raise OSError(28, "No space left on device")

        def close(self) -> None:
            pass

    real = log._file
    assert real is not None
    real.close()
    log._file = Broken()  # type: ignore[assignment]  # the disk filled up under us
    with caplog.at_level("WARNING", logger="homeagent.core.eventlog"):
        for _ in range(3):
            log.write("call_ringing", remote_number="+33612345678")
    warnings = [r for r in caplog.records if r.name == "homeagent.core.eventlog"]
    assert len(warnings) == 1
    assert "33612345678" not in warnings[0].getMessage()
