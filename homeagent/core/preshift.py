"""The pre-shift check's pure decisions: E-model MOS, thresholds, advice, the saved result.

Everything here is Qt-free and network-free: the measurement lives in
`homeagent.client.echo_probe`, the screen in `homeagent.ui.check`, the sentences a person
reads in `homeagent.ui.check.words` (by `Advice` code: no code reaches the screen).

**E-model** (ITU-T G.107, narrowband; G.107.1 for wideband G.722):

    R = Ro − Is − Id − Ie,eff + A      with the defaults Ro − Is = 93.2 (narrowband)
                                        and Rmax = 129 on the wideband scale (G.107.1)
    Id  = Idd only (echo well controlled: Idte, Idle at their defaults, inside 93.2)
          Idd = 0 for Ta ≤ 100 ms, else 25·{(1+X⁶)^⅙ − 3·(1+(X/3)⁶)^⅙ + 2},
          X = log₂(Ta/100)                                                     (G.107 §7.4)
    Ie,eff = Ie + (ceiling − Ie) · Ppl / (Ppl/BurstR + Bpl)
          ceiling 95 (narrowband) or 129 (wideband, G.107.1)
    MOS = 1 + 0.035 R + R (R − 60)(100 − R) · 7·10⁻⁶  (R on the narrowband scale;
          a wideband R is divided by 1.29 first, G.107.1 Annex: R_nb-equiv = R_wb / 1.29)

Codec constants (G.113): G.711 A-law with PLC Ie = 0, Bpl = 25.1 (Appendix I, random
loss); G.722 at 64 kbit/s Ie,wb = 13 (wideband table, provisional), Bpl = 10 (a cautious
value: pjmedia conceals G.722 losses with its generic PLC, not G.722 Appendix III/IV).
A clean line gives MOS 4.41 for PCMA and 4.33 for G.722: the G.722 figure is on the
wideband scale, where G.711 itself would score 3.86 — compare codecs on one scale only.

**Mouth-to-ear delay** Ta = RTT/2 + jitter buffer (max(2 × jitter, 20 ms)) + packetisation
(20 ms) + devices and bridge (`DEVICE_DELAY_MS`, 40 ms measured order of our audio bridge).

**Last check file** (`<data dir>/last-check.json`, 0600, written by the desk and by
`homeagent diagnose`; no secret, no token, no phone number): `CheckReport.to_json()`:

    {"version": 1, "at": "2026-12-02T08:00:00Z", "source": "desk" | "diagnose",
     "level": "green" | "amber" | "red",
     "items": [{"id": "server" | "echo" | "bandwidth" | "sip" | "microphone" |
                      "headset" | "ringer" | "clock",
                "level": ..., "advice": "<Advice value>", "figures": {name: number}}],
     "network": {"mos_g722", "mos_pcma", "loss_pct", "jitter_ms", "rtt_ms",
                 "up_loss_pct", "down_loss_pct", "up_jitter_ms", "down_jitter_ms"} | null}
"""

from __future__ import annotations

import datetime as dt
import enum
import itertools
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

# -- the E-model ------------------------------------------------------------------------

R_DEFAULT_NB = 93.2  # Ro − Is with every G.107 default
R_MAX_WB = 129.0  # G.107.1
WB_TO_NB = 1.29
DEVICE_DELAY_MS = 40.0
PACKET_MS = 20.0
MIN_JITTER_BUFFER_MS = 20.0


@dataclass(frozen=True, slots=True)
class Codec:
    """A codec's E-model constants (G.113)."""

    name: str
    ie: float
    bpl: float
    wideband: bool


PCMA = Codec("PCMA", ie=0.0, bpl=25.1, wideband=False)
G722 = Codec("G722", ie=13.0, bpl=10.0, wideband=True)


def mos_from_r(r: float) -> float:
    """G.107 Annex B: the MOS (conversational, narrowband scale) of a rating R."""
    if r <= 0:
        return 1.0
    if r >= 100:
        return 4.5
    return 1 + 0.035 * r + r * (r - 60) * (100 - r) * 7e-6


def delay_impairment(ta_ms: float) -> float:
    """Idd of G.107 for a mouth-to-ear delay `ta_ms` (0 up to 100 ms)."""
    if ta_ms <= 100:
        return 0.0
    x = math.log2(ta_ms / 100)
    root6 = 1.0 / 6.0
    return 25.0 * (math.pow(1 + x**6, root6) - 3 * math.pow(1 + (x / 3) ** 6, root6) + 2)


def effective_ie(codec: Codec, loss_pct: float, burst_r: float = 1.0) -> float:
    """Ie,eff for `loss_pct` % packet loss (BurstR 1 = random loss)."""
    ppl = min(max(loss_pct, 0.0), 100.0)
    burst = max(burst_r, 1.0)
    ceiling = R_MAX_WB if codec.wideband else 95.0
    return codec.ie + (ceiling - codec.ie) * ppl / (ppl / burst + codec.bpl)


def r_factor(codec: Codec, *, loss_pct: float, ta_ms: float, burst_r: float = 1.0) -> float:
    """R on the codec's own scale (0..93.2 narrowband, 0..129 wideband)."""
    top = R_MAX_WB if codec.wideband else R_DEFAULT_NB
    r = top - delay_impairment(ta_ms) - effective_ie(codec, loss_pct, burst_r)
    return max(r, 0.0)


def mos(codec: Codec, *, loss_pct: float, ta_ms: float, burst_r: float = 1.0) -> float:
    """The E-model's MOS estimate for `codec` (a wideband R brought to the MOS scale)."""
    r = r_factor(codec, loss_pct=loss_pct, ta_ms=ta_ms, burst_r=burst_r)
    return mos_from_r(r / WB_TO_NB if codec.wideband else r)


def mouth_to_ear_ms(rtt_ms: float, jitter_ms: float) -> float:
    """Ta from what the echo test measured (see the module docstring)."""
    buffer = max(2 * jitter_ms, MIN_JITTER_BUFFER_MS)
    return rtt_ms / 2 + buffer + PACKET_MS + DEVICE_DELAY_MS


def burst_ratio(lost: Sequence[bool]) -> float:
    """BurstR of a loss pattern (G.107 eq. 7-30, two-state Markov): 1/(p+q), ≥ 1.

    p = P(lost | previous received), q = P(received | previous lost); random loss gives 1.
    """
    after_ok = after_lost = ok_then_lost = lost_then_ok = 0
    for prev, cur in itertools.pairwise(lost):
        if prev:
            after_lost += 1
            lost_then_ok += not cur
        else:
            after_ok += 1
            ok_then_lost += cur
    if not ok_then_lost or not after_lost or not after_ok:
        return 1.0
    p = ok_then_lost / after_ok
    q = lost_then_ok / after_lost
    return max(1.0, 1.0 / (p + q)) if p + q > 0 else 1.0


# -- RFC 3550 jitter ---------------------------------------------------------------------


def interarrival_jitter(pairs: Sequence[tuple[float, float]]) -> float:
    """RFC 3550 §6.4.1 jitter over `(sent_s, received_s)` pairs in arrival order, in ms.

    J(i) = J(i−1) + (|D(i−1,i)| − J(i−1)) / 16 with D = (Rj − Ri) − (Sj − Si); the clocks
    of sender and receiver need not agree (only differences count). J is a running
    estimate that remembers ~16 packets, so its last value swings by ±15 % on a steady
    line; the check reports its mean over the test (as pjsua's "jitter mean"), starting
    J at the first |D| instead of 0 so the start does not pull the mean down."""
    if len(pairs) < 2:
        return 0.0
    total = 0.0
    j: float | None = None
    for (s0, r0), (s1, r1) in itertools.pairwise(pairs):
        d = abs((r1 - r0) - (s1 - s0))
        j = d if j is None else j + (d - j) / 16
        total += j
    return total / (len(pairs) - 1) * 1000.0


# -- levels, thresholds and advice -------------------------------------------------------


class Level(enum.StrEnum):
    GREEN = "green"
    AMBER = "amber"
    RED = "red"

    @property
    def rank(self) -> int:
        return {"green": 0, "amber": 1, "red": 2}[self.value]


def worst(levels: Sequence[Level]) -> Level:
    return max(levels, key=lambda lv: lv.rank, default=Level.GREEN)


class ItemId(enum.StrEnum):
    """The check's lines, in screen order."""

    SERVER = "server"
    ECHO = "echo"
    BANDWIDTH = "bandwidth"
    SIP = "sip"
    MICROPHONE = "microphone"
    HEADSET = "headset"
    RINGER = "ringer"
    CLOCK = "clock"


class Advice(enum.StrEnum):
    """What a line tells the agent (the sentences: `homeagent.ui.check.words`)."""

    OK = "ok"
    SERVER_SLOW = "server_slow"
    SERVER_DOWN = "server_down"
    NET_WIRED = "net_wired"  # loss: go wired to the box
    NET_JITTER = "net_jitter"  # irregular: wired, stop other traffic
    NET_SLOW = "net_slow"  # long round trip
    ECHO_SILENT = "echo_silent"  # no echo came back: UDP blocked?
    ECHO_UNAVAILABLE = "echo_unavailable"  # the server offers no echo test
    BANDWIDTH_UP = "bandwidth_up"
    BANDWIDTH_DOWN = "bandwidth_down"
    SIP_FAILED = "sip_failed"
    SIP_NOT_ENROLLED = "sip_not_enrolled"
    MIC_SILENT = "mic_silent"
    MIC_LOW = "mic_low"
    DEVICE_MISSING = "device_missing"
    CONFIRM_HEARD = "confirm_heard"  # a tone played: did you hear it?
    NOT_HEARD = "not_heard"
    CLOCK_OFF = "clock_off"
    SKIPPED = "skipped"


@dataclass(frozen=True, slots=True)
class Band:
    """Green up to `amber_from` (exclusive), amber up to `red_from`, red from it."""

    amber_from: float
    red_from: float

    def level(self, value: float) -> Level:
        if value >= self.red_from:
            return Level.RED
        if value >= self.amber_from:
            return Level.AMBER
        return Level.GREEN


SERVER_LATENCY_MS = Band(150, 400)
LOSS_PCT = Band(1.0, 5.0)
JITTER_MS = Band(20, 50)
RTT_MS = Band(150, 300)
CLOCK_OFFSET_S = Band(2, 60)  # access tokens live 15 min: a minute off already bites
MOS_GREEN_FROM = 3.6  # the board's default thresholds: amber at or under 3.6, red ≤ 3.1
MOS_RED_UNDER = 3.1
BURST_EXTRA_LOSS_PCT = Band(2.0, 5.0)  # loss added by a burst at twice a call's rate
BURST_EXTRA_RTT_MS = Band(50, 150)  # round trip added by the burst (queues filling)
MIC_PEAK = (0.02, 0.005)  # peak level (0..1) under which the mic is "low" / "silent"


def mos_level(value: float) -> Level:
    if value <= MOS_RED_UNDER:
        return Level.RED
    if value <= MOS_GREEN_FROM:
        return Level.AMBER
    return Level.GREEN


@dataclass(frozen=True, slots=True)
class EchoFigures:
    """What the echo test measured (one direction each where it can tell them apart)."""

    sent: int
    received: int
    loss_pct: float  # round trip
    up_loss_pct: float
    down_loss_pct: float
    rtt_ms: float  # median
    jitter_ms: float  # the worse direction (RFC 3550)
    up_jitter_ms: float
    down_jitter_ms: float
    burst_r: float = 1.0

    def mos_for(self, codec: Codec) -> float:
        """Each listener hears one direction: the worse one counts."""
        loss = max(self.up_loss_pct, self.down_loss_pct)
        return mos(
            codec,
            loss_pct=loss,
            ta_ms=mouth_to_ear_ms(self.rtt_ms, self.jitter_ms),
            burst_r=self.burst_r,
        )


@dataclass(frozen=True, slots=True)
class Item:
    """One line of the check: its verdict, what to do, and the figures behind it."""

    id: ItemId
    level: Level
    advice: Advice
    figures: Mapping[str, float] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id.value,
            "level": self.level.value,
            "advice": self.advice.value,
            "figures": {k: round(float(v), 3) for k, v in self.figures.items()},
        }


def judge_server(latency_ms: float | None) -> Item:
    if latency_ms is None:
        return Item(ItemId.SERVER, Level.RED, Advice.SERVER_DOWN)
    level = SERVER_LATENCY_MS.level(latency_ms)
    advice = Advice.OK if level is Level.GREEN else Advice.SERVER_SLOW
    return Item(ItemId.SERVER, level, advice, {"latency_ms": latency_ms})


def judge_echo(echo: EchoFigures | None, *, available: bool = True) -> Item:
    """Loss, jitter, round trip and the MOS of both codecs; the advice names the worst."""
    if not available:
        return Item(ItemId.ECHO, Level.AMBER, Advice.ECHO_UNAVAILABLE)
    if echo is None or echo.received == 0:
        figures = {"sent": float(echo.sent)} if echo is not None else {}
        return Item(ItemId.ECHO, Level.RED, Advice.ECHO_SILENT, figures)
    loss = max(echo.up_loss_pct, echo.down_loss_pct, echo.loss_pct / 2)
    mos_g722, mos_pcma = echo.mos_for(G722), echo.mos_for(PCMA)
    candidates = [
        (LOSS_PCT.level(loss), 3, Advice.NET_WIRED),
        (JITTER_MS.level(echo.jitter_ms), 2, Advice.NET_JITTER),
        (RTT_MS.level(echo.rtt_ms), 1, Advice.NET_SLOW),
        (mos_level(mos_g722), 0, Advice.NET_WIRED),
    ]
    level, _, advice = max(candidates, key=lambda c: (c[0].rank, c[1]))
    figures = {
        "loss_pct": echo.loss_pct,
        "up_loss_pct": echo.up_loss_pct,
        "down_loss_pct": echo.down_loss_pct,
        "jitter_ms": echo.jitter_ms,
        "up_jitter_ms": echo.up_jitter_ms,
        "down_jitter_ms": echo.down_jitter_ms,
        "rtt_ms": echo.rtt_ms,
        "mos_g722": mos_g722,
        "mos_pcma": mos_pcma,
        "sent": float(echo.sent),
        "received": float(echo.received),
    }
    return Item(ItemId.ECHO, level, Advice.OK if level is Level.GREEN else advice, figures)


@dataclass(frozen=True, slots=True)
class BurstFigures:
    """A short burst at twice a call's packet rate, against the steady test before it."""

    up_loss_pct: float
    down_loss_pct: float
    rtt_ms: float  # median during the burst
    kbit_s: float  # what the burst sent each way (IP + UDP + RTP)


def judge_bandwidth(burst: BurstFigures | None, steady: EchoFigures | None) -> Item:
    if burst is None or steady is None or steady.received == 0:
        return Item(ItemId.BANDWIDTH, Level.RED, Advice.ECHO_SILENT)
    extra_up = max(0.0, burst.up_loss_pct - steady.up_loss_pct)
    extra_down = max(0.0, burst.down_loss_pct - steady.down_loss_pct)
    extra_rtt = max(0.0, burst.rtt_ms - steady.rtt_ms)
    up = worst([BURST_EXTRA_LOSS_PCT.level(extra_up), BURST_EXTRA_RTT_MS.level(extra_rtt)])
    down = BURST_EXTRA_LOSS_PCT.level(extra_down)
    level = worst([up, down])
    if level is Level.GREEN:
        advice = Advice.OK
    elif down.rank > up.rank:
        advice = Advice.BANDWIDTH_DOWN
    else:
        advice = Advice.BANDWIDTH_UP
    figures = {
        "kbit_s": burst.kbit_s,
        "extra_up_loss_pct": extra_up,
        "extra_down_loss_pct": extra_down,
        "extra_rtt_ms": extra_rtt,
    }
    return Item(ItemId.BANDWIDTH, level, advice, figures)


def judge_sip(registered: bool | None, *, enrolled: bool = True) -> Item:
    if not enrolled:
        return Item(ItemId.SIP, Level.AMBER, Advice.SIP_NOT_ENROLLED)
    if registered:
        return Item(ItemId.SIP, Level.GREEN, Advice.OK)
    return Item(ItemId.SIP, Level.RED, Advice.SIP_FAILED)


def judge_microphone(peak: float | None, *, present: bool = True) -> Item:
    """`peak`: the loudest level (0..1) heard while the agent spoke; None = not tried."""
    if not present:
        return Item(ItemId.MICROPHONE, Level.RED, Advice.DEVICE_MISSING)
    if peak is None:
        return Item(ItemId.MICROPHONE, Level.AMBER, Advice.SKIPPED)
    low, silent = MIC_PEAK
    if peak < silent:
        return Item(ItemId.MICROPHONE, Level.RED, Advice.MIC_SILENT, {"peak": peak})
    if peak < low:
        return Item(ItemId.MICROPHONE, Level.AMBER, Advice.MIC_LOW, {"peak": peak})
    return Item(ItemId.MICROPHONE, Level.GREEN, Advice.OK, {"peak": peak})


def judge_heard(item: ItemId, heard: bool | None, *, present: bool = True) -> Item:
    """The headset or the ringer: a tone played, the agent says whether it was heard."""
    if not present:
        return Item(item, Level.RED, Advice.DEVICE_MISSING)
    if heard is None:
        return Item(item, Level.AMBER, Advice.CONFIRM_HEARD)
    if heard:
        return Item(item, Level.GREEN, Advice.OK)
    return Item(item, Level.RED, Advice.NOT_HEARD)


def judge_clock(offset_s: float | None) -> Item:
    if offset_s is None:
        return Item(ItemId.CLOCK, Level.AMBER, Advice.SKIPPED)
    level = CLOCK_OFFSET_S.level(abs(offset_s))
    advice = Advice.OK if level is Level.GREEN else Advice.CLOCK_OFF
    return Item(ItemId.CLOCK, level, advice, {"offset_s": offset_s})


def clock_offset_s(server_time: dt.datetime, sent_at: dt.datetime, rtt_s: float) -> float:
    """Server clock minus ours, the answer's time taken half-way through the round trip."""
    local_mid = sent_at + dt.timedelta(seconds=rtt_s / 2)
    return (server_time - local_mid).total_seconds()


# -- the report ---------------------------------------------------------------------------

REPORT_VERSION = 1
ORDER = {item: i for i, item in enumerate(ItemId)}


@dataclass(frozen=True, slots=True)
class CheckReport:
    """A whole check: its lines in screen order, the overall level, the network figures."""

    at: dt.datetime
    items: tuple[Item, ...]
    source: str = "desk"

    @property
    def level(self) -> Level:
        return worst([i.level for i in self.items])

    def item(self, item_id: ItemId) -> Item | None:
        return next((i for i in self.items if i.id is item_id), None)

    def network(self) -> dict[str, float] | None:
        """The echo line's figures the board shows (None when the test got nothing)."""
        echo = self.item(ItemId.ECHO)
        if echo is None or "mos_g722" not in echo.figures:
            return None
        keys = (
            "mos_g722", "mos_pcma", "loss_pct", "jitter_ms", "rtt_ms",
            "up_loss_pct", "down_loss_pct", "up_jitter_ms", "down_jitter_ms",
        )  # fmt: skip
        return {k: round(float(echo.figures[k]), 3) for k in keys}

    def to_json(self) -> dict[str, Any]:
        return {
            "version": REPORT_VERSION,
            "at": self.at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "source": self.source,
            "level": self.level.value,
            "items": [i.to_json() for i in self.items],
            "network": self.network(),
        }

    def dumps(self) -> str:
        return json.dumps(self.to_json(), ensure_ascii=False, indent=2)


def make_report(items: Sequence[Item], at: dt.datetime, source: str = "desk") -> CheckReport:
    ordered = sorted(items, key=lambda i: ORDER[i.id])
    return CheckReport(at=at, items=tuple(ordered), source=source)


class MalformedReport(ValueError):
    """A saved check that cannot be read back (what is wrong is in the message)."""


def parse_report(text: str) -> CheckReport:
    """Read `last-check.json` back; a broken file is one `MalformedReport`."""
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        raise MalformedReport(f"not JSON: {exc}") from None
    if not isinstance(obj, dict) or obj.get("version") != REPORT_VERSION:
        raise MalformedReport("not a version 1 check report")
    try:
        at = dt.datetime.fromisoformat(str(obj["at"]).replace("Z", "+00:00"))
        items = []
        for raw in obj["items"]:
            figures = {str(k): float(v) for k, v in dict(raw.get("figures", {})).items()}
            items.append(
                Item(ItemId(raw["id"]), Level(raw["level"]), Advice(raw["advice"]), figures)
            )
    except (KeyError, TypeError, ValueError) as exc:
        raise MalformedReport(f"bad field: {exc}") from None
    return make_report(items, at, str(obj.get("source", "desk")))
