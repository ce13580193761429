r"""Build the signed apt repository IT hosts on any static web server.

    python -m installers.apt_repo --debs dist/homeagent_1.2.0_amd64.deb --out repo \
        --gpg-home ~/.gnupg --gpg-key 0xORGKEYID [--suite stable] [--valid-days 7] \
        [--url https://apt.example.org/homeagent]

Layout written under --out (the same one Debian's archive uses, so apt needs nothing special):

    pool/main/h/homeagent/homeagent_<version>_<arch>.deb    every version ever added
    dists/<suite>/main/binary-<arch>/Packages, Packages.gz, Release
    dists/<suite>/Release, InRelease (clearsigned), Release.gpg (detached)
    homeagent-archive-keyring.gpg                           the public key, binary keyring
    homeagent.sources                                       deb822 source for the PCs

Adding a version copies it into the pool beside the older ones (a file already there with the
same name must have the same bytes: a published version never changes), then rebuilds every
index from the whole pool and signs the new Release. `Date` and `Valid-Until` in the Release
let apt refuse a stale or replayed repository: a mirror that stops being re-signed expires
after --valid-days, so IT re-runs this (without --debs: it only re-signs) from a
scheduled job before then. The suite is written and signed aside and swapped in whole: a
failed signature leaves the published one as it was.

Indexes are written in pure Python (no apt-ftparchive needed); gpg runs as a subprocess with
the organisation's GNUPGHOME. `--throwaway-key` makes a key in a temporary GNUPGHOME for a
demo or a test: never for a fleet.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import hashlib
import io
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

KEYRING_NAME = "homeagent-archive-keyring.gpg"
SOURCES_NAME = "homeagent.sources"
KEYRING_INSTALL_PATH = "/usr/share/keyrings/homeagent-archive-keyring.gpg"
COMPONENT = "main"
DEFAULT_ARCHITECTURES = ("amd64",)
# Fields of a binary package's control file kept in Packages, in Debian's order; the rest
# (Filename, Size, hashes) is added from the file itself.
_CONTROL_ORDER = (
    "Package",
    "Source",
    "Version",
    "Installed-Size",
    "Maintainer",
    "Architecture",
    "Replaces",
    "Provides",
    "Depends",
    "Pre-Depends",
    "Recommends",
    "Suggests",
    "Conflicts",
    "Breaks",
    "Section",
    "Priority",
    "Homepage",
    "Description",
)
_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9+.-]+$")
_VERSION_RE = re.compile(r"^[0-9A-Za-z.+~:-]+$")
_SUITE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.+-]*$")


class RepoError(Exception):
    """The repository could not be built or signed; the message says what to fix."""


@dataclass(frozen=True)
class DebInfo:
    """One binary package in the pool, as the Packages index describes it."""

    control: dict[str, str]
    pool_path: str  # relative to the repository root, with forward slashes
    size: int
    md5: str
    sha256: str

    @property
    def package(self) -> str:
        return self.control["Package"]

    @property
    def version(self) -> str:
        return self.control["Version"]

    @property
    def architecture(self) -> str:
        return self.control["Architecture"]


@dataclass(frozen=True)
class RepoResult:
    """What `build_repo` wrote."""

    root: Path
    release: Path
    in_release: Path
    release_gpg: Path
    keyring: Path
    sources: Path
    packages: tuple[DebInfo, ...]
    fingerprint: str


# --- reading .deb files -------------------------------------------------------------


def _ar_members(data: bytes) -> Iterable[tuple[str, bytes]]:
    if not data.startswith(b"!<arch>\n"):
        raise RepoError("not a Debian package (no ar header)")
    pos = 8
    while pos + 60 <= len(data):
        header = data[pos : pos + 60]
        if header[58:60] != b"`\n":
            raise RepoError("not a Debian package (broken ar member header)")
        name = header[0:16].decode("ascii", "replace").strip().rstrip("/")
        try:
            size = int(header[48:58].decode("ascii").strip())
        except ValueError as exc:
            raise RepoError("not a Debian package (broken ar member size)") from exc
        start = pos + 60
        yield name, data[start : start + size]
        pos = start + size + (size % 2)


def _control_tar(deb: Path) -> bytes:
    data = deb.read_bytes()
    for name, body in _ar_members(data):
        if name in ("control.tar", "control.tar.gz", "control.tar.xz"):
            return body
        if name.startswith("control.tar"):
            # zstd (Ubuntu's default) is not in this Python's stdlib: let dpkg-deb unpack it.
            return subprocess.run(
                ["dpkg-deb", "--ctrl-tarfile", str(deb)], check=True, capture_output=True
            ).stdout
    raise RepoError(f"{deb.name}: no control archive inside")


def parse_control(text: str) -> dict[str, str]:
    """Parse one deb822 stanza (continuation lines kept with their leading space)."""
    fields: dict[str, str] = {}
    last: str | None = None
    for line in text.splitlines():
        if not line.strip():
            if fields:
                break
            continue
        if line[0] in " \t":
            if last is None:
                raise RepoError("control file starts with a continuation line")
            fields[last] += "\n" + line
            continue
        key, sep, value = line.partition(":")
        if not sep:
            raise RepoError(f"control line without a colon: {line!r}")
        last = key.strip()
        fields[last] = value.strip()
    return fields


def read_control(deb: Path) -> dict[str, str]:
    """The control fields of a .deb, read without dpkg (except for zstd members)."""
    with tarfile.open(fileobj=io.BytesIO(_control_tar(deb))) as tar:
        for member in tar.getmembers():
            if member.name in ("./control", "control"):
                extracted = tar.extractfile(member)
                if extracted is None:
                    break
                fields = parse_control(extracted.read().decode("utf-8"))
                break
        else:
            raise RepoError(f"{deb.name}: no control file in its control archive")
    for needed in ("Package", "Version", "Architecture"):
        if needed not in fields:
            raise RepoError(f"{deb.name}: control file has no {needed} field")
    if not _NAME_RE.match(fields["Package"]) or not _VERSION_RE.match(fields["Version"]):
        raise RepoError(f"{deb.name}: invalid package name or version in its control file")
    return fields


def _hashes(path: Path) -> tuple[int, str, str]:
    md5, sha256 = hashlib.md5(usedforsecurity=False), hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            md5.update(block)
            sha256.update(block)
            size += len(block)
    return size, md5.hexdigest(), sha256.hexdigest()


def pool_name(control: dict[str, str]) -> str:
    """`pool/main/h/homeagent/homeagent_1.2.0_amd64.deb` (the epoch is not in the name)."""
    package = control["Package"]
    version = control["Version"].split(":", 1)[-1]
    prefix = package[:4] if package.startswith("lib") else package[0]
    return f"pool/{COMPONENT}/{prefix}/{package}/{package}_{version}_{control['Architecture']}.deb"


def add_to_pool(root: Path, debs: Sequence[Path]) -> list[Path]:
    """Copy each .deb into the pool; an existing name must hold the same bytes."""
    added = []
    for deb in debs:
        control = read_control(deb)
        dest = root / pool_name(control)
        if dest.exists():
            if _hashes(dest)[2] != _hashes(deb)[2]:
                raise RepoError(
                    f"{dest.relative_to(root)} is already published with different bytes: "
                    "a released version never changes; bump the version"
                )
            continue
        dest.parent.mkdir(parents=True, exist_ok=True)
        partial = dest.with_name(dest.name + ".partial")
        shutil.copyfile(deb, partial)
        partial.replace(dest)
        added.append(dest)
    return added


def scan_pool(root: Path) -> list[DebInfo]:
    """Every package in the pool, sorted by name then pool path."""
    infos = []
    for deb in sorted((root / "pool").rglob("*.deb")):
        control = read_control(deb)
        rel = deb.relative_to(root).as_posix()
        if rel != pool_name(control):
            raise RepoError(f"{rel}: its control file says it belongs at {pool_name(control)}")
        size, md5, sha256 = _hashes(deb)
        infos.append(DebInfo(control, rel, size, md5, sha256))
    return sorted(infos, key=lambda info: (info.package, info.pool_path))


# --- indexes ----------------------------------------------------------------------


def packages_stanza(info: DebInfo) -> str:
    fields = dict(info.control)
    lines = [f"{key}: {fields.pop(key)}" for key in _CONTROL_ORDER[:-1] if key in fields]
    description = fields.pop("Description", None)
    lines += [f"{key}: {value}" for key, value in sorted(fields.items())]
    lines += [
        f"Filename: {info.pool_path}",
        f"Size: {info.size}",
        f"MD5sum: {info.md5}",
        f"SHA256: {info.sha256}",
    ]
    if description is not None:
        lines.append(f"Description: {description}")
    return "\n".join(lines) + "\n"


def _rfc2822(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%a, %d %b %Y %H:%M:%S UTC")


def _gzip(data: bytes) -> bytes:
    # mtime 0 and no name: the same index gives the same bytes.
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0, filename="", compresslevel=9) as gz:
        gz.write(data)
    return buffer.getvalue()


def write_indexes(
    dist: Path,
    infos: Sequence[DebInfo],
    *,
    suite: str,
    codename: str,
    architectures: Sequence[str],
    origin: str,
    label: str,
    now: dt.datetime,
    valid_days: float,
) -> Path:
    """Write every Packages index and the suite's (unsigned) Release into the empty folder
    `dist`; return the Release."""
    files: dict[str, bytes] = {}
    for arch in architectures:
        # Architecture: all packages are listed in every binary-<arch> index, as Debian does.
        chosen = [info for info in infos if info.architecture in (arch, "all")]
        body = "\n".join(packages_stanza(info) for info in chosen).encode("utf-8")
        sub = f"{COMPONENT}/binary-{arch}"
        files[f"{sub}/Packages"] = body
        files[f"{sub}/Packages.gz"] = _gzip(body)
        files[f"{sub}/Release"] = (
            f"Archive: {suite}\nOrigin: {origin}\nLabel: {label}\n"
            f"Component: {COMPONENT}\nArchitecture: {arch}\n"
        ).encode()
    for rel, data in files.items():
        path = dist / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    valid_until = now + dt.timedelta(days=valid_days)
    head = [
        f"Origin: {origin}",
        f"Label: {label}",
        f"Suite: {suite}",
        f"Codename: {codename}",
        f"Date: {_rfc2822(now)}",
        f"Valid-Until: {_rfc2822(valid_until)}",
        f"Architectures: {' '.join(architectures)}",
        f"Components: {COMPONENT}",
        "Acquire-By-Hash: no",
        f"Description: {label} packages for agent PCs",
    ]
    md5_lines, sha_lines = ["MD5Sum:"], ["SHA256:"]
    for rel in sorted(files):
        data = files[rel]
        md5 = hashlib.md5(data, usedforsecurity=False).hexdigest()
        md5_lines.append(f" {md5} {len(data):>16} {rel}")
        sha_lines.append(f" {hashlib.sha256(data).hexdigest()} {len(data):>16} {rel}")
    release = dist / "Release"
    release.write_text("\n".join(head + md5_lines + sha_lines) + "\n", encoding="utf-8")
    return release


# --- gpg --------------------------------------------------------------------------


class Gpg:
    """gpg with one GNUPGHOME; every call batch, no tty, errors raised with gpg's words."""

    def __init__(self, home: Path, passphrase_file: Path | None = None) -> None:
        self.home = home
        self.passphrase_file = passphrase_file

    def run(self, *args: str, input_bytes: bytes | None = None) -> bytes:
        command = ["gpg", "--homedir", str(self.home), "--batch", "--no-tty", "--yes"]
        if self.passphrase_file is not None:
            command += [
                "--pinentry-mode",
                "loopback",
                "--passphrase-file",
                str(self.passphrase_file),
            ]
        try:
            done = subprocess.run(
                command + list(args), input=input_bytes, capture_output=True, timeout=120
            )
        except FileNotFoundError as exc:
            raise RepoError("gpg is not installed (Debian package gnupg)") from exc
        if done.returncode != 0:
            message = done.stderr.decode("utf-8", "replace").strip()
            raise RepoError(f"gpg {args[0]} failed: {message}")
        return done.stdout

    def secret_fingerprints(self) -> list[str]:
        out = self.run("--list-secret-keys", "--with-colons", "--fingerprint").decode()
        fingerprints, in_primary = [], False
        for line in out.splitlines():
            kind = line.split(":")[0]
            if kind == "sec":
                in_primary = True
            elif kind == "ssb":
                in_primary = False
            elif kind == "fpr" and in_primary:
                fingerprints.append(line.split(":")[9])
                in_primary = False
        return fingerprints

    def fingerprint(self, key: str | None) -> str:
        """The full fingerprint of `key` (or of the only secret key in the home)."""
        secret = self.secret_fingerprints()
        if key is None:
            if len(secret) != 1:
                raise RepoError(
                    f"{len(secret)} secret keys in {self.home}: name the signing key (--gpg-key)"
                )
            return secret[0]
        wanted = key.upper().removeprefix("0X").replace(" ", "")
        matches = [fpr for fpr in secret if fpr.endswith(wanted)]
        if len(matches) != 1:
            raise RepoError(f"no single secret key {key!r} in {self.home}")
        return matches[0]

    def sign(self, release: Path, fingerprint: str) -> tuple[Path, Path]:
        """Write InRelease (clearsigned) and Release.gpg (detached, armoured) next to it."""
        in_release = release.with_name("InRelease")
        detached = release.with_name("Release.gpg")
        # No trailing "!": gpg picks the key's signing subkey when there is one (an archive
        # key's primary part usually stays offline); apt checks it through the exported key.
        common = ("--local-user", fingerprint, "--digest-algo", "SHA512")
        for target, mode in ((in_release, "--clearsign"), (detached, "--detach-sign")):
            partial = target.with_name(target.name + ".partial")
            self.run(mode, "--armor", *common, "--output", str(partial), str(release))
            partial.replace(target)
        return in_release, detached

    def export(self, fingerprint: str, dest: Path) -> Path:
        """The public key (no secret) as a binary keyring apt's `Signed-By` reads."""
        data = self.run("--export", "--export-options", "export-minimal", fingerprint)
        if not data:
            raise RepoError(f"gpg exported nothing for {fingerprint}")
        dest.write_bytes(data)
        dest.chmod(0o644)
        return dest


def generate_throwaway_key(
    home: Path, *, name: str = "HomeAgent Test Archive", expire: str = "7d"
) -> str:
    """A fresh Ed25519 signing key without passphrase in `home`; return its fingerprint.

    For tests and demos only: the fleet's key lives with IT, with a passphrase, offline."""
    home.mkdir(parents=True, exist_ok=True, mode=0o700)
    home.chmod(0o700)
    gpg = Gpg(home)
    gpg.run(
        "--pinentry-mode",
        "loopback",
        "--passphrase",
        "",
        "--quick-generate-key",
        f"{name} <apt@homeagent.invalid>",
        "ed25519",
        "sign",
        expire,
    )
    return gpg.fingerprint(None)


def stop_agent(home: Path) -> None:
    """End the gpg-agent gpg started for `home` (a test's or demo's throw-away home)."""
    subprocess.run(
        ["gpgconf", "--homedir", str(home), "--kill", "gpg-agent"],
        check=False,
        capture_output=True,
        timeout=30,
    )


def sources_text(url: str, suite: str, architectures: Sequence[str]) -> str:
    """The deb822 source a PC gets in /etc/apt/sources.list.d/homeagent.sources."""
    return (
        "Types: deb\n"
        f"URIs: {url}\n"
        f"Suites: {suite}\n"
        f"Components: {COMPONENT}\n"
        f"Architectures: {' '.join(architectures)}\n"
        f"Signed-By: {KEYRING_INSTALL_PATH}\n"
    )


def build_repo(
    out: Path,
    debs: Sequence[Path],
    *,
    gpg_home: Path,
    gpg_key: str | None = None,
    passphrase_file: Path | None = None,
    suite: str = "stable",
    codename: str | None = None,
    architectures: Sequence[str] = DEFAULT_ARCHITECTURES,
    valid_days: float = 7,
    url: str = "https://apt.example.org/homeagent",
    origin: str = "HomeAgent",
    label: str = "HomeAgent",
    now: dt.datetime | None = None,
) -> RepoResult:
    """Add `debs` to the repository at `out` (created if need be), re-index, re-sign."""
    if not _SUITE_RE.match(suite) or (codename is not None and not _SUITE_RE.match(codename)):
        raise RepoError("suite and codename: letters, digits, '.', '+', '-' only")
    if valid_days <= 0:
        raise RepoError("--valid-days must be positive")
    if not architectures or any(not _NAME_RE.match(a) or a == "all" for a in architectures):
        raise RepoError("architectures: Debian names such as amd64, arm64")
    gpg = Gpg(gpg_home, passphrase_file)
    fingerprint = gpg.fingerprint(gpg_key)  # before writing anything: a wrong key loses nothing
    for deb in debs:  # before the pool changes: a refused package must not stay in it
        control = read_control(deb)
        if control["Architecture"] != "all" and control["Architecture"] not in architectures:
            raise RepoError(f"{deb.name}: architecture {control['Architecture']} not served")
    out.mkdir(parents=True, exist_ok=True)
    add_to_pool(out, debs)
    infos = scan_pool(out)
    if not infos:
        raise RepoError(f"no package in {out / 'pool'}: pass --debs")
    for info in infos:
        if info.architecture != "all" and info.architecture not in architectures:
            raise RepoError(f"{info.pool_path}: architecture not served (--arch)")
    # The suite is written and signed aside, then swapped in: a failed signature (wrong
    # passphrase, expired key) leaves the published indexes and signatures as they were.
    dists = out / "dists"
    dists.mkdir(exist_ok=True)
    staging = dists / f".{suite}.new"
    retired = dists / f".{suite}.old"
    for leftover in (staging, retired):
        if leftover.exists():
            shutil.rmtree(leftover)
    staging.mkdir()
    release = write_indexes(
        staging,
        infos,
        suite=suite,
        codename=codename or suite,
        architectures=architectures,
        origin=origin,
        label=label,
        now=now or dt.datetime.now(dt.UTC),
        valid_days=valid_days,
    )
    try:
        gpg.sign(release, fingerprint)
    except RepoError:
        shutil.rmtree(staging)
        raise
    current = dists / suite
    if current.exists():
        current.rename(retired)
    staging.rename(current)
    if retired.exists():
        shutil.rmtree(retired)
    release = current / "Release"
    in_release, detached = current / "InRelease", current / "Release.gpg"
    keyring = gpg.export(fingerprint, out / KEYRING_NAME)
    sources = out / SOURCES_NAME
    sources.write_text(sources_text(url, suite, architectures), encoding="utf-8")
    return RepoResult(
        out, release, in_release, detached, keyring, sources, tuple(infos), fingerprint
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--debs", type=Path, nargs="*", default=[], help=".deb files to add")
    parser.add_argument("--out", type=Path, required=True, help="repository root (kept, updated)")
    keys = parser.add_mutually_exclusive_group(required=True)
    keys.add_argument("--gpg-home", type=Path, help="GNUPGHOME holding the signing key")
    keys.add_argument(
        "--throwaway-key", action="store_true", help="demo/test: make a key in a temp GNUPGHOME"
    )
    parser.add_argument("--gpg-key", help="key id or fingerprint (default: the only secret key)")
    parser.add_argument("--passphrase-file", type=Path, help="the signing key's passphrase")
    parser.add_argument("--suite", default="stable")
    parser.add_argument("--codename", help="default: the suite")
    parser.add_argument("--arch", action="append", help="served architecture (default amd64)")
    parser.add_argument("--valid-days", type=float, default=7.0, help="Valid-Until = now + N days")
    parser.add_argument("--url", default="https://apt.example.org/homeagent", help="for .sources")
    args = parser.parse_args(argv)
    temp_home: Path | None = None
    try:
        if args.throwaway_key:
            temp_home = Path(tempfile.mkdtemp(prefix="homeagent-gpg-"))
            generate_throwaway_key(temp_home)
            print("warning: signed with a throw-away key (demo only)", file=sys.stderr)
        home = temp_home or args.gpg_home
        result = build_repo(
            args.out,
            args.debs,
            gpg_home=home,
            gpg_key=args.gpg_key,
            passphrase_file=args.passphrase_file,
            suite=args.suite,
            codename=args.codename,
            architectures=tuple(args.arch or DEFAULT_ARCHITECTURES),
            valid_days=args.valid_days,
            url=args.url,
        )
    except RepoError as exc:
        print(f"apt repository not written: {exc}", file=sys.stderr)
        return 1
    finally:
        if temp_home is not None:
            stop_agent(temp_home)
            shutil.rmtree(temp_home, ignore_errors=True)
    for info in result.packages:
        print(f"{info.pool_path}  {info.package} {info.version}")
    print(f"signed {result.in_release} with {result.fingerprint}")
    print(f"PCs: {result.keyring} -> {KEYRING_INSTALL_PATH}")
    print(f"     {result.sources} -> /etc/apt/sources.list.d/{SOURCES_NAME}")
    return 0


if __name__ == "__main__":
    os.umask(0o022)  # the repository is published: world-readable files
    raise SystemExit(main())
