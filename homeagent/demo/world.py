"""Everything around the agent in the demo: the server, Kamailio and the customers.

All on loopback, in one throw-away folder: a seeded server (`homeagent-server` run as a
child process), Kamailio with the ACD configuration (`deploy/kamailio/acd`: the agents
authenticate with their device's own SIP credential, queue calls are routed by the
server's ACD hook, an offer nobody answers in the queue's RONA time sets the agent Not
ready "missed"), a signed provisioning profile, and simulated customers
(`python -m homeagent.sip.peer`) who call the agent's queue from their own numbers, from
the gateway address (loopback), and speak a short French phrase — the path a real
contact centre's calls take. `acd=False`: the customers call the agent's address directly
(through the same Kamailio, which then lets the gateway ring agents: `GATEWAY_DIRECT`).

`team_size` > 0 (`homeagent demo --lead`): the desk's team also has that many simulated
agents (`python -m homeagent.demo.team`, a process of their own), and the customers call
in parallel, at a rate that keeps the team busy (`homeagent.demo.shift.call_rate_per_s`),
at most `max_parallel_calls` at once. `start_lead_window()` opens the team lead's app.
Every child runs in a process group of its own, watched by `homeagent.demo.reaper`: they
die with the demo, even when it is killed with SIGKILL.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import os
import random
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from homeagent.demo.reaper import Reaper

log = logging.getLogger(__name__)

TEAM_SIZES = range(8, 13)  # `--team-size`: a lead's board of 8 to 12 simulated agents
# Simulated agents per team process: one. Two agents on one pjsip stack lose the ACD's
# re-offer of a call that rang out (a merged request, 482: see homeagent.sip.bank).
TEAM_PER_PROCESS = 1
SIP_DOMAIN = "homeagent.test"
REPO = Path(__file__).resolve().parents[2]
ACD_KAMAILIO_CFG = REPO / "deploy" / "kamailio" / "acd" / "kamailio-acd.cfg"
KAMAILIO_MODULES = Path("/usr/lib/x86_64-linux-gnu/kamailio/modules")


def free_port() -> int:
    """A port free for TCP and UDP on loopback right now."""
    for _ in range(50):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = int(s.getsockname()[1])
        with contextlib.suppress(OSError), socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
            u.bind(("127.0.0.1", port))
            return port
    raise RuntimeError("no free port")


def _wait_port(port: int, proc: subprocess.Popen[bytes], timeout_s: float = 20.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"a demo process exited with {proc.returncode}")
        with socket.socket() as s:
            s.settimeout(0.2)
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listens on port {port} after {timeout_s} s")


def write_signed_profile(
    path: Path, *, server_url: str, sip_port: int, organisation: str, sip_host: str = "127.0.0.1"
) -> bytes:
    """Sign a one-day provisioning profile for a loopback organisation with a fresh key;
    returns the public key (PEM) a `ProfileStore` must trust to accept it."""
    from homeagent.security.profile import generate_signing_key, sign_profile

    private_pem, public_pem = generate_signing_key()
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    profile = {
        "version": 1,
        "organisation": organisation,
        "server_url": server_url,
        "ca_pem": "",
        "sip": {
            "registrar_host": sip_host,
            "registrar_port": sip_port,
            "domain": SIP_DOMAIN,
            "transport": "udp",
            "srtp": "disabled",
        },
        "default_region": "FR",
        "issued_at": now,
        "expires_at": now + dt.timedelta(days=1),
    }
    path.write_bytes(sign_profile(profile, private_pem))
    return bytes(public_pem)


@dataclass
class Customer:
    """A demo contact who will call: id and number as the server knows them."""

    contact_id: str
    number: str
    name: str


@dataclass
class DemoWorld:
    """See the module docstring. `start()`, then `stop()` (also on errors)."""

    root: Path
    contacts: int = 2000
    call_every_s: float = 45.0
    first_call_after_s: float = 10.0
    talk_s: float | None = None  # how long customers talk (None: 20 to 40 s)
    acd: bool = True  # customers call the agent's queue through the ACD (else directly)
    team_size: int = 0  # simulated agents beside the desk's agent (0: none)
    pace: float = 1.0  # the simulated team's durations are scaled by this (tests: faster)
    seed: int = 11  # the simulated team's shift scripts
    password: str = field(default_factory=lambda: secrets.token_urlsafe(12), repr=False)
    server_port: int = 0
    sip_port: int = 0
    agent_login: str = ""
    agent_name: str = ""
    agent_sip_user: str = ""
    lead_login: str = ""
    team_id: str = ""
    queue: str = ""  # the agent's team's queue (customers call sip:queue-<name>@…)
    customers: list[Customer] = field(default_factory=list)
    team_logins: list[str] = field(default_factory=list)  # the simulated agents
    lead_name: str = ""
    trusted_key_pem: bytes = b""
    profile_path: Path | None = None
    voices: list[Path] = field(default_factory=list)
    _procs: list[subprocess.Popen[bytes]] = field(default_factory=list)
    _procs_lock: threading.Lock = field(default_factory=threading.Lock)
    _reaper: Reaper | None = None
    team_procs: list[subprocess.Popen[bytes]] = field(default_factory=list)
    _core: list[subprocess.Popen[bytes]] = field(default_factory=list)  # server, Kamailio
    lead_proc: subprocess.Popen[bytes] | None = None
    _stop: threading.Event = field(default_factory=threading.Event)
    _calls: threading.Thread | None = None
    _acd_token: str = field(default="", repr=False)

    @property
    def server_url(self) -> str:
        """Where the API listens."""
        return f"http://127.0.0.1:{self.server_port}"

    @property
    def agent_aor(self) -> str:
        """The agent's SIP address."""
        return f"sip:{self.agent_sip_user}@{SIP_DOMAIN}"

    @property
    def queue_uri(self) -> str:
        """Where customers call: the agent's queue on Kamailio."""
        return f"sip:queue-{self.queue}@127.0.0.1:{self.sip_port}"

    @property
    def db_url(self) -> str:
        """The server's database."""
        return f"sqlite:///{self.root / 'server.db'}"

    # -- start -------------------------------------------------------------------------

    def start(self) -> None:
        """Seed, start Kamailio and the server, sign the profile, make the voices."""
        self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.root.chmod(0o700)  # SIP secrets, the server database: this user only
        if self.team_size and self.team_size not in TEAM_SIZES:
            raise ValueError(f"a demo team has {TEAM_SIZES.start} to {TEAM_SIZES.stop - 1} agents")
        self._reaper = Reaper()
        self.server_port, self.sip_port = free_port(), free_port()
        self._seed()
        self._start_server()  # Kamailio asks the server for the devices' credentials
        self._start_acd_kamailio()
        self._write_profile()
        from homeagent.demo.voices import phrase_files

        self.voices = phrase_files()
        if self.team_size:
            self._start_team()

    def _seed(self) -> None:
        from sqlalchemy import select

        from homeagent.server.db import Database
        from homeagent.server.models import Contact, Queue, Team, User
        from homeagent.server.seed import TEAMS, seed_demo

        db = Database(self.db_url)
        try:
            db.migrate()
            db.ensure_settings()
            for key, value in (
                ("organisation", "HomeAgent Démo"),
                ("sip_registrar_host", "127.0.0.1"),
                ("sip_registrar_port", str(self.sip_port)),
                ("sip_domain", SIP_DOMAIN),
                ("sip_transport", "udp"),
                ("sip_srtp", "disabled"),
            ):
                db.set_setting(key, value)
            seed_demo(
                db, self.password, contacts=self.contacts, agents_per_team=3,
                first_team_agents=self.team_size + 1 if self.team_size else None,
            )  # fmt: skip
            with db.read() as s:
                team_id = s.scalar(select(Team.id).where(Team.name == TEAMS[0][0]))
                agents = list(
                    s.scalars(
                        select(User)
                        .where(User.role == "agent", User.team_id == team_id)
                        .order_by(User.name)
                    )
                )
                agent = agents[0]  # the desk's; the others are the simulated team
                self.team_logins = [a.name for a in agents[1:]][: self.team_size]
                lead = s.scalars(
                    select(User).where(User.role == "team_lead", User.team_id == agent.team_id)
                ).first()
                self.agent_login, self.agent_name = agent.name, agent.display_name
                self.agent_sip_user, self.team_id = agent.sip_username, agent.team_id or ""
                self.lead_login = lead.name if lead is not None else ""
                self.lead_name = lead.display_name if lead is not None else ""
                queue = s.scalars(select(Queue).where(Queue.team_id == agent.team_id)).first()
                self.queue = queue.name if queue is not None else ""
                callers = 40 if self.team_size else 6
                for c in s.scalars(select(Contact).order_by(Contact.last_name).limit(callers)):
                    if c.phones:
                        self.customers.append(
                            Customer(c.id, str(c.phones[0]), f"{c.first_name} {c.last_name}")
                        )
            self._acd_token = db.settings()["acd_token"]
        finally:
            db.dispose()

    def _start_acd_kamailio(self) -> None:
        """Kamailio with the ACD configuration, asking the running server (its ACD hook)."""
        binary = shutil.which("kamailio") or "/usr/sbin/kamailio"
        if not os.path.exists(binary):
            raise RuntimeError("kamailio is not installed (Debian package `kamailio`)")
        if not (KAMAILIO_MODULES / "http_client.so").exists():
            raise RuntimeError("Kamailio's http_client module is missing (kamailio-utils-modules)")
        work = self.root / "kamailio"
        work.mkdir(mode=0o700, parents=True, exist_ok=True)
        work.chmod(0o700)
        conn = work / "acd-http.cfg"
        _write_private(
            conn,
            f"[acd]\nurl = {self.server_url}/api/v1/acd\nusername = acd\n"
            f"password = {self._acd_token}\nauthmethod = 1\ntimeout = 2\n",
        )
        argv = [
            binary, "-DD", "-E", "-f", str(ACD_KAMAILIO_CFG), "-L", str(KAMAILIO_MODULES),
            "-w", str(work), "-Y", str(work), "-m", "32", "-M", "8",
            "-l", f"udp:127.0.0.1:{self.sip_port}",
            "-A", f'ACD_HTTP_CONF="{conn}"', "-A", 'GATEWAY_IP="127.0.0.1"',
        ]  # fmt: skip
        if not self.acd:  # customers ring the agent's address straight from the gateway
            argv += ["-A", "GATEWAY_DIRECT"]
        kamailio = self._spawn(
            argv, work / "kamailio.log", ready=lambda: _sip_answers(self.sip_port)
        )
        self._core.append(kamailio)

    def _start_server(self) -> None:
        argv = [sys.executable, "-m", "homeagent.server.cli", "run", "--db", self.db_url]
        argv += ["--port", str(self.server_port), "--log-level", "warning"]
        self._core.append(self._spawn(argv, self.root / "server.log", ready_port=self.server_port))

    def _spawn(
        self,
        argv: list[str],
        log_path: Path,
        *,
        ready_port: int = 0,
        ready: Callable[[], bool] | None = None,
        env: dict[str, str] | None = None,
    ) -> subprocess.Popen[bytes]:
        proc = self._popen(argv, log_path, env=env)
        if ready is not None:
            _wait_until(ready, proc)
        else:
            _wait_port(ready_port, proc)
        return proc

    def _popen(
        self,
        argv: list[str],
        log_path: Path,
        *,
        env: dict[str, str] | None = None,
        append: bool = False,
    ) -> subprocess.Popen[bytes]:
        """Start a child in a process group of its own, watched by the reaper."""
        mode = os.O_APPEND if append else os.O_TRUNC
        with (
            open(os.open(log_path, os.O_WRONLY | os.O_CREAT | mode, 0o600), "ab") as out,
            self._procs_lock,
        ):
            if self._stop.is_set():
                raise RuntimeError("the demo is stopping")
            proc = subprocess.Popen(
                argv, stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True
            )
            self._procs.append(proc)
            if self._reaper is not None:
                self._reaper.watch(proc.pid)
        return proc

    def _reap_finished(self) -> None:
        """Forget the children that ended (customers): their group numbers may be reused."""
        with self._procs_lock:
            for proc in [p for p in self._procs if p.poll() is not None]:
                self._procs.remove(proc)
                if self._reaper is not None:
                    self._reaper.forget(proc.pid)

    def child_pids(self) -> list[int]:
        """The children still running (tests check that none outlives the demo)."""
        with self._procs_lock:
            return [p.pid for p in self._procs if p.poll() is None]

    def _write_profile(self) -> None:
        self.profile_path = self.root / "profile.json"
        self.trusted_key_pem = write_signed_profile(
            self.profile_path,
            server_url=self.server_url,
            sip_port=self.sip_port,
            organisation="HomeAgent Démo",
        )
        self.profile_path.chmod(0o600)

    def profile_store(self) -> Any:
        """A profile store that trusts the demo's organisation key only."""
        from homeagent.security.profile import parse_public_key
        from homeagent.security.provisioning import ProfileStore

        return ProfileStore(
            user_config_dir=self.root / "config",
            system_dir=self.root / "system",
            trusted_keys=[parse_public_key(self.trusted_key_pem)],
        )

    # -- the simulated team and the lead's window --------------------------------------

    def _start_team(self) -> None:
        """The simulated agents (`python -m homeagent.demo.team`), signing in now:
        TEAM_PER_PROCESS agents per process (one pjsua2 Endpoint each)."""
        n = len(self.team_logins)
        count = -(-n // TEAM_PER_PROCESS)
        for k in range(count):
            first, last = k * n // count, (k + 1) * n // count
            config = self.root / f"team-{k + 1}.json"
            _write_private(
                config,
                json.dumps({
                    "server_url": self.server_url, "password": self.password,
                    "agents": self.team_logins[first:last], "first_index": first,
                    "queue": self.queue, "seed": self.seed, "pace": self.pace,
                }),
            )  # fmt: skip
            argv = [sys.executable, "-m", "homeagent.demo.team", "--config", str(config)]
            log_path = self.root / f"team-{k + 1}.log"
            self.team_procs.append(self._spawn(argv, log_path, ready=lambda: True))

    def start_lead_window(self, *, lang: str = "fr", use_audio: bool = True) -> None:
        """Open the team lead's app (`python -m homeagent.demo.lead_window`), enrolled as
        the lead of the desk's team, beside the desk."""
        if not self.lead_login or self.profile_path is None:
            raise RuntimeError("the demo has no team lead (start() first)")
        config = self.root / "lead-window.json"
        _write_private(
            config,
            json.dumps({
                "profile_path": str(self.profile_path),
                "trusted_key_pem": self.trusted_key_pem.decode(),
                "login": self.lead_login, "password": self.password,
                "data_dir": str(self.root / "lead"), "config_dir": str(self.root / "lead-config"),
                "lang": lang, "use_audio": use_audio,
            }),
        )  # fmt: skip
        # a single-instance name would make the lead's app hand over to the desk and quit
        env = {k: v for k, v in os.environ.items() if k != "HOMEAGENT_INSTANCE"}
        argv = [sys.executable, "-m", "homeagent.demo.lead_window", "--config", str(config)]
        self.lead_proc = self._spawn(argv, self.root / "lead.log", ready=lambda: True, env=env)

    # -- the team lead and the customers ----------------------------------------------

    def post_lead_messages(self) -> None:
        """The team lead greets the team and sends one urgent message."""
        import requests

        resp = requests.post(
            f"{self.server_url}/api/v1/auth/login",
            json={"username": self.lead_login, "password": self.password, "device_name": "demo"},
            timeout=10,
        )
        resp.raise_for_status()
        headers = {"Authorization": f"Bearer {resp.json()['access_token']}"}
        for body, priority in (
            ("Bonjour à toutes et à tous ! Bonne journée sur la file Support.", "normal"),
            ("Incident fibre en cours à Lyon : proposez un rappel sous 24 h.", "high"),
        ):
            requests.post(
                f"{self.server_url}/api/v1/messages",
                json={"to_team_id": self.team_id, "body": body, "priority": priority},
                headers=headers,
                timeout=10,
            ).raise_for_status()

    def start_customers(self) -> None:
        """Customers call until `stop()`: one at a time every `call_every_s`, or with a
        simulated team, in parallel at a rate that keeps the team busy."""
        loop = self._team_call_loop if self.team_size else self._call_loop
        self._calls = threading.Thread(target=loop, name="demo-customers", daemon=True)
        self._calls.start()

    def _call_loop(self) -> None:
        rng = random.Random()  # noqa: S311 - demo timing
        if self._stop.wait(self.first_call_after_s):
            return
        while not self._stop.is_set():
            customer = rng.choice(self.customers)
            proc = self.call_once(customer, talk_s=self.talk_s or rng.uniform(20, 40))
            while proc.poll() is None and not self._stop.wait(0.5):
                pass
            self._reap_finished()
            if self._stop.wait(self.call_every_s):
                return

    def _team_call_loop(self) -> None:
        """Poisson arrivals at `call_rate_per_s` for the team and the desk's agent, never
        more than `max_parallel_calls` customers on the line at once."""
        from homeagent.demo.shift import TALK_S, call_rate_per_s, max_parallel_calls

        rng = random.Random(self.seed)  # noqa: S311 - demo timing
        rate = call_rate_per_s(self.team_size + 1, self.pace)
        limit = max_parallel_calls(self.team_size)
        live: list[subprocess.Popen[bytes]] = []
        if self._stop.wait(self.first_call_after_s):
            return
        log.info("demo customers: %.2f calls a minute, at most %d at once", rate * 60, limit)
        while not self._stop.is_set():
            live = [p for p in live if p.poll() is None]
            self._reap_finished()
            if len(live) < limit:
                talk = self.talk_s or rng.uniform(*TALK_S) * self.pace
                try:
                    live.append(self.call_once(rng.choice(self.customers), talk_s=talk))
                except RuntimeError:  # stopping
                    return
            if self._stop.wait(rng.expovariate(rate)):
                return

    def call_once(self, customer: Customer, talk_s: float = 30.0) -> subprocess.Popen[bytes]:
        """One customer calls now (the agent's queue, or the agent); returns the peer."""
        argv = [sys.executable, "-m", "homeagent.sip.peer", "--user", customer.number,
                "--domain", SIP_DOMAIN]  # fmt: skip
        # from the gateway address (loopback): no registration, no digest
        if self.acd:
            argv += ["--call", self.queue_uri]
        else:
            argv += ["--call", f"sip:{self.agent_sip_user}@127.0.0.1:{self.sip_port}"]
        argv += ["--header", f"X-Contact-Id: {customer.contact_id}"]
        exit_after = max(120.0, talk_s + 60.0)  # bounded: a peer never outlives its call
        argv += ["--hangup-after", f"{talk_s:.0f}", "--exit-after", f"{exit_after:.0f}",
                 "--exit-on-end"]  # fmt: skip
        if self.voices:
            argv += ["--play", str(random.choice(self.voices))]  # noqa: S311
        else:
            argv += ["--tone", "440"]
        env = {k: v for k, v in os.environ.items() if k != "HOMEAGENT_PEER_PASSWORD"}
        proc = self._popen(argv, self.root / "customer.log", env=env, append=True)
        log.info("demo customer %s calls", customer.name)
        return proc

    # -- stop --------------------------------------------------------------------------

    def stop(self) -> None:
        """Stop the customers, the lead's window and the team (they sign out while the
        server still runs), then the server and Kamailio; then the reaper."""
        self._stop.set()
        if self._calls is not None:
            self._calls.join(5)
        with self._procs_lock:
            procs = list(self._procs)
        first = [p for p in procs if p in self.team_procs or p is self.lead_proc]
        first += [p for p in procs if p not in first and p not in self._core]
        _terminate(reversed(first))
        _terminate(reversed([p for p in procs if p not in first]))
        with self._procs_lock:
            self._procs.clear()
        if self._reaper is not None:
            self._reaper.close()  # kills what is left of the groups (Kamailio's workers)
            self._reaper = None


def _terminate(procs: Iterable[subprocess.Popen[bytes]]) -> None:
    """SIGTERM to each process group, then SIGKILL to those still alive after 8 s."""
    procs = list(procs)
    for proc in procs:
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
    for proc in procs:
        try:
            proc.wait(8)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(5)


def _wait_until(ready: Callable[[], bool], proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 20.0
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"a demo process exited with {proc.returncode}")
        if ready():
            return
        time.sleep(0.1)
    raise RuntimeError("a demo process is not ready after 20 s")


def _sip_answers(port: int) -> bool:
    """Whether something on 127.0.0.1:`port` (UDP) answers a SIP OPTIONS now."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(0.3)
        s.bind(("127.0.0.1", 0))
        local = s.getsockname()[1]
        probe = (
            f"OPTIONS sip:127.0.0.1:{port} SIP/2.0\r\n"
            f"Via: SIP/2.0/UDP 127.0.0.1:{local};branch=z9hG4bK{secrets.token_hex(8)}\r\n"
            f"From: <sip:probe@127.0.0.1>;tag={secrets.token_hex(4)}\r\n"
            f"To: <sip:127.0.0.1:{port}>\r\nCall-ID: {secrets.token_hex(8)}\r\n"
            "CSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n"
        )
        s.sendto(probe.encode(), ("127.0.0.1", port))
        try:
            return s.recv(4096).startswith(b"SIP/2.0")
        except OSError:
            return False


def _write_private(path: Path, text: str) -> None:
    """Write `text` to `path`, readable by this user only (it may hold SIP secrets)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with open(fd, "w", encoding="utf-8") as f:
        f.write(text)
    path.chmod(0o600)  # an older file keeps its mode through O_CREAT
