"""This PC's diagnostics bundle: its sources and ``homeagent diagnose --bundle FILE.zip``.

The sources come from the enrolled `DeviceSession` (the secrets to mask, read from the
keyring only for that; the contact cache's names; the outbox); the bundle itself is built
by `homeagent.desktop.diag_bundle`.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import hashlib
import json
import logging
import sys
from pathlib import Path
from typing import Any

from homeagent.desktop.diag_bundle import (
    DEFAULT_HOURS,
    BundleTooLarge,
    Skipped,
    Sources,
    build,
    qt_audio_devices,
)

log = logging.getLogger(__name__)

BUNDLES_DIR = "diagnostics"  # in the data folder: the bundles the desk built


# -- what the PC knows ------------------------------------------------------------------


def device_sources(
    device: Any, data_dir: Path, *, hours: float = DEFAULT_HOURS, audio: bool = True
) -> Sources:
    """The sources of an enrolled `DeviceSession` (or of a PC that is not enrolled yet).

    The secrets are read from the keyring only to be masked; the names come from the
    contact cache. What cannot be read is listed as skipped.
    """
    sources = Sources(data_dir=data_dir, hours=hours, audio=qt_audio_devices if audio else None)
    secrets: list[str] = []
    vault = getattr(device, "vault", None)
    try:
        sip_secret = vault.get_sip_secret() if vault is not None else None
        refresh = vault.get_refresh_token() if vault is not None else None
        if sip_secret:
            secrets.append(sip_secret)
            secrets.extend(_ha1_candidates(device, sip_secret))
        if refresh:
            secrets.append(refresh)
        if vault is not None and vault.has_data_key():
            key = vault.data_key()
            secrets += [key.hex(), key.hex().upper()]
    except Exception as exc:
        sources.skipped.append(Skipped("keyring", f"not readable ({type(exc).__name__})"))
    access = getattr(getattr(device, "client", None), "_access_token", None)
    if isinstance(access, str) and access:
        secrets.append(access)
    sources.secrets = tuple(secrets)
    if device is not None and getattr(device, "is_enrolled", False):
        try:
            store = device.store
            sources.names = tuple(_cache_names(store))
            sources.outbox = device.outbox
        except Exception as exc:
            sources.skipped.append(Skipped("contact cache", f"not readable ({type(exc).__name__})"))
    return sources


def _cache_names(store: Any) -> list[str]:
    with store.lock:
        rows = store.db.execute("SELECT first_name, last_name, company FROM contacts").fetchall()
    return [str(part) for row in rows for part in row if part]


def _ha1_candidates(device: Any, secret: str) -> list[str]:
    """MD5(user:realm:secret) for the realms this device may use (HA1 is a secret too)."""
    info: dict[str, Any] = {}
    with contextlib.suppress(OSError, ValueError):
        info = json.loads((Path(device.data_dir) / "device.json").read_text())
    found = info.get("sip")
    sip: dict[str, Any] = found if isinstance(found, dict) else {}
    users = {str(sip.get(k) or "") for k in ("auth_username", "username")} | {
        str(info.get("username") or "")
    }
    profile_sip = getattr(getattr(device, "profile", None), "sip", None)
    realms = {str(sip.get("realm") or ""), "*"}
    for attr in ("domain", "registrar_host"):
        realms.add(str(getattr(profile_sip, attr, "") or ""))
    out = []
    for user in filter(None, users):
        for realm in filter(None, realms):
            digest = hashlib.md5(f"{user}:{realm}:{secret}".encode(), usedforsecurity=False)
            out.append(digest.hexdigest())
    return out


def default_target(data_dir: Path, now: dt.datetime | None = None) -> Path:
    """Where the desk keeps a bundle it built: ``<data dir>/diagnostics/…zip``."""
    now = now or dt.datetime.now(dt.UTC)
    return data_dir / BUNDLES_DIR / f"homeagent-diagnostic-{now:%Y%m%d-%H%M%S}.zip"


# -- the command line ------------------------------------------------------------------


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``--bundle FILE.zip`` and ``--hours N`` on `homeagent diagnose`."""
    parser.add_argument(
        "--bundle",
        type=Path,
        metavar="FILE.zip",
        help="write a diagnostics bundle for IT (masked; nothing is sent)",
    )
    parser.add_argument(
        "--hours",
        type=float,
        default=DEFAULT_HOURS,
        help=f"hours of the event log in the bundle (default: {DEFAULT_HOURS:g})",
    )


def run(target: Path, config_dir: Path | None, data_dir: Path | None, hours: float) -> int:
    """`homeagent diagnose --bundle FILE.zip`: build it, list what it holds."""
    from homeagent.crm.store import default_data_dir

    data = data_dir or default_data_dir()
    device, why = _open_device(config_dir, data)
    try:
        sources = device_sources(device, data, hours=hours)
        if device is None:  # the manifest says what could not be checked against
            sources.skipped.append(Skipped("keyring and contact cache", why))
        bundle = build(target, sources)
    except (OSError, BundleTooLarge) as exc:
        print(f"homeagent diagnose: could not write {target}: {exc}", file=sys.stderr)
        return 1
    finally:
        if device is not None:
            with contextlib.suppress(Exception):
                device.close()
    print(f"{bundle.path} ({bundle.size_bytes} bytes)")
    for f in bundle.files:
        masked = ", ".join(f"{n} {rule}" for rule, n in f.masked.items()) or "nothing masked"
        cut = "; cut" if f.truncated else ""
        print(f"  {f.name:<18} {f.size_bytes:>9} bytes  ({masked}{cut})")
    for s in bundle.skipped:
        print(f"  {s.name:<18} skipped: {s.reason}")
    print("Nothing was sent. Send it from HomeAgent (Aide → Créer un rapport de diagnostic).")
    return 0


def _open_device(config_dir: Path | None, data_dir: Path) -> tuple[Any, str]:
    """This PC's device session, or (None, why): no profile yet, no keyring — a bundle
    still, masked by its patterns only (the manifest says so)."""
    try:
        from homeagent.client.device import DeviceSession
        from homeagent.security.provisioning import ProfileStore
        from homeagent.security.vault import Vault

        profile = ProfileStore(user_config_dir=config_dir).current()
        if profile is None:
            return None, "no connection profile on this PC yet"
        return DeviceSession(profile, Vault(), data_dir=data_dir), ""
    except Exception as exc:
        log.warning("diagnostics bundle without the device: %s", type(exc).__name__)
        return None, f"not readable ({type(exc).__name__})"
