"""pjsip's log lines: levels, one line, no packet, masked numbers, rate-limited, never raises."""

from __future__ import annotations

import logging

import pytest

from homeagent.sip.pjlog import PjsipLogFilter, py_level

PACKET_ERROR = (
    "Error processing packet from 127.0.0.1:5555: Missing required header(s) Call-ID "
    '[code 171050]:\nINVITE sip:1001@127.0.0.1 SIP/2.0\r\nFrom: "Jean Dupont" '
    "<sip:+33612345678@x>;tag=1\r\n\r\n-- end of packet."
)


class Clock:
    def __init__(self) -> None:
        self.now_s = 100.0

    def __call__(self) -> float:
        return self.now_s


@pytest.fixture
def logger() -> logging.Logger:
    lg = logging.getLogger("test.pjlog")
    lg.setLevel(logging.DEBUG)
    return lg


def test_levels_are_mapped() -> None:
    assert [py_level(n) for n in (0, 1, 2, 3, 4, 5, 6)] == [
        logging.ERROR, logging.ERROR, logging.WARNING, logging.INFO,
        logging.DEBUG, logging.DEBUG, logging.DEBUG,
    ]  # fmt: skip


def test_a_packet_dump_keeps_only_its_first_line(logger, caplog) -> None:  # type: ignore[no-untyped-def]
    f = PjsipLogFilter(logger)
    with caplog.at_level(logging.DEBUG, logger="test.pjlog"):
        f.write(1, PACKET_ERROR)
        f.write(3, "  [EARLY] To: <sip:+331000002042@127.0.0.1>;tag=t2042\r\n    Call time: 0")
        f.write(4, "INVITE sip:1001@127.0.0.1 SIP/2.0")  # a bare message line: dropped
    lines = [(r.levelno, r.getMessage()) for r in caplog.records]
    assert lines == [
        (logging.ERROR, "Error processing packet from 127.0.0.1:5555: Missing required "
                        "header(s) Call-ID [code 171050] [packet not logged]"),
        (logging.INFO, "  [EARLY] To: <sip:+*********042@127.0.0.1>;tag=t2042 [packet not logged]"),
    ]  # fmt: skip


def test_credentials_are_redacted_even_in_a_trace(logger, caplog) -> None:  # type: ignore[no-untyped-def]
    f = PjsipLogFilter(logger, sip_trace=True)
    with caplog.at_level(logging.DEBUG, logger="test.pjlog"):
        f.write(4, 'REGISTER sip:x SIP/2.0\r\nAuthorization: Digest response="abc"\r\nTo: <sip:1>')
    text = caplog.records[0].getMessage()
    assert "REGISTER sip:x" in text  # the trace keeps the message
    assert "abc" not in text
    assert "[redacted" in text


def test_the_supervision_token_is_redacted_even_in_a_trace(logger, caplog) -> None:  # type: ignore[no-untyped-def]
    token = "Zq3" * 14 + "x"
    f = PjsipLogFilter(logger, sip_trace=True)
    with caplog.at_level(logging.DEBUG, logger="test.pjlog"):
        f.write(4, f"INVITE sip:lead@x SIP/2.0\r\nX-HomeAgent-Supervision: {token}\r\nTo: <sip:1>")
    text = caplog.records[0].getMessage()
    assert "INVITE sip:lead@x" in text
    assert token not in text
    assert "[redacted" in text


def test_rate_limit_per_level_with_a_summary(logger, caplog) -> None:  # type: ignore[no-untyped-def]
    clock = Clock()
    f = PjsipLogFilter(logger, burst=5, per_s=1.0, clock=clock)
    with caplog.at_level(logging.DEBUG, logger="test.pjlog"):
        for i in range(100):
            f.write(1, f"error {i}")
        f.write(2, "a warning has its own budget")
        clock.now_s += 2.0
        f.write(1, "error after the pause")
        for i in range(10):
            f.write(1, f"more {i}")
        f.flush()
    messages = [r.getMessage() for r in caplog.records]
    assert messages[:5] == [f"error {i}" for i in range(5)]
    assert "a warning has its own budget" in messages
    assert "pjsip: 95 ERROR lines suppressed (rate limit)" in messages
    assert messages[messages.index("pjsip: 95 ERROR lines suppressed (rate limit)") + 1] == (
        "error after the pause"
    )
    assert messages[-1] == "pjsip: 9 ERROR lines suppressed (rate limit)"  # flushed
    assert f.written == 5 + 1 + 2
    assert len(messages) <= 12


def test_write_never_raises(logger) -> None:  # type: ignore[no-untyped-def]
    class Broken(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            raise RuntimeError("handler broke")

        def handleError(self, record: logging.LogRecord) -> None:
            raise RuntimeError("and so did its error handling")

    handler = Broken()
    logger.addHandler(handler)
    try:
        f = PjsipLogFilter(logger)
        f.write(1, "Fran\udce7ais \ud800")  # surrogates from SWIG, a failing handler
        f.write("x", None)  # type: ignore[arg-type]  # garbage from a binding
        f.flush()
    finally:
        logger.removeHandler(handler)


@pytest.mark.parametrize("trace", [False, True], ids=["default", "sip-trace"])
def test_endpoint_log_config(trace: bool) -> None:
    from homeagent.core.sip_config import EngineConfig
    from homeagent.sip.endpoint import PythonLogWriter, endpoint_config

    writer = PythonLogWriter()
    lc = endpoint_config(EngineConfig(log_level=5, sip_trace=trace), writer, 4).logConfig
    assert lc.msgLogging == (1 if trace else 0)
    assert lc.level == (5 if trace else 3)
    assert lc.consoleLevel == lc.level
    assert lc.decor == 0
