"""``homeagent diagnose [--json]``: what support asks first, checked in about 15 s.

Network (DNS and TCP to the server), server (``/api/v1/health`` with the pinned CA),
SIP registration (a short-lived engine with the enrolled account), audio devices (as Qt
Multimedia names them), the outbox, then the pre-shift check's network lines — the
server's latency, the RTP echo test (loss, jitter, round trip, MOS for G.722 and PCMA),
the bandwidth a call needs and the clock — the same as the desk's "Vérifier mon poste"
(`homeagent.client.preshift`; the microphone, headset and ringer need a person: they
are "not checked" here). The pre-shift result is saved at `<data dir>/last-check.json`
and sent to the server, as the desk does. Every check reports ``ok``, ``warn`` or
``fail`` with a detail; no secret and no full phone number is printed.

The parser is built by `build_parser()`; other modes (e.g. ``--bundle``) add their
options there and are dispatched at the top of `main` (see `_MODES`).
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

from PySide6.QtCore import QCoreApplication, QTranslator

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
    return "ok", QCoreApplication.translate("Diagnose", "{server} reachable ({addresses})").format(
        server=f"{host}:{port}", addresses=", ".join(sorted(addresses))
    )


def check_local_network() -> tuple[str, str]:
    """Without a server to try: whether this PC has a route out (nothing is sent)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # TEST-NET-1: a route lookup, no packet leaves
        except OSError:
            return "fail", QCoreApplication.translate(
                "Diagnose", "No network: check the cable or the Wi-Fi, then the box."
            )
        local = probe.getsockname()[0]
    return "ok", QCoreApplication.translate(
        "Diagnose", "Connected to a network (this PC's address: {address})."
    ).format(address=local)


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
        return "ok", QCoreApplication.translate("Diagnose", "{url} answers and is healthy").format(
            url=profile.server_url
        )
    return "fail", QCoreApplication.translate("Diagnose", "{url} answered HTTP {code}").format(
        url=profile.server_url, code=resp.status_code
    )


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
        return "fail", QCoreApplication.translate(
            "Diagnose", "No answer from {registrar} in {s} s"
        ).format(registrar=account.registrar_uri, s=round(timeout_s))
    last = seen[-1]
    if last.state is RegistrationState.REGISTERED:
        return "ok", QCoreApplication.translate(
            "Diagnose", "{aor} registered at {registrar}"
        ).format(aor=account.aor, registrar=account.registrar_uri)
    return "fail", QCoreApplication.translate(
        "Diagnose", "Registration refused: {code} {reason}"
    ).format(code=last.code, reason=last.reason)


def check_audio() -> tuple[str, str]:
    """Microphones and speakers as the user sees them."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtMultimedia import QMediaDevices

    _app = QCoreApplication.instance() or QCoreApplication(["homeagent-diagnose"])
    inputs = [d.description() for d in QMediaDevices.audioInputs()]
    outputs = [d.description() for d in QMediaDevices.audioOutputs()]
    status = "ok" if inputs and outputs else "warn"
    none = QCoreApplication.translate("Diagnose", "none")
    return status, QCoreApplication.translate(
        "Diagnose", "Microphones: {inputs}; headsets and speakers: {outputs}"
    ).format(inputs=", ".join(inputs) or none, outputs=", ".join(outputs) or none)


def run_checks(
    config_dir: Path | None = None,
    data_dir: Path | None = None,
    *,
    preshift: bool = True,
    report_out: list[Any] | None = None,
) -> list[Check]:
    """Every check, in order; later checks are skipped when they cannot work.

    `preshift`: also run the pre-shift network lines (≈ 11 s); its `CheckReport` is
    appended to `report_out` when given."""
    from homeagent.security.provisioning import ProfileStore

    checks: list[Check] = []
    profile = ProfileStore(user_config_dir=config_dir).current()
    if profile is None:
        how = QCoreApplication.translate(
            "Diagnose",
            "No connection profile yet: import the file your IT sent you with "
            "'homeagent --profile FILE.json' (or start HomeAgent and choose it).",
        )
        checks.append(Check("profile", "fail", how))
        checks.append(_timed("network", check_local_network))
    else:
        checks.append(Check("profile", "ok", f"{profile.organisation}, {profile.server_url}"))
        checks.append(_timed("network", lambda: check_network(profile)))
        checks.append(_timed("server", lambda: check_server(profile)))
        # one device session at a time: two clients refreshing one token would race
        checks.append(_timed("sip", lambda: _with_device(profile, data_dir, check_sip)))
        network: list[Any] = []
        if preshift:
            checks.extend(_preshift_network(profile, data_dir, network))
        checks.append(
            _timed(
                "outbox", lambda: _with_device(profile, data_dir, lambda d: check_outbox(d.outbox))
            )
        )
        audio = _timed("audio", check_audio)
        checks.append(audio)
        if preshift and network:
            report = _preshift_report(network, checks, audio, data_dir)
            if report_out is not None:
                report_out.append(report)
        return checks
    checks.append(_timed("audio", check_audio))
    return checks


PRESHIFT_NAMES = {"server": "latency"}  # the health check above is already "server"
STATUS_OF = {"green": "ok", "amber": "warn", "red": "fail"}


def _preshift_network(profile: Any, data_dir: Path | None, out: list[Any]) -> list[Check]:
    """The pre-shift network lines with this PC's device (its items land in `out`)."""
    from homeagent.client.device import DeviceSession
    from homeagent.client.preshift import NetworkCheck
    from homeagent.security.vault import Vault
    from homeagent.ui.check.words import line_text

    device: DeviceSession | None = DeviceSession(profile, Vault(), data_dir=data_dir)
    assert device is not None
    try:
        if not device.is_enrolled:
            return []
        host = urlparse(profile.server_url).hostname or ""
        start = time.monotonic()
        items = NetworkCheck(device.client, host).run()
        kept = device
        elapsed = round((time.monotonic() - start) * 1000, 1)
        out.extend(items)
        out.append(kept)  # kept open to post the result; closed by _preshift_report
        device = None
    finally:
        if device is not None:
            device.close()
    return [
        Check(PRESHIFT_NAMES.get(i.id.value, i.id.value), STATUS_OF[i.level.value],
              line_text(i), elapsed if n == 0 else 0.0)
        for n, i in enumerate(items)
    ]  # fmt: skip


def _preshift_report(
    network: list[Any], earlier: list[Check], audio: Check, data_dir: Path | None
) -> Any:
    """The pre-shift report of this run: saved in the data folder and sent to the server."""
    import datetime as dt

    from homeagent.client.preshift import post_report, save_report
    from homeagent.core import preshift as ps
    from homeagent.crm.store import default_data_dir

    device = network.pop()
    try:
        items: list[ps.Item] = list(network)
        sip = next((c for c in earlier if c.name == "sip"), None)
        items.append(ps.judge_sip(sip is not None and sip.status == "ok"))
        present = audio.status == "ok"
        items.append(ps.judge_microphone(None, present=present))
        items.append(ps.judge_heard(ps.ItemId.HEADSET, None, present=present))
        items.append(ps.judge_heard(ps.ItemId.RINGER, None, present=present))
        report = ps.make_report(items, dt.datetime.now(dt.UTC), source="diagnose")
        try:
            save_report(report, data_dir or default_data_dir())
        except OSError as exc:
            print(f"homeagent diagnose: last check not saved: {exc}", file=sys.stderr)
        post_report(device.client, report)
        return report
    finally:
        device.close()


def _with_device(
    profile: Any, data_dir: Path | None, check: Callable[[Any], tuple[str, str]]
) -> tuple[str, str]:
    """Run `check` on this PC's enrolled device (a warning when it is not enrolled yet)."""
    from homeagent.client.device import DeviceSession
    from homeagent.security.vault import Vault

    device = DeviceSession(profile, Vault(), data_dir=data_dir)
    try:
        if not device.is_enrolled:
            return "warn", QCoreApplication.translate(
                "Diagnose", "This computer is not signed in yet: start HomeAgent once."
            )
        return check(device)
    finally:
        device.close()


def check_outbox(outbox: Outbox) -> tuple[str, str]:
    """What waits to be sent, and what the server refused for good (kinds and reasons)."""
    status = outbox.status()
    dead = outbox.dead_letters()
    if dead:
        reasons = "; ".join(f"{d.kind}: {d.error}" for d in dead[:5])
        more = f" (+{len(dead) - 5} more)" if len(dead) > 5 else ""
        return "warn", QCoreApplication.translate(
            "Diagnose", "{n} refused by the server, not sent: {reasons}"
        ).format(n=len(dead), reasons=reasons + more)
    if status.retrying:
        return "warn", QCoreApplication.translate(
            "Diagnose", "{n} waiting, {retrying} retrying: {error}"
        ).format(n=status.pending, retrying=status.retrying, error=status.last_error)
    return "ok", QCoreApplication.translate(
        "Diagnose", "{n} waiting to be sent, none refused"
    ).format(n=status.pending)


def _install_language(lang: str | None, data_dir: Path | None) -> list[QTranslator]:
    """The report speaks the user's language (--lang, else the system's)."""
    import tempfile

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QCoreApplication

    from homeagent.ui.qt.i18n import choose_language, install_translators

    app = QCoreApplication.instance() or QCoreApplication(["homeagent-diagnose"])
    cache = (data_dir / "cache") if data_dir else Path(tempfile.gettempdir()) / "homeagent-i18n"
    return install_translators(app, choose_language(lang), cache)


def build_parser() -> argparse.ArgumentParser:
    """`homeagent diagnose`'s options (other modes add theirs here, see `_MODES`)."""
    parser = argparse.ArgumentParser(
        prog="homeagent diagnose",
        description="Check this PC for HomeAgent: network, server, phone line, audio, and "
        "the pre-shift network test (voice echo, bandwidth, clock).",
    )
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.add_argument("--config-dir", type=Path)
    parser.add_argument("--data-dir", type=Path)
    parser.add_argument("--lang", choices=("fr", "en"), help="report language")
    parser.add_argument(
        "--no-echo",
        action="store_true",
        help="skip the pre-shift network test (the ~11 s voice echo and bandwidth test)",
    )
    from homeagent.desktop import diag_device

    diag_device.add_arguments(parser)  # --bundle FILE.zip: the diagnostics bundle for IT
    return parser


# Other modes of `homeagent diagnose`: (predicate on the parsed args, runner returning the
# exit code). A mode added here runs instead of the checks (e.g. `--bundle FILE.zip`).
_MODES: list[tuple[Callable[[argparse.Namespace], bool], Callable[[argparse.Namespace], int]]] = [
    (lambda args: args.bundle is not None, lambda args: _run_bundle(args)),
]


def _run_bundle(args: argparse.Namespace) -> int:
    from homeagent.desktop import diag_device

    return diag_device.run(args.bundle, args.config_dir, args.data_dir, args.hours)


def main(argv: list[str] | None = None) -> int:
    """Print the report; exit 1 when a check failed."""
    args = build_parser().parse_args(sys.argv[1:] if argv is None else argv)
    translators = _install_language(args.lang, args.data_dir)
    try:
        for wanted, run in _MODES:
            if wanted(args):
                return run(args)
        reports: list[Any] = []
        checks = run_checks(
            args.config_dir, args.data_dir, preshift=not args.no_echo, report_out=reports
        )
        _print_report(checks, as_json=args.json, preshift=reports[0] if reports else None)
    finally:
        from homeagent.ui.qt.i18n import remove_translators

        app = QCoreApplication.instance()
        if app is not None:
            remove_translators(app, translators)
    return 1 if any(c.status == "fail" for c in checks) else 0


def _print_report(checks: list[Check], *, as_json: bool, preshift: Any = None) -> None:
    if as_json:
        out: dict[str, Any] = {"checks": [asdict(c) for c in checks]}
        if preshift is not None:
            out["preshift"] = preshift.to_json()
        print(json.dumps(out, ensure_ascii=False, indent=2))
        return
    marks = {"ok": "✔", "warn": "!", "fail": "✘"}
    for c in checks:
        print(f"{marks[c.status]} {c.name:<8} {c.detail}  ({c.elapsed_ms:.0f} ms)")
