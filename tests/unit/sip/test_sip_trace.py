"""The SIP trace file of the last calls: masked before the disk, 0600, bounded, never raises."""

from __future__ import annotations

import datetime as dt
import os
import stat
from pathlib import Path

from homeagent.core.sip_config import EngineConfig
from homeagent.sip.pjlog import PjsipLogFilter
from homeagent.sip.sip_trace import SipTraceFile, is_message_dump, trace_files

INVITE = (
    "TX 812 bytes Request msg INVITE/cseq=2 (tdta0x1) to UDP 127.0.0.1:5060:\n"
    "INVITE sip:+33612345678@127.0.0.1 SIP/2.0\r\n"
    'From: "Jean Dupont" <sip:1001@homeagent>;tag=x\r\n'
    'Proxy-Authorization: Digest username="1001", nonce="n0nc3n0nc3", response="abcdef0123"\r\n'
    "X-HomeAgent-Supervision: one-time-token-42\r\n"
    "Content-Length: 0\r\n\r\n--end msg--"
)


def _clock() -> dt.datetime:
    return dt.datetime(2026, 12, 2, 1, 2, 3, tzinfo=dt.UTC)


def test_messages_are_kept_masked_and_private(tmp_path: Path) -> None:
    path = tmp_path / "logs" / "sip-trace.log"
    trace = SipTraceFile(path, clock=_clock)
    trace.write(4, INVITE)
    trace.write(4, "pjsua_core.c  .TX tdta state change")  # chatter: not a message
    trace.write(2, "Registration failed: 408 Request Timeout")  # a warning: kept
    trace.close()
    text = path.read_text()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700
    assert "--- 2026-12-02T01:02:03.000Z level 4" in text
    assert "INVITE sip:+*********78@127.0.0.1 SIP/2.0" in text
    for secret in ("Jean Dupont", "n0nc3n0nc3", "abcdef0123", "one-time-token-42", "612345678"):
        assert secret not in text
    assert "Registration failed: 408" in text
    assert "tdta state change" not in text
    assert trace.written == 2


def test_the_file_rotates_within_its_bound(tmp_path: Path) -> None:
    path = tmp_path / "sip-trace.log"
    trace = SipTraceFile(path, max_bytes=8192, backups=2)
    for n in range(200):
        trace.write(4, INVITE.replace("cseq=2", f"cseq={n}"))
    trace.close()
    files = trace_files(path, 2)
    assert [p.name for p in files] == ["sip-trace.log.2", "sip-trace.log.1", "sip-trace.log"]
    assert all(p.stat().st_size <= 8192 for p in files)
    assert "cseq=199" in path.read_text()
    assert not (tmp_path / "sip-trace.log.3").exists()


def test_a_write_error_is_counted_never_raised(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    trace = SipTraceFile(blocker / "sip-trace.log")  # its folder cannot exist
    trace.write(4, INVITE)
    trace.write("x", None)  # type: ignore[arg-type]  # garbage from a binding
    trace.close()
    assert trace.dropped == 1
    trace.write(4, INVITE)  # after close: dropped, never raised
    assert trace.dropped == 2


def test_the_log_filter_hands_every_entry_to_the_trace() -> None:
    import logging

    seen: list[tuple[int, str]] = []
    f = PjsipLogFilter(logging.getLogger("test.trace"), trace=lambda lvl, m: seen.append((lvl, m)))
    f.write(4, INVITE)
    assert seen == [(4, INVITE)]
    assert is_message_dump(INVITE)
    assert not is_message_dump("INVITE sip:x SIP/2.0")


def test_a_trace_file_turns_message_logging_on() -> None:
    from homeagent.sip.endpoint import PythonLogWriter, endpoint_config

    lc = endpoint_config(EngineConfig(sip_trace_file="/x/t.log"), PythonLogWriter(), 4).logConfig
    assert (lc.msgLogging, lc.level) == (1, 4)


def test_writing_never_waits_for_the_disk_and_a_flood_is_bounded(tmp_path: Path) -> None:
    import time

    trace = SipTraceFile(tmp_path / "sip-trace.log")
    start = time.perf_counter()
    for _ in range(5000):  # more than the queue holds
        trace.write(4, INVITE)
    queued_s = time.perf_counter() - start
    trace.close(timeout_s=30)
    assert queued_s < 1.0  # the SIP thread only queues (masking happens on the writer)
    assert trace.written + trace.dropped == 5000
    assert trace.written >= 2000
