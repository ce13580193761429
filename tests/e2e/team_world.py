"""A small contact centre for the team-lead console's e2e tests: the real server, Kamailio
with the ACD configuration, and real app processes (`tests.e2e.desk_process --user`) for a
team lead and agents of one team, each with its own data folder, event log and Xvfb
display (each home agent has a PC of their own; two apps on one display without a window
manager fought over the keyboard focus, and a keystroke meant for one went to another).
The lead's and agents' REST sessions (`launch.login`) drive what no keystroke needs to;
the assertions read the apps' event logs.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from homeagent.core.audio_settings import AudioSettings
from homeagent.core.audio_setup import AUDIO_SETTINGS_FILE
from homeagent.demo.world import SIP_DOMAIN, write_signed_profile
from homeagent.server.db import Database
from homeagent.server.models import Queue, User
from homeagent.server.seed import seed_demo
from tests.e2e.applog import events
from tests.helpers.acd_kamailio import running_acd_kamailio
from tests.helpers.procs import free_port, require_tool
from tests.helpers.procs import stop as stop_xvfb
from tests.helpers.xvfb import XDisplay, start_xvfb
from tests.integration.server.launch import PASSWORD, Session, login, run_server

REPO = Path(__file__).resolve().parents[2]
ORGANISATION = "HomeAgent E2E"


@dataclass
class App:
    """One running app process and its structured event log."""

    user: User
    proc: subprocess.Popen[bytes]
    log: Path
    output: Path
    display: XDisplay

    @property
    def env(self) -> dict[str, str]:
        """The environment xdotool needs to reach this app's display."""
        return {**os.environ, "DISPLAY": self.display.display}


@dataclass
class TeamWorld:
    root: Path
    db_url: str
    url: str
    sip_port: int
    queue: str
    team_id: str
    lead: User
    agents: list[User]
    env: dict[str, str]
    profile: Path
    key: Path
    apps: list[App] = field(default_factory=list)  # the ones that must exit cleanly
    all_apps: list[App] = field(default_factory=list)  # every one started (displays)
    sessions: list[Session] = field(default_factory=list)

    def start_app(
        self, user: User, *, pulse_server: str = "", audio: AudioSettings | None = None
    ) -> App:
        """The real desk process signed in as `user` (no dialog, memory vault); with
        `pulse_server`, its headset is that PulseAudio's default devices; `audio`: the
        audio choices it finds saved (else the defaults)."""
        data = self.root / f"app-{user.name}"
        if audio is not None:
            data.mkdir(mode=0o700, parents=True, exist_ok=True)
            saved = data / AUDIO_SETTINGS_FILE
            saved.write_text(json.dumps(audio.to_dict()), encoding="utf-8")
            saved.chmod(0o600)
        config = self.root / f"config-{user.name}"
        argv = [sys.executable, "-m", "tests.e2e.desk_process", "--profile", str(self.profile),
                "--trusted-key", str(self.key), "--data-dir", str(data),
                "--config-dir", str(config), "--user", user.name]  # fmt: skip
        output = self.root / f"app-{user.name}.out"
        display = start_xvfb()
        env = {**self.env, "HOMEAGENT_E2E_PASSWORD": PASSWORD, "DISPLAY": display.display}
        if pulse_server:
            argv.append("--audio")
            env["PULSE_SERVER"] = pulse_server
        with open(output, "wb") as out:
            proc = subprocess.Popen(argv, env=env, cwd=REPO, stdout=out, stderr=subprocess.STDOUT)
        app = App(user, proc, data / "events.jsonl", output, display)
        self.apps.append(app)
        self.all_apps.append(app)
        return app

    def session(self, user: User) -> Session:
        """A REST session of `user` (its own device)."""
        s = login(self.url, user.name, device=f"e2e-rest-{user.name}-{len(self.sessions)}")
        self.sessions.append(s)
        return s


def seeded_organisation(root: Path, *, contacts: int) -> tuple[Database, int]:
    """A small French demo organisation (`seed_demo`, 2 agents a team) in `root/server.db`
    whose provisioning points at a Kamailio on a free UDP port: the database and that port.
    The caller disposes of the database."""
    sip_port = free_port(socket.SOCK_DGRAM)
    db = Database(f"sqlite:///{root / 'server.db'}")
    db.migrate()
    db.ensure_settings()
    for key, value in (
        ("organisation", ORGANISATION),
        ("sip_registrar_host", "127.0.0.1"),
        ("sip_registrar_port", str(sip_port)),
        ("sip_domain", SIP_DOMAIN),
        ("sip_transport", "udp"),
        ("sip_srtp", "disabled"),
    ):
        db.set_setting(key, value)
    seed_demo(db, PASSWORD, agents_per_team=2, contacts=contacts)
    return db, sip_port


def _seed(root: Path) -> tuple[str, int, str, str, User, list[User]]:
    db_url = f"sqlite:///{root / 'server.db'}"
    db, sip_port = seeded_organisation(root, contacts=100)
    try:
        with db.read() as s:
            queue = s.scalars(select(Queue).order_by(Queue.name)).first()
            assert queue is not None
            users = s.scalars(
                select(User).where(User.team_id == queue.team_id).order_by(User.name)
            ).all()
            s.expunge_all()
        lead = next(u for u in users if u.role == "team_lead")
        agents = [u for u in users if u.role == "agent"][:2]
        return db_url, sip_port, queue.name, queue.team_id, lead, agents
    finally:
        db.dispose()


@contextlib.contextmanager
def team_world(xvfb: XDisplay, tmp_path: Path) -> Iterator[TeamWorld]:
    """The server, the ACD Kamailio; apps are started by the test (`start_app`). On leaving,
    every app gets Ctrl+C and must exit cleanly (code 0, last event `app_stopped`) with no
    password in its log."""
    require_tool("kamailio")
    db_url, sip_port, queue, team_id, lead, agents = _seed(tmp_path)
    env = {**os.environ, "DISPLAY": xvfb.display, "QT_QPA_PLATFORM": "xcb"}
    kam_dir = tmp_path / "kamailio"
    kam_dir.mkdir()
    with run_server(db_url, tmp_path / "server.log") as url:
        settings = Database(db_url)
        acd_token = settings.settings()["acd_token"]
        settings.dispose()
        profile, key = tmp_path / "profile.json", tmp_path / "org-key.pem"
        key.write_bytes(
            write_signed_profile(profile, server_url=url, sip_port=sip_port,
                                 organisation=ORGANISATION)
        )  # fmt: skip
        with running_acd_kamailio(url, acd_token, kam_dir, port=sip_port):
            world = TeamWorld(tmp_path, db_url, url, sip_port, queue, team_id, lead, agents,
                              env, profile, key)  # fmt: skip
            try:
                yield world
            finally:
                for s in world.sessions:
                    s.close()
                codes = []
                for app in world.apps:
                    if app.proc.poll() is None:
                        app.proc.send_signal(signal.SIGINT)
                for app in world.apps:
                    codes.append((app, app.proc.wait(30)))
                for app in world.all_apps:
                    stop_xvfb(app.display.proc)
                    os.close(app.display.fd)
    for app, code in codes:
        assert code == 0, app.output.read_text()[-3000:]
        assert events(app.log)[-1]["event"] == "app_stopped", app.user.name
        assert PASSWORD not in app.log.read_text()
