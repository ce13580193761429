"""Verified updates on the desk: check and download in the background, ask, install idle.

Every 6 h (jittered ±30 min; the first check 1-3 min after start) the update lane — a
daemon thread of its own, so a 70 MB download never holds the desk's REST calls — refreshes the
TUF metadata, lets the policy choose, and downloads and verifies the chosen file. Back on
the GUI thread the banner says "Update X ready" with "Install now" / "At restart". The
pure decision `homeagent.core.update_gate.may_install` is asked at every desk snapshot:
nothing is installed while a call rings, is up or held, or during a wrap-up, nor outside
IT's install window. Installing quits the desk and hands the file to the OS installer
(`homeagent.update.install`); "at restart" hands it over when the desk quits.

A .deb install (apt updates it) and a copy run from source only tell.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from homeagent.core.desk_snapshot import DeskSnapshot
from homeagent.core.eventlog import EventLog
from homeagent.core.update_gate import Acceptance, Verdict, busy_reason, may_install
from homeagent.core.update_policy import Offer, PolicyError, UpdatePolicy, parse_policy
from homeagent.ui.shell.update_banner import UpdateBanner
from homeagent.update import paths
from homeagent.update.client import CheckResult, UpdateClient, UpdateError, read_bootstrap_root
from homeagent.update.identity import app_version, device_id_of
from homeagent.update.install import (
    Installer,
    InstallError,
    OsInstaller,
    current_platform,
    sha256_of,
)

log = logging.getLogger(__name__)

CHECK_INTERVAL_S = 6 * 3600
CHECK_JITTER_S = 30 * 60
FIRST_CHECK_S = 120


class UpdateSource(Protocol):
    """What checks and downloads (`UpdateClient`, or a test's fake)."""

    def check(self, policy: UpdatePolicy) -> CheckResult: ...
    def download(self, offer: Offer) -> Path: ...


class Runner(Protocol):
    def run(
        self,
        job: Callable[[], object],
        on_done: Callable[[object], object] | None = None,
        on_error: Callable[[BaseException], object] | None = None,
    ) -> None: ...
    def close(self) -> None: ...


class Banner(Protocol):
    """The desk's update line (`homeagent.ui.shell.update_banner.UpdateBanner`)."""

    def show_ready(self, version: str) -> None: ...
    def show_scheduled_restart(self, version: str) -> None: ...
    def show_waiting(self, version: str) -> None: ...
    def show_system_update(self, version: str) -> None: ...
    def setVisible(self, visible: bool) -> None: ...


class DaemonLane:
    """The update lane: each job on a daemon thread of its own, its answer on the GUI thread.

    Not a `TaskRunner`: its pool's threads are joined at interpreter exit, so a download
    under way over a slow home link (70 MB at 5 Mbit/s: 2 min) would keep the quitting app
    alive, holding the single-instance lock. A daemon thread ends with the app; its
    `.partial-` file is removed by the next download.
    """

    def __init__(self, call_soon: Callable[[Callable[[], object]], None]) -> None:
        self._call_soon = call_soon
        self._closed = threading.Event()

    def run(
        self,
        job: Callable[[], object],
        on_done: Callable[[object], object] | None = None,
        on_error: Callable[[BaseException], object] | None = None,
    ) -> None:
        if self._closed.is_set():
            return

        def work() -> None:
            try:
                result = job()
            except Exception as exc:
                log.warning("update task failed: %s: %s", type(exc).__name__, exc)
                if on_error is not None:
                    self._deliver(functools.partial(on_error, exc))
                return
            if on_done is not None:
                self._deliver(functools.partial(on_done, result))

        threading.Thread(target=work, name="homeagent-update", daemon=True).start()

    def _deliver(self, fn: Callable[[], object]) -> None:
        if self._closed.is_set():  # the desk is gone: nobody waits for the answer
            return
        try:
            self._call_soon(fn)
        except RuntimeError:  # the dispatcher was deleted meanwhile
            log.info("update answer dropped: the desk has closed")

    def close(self) -> None:
        self._closed.set()


@dataclass
class UpdateSetup:
    """Everything the desk's updates are built from (see `setup_for_device`)."""

    source: UpdateSource
    policy: UpdatePolicy
    installer: Installer
    interval_s: float = CHECK_INTERVAL_S
    jitter_s: float = CHECK_JITTER_S
    first_check_s: float = FIRST_CHECK_S
    local_time: Callable[[], dt.time] = field(default=lambda: dt.datetime.now().time())


@dataclass
class _Ready:
    offer: Offer
    file: Path | None  # None: only told (apt, or no installer here)
    sha256: str = ""  # the verified file's digest, checked again by the installer


class DeskUpdates:
    """See the module docstring. Built by the session; GUI thread only (but the lane)."""

    def __init__(
        self,
        setup: UpdateSetup,
        *,
        snapshot: Callable[[], DeskSnapshot],
        banner: Banner,
        lane: Runner,
        call_later: Callable[[float, Callable[[], None]], None],
        quit_app: Callable[[], object],
        event_log: EventLog,
    ) -> None:
        self.setup = setup
        self._snapshot = snapshot
        self._banner = banner
        self._lane = lane
        self._call_later = call_later
        self._quit = quit_app
        self._log = event_log
        self.acceptance = Acceptance.NONE
        self.ready: _Ready | None = None
        self.handed_over = False
        self._checking = False
        self._stopped = False

    # -- checks ---------------------------------------------------------------------------

    def start(self) -> None:
        # the first check 1-3 min after start (the desk's own start goes first)
        self._schedule(self.setup.first_check_s, self.setup.first_check_s / 2)

    def _schedule(self, delay_s: float, jitter_s: float) -> None:
        # jittered: hundreds of PCs started at 9:00 do not all ask at the same second
        jitter = random.uniform(-jitter_s, jitter_s)  # noqa: S311
        self._call_later(max(1.0, delay_s + jitter), self._periodic)

    def _periodic(self) -> None:
        if self._stopped:
            return
        self.check_now()
        self._schedule(self.setup.interval_s, self.setup.jitter_s)

    def check_now(self) -> None:
        """One check (and download) on the update lane; the answer on the GUI thread."""
        if self._checking or self._stopped or self.ready is not None:
            return
        self._checking = True
        policy, installer, source = self.setup.policy, self.setup.installer, self.setup.source

        def job() -> _Ready | str:  # the update lane: network and disk
            result = source.check(policy)
            offer = result.offer
            if offer is None:
                return result.choice.reason
            if installer.unsupported():
                return _Ready(offer, None)
            file = source.download(offer)
            return _Ready(offer, file, sha256_of(file))

        self._lane.run(job, self._on_checked, self._on_failed)

    def _on_checked(self, found: object) -> None:
        self._checking = False
        if self._stopped:
            return
        if isinstance(found, str):
            self._log.write("update_checked", result=found)
            return
        assert isinstance(found, _Ready)
        self.ready = found
        why = self.setup.installer.unsupported()
        self._log.write(
            "update_ready" if found.file else "update_available",
            version=found.offer.version,
            **({"note": why} if why else {}),
        )
        self.evaluate()

    def _on_failed(self, exc: BaseException) -> None:
        self._checking = False
        message = str(exc) if isinstance(exc, UpdateError) else f"{type(exc).__name__}: {exc}"
        log.warning("update check failed: %s", message)
        self._log.write("update_failed", message=message)

    # -- the agent and the desk ------------------------------------------------------------

    def accept_now(self) -> None:
        """ "Install now": at once if idle, else at the next idle moment."""
        self.acceptance = Acceptance.NOW
        self._log.write("update_accepted", when="now")
        self.evaluate()

    def accept_at_restart(self) -> None:
        self.acceptance = Acceptance.AT_RESTART
        self._log.write("update_accepted", when="at_restart")
        self.evaluate()

    def on_snapshot(self, snap: DeskSnapshot) -> None:
        """Each desk change: the banner hides during calls; a waiting install may go."""
        if self.ready is not None and not self.handed_over:
            self.evaluate(snap)

    def evaluate(self, snap: DeskSnapshot | None = None) -> Verdict | None:
        """Ask the core decision, and do what it says."""
        ready = self.ready
        if ready is None or self.handed_over or self._stopped:
            return None
        snap = snap or self._snapshot()
        version = ready.offer.version
        if busy_reason(snap):  # never over a call or a wrap-up
            self._banner.setVisible(False)
        if ready.file is None:
            if not busy_reason(snap):
                self._banner.show_system_update(version)
            return None
        result = may_install(snap, self.setup.policy, self.acceptance, self.setup.local_time())
        if result.verdict is Verdict.INSTALL_NOW:
            self._hand_over(ready, ready.file, relaunch=True)
            if self.handed_over:
                self._quit()
        elif not busy_reason(snap):
            if result.verdict is Verdict.ASK:
                self._banner.show_ready(version)
            elif result.verdict is Verdict.AT_RESTART:
                self._banner.show_scheduled_restart(version)
            else:
                self._banner.show_waiting(version)
        return result.verdict

    def _hand_over(self, ready: _Ready, file: Path, *, relaunch: bool) -> None:
        try:
            self.setup.installer.hand_over(
                file, ready.offer.version, sha256=ready.sha256, relaunch=relaunch
            )
        except (InstallError, OSError) as exc:
            log.warning("update %s not installed: %s", ready.offer.version, exc)
            self._log.write("update_install_failed", version=ready.offer.version, message=str(exc))
            return
        self.handed_over = True
        self._log.write("update_handed_over", version=ready.offer.version, relaunch=relaunch)

    def stop(self) -> None:
        """The desk quits: an update accepted for restart (or by policy) goes now; the
        lane drops any answer still to come."""
        if self._stopped:
            return
        self._stopped = True
        try:
            self._hand_over_at_stop()
        finally:
            self._lane.close()

    def _hand_over_at_stop(self) -> None:
        ready = self.ready
        if ready is None or ready.file is None or self.handed_over:
            return
        at_restart = self.setup.policy.install == "at-restart" or self.acceptance in (
            Acceptance.AT_RESTART,
            Acceptance.NOW,  # accepted but the desk never got idle: install on the way out
        )
        if at_restart:
            self._hand_over(ready, ready.file, relaunch=False)


def wire(
    setup: UpdateSetup,
    *,
    snapshot: Callable[[], DeskSnapshot],
    banner: UpdateBanner,
    call_soon: Callable[[Callable[[], object]], None],
    call_later: Callable[[float, Callable[[], None]], None],
    quit_app: Callable[[], object],
    event_log: EventLog,
) -> DeskUpdates:
    """The desk's updates on a lane of their own (a download never holds the REST calls),
    answering the banner's two buttons."""
    updates = DeskUpdates(
        setup,
        snapshot=snapshot,
        banner=banner,
        lane=DaemonLane(call_soon),
        call_later=call_later,
        quit_app=quit_app,
        event_log=event_log,
    )
    banner.install_now_requested.connect(updates.accept_now)
    banner.at_restart_requested.connect(updates.accept_at_restart)
    return updates


# -- building it for a real device -------------------------------------------------------------


def load_policy(config_dir: Path | None = None) -> UpdatePolicy:
    """IT's `update-policy.json` (defaults when there is none); `PolicyError` if invalid."""
    path = (config_dir or paths.system_config_dir()) / paths.POLICY_FILE
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return UpdatePolicy()
    except OSError as exc:
        raise PolicyError(f"{path}: unreadable ({exc})") from None
    return parse_policy(data, str(path))


def setup_for_device(
    *,
    data_dir: Path,
    server_base_url: str,
    verify: str | bool,
    current_version: str | None = None,
    config_dir: Path | None = None,
) -> UpdateSetup | None:
    """The real setup, or None (logged) when updates cannot run on this PC."""
    config = config_dir or paths.system_config_dir()
    if not (config / paths.ROOT_FILE).exists():
        log.info("verified updates are off: no %s in %s", paths.ROOT_FILE, config)
        return None
    try:
        policy = load_policy(config)
        root = read_bootstrap_root(config)
    except (PolicyError, UpdateError) as exc:
        log.warning("verified updates are off: %s", exc)
        return None
    if not policy.enabled:
        log.info("verified updates are turned off by the policy")
        return None
    base = server_base_url.removesuffix("/").removesuffix("/api/v1")
    url = policy.repository_url or (f"{base}/updates" if base.startswith("http") else "")
    if not url:
        log.warning("verified updates are off: no repository_url and no server address")
        return None
    client = UpdateClient(
        repository_url=url,
        bootstrap_root=root,
        data_dir=data_dir,
        platform=current_platform(),
        current_version=current_version or app_version(),
        device_id=device_id_of(data_dir),
        verify=verify,
    )
    return UpdateSetup(source=client, policy=policy, installer=OsInstaller())
