r"""Build the signed Debian package IT deploys to agent PCs.

    python -m installers.build_deb --out dist --signing-key org-key.pem \
        --trusted-keys org-pub.pem [--profile profile.json] [--wheel homeagent.whl]

The package carries the HomeAgent wheel, the organisation's trusted key(s) and, for a
silent pre-provisioned install, a signed provisioning profile in /etc/homeagent. Next to
the .deb it writes `<deb>.json`, the signed release metadata (see installers/release.py)
that `python -m installers.verify` checks before installation.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import homeagent
from homeagent.security.profile import load_profile
from installers.release import sign_release

HERE = Path(__file__).parent
ROOT = HERE.parent
PACKAGE = "homeagent"
# Runtime libraries of Qt (xcb platform, multimedia) and PulseAudio the wheels rely on.
DEPENDS = (
    "python3 (>= 3.11), python3-venv, libegl1, libgl1, libxkbcommon-x11-0, libxcb-cursor0, "
    "libxcb-icccm4, libxcb-keysyms1, libxcb-shape0, libfontconfig1, libdbus-1-3, libpulse0, "
    "gnome-keyring | kwalletmanager"
)


def build_wheel(dest: Path) -> Path:
    """Build the HomeAgent wheel into `dest` from a copy of the sources: setuptools writes
    build/ and *.egg-info next to what it builds, and two builds in one tree (two CI workers,
    two IT jobs) tear down each other's files."""
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "src"
        src.mkdir()
        for name in ("pyproject.toml", "README.md"):
            shutil.copyfile(ROOT / name, src / name)
        shutil.copytree(
            ROOT / PACKAGE, src / PACKAGE, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
        )
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "wheel",
                "--quiet",
                "--no-deps",
                "-w",
                str(dest),
                str(src),
            ],
            check=True,
        )
    return next(dest.glob(f"{PACKAGE}-*.whl"))


def control_text(version: str) -> str:
    return (
        f"Package: {PACKAGE}\nVersion: {version}\nArchitecture: all\n"
        "Maintainer: HomeAgent IT <it@homeagent.invalid>\nSection: comm\nPriority: optional\n"
        f"Depends: {DEPENDS}\n"
        "Description: HomeAgent softphone and agent desk\n"
        " SIP softphone with headset audio, presence, contact cards and team messages\n"
        " for contact-centre agents working from home.\n"
    )


def build(
    out: Path,
    *,
    signing_key: Path,
    trusted_keys: Path,
    profile: Path | None = None,
    wheel: Path | None = None,
) -> Path:
    """Build and sign the package; return the .deb path. Refuses an unverifiable profile."""
    keys_pem = trusted_keys.read_bytes()
    if profile is not None:
        # Never ship a profile the installed app would refuse.
        load_profile(profile.read_bytes(), [keys_pem])
    version = homeagent.__version__
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        tree = Path(tmp) / "root"
        debian = tree / "DEBIAN"
        debian.mkdir(parents=True)
        (debian / "control").write_text(control_text(version), encoding="utf-8")
        conffiles = ["/etc/homeagent/trusted-keys.pem"]
        etc = tree / "etc/homeagent"
        etc.mkdir(parents=True)
        (etc / "trusted-keys.pem").write_bytes(keys_pem)
        if profile is not None:
            shutil.copyfile(profile, etc / "profile.json")
            conffiles.append("/etc/homeagent/profile.json")
        (debian / "conffiles").write_text("\n".join(conffiles) + "\n", encoding="utf-8")
        for script in ("postinst", "prerm"):
            shutil.copyfile(HERE / "debian" / script, debian / script)
            (debian / script).chmod(0o755)
        wheels = tree / "opt/homeagent/wheels"
        wheels.mkdir(parents=True)
        source = wheel if wheel is not None else build_wheel(Path(tmp) / "wheel")
        shutil.copyfile(source, wheels / source.name)
        apps = tree / "usr/share/applications"
        apps.mkdir(parents=True)
        shutil.copyfile(HERE / "debian/homeagent.desktop", apps / "homeagent.desktop")
        deb = out / f"{PACKAGE}_{version}_all.deb"
        subprocess.run(
            ["dpkg-deb", "--root-owner-group", "-Zxz", "--build", str(tree), str(deb)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    sign_release(deb, name=PACKAGE, version=version, private_key_pem=signing_key.read_bytes())
    return deb


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--signing-key", type=Path, required=True, help="Ed25519 private PEM")
    parser.add_argument("--trusted-keys", type=Path, required=True, help="public key(s) PEM")
    parser.add_argument("--profile", type=Path, help="signed profile for silent installs")
    parser.add_argument("--wheel", type=Path, help="prebuilt wheel (default: build one)")
    args = parser.parse_args(argv)
    deb = build(
        args.out,
        signing_key=args.signing_key,
        trusted_keys=args.trusted_keys,
        profile=args.profile,
        wheel=args.wheel,
    )
    print(deb)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
