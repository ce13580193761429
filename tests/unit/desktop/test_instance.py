"""Single instance: the first start listens, a later one hands its link over; a socket and
a lock left by a crashed desk never block the next start. Each test has its own instance
name and runtime folder (parallel-safe)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import textwrap
import uuid
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication
from PySide6.QtNetwork import QLocalSocket

from homeagent.desktop import instance as inst


@pytest.fixture
def runtime(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    run = tmp_path / "run"
    run.mkdir(mode=0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(run))
    return run


@pytest.fixture
def name() -> str:
    return f"t-{uuid.uuid4().hex[:10]}"


def _second_start(runtime: Path, name: str, link: str) -> subprocess.CompletedProcess[str]:
    """A later start in another process (the lock is per process)."""
    code = textwrap.dedent(f"""
        from PySide6.QtCore import QCoreApplication
        from homeagent.desktop.instance import claim
        app = QCoreApplication([])
        server = claim({name!r}, {link!r})
        print("desk" if server is not None else "handed over")
    """)
    env = dict(os.environ, XDG_RUNTIME_DIR=str(runtime), QT_QPA_PLATFORM="offscreen")
    return subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=30
    )


def test_a_second_start_hands_its_link_to_the_first(qtbot, runtime: Path, name: str) -> None:  # type: ignore[no-untyped-def]
    server = inst.claim(name)
    assert server is not None
    try:
        got: list[str] = []
        server.activated.connect(got.append)
        proc = subprocess.Popen(
            [sys.executable, "-c", textwrap.dedent(f"""
                from PySide6.QtCore import QCoreApplication
                from homeagent.desktop.instance import claim
                app = QCoreApplication([])
                print("desk" if claim({name!r}, "tel:+33612345678") else "handed over")
            """)],
            env=dict(os.environ, XDG_RUNTIME_DIR=str(runtime)),
            stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        qtbot.waitUntil(lambda: got == ["tel:+33612345678"], timeout=45000)
        out, _ = proc.communicate(timeout=45)
        assert out.strip() == "handed over"
        sock = inst.socket_name(name)
        if len(os.fsencode(str(runtime / f"homeagent-0-{name}.sock"))) <= inst.MAX_SOCKET_PATH:
            assert Path(sock).parent == runtime  # per user, private folder
        else:  # too deep for a Unix socket (xdist's folders): the short fallback
            assert Path(sock).parent == Path(tempfile.gettempdir())
    finally:
        server.close()


def test_a_crash_leaves_a_socket_and_a_lock_that_do_not_block(runtime: Path, name: str) -> None:
    # a desk killed with SIGKILL: its socket file and its lock file stay behind
    crashed = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(f"""
            import os, signal
            from PySide6.QtCore import QCoreApplication
            from homeagent.desktop.instance import claim
            app = QCoreApplication([])
            server = claim({name!r})
            assert server is not None
            os.kill(os.getpid(), signal.SIGKILL)
        """)],
        env=dict(os.environ, XDG_RUNTIME_DIR=str(runtime)), timeout=30, check=False,
    )  # fmt: skip
    assert crashed.returncode == -9
    assert Path(inst.socket_name(name)).exists()
    assert inst.lock_path(name).exists()
    result = _second_start(runtime, name, "")
    assert result.stdout.strip() == "desk", result.stderr  # not blocked, not handed to a ghost


def test_a_closed_desk_lets_the_next_start_be_the_desk(runtime: Path, name: str) -> None:
    server = inst.claim(name)
    assert server is not None
    server.close()
    assert _second_start(runtime, name, "").stdout.strip() == "desk"


def test_unreadable_messages_are_dropped(qtbot, runtime: Path, name: str) -> None:  # type: ignore[no-untyped-def]
    server = inst.claim(name)
    assert server is not None
    try:
        got: list[str] = []
        server.activated.connect(got.append)
        for payload in (b"not json\n", json.dumps({"link": 5}).encode() + b"\n", b"[]\n"):
            sock = QLocalSocket()
            sock.connectToServer(server.name)
            assert sock.waitForConnected(2000)
            sock.write(payload)
            sock.waitForBytesWritten(1000)
            qtbot.waitUntil(lambda s=sock: s.bytesAvailable() > 0 or not s.isOpen(), timeout=3000)
            assert bytes(sock.readAll().data()).startswith(b"refused")
            sock.abort()
        QCoreApplication.processEvents()
        assert got == []
    finally:
        server.close()


def test_instance_names_are_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(inst.INSTANCE_ENV, raising=False)
    assert inst.instance_name(None) == "desk"
    monkeypatch.setenv(inst.INSTANCE_ENV, "demo-2")
    assert inst.instance_name(None) == "demo-2"
    assert inst.instance_name("mine") == "mine"
    with pytest.raises(ValueError):
        inst.instance_name("../../etc")


def test_a_deep_runtime_folder_still_gives_a_socket_that_listens(
    qtbot,  # type: ignore[no-untyped-def]
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    name: str,
) -> None:
    """sun_path holds 108 bytes: a deeper path made listening fail (seen under xdist)."""
    deep = tmp_path / ("d" * 60) / ("e" * 40)
    deep.mkdir(parents=True, mode=0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(deep))
    path = inst.socket_name(name)
    assert len(os.fsencode(path)) <= inst.MAX_SOCKET_PATH
    server = inst.claim(name)
    assert server is not None
    try:
        assert server._server.isListening()
        got: list[str] = []
        server.activated.connect(got.append)
        code = (
            "from PySide6.QtCore import QCoreApplication\n"
            "from homeagent.desktop.instance import claim\n"
            "app = QCoreApplication([])\n"
            f"print('desk' if claim({name!r}, 'tel:+33612345678') else 'handed over')\n"
        )
        env = dict(os.environ, XDG_RUNTIME_DIR=str(deep), QT_QPA_PLATFORM="offscreen")
        proc = subprocess.Popen([sys.executable, "-c", code], env=env, stdout=subprocess.PIPE,
                                text=True)  # fmt: skip
        qtbot.waitUntil(lambda: got == ["tel:+33612345678"], timeout=45000)
        out, _ = proc.communicate(timeout=45)
        assert out.strip() == "handed over"
    finally:
        server.close()


def test_a_desk_dropped_after_a_handover_does_not_crash(runtime: Path, name: str) -> None:
    """The handover's socket outliving the server's last reference (a desk closed while
    the later start's connection ends) crashed the process: the socket's handler held the
    server, and deleting the socket deleted the server, which deleted the socket again.
    In its own process: a crash must fail this test, not the test run."""
    code = textwrap.dedent(f"""
        import gc, json
        from PySide6.QtCore import QCoreApplication
        from PySide6.QtNetwork import QLocalSocket
        from homeagent.desktop.instance import claim
        app = QCoreApplication([])
        server = claim({name!r})
        got = []
        server.activated.connect(got.append)
        client = QLocalSocket()
        client.connectToServer(server.name)
        assert client.waitForConnected(2000)
        for _ in range(20):
            app.processEvents()  # the server takes the connection: its handler is made
        gc.collect()  # the handler is the socket's child: no Python reference keeps it
        client.write(json.dumps({{"link": "tel:+33612345678"}}).encode() + b"\\n")
        client.flush()
        while not got:
            app.processEvents()
        server.close()
        del server
        gc.collect()
        client.disconnectFromServer()
        for _ in range(50):
            app.processEvents()
        print("handed over", got)
    """)
    env = dict(os.environ, XDG_RUNTIME_DIR=str(runtime), QT_QPA_PLATFORM="offscreen")
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "handed over ['tel:+33612345678']"
    assert "QObject" not in done.stderr  # "shared QObject was deleted directly"
