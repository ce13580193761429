"""The bridge's connections as CallMedia makes them, with fake pjsua2 media.

The fakes record every startTransmit/stopTransmit, so each test states exactly which
connections pjsua2 would be asked for: a mode switch touches only what changed, muting
is a connection matter, and a port pjsua already removed is never disconnected from
(pjmedia turns that into "disconnect everything from the other side").
"""

from __future__ import annotations

from typing import Any

from homeagent.core.events import CallDirection, CallPhase
from homeagent.sip.callmedia import CallMedia, LegMix
from homeagent.sip.calls import CallRecord


class FakeMedia:
    """A conference port; `log` is shared so the order of calls is visible."""

    def __init__(self, name: str, slot: int, log: list[tuple[str, ...]]) -> None:
        self.name, self.slot, self.log = name, slot, log

    def getPortId(self) -> int:
        return self.slot

    def startTransmit(self, sink: FakeMedia) -> None:
        self.log.append(("start", self.name, sink.name))

    def startTransmit2(self, sink: FakeMedia, prm: Any) -> None:
        self.log.append(("start", self.name, sink.name, f"level={prm.level:g}"))

    def stopTransmit(self, sink: FakeMedia) -> None:
        self.log.append(("stop", self.name, sink.name))

    def adjustTxLevel(self, level: float) -> None:
        self.log.append(("txlevel", self.name, f"{level:g}"))


class FakeBridge:
    """An attachment like PjAudioBridge: attach connects both ways with its port."""

    def __init__(self, log: list[tuple[str, ...]]) -> None:
        self.port = FakeMedia("H", 1, log)
        self.log = log
        self.attached: list[Any] = []

    def open(self) -> None: ...

    def close(self) -> None: ...

    def attach(self, media: FakeMedia) -> None:
        self.attached.append(media)
        media.startTransmit(self.port)
        self.port.startTransmit(media)

    def detach(self, media: FakeMedia) -> None:
        self.attached.remove(media)
        media.stopTransmit(self.port)
        self.port.stopTransmit(media)

    def drop(self, media: FakeMedia) -> None:
        self.attached.remove(media)
        self.log.append(("drop", media.name))


class FakeCall:
    def __init__(self, media: FakeMedia) -> None:
        self.media = media

    def getAudioMedia(self, index: int) -> FakeMedia:
        return self.media


def setup() -> tuple[CallMedia, FakeBridge, CallRecord, FakeMedia, list[tuple[str, ...]]]:
    log: list[tuple[str, ...]] = []
    bridge = FakeBridge(log)
    media = CallMedia(bridge)
    record = CallRecord(call_id=1, direction=CallDirection.INBOUND, phase=CallPhase.ACTIVE)
    customer = FakeMedia("C", 3, log)
    media.attach(record, FakeCall(customer), 0)  # type: ignore[arg-type]
    return media, bridge, record, customer, log


def test_an_unsupervised_call_is_connected_both_ways_and_mute_is_level_zero() -> None:
    media, _, record, _, log = setup()
    assert log == [("start", "C", "H"), ("start", "H", "C")]
    log.clear()
    record.muted = True
    media.apply_mute(record)
    assert log == [("stop", "H", "C"), ("start", "H", "C", "level=0")]
    log.clear()
    record.muted = False
    media.apply_mute(record)
    assert log == [("stop", "H", "C"), ("start", "H", "C")]
    assert not [e for e in log if e[0] == "txlevel"]  # never the customer port's level


def test_the_leg_in_each_mode_and_a_switch_touches_only_what_changed() -> None:
    media, bridge, _, _, log = setup()
    leg = FakeMedia("S", 4, log)
    media.leg = LegMix(customer_call_id=1, mode="listen")
    log.clear()
    media.attach_leg(leg)  # type: ignore[arg-type]
    # the attachment connects S both ways; listen takes S->H away and adds C->S
    assert log == [
        ("start", "S", "H"), ("start", "H", "S"), ("stop", "S", "H"), ("start", "C", "S")
    ]  # fmt: skip
    assert leg in bridge.attached  # the headset stays open for the leg (whisper on hold)
    log.clear()
    media.leg.mode = "whisper"
    media.remix()
    assert log == [("start", "S", "H")]
    log.clear()
    media.leg.mode = "barge"
    media.remix()
    assert log == [("start", "S", "C")]
    log.clear()
    media.leg.mode = "listen"
    media.remix()
    assert sorted(log) == [("stop", "S", "C"), ("stop", "S", "H")]


def test_hold_keeps_a_whisper_and_never_disconnects_from_a_removed_port() -> None:
    media, bridge, record, customer, log = setup()
    leg = FakeMedia("S", 4, log)
    media.leg = LegMix(customer_call_id=1, mode="whisper")
    media.attach_leg(leg)  # type: ignore[arg-type]
    log.clear()
    # on hold pjsua replaced the call's stream: its port (slot 3) is gone, slot 7 now
    media.detach(record, slot=7)
    assert ("drop", "C") in log
    assert not [e for e in log if e[0] == "stop" and "C" in e]  # nothing from the dead port
    assert ("stop", "H", "S") in log  # the lead no longer hears the agent...
    assert ("start", "H", "S", "level=0") in log  # ...but the leg keeps a (silent) source
    assert ("stop", "S", "H") not in log  # and the whisper goes on
    assert customer not in bridge.attached


def test_a_still_valid_port_is_disconnected_normally_on_hold() -> None:
    media, _, record, _, log = setup()
    log.clear()
    media.detach(record, slot=3)  # same slot: pjsua kept the stream
    assert log == [("stop", "C", "H"), ("stop", "H", "C")]


def test_an_ended_leg_is_dropped_and_the_customer_keeps_its_audio() -> None:
    media, bridge, _, customer, log = setup()
    leg = FakeMedia("S", 4, log)
    media.leg = LegMix(customer_call_id=1, mode="barge")
    media.attach_leg(leg)  # type: ignore[arg-type]
    log.clear()
    media.detach_leg()  # the leg ended: its port is gone
    assert log == [("drop", "S")]
    assert bridge.attached == [customer]
    assert media.leg.media is None
    log.clear()
    media.remix()
    assert log == []  # C <-> H untouched


def test_the_null_device_is_the_headset_without_an_attachment() -> None:
    log: list[tuple[str, ...]] = []
    capture, playback = FakeMedia("mic", 0, log), FakeMedia("speaker", 0, log)

    class Adm:
        def getCaptureDevMedia(self) -> FakeMedia:
            return capture

        def getPlaybackDevMedia(self) -> FakeMedia:
            return playback

    class Endpoint:
        def audDevManager(self) -> Adm:
            return Adm()

    media = CallMedia(None)
    media.endpoint = Endpoint()
    record = CallRecord(call_id=1, direction=CallDirection.INBOUND, phase=CallPhase.ACTIVE)
    media.attach(record, FakeCall(FakeMedia("C", 3, log)), 0)  # type: ignore[arg-type]
    assert log == [("start", "C", "speaker"), ("start", "mic", "C")]
    log.clear()
    record.muted = True
    media.apply_mute(record)
    assert log == [("stop", "mic", "C"), ("start", "mic", "C", "level=0")]
