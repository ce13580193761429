r"""Build the signed Debian package IT deploys to agent PCs, from the self-contained bundle.

    python -m installers.build_deb --out dist --bundle dist/bundle \
        --signing-key org-key.pem --trusted-keys org-pub.pem [--profile profile.json]

The package installs the PyInstaller onedir (installers/bundle.py) as ``/opt/homeagent``
with ``/usr/bin/homeagent`` a symlink to it; nothing runs pip or reaches the network at
install time (no maintainer script but ``postrm``, which removes what the app's folder may
hold on purge). It also holds the desktop entry (tel:/sip:/sips: handler), the icons, the
AppStream metainfo, the SBOM (``/opt/homeagent/sbom.cdx.json``) and, in
``/etc/homeagent`` as conffiles, the organisation's trusted key(s) and, for a silent
pre-provisioned install, a signed provisioning profile (refused at build time if it does not
verify with those keys). Next to the .deb it writes ``<deb>.json``, the signed release
metadata (installers/release.py) that ``python -m installers.verify`` checks.

Same bundle, keys, profile and SOURCE_DATE_EPOCH → the same .deb, byte for byte: every
mtime is SOURCE_DATE_EPOCH, owners are root, dpkg-deb sorts the members, uses
SOURCE_DATE_EPOCH for the archive's own timestamps and compresses on one thread.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from homeagent.security.profile import load_profile
from installers.release import sign_release

HERE = Path(__file__).parent
ROOT = HERE.parent
PACKAGE = "homeagent"
ARCH = "amd64"
APP_ID = "org.homeagent.HomeAgent"
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256)
# What the bundle needs from the system (the DT_NEEDED libraries of every ELF file in the
# bundle that it does not carry, mapped to Debian 12 packages by dpkg -S:
# tests/integration/installers/test_deb.py checks the list is complete): X11/xcb and
# Wayland for Qt's platform plugins, EGL/GL, fonts, GLib, D-Bus, the PulseAudio client library
# (PipeWire desktops provide the PulseAudio protocol through pipewire-pulse), and a Secret
# Service provider for the keyring. The bundle carries its own Python, Qt and OpenSSL.
DEPENDS = (
    "libc6 (>= 2.34)",
    "libegl1",
    "libgl1",
    "libglib2.0-0",
    "libfontconfig1",
    "libfreetype6",
    "libbrotli1",
    "libzstd1",
    "libgssapi-krb5-2",
    "libdbus-1-3",
    "libx11-6",
    "libx11-xcb1",
    "libxcb1",
    "libxkbcommon0",
    "libxkbcommon-x11-0",
    "libxcb-cursor0",
    "libxcb-glx0",
    "libxcb-icccm4",
    "libxcb-image0",
    "libxcb-keysyms1",
    "libxcb-randr0",
    "libxcb-render-util0",
    "libxcb-render0",
    "libxcb-shape0",
    "libxcb-shm0",
    "libxcb-sync1",
    "libxcb-util1",
    "libxcb-xfixes0",
    "libxcb-xkb1",
    "libwayland-client0",
    "libwayland-cursor0",
    "libwayland-egl1",
    "libpulse0",
    "gnome-keyring | kwalletmanager | keepassxc | secret-service-provider",
)
RECOMMENDS = ("pipewire-pulse | pulseaudio",)


def control_text(version: str, installed_kib: int) -> str:
    return (
        f"Package: {PACKAGE}\nVersion: {version}\nArchitecture: {ARCH}\n"
        "Maintainer: HomeAgent IT <it@homeagent.invalid>\nSection: comm\nPriority: optional\n"
        f"Installed-Size: {installed_kib}\n"
        f"Depends: {', '.join(DEPENDS)}\n"
        f"Recommends: {', '.join(RECOMMENDS)}\n"
        "Description: HomeAgent softphone and agent desk\n"
        " SIP softphone with headset audio, presence, contact cards and team messages\n"
        " for contact-centre agents working from home. Self-contained: it carries its own\n"
        " Python, Qt and SIP stack under /opt/homeagent (SBOM: /opt/homeagent/sbom.cdx.json).\n"
    )


def _installed_kib(tree: Path) -> int:
    total = 0
    for path in tree.rglob("*"):
        if "DEBIAN" in path.relative_to(tree).parts[:1]:
            continue
        total += path.lstat().st_size if path.is_file() or path.is_symlink() else 0
    return (total + 1023) // 1024


def _normalise(tree: Path, sde: int) -> None:
    """Modes as dpkg wants them and every mtime at SOURCE_DATE_EPOCH."""
    for path in sorted(tree.rglob("*"), reverse=True):
        if path.is_symlink():
            os.utime(path, (sde, sde), follow_symlinks=False)
            continue
        if path.is_dir():
            path.chmod(0o755)
        elif path.parent.name == "DEBIAN":
            path.chmod(0o755 if path.name in ("postinst", "prerm", "postrm", "preinst") else 0o644)
        else:
            path.chmod(0o755 if path.stat().st_mode & 0o100 else 0o644)
        os.utime(path, (sde, sde))
    os.utime(tree, (sde, sde))


def _bundle_facts(bundle: Path) -> dict:
    facts_file = bundle / "build.json"
    if not (bundle / PACKAGE / PACKAGE).is_file() or not facts_file.exists():
        raise FileNotFoundError(
            f"{bundle} holds no built bundle (homeagent/homeagent and build.json): "
            "run `make dist` or `python -m installers.bundle --out dist` first"
        )
    return dict(json.loads(facts_file.read_text(encoding="utf-8")))


def layout(
    tree: Path,
    bundle: Path,
    *,
    keys_pem: bytes,
    profile: Path | None,
    version: str,
    sde: int,
) -> None:
    """The package's file tree under `tree` (DEBIAN/ included)."""
    debian = tree / "DEBIAN"
    debian.mkdir(parents=True)
    opt = tree / "opt" / PACKAGE
    shutil.copytree(bundle / PACKAGE, opt, symlinks=True)
    shutil.copyfile(bundle / "sbom.cdx.json", opt / "sbom.cdx.json")
    # the app's update client reads it: this copy is updated by apt, it only tells the agent
    (opt / ".installed-by-dpkg").write_text(
        "Installed by the homeagent .deb: updates come through the signed apt repository.\n",
        encoding="utf-8",
    )
    usr_bin = tree / "usr/bin"
    usr_bin.mkdir(parents=True)
    (usr_bin / PACKAGE).symlink_to(f"/opt/{PACKAGE}/{PACKAGE}")
    share = tree / "usr/share"
    (share / "applications").mkdir(parents=True)
    shutil.copyfile(HERE / "debian/homeagent.desktop", share / "applications/homeagent.desktop")
    icons = ROOT / "resources/icons"
    scalable = share / "icons/hicolor/scalable/apps"
    scalable.mkdir(parents=True)
    shutil.copyfile(icons / "homeagent.svg", scalable / "homeagent.svg")
    for size in ICON_SIZES:
        target = share / f"icons/hicolor/{size}x{size}/apps"
        target.mkdir(parents=True)
        shutil.copyfile(icons / f"homeagent-{size}.png", target / "homeagent.png")
    (share / "metainfo").mkdir(parents=True)
    date = datetime.fromtimestamp(sde, UTC).strftime("%Y-%m-%d")
    metainfo = (HERE / f"debian/{APP_ID}.metainfo.xml").read_text(encoding="utf-8")
    metainfo = metainfo.replace("@VERSION@", version).replace("@DATE@", date)
    (share / f"metainfo/{APP_ID}.metainfo.xml").write_text(metainfo, encoding="utf-8")
    doc = share / f"doc/{PACKAGE}"
    doc.mkdir(parents=True)
    (doc / "copyright").write_text(
        "HomeAgent: proprietary. The third-party components it carries and their licences\n"
        "are listed in /opt/homeagent/sbom.cdx.json (CycloneDX).\n",
        encoding="utf-8",
    )
    etc = tree / "etc" / PACKAGE
    etc.mkdir(parents=True)
    (etc / "trusted-keys.pem").write_bytes(keys_pem)
    conffiles = [f"/etc/{PACKAGE}/trusted-keys.pem"]
    if profile is not None:
        shutil.copyfile(profile, etc / "profile.json")
        conffiles.append(f"/etc/{PACKAGE}/profile.json")
    (debian / "conffiles").write_text("\n".join(conffiles) + "\n", encoding="utf-8")
    for script in ("postinst", "postrm"):
        shutil.copyfile(HERE / "debian" / script, debian / script)
    _normalise(tree, sde)
    (debian / "control").write_text(control_text(version, _installed_kib(tree)), "utf-8")
    os.utime(debian / "control", (sde, sde))


def build(
    out: Path,
    *,
    bundle: Path,
    signing_key: Path,
    trusted_keys: Path,
    profile: Path | None = None,
    compression: str = "xz",
) -> Path:
    """Build and sign the package from a built bundle folder (dist/bundle or a cache
    entry: homeagent/, sbom.cdx.json, build.json); return the .deb path. Refuses an
    unverifiable profile before anything is written."""
    keys_pem = trusted_keys.read_bytes()
    if profile is not None:
        # Never ship a profile the installed app would refuse.
        load_profile(profile.read_bytes(), [keys_pem])
    facts = _bundle_facts(bundle)
    version, sde = str(facts["version"]), int(facts["source_date_epoch"])
    out.mkdir(parents=True, exist_ok=True)
    deb = out / f"{PACKAGE}_{version}_{ARCH}.deb"
    with tempfile.TemporaryDirectory(prefix="ha-deb-") as tmp:
        tree = Path(tmp) / "root"
        layout(tree, bundle, keys_pem=keys_pem, profile=profile, version=version, sde=sde)
        partial = Path(tmp) / deb.name
        env = dict(os.environ, SOURCE_DATE_EPOCH=str(sde))
        subprocess.run(
            ["dpkg-deb", "--root-owner-group", "--threads-max=1", f"-Z{compression}",
             "--build", str(tree), str(partial)],
            check=True,
            stdout=subprocess.DEVNULL,
            env=env,
            timeout=1800,
        )  # fmt: skip
        shutil.move(partial, deb)
    sign_release(deb, name=PACKAGE, version=version, private_key_pem=signing_key.read_bytes())
    return deb


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument(
        "--bundle", type=Path, required=True, help="the built bundle folder (dist/bundle)"
    )
    parser.add_argument("--signing-key", type=Path, required=True, help="Ed25519 private PEM")
    parser.add_argument("--trusted-keys", type=Path, required=True, help="public key(s) PEM")
    parser.add_argument("--profile", type=Path, help="signed profile for silent installs")
    parser.add_argument("--compression", default="xz", choices=("xz", "gzip", "zstd"))
    args = parser.parse_args(argv)
    deb = build(
        args.out,
        bundle=args.bundle,
        signing_key=args.signing_key,
        trusted_keys=args.trusted_keys,
        profile=args.profile,
        compression=args.compression,
    )
    print(deb)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
