"""Verified updates on the desk: the real client against a local repository, the fake
engine and device, a fake installer. Nothing is installed while a call rings, is up or in
its wrap-up; the download runs on the update lane, never on the GUI thread."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from homeagent.core.desk_snapshot import Screen
from homeagent.core.update_policy import Offer, UpdatePolicy
from homeagent.desktop.updates import UpdateSetup
from homeagent.testing.device import FakeDevice
from homeagent.update.client import CheckResult, UpdateClient
from tests.helpers.tuf_repo import client_for, fake_target, http_server, make_repo
from tests.unit.desktop.conftest import running_session


@dataclass
class FakeInstaller:
    why_not: str = ""
    handed: list[tuple[Path, str, bool]] = field(default_factory=list)
    digests: list[str] = field(default_factory=list)

    def unsupported(self) -> str:
        return self.why_not

    def hand_over(
        self, file: Path, version: str, *, sha256: str = "", relaunch: bool = False
    ) -> None:
        self.handed.append((file, version, relaunch))
        self.digests.append(sha256)


@dataclass
class Watched:
    """The real client, noting the threads it runs on."""

    client: UpdateClient
    threads: list[str] = field(default_factory=list)

    def check(self, policy: UpdatePolicy) -> CheckResult:
        self.threads.append(threading.current_thread().name)
        return self.client.check(policy)

    def download(self, offer: Offer) -> Path:
        self.threads.append(threading.current_thread().name)
        return self.client.download(offer)


@pytest.fixture
def source(tmp_path: Path) -> Iterator[Watched]:
    repo, keys = make_repo(tmp_path)
    repo.add_target(keys, fake_target(tmp_path, "0.2.0"), version="0.2.0", platform="linux-x86_64")
    with http_server(repo.path) as s:
        yield Watched(client_for(repo, s.url, tmp_path / "desk"))


def _desk(qtbot, tmp_path: Path, source: Watched, installer: FakeInstaller,  # type: ignore[no-untyped-def]
          policy: UpdatePolicy | None = None):  # fmt: skip
    (tmp_path / "device").mkdir()
    device = FakeDevice(data_dir=tmp_path / "device", enrolled=True)
    setup = UpdateSetup(source=source, policy=policy or UpdatePolicy(), installer=installer,
                        first_check_s=3600, jitter_s=0)  # fmt: skip
    return running_session(qtbot, device, tmp_path / "events.jsonl", updates=setup)


def _ready(qtbot, session) -> None:  # type: ignore[no-untyped-def]
    banner = session.window.update_banner
    session.updates.check_now()
    qtbot.waitUntil(lambda: banner.isVisible(), timeout=5000)
    assert banner.text.text() == "Update 0.2.0 ready"
    assert banner.button.text() == "Install now"
    assert banner.later.text() == "At restart"


def test_an_update_is_never_installed_during_a_call_or_its_wrap_up(
    qtbot, tmp_path: Path, source: Watched
) -> None:  # type: ignore[no-untyped-def]
    installer = FakeInstaller()
    with _desk(qtbot, tmp_path, source, installer) as session:
        model, engine, banner = session.model, session.fake_engine, session.window.update_banner
        _ready(qtbot, session)
        assert source.threads
        assert all(t.startswith("homeagent-update") for t in source.threads)
        ready = session.updates.ready
        assert ready.file.read_bytes() == fake_target(tmp_path / "x", "0.2.0").read_bytes()
        call_id = engine.ring("+33612345678")
        qtbot.waitUntil(lambda: model.snapshot().screen is Screen.RINGING, timeout=3000)
        assert not banner.isVisible()  # never over a ringing call
        session.updates.accept_now()  # the click that came as the call rang
        assert installer.handed == []
        model.answer()
        qtbot.waitUntil(lambda: model.snapshot().screen is Screen.IN_CALL, timeout=3000)
        model.toggle_hold()
        qtbot.waitUntil(lambda: model.snapshot().call.held, timeout=3000)
        assert installer.handed == []
        engine.remote_hangup(call_id)
        qtbot.waitUntil(lambda: model.snapshot().screen is Screen.WRAP_UP, timeout=3000)
        session.updates.evaluate()
        assert installer.handed == []
        assert session.window.isVisible()
        model.edit_wrap_up(notes="", disposition="ok", callback_at=None)
        model.submit_wrap_up()
        qtbot.waitUntil(lambda: installer.handed != [], timeout=3000)  # the first idle moment
        assert model.snapshot().screen is Screen.IDLE
        assert installer.handed == [(ready.file, "0.2.0", True)]
        assert installer.digests == [hashlib.sha256(ready.file.read_bytes()).hexdigest()]
        qtbot.waitUntil(lambda: not session.window.isVisible(), timeout=3000)  # the desk quit


def test_at_restart_hands_the_update_over_when_the_desk_quits(
    qtbot, tmp_path: Path, source: Watched
) -> None:  # type: ignore[no-untyped-def]
    installer = FakeInstaller()
    with _desk(qtbot, tmp_path, source, installer) as session:
        _ready(qtbot, session)
        session.window.update_banner.later.click()
        banner = session.window.update_banner
        assert banner.text.text() == "Update 0.2.0 will be installed when you quit HomeAgent"
        assert installer.handed == []
        assert session.window.isVisible()
    assert installer.handed == [(session.updates.ready.file, "0.2.0", False)]


def test_the_install_now_button_installs_at_once_when_idle(
    qtbot, tmp_path: Path, source: Watched
) -> None:  # type: ignore[no-untyped-def]
    installer = FakeInstaller()
    with _desk(qtbot, tmp_path, source, installer) as session:
        _ready(qtbot, session)
        session.window.update_banner.button.click()
        assert [v for _, v, _ in installer.handed] == ["0.2.0"]


def test_a_dpkg_install_only_tells_and_downloads_nothing(
    qtbot, tmp_path: Path, source: Watched
) -> None:  # type: ignore[no-untyped-def]
    installer = FakeInstaller("installed by the .deb package: updates come through apt")
    with _desk(qtbot, tmp_path, source, installer) as session:
        banner = session.window.update_banner
        session.updates.check_now()
        qtbot.waitUntil(lambda: banner.isVisible(), timeout=5000)
        assert banner.text.text() == ("Update 0.2.0 is available: it comes with the system updates")
        assert not banner.later.isVisible()
        assert not banner.button.isVisible()
        assert list(source.client.downloads_dir.iterdir()) == []
    assert installer.handed == []


def test_policy_at_restart_never_asks(qtbot, tmp_path: Path, source: Watched) -> None:  # type: ignore[no-untyped-def]
    installer = FakeInstaller()
    with _desk(qtbot, tmp_path, source, installer, UpdatePolicy(install="at-restart")) as session:
        banner = session.window.update_banner
        session.updates.check_now()
        qtbot.waitUntil(lambda: banner.isVisible(), timeout=5000)
        assert banner.text.text() == "Update 0.2.0 will be installed when you quit HomeAgent"
        assert installer.handed == []
    assert [v for _, v, r in installer.handed] == ["0.2.0"]


def test_a_refused_update_is_logged_and_changes_nothing(
    qtbot, tmp_path: Path, source: Watched
) -> None:  # type: ignore[no-untyped-def]
    (stored,) = (tmp_path / "org-repo" / "targets").iterdir()
    stored.write_bytes(b"tampered")
    installer = FakeInstaller()
    with _desk(qtbot, tmp_path, source, installer) as session:
        session.updates.check_now()
        qtbot.waitUntil(lambda: not session.updates._checking, timeout=5000)
        assert session.updates.ready is None
        assert not session.window.update_banner.isVisible()
    assert installer.handed == []
    log = (tmp_path / "events.jsonl").read_text()
    assert '"event": "update_failed"' in log
    assert "does not match its signed length" in log


def test_checks_are_scheduled_jittered_and_repeat(tmp_path: Path) -> None:
    """The timer chain without Qt: first 1-3 min, then every interval ± jitter."""
    from homeagent.core.eventlog import MemoryEventLog
    from homeagent.desktop.updates import DeskUpdates

    delays: list[float] = []
    later: list[object] = []
    checks: list[str] = []

    class Source:
        def check(self, policy: UpdatePolicy) -> CheckResult:
            raise AssertionError("not through the lane")

        def download(self, offer: Offer) -> Path:
            raise AssertionError

    class Lane:
        def run(self, job, on_done=None, on_error=None) -> None:  # type: ignore[no-untyped-def]
            checks.append("check")

    setup = UpdateSetup(source=Source(), policy=UpdatePolicy(), installer=FakeInstaller(),
                        interval_s=6 * 3600, jitter_s=1800, first_check_s=120)  # fmt: skip
    updates = DeskUpdates(
        setup, snapshot=lambda: None, banner=None, lane=Lane(),  # type: ignore[arg-type]
        call_later=lambda d, fn: (delays.append(d), later.append(fn)),
        quit_app=lambda: None, event_log=MemoryEventLog(),
    )  # fmt: skip
    updates.start()
    assert 60 <= delays[0] <= 180
    assert checks == []
    for _ in range(3):
        later.pop()()  # type: ignore[operator]
    assert checks == ["check"]  # one at a time: the first is still running
    assert all(6 * 3600 - 1800 <= d <= 6 * 3600 + 1800 for d in delays[1:])
    assert len(delays) == 4
