r"""Build the agent PC's self-contained bundle: lock → clean venv → PyInstaller → SBOM.

    python -m installers.bundle --out dist [--source-date-epoch N] [--no-cache] [--no-trim]

Steps (docs/operations.md, "Building and deploying the Linux package"):

1. a clean venv (``python -m venv``) into which ``installers/lock/agent.txt`` (the agent
   app's runtime dependencies, hash-pinned) and ``installers/lock/build.txt`` (PyInstaller,
   cyclonedx-bom) are installed with ``pip install --require-hashes --no-deps``;
2. the HomeAgent wheel, built from a temporary copy of the sources with that venv's
   setuptools (no build isolation: nothing unpinned is fetched), installed with
   ``--no-deps``;
3. the French catalogue compiled to ``.qm`` (the venv's ``pyside6-lrelease``);
4. ``installers/homeagent.spec`` run with ``SOURCE_DATE_EPOCH`` and ``PYTHONHASHSEED=0``
   into a onedir ``homeagent/``; every file's mtime set to SOURCE_DATE_EPOCH;
5. a CycloneDX SBOM of what is in the bundle (the runtime closure of ``homeagent`` in the
   venv, PyInstaller's bootloader and CPython), checked against what PyInstaller put in;
6. ``manifest.json`` (sha256 of every file) and the reproducible
   ``homeagent-<version>-linux-x86_64.tar.gz`` (sorted, root-owned, mtime fixed, gzip
   without name or time).

Results are cached in ``~/.cache/homeagent/dist/<key>`` ($HOMEAGENT_DIST_CACHE), the key
being a hash of the locks, the sources that go into the bundle, SOURCE_DATE_EPOCH and the
build Python: a second build of the same inputs reuses the first.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import gzip
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PACKAGE = "homeagent"
PLATFORM = "linux-x86_64"
LOCK = HERE / "lock"
SPEC = HERE / "homeagent.spec"
# What goes into the bundle (and so into the cache key): the rest of the tree does not.
SOURCES = (
    "pyproject.toml",
    "README.md",
    "homeagent",
    "resources",
    "installers/homeagent.spec",
    "installers/homeagent_main.py",
    "installers/bundle.py",
    "installers/lock/agent.txt",
    "installers/lock/build.txt",
)
IGNORED = ("__pycache__", ".mypy_cache")


class BundleError(RuntimeError):
    """The bundle could not be built or does not hold what it must; the message says why."""


def _files(base: Path, rel: str) -> Iterator[Path]:
    path = base / rel
    if path.is_file():
        yield path
        return
    for p in sorted(path.rglob("*")):
        if p.is_file() and not any(part in IGNORED for part in p.parts) and p.suffix != ".pyc":
            yield p


def tree_hash(base: Path = ROOT) -> str:
    """sha256 over the paths and contents of SOURCES (uncommitted edits count)."""
    digest = hashlib.sha256()
    for rel in SOURCES:
        for path in _files(base, rel):
            digest.update(path.relative_to(base).as_posix().encode() + b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def source_date_epoch(explicit: int | None = None, base: Path = ROOT) -> int:
    """The parameter, else $SOURCE_DATE_EPOCH, else the last commit's time."""
    if explicit is not None:
        return explicit
    if os.environ.get("SOURCE_DATE_EPOCH"):
        return int(os.environ["SOURCE_DATE_EPOCH"])
    try:
        out = subprocess.run(
            ["git", "-C", str(base), "log", "-1", "--format=%ct"],
            capture_output=True,
            text=True,
            check=True,
            timeout=30,
        ).stdout.strip()
        return int(out)
    except (OSError, subprocess.SubprocessError, ValueError) as exc:
        raise BundleError(
            "no SOURCE_DATE_EPOCH: give --source-date-epoch (not a git checkout)"
        ) from exc


def version(base: Path = ROOT) -> str:
    for line in (base / PACKAGE / "__init__.py").read_text(encoding="utf-8").splitlines():
        if line.startswith("__version__"):
            return line.split("=", 1)[1].strip().strip("\"'")
    raise BundleError("no __version__ in homeagent/__init__.py")


def cache_key(sde: int, trim: bool = True, base: Path = ROOT) -> str:
    digest = hashlib.sha256()
    for part in (tree_hash(base), str(sde), f"trim={trim}", sys.version, sys.platform):
        digest.update(part.encode() + b"\0")
    return digest.hexdigest()[:32]


def cache_root() -> Path:
    env = os.environ.get("HOMEAGENT_DIST_CACHE")
    if env:
        return Path(env)
    xdg = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(xdg) / "homeagent" / "dist"


def tarball_name(ver: str) -> str:
    return f"{PACKAGE}-{ver}-{PLATFORM}.tar.gz"


def _run(argv: list[str], *, env: dict[str, str] | None = None, cwd: Path | None = None) -> None:
    result = subprocess.run(
        argv, env=env, cwd=cwd, capture_output=True, text=True, check=False, timeout=3600
    )
    if result.returncode != 0:
        tail = (result.stdout + result.stderr)[-4000:]
        raise BundleError(f"{' '.join(argv[:4])}… failed ({result.returncode}):\n{tail}")


def build_wheel(
    dest: Path,
    python: str = sys.executable,
    *,
    isolation: bool = True,
    env: dict[str, str] | None = None,
) -> Path:
    """Build the HomeAgent wheel into `dest` from a copy of the sources: setuptools writes
    build/ and *.egg-info next to what it builds, and two builds in one tree (two CI workers,
    two IT jobs) tear down each other's files. ``isolation=False`` builds with `python`'s
    own (hash-pinned) setuptools instead of fetching one."""
    dest.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "src"
        src.mkdir()
        for name in ("pyproject.toml", "README.md"):
            shutil.copyfile(ROOT / name, src / name)
        shutil.copytree(
            ROOT / PACKAGE, src / PACKAGE, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
        )
        argv = [python, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(dest)]
        if not isolation:
            argv.append("--no-build-isolation")
        _run([*argv, str(src)], env=env)
    return next(dest.glob(f"{PACKAGE}-*.whl"))


def _clean_env(sde: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "PIP_", "VIRTUAL"))}
    env.update(
        SOURCE_DATE_EPOCH=str(sde),
        PYTHONHASHSEED="0",
        PYTHONDONTWRITEBYTECODE="1",
        PIP_DISABLE_PIP_VERSION_CHECK="1",
        LC_ALL="C.UTF-8",
        TZ="UTC",
    )
    return env


def make_venv(venv: Path, env: dict[str, str]) -> Path:
    """A clean venv holding exactly the two locks (hash-checked, no resolution)."""
    _run([sys.executable, "-m", "venv", str(venv)], env=env)
    python = venv / "bin" / "python"
    for lock in ("agent.txt", "build.txt"):
        _run(
            [str(python), "-m", "pip", "install", "--quiet", "--require-hashes", "--no-deps",
             "-r", str(LOCK / lock)],
            env=env,
        )  # fmt: skip
    return python


def _set_mtimes(top: Path, sde: int) -> None:
    for path in sorted(top.rglob("*"), reverse=True):
        os.utime(path, (sde, sde), follow_symlinks=False)
    os.utime(top, (sde, sde))


def manifest(top: Path) -> dict[str, str]:
    """{relative path: "sha256:<hex>" | "link:<target>"} for every file under `top`."""
    out: dict[str, str] = {}
    for path in sorted(top.rglob("*")):
        rel = path.relative_to(top).as_posix()
        if path.is_symlink():
            out[rel] = "link:" + os.readlink(path)
        elif path.is_file():
            out[rel] = "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def write_tarball(top: Path, out: Path, sde: int) -> Path:
    """`top` as ``<top.name>/…`` in a tar.gz that depends only on the files (sorted names,
    root:root, mtime = SOURCE_DATE_EPOCH, no name or time in the gzip header)."""

    def norm(info: tarfile.TarInfo) -> tarfile.TarInfo:
        info.uid = info.gid = 0
        info.uname = info.gname = "root"
        info.mtime = sde
        if info.isdir() or info.mode & 0o100:
            info.mode = 0o755
        elif not info.issym():
            info.mode = 0o644
        return info

    with (
        out.open("wb") as raw,
        gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=6) as gz,
        tarfile.open(fileobj=gz, mode="w", format=tarfile.GNU_FORMAT) as tar,
    ):
        tar.add(top, arcname=top.name, recursive=False, filter=norm)
        for path in sorted(top.rglob("*")):
            arc = f"{top.name}/{path.relative_to(top).as_posix()}"
            tar.add(path, arcname=arc, recursive=False, filter=norm)
    return out


# --- SBOM -------------------------------------------------------------------------------

_DISTS_SCRIPT = r"""
import json, sys
from importlib import metadata
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name as canon

toc = json.load(open(sys.argv[1]))
dists = {canon(d.metadata["Name"]): d for d in metadata.distributions()}
# the runtime closure of homeagent (markers evaluated here)
closure, todo = set(), ["homeagent"]
while todo:
    name = canon(todo.pop())
    if name in closure or name not in dists:
        continue
    closure.add(name)
    for spec in dists[name].requires or ():
        req = Requirement(spec)
        if req.marker is None or req.marker.evaluate({"extra": ""}):
            todo.append(req.name)
# which distribution each top-level name of the bundle comes from
tops = metadata.packages_distributions()
found, unmapped = {}, []
names = {m.split(".")[0] for m in toc["modules"]}
for dest in toc["binaries"] + toc["datas"]:
    first = dest.split("/")[0]
    if first.endswith(".dist-info"):
        found.setdefault(canon(first[: -len(".dist-info")].rsplit("-", 1)[0]), first)
        continue
    names.add(first[: -len(".libs")] if first.endswith(".libs") else first.split(".")[0])
stdlib = set(sys.stdlib_module_names)
for name in sorted(names):
    owners = tops.get(name) or ([name] if canon(name) in dists else None)
    if name == "resources":  # HomeAgent's style sheet and translations
        owners = ["homeagent"]
    if owners:
        for owner in owners:
            found.setdefault(canon(owner), name)
    elif name not in stdlib:
        unmapped.append(name)
print(json.dumps({
    "closure": sorted(closure),
    "in_bundle": found,
    "unmapped": unmapped,
    "versions": {n: d.version for n, d in dists.items()},
}))
"""


def _sbom(python: Path, venv: Path, toc: Path, out: Path, sde: int, env: dict[str, str]) -> None:
    """Write the CycloneDX SBOM of the bundle to `out`; raise if a distribution found in the
    bundle is missing from it."""
    raw = out.with_suffix(".venv.json")
    _run(
        [str(venv / "bin" / "cyclonedx-py"), "environment", "--of", "JSON", "--sv", "1.6",
         "-o", str(raw), str(python)],
        env=env,
    )  # fmt: skip
    result = subprocess.run(
        [str(python), "-c", _DISTS_SCRIPT, str(toc)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    facts = json.loads(result.stdout)
    bom = json.loads(raw.read_text(encoding="utf-8"))
    raw.unlink()

    def canon(name: str) -> str:
        return name.lower().replace("_", "-").replace(".", "-")

    in_bundle = set(facts["in_bundle"]) | {"homeagent", "pyinstaller"}  # bootloader = the exe
    stray = sorted(in_bundle - set(facts["closure"]) - {"pyinstaller"})
    if stray:
        raise BundleError(
            "the bundle holds distributions the app does not depend on (exclude them in "
            f"installers/homeagent.spec): {', '.join(stray)}"
        )
    components = [c for c in bom.get("components", []) if canon(c["name"]) in in_bundle]
    for component in components:
        if canon(component["name"]) == "homeagent":
            # built from the sources in a temporary folder: its wheel's hash and file:// URL
            # describe that throw-away file, not what is in the bundle
            component.pop("hashes", None)
            refs_out = [
                r for r in component.get("externalReferences", [])
                if not str(r.get("url", "")).startswith("file:")
            ]  # fmt: skip
            if refs_out:
                component["externalReferences"] = refs_out
            else:
                component.pop("externalReferences", None)
    missing = sorted(in_bundle - {canon(c["name"]) for c in components})
    if missing:
        raise BundleError(
            f"the SBOM lacks distributions that are in the bundle: {', '.join(missing)}"
        )
    refs = {c["bom-ref"] for c in components}
    py = sys.version_info
    components.append(
        {
            "type": "application",
            "bom-ref": "cpython",
            "name": "cpython",
            "version": f"{py.major}.{py.minor}.{py.micro}",
            "description": "the Python runtime (libpython and the standard library)",
            "purl": f"pkg:generic/cpython@{py.major}.{py.minor}.{py.micro}",
        }
    )
    deps = [
        {"ref": d["ref"], "dependsOn": sorted(x for x in d.get("dependsOn", []) if x in refs)}
        for d in bom.get("dependencies", [])
        if d["ref"] in refs
    ]
    bundle_ref = f"{PACKAGE}-bundle"
    deps.append({"ref": bundle_ref, "dependsOn": sorted(refs | {"cpython"})})
    not_bundled = sorted(set(facts["closure"]) - in_bundle)
    stamp = datetime.fromtimestamp(sde, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    ver = facts["versions"].get("homeagent", "0")
    bom["components"] = sorted(components, key=lambda c: c["name"])
    bom["dependencies"] = sorted(deps, key=lambda d: d["ref"])
    bom["metadata"] = {
        "timestamp": stamp,
        "component": {
            "type": "application",
            "bom-ref": bundle_ref,
            "name": PACKAGE,
            "version": ver,
            "description": f"HomeAgent {PLATFORM} bundle (PyInstaller onedir)",
        },
        "properties": [
            # declared dependencies of which nothing is imported (so nothing was bundled)
            {"name": "homeagent:declared-not-bundled", "value": " ".join(not_bundled)},
            {"name": "homeagent:unmapped-top-level-names", "value": " ".join(facts["unmapped"])},
        ],
    }
    bom.pop("serialNumber", None)  # cyclonedx-py's is random: derive it from the content
    body = json.dumps(bom, sort_keys=True).encode()
    bom["serialNumber"] = uuid.uuid5(uuid.NAMESPACE_URL, hashlib.sha256(body).hexdigest()).urn
    out.write_text(json.dumps(bom, indent=2, sort_keys=True) + "\n", encoding="utf-8")


# --- the build --------------------------------------------------------------------------


def build_into(dest: Path, *, sde: int, trim: bool = True, work: Path | None = None) -> dict:
    """Build everything into the empty folder `dest`; return the build facts."""
    started = time.monotonic()
    timings: dict[str, float] = {}
    env = _clean_env(sde)
    with contextlib.ExitStack() as stack:
        tmp = work or Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="ha-build-")))
        t = time.monotonic()
        python = make_venv(tmp / "venv", env)
        timings["venv"] = time.monotonic() - t
        t = time.monotonic()
        wheel = build_wheel(tmp / "wheel", str(python), isolation=False, env=env)
        _run(
            [str(python), "-m", "pip", "install", "--quiet", "--no-deps", "--no-compile",
             str(wheel)],
            env=env,
        )  # fmt: skip
        timings["wheel"] = time.monotonic() - t
        resources = tmp / "resources"
        shutil.copytree(ROOT / "resources", resources)
        lrelease = tmp / "venv" / "bin" / "pyside6-lrelease"
        for ts in sorted((resources / "translations").glob("*.ts")):
            _run([str(lrelease), "-silent", str(ts), "-qm", str(ts.with_suffix(".qm"))], env=env)
        toc = tmp / "toc.json"
        spec_env = dict(env, HOMEAGENT_RESOURCES=str(resources), HOMEAGENT_TOC=str(toc))
        spec_env["HOMEAGENT_TRIM"] = "1" if trim else "0"
        t = time.monotonic()
        _run(
            [str(python), "-m", "PyInstaller", "--noconfirm", "--clean", "--log-level", "WARN",
             "--distpath", str(tmp / "dist"), "--workpath", str(tmp / "work"), str(SPEC)],
            env=spec_env,
            cwd=tmp,
        )  # fmt: skip
        timings["pyinstaller"] = time.monotonic() - t
        onedir = dest / PACKAGE
        shutil.move(str(tmp / "dist" / PACKAGE), str(onedir))
        _set_mtimes(onedir, sde)
        t = time.monotonic()
        _sbom(python, tmp / "venv", toc, dest / "sbom.cdx.json", sde, env)
        timings["sbom"] = time.monotonic() - t
        shutil.copyfile(toc, dest / "toc.json")
    files = manifest(onedir)
    (dest / "manifest.json").write_text(json.dumps(files, indent=1) + "\n", encoding="utf-8")
    t = time.monotonic()
    ver = version()
    tarball = write_tarball(onedir, dest / tarball_name(ver), sde)
    timings["tarball"] = time.monotonic() - t
    size = sum((onedir / r).stat().st_size for r, v in files.items() if v.startswith("sha256:"))
    facts = {
        "version": ver,
        "source_date_epoch": sde,
        "trim": trim,
        "files": len(files),
        "installed_bytes": size,
        "tarball": tarball.name,
        "tarball_bytes": tarball.stat().st_size,
        "seconds": round(time.monotonic() - started, 1),
        "timings": {k: round(v, 1) for k, v in timings.items()},
        "load_average": list(os.getloadavg()),
    }
    (dest / "build.json").write_text(json.dumps(facts, indent=1) + "\n", encoding="utf-8")
    return facts


def ensure_bundle(
    *, sde: int | None = None, trim: bool = True, use_cache: bool = True, root: Path | None = None
) -> Path:
    """The folder holding homeagent/, manifest.json, sbom.cdx.json and the tar.gz for the
    current sources: from the cache when it has them, else built (then cached)."""
    epoch = source_date_epoch(sde)
    base = root or cache_root()
    key = cache_key(epoch, trim)
    final = base / key
    if use_cache and (final / "build.json").exists():
        return final
    base.mkdir(parents=True, exist_ok=True)
    if use_cache:  # one build of a key at a time (two CI workers wait for one build)
        with (base / f".{key}.lock").open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if (final / "build.json").exists():
                return final
            return _build_cached(base, key, final, epoch, trim, use_cache)
    return _build_cached(base, key, final, epoch, trim, use_cache)


def _build_cached(
    base: Path, key: str, final: Path, epoch: int, trim: bool, use_cache: bool
) -> Path:
    staging = Path(tempfile.mkdtemp(prefix=f".{key}-", dir=base))
    try:
        build_into(staging, sde=epoch, trim=trim)
        if not use_cache:
            return staging
        try:
            staging.rename(final)  # atomic; a concurrent build of the same key may win
        except OSError:
            if not (final / "build.json").exists():
                raise
            shutil.rmtree(staging)
        prune_cache(base, keep=KEEP_CACHED)
        return final
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


KEEP_CACHED = 3  # ≈ 300 MB each (bundle + tarball)


def prune_cache(base: Path, keep: int = KEEP_CACHED) -> list[Path]:
    """Remove all but the `keep` newest cached bundles (and their lock files); return them."""
    entries = sorted(
        (p for p in base.iterdir() if p.is_dir() and (p / "build.json").exists()),
        key=lambda p: (p / "build.json").stat().st_mtime,
        reverse=True,
    )
    removed = entries[keep:]
    for old in removed:
        shutil.rmtree(old, ignore_errors=True)
        (base / f".{old.name}.lock").unlink(missing_ok=True)
    return removed


def copy_out(built: Path, out: Path) -> Path:
    """dist/bundle/homeagent (+ manifest, SBOM) and dist/<tar.gz> from a built folder."""
    bundle = out / "bundle"
    if bundle.exists():
        shutil.rmtree(bundle)
    bundle.mkdir(parents=True)
    shutil.copytree(built / PACKAGE, bundle / PACKAGE, symlinks=True)
    for name in ("manifest.json", "sbom.cdx.json", "build.json"):
        shutil.copy2(built / name, bundle / name)
    facts = json.loads((built / "build.json").read_text(encoding="utf-8"))
    shutil.copy2(built / facts["tarball"], out / facts["tarball"])
    shutil.copy2(built / "sbom.cdx.json", out / "sbom.cdx.json")
    return bundle


def _keep_in_out(built: Path, out: Path) -> Path:
    """Move an uncached build's files next to `out` (for the comparison) and drop it."""
    kept = out / ".first-build"
    shutil.rmtree(kept, ignore_errors=True)
    kept.mkdir(parents=True)
    for name in ("manifest.json", "build.json"):
        shutil.copy2(built / name, kept / name)
    facts = json.loads((built / "build.json").read_text(encoding="utf-8"))
    shutil.copy2(built / facts["tarball"], kept / facts["tarball"])
    shutil.rmtree(built, ignore_errors=True)
    return kept


def compare_manifests(a: dict[str, str], b: dict[str, str]) -> list[str]:
    """Human-readable differences between two manifests (empty: identical)."""
    diffs = [f"only in first: {k}" for k in sorted(a.keys() - b.keys())]
    diffs += [f"only in second: {k}" for k in sorted(b.keys() - a.keys())]
    diffs += [f"differs: {k}" for k in sorted(a.keys() & b.keys()) if a[k] != b[k]]
    return diffs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="e.g. dist")
    parser.add_argument("--source-date-epoch", type=int, help="default: the last commit")
    parser.add_argument("--no-cache", action="store_true", help="build afresh, cache nothing")
    parser.add_argument("--no-trim", action="store_true", help="keep every collected Qt part")
    parser.add_argument(
        "--check-reproducible",
        action="store_true",
        help="build a second time afresh (another folder) and compare every file's hash",
    )
    args = parser.parse_args(argv)
    try:
        built = ensure_bundle(
            sde=args.source_date_epoch, trim=not args.no_trim, use_cache=not args.no_cache
        )
        bundle = copy_out(built, args.out)
        if args.no_cache:  # a staging folder of the cache: nothing is kept there
            built = _keep_in_out(built, args.out)
        if args.check_reproducible:
            again = ensure_bundle(
                sde=args.source_date_epoch, trim=not args.no_trim, use_cache=False
            )
            try:
                first = json.loads((built / "manifest.json").read_text(encoding="utf-8"))
                second = json.loads((again / "manifest.json").read_text(encoding="utf-8"))
                diffs = compare_manifests(first, second)
                facts = json.loads((built / "build.json").read_text(encoding="utf-8"))
                tar_a, tar_b = built / facts["tarball"], again / facts["tarball"]
                if tar_a.read_bytes() != tar_b.read_bytes():
                    diffs.append(f"differs: {facts['tarball']}")
            finally:
                shutil.rmtree(again, ignore_errors=True)
            if diffs:
                print("NOT reproducible:\n  " + "\n  ".join(diffs[:50]), file=sys.stderr)
                return 1
            print(f"reproducible: {len(first)} files identical in two builds")
    except BundleError as exc:
        print(f"bundle: {exc}", file=sys.stderr)
        return 1
    print(bundle / PACKAGE)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
