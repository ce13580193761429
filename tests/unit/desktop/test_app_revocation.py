"""The composition root when IT revokes the device: the desk closes, the sign-in dialog
comes back (saying why), and signing in again opens a new desk. Real `run_desk`, real
profile check, real store; fake device client and fake SIP engine."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import Any, ClassVar

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from homeagent.core.sip_config import EngineConfig, SipAccountConfig
from homeagent.crm.outbox import Outbox
from homeagent.crm.store import LocalStore
from homeagent.demo.world import write_signed_profile
from homeagent.desktop.app import AppOptions, run_desk
from homeagent.security.profile import parse_public_key
from homeagent.security.provisioning import ProfileStore
from homeagent.testing.fakes import FakeEngine
from homeagent.testing.vault import MemoryVault
from homeagent.ui.first_run.dialogs import EnrolDialog
from homeagent.ui.shell.main_window import MainWindow
from tests.unit.desktop.test_session import FakeClient


class RevocableDevice:
    """`DeviceSession`'s surface over a real encrypted store; `revoke()` acts like the
    server's revocation (wipe, then the listeners on the noticing thread)."""

    instances: ClassVar[list[RevocableDevice]] = []

    def __init__(self, profile: Any, vault: MemoryVault, *, data_dir: Path) -> None:
        self.profile, self.vault, self.data_dir = profile, vault, data_dir
        self.client = FakeClient()
        self._listeners: list[Any] = []
        self._store: LocalStore | None = None
        self.enrolments: list[str] = []
        self.started = 0
        RevocableDevice.instances.append(self)

    @property
    def is_enrolled(self) -> bool:
        return self.vault.get_refresh_token() is not None

    def enrol(self, username: str, password: str, device_name: str) -> None:
        assert password == "mot-de-passe"
        self.vault.set_refresh_token("refresh")
        self.vault.set_sip_secret("sip")
        (self.data_dir / "device.json").write_text(json.dumps({"user": {"id": "u-1"}}))
        self.enrolments.append(username)

    @property
    def store(self) -> LocalStore:
        if self._store is None:
            self._store = LocalStore.open(self.vault.data_key(), self.data_dir)
            self.outbox = Outbox(self._store)
        return self._store

    def sip_account(self, ca_file: str | None = None) -> SipAccountConfig:
        return SipAccountConfig("127.0.0.1", 5060, "demo.local", "1001", "sip")

    def on_revoked(self, callback: Any) -> None:
        self._listeners.append(callback)

    def start(self, **_callbacks: Any) -> None:
        self.started += 1

    def stop(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None

    def close(self) -> None:
        self.stop()

    def revoke(self) -> None:
        if self._store is not None:
            self._store.wipe()
            self._store = None
        self.vault.wipe()
        (self.data_dir / "device.json").unlink(missing_ok=True)
        for callback in self._listeners:
            callback()


def _engine(config: EngineConfig, account: SipAccountConfig, on_event: Any, audio: Any = None):  # type: ignore[no-untyped-def]
    return FakeEngine(on_event, threaded=True)


@pytest.fixture
def options(tmp_path: Path) -> AppOptions:
    profile = tmp_path / "profile.json"
    key = write_signed_profile(
        profile, server_url="http://127.0.0.1:9", sip_port=5060, organisation="Org Test"
    )
    store = ProfileStore(
        user_config_dir=tmp_path / "config",
        system_dir=tmp_path / "system",
        trusted_keys=[parse_public_key(key)],
    )
    vault = MemoryVault()
    return AppOptions(
        profile_file=profile,
        lang="en",
        data_dir=tmp_path / "data",
        config_dir=tmp_path / "config",
        use_audio=False,
        dark=False,
        profile_store=store,
        vault=vault,
        engine_factory=_engine,
        device_factory=RevocableDevice,
        credentials=("alice", "mot-de-passe"),
    )


def _revoke_from_another_thread() -> None:
    """The real revocation is noticed on the event-stream or a worker thread."""
    threading.Thread(target=RevocableDevice.instances[0].revoke, name="event-stream").start()


def _events(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_revocation_returns_to_sign_in_and_a_new_desk_opens(
    qtbot, options: AppOptions, tmp_path: Path
) -> None:
    RevocableDevice.instances.clear()
    seen: dict[str, Any] = {"desks": [], "dialog_text": ""}
    script: list[str] = []

    def on_started(session: Any) -> None:
        seen["desks"].append(session.window)
        script.append("first desk")
        QTimer.singleShot(200, _revoke_from_another_thread)

    def drive() -> None:  # plays the agent: sign in when asked, then quit the new desk
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        dialog = app.activeModalWidget()
        if isinstance(dialog, EnrolDialog) and "dialog" not in script:
            script.append("dialog")
            seen["dialog_text"] = dialog.status.text()
            dialog.username.setText("alice")
            dialog.password.setText("mot-de-passe")
            dialog.buttons.accepted.emit()
            return
        desks = [w for w in app.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
        if "dialog" in script and desks and "second desk" not in script:
            script.append("second desk")
            seen["desks"].append(desks[0])
            QTimer.singleShot(300, desks[0].close)

    timer = QTimer()
    timer.timeout.connect(drive)
    timer.start(50)
    options.on_started = on_started
    watchdog = QTimer()
    watchdog.setSingleShot(True)
    watchdog.timeout.connect(lambda: [w.close() for w in QApplication.topLevelWidgets()])
    watchdog.start(20_000)
    try:
        code = run_desk(options)
    finally:
        timer.stop()
        watchdog.stop()
    assert code == 0
    assert script == ["first desk", "dialog", "second desk"]
    device = RevocableDevice.instances[0]
    assert device.enrolments == ["alice", "alice"]  # handed-over credentials, then the dialog
    assert device.started == 2
    assert "disconnected this computer" in seen["dialog_text"]
    first, second = seen["desks"]
    assert first is not second
    lifecycle = {"device_revoked", "app_stopping", "app_stopped", "enrolment_shown", "enrolled",
                 "app_started"}  # fmt: skip
    names = [e["event"] for e in _events(tmp_path / "data" / "events.jsonl")]
    names = [n for n in names if n in lifecycle]
    start = names.index("device_revoked")
    assert names[start:] == [
        "device_revoked",
        "app_stopping",
        "app_stopped",
        "enrolment_shown",
        "enrolled",
        "app_started",
        "app_stopping",
        "app_stopped",
    ]
    assert [e for e in _events(tmp_path / "data" / "events.jsonl")
            if e["event"] == "enrolment_shown"][-1]["after_revocation"] is True  # fmt: skip
    assert os.path.exists(tmp_path / "data" / "device.json")


def test_cancelling_the_sign_in_after_revocation_quits(
    qtbot, options: AppOptions, tmp_path: Path
) -> None:
    RevocableDevice.instances.clear()

    def on_started(_session: Any) -> None:
        QTimer.singleShot(100, _revoke_from_another_thread)

    def drive() -> None:
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, EnrolDialog):
            dialog.reject()

    timer = QTimer()
    timer.timeout.connect(drive)
    timer.start(50)
    options.on_started = on_started
    try:
        code = run_desk(options)
    finally:
        timer.stop()
    assert code == 1
    names = [e["event"] for e in _events(tmp_path / "data" / "events.jsonl")]
    assert names[-2:] == ["enrolment_shown", "app_cancelled"]
    assert not (tmp_path / "data" / "device.json").exists()
