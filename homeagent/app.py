"""Composition root: builds, wires, starts and stops every service in a documented order.

``homeagent [--profile FILE] [--lang fr|en]`` runs the agent desk;
``homeagent demo`` runs everything on loopback (``homeagent.demo``);
``homeagent diagnose [--json]`` checks network, server, SIP and audio.

Order at start: Qt application → translation and theme → profile (import on first run)
→ keyring vault → device session (enrol on first run) → `AgentSession` (store, audio,
SIP engine, desk, window, server services). Stop runs in reverse when the window closes
or on Ctrl+C.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

log = logging.getLogger("homeagent")

EVENT_LOG_FILE = "events.jsonl"


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
    credentials: tuple[str, str] | None = None  # enrol without the dialog (demo)
    on_started: Callable[[Any], None] | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="homeagent", description="HomeAgent, the agent desk and softphone."
    )
    parser.add_argument("--profile", type=Path, help="import this provisioning profile")
    parser.add_argument("--lang", choices=("fr", "en"), help="interface language")
    parser.add_argument("--data-dir", type=Path, help="where the cache and the event log live")
    parser.add_argument("--config-dir", type=Path, help="where the accepted profile lives")
    parser.add_argument("--no-audio", action="store_true", help="do not open sound devices")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `homeagent` command."""
    args = sys.argv[1:] if argv is None else list(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    if args[:1] == ["demo"]:
        from homeagent.demo.run import main as demo_main

        return demo_main(args[1:])
    if args[:1] == ["diagnose"]:
        from homeagent.ui.diagnose import main as diagnose_main

        return diagnose_main(args[1:])
    ns = _parser().parse_args(args)
    return run_desk(
        AppOptions(
            profile_file=ns.profile,
            lang=ns.lang,
            data_dir=ns.data_dir,
            config_dir=ns.config_dir,
            use_audio=not ns.no_audio,
        )
    )


def run_desk(opts: AppOptions) -> int:
    """Run the desk until the window closes or Ctrl+C; returns the exit code."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    from homeagent.core.eventlog import EventLog
    from homeagent.crm.store import default_data_dir
    from homeagent.ui.i18n import choose_language, install_translators
    from homeagent.ui.theme import apply_theme

    app = QApplication.instance() or QApplication(["homeagent"])
    assert isinstance(app, QApplication)
    app.setApplicationName("HomeAgent")
    app.setQuitOnLastWindowClosed(False)  # we quit after an orderly stop
    data_dir = opts.data_dir or default_data_dir()
    data_dir.mkdir(parents=True, exist_ok=True)
    lang = choose_language(opts.lang)
    translators = install_translators(app, lang, data_dir / "cache")
    apply_theme(app, opts.dark)
    if opts.dark is None:  # follow the system when it switches between light and dark
        app.styleHints().colorSchemeChanged.connect(lambda _scheme: apply_theme(app))
    event_log = EventLog(data_dir / EVENT_LOG_FILE)
    event_log.write("app_starting", lang=lang)

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

    device = DeviceSession(profile, vault, data_dir=data_dir)
    if not device.is_enrolled and not _enrol(device, profile, opts):
        event_log.write("app_cancelled", step="enrol")
        device.close()
        return 1
    event_log.write("enrolled" if device.is_enrolled else "not_enrolled")

    from homeagent.core.sip_config import EngineConfig
    from homeagent.ui.session import AgentSession

    session = AgentSession(
        device=device,
        event_log=event_log,
        engine_config=opts.engine_config or EngineConfig(bind_address="0.0.0.0"),  # noqa: S104
        use_audio=opts.use_audio,
    )
    window = session.start()
    stopped = False

    def shutdown() -> None:
        nonlocal stopped
        if stopped:
            return
        stopped = True
        session.stop()
        device.close()
        event_log.close()
        app.quit()

    window.closing.connect(shutdown)
    signal.signal(signal.SIGINT, lambda *_: QTimer.singleShot(0, window.close))
    signal.signal(signal.SIGTERM, lambda *_: QTimer.singleShot(0, window.close))
    pulse = QTimer()  # lets Python run its signal handlers while Qt waits
    pulse.start(200)
    pulse.timeout.connect(lambda: None)
    window.resize(1366, 740)
    window.show()
    if opts.on_started is not None:
        opts.on_started(session)
    code = app.exec()
    shutdown()
    del translators
    return int(code)


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
        except ProfileError as exc:
            print(f"homeagent: {exc}", file=sys.stderr)
            return None
    try:
        store.import_system()
    except ProfileError as exc:
        log.warning("system profile refused: %s", exc)
    current = store.current()
    if current is not None:
        return current
    from homeagent.ui.first_run import ProfileDialog

    dialog = ProfileDialog(lambda path: store.import_file(path).profile)
    return dialog.result_profile if dialog.exec() else None


def _enrol(device: Any, profile: Any, opts: AppOptions) -> bool:
    """Enrol with the demo's credentials or through the sign-in dialog."""
    import socket

    if opts.credentials is not None:
        user, password = opts.credentials
        device.enrol(user, password, socket.gethostname())
        return True
    from homeagent.ui.dispatcher import Dispatcher
    from homeagent.ui.first_run import EnrolDialog
    from homeagent.ui.tasks import TaskRunner

    dispatcher = Dispatcher()
    tasks = TaskRunner(dispatcher)
    try:
        dialog = EnrolDialog(device.enrol, tasks, profile.organisation)
        return bool(dialog.exec())
    finally:
        tasks.close()


if __name__ == "__main__":
    raise SystemExit(main())
