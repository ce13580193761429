"""Start-up order (issue 14): the window comes first, the SIP engine before the desk.

These are order checks, not timings: the figures are in `benchmarks/README.md`.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from homeagent.core.sip_config import EngineConfig, SipAccountConfig
from homeagent.desktop.app import AppOptions, run_desk
from homeagent.testing.fakes import FakeEngine
from homeagent.ui.shell.main_window import MainWindow
from homeagent.ui.shell.start_window import StartWindow
from tests.unit.desktop.test_app_revocation import options  # noqa: F401  # the fixture

REPO = Path(__file__).resolve().parents[3]


def _visible(kind: type, before: dict[int, Any] | None = None) -> list[Any]:
    """The visible top-level windows of `kind` that are not in `before` (other tests')."""
    return [
        w
        for w in QApplication.topLevelWidgets()
        if isinstance(w, kind) and w.isVisible() and id(w) not in (before or {})
    ]


def _existing() -> dict[int, Any]:
    """The top-level windows now, by id; the dict keeps their Python wrappers alive, so
    that no new window's wrapper can reuse one of these ids (a freed wrapper's id is
    reused: the start window was once not counted that way)."""
    return {id(w): w for w in QApplication.topLevelWidgets()}


def test_the_start_window_is_painted_before_the_engine_and_the_desk_replace_it(
    qtbot,  # type: ignore[no-untyped-def]
    options: AppOptions,  # noqa: F811
) -> None:
    seen: dict[str, Any] = {}
    before = _existing()

    def engine(config: EngineConfig, account: SipAccountConfig, on_event: Any, audio: Any = None):  # type: ignore[no-untyped-def]
        seen["start windows at the engine"] = len(_visible(StartWindow, before))
        seen["desk windows at the engine"] = sum(
            isinstance(w, MainWindow) and id(w) not in before
            for w in QApplication.topLevelWidgets()
        )
        return FakeEngine(on_event, threaded=True)

    def on_started(session: Any) -> None:
        seen["start windows with the desk"] = len(_visible(StartWindow, before))
        seen["desk shown"] = session.window.isVisible()
        QTimer.singleShot(0, session.window.close)

    options.engine_factory = engine
    options.on_started = on_started
    assert run_desk(options) == 0
    assert seen == {
        "start windows at the engine": 1,  # painted before the line starts registering
        "desk windows at the engine": 0,  # the engine does not wait for the desk
        "start windows with the desk": 0,  # the desk took its place
        "desk shown": True,
    }


def test_a_desk_started_in_the_tray_shows_no_start_window(
    qtbot,  # type: ignore[no-untyped-def]
    options: AppOptions,  # noqa: F811
) -> None:
    counted: list[int] = []
    before = _existing()

    def engine(config: EngineConfig, account: SipAccountConfig, on_event: Any, audio: Any = None):  # type: ignore[no-untyped-def]
        counted.append(len(_visible(StartWindow, before)))
        return FakeEngine(on_event, threaded=True)

    options.engine_factory = engine
    options.minimized = True
    options.on_started = lambda session: QTimer.singleShot(0, session.window.close)
    assert run_desk(options) == 0
    assert counted == [0]


def _modules_after(code: str) -> set[str]:
    script = textwrap.dedent(code) + "\nimport sys, json; print(json.dumps(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", script],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        env={"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin"},
        check=True,
    ).stdout
    return set(json.loads(out.splitlines()[-1]))


def test_the_first_paint_needs_qt_and_nothing_that_can_wait() -> None:
    loaded = _modules_after(
        """
        from homeagent.ui.qt import import_hook, i18n, theme
        from homeagent.ui.shell import start_window
        from homeagent.desktop import instance, desktop_settings
        """
    )
    ours = {m for m in loaded if m.startswith("homeagent.")}
    assert ours <= {
        "homeagent.core", "homeagent.core.agent_state", "homeagent.desktop",
        "homeagent.desktop.desktop_settings", "homeagent.desktop.instance", "homeagent.ui",
        "homeagent.ui.qt", "homeagent.ui.qt.i18n", "homeagent.ui.qt.import_hook",
        "homeagent.ui.qt.theme", "homeagent.ui.shell", "homeagent.ui.shell.start_window",
    }, ours  # fmt: skip
    for heavy in ("pjsua2", "sqlite_utils", "sqlcipher3", "requests", "cryptography", "keyring"):
        assert heavy not in loaded, heavy


def test_the_sip_engine_starts_without_the_desk_the_cache_or_the_server_client() -> None:
    loaded = _modules_after(
        """
        import homeagent.client.device, homeagent.desktop.sip_start, homeagent.sip.engine
        """
    )
    for later in (
        "homeagent.desktop.session", "homeagent.ui.shell.main_window", "homeagent.crm.store",
        "sqlite_utils", "requests", "homeagent.client.server", "homeagent.client.transport",
        "PySide6.QtWidgets",
    ):  # fmt: skip
        assert later not in loaded, later


def test_the_stored_profile_is_read_without_an_x509_parser(tmp_path: Path) -> None:
    """On the path to REGISTER (issue 14): the profile's CA is checked by the TLS stack
    the desk loads anyway, not by cryptography's X.509 module (~28 ms to import)."""
    from homeagent.security import profile as p
    from tests.helpers.certs import make_ca

    private_pem, public_pem = p.generate_signing_key()
    body = {
        "version": 1, "organisation": "Org", "server_url": "https://cc.example.org",
        "ca_pem": make_ca("Org CA").cert_pem.decode(),
        "sip": {"registrar_host": "sip.example.org", "registrar_port": 5061,
                "domain": "example.org", "transport": "tls", "srtp": "mandatory"},
        "default_region": "FR", "issued_at": "2026-11-01T00:00:00Z",
        "expires_at": "2099-11-01T00:00:00Z",
    }  # fmt: skip
    (tmp_path / "profile.json").write_bytes(p.sign_profile(body, private_pem))
    (tmp_path / "key.pem").write_bytes(public_pem)
    loaded = _modules_after(
        f"""
        from pathlib import Path
        from homeagent.security.profile import load_profile, parse_public_key
        key = parse_public_key(Path({str(tmp_path / "key.pem")!r}).read_bytes())
        data = Path({str(tmp_path / "profile.json")!r}).read_bytes()
        assert load_profile(data, [key]).server_url == "https://cc.example.org"
        """
    )
    assert "homeagent.security.profile" in loaded
    assert "cryptography.x509" not in loaded


def test_an_agent_s_desk_loads_no_console_no_update_client_no_server_package() -> None:
    loaded = _modules_after(
        """
        import homeagent.desktop.app, homeagent.desktop.session
        """
    )
    for unneeded in (
        "homeagent.desktop.lead_session", "homeagent.ui.lead.console", "PySide6.QtCharts",
        "tuf", "homeagent.update.client", "vobject", "numpy", "pandas",
        "fastapi", "sqlalchemy", "uvicorn", "alembic", "homeagent.server",
    ):  # fmt: skip
        assert unneeded not in loaded, unneeded
