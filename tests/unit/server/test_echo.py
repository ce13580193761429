"""The pre-shift echo service's rules, on `EchoService.answer` (no socket needed)."""

from __future__ import annotations

import struct

from homeagent.client.echo_probe import build_probe
from homeagent.server.echo import (
    PACKET_BYTES,
    EchoLimits,
    EchoService,
    check_token,
    echo_key,
    mint_token,
)

NOW = 1_800_000_000.0


def _service(**limits: float) -> EchoService:
    return EchoService("secret", limits=EchoLimits(**limits), wall=lambda: NOW)  # type: ignore[arg-type]


def _probe(svc: EchoService, seq: int = 0, token: bytes | None = None) -> bytes:
    return build_probe(token or svc.new_token(), seq, seq * 160, 0x1234, 42)


def test_a_good_probe_comes_back_the_same_size_with_the_server_s_stamp() -> None:
    svc = _service()
    probe = _probe(svc)
    echo = svc.answer(probe, "192.0.2.7", 0.0)
    assert echo is not None
    assert len(echo) == len(probe) == PACKET_BYTES  # never larger: no amplification
    assert echo[:12] == probe[:12]  # the RTP header as sent
    assert echo[12 + 5] == 1  # kind: echo
    assert echo[20:56] == probe[20:56]  # token and our send time unchanged
    (_, count) = struct.unpack_from("!QI", echo, 56)
    assert count == 1
    assert svc.stats.echoed == 1


def test_untokened_forged_expired_and_malformed_probes_get_nothing() -> None:
    svc = _service()
    good = _probe(svc)
    forged = bytearray(good)
    forged[40] ^= 0xFF  # one bit of the MAC
    other_key = mint_token(echo_key("another server"), now_s=NOW)
    expired = mint_token(echo_key("secret"), now_s=NOW - 3600, ttl_s=120)
    cases = {
        "no token": build_probe(b"\0" * 28, 0, 0, 1, 0),
        "forged": bytes(forged),
        "another server's": _probe(svc, token=other_key),
        "expired": _probe(svc, token=expired),
        "oversized": good + b"\0" * 100,
        "undersized": good[:100],
        "huge": b"\x80\x09" + b"\0" * 1400,
        "not RTP": b"\x00" + good[1:],
        "another payload type": good[:1] + b"\x00" + good[2:],
        "an echo sent back": good[:17] + b"\x01" + good[18:],
        "empty": b"",
    }
    for name, data in cases.items():
        assert svc.answer(data, "192.0.2.7", 0.0) is None, name
    assert svc.stats.echoed == 0
    assert svc.stats.bad_token == 4
    assert svc.stats.malformed == len(cases) - 4
    assert not check_token(echo_key("secret"), expired, NOW)


def test_each_token_is_answered_a_bounded_number_of_times() -> None:
    svc = _service(max_packets=5, per_token_pps=1e6, per_token_burst=1e6)
    token = svc.new_token()
    answers = [svc.answer(_probe(svc, i, token), "192.0.2.7", i * 0.02) for i in range(8)]
    assert [a is not None for a in answers] == [True] * 5 + [False] * 3
    assert svc.stats.over_budget == 3


def test_each_source_is_rate_limited_and_the_tables_stay_bounded() -> None:
    svc = _service(per_source_pps=50, per_source_burst=10, max_sources=100, max_tokens=100)
    token = svc.new_token()
    # 100 probes in 0.1 s from one address: the burst (10) and the rate (~5 more) pass
    passed = sum(
        svc.answer(_probe(svc, i, token), "192.0.2.7", i * 0.001) is not None for i in range(100)
    )
    assert 10 <= passed <= 16
    assert svc.stats.rate_limited == 100 - passed
    # another address is not held back by the first one
    assert svc.answer(_probe(svc, 0), "192.0.2.8", 0.1) is not None
    for i in range(1000):  # many sources and tokens: memory stays bounded
        svc.answer(_probe(svc, 0), f"10.0.{i // 250}.{i % 250}", 1.0 + i)
    assert len(svc._sources) <= 100
    assert len(svc._counts) <= 100


def test_each_token_is_held_to_a_call_s_rate_twice_over() -> None:
    """150 a second per token (the test's burst is 100 a second), however many sources."""
    svc = _service()
    token = svc.new_token()
    passed = sum(
        svc.answer(_probe(svc, i, token), f"10.2.0.{i % 200}", 0.5 + i / 1000) is not None
        for i in range(1000)
    )  # 1,000 in one second: the bucket (150) and one second's refill (150)
    assert 280 <= passed <= 310
    # 100 a second for 2 s, the check's own burst, passes whole
    svc2 = _service()
    t2 = svc2.new_token()
    assert all(
        svc2.answer(_probe(svc2, i, t2), "192.0.2.9", i / 100) is not None for i in range(200)
    )


def test_desks_behind_one_nat_can_check_at_the_same_time() -> None:
    svc = _service()
    tokens = [svc.new_token() for _ in range(30)]  # 30 desks, one public address
    answered = 0
    for n in range(100):  # 2 s at 50 a second each: 1,500 probes a second from one address
        for token in tokens:
            answered += svc.answer(_probe(svc, n, token), "198.51.100.1", n / 50) is not None
    assert answered == 30 * 100


def test_the_whole_service_has_a_ceiling() -> None:
    svc = _service(per_source_pps=1e6, per_source_burst=1e6, total_pps=20)  # many sources
    passed = sum(svc.answer(_probe(svc), f"10.1.0.{i}", i * 0.001) is not None for i in range(200))
    assert passed <= 25
