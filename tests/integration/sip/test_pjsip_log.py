"""pjsip's own log under hostile input: bounded, one line per entry, no packet in it.

Regression: with message logging off, a night of malformed traffic wrote ~3,600 pjsip error
lines, 112 of them whole copies of the malformed packets (callers' numbers and names in a
support log). The torture set is sent at a real engine, three times over.
"""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Iterator

import pytest

from homeagent.core import commands as cmd
from homeagent.core.events import CallRinging
from homeagent.core.sip_config import EngineConfig
from tests.helpers.kamailio import Kamailio
from tests.integration.sip.conftest import EngineRunner, account_for
from tests.integration.sip.torture_messages import MESSAGES, render

pytestmark = pytest.mark.integration

ROUNDS = 3
BURST, PER_S = 20, 0.1  # PjsipLogFilter's defaults
# what the packets carry and a support log must not: callers' numbers, call ids, text
LEAKS = ("+331000", "33100000", "torture-", "pick up", "evil@x", "Subject:", "From:")


class Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def pjsip_lines() -> Iterator[Lines]:
    handler = Lines()
    logger = logging.getLogger("homeagent.sip.pjsip")
    old_level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    yield handler
    logger.removeHandler(handler)
    logger.setLevel(old_level)


def _torture(port: int, rounds: int, engine, events) -> int:  # type: ignore[no-untyped-def]
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    lport = sock.getsockname()[1]
    sent = 0
    hung_up: set[int] = set()
    try:
        for r in range(rounds):
            for i, (name, template) in enumerate(MESSAGES):
                n = r * 1000 + i
                data = render(name, template, host="127.0.0.1", port=port,
                              lhost="127.0.0.1", lport=lport, n=n)  # fmt: skip
                sock.sendto(data, ("127.0.0.1", port))
                sent += 1
                time.sleep(0.03)
                for ev in events.all(CallRinging):
                    if ev.call_id not in hung_up:
                        hung_up.add(ev.call_id)
                        engine.submit(cmd.Hangup(ev.call_id))
    finally:
        sock.close()
    return sent


@pytest.mark.parametrize("log_level", [1, 3], ids=["level-1", "level-3"])
def test_pjsip_log_is_bounded_single_line_and_free_of_packets(
    kamailio: Kamailio,
    engines: EngineRunner,
    pjsip_lines: Lines,
    capfd: pytest.CaptureFixture[str],
    log_level: int,
) -> None:
    started = time.monotonic()
    engine, events = engines.start(
        account_for(kamailio, "1001"), EngineConfig(log_level=log_level, ring_timeout_s=1.0)
    )
    sent = _torture(engine.local_port, ROUNDS, engine, events)
    time.sleep(1.5)
    engine.stop(timeout_s=8)  # the lines written while pjsip shuts down count too
    took_s = time.monotonic() - started
    assert sent == ROUNDS * len(MESSAGES)
    assert events.all(CallRinging), "the baseline INVITEs rang: the parser really ran"
    lines = [r.getMessage() for r in pjsip_lines.records]
    # per level: the burst, the refill over the run, as many summaries, the final flush
    per_level = BURST + 2 * (int(took_s * PER_S) + 1) + 1
    for level in {r.levelno for r in pjsip_lines.records}:
        count = sum(1 for r in pjsip_lines.records if r.levelno == level)
        assert count <= per_level, f"{count} pjsip lines at {level} in {took_s:.1f} s: {lines[-5:]}"
    assert len(lines) <= 4 * per_level
    for line in lines:
        assert "\n" not in line, f"multi-line pjsip entry: {line[:300]!r}"
        for leak in LEAKS:
            assert leak not in line, f"{leak!r} leaked into the log: {line[:300]!r}"
    out, err = capfd.readouterr()
    assert out == "", out[-2000:]
    assert err == "", err[-2000:]
