"""The smoke MSI: built with wixl, its tables read back with msiinfo, Authenticode-signed
with osslsigncode under a throw-away code-signing certificate, verified, and refused once a
single byte of it changes."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from installers.windows import harvest, smoke_msi
from installers.windows.smoke_msi import MsiError, build_smoke_msi, sign_msi, verify_msi

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]

VERSION = "1.4.2"


def _payload(root: Path) -> Path:
    """A fake onedir bundle: the executable, a nested library folder, a non-ASCII name."""
    bundle = root / "homeagent"
    (bundle / "_internal/PySide6/plugins").mkdir(parents=True)
    (bundle / "homeagent.exe").write_bytes(b"MZ fake executable\n")
    (bundle / "_internal/python311.dll").write_bytes(b"fake python\n" * 100)
    (bundle / "_internal/PySide6/Qt6Core.dll").write_bytes(b"fake qt\n")
    (bundle / "_internal/PySide6/plugins/qwindows.dll").write_bytes(b"fake plugin\n")
    (bundle / "_internal/données.txt").write_text("é\n", encoding="utf-8")
    return bundle


def _table(msi: Path, name: str) -> list[list[str]]:
    """The rows of one table (msiinfo export: names, types and key line first)."""
    out = subprocess.run(
        ["msiinfo", "export", str(msi), name], capture_output=True, text=True, check=True
    ).stdout
    return [line.split("\t") for line in out.splitlines()[3:]]


def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, timeout=60)


def _code_signing(tmp: Path, name: str) -> tuple[Path, Path, Path]:
    """A throw-away CA and a code-signing leaf it issued: (ca.pem, leaf.pem, leaf.key)."""
    d = tmp / name
    d.mkdir()
    _openssl(
        "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem",
        "-days", "2", "-subj", f"/CN={name} Test CA",
        "-addext", "basicConstraints=critical,CA:true",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign",
        cwd=d,
    )  # fmt: skip
    _openssl(
        "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "leaf.key", "-out", "leaf.csr",
        "-subj", f"/CN={name} Code Signing/O=HomeAgent",
        cwd=d,
    )  # fmt: skip
    (d / "ext.cnf").write_text(
        "basicConstraints=CA:false\nkeyUsage=critical,digitalSignature\n"
        "extendedKeyUsage=codeSigning\n",
        encoding="utf-8",
    )
    _openssl(
        "x509", "-req", "-in", "leaf.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
        "-CAcreateserial", "-days", "2", "-extfile", "ext.cnf", "-out", "leaf.pem",
        cwd=d,
    )  # fmt: skip
    (d / "leaf.key").chmod(0o600)
    return d / "ca.pem", d / "leaf.pem", d / "leaf.key"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    tmp = tmp_path_factory.mktemp("msi")
    bundle = _payload(tmp)
    return build_smoke_msi(bundle, tmp / "homeagent-smoke.msi", version=VERSION), bundle


def test_secure_properties_and_conditional_config_copies(built: tuple[Path, Path]) -> None:
    msi, _ = built
    props = dict((row[0], row[1]) for row in _table(msi, "Property"))
    secure = set(props["SecureCustomProperties"].split(";"))
    assert {"PROFILE", "TRUSTED_KEYS", "UPDATE_POLICY", "UPDATE_ROOT"} <= secure
    assert props["ALLUSERS"] == "1"  # per-machine
    assert props["ProductVersion"] == VERSION
    assert props["UpgradeCode"] == "{5850708B-3443-4A2B-8E6A-6FEB2548F10B}"
    # Each config file is copied (MoveFile, Options 0) into DATAFOLDER only when IT set it.
    components = {row[0]: row for row in _table(msi, "Component")}
    moves = {row[0]: row for row in _table(msi, "MoveFile")}
    for prop, (component, copy_id, dest) in smoke_msi.CONFIG_FILES.items():
        assert components[component][2] == "DATAFOLDER"
        assert components[component][4] == prop
        assert moves[copy_id][1:] == [component, "", dest, prop, "DATAFOLDER", "0"]
    assert {row[3] for row in moves.values()} == {
        "profile.json",
        "trusted-keys.pem",
        "update-policy.json",
        "update-root.json",
    }
    directories = {row[0]: row for row in _table(msi, "Directory")}
    assert directories["DATAFOLDER"][1:] == ["CommonAppDataFolder", "HomeAgent"]
    assert directories["INSTALLFOLDER"][1:] == ["ProgramFiles64Folder", "HomeAgent"]
    (lock,) = _table(msi, "MsiLockPermissionsEx")
    assert lock[1:4] == ["DATAFOLDER", "CreateFolder", smoke_msi.DATA_FOLDER_SDDL]
    assert ["DATAFOLDER", "DataFolder"] in _table(msi, "CreateFolder")


def test_sequence_upgrade_and_per_machine_only(built: tuple[Path, Path]) -> None:
    msi, bundle = built
    sequence = {row[0]: int(row[2]) for row in _table(msi, "InstallExecuteSequence")}
    # MajorUpgrade afterInstallInitialize: the old version leaves inside the transaction.
    assert sequence["InstallInitialize"] < sequence["RemoveExistingProducts"]
    assert sequence["RemoveExistingProducts"] < sequence["ProcessComponents"]
    assert sequence["CreateFolders"] < sequence["MoveFiles"] < sequence["InstallFiles"]
    upgrade = _table(msi, "Upgrade")
    assert {row[-1] for row in upgrade} == {"WIX_UPGRADE_DETECTED", "WIX_DOWNGRADE_DETECTED"}
    # Every registry value goes to HKLM (root 2); HKCU (1) would be a per-user part.
    registry = _table(msi, "Registry")
    assert {row[1] for row in registry} == {"2"}
    commands = {row[2]: row[4] for row in registry if row[2].endswith(r"shell\open\command")}
    for scheme in ("tel", "sip", "sips", "HomeAgent.Url"):
        assert commands[rf"Software\Classes\{scheme}\shell\open\command"] == (
            '"[INSTALLFOLDER]homeagent.exe" "%1"'
        )
    markers = {(row[2], row[3]) for row in registry}
    for scheme in ("tel", "sip", "sips"):
        assert (rf"Software\Classes\{scheme}", "URL Protocol") in markers
        assert (r"Software\HomeAgent\Capabilities\URLAssociations", scheme) in markers
    (shortcut,) = _table(msi, "Shortcut")
    assert shortcut[1:5] == [
        "ProgramMenuFolder",
        "HomeAgent",
        "StartMenuShortcut",
        "[INSTALLFOLDER]homeagent.exe",
    ]
    # Every bundle file is in the File table, in a 64-bit component.
    files = _table(msi, "File")
    on_disk = sorted(p.name for p in bundle.rglob("*") if p.is_file())
    assert sorted(row[2].split("|")[-1] for row in files) == on_disk
    components = {row[0]: row for row in _table(msi, "Component")}
    assert all(int(components[row[1]][3]) & 256 for row in files)
    summary = subprocess.run(
        ["msiinfo", "suminfo", str(msi)], capture_output=True, text=True, check=True
    ).stdout
    assert "Template: x64;1033" in summary


def test_harvest_is_stable_and_refuses_an_empty_bundle(tmp_path: Path) -> None:
    one, two = _payload(tmp_path / "a"), _payload(tmp_path / "b")
    text_a, text_b = harvest.harvest(one, "v3"), harvest.harvest(two, "v3")
    assert text_a == text_b  # same relative paths: same ids, same GUIDs
    assert harvest.component_guid("homeagent.exe") == harvest.component_guid("HOMEAGENT.EXE")
    assert str(one) not in text_a
    assert str(one.resolve()) in harvest.harvest(one, "v4")
    (tmp_path / "empty").mkdir()
    with pytest.raises(harvest.HarvestError, match="holds no file"):
        harvest.harvest(tmp_path / "empty")
    with pytest.raises(MsiError, match=r"no homeagent\.exe"):
        build_smoke_msi(tmp_path / "empty", tmp_path / "x.msi", version=VERSION)
    with pytest.raises(MsiError, match=r"major\.minor\.build"):
        build_smoke_msi(one, tmp_path / "x.msi", version="1.4.2rc1")


def test_signed_verifies_and_one_flipped_byte_is_refused(
    built: tuple[Path, Path], tmp_path: Path
) -> None:
    msi, _ = built
    ca, cert, key = _code_signing(tmp_path, "HomeAgent")
    signed = sign_msi(msi, tmp_path / "signed.msi", cert=cert, key=key)
    report = verify_msi(signed, ca=ca)
    assert "Signature verification: ok" in report
    assert "Subject: /CN=HomeAgent Code Signing/O=HomeAgent" in report
    # The signed bytes still carry the same tables.
    assert _table(signed, "MoveFile") == _table(msi, "MoveFile")

    # One bit of the ACL string (in the string pool, a signed stream) changes.
    data = bytearray(signed.read_bytes())
    where = data.find(b"(A;OICI;0x1200a9;;;BU)")
    assert where > 0
    data[where + 10] ^= 0x01
    tampered = tmp_path / "tampered.msi"
    tampered.write_bytes(bytes(data))
    with pytest.raises(MsiError, match="MISMATCH"):
        verify_msi(tampered, ca=ca)

    with pytest.raises(MsiError, match="MSI file has no signature"):
        verify_msi(msi, ca=ca)

    # A certificate from another CA does not verify against the organisation's.
    other_ca, other_cert, other_key = _code_signing(tmp_path, "Elsewhere")
    foreign = sign_msi(msi, tmp_path / "foreign.msi", cert=other_cert, key=other_key)
    assert "Signature verification: ok" in verify_msi(foreign, ca=other_ca)
    with pytest.raises(MsiError, match=r"unable to get local issuer certificate"):
        verify_msi(foreign, ca=ca)
