"""The diagnostics bundle: its parts, its caps, what it skips, what never leaves the PC."""

from __future__ import annotations

import datetime as dt
import json
import os
import stat
from pathlib import Path

import pytest

from homeagent.client.errors import ApiError
from homeagent.crm.outbox import Outbox
from homeagent.crm.store import LocalStore
from homeagent.desktop import diag_bundle
from homeagent.desktop.diag_bundle import Sources, build, read_entries

NOW = dt.datetime(2026, 12, 2, 12, 0, tzinfo=dt.UTC)


def _event(at: dt.datetime, event: str, **fields: object) -> str:
    stamp = at.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return json.dumps({"ts": stamp, "event": event, **fields}) + "\n"


def _files(path: Path) -> dict[str, str]:
    return dict(read_entries(path))


def test_a_bundle_holds_every_part_and_a_manifest(tmp_path: Path) -> None:
    data = tmp_path / "data"
    (data / "logs").mkdir(parents=True)
    (data / "events.jsonl").write_text(
        _event(NOW - dt.timedelta(hours=30), "app_started")
        + _event(NOW - dt.timedelta(hours=1), "call_answered", call_id=3)
        + _event(
            NOW - dt.timedelta(minutes=50),
            "call_ended",
            call_id=3,
            code=200,
            answered=True,
            duration_s=62.5,
            mos=3.9,
            loss_pct=1.5,
            jitter_ms=12.0,
            rtt_ms=48.0,
            codec="G722",
            remote_number="+*********78",
        )
    )
    (data / "logs" / "sip-trace.log").write_text(
        "--- 2026-12-02T11:10:00.000Z level 4\nTX 400 bytes Request msg INVITE\n"
        'INVITE sip:+33612345678@127.0.0.1 SIP/2.0\nFrom: "Jean Dupont" <sip:1001@x>\n'
    )
    (data / "last-check.json").write_text('{"overall": "amber", "mos_g722": 3.6}')
    (data / "audio.json").write_text('{"input": "USB-Headset Mono"}')
    store = LocalStore.open(bytes(32), tmp_path / "cache")
    try:
        outbox = Outbox(store)
        outbox.add_note("c-1", "Mme Dupont: rappeler au 06 12 34 56 78")  # content: never
        outbox.add_note("c-2", "second note")

        class Refuses:
            def request(self, method: str, path: str, body: object = None, **_: object) -> object:
                raise ApiError(422, "invalid_input", "text: too long")

        outbox.send_pending(Refuses())
        outbox.add_note("c-3", "waiting")
        sources = Sources(
            data_dir=data,
            hours=8,
            names=("Jean", "Dupont"),
            outbox=outbox,
            audio=lambda: {"inputs": [{"name": "USB-Headset Mono", "default": True}]},
        )
        bundle = build(tmp_path / "out" / "b.zip", sources, now=NOW)
    finally:
        store.close()
    files = _files(bundle.path)
    assert next(iter(files)) == "manifest.json"
    assert set(files) == {
        "manifest.json", "versions.json", "events.jsonl", "sip-trace.log", "audio.json",
        "last-check.json", "call-quality.json", "outbox.json",
    }  # fmt: skip
    assert stat.S_IMODE(os.stat(bundle.path).st_mode) == 0o600
    versions = json.loads(files["versions.json"])
    assert {"homeagent", "pjsua2", "qt", "python", "os"} <= set(versions)
    assert versions["pjsua2"].startswith("2.")
    events = files["events.jsonl"].splitlines()
    assert [json.loads(e)["event"] for e in events] == ["call_answered", "call_ended"]
    calls = json.loads(files["call-quality.json"])["calls"]
    assert calls == [
        {"ended_at": "2026-12-02T11:10:00.000Z", "duration_s": 62.5, "answered": True,
         "code": 200, "mos": 3.9, "loss_pct": 1.5, "jitter_ms": 12.0, "rtt_ms": 48.0,
         "codec": "G722"},
    ]  # fmt: skip
    assert "Dupont" not in files["sip-trace.log"]
    assert "12345678" not in files["sip-trace.log"]
    assert json.loads(files["last-check.json"])["overall"] == "amber"
    assert json.loads(files["audio.json"])["settings"] == {"input": "USB-Headset Mono"}
    box = json.loads(files["outbox.json"])
    assert box["pending"] == 1
    assert box["pending_by_kind"] == {"note": 1}
    assert [d["kind"] for d in box["dead_letters"]] == ["note", "note"]
    assert box["dead_letters"][0]["error"].startswith("422 invalid_input")
    assert "rappeler" not in files["outbox.json"]
    assert "second note" not in files["outbox.json"]
    manifest = json.loads(files["manifest.json"])
    listed = {f["name"]: f for f in manifest["files"]}
    assert set(listed) == set(files) - {"manifest.json"}
    assert listed["sip-trace.log"]["masked"] == {"name": 1, "number": 1}
    assert manifest["skipped"] == []
    for name, entry in listed.items():
        assert entry["bytes"] == len(files[name].encode())


def test_missing_and_unreadable_parts_are_listed_as_skipped(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "events.jsonl").mkdir()  # a folder where the log should be
    (data / "last-check.json").write_text("{}")
    (data / "last-check.json").chmod(0)

    def audio_fails() -> dict[str, object]:
        raise RuntimeError("no sound server")

    bundle = build(tmp_path / "b.zip", Sources(data_dir=data, audio=audio_fails), now=NOW)
    skipped = {s.name: s.reason for s in bundle.skipped}
    assert skipped["events.jsonl"] == "not readable (a folder)"
    assert skipped["sip-trace.log"] == "not present"
    assert skipped["outbox.json"] == "the local cache is not open"
    if os.geteuid() != 0:  # root reads a 000 file anyway
        assert skipped["last-check.json"] == "not readable (permission denied)"
    files = _files(bundle.path)
    assert json.loads(files["audio.json"]) == {"devices_error": "RuntimeError"}
    manifest = json.loads(files["manifest.json"])
    assert {s["name"] for s in manifest["skipped"]} == set(skipped)


def test_a_huge_event_log_is_cut_to_its_newest_lines(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    line = _event(NOW - dt.timedelta(minutes=5), "registration", state="registered", pad="x" * 900)
    with (data / "events.jsonl").open("w") as f:
        for _ in range(5000):  # ~4.7 MB, all within the window
            f.write(line)
        f.write(_event(NOW - dt.timedelta(minutes=1), "last_one"))
    bundle = build(tmp_path / "b.zip", Sources(data_dir=data), now=NOW)
    events = _files(bundle.path)["events.jsonl"]
    assert len(events.encode()) <= diag_bundle.MAX_EVENT_LOG_BYTES
    assert json.loads(events.splitlines()[-1])["event"] == "last_one"
    assert all(json.loads(e)["event"] for e in events.splitlines())  # no half line
    entry = next(f for f in bundle.files if f.name == "events.jsonl")
    assert entry.truncated
    assert "cut" in entry.note
    assert bundle.size_bytes < diag_bundle.MAX_BUNDLE_BYTES


def test_the_sip_trace_takes_the_newest_rotated_files_within_its_cap(tmp_path: Path) -> None:
    data = tmp_path / "data"
    (data / "logs").mkdir(parents=True)
    chunk = ("--- x level 4\nRX 1 bytes\nOPTIONS sip:x SIP/2.0\n" * 30000).encode()  # ~1.3 MB
    for suffix in (".3", ".2", ".1", ""):
        (data / "logs" / f"sip-trace.log{suffix}").write_bytes(
            chunk + f"END{suffix or '.0'}\n".encode()
        )
    bundle = build(tmp_path / "b.zip", Sources(data_dir=data), now=NOW)
    trace = _files(bundle.path)["sip-trace.log"]
    assert len(trace.encode()) <= diag_bundle.MAX_TRACE_BYTES
    assert trace.rstrip().endswith("END.0")  # the current file, last
    assert "END.1" in trace
    assert "END.3" not in trace
    assert next(f for f in bundle.files if f.name == "sip-trace.log").truncated


def test_nothing_is_left_behind_when_the_target_cannot_be_written(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(OSError):
        build(blocker / "b.zip", Sources(data_dir=tmp_path), now=NOW)
    assert not list(tmp_path.glob("**/.bundle-*"))
