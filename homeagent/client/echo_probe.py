"""The pre-shift check's network measurement: RTP-sized probes to the server's echo service.

`run_echo(session, plan)` sends real RTP-sized packets (12-byte header + 160-byte payload,
what G.722 or PCMA send every 20 ms) at 50 a second for `plan.steady_s`, then a burst at
twice that rate (twice a call's bitrate: the bandwidth test) for `plan.burst_s`, and
waits `plan.tail_s` for the last echoes. It blocks the calling thread for about
steady_s + burst_s + tail_s (10 s by default) and never longer: it runs on a worker
thread (never the GUI's) and can be cancelled.

What it measures (the wire format: `homeagent.server.echo`, docs/api.md "Echo protocol"):
- round-trip loss (a probe whose echo is not back within `tail_s` of the end, or later
  than `late_s`, is lost), and per direction: the server writes how many probes of the
  token it has received into each echo, so upstream loss is 1 − received/sent at the
  server, downstream the rest;
- jitter per direction, RFC 3550 (`core.preshift.interarrival_jitter`): upstream from our
  send times against the server's receive times, downstream from the server's receive
  times against ours (clock offsets cancel: only differences count);
- the median round trip; BurstR of the loss pattern.
"""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import datetime as dt
import os
import select
import socket
import statistics
import struct
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from homeagent.core.preshift import BurstFigures, EchoFigures, burst_ratio, interarrival_jitter

RTP_HEADER_BYTES = 12
PAYLOAD_BYTES = 160
PACKET_BYTES = RTP_HEADER_BYTES + PAYLOAD_BYTES
IP_UDP_BYTES = 28  # IPv4 + UDP headers, for the bitrate figure
MAGIC = b"HAEP"
VERSION = 1
TOKEN_BYTES = 28
TOKEN_AT = RTP_HEADER_BYTES + 8
SENT_AT = TOKEN_AT + TOKEN_BYTES
SERVER_RX_AT = SENT_AT + 8
COUNT_AT = SERVER_RX_AT + 8
PT_G722 = 9


class EchoSessionError(ValueError):
    """The server's echo-session answer could not be read (what was wrong is said)."""


@dataclass(frozen=True, slots=True)
class EchoSession:
    """Where and with what token to send probes (POST /network-check/echo-session)."""

    token: bytes
    host: str
    port: int
    max_packets: int
    max_pps: float
    server_time: dt.datetime


def parse_echo_session(obj: object, api_host: str) -> EchoSession:
    """The route's answer as a typed record; `host` "" means the API's own host."""
    if not isinstance(obj, Mapping):
        raise EchoSessionError("echo session: expected an object")
    try:
        raw = str(obj["token"])
        token = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4))
        port = int(obj["port"])
        host = str(obj.get("host") or "") or api_host
        max_packets = int(obj["max_packets"])
        max_pps = float(obj["max_pps"])
        server_time = dt.datetime.fromisoformat(str(obj["server_time"]).replace("Z", "+00:00"))
    except (KeyError, TypeError, ValueError) as exc:
        raise EchoSessionError(f"echo session: bad field ({exc})") from None
    if (
        len(token) != TOKEN_BYTES
        or not 0 < port < 65536
        or int(obj["packet_bytes"]) != PACKET_BYTES
    ):
        raise EchoSessionError("echo session: token, port or packet size out of range")
    if server_time.tzinfo is None:
        server_time = server_time.replace(tzinfo=dt.UTC)
    return EchoSession(token, host, port, max_packets, max_pps, server_time)


@dataclass(frozen=True, slots=True)
class ProbePlan:
    """How long and how fast (defaults: 8 s at 50/s, 2 s at 100/s, 1 s for the last)."""

    steady_s: float = 8.0
    steady_pps: int = 50
    burst_s: float = 2.0
    burst_pps: int = 100
    tail_s: float = 1.0
    late_s: float = 1.0  # an echo later than this is counted lost (useless for a call)

    @property
    def total_s(self) -> float:
        return self.steady_s + self.burst_s + self.tail_s


@dataclass(frozen=True, slots=True)
class EchoResult:
    steady: EchoFigures
    burst: BurstFigures | None  # None when the plan has no burst


@dataclass
class _Probe:
    phase: int  # 0 steady, 1 burst
    sent_s: float
    rx_s: float | None = None
    server_rx_s: float | None = None
    count: int = 0


def build_probe(token: bytes, seq: int, timestamp: int, ssrc: int, sent_ns: int) -> bytes:
    """One probe: an RTP header (G.722, marker on the first) and the echo payload."""
    header = struct.pack(
        "!BBHII", 0x80, (0x80 if seq == 0 else 0) | PT_G722, seq & 0xFFFF, timestamp, ssrc
    )
    payload = bytearray(PAYLOAD_BYTES)
    payload[0:4] = MAGIC
    payload[4] = VERSION
    payload[8 : 8 + TOKEN_BYTES] = token
    struct.pack_into("!Q", payload, 8 + TOKEN_BYTES, sent_ns)
    return header + bytes(payload)


def run_echo(
    session: EchoSession,
    plan: ProbePlan = ProbePlan(),
    *,
    cancel: threading.Event | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> EchoResult:
    """Send the plan's probes and measure what comes back (see the module docstring).

    Raises OSError when no socket can be opened towards the server (e.g. no route)."""
    cancel = cancel or threading.Event()
    infos = socket.getaddrinfo(session.host, session.port, type=socket.SOCK_DGRAM)
    family, _, _, _, address = infos[0]
    sock = socket.socket(family, socket.SOCK_DGRAM)
    try:
        sock.connect(address)
        sock.setblocking(False)
        return _exchange(sock, session, plan, cancel, clock)
    finally:
        sock.close()


def _schedule(plan: ProbePlan) -> list[tuple[float, int]]:
    """(offset_s, phase) of every probe, bounded by the token's budget by the caller."""
    out = [(i / plan.steady_pps, 0) for i in range(round(plan.steady_s * plan.steady_pps))]
    out += [
        (plan.steady_s + i / plan.burst_pps, 1) for i in range(round(plan.burst_s * plan.burst_pps))
    ]
    return out


def _exchange(
    sock: socket.socket,
    session: EchoSession,
    plan: ProbePlan,
    cancel: threading.Event,
    clock: Callable[[], float],
) -> EchoResult:
    schedule = _schedule(plan)[: session.max_packets]
    ssrc = int.from_bytes(os.urandom(4), "big")
    probes: list[_Probe] = []
    start = clock()
    end = start + (schedule[-1][0] if schedule else 0.0) + plan.tail_s
    nxt = 0
    while not cancel.is_set():
        now = clock()
        while nxt < len(schedule) and now >= start + schedule[nxt][0]:
            phase = schedule[nxt][1]
            sent_ns = int(now * 1e9)
            data = build_probe(session.token, nxt, nxt * 160, ssrc, sent_ns)
            # an ICMP unreachable may be reported on the socket: that probe is lost
            with contextlib.suppress(OSError):
                sock.send(data)
            probes.append(_Probe(phase, now))
            nxt += 1
        if now >= end:
            break
        due = start + schedule[nxt][0] if nxt < len(schedule) else end
        ready, _, _ = select.select([sock], [], [], max(0.0, min(due, end) - clock()))
        if ready:
            _drain(sock, session.token, ssrc, probes, clock)
    _drain(sock, session.token, ssrc, probes, clock)
    for p in probes:  # too late to have been played: lost for a call
        if p.rx_s is not None and p.rx_s - p.sent_s > plan.late_s:
            p.rx_s = None
    steady = _figures([(i, p) for i, p in enumerate(probes) if p.phase == 0], base_count=0)
    burst_probes = [(i, p) for i, p in enumerate(probes) if p.phase == 1]
    burst = None
    if burst_probes:
        before = max((p.count for p in probes if p.phase == 0), default=0)
        figures = _figures(burst_probes, base_count=before)
        bitrate = plan.burst_pps * (PACKET_BYTES + IP_UDP_BYTES) * 8 / 1000
        burst = BurstFigures(
            figures.up_loss_pct, figures.down_loss_pct, figures.rtt_ms, round(bitrate, 1)
        )
    return EchoResult(steady, burst)


def _drain(
    sock: socket.socket,
    token: bytes,
    ssrc: int,
    probes: list[_Probe],
    clock: Callable[[], float],
) -> None:
    while True:
        try:
            data = sock.recv(2048)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:  # ICMP port unreachable: nothing listens there
            return
        now = clock()
        if len(data) != PACKET_BYTES or data[RTP_HEADER_BYTES + 5] != 1:
            continue
        if data[TOKEN_AT : TOKEN_AT + TOKEN_BYTES] != token:
            continue
        (got_ssrc,) = struct.unpack_from("!I", data, 8)
        if got_ssrc != ssrc:
            continue
        # the sequence number wraps at 65,536: a plan sends far fewer
        (seq,) = struct.unpack_from("!H", data, 2)
        if seq >= len(probes) or probes[seq].rx_s is not None:
            continue  # unknown or a duplicate
        (server_ns, count) = struct.unpack_from("!QI", data, SERVER_RX_AT)
        p = probes[seq]
        p.rx_s, p.server_rx_s, p.count = now, server_ns / 1e9, count


def _figures(indexed: list[tuple[int, _Probe]], *, base_count: int) -> EchoFigures:
    sent = len(indexed)
    got = [(i, p) for i, p in indexed if p.rx_s is not None]
    received = len(got)
    if not sent or not received:
        # nothing came back: which way it was lost cannot be told, so both count it
        lost = 100.0 if sent else 0.0
        return EchoFigures(sent, received, lost, lost, lost, 0, 0, 0, 0)
    loss = 100.0 * (1 - received / sent)
    first = indexed[0][0]
    last_i = max(i for i, _ in got)
    # the server had `count` probes of the token when it echoed probe `last_i`
    at_server = max(p.count for _, p in got) - base_count
    span = last_i - first + 1
    up_delivered = min(1.0, max(at_server, received) / span) if span else 1.0
    up_loss = 100.0 * (1 - up_delivered)
    round_trip = received / sent
    # the tail after the last echoed probe is lost both ways we cannot tell: count it down
    down_delivered = min(1.0, round_trip / up_delivered) if up_delivered else 0.0
    down_loss = 100.0 * (1 - down_delivered)
    up_pairs = sorted(((p.sent_s, p.server_rx_s or 0.0) for _, p in got), key=lambda sr: sr[1])
    down_pairs = sorted(
        ((p.server_rx_s or 0.0, p.rx_s or 0.0) for _, p in got), key=lambda sr: sr[1]
    )
    up_j, down_j = interarrival_jitter(up_pairs), interarrival_jitter(down_pairs)
    rtt = statistics.median(((p.rx_s or 0.0) - p.sent_s) * 1000 for _, p in got)
    lost_pattern = [p.rx_s is None for _, p in indexed]
    return EchoFigures(
        sent=sent,
        received=received,
        loss_pct=round(loss, 3),
        up_loss_pct=round(max(0.0, up_loss), 3),
        down_loss_pct=round(max(0.0, down_loss), 3),
        rtt_ms=round(rtt, 2),
        jitter_ms=round(max(up_j, down_j), 2),
        up_jitter_ms=round(up_j, 2),
        down_jitter_ms=round(down_j, 2),
        burst_r=round(burst_ratio(lost_pattern), 3),
    )


def figures_dict(result: EchoResult) -> dict[str, Any]:
    """For logs and tests."""
    out: dict[str, Any] = {"steady": dataclasses.asdict(result.steady)}
    if result.burst is not None:
        out["burst"] = dataclasses.asdict(result.burst)
    return out
