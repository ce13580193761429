"""The pre-shift check's network lines, run against the server within a fixed budget.

`NetworkCheck(api, api_host).run()` gives the `server`, `echo`, `bandwidth` and `clock`
lines (`homeagent.core.preshift.Item`) in at most `budget_s` (default 14 s: health 3 ×
≤ 1.5 s, the echo session ≤ 3 s, the echo test 11 s — but a dead server ends after the
first health attempt). The SIP, microphone, headset and ringer lines come from the
caller (the desk knows its registration; `homeagent diagnose` registers once).
`save_report` writes `<data dir>/last-check.json` (0600) and `post_report` sends the
result to the server (POST /agents/me/network-check). Runs on a worker thread.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from homeagent.client.echo_probe import (
    EchoResult,
    EchoSessionError,
    ProbePlan,
    parse_echo_session,
    run_echo,
)
from homeagent.client.errors import ApiError, ServerUnreachable
from homeagent.core import preshift as ps

log = logging.getLogger(__name__)

LAST_CHECK_FILE = "last-check.json"
HEALTH_TIMEOUT_S = 1.5
SESSION_TIMEOUT_S = 3.0
SESSION_RETRY_S = 5.0  # the server hands one echo session per user every 5 s
HEALTH_TRIES = 3


class ProbeApi(Protocol):
    """What the check needs of `homeagent.client.server.ServerClient`."""

    def probe(
        self, method: str, path: str, body: Any = None, *, timeout_s: float, auth: bool = True
    ) -> Any: ...


Progress = Callable[[ps.Item], None]


class NetworkCheck:
    """The network lines of one check (see the module docstring). One use."""

    def __init__(
        self,
        api: ProbeApi,
        api_host: str,
        *,
        plan: ProbePlan | None = None,
        cancel: threading.Event | None = None,
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    ) -> None:
        self.api = api
        self.api_host = api_host
        self.plan = plan or ProbePlan()
        self.cancel = cancel or threading.Event()
        self._clock = clock
        self._wall = wall
        self.echo_result: EchoResult | None = None

    def run(self, progress: Progress | None = None) -> list[ps.Item]:
        """Every network line, in order; `progress(item)` after each (worker thread)."""
        items: list[ps.Item] = []

        def done(item: ps.Item) -> None:
            items.append(item)
            if progress is not None:
                progress(item)

        latency_ms = self._server_latency_ms()
        done(ps.judge_server(latency_ms))
        if latency_ms is None:
            done(ps.Item(ps.ItemId.ECHO, ps.Level.RED, ps.Advice.SERVER_DOWN))
            done(ps.Item(ps.ItemId.BANDWIDTH, ps.Level.RED, ps.Advice.SERVER_DOWN))
            done(ps.judge_clock(None))
            return items
        try:
            answer, sent_at, rtt_s = self._echo_session()
            session = parse_echo_session(answer, self.api_host)
        except ApiError as exc:
            log.warning("pre-shift check: no echo session: %s", exc)
            done(ps.judge_echo(None, available=False))
            done(ps.Item(ps.ItemId.BANDWIDTH, ps.Level.AMBER, ps.Advice.ECHO_UNAVAILABLE))
            done(ps.judge_clock(None))
            return items
        except (ServerUnreachable, EchoSessionError) as exc:
            log.warning("pre-shift check: echo session failed: %s", exc)
            done(ps.Item(ps.ItemId.ECHO, ps.Level.RED, ps.Advice.SERVER_DOWN))
            done(ps.Item(ps.ItemId.BANDWIDTH, ps.Level.RED, ps.Advice.SERVER_DOWN))
            done(ps.judge_clock(None))
            return items
        offset_s = ps.clock_offset_s(session.server_time, sent_at, rtt_s)
        try:
            result = run_echo(session, self.plan, cancel=self.cancel, clock=self._clock)
        except OSError as exc:
            log.warning("pre-shift check: echo test could not send: %s", exc)
            result = None
        self.echo_result = result
        steady = result.steady if result is not None else None
        done(ps.judge_echo(steady))
        done(ps.judge_bandwidth(result.burst if result else None, steady))
        done(ps.judge_clock(offset_s))
        return items

    def _echo_session(self) -> tuple[Any, dt.datetime, float]:
        """The echo token (its answer, when it was asked, the round trip). A check run
        again at once (the window closed and opened) may be told to wait: it waits once,
        at most `SESSION_RETRY_S`, then asks again."""
        for attempt in (1, 2):
            sent_at, t0 = self._wall(), self._clock()
            try:
                answer = self.api.probe(
                    "POST", "/network-check/echo-session", timeout_s=SESSION_TIMEOUT_S
                )
            except ApiError as exc:
                if exc.status != 429 or attempt == 2 or self.cancel.wait(SESSION_RETRY_S):
                    raise
                continue
            return answer, sent_at, self._clock() - t0
        raise AssertionError("unreachable")

    def _server_latency_ms(self) -> float | None:
        """The best of three health round trips; None when the first gets no answer."""
        times: list[float] = []
        for _ in range(HEALTH_TRIES):
            if self.cancel.is_set():
                break
            t0 = self._clock()
            try:
                self.api.probe("GET", "/health", timeout_s=HEALTH_TIMEOUT_S, auth=False)
            except (ServerUnreachable, ApiError) as exc:
                log.warning("pre-shift check: health failed: %s", exc)
                if not times:
                    return None
                break
            times.append((self._clock() - t0) * 1000)
        return round(min(times), 1) if times else None


def save_report(report: ps.CheckReport, data_dir: Path) -> Path:
    """Write `<data_dir>/last-check.json` atomically, owner-only (0600)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / LAST_CHECK_FILE
    tmp = path.with_suffix(".json.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(report.dumps())
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)
    return path


def load_report(data_dir: Path) -> ps.CheckReport | None:
    """The last saved check, or None (no file, or one that cannot be read: logged)."""
    path = data_dir / LAST_CHECK_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        log.warning("last check %s unreadable: %s", path, exc)
        return None
    try:
        return ps.parse_report(text)
    except ps.MalformedReport as exc:
        log.warning("last check %s ignored: %s", path, exc)
        return None


def report_body(report: ps.CheckReport) -> dict[str, Any]:
    """POST /agents/me/network-check's body."""
    net = report.network() or {}

    def fig(key: str, low: float, high: float) -> float | None:
        value = net.get(key)
        return None if value is None else min(max(float(value), low), high)

    return {
        "level": report.level.value,
        "mos_g722": fig("mos_g722", 1.0, 4.5),
        "mos_pcma": fig("mos_pcma", 1.0, 4.5),
        "loss_pct": fig("loss_pct", 0.0, 100.0),
        "jitter_ms": fig("jitter_ms", 0.0, 60000.0),
        "rtt_ms": fig("rtt_ms", 0.0, 60000.0),
        "items": [
            {"id": i.id.value, "level": i.level.value, "advice": i.advice.value}
            for i in report.items
        ],
    }


def post_report(api: ProbeApi, report: ps.CheckReport, timeout_s: float = 5.0) -> bool:
    """Send the result; False (logged) when the server did not take it."""
    try:
        api.probe("POST", "/agents/me/network-check", report_body(report), timeout_s=timeout_s)
    except (ApiError, ServerUnreachable) as exc:
        log.warning("pre-shift check result not sent: %s", exc)
        return False
    return True
