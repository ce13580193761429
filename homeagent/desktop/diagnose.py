"""``homeagent diagnose [--json]``: what support asks first, checked in a few seconds.

Network (DNS and TCP to the server), server (``/api/v1/health`` with the pinned CA),
SIP registration (a short-lived engine with the enrolled account), audio devices (as Qt
Multimedia names them). Every check reports ``ok``, ``warn`` or ``fail`` with a detail;
no secret and no full phone number is printed.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

if TYPE_CHECKING:
    from homeagent.crm.outbox import Outbox


@dataclass(frozen=True)
class Check:
    """One line of the report."""

    name: str
    status: str  # ok | warn | fail
    detail: str
    elapsed_ms: float = 0.0


def _timed(name: str, fn: Callable[[], tuple[str, str]]) -> Check:
    start = time.monotonic()
    try:
        status, detail = fn()
    except Exception as exc:
        status, detail = "fail", f"{type(exc).__name__}: {exc}"
    return Check(name, status, detail, round((time.monotonic() - start) * 1000, 1))


def check_network(profile: Any) -> tuple[str, str]:
    """DNS and a TCP connection to the server."""
    url = urlparse(profile.server_url)
    host = url.hostname or ""
    port = url.port or (443 if url.scheme == "https" else 80)
    addresses = {str(a[4][0]) for a in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)}
    with socket.create_connection((host, port), timeout=5):
        pass
    return "ok", f"{host}:{port} reachable ({', '.join(sorted(addresses))})"


def check_server(profile: Any) -> tuple[str, str]:
    """The API answers its health check over the pinned TLS."""
    import requests

    from homeagent.security.tls import PinnedCaBundle

    bundle = PinnedCaBundle(profile.ca_pem) if profile.ca_pem else None
    try:
        verify: str | bool = str(bundle.path) if bundle else True
        resp = requests.get(f"{profile.api_base}/health", timeout=5, verify=verify)
    finally:
        if bundle is not None:
            bundle.close()
    if resp.status_code == 200:
        return "ok", f"{profile.server_url} healthy"
    return "fail", f"{profile.server_url} answered HTTP {resp.status_code}"


def check_sip(device: Any, timeout_s: float = 8.0) -> tuple[str, str]:
    """Register once with the enrolled account, then unregister."""
    from homeagent.core.events import RegistrationChanged, RegistrationState
    from homeagent.core.sip_config import EngineConfig
    from homeagent.sip.engine import SipEngine

    account = device.sip_account()
    done = threading.Event()
    seen: list[RegistrationChanged] = []

    def on_event(event: object) -> None:
        if isinstance(event, RegistrationChanged) and event.state in (
            RegistrationState.REGISTERED,
            RegistrationState.FAILED,
        ):
            seen.append(event)
            done.set()

    engine = SipEngine(EngineConfig(), account, on_event)
    engine.start()
    try:
        done.wait(timeout_s)
    finally:
        engine.stop()
    if not seen:
        return "fail", f"no answer from {account.registrar_uri} in {timeout_s:.0f} s"
    last = seen[-1]
    if last.state is RegistrationState.REGISTERED:
        return "ok", f"{account.aor} registered at {account.registrar_uri}"
    return "fail", f"registration refused: {last.code} {last.reason}"


def check_audio() -> tuple[str, str]:
    """Microphones and speakers as the user sees them."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtMultimedia import QMediaDevices

    _app = QCoreApplication.instance() or QCoreApplication(["homeagent-diagnose"])
    inputs = [d.description() for d in QMediaDevices.audioInputs()]
    outputs = [d.description() for d in QMediaDevices.audioOutputs()]
    status = "ok" if inputs and outputs else "warn"
    return status, f"microphones: {inputs or 'none'}; speakers: {outputs or 'none'}"


def run_checks(config_dir: Path | None = None, data_dir: Path | None = None) -> list[Check]:
    """Every check, in order; later checks are skipped when they cannot work."""
    from homeagent.security.provisioning import ProfileStore

    checks: list[Check] = []
    profile = ProfileStore(user_config_dir=config_dir).current()
    if profile is None:
        checks.append(Check("profile", "fail", "no valid provisioning profile imported"))
    else:
        checks.append(Check("profile", "ok", f"{profile.organisation}, {profile.server_url}"))
        checks.append(_timed("network", lambda: check_network(profile)))
        checks.append(_timed("server", lambda: check_server(profile)))
        checks.append(_timed("sip", lambda: _sip(profile, data_dir)))
        checks.append(_timed("outbox", lambda: _outbox(profile, data_dir)))
    checks.append(_timed("audio", check_audio))
    return checks


def _sip(profile: Any, data_dir: Path | None) -> tuple[str, str]:
    from homeagent.client.device import DeviceSession
    from homeagent.security.vault import Vault

    device = DeviceSession(profile, Vault(), data_dir=data_dir)
    try:
        if not device.is_enrolled:
            return "warn", "this device is not enrolled yet"
        return check_sip(device)
    finally:
        device.client.close()


def check_outbox(outbox: Outbox) -> tuple[str, str]:
    """What waits to be sent, and what the server refused for good (kinds and reasons)."""
    status = outbox.status()
    dead = outbox.dead_letters()
    if dead:
        reasons = "; ".join(f"{d.kind}: {d.error}" for d in dead[:5])
        more = f" (+{len(dead) - 5} more)" if len(dead) > 5 else ""
        return "warn", f"{len(dead)} refused by the server, not sent: {reasons}{more}"
    if status.retrying:
        return "warn", f"{status.pending} waiting, {status.retrying} retrying: {status.last_error}"
    return "ok", f"{status.pending} waiting to be sent, none refused"


def _outbox(profile: Any, data_dir: Path | None) -> tuple[str, str]:
    from homeagent.client.device import DeviceSession
    from homeagent.security.vault import Vault

    device = DeviceSession(profile, Vault(), data_dir=data_dir)
    try:
        if not device.is_enrolled:
            return "warn", "this device is not enrolled yet"
        return check_outbox(device.outbox)
    finally:
        device.close()


def main(argv: list[str] | None = None) -> int:
    """Print the report; exit 1 when a check failed."""
    parser = argparse.ArgumentParser(prog="homeagent diagnose")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.add_argument("--config-dir", type=Path)
    parser.add_argument("--data-dir", type=Path)
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    checks = run_checks(args.config_dir, args.data_dir)
    if args.json:
        print(json.dumps({"checks": [asdict(c) for c in checks]}, ensure_ascii=False, indent=2))
    else:
        marks = {"ok": "✔", "warn": "!", "fail": "✘"}
        for c in checks:
            print(f"{marks[c.status]} {c.name:<8} {c.detail}  ({c.elapsed_ms:.0f} ms)")
    return 1 if any(c.status == "fail" for c in checks) else 0
