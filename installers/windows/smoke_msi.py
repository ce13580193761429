r"""Build the smoke MSI on Linux with wixl, and sign / verify an MSI with osslsigncode.

    python -m installers.windows.smoke_msi --payload dist/bundle/homeagent --version 1.2.3 \
        --out dist/homeagent-smoke.msi [--cert code.pem --key code.key]

The product MSI is built by WiX v4 on Windows (homeagent.wxs, see the CI workflow). This one
checks the same tables here: wixl reads the WiX v3 twin (homeagent-smoke.wxs), then msibuild
puts back what wixl drops or refuses (listed in that file), so the tests can read from the MSI
that the silent-install properties are Secure, the config files are copied only when their
property is set, and %ProgramData%\HomeAgent gets its locked ACL.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import tempfile
from pathlib import Path

from installers.windows.harvest import HarvestError, harvest

HERE = Path(__file__).parent
SMOKE_SOURCE = HERE / "homeagent-smoke.wxs"
PRODUCT_SOURCE = HERE / "homeagent.wxs"
# IT's silent-install properties and the file each one is copied to in %ProgramData%.
CONFIG_FILES = {
    "PROFILE": ("ProfileConfig", "CopyProfile", "profile.json"),
    "TRUSTED_KEYS": ("TrustedKeysConfig", "CopyTrustedKeys", "trusted-keys.pem"),
    "UPDATE_POLICY": ("UpdatePolicyConfig", "CopyUpdatePolicy", "update-policy.json"),
    "UPDATE_ROOT": ("UpdateRootConfig", "CopyUpdateRoot", "update-root.json"),
}
# SYSTEM and Administrators: full control; Users: read and execute; inheritance protected.
DATA_FOLDER_SDDL = "O:SYG:SYD:PAI(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)(A;OICI;0x1200a9;;;BU)"
# Standard positions (msi.chm "Suggested InstallExecuteSequence"); 1501 = right after
# InstallInitialize, which is what MajorUpgrade/@Schedule="afterInstallInitialize" means.
MOVE_FILES_SEQUENCE = 3800
REMOVE_EXISTING_PRODUCTS_SEQUENCE = 1501
_VERSION_RE = re.compile(r"^\d{1,3}\.\d{1,3}\.\d{1,5}$")


class MsiError(Exception):
    """The MSI could not be built, signed or verified; the message says why."""


def _run(
    command: list[str], what: str, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=cwd)
    except FileNotFoundError as exc:
        raise MsiError(f"{command[0]} is not installed ({what})") from exc
    if done.returncode != 0:
        raise MsiError(f"{what} failed: {(done.stdout + done.stderr).strip()[-2000:]}")
    return done


def _idt(name: str, columns: list[tuple[str, str]], key: str, rows: list[list[str]]) -> str:
    lines = ["\t".join(c for c, _ in columns), "\t".join(t for _, t in columns), f"{name}\t{key}"]
    lines += ["\t".join(row) for row in rows]
    return "\r\n".join(lines) + "\r\n"


def patch_wixl_output(msi: Path) -> None:
    """Put back into a wixl-built MSI what homeagent.wxs declares and wixl drops."""
    with tempfile.TemporaryDirectory() as tmp:
        move = Path(tmp) / "MoveFile.idt"
        move.write_text(
            _idt(
                "MoveFile",
                [
                    ("FileKey", "s72"),
                    ("Component_", "s72"),
                    ("SourceName", "L255"),
                    ("DestName", "L255"),
                    ("SourceFolder", "S72"),
                    ("DestFolder", "s72"),
                    ("Options", "i2"),
                ],
                "FileKey",
                # No SourceName: the property holds the source file's full path. Options 0: copy.
                [
                    [copy_id, component, "", dest, prop, "DATAFOLDER", "0"]
                    for prop, (component, copy_id, dest) in CONFIG_FILES.items()
                ],
            ),
            encoding="utf-8",
        )
        lock = Path(tmp) / "MsiLockPermissionsEx.idt"
        lock.write_text(
            _idt(
                "MsiLockPermissionsEx",
                [
                    ("MsiLockPermissionsEx", "s72"),
                    ("LockObject", "s72"),
                    ("Table", "s32"),
                    ("SDDLText", "s0"),
                    ("Condition", "S255"),
                ],
                "MsiLockPermissionsEx",
                [["DataFolderAcl", "DATAFOLDER", "CreateFolder", DATA_FOLDER_SDDL, ""]],
            ),
            encoding="utf-8",
        )
        secure = ";".join([*CONFIG_FILES, "WIX_DOWNGRADE_DETECTED", "WIX_UPGRADE_DETECTED"])
        # S608: every value below is a constant of this module, none comes from outside.
        queries = [
            f"UPDATE `Property` SET `Value`='{secure}' WHERE `Property`='SecureCustomProperties'",  # noqa: S608
            "INSERT INTO `InstallExecuteSequence` (`Action`, `Sequence`) "  # noqa: S608
            f"VALUES ('MoveFiles', {MOVE_FILES_SEQUENCE})",
            f"UPDATE `InstallExecuteSequence` SET `Sequence`={REMOVE_EXISTING_PRODUCTS_SEQUENCE} "  # noqa: S608
            "WHERE `Action`='RemoveExistingProducts'",
        ]
        queries += [
            f"UPDATE `Component` SET `Condition`='{prop}' WHERE `Component`='{component}'"  # noqa: S608
            for prop, (component, _, _) in CONFIG_FILES.items()
        ]
        command = ["msibuild", str(msi), "-i", str(move), "-i", str(lock)]
        for query in queries:
            command += ["-q", query]
        _run(command, "msibuild (patching the wixl output)")


def build_smoke_msi(payload: Path, out: Path, *, version: str) -> Path:
    """wixl + msibuild: an unsigned MSI of `payload` (must hold homeagent.exe)."""
    if not _VERSION_RE.match(version):
        raise MsiError(f"MSI versions are major.minor.build numbers, not {version!r}")
    if not (payload / "homeagent.exe").is_file():
        raise MsiError(f"{payload} has no homeagent.exe (the shortcut's and handlers' target)")
    try:
        fragment_text = harvest(payload, "v3")
    except HarvestError as exc:
        raise MsiError(str(exc)) from exc
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        fragment = Path(tmp) / "bundle-files.wxs"
        fragment.write_text(fragment_text, encoding="utf-8")
        out = out.resolve()
        partial = out.with_name(out.name + ".partial")
        partial.unlink(missing_ok=True)
        _run(
            [
                "wixl",
                "-a",
                "x64",
                "-D",
                f"Version={version}",
                "-o",
                str(partial),
                str(SMOKE_SOURCE),
                str(fragment),
            ],
            "wixl",
            cwd=payload,  # the fragment's File/@Source paths are relative to the bundle
        )
        patch_wixl_output(partial)
        partial.replace(out)
    return out


def sign_msi(
    msi: Path,
    out: Path,
    *,
    cert: Path,
    key: Path,
    description: str = "HomeAgent",
    timestamp_url: str | None = None,
) -> Path:
    """Authenticode-sign with osslsigncode (SHA-256). A timestamp keeps the signature
    valid after the certificate expires: production signing passes `timestamp_url`."""
    command = ["osslsigncode", "sign", "-certs", str(cert), "-key", str(key), "-h", "sha256"]
    command += ["-n", description, "-in", str(msi), "-out", str(out)]
    if timestamp_url:
        command += ["-ts", timestamp_url]
    out.unlink(missing_ok=True)
    _run(command, "osslsigncode sign")
    return out


def verify_msi(msi: Path, *, ca: Path) -> str:
    """osslsigncode verify against `ca`; return its report or raise MsiError with it."""
    return _run(
        ["osslsigncode", "verify", "-CAfile", str(ca), "-in", str(msi)], "osslsigncode verify"
    ).stdout


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--payload", type=Path, required=True, help="the onedir bundle")
    parser.add_argument("--version", required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--cert", type=Path, help="code-signing certificate chain (PEM)")
    parser.add_argument("--key", type=Path, help="its private key (PEM)")
    args = parser.parse_args(argv)
    try:
        msi = build_smoke_msi(args.payload, args.out, version=args.version)
        if args.cert and args.key:
            unsigned = msi.with_name(msi.name + ".unsigned")
            msi.replace(unsigned)
            sign_msi(unsigned, msi, cert=args.cert, key=args.key)
            unsigned.unlink()
    except MsiError as exc:
        print(f"MSI not written: {exc}")
        return 1
    print(msi)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
