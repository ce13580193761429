"""The composition root when IT revokes the device: the desk closes, the sign-in dialog
comes back (saying why), and signing in again opens a new desk. Real `run_desk`, real
profile check, real store; fake device client and fake SIP engine."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from homeagent.core.sip_config import EngineConfig, SipAccountConfig
from homeagent.demo.world import write_signed_profile
from homeagent.desktop.app import AppOptions, run_desk
from homeagent.security.profile import parse_public_key
from homeagent.security.provisioning import ProfileStore
from homeagent.testing.device import FakeDevice
from homeagent.testing.fakes import FakeEngine
from homeagent.testing.vault import MemoryVault
from homeagent.ui.first_run.dialogs import EnrolDialog
from homeagent.ui.shell.main_window import MainWindow


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
        device_factory=FakeDevice,
        credentials=("alice", "mot-de-passe"),
    )


def _revoke_from_another_thread() -> None:
    """The real revocation is noticed on the event-stream or a worker thread."""
    threading.Thread(target=FakeDevice.instances[0].revoke, name="event-stream").start()


def _events(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_revocation_returns_to_sign_in_and_a_new_desk_opens(
    qtbot, options: AppOptions, tmp_path: Path
) -> None:
    FakeDevice.instances.clear()
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
    device = FakeDevice.instances[0]
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
    FakeDevice.instances.clear()

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


def test_a_refused_profile_is_shown_in_a_window_in_the_ui_language(
    options: AppOptions, tmp_path: Path
) -> None:
    from PySide6.QtWidgets import QMessageBox

    garbage = tmp_path / "garbage.json"
    garbage.write_bytes(b"\xff\xfe not a profile")
    options.profile_file = garbage
    options.lang = "fr"
    shown: list[str] = []

    def close_the_box() -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            shown.append(box.text())
            box.accept()

    timer = QTimer()
    timer.timeout.connect(close_the_box)
    timer.start(50)
    try:
        code = run_desk(options)
    finally:
        timer.stop()
    assert code == 1
    assert shown, "no window said why"
    assert shown[0].startswith("Ce profil a été refusé")


def test_a_device_enrolled_with_the_user_wide_secret_gets_its_own_before_the_desk(
    qtbot, options: AppOptions, tmp_path: Path
) -> None:
    """An app enrolled before SIP credentials were per device: its credential is renewed
    with its device tokens (no sign-in) before the desk, which then registers with it."""
    FakeDevice.instances.clear()
    accounts: list[SipAccountConfig] = []

    def legacy(profile: Any, vault: MemoryVault, *, data_dir: Path) -> FakeDevice:
        device = FakeDevice(profile, vault, data_dir=data_dir, enrolled=True)
        device.sip_renewals_due = 1
        return device

    def engine(config: EngineConfig, account: SipAccountConfig, on_event: Any, audio: Any = None):  # type: ignore[no-untyped-def]
        accounts.append(account)
        return FakeEngine(on_event, threaded=True)

    options.device_factory = legacy
    options.engine_factory = engine
    options.on_started = lambda session: QTimer.singleShot(100, session.window.close)
    assert run_desk(options) == 0
    device = FakeDevice.instances[0]
    assert device.enrolments == ["alice"]  # only its first enrolment: no sign-in again
    assert device.sip_renewals == 1
    assert device.vault.get_sip_secret() == "sip-renewed"
    assert len(accounts) == 1
    names = [e["event"] for e in _events(tmp_path / "data" / "events.jsonl")]
    assert names.index("sip_credential_renewed") < names.index("app_started")
    assert "enrolment_shown" not in names


def test_a_renewal_that_finds_the_device_revoked_shows_the_sign_in(
    qtbot, options: AppOptions, tmp_path: Path
) -> None:
    FakeDevice.instances.clear()

    def legacy(profile: Any, vault: MemoryVault, *, data_dir: Path) -> FakeDevice:
        device = FakeDevice(profile, vault, data_dir=data_dir, enrolled=True)
        device.sip_renewals_due = 1
        device.renew_sip_credential = device.revoke  # type: ignore[method-assign]
        return device

    seen: list[str] = []

    def drive() -> None:
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, EnrolDialog):
            seen.append(dialog.status.text())
            dialog.reject()

    timer = QTimer()
    timer.timeout.connect(drive)
    timer.start(50)
    options.device_factory = legacy
    options.credentials = None  # the agent signs in through the dialog
    watchdog = QTimer()
    watchdog.setSingleShot(True)
    watchdog.timeout.connect(lambda: [w.close() for w in QApplication.topLevelWidgets()])
    watchdog.start(20_000)
    try:
        assert run_desk(options) == 1  # the agent cancelled the sign-in
    finally:
        timer.stop()
        watchdog.stop()
    assert seen
    assert "disconnected this computer" in seen[0]
    names = [e["event"] for e in _events(tmp_path / "data" / "events.jsonl")]
    assert "app_started" not in names  # no desk over a wiped device
