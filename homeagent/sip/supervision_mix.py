"""Who hears whom on the agent's conference bridge while a lead supervises (pure Python).

docs/supervision-contract.md, "Agent side mixing": three parties on the agent's pjsua2
bridge, the customer call C, the agent's headset H (microphone as a source, earpiece as
a sink) and the supervision leg S to the lead. :func:`mix` says which one-way
connections (source -> sink) are audible; :func:`render` turns them into what the engine
asks pjsua2 for (a transmit level per connection); :func:`diff` tells what to stop and
what to start when anything changes, so a mode switch touches only the connections that
differ and never signals.

Muting is a matter of connections here, not of the customer port's transmit level: that
level would also silence a barging lead. A muted agent's H -> C stays connected at level
0 so the customer's stream keeps sending RTP (silence): a gateway with an RTP timeout
must not hang up on an agent who muted for a minute.
"""

from __future__ import annotations

import enum
from collections.abc import Set
from dataclasses import dataclass
from typing import TypeVar

from homeagent.core.commands import SUPERVISION_MODES

__all__ = ["FULL_LEVEL", "MUTED_LEVEL", "Conn", "Link", "Node", "diff", "mix", "render"]

MUTED_LEVEL = 0.0
FULL_LEVEL = 1.0


class Node(enum.Enum):
    """A port of the agent's bridge."""

    CUSTOMER = "C"
    HEADSET = "H"
    LEG = "S"


C, H, S = Node.CUSTOMER, Node.HEADSET, Node.LEG


@dataclass(frozen=True, slots=True, order=True)
class Link:
    """An audible one-way connection: what `source` sends, `sink` hears."""

    source: Node
    sink: Node

    def __repr__(self) -> str:
        return f"{self.source.value}->{self.sink.value}"


@dataclass(frozen=True, slots=True)
class Conn:
    """A connection as pjsua2 makes it: source -> sink at a transmit level (0..1)."""

    source: Node
    sink: Node
    level: float = FULL_LEVEL


def mix(
    mode: str | None,
    *,
    customer_attached: bool,
    held: bool,
    muted: bool,
    leg_connected: bool,
) -> frozenset[Link]:
    """The audible connections for one customer call and (when `mode`) its leg.

    - `mode`: "listen" | "whisper" | "barge", or None when the call is not supervised;
    - `customer_attached`: the customer call's audio is on the bridge (answered, active);
    - `held`: the customer call is on hold (its audio is then off the bridge as well);
    - `muted`: the agent muted the customer call;
    - `leg_connected`: the leg's audio is on the bridge.

    Always C -> H and H -> C (unless muted) while the customer is attached. With a
    leg: C -> S and H -> S (the lead hears the call) unless on hold, H -> S not when muted;
    whisper and barge add S -> H (kept on hold: coaching), barge adds S -> C.
    """
    if mode is not None and mode not in SUPERVISION_MODES:
        raise ValueError(f"unknown supervision mode {mode!r}")
    talking = customer_attached and not held
    links: set[Link] = set()
    if talking:
        links.add(Link(C, H))
        if not muted:
            links.add(Link(H, C))
    if mode is None or not leg_connected:
        return frozenset(links)
    if talking:
        links.add(Link(C, S))
        if not muted:
            links.add(Link(H, S))
    if mode in ("whisper", "barge"):
        links.add(Link(S, H))
    if mode == "barge" and talking:
        links.add(Link(S, C))
    return frozenset(links)


def render(
    links: frozenset[Link], *, customer_attached: bool, leg_connected: bool = False
) -> frozenset[Conn]:
    """What to ask pjsua2 for: every audible link at full level, plus silent (level 0)
    connections so no stream on the bridge goes without a source: a muted agent's
    H -> C (the customer's stream goes on sending RTP), and the leg's H -> S when nothing
    else feeds it (customer on hold: the leg keeps sending RTP to the lead's app). A
    stream without a source only gets NULL frames from the bridge and sends nothing."""
    conns = {Conn(link.source, link.sink) for link in links}
    if customer_attached and Link(H, C) not in links and Link(C, H) in links:
        conns.add(Conn(H, C, MUTED_LEVEL))
    if leg_connected and not any(link.sink is S for link in links):
        conns.add(Conn(H, S, MUTED_LEVEL))
    return frozenset(conns)


T = TypeVar("T")


def diff(old: Set[T], new: Set[T]) -> tuple[list[T], list[T]]:
    """(to stop, to start) to go from `old` to `new` connections; a level change is a
    stop and a start. Sorted, so the calls into pjsua2 come in a stable order."""
    return sorted(old - new, key=repr), sorted(new - old, key=repr)
