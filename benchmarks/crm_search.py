"""Agent-side data benchmark (not a test): search, lookup, initial and delta sync.

    .venv/bin/python benchmarks/crm_search.py            # full run (1M cache, 100k sync)
    .venv/bin/python benchmarks/crm_search.py --contacts 100000 --sync-contacts 20000

1. Initial sync of `--sync-contacts` contacts from the real server (homeagent-server in a
   subprocess, HTTPS on loopback, SQLite, seeded through its own models) into a fresh
   encrypted cache, in a child process: wall time and its RSS high-water mark; then a
   delta sync of 100 changes made through the server's API.
2. Search-as-you-type over `--contacts` cached contacts (encrypted, FTS5): every
   keystroke of typing names, companies, e-mails, account refs: p50/p99.
3. Lookup by number (typed in national format, normalised to E.164): p50/p99.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from homeagent.client.server import ServerClient
from homeagent.crm.store import LocalStore
from homeagent.crm.sync import sync_contacts
from homeagent.server.seed import CITIES as CITY
from homeagent.server.seed import FIRST, LAST

COMPANY = [
    "Boulangerie",
    "Transports",
    "Garage",
    "Pharmacie",
    "Cabinet",
    "Assurances",
    "Immobilier",
    "Menuiserie",
    "Plomberie",
    "Restaurant",
    "Librairie",
    "Fromagerie",
    "Électricité",
    "Coiffure",
    "Optique",
    "Informatique",
]


def fake_contact(i: int, rng: random.Random) -> dict[str, Any]:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    return {
        "id": f"00000000-0000-4000-8000-{i:012d}",
        "first_name": first,
        "last_name": last,
        "company": f"{rng.choice(COMPANY)} {rng.choice(LAST)} {rng.choice(CITY)}"
        if rng.random() < 0.4
        else "",
        "email": f"{first.lower()}.{last.lower()}{i}@exemple.fr",
        "account_ref": f"CLI-{1000000 + i}",
        "phones": [f"+336{i:08d}"],
        "updated_at": "2026-11-23T10:00:00Z",
    }


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def rss_mb() -> float:
    """Peak resident memory of this process, MiB (VmHWM: unlike ru_maxrss it is not
    inherited from the parent across fork+exec)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench_sync(n: int, work: Path) -> dict[str, Any]:
    from tests.integration.client.realserver import PASSWORD, ServerInstance

    server = ServerInstance(work / "server")
    try:
        t0 = time.perf_counter()
        seeded = server.seed_contacts(n)
        seed_s = time.perf_counter() - t0
        server.create_user("bench", "agent")
        server.create_user("boss", "team_lead")
        server.start()
        # The initial sync runs in a fresh child process so its memory figures are its own
        # (this process holds the seeding's SQLAlchemy objects).
        out = subprocess.run(
            [
                sys.executable,
                __file__,
                "--sync-child",
                server.url,
                str(server.root / "ca.pem"),
                str(work / "sync-cache"),
            ],
            capture_output=True,
            text=True,
            check=True,
            timeout=900,
        ).stdout
        child = json.loads(out.strip().splitlines()[-1])
        assert child["received"] == n, child
        client = ServerClient(server.url, _Tokens(), ca_pem=server.ca.cert_pem.decode())
        client.login("bench", PASSWORD, "bench-pc")
        store = LocalStore.open(bytes(range(32)), work / "sync-cache")
        # 100 changes through the server's API (80 edits, 20 deletions), then a delta sync.
        rng = random.Random(3)
        picked = rng.sample(seeded, 100)
        for c in picked[:80]:
            client.patch(f"/contacts/{c['id']}", {"company": "Changée SARL"})
        lead = ServerClient(server.url, _Tokens(), ca_pem=server.ca.cert_pem.decode())
        lead.login("boss", PASSWORD, "boss-pc")
        for c in picked[80:]:
            lead.request("DELETE", f"/contacts/{c['id']}")
        lead.close()
        t0 = time.perf_counter()
        delta = sync_contacts(store, client.sync_contacts, page_size=1000)
        delta_s = time.perf_counter() - t0
        assert (delta.received, delta.deleted) == (80, 20), delta
        store.close()
        client.close()
        return {"seed_s": seed_s, **child, "sync_rate": n / child["sync_s"], "delta_s": delta_s}
    finally:
        server.stop()


class _Tokens:
    token: str | None = None

    def get_refresh_token(self) -> str | None:
        return self.token

    def set_refresh_token(self, value: str) -> None:
        self.token = value


def sync_child(url: str, ca_file: str, cache_dir: str) -> int:
    """Child process: log in, run the initial sync, print its figures as JSON."""
    from tests.integration.client.realserver import PASSWORD

    rss_start = rss_mb()
    client = ServerClient(url, _Tokens(), ca_pem=Path(ca_file).read_text())
    client.login("bench", PASSWORD, "bench-pc")
    store = LocalStore.open(bytes(range(32)), Path(cache_dir))
    t0 = time.perf_counter()
    result = sync_contacts(store, client.sync_contacts, page_size=1000)
    sync_s = time.perf_counter() - t0
    store.close()
    client.close()
    figures = {
        "received": result.received,
        "sync_s": sync_s,
        "rss_before_mb": rss_start,
        "rss_after_mb": rss_mb(),
    }
    print(json.dumps(figures))
    return 0


def build_cache(n: int, directory: Path) -> tuple[LocalStore, float]:
    store = LocalStore.open(bytes(range(32)), directory)
    have = store.contact_count()
    rng = random.Random(11)
    t0 = time.perf_counter()
    if have < n:
        batch = 5000
        for start in range(0, n, batch):
            rows = [fake_contact(i, rng) for i in range(start, min(n, start + batch))]
            if start + batch > have:
                store.apply_contact_changes(rows)
    return store, time.perf_counter() - t0


def bench_search(store: LocalStore, n: int, samples: int) -> dict[str, Any]:
    rng = random.Random(5)
    typed: list[str] = []
    for _ in range(samples):
        c = fake_contact(rng.randrange(n), random.Random(rng.random()))
        target = rng.choice(
            [
                f"{c['first_name']} {c['last_name']}",
                f"{c['last_name']} {c['first_name']}",
                c["email"],
                c["account_ref"],
                c["company"] or c["last_name"],
            ]
        )
        typed += [target[:k] for k in range(1, min(len(target), 14) + 1)]
    for t in typed[:50]:  # warm the page cache
        store.search(t)
    times = []
    for t in typed:
        t0 = time.perf_counter()
        store.search(t, 20)
        times.append((time.perf_counter() - t0) * 1000)
    return {
        "keystrokes": len(times),
        "p50": pct(times, 50),
        "p99": pct(times, 99),
        "max": max(times),
    }


def bench_lookup(store: LocalStore, n: int, samples: int) -> dict[str, Any]:
    rng = random.Random(9)
    numbers = []
    for _ in range(samples):
        i = rng.randrange(n) if rng.random() < 0.8 else n + rng.randrange(10**6)
        d = f"6{i:08d}"
        numbers.append(f"0{d[0]} {d[1:3]} {d[3:5]} {d[5:7]} {d[7:9]}")
    times, hits = [], 0
    for number in numbers:
        t0 = time.perf_counter()
        found = store.lookup_number(number)
        times.append((time.perf_counter() - t0) * 1000)
        hits += bool(found)
    return {"lookups": len(times), "hits": hits, "p50": pct(times, 50), "p99": pct(times, 99)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--contacts", type=int, default=1_000_000)
    ap.add_argument("--sync-contacts", type=int, default=100_000)
    ap.add_argument("--samples", type=int, default=300, help="names typed (x ~12 keystrokes)")
    ap.add_argument("--cache-dir", type=Path, help="keep/reuse the big cache here")
    ap.add_argument("--skip-sync", action="store_true")
    ap.add_argument("--sync-child", nargs=3, metavar=("URL", "CA", "DIR"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.sync_child:
        return sync_child(*args.sync_child)
    with tempfile.TemporaryDirectory(prefix="homeagent-bench-") as tmp:
        work = Path(tmp)
        if not args.skip_sync:
            s = bench_sync(args.sync_contacts, work)
            print(
                f"initial sync of {args.sync_contacts:,} contacts: {s['sync_s']:.1f} s "
                f"({s['sync_rate']:,.0f}/s), "
                f"process RSS high-water {s['rss_before_mb']:.0f} MiB after imports -> "
                f"{s['rss_after_mb']:.0f} MiB after the sync"
            )
            print(
                f"delta sync of 100 changes (80 edits, 20 deletions): {s['delta_s'] * 1000:.0f} ms"
            )
        store, build_s = build_cache(args.contacts, args.cache_dir or work / "big-cache")
        print(f"cache of {store.contact_count():,} contacts ready (built in {build_s:.0f} s)")
        r = bench_search(store, args.contacts, args.samples)
        print(
            f"search-as-you-type over {args.contacts:,}: {r['keystrokes']} keystrokes, "
            f"p50 {r['p50']:.2f} ms, p99 {r['p99']:.2f} ms, max {r['max']:.1f} ms"
        )
        lk = bench_lookup(store, args.contacts, 5000)
        print(
            f"lookup by number ({lk['lookups']} lookups, {lk['hits']} found): "
            f"p50 {lk['p50']:.3f} ms, p99 {lk['p99']:.3f} ms"
        )
        store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
