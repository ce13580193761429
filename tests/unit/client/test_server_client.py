"""ServerClient against a scripted local HTTP server: typed reads, error shapes (and the
scripted server the client tests share; the transport's own tests are in test_transport)."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from homeagent.client.errors import (
    ApiError,
    AuthenticationFailed,
    MalformedPayload,
)
from homeagent.client.server import ServerClient


class Script:
    """Answers per (method, path): a list of (status, body) consumed in order."""

    def __init__(self) -> None:
        self.answers: dict[tuple[str, str], list[tuple[int, Any]]] = {}
        self.seen: list[tuple[str, str, dict[str, str], Any]] = []
        self.lock = threading.Lock()

    def on(self, method: str, path: str, *answers: tuple[int, Any]) -> None:
        self.answers[(method, path)] = list(answers)

    def count(self, method: str, path: str) -> int:
        return sum(1 for m, p, _, _ in self.seen if (m, p) == (method, path))


@pytest.fixture
def script() -> Iterator[tuple[Script, str]]:
    sc = Script()

    class Handler(BaseHTTPRequestHandler):
        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            path = self.path.split("?")[0].removeprefix("/api/v1")
            with sc.lock:
                sc.seen.append(
                    (self.command, path, dict(self.headers), json.loads(raw) if raw else None)
                )
                queue = sc.answers.get((self.command, path)) or [(404, {})]
                status, body = queue.pop(0) if len(queue) > 1 else queue[0]
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

        def log_message(self, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield sc, f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


class Tokens:
    def __init__(self, token: str | None = "r0") -> None:
        self.token = token

    def get_refresh_token(self) -> str | None:
        return self.token

    def set_refresh_token(self, value: str) -> None:
        self.token = value


def tokens_body(n: int) -> dict[str, Any]:
    return {"access_token": f"a{n}", "refresh_token": f"r{n}", "expires_in_s": 900}


def err(code: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": code.replace("_", " ")}}


def make(url: str, tokens: Tokens | None = None) -> ServerClient:
    return ServerClient(url, tokens or Tokens(), backoff_s=0.01, max_backoff_s=0.02)


def test_client_errors_carry_code_and_message(script: tuple[Script, str]) -> None:
    sc, url = script
    sc.on("POST", "/auth/refresh", (200, tokens_body(1)))
    sc.on("PATCH", "/callbacks/x", (409, err("conflict")))
    sc.on("GET", "/contacts/lookup", (404, err("not_found")))
    client = make(url)
    with pytest.raises(ApiError) as info:
        client.patch("/callbacks/x", {"status": "done"}, idempotency_key="k")
    assert (info.value.status, info.value.code, info.value.permanent) == (409, "conflict", True)
    assert client.lookup_contact("+33123456789") is None
    client.close()


def test_only_idempotency_in_progress_makes_a_409_worth_retrying() -> None:
    assert ApiError(409, "conflict", "x").permanent
    assert ApiError(409, "invalid_transition", "x").permanent
    assert not ApiError(409, "idempotency_in_progress", "x").permanent
    assert not AuthenticationFailed(401, "invalid_refresh_token", "x").permanent
    assert ApiError(403, "forbidden", "x").permanent
    assert not any(ApiError(s, "x", "x").permanent for s in (408, 425, 429, 500, 503))


def test_typed_reads_refuse_a_malformed_answer_and_log_it(
    script: tuple[Script, str], caplog: pytest.LogCaptureFixture
) -> None:
    import datetime as dt

    sc, url = script
    sc.on("POST", "/auth/refresh", (200, tokens_body(1)))
    figures = {
        "day": "2026-11-24",
        "calls_handled": 3,
        "missed": 0,
        "declined": 0,
        "talk_s": 510,
        "wrap_up_s": 90,
        "handle_s": 600,
        "avg_handle_s": 200,
        "avg_wrap_up_s": 30,
        "breaks": {"count": 1, "duration_s": 300},
    }
    sc.on("GET", "/figures/agents/a1", (200, figures), (200, {**figures, "missed": None}))
    sc.on("GET", "/callbacks", (200, [{"id": "cb1", "due_at": "soon"}]))
    client = make(url)
    assert client.read_figures("a1", dt.date(2026, 11, 24)).calls_handled == 3
    with (
        caplog.at_level(logging.WARNING, logger="homeagent.client.server"),
        pytest.raises(MalformedPayload, match=r"^GET /figures/agents/\{id\}: missed: "),
    ):
        client.read_figures("a1", dt.date(2026, 11, 24))
    assert "missed" in caplog.text
    with pytest.raises(MalformedPayload) as info:
        client.read_callbacks()
    assert info.value.field == "[0].contact_id"  # the first field it lacks, in schema order
    with pytest.raises(ValueError, match="timezone"):
        client.read_callbacks(due_before=dt.datetime(2026, 11, 24, 23, 59))
    client.close()
