"""The real HomeAgent server (homeagent/server) in a subprocess, for the client tests.

`ServerInstance` owns a temp dir: a SQLite database initialised with the server's own
CLI (`homeagent-server init`, `create-user`), a test CA and a server certificate for
HTTPS, the organisation signing key, and a signed profile exported with
`homeagent-server export-profile`. `start()`/`stop()`/`kill()` the server process.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import signal
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import requests

from homeagent.security.profile import generate_signing_key
from tests.helpers.certs import Issued, issue_server_cert, make_ca
from tests.helpers.procs import free_port, port_open, require_tool, stop, wait_until

BIN = Path(sys.executable).parent
SERVER = str(BIN / "homeagent-server")
PASSWORD = "correct horse battery"  # test users' password (not a real secret)


class ServerInstance:
    def __init__(
        self,
        root: Path,
        *,
        ca: Issued | None = None,
        access_ttl_s: int = 900,
        host: str = "127.0.0.1",
        prefix: tuple[str, ...] = (),  # e.g. ("ip", "netns", "exec", NS): run it there
    ) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self.db_url = f"sqlite:///{root / 'server.db'}"
        self.port = free_port()
        self.host = host
        self.prefix = prefix
        self.url = f"https://{host}:{self.port}"
        self.ca = ca or make_ca("HomeAgent Test Org CA")
        cert = issue_server_cert(self.ca, host)
        (root / "ca.pem").write_bytes(self.ca.cert_pem)
        (root / "cert.pem").write_bytes(cert.cert_pem)
        (root / "key.pem").write_bytes(cert.key_pem)
        self.org_key, self.org_pub = generate_signing_key()
        (root / "org-key.pem").write_bytes(self.org_key)
        self.trust_dir = root / "etc-homeagent"
        self.trust_dir.mkdir(exist_ok=True)
        (self.trust_dir / "trusted-keys.pem").write_bytes(self.org_pub)
        self.access_ttl_s = access_ttl_s
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = root / "server.log"
        # e.g. "+8h": the next start() runs the server under libfaketime, its clock that
        # far ahead (a server back after a shift-long outage sees the desk's records as old)
        self.clock_offset: str | None = None
        self.cli(
            "init",
            "--organisation",
            "Téléservices Test",
            "--sip-host",
            "127.0.0.1",
            "--sip-port",
            "5060",
            "--sip-domain",
            "test.local",
            "--sip-transport",
            "udp",
            "--srtp",
            "disabled",
        )

    def cli(self, *args: str, stdin: str = "") -> str:
        out = subprocess.run(
            [SERVER, args[0], "--db", self.db_url, *args[1:]],
            input=stdin,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        if out.returncode != 0:
            raise RuntimeError(f"homeagent-server {args[0]} failed: {out.stderr}")
        return out.stdout.strip()

    def create_user(self, name: str, role: str = "agent", team: str = "Ventes") -> str:
        return self.cli(
            "create-user", "--name", name, "--role", role, "--team", team, stdin=PASSWORD + "\n"
        )

    def revoke(self, device_id: str) -> None:
        self.cli("revoke-device", device_id)

    def export_profile(self, out: Path) -> bytes:
        self.cli(
            "export-profile",
            "--out",
            str(out),
            "--server-url",
            self.url,
            "--ca",
            str(self.root / "ca.pem"),
            "--key",
            str(self.root / "org-key.pem"),
        )
        return out.read_bytes()

    def seed_contacts(self, n: int, seed: int = 7) -> list[dict[str, Any]]:
        """Insert `n` contacts straight into the server's tables (its own models)."""
        from sqlalchemy import insert

        from homeagent.server.db import Database
        from homeagent.server.models import Contact, ContactPhone, Counter

        rng = random.Random(seed)
        firsts = ["Jean", "Marie", "Amélie", "Luc", "Sophie", "Karim", "Léa", "Hugo", "Inès"]
        lasts = ["Martin", "Bernard", "Dubois", "Lefèvre", "Moreau", "Garnier", "Roux", "Faure"]
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        contacts, phones = [], []
        for i in range(n):
            cid = str(uuid.UUID(int=rng.getrandbits(128), version=4))
            first, last = rng.choice(firsts), f"{rng.choice(lasts)}{i}"
            phone = f"+3361{i:07d}"
            row = {
                "id": cid,
                "first_name": first,
                "last_name": last,
                "company": f"Société {i % 997}",
                "phones": [phone],
                "email": f"client{i}@exemple.fr",
                "account_ref": f"CLI-{100000 + i}",
                "tags": [],
                "custom": {},
                "updated_at": now,
                "deleted_at": None,
                "change_seq": i + 1,
                "search_text": f"{first} {last} client{i}@exemple.fr cli-{100000 + i}".lower(),
            }
            contacts.append(row)
            phones.append({"contact_id": cid, "e164": phone})
        db = Database(self.db_url)
        try:
            with db.write() as s:
                s.execute(insert(Contact), contacts)
                s.execute(insert(ContactPhone), phones)
                s.merge(Counter(name="contacts", value=n))
        finally:
            db.dispose()
        return contacts

    def start(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            return
        argv = [
            SERVER,
            "run",
            "--db",
            self.db_url,
            "--host",
            self.host,
            "--port",
            str(self.port),
            "--cert",
            str(self.root / "cert.pem"),
            "--key",
            str(self.root / "key.pem"),
            "--access-ttl-s",
            str(self.access_ttl_s),
            "--log-level",
            "warning",
        ]
        if self.clock_offset:
            argv = [require_tool("faketime"), "-f", self.clock_offset, *argv]
        argv = [*self.prefix, *argv]
        with open(self.log, "ab") as out:
            self.proc = subprocess.Popen(
                argv, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        try:
            wait_until(
                lambda: self.proc is None or self.proc.poll() is not None or self.healthy(), 30, 0.1
            )
        except TimeoutError:
            raise RuntimeError(f"server not ready; log:\n{self.log.read_text()[-3000:]}") from None
        if self.proc.poll() is not None:
            raise RuntimeError(f"server exited; log:\n{self.log.read_text()[-3000:]}")

    def healthy(self) -> bool:
        if not port_open(self.port, self.host):  # cheap; a TLS request each poll is not
            return False
        try:
            r = requests.get(
                f"{self.url}/api/v1/health", verify=str(self.root / "ca.pem"), timeout=1
            )
        except requests.RequestException:
            return False
        return r.status_code == 200

    def stop(self) -> None:
        if self.proc is not None:
            stop(self.proc, signal.SIGTERM, timeout_s=10)
            self.proc = None

    def kill(self) -> None:
        if self.proc is not None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)
            self.proc = None
