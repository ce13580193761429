"""Composition root of the desk: builds, wires, starts and stops every service in order.

`homeagent.cli` parses the command line and calls `run_desk` (the demo calls it too).

Order at start: Qt application → translation and theme → profile (import on first run)
→ keyring vault → device session (enrol on first run) → `AgentSession` (store, audio,
SIP engine, desk, window, server services). Stop runs in reverse when the window closes
or on Ctrl+C. When IT revokes the device, the desk stops the same way and the sign-in
dialog comes back (the device session already wiped secrets and cached customer data);
signing in again builds a new desk.
"""

from __future__ import annotations

import logging
import signal
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger("homeagent")

EVENT_LOG_FILE = "events.jsonl"
STARTING_SWITCH_INTERVAL_S = 0.0005  # while the desk is built beside the SIP engine's start


@dataclass
class AppOptions:
    """What the command line (or the demo) decides for one run of the desk."""

    profile_file: Path | None = None
    lang: str | None = None
    data_dir: Path | None = None
    config_dir: Path | None = None
    use_audio: bool = True
    dark: bool | None = None
    # injected by the demo and tests; None means the real thing
    profile_store: Any = None
    vault: Any = None
    engine_config: Any = None
    engine_factory: Any = None  # SipEngine's signature (tests: a fake engine)
    device_factory: Any = None  # DeviceSession's signature (tests: a fake device)
    credentials: tuple[str, str] | None = None  # enrol without the dialog (demo)
    on_started: Callable[[Any], None] | None = None
    # the console's other pages (title, widget) for a team lead (messages, help, alerts…)
    lead_pages: tuple[tuple[str, Any], ...] = ()
    # desktop integration (`homeagent.desktop.shell`)
    link: str = ""  # a tel:/sip:/sips: link to prepare once the desk is up
    instance: str | None = None  # single-instance name; None: $HOMEAGENT_INSTANCE or none
    minimized: bool | None = None  # start in the tray; None: the agent's setting
    # verified updates (`homeagent.desktop.updates`): the real setup when None and IT
    # installed update-root.json; `False` turns them off (the demo, tests)
    updates: Any = None


def run_desk(opts: AppOptions) -> int:
    """Run the desk until the window closes or Ctrl+C; returns the exit code.

    A revocation by IT (the device session has already wiped the secrets and the cache)
    closes the desk and shows the sign-in dialog again; signing in opens a new desk.
    """
    from PySide6.QtWidgets import QApplication

    from homeagent.ui.qt import import_hook

    import_hook.install()  # before the desk's ~500 modules are imported
    app = QApplication.instance() or QApplication(["homeagent"])
    assert isinstance(app, QApplication)
    app.setApplicationName("HomeAgent")
    app.setQuitOnLastWindowClosed(False)  # we quit after an orderly stop
    from homeagent.desktop.instance import claim_instance

    try:  # before anything is written: a later start only hands its link over
        go_on, instance = claim_instance(opts.instance, opts.link)
    except RuntimeError as exc:
        print(f"homeagent: {exc}", file=sys.stderr)
        return 1
    if not go_on:
        return 0
    from homeagent.crm.paths import default_data_dir
    from homeagent.ui.qt.i18n import choose_language, install_translators, remove_translators
    from homeagent.ui.qt.theme import apply_theme, follow_system_scheme

    data_dir = opts.data_dir or default_data_dir()
    data_dir.mkdir(parents=True, exist_ok=True)
    lang = choose_language(opts.lang)
    translators = install_translators(app, lang, data_dir / "cache")
    apply_theme(app, opts.dark)
    start = _show_start_window(opts, data_dir)  # the first paint: before all that can wait
    try:
        if opts.dark is None:  # follow the system when it switches between light and dark
            follow_system_scheme(app)
        return _run_desktop(app, opts, data_dir, lang, instance, start)
    finally:
        if start is not None:
            start.close()
            start.deleteLater()
        remove_translators(app, translators)


def _process_age_s() -> float | None:
    """Seconds since this process began (Linux: /proc; 10 ms steps), else None."""
    import os

    try:
        fields = Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()
        uptime = float(Path("/proc/uptime").read_text().split()[0])
        return round(uptime - int(fields[19]) / os.sysconf("SC_CLK_TCK"), 2)
    except (OSError, ValueError, IndexError):
        return None


def _show_start_window(opts: AppOptions, data_dir: Path) -> Any:
    """The desk's frame, painted now; None when the desk starts in the tray."""
    from homeagent.desktop.desktop_settings import DesktopSettings

    minimized = opts.minimized
    if minimized is None:
        minimized = DesktopSettings.load(data_dir).start_minimized
    if minimized:
        return None
    from homeagent.ui.shell.start_window import StartWindow

    start = StartWindow()
    start.show_now()
    return start


def _run_desktop(
    app: Any, opts: AppOptions, data_dir: Path, lang: str, instance: Any, start: Any
) -> int:
    """The event log, the desktop shell, then the device's desks; tears them down."""
    from PySide6.QtCore import QTimer

    from homeagent.core.eventlog import EventLog
    from homeagent.desktop.shell import DesktopShell

    event_log = EventLog(data_dir / EVENT_LOG_FILE)
    event_log.write("app_starting", lang=lang)
    if start is not None:  # how long after the process began (slow starts, in the field)
        event_log.write("start_window_shown", process_age_s=_process_age_s())
    shell = DesktopShell(event_log, instance, data_dir, minimized=opts.minimized)
    shell.links.received(opts.link, "command line")
    # Ctrl+C / SIGTERM close whatever is in front: a dialog (cancel) or the desk (stop).
    signal.signal(signal.SIGINT, lambda *_: QTimer.singleShot(0, _close_front))
    signal.signal(signal.SIGTERM, lambda *_: QTimer.singleShot(0, _close_front))
    pulse = QTimer()  # lets Python run its signal handlers while Qt waits
    pulse.start(200)
    pulse.timeout.connect(lambda: None)
    try:
        return _run_device(app, opts, event_log, data_dir, shell, start)
    finally:
        shell.close()
        pulse.stop()
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        event_log.close()


def _close_front() -> None:
    from PySide6.QtWidgets import QApplication

    from homeagent.ui.shell.main_window import MainWindow

    front = QApplication.activeModalWidget()
    if front is not None:
        front.close()
        return
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, MainWindow) and widget.isVisible():
            widget.close()


def _run_device(
    app: Any, opts: AppOptions, event_log: Any, data_dir: Path, shell: Any, start: Any
) -> int:
    """Profile, vault and device; then desks until the agent quits (one per enrolment)."""
    from PySide6.QtWidgets import QMessageBox

    profile = _resolve_profile(opts)
    if profile is None:
        event_log.write("app_cancelled", step="profile")
        return 1
    try:
        vault = opts.vault if opts.vault is not None else _real_vault()
    except Exception as exc:  # VaultUnavailable: nothing can work without the keyring
        QMessageBox.critical(None, "HomeAgent", str(exc))
        event_log.write("vault_unavailable")
        return 1
    from homeagent.client.device import DeviceSession

    device = (opts.device_factory or DeviceSession)(profile, vault, data_dir=data_dir)
    credentials = opts.credentials
    notice = ""
    first = True
    try:
        while True:
            if not device.is_enrolled:
                event_log.write("enrolment_shown", after_revocation=bool(notice))
                if not _enrol(device, profile, credentials, notice):
                    event_log.write("app_cancelled", step="enrol")
                    return 1
                credentials = None  # handed-over credentials serve the first enrolment only
            elif device.needs_sip_credential:
                _renew_sip_credential(device, event_log)
                if not device.is_enrolled:  # the server said it was revoked: wiped
                    notice = "revoked"
                    continue
            event_log.write("enrolled")
            revoked, code = _run_one_desk(app, opts, device, event_log, shell, start, first)
            start = None  # the first desk took its place
            if not revoked:
                return code
            first, notice = False, "revoked"
    finally:
        device.close()


def _renew_sip_credential(device: Any, event_log: Any) -> None:
    """A device enrolled before SIP credentials were per device: get its own now (once;
    its keyring's former user-wide secret no longer registers). Failing that, the desk
    starts anyway (offline work goes on) and tries again at the next start."""
    from homeagent.client.errors import ClientError

    try:
        device.renew_sip_credential()
    except ClientError as exc:
        log.warning("could not get this device's SIP credential: %s", exc)
        event_log.write("sip_credential_renewal_failed", reason=type(exc).__name__)
        return
    event_log.write("sip_credential_renewed")


def _run_one_desk(
    app: Any, opts: AppOptions, device: Any, event_log: Any, shell: Any, start: Any, first: bool
) -> tuple[bool, int]:
    """One desk over the enrolled device until it closes; (revoked, exit code)."""
    from homeagent.core.sip_config import EngineConfig
    from homeagent.desktop.sip_start import start_engine

    config = opts.engine_config or EngineConfig(bind_address="0.0.0.0")  # noqa: S104
    # While the desk is imported and built, the engine's thread starts pjsua2 through
    # hundreds of short calls, each waiting for the interpreter lock: switch more often
    # until the desk is up (start -> registered: 55-87 ms -> 22-43 ms, benchmarks/README.md)
    revoked = False

    def on_revoked() -> None:
        nonlocal revoked
        revoked = True
        window.close()

    switch = sys.getswitchinterval()
    sys.setswitchinterval(STARTING_SWITCH_INTERVAL_S)
    try:
        engine = start_engine(device, opts.engine_factory, config)  # registers meanwhile
        if start is not None:
            start.opening_desk()
        try:
            from homeagent.desktop.session import AgentSession

            session = AgentSession(
                device=device,
                event_log=event_log,
                engine=engine,
                use_audio=opts.use_audio,
                on_revoked=on_revoked,
                updates=_update_setup(device) if opts.updates is None else opts.updates or None,
            )
        except BaseException:
            engine.stop()
            raise
        window = session.start()
        lead = _lead_console(session, opts.lead_pages)  # team leads and admins: the console
        if lead is not None:
            lead.start()
            event_log.write("lead_console_started")
        window.closing.connect(app.quit)
        window.resize(1366, 740)
        if start is not None:  # the desk appears where the start window was, which goes
            start.place(window)
        shell.show(window, session)  # the tray, start minimised, a link that waited
        if start is not None:
            start.close()
    finally:  # the desk is up (or failed): back to the usual switch interval
        sys.setswitchinterval(switch)
    if first and opts.on_started is not None:
        opts.on_started(session)
    try:
        code = int(app.exec())
    finally:
        shell.detach()
        if lead is not None:
            lead.stop()
        session.stop()
        window.hide()
        window.deleteLater()
    return revoked, code


def _update_setup(device: Any) -> Any:
    """Verified updates when IT installed their root (`update-root.json`); the update
    client's modules (python-tuf) are loaded only then."""
    from homeagent.update import paths

    if not (paths.system_config_dir() / paths.ROOT_FILE).exists():
        log.info("verified updates are off: no %s", paths.ROOT_FILE)
        return None
    from homeagent.desktop.updates import setup_for_device

    return setup_for_device(
        data_dir=Path(device.data_dir),
        server_base_url=str(getattr(device.client, "base_url", "")),
        verify=getattr(device.client, "verify", True),
    )


def _lead_console(session: Any, pages: Any) -> Any:
    """The console of a lead or an admin (its modules are loaded for them only)."""
    from homeagent.core.records import LEAD_ROLES

    if str(session.user_info.get("role") or "agent") not in LEAD_ROLES:
        return None
    from homeagent.desktop.lead_session import lead_session_for

    return lead_session_for(session, pages)


def _real_vault() -> Any:
    from homeagent.security.vault import Vault

    return Vault()


def _resolve_profile(opts: AppOptions) -> Any:
    """The accepted profile: --profile, the stored one, the system one, or the dialog."""
    from homeagent.security.profile import ProfileError
    from homeagent.security.provisioning import ProfileStore

    store = opts.profile_store or ProfileStore(user_config_dir=opts.config_dir)
    if opts.profile_file is not None:
        try:
            return store.import_file(opts.profile_file).profile
        except ProfileError as exc:  # say it where a desktop icon's user looks: a window
            print(f"homeagent: {exc}", file=sys.stderr)
            from PySide6.QtCore import QCoreApplication
            from PySide6.QtWidgets import QMessageBox

            why = QCoreApplication.translate("ProfileDialog", "This profile was refused: {why}")
            QMessageBox.critical(None, "HomeAgent", why.format(why=exc))
            return None
    try:
        store.import_system()
    except ProfileError as exc:
        log.warning("system profile refused: %s", exc)
    current = store.current()
    if current is not None:
        return current
    from homeagent.ui.first_run.dialogs import ProfileDialog

    dialog = ProfileDialog(lambda path: store.import_file(path).profile)
    return dialog.result_profile if dialog.exec() else None


def _enrol(
    device: Any, profile: Any, credentials: tuple[str, str] | None, notice: str = ""
) -> bool:
    """Enrol with handed-over credentials (demo) or through the sign-in dialog."""
    import socket

    if credentials is not None:
        user, password = credentials
        device.enrol(user, password, socket.gethostname())
        return True
    from homeagent.ui.first_run.dialogs import EnrolDialog
    from homeagent.ui.qt.dispatcher import Dispatcher
    from homeagent.ui.qt.tasks import TaskRunner

    dispatcher = Dispatcher()
    tasks = TaskRunner(dispatcher)
    try:
        dialog = EnrolDialog(device.enrol, tasks, profile.organisation, revoked=notice == "revoked")
        return bool(dialog.exec())
    finally:
        tasks.close()
