"""``homeagent --self-test``: does this installation hold everything the desk needs?

For IT after an install, and for the package build (a bundle that misses a binary part
fails here, not on an agent's first call). Each check runs in this process and prints one
line; nothing leaves the machine:

- Qt: every Qt module the app uses imports, and the X11 platform plugin is there;
- SIP: a pjsua2 endpoint is created, started on 127.0.0.1 and destroyed (no account);
- SQLCipher: an encrypted database is created in a temp folder, read back with its key,
  refused with another key, and holds no clear text;
- audio: Qt Multimedia lists the sound devices (PulseAudio or PipeWire must be running for
  this user: no device is a failure, with that reason);
- noise: the microphone's noise filter loads and quietens steady noise (not on Windows,
  where it is not part of the build);
- keyring: the Secret Service backend is present in this installation, and a secure system
  keyring is found — or the app's own refusal message is printed (a session without an
  unlocked keyring is not a broken installation: the desk says the same at start).

Exit status 0 when every check passes, 1 otherwise (``FAIL name: reason`` lines on stderr).
"""

from __future__ import annotations

import os
import secrets
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import homeagent

Check = Callable[[], str]


def check_sip() -> str:
    from homeagent.sip.selftest import check_endpoint

    return f"pjsua2 {check_endpoint()} started and stopped"


def check_sqlcipher() -> str:
    from homeagent.crm.db import StoreKeyMismatch, open_database

    marker = "selftest-" + secrets.token_hex(8)
    with tempfile.TemporaryDirectory(prefix="homeagent-selftest-") as tmp:
        path = Path(tmp) / "check.db"
        key = secrets.token_bytes(32)
        conn, db = open_database(path, key)
        try:
            db.execute("CREATE TABLE selftest (v TEXT)")
            db.execute("INSERT INTO selftest VALUES (?)", [marker])
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            conn.close()
        conn, db = open_database(path, key)
        try:
            read = db.execute("SELECT v FROM selftest").fetchone()[0]
            version = db.execute("PRAGMA cipher_version").fetchone()[0]
        finally:
            conn.close()
        if read != marker:
            raise RuntimeError("the encrypted database did not give back what was written")
        raw = b"".join(p.read_bytes() for p in Path(tmp).iterdir())
        if marker.encode() in raw or b"SQLite format 3" in raw:
            raise RuntimeError("the database file is not encrypted")
        import sqlcipher3

        quiet = sqlcipher3.connect(":memory:")  # the refusal below is expected: no log
        quiet.execute("PRAGMA cipher_log_level = NONE")
        quiet.close()
        try:
            conn, _ = open_database(path, secrets.token_bytes(32))
        except StoreKeyMismatch:
            pass
        else:
            conn.close()
            raise RuntimeError("the encrypted database opened with a wrong key")
    return f"SQLCipher {version}: encrypted database created, read back, wrong key refused"


# The Qt modules the app imports (a trimmed bundle that lost a library they link to fails
# here: the lead console's charts need QtOpenGLWidgets, for one).
QT_MODULES = ("QtCore", "QtGui", "QtWidgets", "QtNetwork", "QtMultimedia", "QtCharts")


def check_qt() -> str:
    import importlib

    for name in QT_MODULES:
        importlib.import_module(f"PySide6.{name}")
    from PySide6 import __version__ as pyside_version
    from PySide6.QtCore import QLibraryInfo

    plugins = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath)) / "platforms"
    platforms = sorted(p.name for p in plugins.glob("libq*.so")) if plugins.is_dir() else []
    if sys.platform.startswith("linux") and "libqxcb.so" not in platforms:
        raise RuntimeError(f"Qt's X11 platform plugin is missing from {plugins}")
    return f"PySide6 {pyside_version}: {', '.join(QT_MODULES)}"


def check_audio() -> str:
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtMultimedia import QMediaDevices

    _app = QCoreApplication.instance() or QCoreApplication(["homeagent-self-test"])
    inputs = QMediaDevices.audioInputs()
    outputs = QMediaDevices.audioOutputs()
    if not inputs and not outputs:
        raise RuntimeError(
            "Qt Multimedia sees no sound device: is PulseAudio or PipeWire running for this user?"
        )
    return f"Qt Multimedia: {len(inputs)} input(s), {len(outputs)} output(s)"


def check_keyring() -> str:
    import keyring.backend

    from homeagent.security.vault import Vault, VaultUnavailable

    keyring.backend.get_all_keyring()  # loads the backends the installation declares
    if sys.platform.startswith("linux") and "keyring.backends.SecretService" not in sys.modules:
        # not merely "not running": keyring's entry points (or the module) are missing
        raise RuntimeError("the Secret Service keyring backend is missing from this installation")
    try:
        vault = Vault()
    except VaultUnavailable as exc:
        return f"no secure keyring in this session; the desk will say: {exc}"
    return f"secure keyring: {vault.backend_name}"


def check_noise() -> str:
    from homeagent.sip.audio.denoise import self_check

    return self_check()


CHECKS: tuple[tuple[str, Check], ...] = (
    ("qt", check_qt),
    ("sip", check_sip),
    ("sqlcipher", check_sqlcipher),
    ("audio", check_audio),
    ("keyring", check_keyring),
    ("noise", check_noise),
)


def run(checks: tuple[tuple[str, Check], ...] = CHECKS) -> int:
    """Run every check; print ``ok name: detail`` or ``FAIL name: reason``; 0 if all pass."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    failed = 0
    print(f"HomeAgent {homeagent.__version__} self-test ({sys.executable})", flush=True)
    for name, check in checks:
        try:
            detail = check()
        except Exception as exc:
            failed += 1
            reason = " ".join(str(exc).split()) or type(exc).__name__
            print(f"FAIL {name}: {type(exc).__name__}: {reason}", file=sys.stderr, flush=True)
        else:
            print(f"ok   {name}: {detail}", flush=True)
    print("self-test passed" if not failed else f"self-test failed ({failed})", flush=True)
    return 0 if not failed else 1
