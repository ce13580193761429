"""A TUF repository made with `homeagent-release`'s code, served over HTTP on 127.0.0.1."""

from __future__ import annotations

import contextlib
import functools
import http.server
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from homeagent.release.repository import Repository
from homeagent.update.client import UpdateClient


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@dataclass
class Served:
    """A static HTTP server whose document root can be switched (an attacker's mirror)."""

    url: str
    server: http.server.ThreadingHTTPServer

    def serve(self, root: Path) -> None:
        self.server.RequestHandlerClass = functools.partial(_Quiet, directory=str(root))  # type: ignore[assignment]


@contextlib.contextmanager
def http_server(root: Path) -> Iterator[Served]:
    """SimpleHTTPRequestHandler over `root` on a free port of 127.0.0.1."""
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Quiet, directory=str(root))
    )
    server.daemon_threads = True
    thread = threading.Thread(
        target=lambda: server.serve_forever(0.05), name="tuf-http", daemon=True
    )
    thread.start()
    try:
        yield Served(f"http://127.0.0.1:{server.server_address[1]}", server)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def make_repo(tmp: Path, name: str = "org") -> tuple[Repository, Path]:
    """A fresh repository (2-of-3 root keys) and its keys directory."""
    repo = Repository(tmp / f"{name}-repo")
    keys = tmp / f"{name}-keys"
    repo.init(keys)
    return repo, keys


def fake_target(tmp: Path, version: str, size: int = 4096) -> Path:
    """A small opaque file standing for the Linux bundle of `version`."""
    path = tmp / f"build-{version}" / f"homeagent-{version}-linux-x86_64.tar.gz"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes((f"bundle {version}\n".encode() * (size // 10 + 1))[:size])
    return path


def client_for(
    repo: Repository,
    url: str,
    data_dir: Path,
    *,
    device_id: str = "dev-1",
    current: str = "0.1.0",
    root_version: int = 1,
) -> UpdateClient:
    """A client bootstrapped with the repository's root `root_version` (what IT ships)."""
    bootstrap = (repo.metadata_dir / f"{root_version}.root.json").read_bytes()
    return UpdateClient(
        repository_url=url,
        bootstrap_root=bootstrap,
        data_dir=data_dir,
        platform="linux-x86_64",
        current_version=current,
        device_id=device_id,
    )
