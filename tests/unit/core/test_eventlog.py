"""The structured event log never holds a secret or a full number."""

from __future__ import annotations

import json
from pathlib import Path

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
