"""The signed apt repository, served on 127.0.0.1 and read by the real apt-get.

apt runs with a scratch configuration (its own sources, keyring, lists, cache and a scratch
dpkg root), so nothing of the host's apt or dpkg state is read for the repository or touched,
and tests run side by side under xdist.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import os
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from installers import apt_repo
from installers.apt_repo import RepoError, build_repo, generate_throwaway_key

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]


# --- test packages, keys, server ---------------------------------------------------


def make_deb(dest: Path, version: str, *, arch: str = "amd64", text: str | None = None) -> Path:
    """A tiny real .deb `homeagent` holding /opt/homeagent/VERSION."""
    tree = dest / f"tree-{version}-{arch}"
    (tree / "DEBIAN").mkdir(parents=True)
    (tree / "opt/homeagent").mkdir(parents=True)
    (tree / "opt/homeagent/VERSION").write_text(text or f"{version}\n", encoding="utf-8")
    (tree / "DEBIAN/control").write_text(
        f"Package: homeagent\nVersion: {version}\nArchitecture: {arch}\n"
        "Maintainer: HomeAgent IT <it@homeagent.invalid>\nSection: comm\nPriority: optional\n"
        "Description: HomeAgent test package\n a tiny payload for the apt repository tests\n",
        encoding="utf-8",
    )
    deb = dest / f"homeagent_{version}_{arch}.deb"
    subprocess.run(
        ["dpkg-deb", "--root-owner-group", "-Zxz", "--build", str(tree), str(deb)],
        check=True,
        capture_output=True,
    )
    return deb


@pytest.fixture(scope="module")
def org_key(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    home = tmp_path_factory.mktemp("gpg-org")
    generate_throwaway_key(home, name="HomeAgent Org Archive")
    yield home
    apt_repo.stop_agent(home)


@pytest.fixture(scope="module")
def foreign_key(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    home = tmp_path_factory.mktemp("gpg-foreign")
    generate_throwaway_key(home, name="Somebody Else")
    yield home
    apt_repo.stop_agent(home)


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


class RepoServer:
    """A static web server on 127.0.0.1 whose document root can be switched (a replay)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.served: list[tuple[str, int]] = []  # (path, HTTP status), in order
        server = self

        class Handler(_Quiet):
            def __init__(self, *args: Any, **kwargs: Any) -> None:
                super().__init__(*args, directory=str(server.root), **kwargs)

            def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
                server.served.append((self.path, int(code)))

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    def __enter__(self) -> RepoServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=10)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[RepoServer]:
    with RepoServer(tmp_path / "repo") as srv:
        yield srv


@dataclass
class Apt:
    """apt-get / apt-cache with a scratch configuration and a scratch dpkg root."""

    base: Path
    conf: Path
    root: Path

    @classmethod
    def create(cls, base: Path, url: str, keyring: Path) -> Apt:
        etc = base / "etc"
        for sub in ("sources.list.d", "trusted.gpg.d", "preferences.d", "apt.conf.d"):
            (etc / sub).mkdir(parents=True)
        for sub in ("state/lists/partial", "cache/archives/partial", "log"):
            (base / sub).mkdir(parents=True)
        root = base / "root"
        for sub in ("var/lib/dpkg/updates", "var/lib/dpkg/info"):
            (root / sub).mkdir(parents=True)
        (root / "var/lib/dpkg/status").touch()
        # The PC's homeagent.sources, with the keyring where this test keeps it.
        sources = apt_repo.sources_text(url, "stable", ["amd64"]).replace(
            apt_repo.KEYRING_INSTALL_PATH, str(keyring)
        )
        (etc / "sources.list.d/homeagent.sources").write_text(sources, encoding="utf-8")
        conf = base / "apt.conf"
        # apt reads $APT_CONFIG first, then the parts directory it names, then the main
        # file: an empty parts directory keeps the host's apt.conf.d (its hooks, its proxy,
        # its Check-Valid-Until "false") out of these runs altogether.
        conf.write_text(
            "\n".join(
                [
                    f'Dir::Etc::parts "{etc}/apt.conf.d";',
                    'Dir::Etc::main "/dev/null";',
                    'Dir::Etc::sourcelist "/dev/null";',
                    f'Dir::Etc::sourceparts "{etc}/sources.list.d";',
                    f'Dir::Etc::trusted "{etc}/trusted.gpg";',
                    f'Dir::Etc::trustedparts "{etc}/trusted.gpg.d";',
                    f'Dir::Etc::preferences "{etc}/preferences";',
                    f'Dir::Etc::preferencesparts "{etc}/preferences.d";',
                    f'Dir::State "{base}/state";',
                    f'Dir::State::status "{root}/var/lib/dpkg/status";',
                    f'Dir::Cache "{base}/cache";',
                    f'Dir::Log "{base}/log";',
                    # The lists live in this test's own 0700 temp dir, out of _apt's reach.
                    'APT::Sandbox::User "root";',
                    'APT::Architecture "amd64";',
                    'APT::Architectures { "amd64"; };',
                    'Acquire::Languages "none";',
                    # A PC's defaults, stated: the checks under test must not hang on a default.
                    'Acquire::Check-Valid-Until "true";',
                    'Acquire::Check-Date "true";',
                    'Acquire::http::Proxy "DIRECT";',
                    'Acquire::Retries "0";',
                    'Acquire::http::Timeout "20";',
                    f'DPkg::Options {{ "--root={root}"; "--log={base}/log/dpkg.log"; }};',
                    "",
                ]
            ),
            encoding="utf-8",
        )
        return cls(base, conf, root)

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        env = {"APT_CONFIG": str(self.conf), "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"}
        env |= {"LC_ALL": "C", "DEBIAN_FRONTEND": "noninteractive"}
        return subprocess.run(
            list(args), env=env, capture_output=True, text=True, timeout=90, check=False
        )

    def update(self) -> subprocess.CompletedProcess[str]:
        return self.run("apt-get", "update")

    def install(self, package: str) -> subprocess.CompletedProcess[str]:
        return self.run("apt-get", "install", "-y", "--no-install-recommends", package)

    def candidate(self, package: str) -> str:
        """The version apt would install ("(none)" if it knows no such package)."""
        out = self.run("apt-cache", "policy", package).stdout
        for line in out.splitlines():
            if line.strip().startswith("Candidate:"):
                return line.split(":", 1)[1].strip()
        return "(none)"

    def installed(self, package: str) -> str | None:
        done = self.run(
            "dpkg-query", f"--root={self.root}", "-W", "-f=${Status} ${Version}", package
        )
        if done.returncode != 0 or not done.stdout.startswith("install ok installed"):
            return None
        return done.stdout.rsplit(" ", 1)[1]


def _out(done: subprocess.CompletedProcess[str]) -> str:
    return done.stdout + done.stderr


def _sign(root: Path, debs: list[Path], home: Path, **kwargs: Any) -> apt_repo.RepoResult:
    return build_repo(root, debs, gpg_home=home, url="http://unused.invalid", **kwargs)


# --- the layout itself ------------------------------------------------------------


def test_layout_indexes_hashes_and_signatures(tmp_path: Path, org_key: Path) -> None:
    deb = make_deb(tmp_path, "1.0.0")
    now = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)
    result = build_repo(
        tmp_path / "repo", [deb], gpg_home=org_key, valid_days=10, now=now, url="https://x.test/r"
    )
    root = tmp_path / "repo"
    assert (root / "pool/main/h/homeagent/homeagent_1.0.0_amd64.deb").read_bytes() == (
        deb.read_bytes()
    )
    release = result.release.read_text(encoding="utf-8")
    fields = apt_repo.parse_control(release)
    assert fields["Suite"] == fields["Codename"] == "stable"
    assert fields["Date"] == "Tue, 01 Dec 2026 12:00:00 UTC"
    assert fields["Valid-Until"] == "Fri, 11 Dec 2026 12:00:00 UTC"
    assert fields["Architectures"] == "amd64"
    assert fields["Components"] == "main"
    # Every index named in the Release is there with that size and those hashes.
    dist = root / "dists/stable"
    sha_block = release.split("SHA256:\n", 1)[1]
    named = {}
    for line in sha_block.splitlines():
        digest, size, rel = line.split()
        named[rel] = (digest, int(size))
    assert set(named) == {
        "main/binary-amd64/Packages",
        "main/binary-amd64/Packages.gz",
        "main/binary-amd64/Release",
    }
    for rel, (digest, size) in named.items():
        data = (dist / rel).read_bytes()
        assert (hashlib.sha256(data).hexdigest(), len(data)) == (digest, size)
    md5_block = release.split("MD5Sum:\n", 1)[1].split("SHA256:", 1)[0]
    assert len(md5_block.splitlines()) == 3
    packages = (dist / "main/binary-amd64/Packages").read_text(encoding="utf-8")
    assert gzip.decompress((dist / "main/binary-amd64/Packages.gz").read_bytes()).decode() == (
        packages
    )
    stanza = apt_repo.parse_control(packages)
    assert stanza["Filename"] == "pool/main/h/homeagent/homeagent_1.0.0_amd64.deb"
    assert stanza["SHA256"] == hashlib.sha256(deb.read_bytes()).hexdigest()
    assert stanza["Size"] == str(deb.stat().st_size)
    # Both signatures check with the exported keyring alone (gpgv: what apt itself runs).
    keyring = root / apt_repo.KEYRING_NAME
    assert keyring.read_bytes()[:1] != b"-"  # binary, not armoured
    for args in (
        [str(result.in_release)],
        [str(result.release_gpg), str(result.release)],
    ):
        done = subprocess.run(
            ["gpgv", "--keyring", str(keyring), *args], capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
        assert "Good signature" in done.stderr
    # The PC's source file: deb822, pinned to that keyring.
    assert (root / apt_repo.SOURCES_NAME).read_text(encoding="utf-8") == (
        "Types: deb\nURIs: https://x.test/r\nSuites: stable\nComponents: main\n"
        "Architectures: amd64\nSigned-By: /usr/share/keyrings/homeagent-archive-keyring.gpg\n"
    )
    # No secret key material is published.
    listing = subprocess.run(
        ["gpg", "--show-keys", "--with-colons", str(keyring)], capture_output=True, text=True
    ).stdout
    assert "\npub:" in "\n" + listing
    assert "sec:" not in listing


def test_adding_a_version_keeps_the_older_ones_and_resigns(tmp_path: Path, org_key: Path) -> None:
    root = tmp_path / "repo"
    old = _sign(root, [make_deb(tmp_path, "1.0.0")], org_key)
    first_in_release = old.in_release.read_bytes()
    new = _sign(
        root, [make_deb(tmp_path, "1.1.0"), make_deb(tmp_path, "0.9.0", arch="all")], org_key
    )
    assert [(i.version, i.architecture) for i in new.packages] == [
        ("0.9.0", "all"),
        ("1.0.0", "amd64"),
        ("1.1.0", "amd64"),
    ]
    packages = (root / "dists/stable/main/binary-amd64/Packages").read_text(encoding="utf-8")
    assert packages.count("Package: homeagent\n") == 3  # arch all is listed for amd64 too
    assert new.in_release.read_bytes() != first_in_release
    # Publishing the same file again is a no-op; other bytes under a published name: refused.
    _sign(root, [root / "pool/main/h/homeagent/homeagent_1.0.0_amd64.deb"], org_key)
    with pytest.raises(RepoError, match="already published with different bytes"):
        _sign(root, [make_deb(tmp_path / "other", "1.0.0", text="evil\n")], org_key)


def test_refuses_bad_input_before_writing(tmp_path: Path, org_key: Path) -> None:
    bogus = tmp_path / "bogus.deb"
    bogus.write_bytes(b"PK\x03\x04 not a deb")
    with pytest.raises(RepoError, match="not a Debian package"):
        _sign(tmp_path / "r1", [bogus], org_key)
    with pytest.raises(RepoError, match="no single secret key"):
        _sign(tmp_path / "r2", [make_deb(tmp_path, "1.0.0")], org_key, gpg_key="DEADBEEF")
    assert not (tmp_path / "r2").exists()
    with pytest.raises(RepoError, match="architecture arm64 not served"):
        _sign(tmp_path / "r4", [make_deb(tmp_path, "1.0.2", arch="arm64")], org_key)
    assert not (tmp_path / "r4").exists()
    with pytest.raises(RepoError, match="valid-days"):
        _sign(tmp_path / "r3", [make_deb(tmp_path, "1.0.1")], org_key, valid_days=0)


def test_a_passphrase_protected_key(tmp_path: Path) -> None:
    home = tmp_path / "gpg"
    home.mkdir(mode=0o700)
    gpg = apt_repo.Gpg(home)
    gpg.run(
        "--pinentry-mode", "loopback", "--passphrase", "correct horse",
        "--quick-generate-key", "Org <it@org.invalid>", "ed25519", "sign", "1d",
    )  # fmt: skip
    try:
        good, bad = tmp_path / "pass", tmp_path / "wrong"
        good.write_text("correct horse\n", encoding="utf-8")
        bad.write_text("battery staple\n", encoding="utf-8")
        root = tmp_path / "repo"
        first = _sign(root, [make_deb(tmp_path, "1.0.0")], home, passphrase_file=good)
        before = {p: p.read_bytes() for p in (root / "dists").rglob("*") if p.is_file()}
        apt_repo.stop_agent(home)  # forget the cached passphrase
        with pytest.raises(RepoError, match="gpg --clearsign failed"):
            _sign(root, [make_deb(tmp_path, "1.1.0")], home, passphrase_file=bad)
        # The published suite is untouched: indexes, Release and signatures still agree.
        after = {p: p.read_bytes() for p in (root / "dists").rglob("*") if p.is_file()}
        assert after == before
        done = subprocess.run(
            ["gpgv", "--keyring", str(first.keyring), str(first.in_release)], capture_output=True
        )
        assert done.returncode == 0
    finally:
        apt_repo.stop_agent(home)


def test_an_offline_primary_key_signs_with_its_subkey(tmp_path: Path, server: RepoServer) -> None:
    """The usual archive key: primary part offline, only a signing subkey on the machine."""
    full, signer = tmp_path / "full", tmp_path / "signer"
    for home in (full, signer):
        home.mkdir(mode=0o700)
    master = apt_repo.Gpg(full)
    master.run(
        "--pinentry-mode", "loopback", "--passphrase", "",
        "--quick-generate-key", "Org Archive <it@org.invalid>", "ed25519", "cert", "1d",
    )  # fmt: skip
    fpr = master.fingerprint(None)
    master.run(
        "--pinentry-mode", "loopback", "--passphrase", "", "--quick-add-key", fpr, "ed25519",
        "sign", "1d",
    )  # fmt: skip
    subkeys = master.run("--export-secret-subkeys", fpr)
    slave = apt_repo.Gpg(signer)
    slave.run("--import", input_bytes=subkeys)
    try:
        assert "sec#" in slave.run("--list-secret-keys").decode()  # no primary secret here
        result = _sign(server.root, [make_deb(tmp_path, "1.0.0")], signer)
        assert result.fingerprint == fpr
        apt = Apt.create(tmp_path / "apt", server.url, result.keyring)
        done = apt.update()
        assert done.returncode == 0, _out(done)
        assert apt.candidate("homeagent") == "1.0.0"
    finally:
        apt_repo.stop_agent(full)
        apt_repo.stop_agent(signer)


def test_cli_with_a_throwaway_key(tmp_path: Path) -> None:
    deb = make_deb(tmp_path, "2.0.0")
    code = apt_repo.main(["--debs", str(deb), "--out", str(tmp_path / "repo"), "--throwaway-key"])
    assert code == 0
    done = subprocess.run(
        [
            "gpgv",
            "--keyring",
            str(tmp_path / "repo" / apt_repo.KEYRING_NAME),
            str(tmp_path / "repo/dists/stable/InRelease"),
        ],
        capture_output=True,
    )
    assert done.returncode == 0
    assert apt_repo.main(["--out", str(tmp_path / "empty"), "--throwaway-key"]) == 1


# --- apt-get against it -----------------------------------------------------------


def test_clean_update_and_install(tmp_path: Path, org_key: Path, server: RepoServer) -> None:
    result = _sign(server.root, [make_deb(tmp_path, "1.0.0")], org_key)
    apt = Apt.create(tmp_path / "apt", server.url, result.keyring)
    config = apt.run("apt-config", "dump").stdout
    assert 'Acquire::Check-Valid-Until "true";' in config
    assert "Post-Invoke" not in config  # none of the host's hooks runs here
    done = apt.update()
    assert done.returncode == 0, _out(done)
    assert apt.candidate("homeagent") == "1.0.0"
    done = apt.install("homeagent")
    assert done.returncode == 0, _out(done)
    assert (apt.root / "opt/homeagent/VERSION").read_text(encoding="utf-8") == "1.0.0\n"
    assert apt.installed("homeagent") == "1.0.0"


def test_tampered_inrelease_is_refused(tmp_path: Path, org_key: Path, server: RepoServer) -> None:
    result = _sign(server.root, [make_deb(tmp_path, "1.0.0")], org_key)
    text = result.in_release.read_text(encoding="utf-8")
    assert "Label: HomeAgent\n" in text
    result.in_release.write_text(text.replace("Label: HomeAgent\n", "Label: HomeAgenT\n"))
    # The detached pair must not rescue it: apt takes InRelease first and, refused, stops.
    apt = Apt.create(tmp_path / "apt", server.url, result.keyring)
    done = apt.update()
    assert done.returncode != 0
    assert "The following signatures were invalid: BADSIG" in _out(done)
    assert "is not signed" in _out(done)
    assert apt.candidate("homeagent") == "(none)"


def test_foreign_key_is_refused(
    tmp_path: Path, org_key: Path, foreign_key: Path, server: RepoServer
) -> None:
    # The repository is signed by someone else; the PC trusts only the organisation's key.
    pc_keyring = _sign(tmp_path / "org-repo", [make_deb(tmp_path, "0.1.0")], org_key).keyring
    foreign = _sign(server.root, [make_deb(tmp_path, "1.0.0")], foreign_key)
    apt = Apt.create(tmp_path / "apt", server.url, pc_keyring)
    done = apt.update()
    assert done.returncode != 0
    out = _out(done)
    assert "public key is not available: NO_PUBKEY " + foreign.fingerprint[-16:] in out
    assert "is not signed" in out
    assert apt.candidate("homeagent") == "(none)"


def test_expired_valid_until_is_refused(tmp_path: Path, org_key: Path, server: RepoServer) -> None:
    stale = dt.datetime.now(dt.UTC) - dt.timedelta(days=10)
    result = _sign(server.root, [make_deb(tmp_path, "1.0.0")], org_key, now=stale, valid_days=7)
    apt = Apt.create(tmp_path / "apt", server.url, result.keyring)
    done = apt.update()
    assert done.returncode != 0
    assert "is expired (invalid since" in _out(done)
    assert "Updates for this repository will not be applied." in _out(done)
    assert apt.candidate("homeagent") == "(none)"


def test_tampered_deb_is_refused_at_download(
    tmp_path: Path, org_key: Path, server: RepoServer
) -> None:
    result = _sign(server.root, [make_deb(tmp_path, "1.0.0")], org_key)
    pooled = server.root / result.packages[0].pool_path
    data = bytearray(pooled.read_bytes())
    data[-20] ^= 0x01  # one bit inside the data member, same size
    pooled.write_bytes(bytes(data))
    apt = Apt.create(tmp_path / "apt", server.url, result.keyring)
    assert apt.update().returncode == 0
    done = apt.install("homeagent")
    assert done.returncode != 0
    assert "Hash Sum mismatch" in _out(done)
    assert not (apt.root / "opt/homeagent").exists()
    assert apt.installed("homeagent") is None
    assert not list((apt.base / "cache/archives").glob("*.deb"))


def test_replayed_older_inrelease_does_not_replace_the_newer(
    tmp_path: Path, org_key: Path, server: RepoServer
) -> None:
    # Yesterday's repository (1.0.0), properly signed and still valid, kept by an attacker.
    yesterday = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    old_root = tmp_path / "snapshot"
    first = _sign(old_root, [make_deb(tmp_path, "1.0.0")], org_key, now=yesterday)
    shutil.copytree(old_root, server.root)
    # Today's: 1.0.1 fixes something; the PC sees it.
    today = _sign(server.root, [make_deb(tmp_path, "1.0.1")], org_key)
    apt = Apt.create(tmp_path / "apt", server.url, first.keyring)
    assert apt.update().returncode == 0
    assert apt.candidate("homeagent") == "1.0.1"
    newer = today.in_release.read_bytes()
    # The mirror now serves yesterday's signed metadata (the pool untouched).
    shutil.rmtree(server.root / "dists")
    shutil.copytree(old_root / "dists", server.root / "dists")
    later = time.time() + 60
    for path in (server.root / "dists").rglob("*"):
        os.utime(path, (later, later))  # fresh mtimes, or a 304 would spare apt the replay
    server.served.clear()
    done = apt.update()
    out = _out(done)
    assert ("/dists/stable/InRelease", 200) in server.served  # the old file was delivered
    # apt 2.6 says nothing here: it compares the Date fields, keeps the newer InRelease it
    # has and does not even ask for the old indexes it names.
    assert apt.candidate("homeagent") == "1.0.1", out
    assert not [path for path, _ in server.served if "Packages" in path]
    (kept,) = (apt.base / "state/lists").glob("*_dists_stable_InRelease")
    assert kept.read_bytes() == newer
    assert newer != (old_root / "dists/stable/InRelease").read_bytes()
    done = apt.install("homeagent")
    assert done.returncode == 0, _out(done)
    assert apt.installed("homeagent") == "1.0.1"
