"""End to end: ``homeagent tel:…`` while the desk runs (the real `homeagent demo` process
under Xvfb) hands the link over the per-user local socket; the running window prepares
the dial (event log ``dial_prepared``) and nothing is dialled until the agent presses
Call (which then has the focus: one key). Garbage is
refused by the second start with a log line, and the running desk is untouched.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from tests.e2e.applog import events, keys, wait_event
from tests.helpers.procs import require_tool, stop

pytestmark = pytest.mark.e2e


def test_a_tel_link_is_prepared_in_the_running_desk(xvfb, tmp_path: Path) -> None:
    require_tool("kamailio")
    root = tmp_path / "demo"
    log_path = root / "agent" / "events.jsonl"
    runtime = tmp_path / "run"
    runtime.mkdir(mode=0o700)
    env = dict(xvfb.env)
    # a private instance: parallel tests (and a real desk) never see each other
    env.update(HOMEAGENT_INSTANCE=f"e2e-{uuid.uuid4().hex[:12]}", XDG_RUNTIME_DIR=str(runtime))
    argv = [sys.executable, "-m", "homeagent", "demo", "--dir", str(root), "--contacts", "50",
            "--first-call", "600", "--no-audio", "--lang", "fr"]  # fmt: skip
    with open(tmp_path / "app.log", "wb") as out:
        proc = subprocess.Popen(argv, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_event(log_path, "app_started", 90, proc)
        wait_event(log_path, "registration", 60, proc)
        before = len(events(log_path))
        started = time.monotonic()
        second = subprocess.run(
            [sys.executable, "-m", "homeagent", "tel:+33-6-12-34-56-78"],
            env=env, capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
        assert second.returncode == 0, second.stderr
        assert time.monotonic() - started < 30  # handed over, not a second desk starting
        prepared = wait_event(log_path, "dial_prepared", 10, proc, after=before)
        assert prepared["via"] == "another start"
        assert prepared["scheme"] == "tel"
        assert prepared["number"] != "+33612345678"  # masked in the log
        assert str(prepared["number"]).endswith("678")
        # the second start wrote nothing of its own: one desk, one app_starting
        assert [e["event"] for e in events(log_path)].count("app_starting") == 1
        # garbage: refused by the second start, with a clear line; the desk goes on
        bad = subprocess.run(
            [sys.executable, "-m", "homeagent", "tel:not-a-number"],
            env=env, capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
        assert bad.returncode == 2
        assert "refused the link" in bad.stderr
        time.sleep(1.0)  # nothing is dialled from a link: no call leaves the desk
        names = [e["event"] for e in events(log_path)[before:]]
        assert "dial" not in names, names
        assert names.count("dial_prepared") == 1
        # the prepared number is one key away: Call has the focus, Space presses it
        keys(xvfb.env, "space")
        dialled = wait_event(log_path, "dial", 10, proc, after=before)
        assert str(dialled["remote_number"]).endswith("678")
        assert "+33612345678" not in log_path.read_text()
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
        code = proc.wait(30)
    assert code == 0, (tmp_path / "app.log").read_text()[-3000:]
    assert not any(runtime.glob("*.sock")), os.listdir(runtime)  # the socket went with it


def _visible_windows(env: dict[str, str], title: str) -> list[str]:
    xdotool = require_tool("xdotool")
    out = subprocess.run([xdotool, "search", "--onlyvisible", "--name", title], env=env,
                         capture_output=True, text=True, timeout=10, check=False)  # fmt: skip
    return out.stdout.split()


def test_started_in_a_real_tray_then_raised_by_a_second_start(xvfb, tmp_path: Path) -> None:
    """A real XEmbed tray (trayer) on the Xvfb screen: with 'start minimised' set, only the
    tray icon shows; starting `homeagent` again brings the window up."""
    require_tool("kamailio")
    trayer = require_tool("trayer")
    root = tmp_path / "demo"
    (root / "agent").mkdir(parents=True)
    (root / "agent" / "desktop.json").write_text('{"start_minimized": true}')
    log_path = root / "agent" / "events.jsonl"
    runtime = tmp_path / "run"
    runtime.mkdir(mode=0o700)
    env = dict(xvfb.env)
    env.update(HOMEAGENT_INSTANCE=f"e2e-{uuid.uuid4().hex[:12]}", XDG_RUNTIME_DIR=str(runtime))
    env.pop("DBUS_SESSION_BUS_ADDRESS", None)  # no StatusNotifier host: Qt uses the XEmbed tray
    tray: subprocess.Popen[bytes] = subprocess.Popen(
        [trayer, "--edge", "top", "--widthtype", "pixel", "--width", "200"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    argv = [sys.executable, "-m", "homeagent", "demo", "--dir", str(root), "--contacts", "50",
            "--first-call", "600", "--no-audio", "--lang", "fr"]  # fmt: skip
    try:
        time.sleep(1.0)  # trayer owns _NET_SYSTEM_TRAY_S0 before the desk looks for it
        with open(tmp_path / "app.log", "wb") as out:
            proc = subprocess.Popen(argv, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            shown = wait_event(log_path, "desk_shown", 90, proc)
            assert shown["tray"] is True
            assert shown["minimized"] is True
            wait_event(log_path, "registration", 60, proc, state="registered")
            assert _visible_windows(env, "HomeAgent") == []  # only the tray icon
            again = subprocess.run(
                [sys.executable, "-m", "homeagent"],
                env=env, capture_output=True, text=True, timeout=60, check=False,
            )  # fmt: skip
            assert again.returncode == 0, again.stderr
            deadline = time.monotonic() + 10
            while not _visible_windows(env, "HomeAgent") and time.monotonic() < deadline:
                time.sleep(0.2)
            assert _visible_windows(env, "HomeAgent"), "the second start did not raise the window"
        finally:
            if proc.poll() is None:
                proc.send_signal(signal.SIGINT)
            code = proc.wait(30)
        assert code == 0, (tmp_path / "app.log").read_text()[-3000:]
    finally:
        stop(tray)
