"""The signed Debian package of the bundle: built for real with dpkg-deb, verified, tampering
refused, installed into a scratch root with dpkg, self-tested there, removed and purged."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from homeagent.security import profile as p
from installers.apt_repo import build_repo, generate_throwaway_key, stop_agent
from installers.build_deb import DEPENDS, build
from installers.release import ReleaseRefused, verify_release
from tests.helpers.certs import make_ca
from tests.helpers.keyring_session import KeyringSession
from tests.helpers.procs import require_tool
from tests.helpers.pulse import PulseServer

from .conftest import Built
from .test_apt_repo import Apt, RepoServer

# The release's .deb is xz (one thread: ≈ 100 s for the bundle here); the tests build zstd
# (seconds): same tree, same dpkg-deb, the layout and reproducibility under test are ours.
COMPRESSION = "zstd"

# one worker builds the bundle and runs everything that uses it (the other worker would
# otherwise wait minutes on the build lock)
pytestmark = [
    pytest.mark.integration,
    pytest.mark.slow,
    pytest.mark.timeout(900),
    pytest.mark.xdist_group("bundle"),
]


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
def package(
    tmp_path_factory: pytest.TempPathFactory, built_bundle: Built
) -> tuple[Path, Path, Path, Path]:
    """(deb, trusted key, private key, folder with the profile)."""
    tmp = tmp_path_factory.mktemp("deb")
    key, pub = _write_keys(tmp, "org")
    profile = tmp / "profile.json"
    profile.write_bytes(_profile(key))
    deb = build(
        tmp / "dist", bundle=built_bundle.folder, signing_key=key, trusted_keys=pub,
        profile=profile, compression=COMPRESSION,
    )  # fmt: skip
    return deb, pub, key, tmp


@pytest.fixture(scope="module")
def extracted(package: tuple[Path, Path, Path, Path]) -> Path:
    deb, _, _, tmp = package
    root = tmp / "extracted"
    subprocess.run(["dpkg-deb", "-R", deb, root], check=True, timeout=300)
    return root


def test_package_holds_the_bundle_keys_profile_and_desktop_files(
    package: tuple[Path, Path, Path, Path], extracted: Path
) -> None:
    deb = package[0]
    assert deb.name == "homeagent_0.1.0_amd64.deb"
    info = subprocess.run(["dpkg-deb", "-I", deb], capture_output=True, text=True, check=True)
    assert "Package: homeagent" in info.stdout
    assert "Architecture: amd64" in info.stdout
    depends = re.search(r"^ Depends: (.*)$", info.stdout, re.M)
    assert depends is not None
    assert "libpulse0" in depends.group(1)
    assert "gnome-keyring | kwalletmanager | keepassxc" in depends.group(1)
    assert "python3" not in depends.group(1)  # the bundle carries its own Python
    root = extracted
    assert os.access(root / "opt/homeagent/homeagent", os.X_OK)
    assert (root / "opt/homeagent/_internal/PySide6").is_dir()
    assert os.readlink(root / "usr/bin/homeagent") == "/opt/homeagent/homeagent"
    assert (root / "opt/homeagent/sbom.cdx.json").is_file()
    assert (
        root / "opt/homeagent/.installed-by-dpkg"
    ).is_file()  # the update client: apt updates it
    assert not (root / "opt/homeagent/wheels").exists()
    assert (root / "usr/share/applications/homeagent.desktop").is_file()
    assert (root / "usr/share/icons/hicolor/scalable/apps/homeagent.svg").is_file()
    for size in (16, 32, 48, 64, 128, 256):
        png = root / f"usr/share/icons/hicolor/{size}x{size}/apps/homeagent.png"
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert b"BEGIN PUBLIC KEY" in (root / "etc/homeagent/trusted-keys.pem").read_bytes()
    conffiles = (root / "DEBIAN/conffiles").read_text().split()
    assert conffiles == ["/etc/homeagent/trusted-keys.pem", "/etc/homeagent/profile.json"]
    # The shipped profile verifies with the shipped key, as the installed app will do.
    shipped = p.load_profile(
        (root / "etc/homeagent/profile.json").read_bytes(),
        [(root / "etc/homeagent/trusted-keys.pem").read_bytes()],
    )
    assert shipped.organisation == "Téléservices Lyon"
    # nothing is fetched or built at install time
    scripts = sorted(
        x.name for x in (root / "DEBIAN").iterdir() if x.name.startswith(("pre", "post"))
    )
    assert scripts == ["postinst", "postrm"]
    for script in scripts:
        text = (root / "DEBIAN" / script).read_text()
        subprocess.run(["sh", "-n", root / "DEBIAN" / script], check=True)
        assert not re.search(r"\b(pip|venv|curl|wget|apt-get)\b.*(install|http)", text)
        assert "python3 -m" not in text


def test_desktop_entry_and_metainfo_validate(extracted: Path) -> None:
    entry = extracted / "usr/share/applications/homeagent.desktop"
    done = subprocess.run(
        [require_tool("desktop-file-validate"), str(entry)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert not done.stdout.strip(), done.stdout
    text = entry.read_text()
    assert "Exec=homeagent %u" in text
    assert "Icon=homeagent" in text
    assert "MimeType=x-scheme-handler/tel;x-scheme-handler/sip;x-scheme-handler/sips;" in text
    metainfo = extracted / "usr/share/metainfo/org.homeagent.HomeAgent.metainfo.xml"
    done = subprocess.run(
        [require_tool("appstreamcli"), "validate", "--no-net", str(metainfo)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r"E:|W:", done.stdout) is None, done.stdout
    assert '<release version="0.1.0"' in metainfo.read_text()


def _elf_files(top: Path) -> list[Path]:
    out = []
    for path in top.rglob("*"):
        if path.is_file() and not path.is_symlink():
            with path.open("rb") as f:
                if f.read(4) == b"\x7fELF":
                    out.append(path)
    return out


def _owner(lib: str) -> str:
    for candidate in (lib, lib.replace("/usr/lib/", "/lib/"), lib.replace("/lib/", "/usr/lib/")):
        done = subprocess.run(["dpkg", "-S", candidate], capture_output=True, text=True)
        if done.returncode == 0:
            return done.stdout.split(":")[0]
    return f"(no package owns {lib})"


def _system_paths() -> dict[str, str]:
    """{soname: path} of this machine's x86-64 libraries (ldconfig's cache)."""
    out = subprocess.run(["ldconfig", "-p"], capture_output=True, text=True, check=True).stdout
    found: dict[str, str] = {}
    for line in out.splitlines():
        m = re.match(r"\s*(\S+) \(([^)]*)\) => (\S+)", line)
        if m and "x86-64" in m.group(2):
            found.setdefault(m.group(1), m.group(3))
    return found


def test_depends_covers_every_system_library_the_bundle_loads(built_bundle: Built) -> None:
    """Every library an ELF file of the bundle links to (DT_NEEDED) is in the bundle or in
    a package the .deb depends on."""
    top = built_bundle.folder / "homeagent"
    carried = {p.name for p in top.rglob("*.so*")}
    needed: dict[str, str] = {}
    for elf in _elf_files(top):
        dynamic = subprocess.run(["readelf", "-d", str(elf)], capture_output=True, text=True)
        for name in re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", dynamic.stdout):
            if name not in carried:
                needed.setdefault(name, str(elf.relative_to(top)))
    paths = _system_paths()
    unknown = {n: by for n, by in needed.items() if n not in paths}
    assert not unknown, f"libraries found neither in the bundle nor on this machine: {unknown}"
    declared = {alt.split()[0] for dep in DEPENDS for alt in dep.split("|")}
    owners = {_owner(os.path.realpath(paths[n])): n for n in needed}
    undeclared = {pkg: lib for pkg, lib in owners.items() if pkg.split(":")[0] not in declared}
    assert not undeclared, f"add to DEPENDS in installers/build_deb.py: {undeclared}"


def test_verify_accepts_the_signed_package(package: tuple[Path, Path, Path, Path]) -> None:
    deb, pub, _, _ = package
    release = verify_release(deb, deb.with_name(deb.name + ".json"), [pub.read_bytes()])
    assert release["name"] == "homeagent"
    cli = subprocess.run(
        [sys.executable, "-m", "installers.verify", deb, "--trusted-keys", pub],
        capture_output=True,
        text=True,
    )
    assert cli.returncode == 0, cli.stderr
    assert cli.stdout.startswith("OK homeagent ")


def test_a_tampered_package_is_refused(package: tuple[Path, Path, Path, Path]) -> None:
    deb, pub, _, tmp = package
    evil = tmp / "evil" / deb.name
    evil.parent.mkdir()
    data = bytearray(deb.read_bytes())
    data[len(data) // 2] ^= 0xFF
    evil.write_bytes(bytes(data))
    with pytest.raises(ReleaseRefused, match="does not match its signed checksum"):
        verify_release(evil, deb.with_name(deb.name + ".json"), [pub.read_bytes()])
    cli = subprocess.run(
        [sys.executable, "-m", "installers.verify", evil, "--metadata",
         deb.with_name(deb.name + ".json"), "--trusted-keys", pub],
        capture_output=True,
        text=True,
    )  # fmt: skip
    assert cli.returncode == 1
    assert "REFUSED" in cli.stderr


def test_metadata_from_another_key_or_edited_is_refused(
    package: tuple[Path, Path, Path, Path],
) -> None:
    deb, pub, _, tmp = package
    meta = deb.with_name(deb.name + ".json")
    _, other_pub = _write_keys(tmp, "other")
    with pytest.raises(ReleaseRefused, match="not a trusted organisation key"):
        verify_release(deb, meta, [other_pub.read_bytes()])
    edited = tmp / "edited.json"
    edited.write_text(meta.read_text().replace('"version": "', '"version": "9'))
    with pytest.raises(ReleaseRefused, match="signature is invalid"):
        verify_release(deb, edited, [pub.read_bytes()])


def test_a_profile_that_fails_its_signature_is_not_packaged(
    tmp_path: Path, built_bundle: Built
) -> None:
    key, _ = _write_keys(tmp_path, "org")
    _, other_pub = _write_keys(tmp_path, "other")
    profile = tmp_path / "profile.json"
    profile.write_bytes(_profile(key))
    with pytest.raises(p.ProfileError):
        build(
            tmp_path / "dist", bundle=built_bundle.folder, signing_key=key,
            trusted_keys=other_pub, profile=profile,
        )  # fmt: skip
    assert not (tmp_path / "dist").exists()


def test_a_folder_without_a_bundle_is_refused(tmp_path: Path) -> None:
    key, pub = _write_keys(tmp_path, "org")
    with pytest.raises(FileNotFoundError, match="holds no built bundle"):
        build(tmp_path / "dist", bundle=tmp_path, signing_key=key, trusted_keys=pub)


def test_two_deb_builds_are_byte_identical(
    package: tuple[Path, Path, Path, Path], built_bundle: Built, tmp_path: Path
) -> None:
    deb, pub, key, tmp = package
    again = build(
        tmp_path / "again", bundle=built_bundle.folder, signing_key=key, trusted_keys=pub,
        profile=tmp / "profile.json", compression=COMPRESSION,
    )  # fmt: skip
    assert again.read_bytes() == deb.read_bytes()


def _dpkg(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [require_tool("dpkg"), f"--root={root}", "--force-script-chrootless",
         f"--log={root.parent / 'dpkg.log'}", *args],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip


def _left_behind(root: Path) -> list[str]:
    """Files and folders in the scratch root, but dpkg's own database and log."""
    out = []
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if rel == "var" or rel.startswith(("var/lib", "var/log")):
            continue
        out.append(rel)
    return out


def test_install_self_test_remove_and_purge_in_a_scratch_root(
    package: tuple[Path, Path, Path, Path],
    tmp_path: Path,
    pulse_server: PulseServer,
    keyring_session: KeyringSession,
) -> None:
    """dpkg --root (maintainer scripts run outside a chroot with DPKG_ROOT set, as Debian
    does for such installs): a real unpack and configure, without touching this machine's
    /opt or /etc, so parallel runs do not meet."""
    deb = package[0]
    root = tmp_path / "root"
    for sub in ("var/lib/dpkg/info", "var/lib/dpkg/updates", "var/lib/dpkg/triggers"):
        (root / sub).mkdir(parents=True)
    (root / "var/lib/dpkg/status").touch()
    (root / "var/lib/dpkg/available").touch()
    # the dependencies are this machine's, not the scratch root's
    done = _dpkg(root, "--force-depends", "--install", str(deb))
    assert done.returncode == 0, done.stdout + done.stderr
    status = _dpkg(root, "--status", "homeagent").stdout
    assert "Status: install ok installed" in status
    app = root / "opt/homeagent/homeagent"
    assert os.readlink(root / "usr/bin/homeagent") == "/opt/homeagent/homeagent"
    env = dict(keyring_session.env, QT_QPA_PLATFORM="offscreen", PULSE_SERVER=pulse_server.server)
    test = subprocess.run([str(app), "--self-test"], env=env, capture_output=True, text=True,
                          timeout=120)  # fmt: skip
    assert test.returncode == 0, test.stdout + test.stderr
    assert "self-test passed" in test.stdout
    # the app may leave something in its folder (nothing expected); IT keeps its own files
    (root / "opt/homeagent/stray.log").write_text("left by hand\n")
    (root / "etc/homeagent/update-policy.json").write_text("{}\n")
    done = _dpkg(root, "--remove", "homeagent")
    assert done.returncode == 0, done.stdout + done.stderr
    assert not (root / "usr/bin/homeagent").exists()
    assert not (root / "opt/homeagent/homeagent").exists()
    assert (root / "etc/homeagent/trusted-keys.pem").exists()  # conffiles stay until purge
    done = _dpkg(root, "--purge", "homeagent")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "homeagent" not in _dpkg(root, "--list").stdout.replace("No packages", "")
    assert _left_behind(root) == ["etc", "etc/homeagent", "etc/homeagent/update-policy.json"]
    (root / "etc/homeagent/update-policy.json").unlink()
    (root / "etc/homeagent").rmdir()
    (root / "etc").rmdir()
    assert _left_behind(root) == []


def test_the_package_installs_from_the_signed_apt_repository(
    package: tuple[Path, Path, Path, Path], tmp_path: Path
) -> None:
    """What a fleet PC does: the real .deb published with installers.apt_repo, served on
    127.0.0.1, installed by apt-get (scratch configuration and dpkg root whose status is
    this machine's: the desktop libraries of Depends are installed), and it starts."""
    deb = package[0]
    home = tmp_path / "gpg"
    generate_throwaway_key(home, name="HomeAgent Org Archive")
    try:
        with RepoServer(tmp_path / "repo") as server:
            result = build_repo(server.root, [deb], gpg_home=home, url=server.url)
            apt = Apt.create(tmp_path / "apt", server.url, result.keyring)
            shutil.copyfile("/var/lib/dpkg/status", apt.root / "var/lib/dpkg/status")
            with apt.conf.open("a", encoding="utf-8") as conf:  # no shell in the scratch root:
                conf.write('DPkg::Options:: "--force-script-chrootless";\n')  # as _dpkg does
            done = apt.update()
            assert done.returncode == 0, done.stdout + done.stderr
            done = apt.install("homeagent")
            assert done.returncode == 0, done.stdout + done.stderr
    finally:
        stop_agent(home)
    assert apt.installed("homeagent") == deb.name.split("_")[1]
    app = apt.root / "opt/homeagent/homeagent"
    done = subprocess.run(
        [str(app), "--version"], capture_output=True, text=True, timeout=60,
        env={**os.environ, "HOME": str(tmp_path), "QT_QPA_PLATFORM": "offscreen"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.startswith("homeagent ")
