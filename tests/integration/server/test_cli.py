"""`homeagent-server` administration commands on a SQLite file.

The commands run in this process (`cli`: the console entry point's `main`, its stdin,
stdout, stderr and exit status), which keeps the file's 25 commands cheap; `run` and the
entry point itself run as real processes (`test_the_entry_point_runs_as_a_process`, the
server's own tests).
"""

from __future__ import annotations

import contextlib
import io
import json
import ssl
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from homeagent.security.profile import generate_signing_key, load_profile
from homeagent.server import cli as server_cli
from homeagent.server.db import Database
from homeagent.server.models import Contact, Queue, User
from tests.helpers.certs import issue_server_cert, make_ca
from tests.helpers.procs import free_port, running
from tests.integration.server.launch import API, SERVER_ENV, run_server

pytestmark = pytest.mark.integration


def cli(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    """`homeagent-server ARGS` with `stdin` (not a terminal): as the process would end."""
    out, err = io.StringIO(), io.StringIO()
    saved = sys.stdin
    sys.stdin = io.StringIO(stdin)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = server_cli.main(list(args))
            except SystemExit as exc:  # argparse: --help, a bad choice
                code = exc.code if isinstance(exc.code, int) else 1
    finally:
        sys.stdin = saved
    return subprocess.CompletedProcess(
        ["homeagent-server", *args], code, out.getvalue(), err.getvalue()
    )


def test_the_entry_point_runs_as_a_process(tmp_path: Path) -> None:
    path = str(tmp_path / "p.db")
    argv = [sys.executable, "-m", "homeagent.server.cli"]
    run = subprocess.run([*argv, "init", "--db", path], capture_output=True, text=True,
                         env=SERVER_ENV, timeout=120, check=False)  # fmt: skip
    assert run.returncode == 0, run.stderr
    weak = subprocess.run([*argv, "create-user", "--db", path, "--name", "x", "--role", "admin"],
                          input="court\n", capture_output=True, text=True, env=SERVER_ENV,
                          timeout=120, check=False)  # fmt: skip
    assert (weak.returncode, "12 characters" in weak.stderr) == (1, True)


@pytest.fixture
def db_file(tmp_path: Path) -> str:
    path = str(tmp_path / "cc.db")
    r = cli("init", "--db", path, "--sip-host", "sip.exemple.fr", "--sip-transport", "tls")
    assert r.returncode == 0, r.stderr
    return path


def test_init_is_repeatable_and_create_user_reads_stdin(db_file: str) -> None:
    assert Path(db_file).stat().st_mode & 0o777 == 0o600  # secrets inside: owner only
    assert cli("init", "--db", db_file).returncode == 0  # upgrade: nothing to do
    secret = "un-mot-de-passe-long"
    r = cli(
        "create-user",
        "--db",
        db_file,
        "--name",
        "zoe",
        "--role",
        "agent",
        "--team",
        "Nord",
        stdin=secret + "\n",
    )
    assert r.returncode == 0, r.stderr
    assert secret not in r.stdout + r.stderr
    db = Database(db_file)
    with db.read() as s:
        user = s.scalar(select(User).where(User.name == "zoe"))
        assert user is not None
        assert user.password_hash.startswith("$argon2id$")
    db.dispose()
    dup = cli(
        "create-user",
        "--db",
        db_file,
        "--name",
        "zoe",
        "--role",
        "agent",
        "--team",
        "Nord",
        stdin=secret,
    )
    assert dup.returncode == 1
    assert "already exists" in dup.stderr
    short = cli("create-user", "--db", db_file, "--name", "x", "--role", "admin", stdin="court")
    assert short.returncode == 1
    assert "12 characters" in short.stderr
    no_team = cli("create-user", "--db", db_file, "--name", "y", "--role", "agent", stdin=secret)
    assert "needs a team" in no_team.stderr


def test_seed_demo_is_deterministic_and_french(tmp_path: Path, db_file: str) -> None:
    other = str(tmp_path / "other.db")
    assert cli("init", "--db", other).returncode == 0
    for path in (db_file, other):
        r = cli("seed-demo", "--db", path, "--contacts", "500", stdin="demo-password\n")
        assert r.returncode == 0, r.stderr
        assert "500 contacts" in r.stdout
    ids = []
    for path in (db_file, other):
        db = Database(path)
        with db.read() as s:
            contacts = list(s.scalars(select(Contact).order_by(Contact.id)))
            ids.append([c.id for c in contacts])
            assert all(p.startswith("+33") and len(p) == 12 for c in contacts for p in c.phones)
            names = set(s.scalars(select(User.name)))
        db.dispose()
    assert ids[0] == ids[1]
    assert "admin" in names
    again = cli("seed-demo", "--db", db_file, stdin="demo-password\n")
    assert again.returncode == 1


def test_revoke_device_from_the_command_line(tmp_path: Path, db_file: str) -> None:
    cli(
        "create-user",
        "--db",
        db_file,
        "--name",
        "paul",
        "--role",
        "agent",
        "--team",
        "Sud",
        stdin="vieux-pont-neuf-42",
    )
    with run_server(db_file, tmp_path / "server.log") as url:
        r = httpx.post(
            f"{url}{API}/auth/login",
            json={"username": "paul", "password": "vieux-pont-neuf-42", "device_name": "portable"},
        )
        token = r.json()["access_token"]
        sip = httpx.post(
            f"{url}{API}/provisioning/sip", headers={"Authorization": f"Bearer {token}"}
        ).json()
        listed = cli("revoke-device", "--db", db_file, "--list", "--user", "paul").stdout
        device_id = r.json()["device_id"]
        assert device_id in listed
        assert "active" in listed
        assert sip["auth_username"] in listed  # the name Kamailio's log gives this device
        assert sip["password"] not in listed
        assert cli("revoke-device", "--db", db_file, device_id).returncode == 0
        me = httpx.get(f"{url}{API}/me", headers={"Authorization": f"Bearer {token}"})
        assert me.status_code == 401
        assert me.json()["error"]["code"] == "device_revoked"


def test_export_profile_is_signed_and_verifies(tmp_path: Path, db_file: str) -> None:
    private_pem, public_pem = generate_signing_key()
    key = tmp_path / "org.key"
    key.write_bytes(private_pem)
    ca = make_ca("HomeAgent CA")
    ca_file = tmp_path / "ca.pem"
    ca_file.write_bytes(ca.cert_pem)
    out = tmp_path / "profile.json"
    r = cli(
        "export-profile",
        "--db",
        db_file,
        "--out",
        str(out),
        "--server-url",
        "https://cc.exemple.fr",
        "--ca",
        str(ca_file),
        "--key",
        str(key),
    )
    assert r.returncode == 0, r.stderr
    profile = load_profile(out.read_bytes(), [public_pem])
    assert profile.server_url == "https://cc.exemple.fr"
    assert profile.sip.registrar_host == "sip.exemple.fr"
    assert profile.sip.transport == "tls"
    assert profile.expires_at > datetime.now(UTC)
    doc = json.loads(out.read_text())
    doc["profile"]["server_url"] = "https://evil.exemple.com"
    with pytest.raises(ValueError, match="modified"):
        load_profile(json.dumps(doc).encode(), [public_pem])


def test_run_serves_https_with_cert_and_key(tmp_path: Path, db_file: str) -> None:
    ca = make_ca("HomeAgent CA")
    leaf = issue_server_cert(ca, "127.0.0.1")
    (tmp_path / "ca.pem").write_bytes(ca.cert_pem)
    (tmp_path / "cert.pem").write_bytes(leaf.cert_pem)
    (tmp_path / "key.pem").write_bytes(leaf.key_pem)
    ctx = ssl.create_default_context(cafile=str(tmp_path / "ca.pem"))
    port = free_port()
    argv = [
        sys.executable,
        "-m",
        "homeagent.server.cli",
        "run",
        "--db",
        db_file,
        "--port",
        str(port),
        "--cert",
        str(tmp_path / "cert.pem"),
        "--key",
        str(tmp_path / "key.pem"),
    ]

    def ready() -> bool:
        try:
            return (
                httpx.get(
                    f"https://127.0.0.1:{port}{API}/health", verify=ctx, timeout=1
                ).status_code
                == 200
            )
        except httpx.HTTPError:
            return False

    with running(argv, log=tmp_path / "tls.log", env=SERVER_ENV, ready=ready, ready_timeout_s=30):
        # the system CAs do not trust the organisation's CA: refused
        refused = False
        try:
            httpx.get(f"https://127.0.0.1:{port}{API}/health", timeout=2)
        except httpx.ConnectError:
            refused = True
        assert refused


@pytest.mark.parametrize("weak", ["12345678", "letmein12345", "azertyuiop12", "Motdepasse2026"])
def test_create_user_refuses_short_and_common_passwords(db_file: str, weak: str) -> None:
    r = cli("create-user", "--db", db_file, "--name", "yves", "--role", "admin", stdin=weak + "\n")
    assert r.returncode == 1
    assert "password" in r.stderr
    assert weak not in r.stderr  # the refused password is not echoed
    db = Database(db_file)
    with db.read() as s:
        assert s.scalar(select(User).where(User.name == "yves")) is None
    db.dispose()


def test_an_exported_profile_defaults_to_tls_and_srtp(tmp_path: Path) -> None:
    db_path = str(tmp_path / "plain.db")
    assert cli("init", "--db", db_path).returncode == 0  # no SIP options given
    private_pem, public_pem = generate_signing_key()
    key = tmp_path / "org.key"
    key.write_bytes(private_pem)
    ca_file = tmp_path / "ca.pem"
    ca_file.write_bytes(make_ca("HomeAgent CA").cert_pem)
    out = tmp_path / "profile.json"
    argv = ["--db", db_path, "--out", str(out), "--server-url", "https://cc.exemple.fr"]
    r = cli("export-profile", *argv, "--ca", str(ca_file), "--key", str(key))
    assert r.returncode == 0, r.stderr
    profile = load_profile(out.read_bytes(), [public_pem])
    assert (profile.sip.transport, profile.sip.srtp) == ("tls", "mandatory")
    assert profile.sip.registrar_port == 5061


def test_an_insecure_sip_export_says_so(tmp_path: Path) -> None:
    db_path = str(tmp_path / "udp.db")
    r = cli("init", "--db", db_path, "--sip-transport", "udp", "--srtp", "disabled")
    assert r.returncode == 0
    private_pem, _public = generate_signing_key()
    key = tmp_path / "org.key"
    key.write_bytes(private_pem)
    out = tmp_path / "profile.json"
    argv = ["--db", db_path, "--out", str(out), "--server-url", "http://127.0.0.1:8443"]
    r = cli("export-profile", *argv, "--key", str(key))
    assert r.returncode == 0, r.stderr
    assert "SRTP" in r.stderr
    assert "TLS" in r.stderr


def test_run_accepts_the_options_the_operations_guide_shows() -> None:
    guide = (Path(__file__).parents[3] / "docs" / "operations.md").read_text()
    fenced = guide.split("```")[1::2]  # the code blocks
    commands = [
        c.split("homeagent-server ", 1)[0]
        for f in fenced
        for c in f.split("homeagent-server run ")[1:]
    ]
    assert commands
    words = " ".join(commands).replace("\\", " ").split()
    options = sorted({w for w in words if w.startswith("--")})
    help_text = cli("run", "--help").stdout
    missing = [o for o in options if o not in help_text]
    assert missing == []


def test_a_new_sqlite_database_is_private_from_the_start(tmp_path: Path) -> None:
    path = tmp_path / "fresh.db"
    db = Database(f"sqlite:///{path}")
    db.migrate()
    db.dispose()
    assert path.stat().st_mode & 0o777 == 0o600
    for extra in tmp_path.glob("fresh.db-*"):
        assert extra.stat().st_mode & 0o777 == 0o600, extra


def test_set_queue_creates_then_changes_only_what_is_given(db_file: str) -> None:
    r = cli("set-queue", "--db", db_file, "ventes", "--team", "Nord", "--label", "Ventes")
    assert r.returncode == 0, r.stderr
    queue_id = r.stdout.strip()
    r = cli("set-queue", "--db", db_file, "ventes", "--team", "Nord", "--max-wait-s", "0",
            "--sl-threshold-s", "30")  # fmt: skip
    assert (r.returncode, r.stdout.strip()) == (0, queue_id), r.stderr
    db = Database(db_file)
    try:
        with db.read() as s:
            q = s.get(Queue, queue_id)
            assert q is not None
            assert (q.label, q.rona_s, q.sl_threshold_s, q.max_wait_s) == ("Ventes", 15, 30, 0)
    finally:
        db.dispose()
    bad = cli("set-queue", "--db", db_file, "ventes", "--team", "Nord", "--max-wait-s", "7200")
    assert bad.returncode == 1
    assert "max_wait_s must be between 0 and 3600 seconds" in bad.stderr


def test_set_supervision_policy_stores_the_setting_and_refuses_others(db_file: str) -> None:
    db = Database(db_file)
    try:
        assert db.settings()["supervision_policy"] == "announced"  # what init creates
        for policy in ("silent", "off", "announced"):
            r = cli("set-supervision-policy", "--db", db_file, policy)
            assert (r.returncode, r.stdout.strip()) == (0, f"supervision policy: {policy}")
            assert db.settings()["supervision_policy"] == policy
        bad = cli("set-supervision-policy", "--db", db_file, "loud")
        assert bad.returncode == 2
        assert "invalid choice: 'loud'" in bad.stderr
        assert db.settings()["supervision_policy"] == "announced"  # unchanged
    finally:
        db.dispose()
