"""The UDP echo service of the pre-shift check: RTP-sized probes bounced back, safely.

The desk asks `POST /api/v1/network-check/echo-session` (authenticated) for a token, then
sends RTP packets carrying it at 50 a second; each valid probe comes back, the same size,
with the server's receive time and how many probes of that token it has had (so the desk
tells upstream loss from downstream loss, and each direction's jitter).

Probe (exactly `PACKET_BYTES` = 172 bytes: a 12-byte RTP header and a 160-byte payload,
what a G.722 or PCMA packet of 20 ms carries):

    RTP header   V=2, P=0, X=0, CC=0, PT 8 (PCMA) or 9 (G.722), seq, timestamp, SSRC
    payload  0   b"HAEP"           magic
             4   1                 version
             5   0 probe / 1 echo  kind
             6   2 bytes           reserved (0)
             8   28 bytes          token: expiry (u32, Unix s) · nonce (8) · MAC (16)
            36   u64               the desk's send time (ns, its own clock)
            44   u64               the server's receive time (ns, monotonic; echo only)
            52   u32               probes of this token received so far (echo only)
            56   104 bytes         padding (anything; echoed unchanged)

Why it is not a reflector nor an amplifier: the answer is never larger than the probe
(the same 172 bytes); only probes with a valid, unexpired token minted for an
authenticated user are answered (MAC = HMAC-SHA256 over expiry · nonce with a key
derived from the server's token secret, so any instance of the server can check it);
each token is answered at most `max_packets` times and at most `per_token_pps` a second;
each source address at most `per_source_pps` a second — higher, because many desks share
one public address behind an office NAT or a carrier-grade NAT — and the whole service
at most `total_pps` (token buckets); the tables that remember tokens and sources are
bounded. Anything else is dropped without an answer and counted (`EchoStats`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import os
import socket
import struct
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

log = logging.getLogger(__name__)

RTP_HEADER_BYTES = 12
PAYLOAD_BYTES = 160
PACKET_BYTES = RTP_HEADER_BYTES + PAYLOAD_BYTES
MAGIC = b"HAEP"
VERSION = 1
KIND_PROBE, KIND_ECHO = 0, 1
PAYLOAD_TYPES = frozenset({8, 9})  # PCMA, G.722
TOKEN_BYTES = 28
TOKEN_AT = RTP_HEADER_BYTES + 8
SENT_AT = TOKEN_AT + TOKEN_BYTES  # 48 in the packet
SERVER_RX_AT = SENT_AT + 8
COUNT_AT = SERVER_RX_AT + 8
TOKEN_TTL_S = 120
MAX_PACKETS = 1000  # per token: 8 s at 50/s + 2 s at 100/s, and retries
PER_TOKEN_PPS = 150.0  # the test's burst is 100/s
PER_TOKEN_BURST = 150.0
PER_SOURCE_PPS = 2000.0  # 40 desks checking at once behind one NAT
PER_SOURCE_BURST = 2000.0
TOTAL_PPS = 20_000.0
MAX_TOKENS = 20_000
MAX_SOURCES = 20_000


def echo_key(token_secret: str) -> bytes:
    """The MAC key of echo tokens, derived from the server's token secret."""
    return hmac.new(token_secret.encode(), b"homeagent-echo-v1", hashlib.sha256).digest()


def mint_token(key: bytes, *, now_s: float | None = None, ttl_s: int = TOKEN_TTL_S) -> bytes:
    """A fresh token: expiry · nonce · MAC (28 bytes)."""
    expiry = int(now_s if now_s is not None else time.time()) + ttl_s
    head = struct.pack("!I", expiry) + os.urandom(8)
    return head + hmac.new(key, head, hashlib.sha256).digest()[:16]


def token_text(token: bytes) -> str:
    return base64.urlsafe_b64encode(token).decode().rstrip("=")


def check_token(key: bytes, token: bytes, now_s: float) -> bool:
    if len(token) != TOKEN_BYTES:
        return False
    head, mac = token[:12], token[12:]
    if not hmac.compare_digest(mac, hmac.new(key, head, hashlib.sha256).digest()[:16]):
        return False
    expiry = int.from_bytes(head[:4], "big")
    return now_s <= expiry


def probe_problem(data: bytes) -> str | None:
    """Why `data` is not a well-formed probe (None when it is); the token is checked apart."""
    if len(data) != PACKET_BYTES:
        return "size"
    if data[0] >> 6 != 2 or data[0] & 0x3F or (data[1] & 0x7F) not in PAYLOAD_TYPES:
        return "rtp"
    p = RTP_HEADER_BYTES
    if data[p : p + 4] != MAGIC or data[p + 4] != VERSION or data[p + 5] != KIND_PROBE:
        return "magic"
    return None


@dataclass
class EchoStats:
    """What the service did (tests and the log read it)."""

    echoed: int = 0
    malformed: int = 0
    bad_token: int = 0
    over_budget: int = 0
    rate_limited: int = 0


@dataclass
class _Bucket:
    tokens: float
    at: float


@dataclass
class _TokenUse:
    count: int
    bucket: _Bucket


@dataclass
class EchoLimits:
    max_packets: int = MAX_PACKETS
    per_token_pps: float = PER_TOKEN_PPS
    per_token_burst: float = PER_TOKEN_BURST
    per_source_pps: float = PER_SOURCE_PPS
    per_source_burst: float = PER_SOURCE_BURST
    total_pps: float = TOTAL_PPS
    max_tokens: int = MAX_TOKENS
    max_sources: int = MAX_SOURCES


@dataclass
class EchoService:
    """The echo socket and its thread (see the module docstring); `start()`, `stop()`."""

    token_secret: str
    host: str = "127.0.0.1"
    port: int = 0
    public_host: str = ""  # what the desks are told to send to ("": the API's host)
    limits: EchoLimits = field(default_factory=EchoLimits)
    clock: Callable[[], float] = time.monotonic
    wall: Callable[[], float] = time.time
    stats: EchoStats = field(default_factory=EchoStats)

    def __post_init__(self) -> None:
        self._key = echo_key(self.token_secret)
        self._sock: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._counts: OrderedDict[bytes, _TokenUse] = OrderedDict()  # token -> its use
        self._sources: OrderedDict[str, _Bucket] = OrderedDict()
        self._total = _Bucket(self.limits.total_pps, 0.0)

    @property
    def bound_port(self) -> int:
        if self._sock is None:
            return 0
        return int(self._sock.getsockname()[1])

    def new_token(self) -> bytes:
        return mint_token(self._key, now_s=self.wall())

    def start(self) -> EchoService:
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_DGRAM)
        sock.bind((self.host, self.port))
        sock.settimeout(0.2)
        self._sock = sock
        self._thread = threading.Thread(target=self._run, name="echo-service", daemon=True)
        self._thread.start()
        log.info("pre-shift echo service on udp %s:%d", self.host, self.bound_port)
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(2)
        if self._sock is not None:
            self._sock.close()

    # -- the service thread ------------------------------------------------------------

    def _run(self) -> None:
        assert self._sock is not None
        sock = self._sock
        while not self._stop.is_set():
            try:
                data, src = sock.recvfrom(2048)
            except TimeoutError:
                continue
            except OSError:
                if self._stop.is_set():
                    return
                continue
            reply = self.answer(data, src[0], self.clock())
            if reply is not None:
                try:
                    sock.sendto(reply, src)
                except OSError as exc:
                    log.debug("echo reply not sent: %s", exc)

    def answer(self, data: bytes, source: str, now: float) -> bytes | None:
        """The echo of one datagram, or None (dropped and counted). Thread: the service's."""
        if probe_problem(data) is not None:
            self.stats.malformed += 1
            return None
        if not self._admit(source, now):
            self.stats.rate_limited += 1
            return None
        token = data[TOKEN_AT : TOKEN_AT + TOKEN_BYTES]
        if not check_token(self._key, token, self.wall()):
            self.stats.bad_token += 1
            return None
        lim = self.limits
        use = self._counts.pop(token, None) or _TokenUse(0, _Bucket(lim.per_token_burst, now))
        self._counts[token] = use
        while len(self._counts) > lim.max_tokens:
            self._counts.popitem(last=False)  # the oldest token: it expires first anyway
        if use.count >= lim.max_packets:
            self.stats.over_budget += 1
            return None
        if not _take(use.bucket, now, lim.per_token_pps, lim.per_token_burst):
            self.stats.rate_limited += 1
            return None
        use.count += 1
        count = use.count
        self.stats.echoed += 1
        out = bytearray(data)
        out[RTP_HEADER_BYTES + 5] = KIND_ECHO
        struct.pack_into("!QI", out, SERVER_RX_AT, time.monotonic_ns() & (2**64 - 1), count)
        return bytes(out)

    def _admit(self, source: str, now: float) -> bool:
        lim = self.limits
        bucket = self._sources.pop(source, None) or _Bucket(lim.per_source_burst, now)
        self._sources[source] = bucket
        while len(self._sources) > lim.max_sources:
            self._sources.popitem(last=False)
        if not _refill(self._total, now, lim.total_pps, lim.total_pps):
            return False
        if not _take(bucket, now, lim.per_source_pps, lim.per_source_burst):
            return False
        self._total.tokens -= 1
        return True


def _refill(bucket: _Bucket, now: float, rate: float, burst: float) -> bool:
    """Top `bucket` up for the time since it was last seen; True if it holds one."""
    bucket.tokens = min(burst, bucket.tokens + (now - bucket.at) * rate)
    bucket.at = now
    return bucket.tokens >= 1


def _take(bucket: _Bucket, now: float, rate: float, burst: float) -> bool:
    """One from `bucket` (refilled first), or False when it is empty."""
    if not _refill(bucket, now, rate, burst):
        return False
    bucket.tokens -= 1
    return True
