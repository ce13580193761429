"""The signed Debian package: built for real with dpkg-deb, verified, tampering refused."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from homeagent.security import profile as p
from installers.build_deb import build, build_wheel
from installers.release import ReleaseRefused, verify_release
from tests.helpers.certs import make_ca

pytestmark = pytest.mark.integration


def _write_keys(tmp: Path, name: str) -> tuple[Path, Path]:
    private_pem, public_pem = p.generate_signing_key()
    (tmp / f"{name}.key.pem").write_bytes(private_pem)
    (tmp / f"{name}.pub.pem").write_bytes(public_pem)
    return tmp / f"{name}.key.pem", tmp / f"{name}.pub.pem"


def _profile(signing_key: Path) -> bytes:
    body = {
        "version": 1,
        "organisation": "Téléservices Lyon",
        "server_url": "https://cc.example.org",
        "ca_pem": make_ca("Org CA").cert_pem.decode(),
        "sip": {
            "registrar_host": "sip.example.org",
            "registrar_port": 5061,
            "domain": "example.org",
            "transport": "tls",
            "srtp": "mandatory",
        },
        "default_region": "FR",
        "issued_at": "2026-01-01T00:00:00Z",
        "expires_at": "2099-01-01T00:00:00Z",
    }
    return p.sign_profile(body, signing_key.read_bytes())


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    tmp = tmp_path_factory.mktemp("deb")
    key, pub = _write_keys(tmp, "org")
    profile = tmp / "profile.json"
    profile.write_bytes(_profile(key))
    deb = build(tmp / "dist", signing_key=key, trusted_keys=pub, profile=profile)
    return deb, pub, tmp


def test_package_holds_wheel_keys_profile_and_maintainer_scripts(
    package: tuple[Path, Path, Path],
) -> None:
    deb, _, tmp = package
    info = subprocess.run(["dpkg-deb", "-I", deb], capture_output=True, text=True, check=True)
    assert "Package: homeagent" in info.stdout
    assert "python3-venv" in info.stdout
    root = tmp / "extracted"
    subprocess.run(["dpkg-deb", "-R", deb, root], check=True)
    assert list((root / "opt/homeagent/wheels").glob("homeagent-*.whl"))
    assert b"BEGIN PUBLIC KEY" in (root / "etc/homeagent/trusted-keys.pem").read_bytes()
    conffiles = (root / "DEBIAN/conffiles").read_text().split()
    assert conffiles == ["/etc/homeagent/trusted-keys.pem", "/etc/homeagent/profile.json"]
    # The shipped profile verifies with the shipped key, as the installed app will do.
    shipped = p.load_profile(
        (root / "etc/homeagent/profile.json").read_bytes(),
        [(root / "etc/homeagent/trusted-keys.pem").read_bytes()],
    )
    assert shipped.organisation == "Téléservices Lyon"
    for script in ("postinst", "prerm"):
        subprocess.run(["sh", "-n", root / "DEBIAN" / script], check=True)


def test_verify_accepts_the_signed_package(package: tuple[Path, Path, Path]) -> None:
    deb, pub, _ = package
    release = verify_release(deb, deb.with_name(deb.name + ".json"), [pub.read_bytes()])
    assert release["name"] == "homeagent"
    cli = subprocess.run(
        [sys.executable, "-m", "installers.verify", deb, "--trusted-keys", pub],
        capture_output=True,
        text=True,
    )
    assert cli.returncode == 0, cli.stderr
    assert cli.stdout.startswith("OK homeagent ")


def test_a_tampered_package_is_refused(package: tuple[Path, Path, Path]) -> None:
    deb, pub, tmp = package
    evil = tmp / "evil" / deb.name
    evil.parent.mkdir()
    data = bytearray(deb.read_bytes())
    data[len(data) // 2] ^= 0xFF
    evil.write_bytes(bytes(data))
    with pytest.raises(ReleaseRefused, match="does not match its signed checksum"):
        verify_release(evil, deb.with_name(deb.name + ".json"), [pub.read_bytes()])
    cli = subprocess.run(
        [
            sys.executable,
            "-m",
            "installers.verify",
            evil,
            "--metadata",
            deb.with_name(deb.name + ".json"),
            "--trusted-keys",
            pub,
        ],
        capture_output=True,
        text=True,
    )
    assert cli.returncode == 1
    assert "REFUSED" in cli.stderr


def test_metadata_from_another_key_or_edited_is_refused(package: tuple[Path, Path, Path]) -> None:
    deb, _, tmp = package
    meta = deb.with_name(deb.name + ".json")
    _, other_pub = _write_keys(tmp, "other")
    with pytest.raises(ReleaseRefused, match="not a trusted organisation key"):
        verify_release(deb, meta, [other_pub.read_bytes()])
    edited = tmp / "edited.json"
    edited.write_text(meta.read_text().replace('"version": "', '"version": "9'))
    with pytest.raises(ReleaseRefused, match="signature is invalid"):
        verify_release(deb, edited, [package[1].read_bytes()])


def test_a_profile_that_fails_its_signature_is_not_packaged(tmp_path: Path) -> None:
    key, _ = _write_keys(tmp_path, "org")
    _, other_pub = _write_keys(tmp_path, "other")
    profile = tmp_path / "profile.json"
    profile.write_bytes(_profile(key))
    with pytest.raises(p.ProfileError):
        build(tmp_path / "dist", signing_key=key, trusted_keys=other_pub, profile=profile)
    assert not (tmp_path / "dist").exists() or not list((tmp_path / "dist").iterdir())


def test_two_builds_at_once_both_give_a_wheel(tmp_path: Path) -> None:
    """Builds read the source tree and write nothing into it: two at once (two CI workers,
    two IT jobs) must not tear down each other's build/ directory."""
    with ThreadPoolExecutor(2) as pool:
        futures = [pool.submit(build_wheel, tmp_path / f"w{i}") for i in range(2)]
        wheels = [f.result(timeout=300) for f in futures]
    for wheel in wheels:
        with zipfile.ZipFile(wheel) as z:
            assert "homeagent/__init__.py" in z.namelist()
