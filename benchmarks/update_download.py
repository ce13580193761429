"""Update download + verification time for a new version (a benchmark, not a test).

A repository made by `homeagent-release` (2-of-3 root keys) with a target of realistic
size (random bytes: the compressed bundle is ~70 MB), served on 127.0.0.1 by
`homeagent-server run --updates-dir` (uvicorn) and by a plain static server (stdlib),
and the desk's real `UpdateClient` (python-tuf 7 ngclient) from an empty cache each run:
refresh (root chain, timestamp, snapshot, targets), then download + verify the target.

    .venv/bin/python benchmarks/update_download.py --size-mb 70 --runs 5
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from homeagent.core.update_policy import UpdatePolicy  # noqa: E402
from homeagent.release.repository import Repository  # noqa: E402
from tests.helpers.tuf_repo import client_for, http_server  # noqa: E402
from tests.integration.server.launch import prepare, run_server  # noqa: E402


def _one(repo: Repository, url: str, data_dir: Path) -> tuple[float, float]:
    client = client_for(repo, url, data_dir)
    t0 = time.perf_counter()
    offer = client.check(UpdatePolicy()).offer
    t1 = time.perf_counter()
    assert offer is not None
    client.download(offer)
    t2 = time.perf_counter()
    return (t1 - t0) * 1000, t2 - t1


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--size-mb", type=int, default=70)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    print(f"load average before: {os.getloadavg()}")
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        repo = Repository(tmp / "repo")
        repo.init(tmp / "keys")
        target = tmp / "homeagent-0.2.0-linux-x86_64.tar.gz"
        with target.open("wb") as f:
            for _ in range(args.size_mb):
                f.write(os.urandom(1024 * 1024))
        t = time.perf_counter()
        repo.add_target(tmp / "keys", target, version="0.2.0", platform="linux-x86_64")
        print(f"publish (hash + copy + sign) {args.size_mb} MB: {time.perf_counter() - t:.2f} s")
        db_url = f"sqlite:///{tmp / 'server.db'}"
        db, _ = prepare(db_url)
        servers = {}
        with run_server(db_url, tmp / "server.log", "--updates-dir", str(repo.path)) as url:
            servers["homeagent-server /updates"] = [
                _one(repo, f"{url}/updates", tmp / f"s{i}") for i in range(args.runs)
            ]
        db.dispose()
        with http_server(repo.path) as s:
            servers["static (stdlib http.server)"] = [
                _one(repo, s.url, tmp / f"p{i}") for i in range(args.runs)
            ]
    print(f"load average after: {os.getloadavg()}")
    head = f"download + verify {args.size_mb} MB (s, median / min / max)"
    print(f"\n| server | refresh (ms, median) | {head} | throughput |")
    print("|---|---|---|---|")
    for name, runs in servers.items():
        refresh = statistics.median(r for r, _ in runs)
        dl = [d for _, d in runs]
        med = statistics.median(dl)
        print(f"| {name} | {refresh:.0f} | {med:.2f} / {min(dl):.2f} / {max(dl):.2f} | "
              f"{args.size_mb / med:.0f} MB/s |")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
