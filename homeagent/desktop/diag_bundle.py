"""The diagnostics bundle for IT: ``homeagent diagnose --bundle FILE.zip`` and the desk's
"Créer un rapport de diagnostic".

One zip file, built on this PC, masked before it is written (`homeagent.core.diag_mask`),
shown to the agent, and sent to the organisation's server only when the agent agrees
(`POST /agents/me/diagnostics`, docs/api.md). It holds:

==================  ==============================================================
``versions.json``   HomeAgent, pjsua2, Qt/PySide6 and Python versions; the OS
``events.jsonl``    the event log's last ``hours`` (8 by default), at most 2 MiB
``sip-trace.log``   the SIP messages of the last calls (`homeagent.sip.sip_trace`),
                    at most 4 MiB, newest kept
``audio.json``      microphones and headsets as Qt Multimedia names them; the choices
``last-check.json`` the last pre-shift check (``<data dir>/last-check.json``), if any
``call-quality.json`` MOS, loss, jitter, round trip of the calls in the event log
``outbox.json``     what waits to be sent (counts, ages) and the dead letters' kinds,
                    errors and ages, never their content
``manifest.json``   every file above: size, SHA-256, what was masked (by rule), whether
                    it was cut; and the files that could not be read, with why
==================  ==============================================================

Every text goes through one :class:`~homeagent.core.diag_mask.Masker` that knows the
PC's own secrets (SIP secret and its HA1, tokens, the cache key) and the names in the
contact cache, so none of them leaves the PC even where a pattern would miss them. A file
that cannot be read is listed as skipped, never a crash; the zip is written 0600, whole
or not at all.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import logging
import os
import platform
import sys
import tempfile
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from homeagent.core.audio_setup import AUDIO_SETTINGS_FILE
from homeagent.core.diag_mask import Masker

log = logging.getLogger(__name__)

EVENT_LOG_FILE = "events.jsonl"
LAST_CHECK_FILE = "last-check.json"
DEFAULT_HOURS = 8.0
MAX_EVENT_LOG_BYTES = 2 * 1024 * 1024
MAX_TRACE_BYTES = 4 * 1024 * 1024
MAX_SMALL_FILE_BYTES = 256 * 1024  # last-check.json, audio.json: more is not theirs
# what the server takes (`Limits.diagnostics_max_bytes`); the caps above keep a bundle
# far below it (text compresses ~10x), this is the last guard
MAX_BUNDLE_BYTES = 8 * 1024 * 1024
BUNDLE_FORMAT = 1


@dataclass(frozen=True, slots=True)
class BundleFile:
    """One file of the bundle, as the manifest lists it."""

    name: str
    size_bytes: int
    sha256: str
    source: str  # where it came from ("<data dir>/events.jsonl", "Qt Multimedia"…)
    masked: dict[str, int]  # rule → how many values were hidden
    truncated: bool = False
    note: str = ""


@dataclass(frozen=True, slots=True)
class Skipped:
    """A part of the bundle that could not be included, and why."""

    name: str
    reason: str


@dataclass(frozen=True, slots=True)
class Bundle:
    """A built bundle: the zip on disk and what it holds."""

    path: Path
    files: tuple[BundleFile, ...]
    skipped: tuple[Skipped, ...]
    created_at: str

    @property
    def size_bytes(self) -> int:
        return self.path.stat().st_size


@dataclass
class Sources:
    """What a bundle is made of; every part is optional (a missing part is skipped)."""

    data_dir: Path
    hours: float = DEFAULT_HOURS
    secrets: tuple[str, ...] = ()  # exact values that must never leave the PC
    names: tuple[str, ...] = ()  # customers' names of the contact cache
    outbox: Any = None  # `crm.outbox.Outbox`
    audio: Callable[[], dict[str, Any]] | None = None  # the devices as Qt names them
    trace_file: Path | None = None  # the SIP trace; default <data dir>/logs/sip-trace.log
    skipped: list[Skipped] = field(default_factory=list)  # found while gathering


# -- the parts -------------------------------------------------------------------------


def versions() -> dict[str, Any]:
    """HomeAgent, pjsua2, Qt and Python versions, and the operating system."""
    from importlib.metadata import PackageNotFoundError, version

    def dist(name: str) -> str:
        try:
            return version(name)
        except PackageNotFoundError:
            return "not installed"

    qt = "unknown"
    with contextlib.suppress(Exception):
        from PySide6.QtCore import qVersion

        qt = str(qVersion())
    os_release: dict[str, str] = {}
    with contextlib.suppress(OSError, AttributeError):
        os_release = dict(platform.freedesktop_os_release())
    import homeagent

    return {
        "homeagent": dist("homeagent")
        if dist("homeagent") != "not installed"
        else homeagent.__version__,
        "pjsua2": dist("pjsua2-python"),
        "qt": qt,
        "pyside6": dist("PySide6"),
        "python": sys.version.split()[0],
        "python_implementation": platform.python_implementation(),
        "os": {
            "system": platform.system(),
            "release": platform.release(),
            "version": platform.version(),
            "machine": platform.machine(),
            "platform": platform.platform(),
            "distribution": os_release.get("PRETTY_NAME", ""),
        },
    }


def qt_audio_devices() -> dict[str, Any]:
    """Microphones and speakers as Qt Multimedia names them (a Q(Core)Application exists)."""
    from PySide6.QtMultimedia import QMediaDevices

    def describe(devices: Iterable[Any], default: Any) -> list[dict[str, Any]]:
        return [{"name": d.description(), "default": d.id() == default.id()} for d in devices]

    return {
        "inputs": describe(QMediaDevices.audioInputs(), QMediaDevices.defaultAudioInput()),
        "outputs": describe(QMediaDevices.audioOutputs(), QMediaDevices.defaultAudioOutput()),
    }


def _read_tail(path: Path, max_bytes: int) -> tuple[bytes, bool]:
    """The last `max_bytes` of a file, from a line start; (data, whether it was cut)."""
    with path.open("rb") as handle:
        handle.seek(0, os.SEEK_END)
        size = handle.tell()
        start = max(0, size - max_bytes)
        handle.seek(start)
        data = handle.read(max_bytes)
    if start > 0:
        cut = data.find(b"\n")
        data = data[cut + 1 :] if cut >= 0 else b""
    return data, start > 0


def _event_time(line: bytes) -> dt.datetime | None:
    try:
        record = json.loads(line)
        stamp = str(record["ts"]).replace("Z", "+00:00")
        moment = dt.datetime.fromisoformat(stamp)
    except (ValueError, KeyError, TypeError):
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def recent_events(path: Path, since: dt.datetime) -> tuple[list[bytes], bool]:
    """The event log's lines since `since` (at most `MAX_EVENT_LOG_BYTES`, newest kept).

    A line without a readable time is kept when the line before it was (a broken line in
    the middle of the window is evidence too). (lines, whether older lines were cut).
    """
    data, cut = _read_tail(path, MAX_EVENT_LOG_BYTES)
    kept: list[bytes] = []
    inside = False
    for line in data.split(b"\n"):
        if not line.strip():
            continue
        moment = _event_time(line)
        if moment is not None:
            inside = moment >= since
        if inside:
            kept.append(line)
    return kept, cut


def call_quality(lines: Iterable[bytes]) -> list[dict[str, Any]]:
    """The calls of the event log with their last quality figures (numbers only)."""
    calls: list[dict[str, Any]] = []
    for line in lines:
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if not isinstance(record, dict) or record.get("event") != "call_ended":
            continue
        row: dict[str, Any] = {"ended_at": str(record.get("ts", ""))[:32]}
        for key in ("duration_s", "answered", "code", "mos", "loss_pct", "jitter_ms", "rtt_ms"):
            value = record.get(key)
            if isinstance(value, bool | int | float):
                row[key] = value
        codec = record.get("codec")
        if isinstance(codec, str):
            row["codec"] = codec[:32]
        calls.append(row)
    return calls


def outbox_state(outbox: Any, now: dt.datetime) -> dict[str, Any]:
    """Counts, ages and dead letters of the outbox, without any entry's content."""
    status = outbox.status()
    pending = outbox.items("pending")

    def age_s(moment: dt.datetime | None) -> float | None:
        if moment is None:
            return None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=dt.UTC)
        return round((now - moment).total_seconds(), 1)

    created = [dt.datetime.fromisoformat(i.created_at.replace("Z", "+00:00")) for i in pending]
    kinds: dict[str, int] = {}
    for item in pending:
        kinds[item.kind] = kinds.get(item.kind, 0) + 1
    return {
        "pending": status.pending,
        "retrying": status.retrying,
        "pending_by_kind": kinds,
        "oldest_pending_age_s": age_s(min(created)) if created else None,
        "dead_letters": [
            {
                "kind": d.kind,
                "status": d.status,
                "error": d.error,
                "attempts": d.attempts,
                "age_s": age_s(d.created_at),
                "failed_age_s": age_s(d.failed_at),
            }
            for d in outbox.dead_letters()
        ],
    }


# -- building ------------------------------------------------------------------------


class _Writer:
    """Adds masked files to the zip and remembers what the manifest says of them."""

    def __init__(self, archive: zipfile.ZipFile, sources: Sources) -> None:
        self.archive = archive
        self.sources = sources
        self.files: list[BundleFile] = []
        self.skipped: list[Skipped] = list(sources.skipped)
        self._words = Masker.name_words(sources.names)  # once for every file

    def masker(self) -> Masker:
        return Masker(secrets=self.sources.secrets, name_words=self._words)

    def add_text(
        self, name: str, raw: bytes | str, source: str, *, truncated: bool = False, note: str = ""
    ) -> None:
        masker = self.masker()
        text = masker.data(raw) if isinstance(raw, bytes) else masker.text(raw)
        data = text.encode("utf-8")
        self.archive.writestr(name, data)
        self.files.append(
            BundleFile(
                name=name,
                size_bytes=len(data),
                sha256=hashlib.sha256(data).hexdigest(),
                source=source,
                masked=masker.summary(),
                truncated=truncated,
                note=note,
            )
        )

    def add_json(self, name: str, value: Any, source: str, *, note: str = "") -> None:
        self.add_text(
            name, json.dumps(value, ensure_ascii=False, indent=2) + "\n", source, note=note
        )

    def part(self, name: str, build: Callable[[], None]) -> None:
        """Run one part; a failure lists it as skipped (with the error's kind) instead."""
        try:
            build()
        except FileNotFoundError:
            self.skipped.append(Skipped(name, "not present"))
        except PermissionError:
            self.skipped.append(Skipped(name, "not readable (permission denied)"))
        except IsADirectoryError:
            self.skipped.append(Skipped(name, "not readable (a folder)"))
        except Exception as exc:  # one unreadable part must not cost the others
            log.warning("diagnostics bundle: %s skipped (%s)", name, type(exc).__name__)
            self.skipped.append(Skipped(name, f"not readable ({type(exc).__name__})"))


def build(target: Path, sources: Sources, *, now: dt.datetime | None = None) -> Bundle:
    """Write the bundle to `target` (0600, atomically) and return what it holds."""
    now = now or dt.datetime.now(dt.UTC)
    created_at = now.isoformat(timespec="seconds").replace("+00:00", "Z")
    data_dir = sources.data_dir
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)  # new folders: owner only
    fd, tmp_name = tempfile.mkstemp(prefix=".bundle-", suffix=".zip", dir=target.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as raw, zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as zf:
            out = _Writer(zf, sources)
            out.part("versions.json", lambda: out.add_json("versions.json", versions(), "this PC"))
            event_lines: list[bytes] = []

            def events() -> None:
                since = now - dt.timedelta(hours=max(0.0, sources.hours))
                lines, cut = recent_events(data_dir / EVENT_LOG_FILE, since)
                event_lines.extend(lines)
                out.add_text(
                    "events.jsonl",
                    b"\n".join(lines) + (b"\n" if lines else b""),
                    f"<data dir>/{EVENT_LOG_FILE}",
                    truncated=cut,
                    note=f"the last {sources.hours:g} h"
                    + (f"; older lines cut at {MAX_EVENT_LOG_BYTES // 1024} KiB" if cut else ""),
                )

            out.part("events.jsonl", events)
            out.part("sip-trace.log", lambda: _add_trace(out, sources))
            out.part("audio.json", lambda: _add_audio(out, sources))
            out.part("last-check.json", lambda: _add_small(out, data_dir / LAST_CHECK_FILE))
            out.part(
                "call-quality.json",
                lambda: out.add_json(
                    "call-quality.json",
                    {"calls": call_quality(event_lines)},
                    "the event log's call_ended lines",
                ),
            )
            if sources.outbox is not None:
                out.part(
                    "outbox.json",
                    lambda: out.add_json(
                        "outbox.json", outbox_state(sources.outbox, now), "the local outbox"
                    ),
                )
            else:
                out.skipped.append(Skipped("outbox.json", "the local cache is not open"))
            manifest = {
                "format": BUNDLE_FORMAT,
                "created_at": created_at,
                "hours": sources.hours,
                "files": [_file_entry(f) for f in out.files],
                "skipped": [{"name": s.name, "reason": s.reason} for s in out.skipped],
                "masking": (
                    "secret: this PC's own secrets; digest: authentication parameters; "
                    "token: tokens and supervision tokens; name: display names and the "
                    "contact cache's names; number: phone numbers but their last 2 digits"
                ),
            }
            zf.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")
        if tmp.stat().st_size > MAX_BUNDLE_BYTES:
            raise BundleTooLarge(tmp.stat().st_size)
        os.chmod(tmp, 0o600)
        tmp.replace(target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return Bundle(target, tuple(out.files), tuple(out.skipped), created_at)


class BundleTooLarge(RuntimeError):
    """The zip came out larger than the server takes (should not happen: parts are capped)."""

    def __init__(self, size_bytes: int) -> None:
        super().__init__(f"the bundle is {size_bytes} bytes, more than {MAX_BUNDLE_BYTES}")
        self.size_bytes = size_bytes


def _file_entry(f: BundleFile) -> dict[str, Any]:
    return {
        "name": f.name,
        "bytes": f.size_bytes,
        "sha256": f.sha256,
        "source": f.source,
        "masked": f.masked,
        "truncated": f.truncated,
        "note": f.note,
    }


def _add_trace(out: _Writer, sources: Sources) -> None:
    from homeagent.sip.sip_trace import TRACE_FILE, trace_files

    path = sources.trace_file or sources.data_dir / TRACE_FILE
    files = trace_files(path)
    if not files:
        raise FileNotFoundError(path)
    chunks: list[bytes] = []
    budget, cut = MAX_TRACE_BYTES, False
    for part in reversed(files):  # newest first, until the budget is spent
        data, part_cut = _read_tail(part, budget)
        chunks.insert(0, data)
        budget -= len(data)
        if part_cut or budget <= 0:
            cut = cut or part_cut or part is not files[0]
            break
    out.add_text(
        "sip-trace.log",
        b"".join(chunks),
        f"<data dir>/{TRACE_FILE} (+{len(files) - 1} older)",
        truncated=cut,
        note="the SIP messages of the last calls, masked when written and again here"
        + (f"; older messages cut at {MAX_TRACE_BYTES // 1024} KiB" if cut else ""),
    )


def _add_audio(out: _Writer, sources: Sources) -> None:
    found: dict[str, Any] = {}
    if sources.audio is not None:
        try:
            found["devices"] = sources.audio()
        except Exception as exc:
            found["devices_error"] = type(exc).__name__
    settings = sources.data_dir / AUDIO_SETTINGS_FILE
    if settings.exists():
        data, _cut = _read_tail(settings, MAX_SMALL_FILE_BYTES)
        try:
            found["settings"] = json.loads(data)
        except ValueError:
            found["settings_error"] = "audio.json is not valid JSON"
    out.add_json("audio.json", found, "Qt Multimedia; <data dir>/audio.json")


def _add_small(out: _Writer, path: Path) -> None:
    size = path.stat().st_size
    data, cut = (
        _read_tail(path, MAX_SMALL_FILE_BYTES)
        if size > MAX_SMALL_FILE_BYTES
        else (
            path.read_bytes(),
            False,
        )
    )
    out.add_text(path.name, data, f"<data dir>/{path.name}", truncated=cut)


def read_entries(path: Path) -> list[tuple[str, str]]:
    """The bundle's files as text (name, text), the manifest first: what the agent reads."""
    with zipfile.ZipFile(path) as zf:
        order = zf.namelist()
        names = sorted(order, key=lambda n: (n != "manifest.json", order.index(n)))
        return [(n, zf.read(n).decode("utf-8", errors="replace")) for n in names]
