"""Slow and crowding clients are cut off; X-Forwarded-For is believed from proxies only."""

from __future__ import annotations

import contextlib
import socket
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import httpx
import pytest

from tests.integration.server.conftest import Server, tuned_server
from tests.integration.server.launch import API

HEADER_TIMEOUT_S = 0.5
BODY_TIMEOUT_S = 0.5
MAX_CONNECTIONS = 8
ADDRESS_LIMIT = 3


@pytest.fixture(scope="module")
def server(db_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    yield from tuned_server(
        db_url,
        tmp_path_factory,
        "--header-timeout-s", str(HEADER_TIMEOUT_S),
        "--body-timeout-s", str(BODY_TIMEOUT_S),
        "--max-connections", str(MAX_CONNECTIONS),
        "--login-address-limit", str(ADDRESS_LIMIT),
    )  # fmt: skip


def _connect(server: Server) -> socket.socket:
    parts = urlsplit(server.url)
    sock = socket.create_connection((parts.hostname or "", parts.port or 80), timeout=5)
    return sock


def _closed_within(sock: socket.socket, seconds: float) -> tuple[bool, bytes]:
    """Read until the server closes; (closed in time, what it sent)."""
    sock.settimeout(seconds)
    got = b""
    try:
        while chunk := sock.recv(4096):
            got += chunk
    except TimeoutError:
        return False, got
    except ConnectionResetError:
        pass
    return True, got


def test_a_half_sent_request_head_is_cut_off(server: Server) -> None:
    with _connect(server) as sock:
        sock.sendall(b"GET " + API.encode() + b"/health HTTP/1.1\r\nHost: x\r\n")
        start = time.monotonic()
        closed, _ = _closed_within(sock, 5)
        assert closed
        assert time.monotonic() - start < HEADER_TIMEOUT_S + 2


def test_a_silent_connection_is_cut_off(server: Server) -> None:
    with _connect(server) as sock:
        closed, got = _closed_within(sock, 5)
        assert closed
        assert got == b""


def test_a_body_that_trickles_is_408(server: Server) -> None:
    with _connect(server) as sock:
        head = (
            f"POST {API}/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            "Content-Length: 100\r\n\r\n"
        )
        sock.sendall(head.encode() + b'{"username": ')
        closed, got = _closed_within(sock, 5)
        assert closed
        assert got.startswith(b"HTTP/1.1 408"), got[:100]


def test_connections_past_the_cap_are_refused_until_others_close(server: Server) -> None:
    with contextlib.ExitStack() as stack:
        held = [stack.enter_context(_connect(server)) for _ in range(MAX_CONNECTIONS)]
        time.sleep(0.1)
        with _connect(server) as extra:
            extra.sendall(b"GET " + API.encode() + b"/health HTTP/1.1\r\nHost: x\r\n\r\n")
            closed, got = _closed_within(extra, 2)
            assert closed
            assert b"200 OK" not in got
        assert held
    # the held ones are gone: the server answers again
    for _ in range(50):
        try:
            if httpx.get(f"{server.url}{API}/health", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.1)
    else:
        pytest.fail("the server did not answer after the connections closed")


def test_x_forwarded_for_from_loopback_does_not_dodge_the_address_limit(server: Server) -> None:
    codes = []
    for i in range(ADDRESS_LIMIT + 2):
        r = httpx.post(
            f"{server.url}{API}/auth/login",
            json={"username": f"essai{i}", "password": "faux-mot-de-passe", "device_name": "x"},
            headers={"X-Forwarded-For": f"203.0.113.{i + 1}"},
        )
        codes.append(r.status_code)
    assert codes[-1] == 429, codes
