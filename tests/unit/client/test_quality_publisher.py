"""Call-quality posts: off the caller's thread, never blocking it, paced to 1 a second,
dropped (not queued) while the server is away."""

from __future__ import annotations

import threading
import time
from typing import Any

from homeagent.client.errors import ApiError, ServerUnreachable
from homeagent.client.quality import QualityPublisher
from homeagent.core.call_quality import QUALITY_PATH, QualityPacer, QualitySample


def _s(mos: float, final: bool = False, call: str = "c1") -> QualitySample:
    return QualitySample(call, mos, 0.0, 0.0, 0.0, final)


class Server:
    def __init__(self) -> None:
        self.posts: list[tuple[float, dict[str, Any]]] = []
        self.fail: Exception | None = None
        self.gate = threading.Event()
        self.gate.set()
        self.entered = threading.Event()  # a post reached the server
        self.lock = threading.Lock()

    def post(self, path: str, body: Any = None, *, idempotency_key: str | None = None) -> Any:
        assert path == QUALITY_PATH
        assert idempotency_key is None  # a sample is never replayed
        self.entered.set()
        self.gate.wait(10)
        with self.lock:
            self.posts.append((time.monotonic(), body))
            if self.fail is not None:
                raise self.fail
        return None


def _wait(predicate: Any, timeout_s: float = 5.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_publish_never_blocks_and_only_the_newest_waiting_sample_goes() -> None:
    server = Server()
    server.gate.clear()  # the server stalls
    pub = QualityPublisher(server, pacer=QualityPacer(min_interval_s=0.2))
    pub.start()
    try:
        pub.publish(_s(4.0))
        _wait(server.entered.is_set)  # its post hangs
        started = time.monotonic()
        for mos in (3.9, 3.8, 3.7):  # the caller (the GUI thread) goes on at once
            pub.publish(_s(mos))
        assert time.monotonic() - started < 0.05
        server.gate.set()
        _wait(lambda: len(server.posts) == 2)
        time.sleep(0.3)
        assert [b["mos"] for _t, b in server.posts] == [4.0, 3.7]  # 3.9 and 3.8: replaced
    finally:
        pub.stop()


def test_posts_are_paced_and_the_final_always_goes() -> None:
    server = Server()
    pub = QualityPublisher(server, pacer=QualityPacer(min_interval_s=0.25))
    pub.start()
    try:
        pub.publish(_s(4.0))
        _wait(lambda: len(server.posts) == 1)
        pub.publish(_s(3.0, final=True))
        _wait(lambda: len(server.posts) == 2)
        (t1, _), (t2, last) = server.posts
        assert t2 - t1 >= 0.24
        assert last["final"] is True
    finally:
        pub.stop()


def test_a_sample_is_dropped_while_the_server_is_away() -> None:
    server = Server()
    server.fail = ServerUnreachable("no route")
    pub = QualityPublisher(server, pacer=QualityPacer(min_interval_s=0.05))
    pub.start()
    try:
        pub.publish(_s(4.0))
        _wait(lambda: pub.failed == 1)
        server.fail = None
        pub.publish(_s(4.1))
        _wait(lambda: pub.sent == 1)
        time.sleep(0.2)
        assert [b["mos"] for _t, b in server.posts] == [4.0, 4.1]  # 4.0 tried once, never again
    finally:
        pub.stop()


def test_a_final_refused_as_too_soon_is_tried_once_more() -> None:
    server = Server()
    server.fail = ApiError(429, "rate_limited", "1 a second")
    pub = QualityPublisher(server, pacer=QualityPacer(min_interval_s=0.05))
    pub.start()
    try:
        pub.publish(_s(3.0, final=True))
        _wait(lambda: len(server.posts) == 2)
        time.sleep(0.2)
        assert len(server.posts) == 2  # once more, then dropped
        assert pub.failed == 1
    finally:
        pub.stop()
