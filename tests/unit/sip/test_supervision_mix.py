"""The agent's bridge while supervised: the contract's table, over every combination."""

from __future__ import annotations

import itertools

import pytest

from homeagent.sip.supervision_mix import (
    MUTED_LEVEL,
    Conn,
    Link,
    Node,
    diff,
    mix,
    render,
)

C, H, S = Node.CUSTOMER, Node.HEADSET, Node.LEG
CH, HC, CS, HS, SH, SC = (
    Link(C, H), Link(H, C), Link(C, S), Link(H, S), Link(S, H), Link(S, C)
)  # fmt: skip
MODES = (None, "listen", "whisper", "barge")


def expected(mode: str | None, attached: bool, held: bool, muted: bool, leg: bool) -> set[Link]:
    """docs/supervision-contract.md, written out rule by rule."""
    talking = attached and not held
    out: set[Link] = set()
    if talking:
        out |= {CH} if muted else {CH, HC}
    if mode is None or not leg:
        return out
    if talking:
        out.add(CS)  # the lead hears the customer
        if not muted:
            out.add(HS)  # ...and the agent, unless muted
    if mode in ("whisper", "barge"):
        out.add(SH)  # the agent hears the lead, on hold too (coaching)
    if mode == "barge" and talking:
        out.add(SC)  # the customer hears the lead, even when the agent is muted
    return out


@pytest.mark.parametrize(
    ("mode", "attached", "held", "muted", "leg"),
    list(itertools.product(MODES, (True, False), (True, False), (True, False), (True, False))),
)
def test_every_combination_follows_the_contract(
    mode: str | None, attached: bool, held: bool, muted: bool, leg: bool
) -> None:
    got = mix(mode, customer_attached=attached, held=held, muted=muted, leg_connected=leg)
    assert got == expected(mode, attached, held, muted, leg)
    # invariants that must hold whatever the rule text says
    assert Link(S, S) not in got
    assert Link(C, C) not in got
    assert Link(H, H) not in got
    if muted:
        assert HC not in got
        assert HS not in got
    if held or not attached:
        assert CS not in got
        assert HS not in got
        assert SC not in got
    if mode != "barge":
        assert SC not in got  # the customer never hears the lead but in barge
    if mode in (None, "listen"):
        assert SH not in got  # nobody hears a listening lead


def test_the_table_row_by_row() -> None:
    kw = {"customer_attached": True, "held": False, "muted": False, "leg_connected": True}
    assert mix("listen", **kw) == {CH, HC, CS, HS}
    assert mix("whisper", **kw) == {CH, HC, CS, HS, SH}
    assert mix("barge", **kw) == {CH, HC, CS, HS, SH, SC}
    muted = {**kw, "muted": True}
    assert mix("barge", **muted) == {CH, CS, SH, SC}
    held = {**kw, "customer_attached": False, "held": True}
    assert mix("listen", **held) == set()
    assert mix("whisper", **held) == {SH}
    assert mix("barge", **held) == {SH}


def test_an_unknown_mode_is_refused() -> None:
    with pytest.raises(ValueError, match="mode"):
        mix("spy", customer_attached=True, held=False, muted=False, leg_connected=True)


def test_render_keeps_a_muted_agents_line_open_at_level_zero() -> None:
    muted = mix("listen", customer_attached=True, held=False, muted=True, leg_connected=True)
    conns = render(muted, customer_attached=True)
    assert Conn(H, C, MUTED_LEVEL) in conns  # RTP (silence) still flows to the customer
    assert Conn(H, C) not in conns
    assert Conn(H, S) not in conns
    assert Conn(H, S, MUTED_LEVEL) not in conns
    unmuted = mix("listen", customer_attached=True, held=False, muted=False, leg_connected=True)
    assert render(unmuted, customer_attached=True) == {Conn(x.source, x.sink) for x in unmuted}
    # nothing to keep open when the customer is not on the bridge
    assert render(frozenset({SH}), customer_attached=False) == {Conn(S, H)}


def test_render_keeps_a_silent_source_on_the_leg_while_nothing_else_feeds_it() -> None:
    held = mix("whisper", customer_attached=False, held=True, muted=False, leg_connected=True)
    assert render(held, customer_attached=False, leg_connected=True) == {
        Conn(S, H), Conn(H, S, MUTED_LEVEL)
    }  # fmt: skip
    talking = mix("listen", customer_attached=True, held=False, muted=True, leg_connected=True)
    conns = render(talking, customer_attached=True, leg_connected=True)
    assert Conn(C, S) in conns  # the customer feeds the leg: no silent source needed
    assert Conn(H, S, MUTED_LEVEL) not in conns


def test_a_mode_switch_touches_only_what_changed() -> None:
    kw = {"customer_attached": True, "held": False, "muted": False, "leg_connected": True}
    listen = render(mix("listen", **kw), customer_attached=True)
    whisper = render(mix("whisper", **kw), customer_attached=True)
    barge = render(mix("barge", **kw), customer_attached=True)
    assert diff(listen, whisper) == ([], [Conn(S, H)])
    assert diff(whisper, barge) == ([], [Conn(S, C)])
    assert diff(barge, listen) == (sorted([Conn(S, C), Conn(S, H)], key=repr), [])
    assert diff(barge, barge) == ([], [])


def test_muting_is_a_level_change_and_a_disconnection() -> None:
    kw = {"customer_attached": True, "held": False, "leg_connected": True}
    on = render(mix("whisper", muted=False, **kw), customer_attached=True)
    off = render(mix("whisper", muted=True, **kw), customer_attached=True)
    stop, start = diff(on, off)
    assert set(stop) == {Conn(H, C), Conn(H, S)}
    assert start == [Conn(H, C, MUTED_LEVEL)]
    assert diff(off, on) == (start, sorted(stop, key=repr))
