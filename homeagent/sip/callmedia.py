"""A call's media on the engine thread: where its audio goes, its RTCP figures, zip tone."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import pjsua2 as pj

from homeagent.core.events import CallQuality
from homeagent.sip.calls import CallRecord
from homeagent.sip.media import AudioAttachment
from homeagent.sip.quality import build_quality
from homeagent.sip.supervision_mix import FULL_LEVEL, Conn, Node, diff, mix, render

log = logging.getLogger(__name__)

ZIP_TONE_HZ = 1400


@dataclass(slots=True)
class LegMix:
    """The agent side's supervision leg as the bridge sees it (engine thread)."""

    customer_call_id: int
    mode: str
    media: pj.AudioMedia | None = None  # the leg's audio, once active


_HEADSET = "h"
_LEG = "s"
_Key = tuple[str, str, float]  # (source, sink, level): one connection on the bridge


class CallMedia:
    """Connects calls' audio to the attachment (or the null device) and plays the zip tone.

    Every connection between a customer call C, the headset H (the attachment's `port`,
    else the null device's capture/playback media) and the agent's supervision leg S is
    decided by :mod:`homeagent.sip.supervision_mix` and applied as a difference, so mute,
    hold and mode switches touch only what changed. ``attach`` still goes through the
    attachment (its bookkeeping opens and closes the headset); the connections it makes,
    X <-> H both ways, are the starting point the mix is applied on.
    """

    def __init__(self, audio: AudioAttachment | None) -> None:
        self.audio = audio
        self.endpoint: pj.Endpoint | None = None
        self.tone: pj.ToneGenerator | None = None
        self.leg: LegMix | None = None
        self._media: dict[int, pj.AudioMedia] = {}
        self._records: dict[int, CallRecord] = {}
        self._conns: set[_Key] = set()

    # -- customer calls ----------------------------------------------------------------
    def attach(self, record: CallRecord, call: pj.Call, index: int) -> None:
        """The call's audio became active: connect it (once) and apply the mix."""
        if record.attached:
            return
        media = call.getAudioMedia(index)
        self._media[record.call_id] = media
        self._records[record.call_id] = record
        self.plug(media)
        record.attached = True
        key = _customer(record.call_id)
        self._conns |= {(key, _HEADSET, FULL_LEVEL), (_HEADSET, key, FULL_LEVEL)}
        self.remix()

    def apply_mute(self, record: CallRecord) -> None:
        """Muted: no H -> C and no H -> S (the lead still hears the customer)."""
        self.remix()

    def detach(self, record: CallRecord, slot: int | None = None) -> None:
        """The call's audio stopped being active (hold, end): disconnect it (idempotent).

        `slot`: the conference slot pjsua now reports for the call's audio (None: the
        call ended). When it is not the slot we connected, pjsua has already removed our
        port with every connection it had, and nothing may be disconnected from it: the
        conference bridge turns a disconnection from a removed port into "disconnect
        everything from the other side" (we saw a hold cut the supervision leg from the
        headset that way).
        """
        media = self._media.get(record.call_id)
        if media is None or not record.attached:
            return
        record.attached = False
        key = _customer(record.call_id)
        if _gone(media, slot):
            self._conns = {c for c in self._conns if key not in c[:2]}
            self.drop(media)
            self.remix()
            return
        # both directions with the headset go with the attachment's detach below
        self._conns = {c for c in self._conns if {c[0], c[1]} != {key, _HEADSET}}
        self.remix()
        self.unplug(media)

    def forget(self, call_id: int) -> None:
        self._media.pop(call_id, None)
        self._records.pop(call_id, None)

    # -- the supervision leg (agent side) ----------------------------------------------
    @property
    def mixes(self) -> bool:
        """True when the bridge's connections can be set one by one (a headset port)."""
        return self._headset() is not None

    def attach_leg(self, media: pj.AudioMedia) -> None:
        """The agent's leg to the lead became active: plug it in and apply the mix."""
        leg = self.leg
        if leg is None or leg.media is not None:
            return
        leg.media = media
        self.plug(media)
        self._conns |= {(_LEG, _HEADSET, FULL_LEVEL), (_HEADSET, _LEG, FULL_LEVEL)}
        self.remix()

    def detach_leg(self, slot: int | None = None) -> None:
        """The leg's audio is gone (or going): unplug it; the customer call goes on.

        `slot` as for :meth:`detach` (None: the leg ended, its port is gone)."""
        leg = self.leg
        if leg is None or leg.media is None:
            return
        if _gone(leg.media, slot):
            media = leg.media
            self._conns = {c for c in self._conns if _LEG not in c[:2]}
            leg.media = None
            self.drop(media)
            self.remix()
            return
        self._conns = {c for c in self._conns if {c[0], c[1]} != {_LEG, _HEADSET}}
        self.remix()
        media, leg.media = leg.media, None
        self.unplug(media)

    # -- plumbing ----------------------------------------------------------------------
    def plug(self, media: pj.AudioMedia) -> None:
        """Connect `media` both ways with the headset (the attachment, or the null device)."""
        if self.audio is not None:
            self.audio.attach(media)
        else:
            assert self.endpoint is not None
            adm = self.endpoint.audDevManager()
            media.startTransmit(adm.getPlaybackDevMedia())
            adm.getCaptureDevMedia().startTransmit(media)

    def drop(self, media: pj.AudioMedia) -> None:
        """Forget `media` whose conference port pjsua already removed (no disconnection)."""
        drop = getattr(self.audio, "drop", None) if self.audio is not None else None
        if drop is not None:
            drop(media)
        elif self.audio is not None:
            self.unplug(media)  # an attachment without drop(): the old behaviour

    def unplug(self, media: pj.AudioMedia) -> None:
        try:
            if self.audio is not None:
                self.audio.detach(media)
            else:
                assert self.endpoint is not None
                adm = self.endpoint.audDevManager()
                media.stopTransmit(adm.getPlaybackDevMedia())
                adm.getCaptureDevMedia().stopTransmit(media)
        except Exception as exc:  # the conference port may already be gone at call end
            log.debug("unplug: %s", exc)

    def remix(self) -> None:
        """Bring the bridge's connections to what the mix says, changing only the rest."""
        headset = self._headset()
        if headset is None:  # an attachment without a port: only the old mute is possible
            for call_id, record in self._records.items():
                media = self._media.get(call_id)
                if media is not None and record.attached:
                    media.adjustTxLevel(0.0 if record.muted else 1.0)
            return
        wanted = self._wanted()
        stop, start = diff(self._conns, wanted)
        for src, sink, _level in stop:
            self._disconnect(src, sink, headset)
        for src, sink, level in start:
            self._connect(src, sink, level, headset)
        self._conns = wanted

    def _wanted(self) -> set[_Key]:
        wanted: set[_Key] = set()
        leg = self.leg
        leg_up = leg is not None and leg.media is not None
        for call_id, record in self._records.items():
            if not record.attached:
                continue
            supervised = leg is not None and leg.customer_call_id == call_id
            links = mix(
                leg.mode if supervised and leg is not None else None,
                customer_attached=True,
                held=False,
                muted=record.muted,
                leg_connected=supervised and leg_up,
            )
            conns = render(links, customer_attached=True, leg_connected=supervised and leg_up)
            wanted |= _keys(conns, call_id)
        if leg is not None and leg_up:
            customer = self._records.get(leg.customer_call_id)
            if customer is None or not customer.attached:  # on hold (or gone): whisper stays
                links = mix(
                    leg.mode, customer_attached=False, held=True, muted=False, leg_connected=True
                )
                conns = render(links, customer_attached=False, leg_connected=True)
                wanted |= _keys(conns, leg.customer_call_id)
        return wanted

    def _headset(self) -> tuple[pj.AudioMedia, pj.AudioMedia] | None:
        """(microphone source, earpiece sink) of the bridge, or None if unknown."""
        if self.audio is None:
            if self.endpoint is None:
                return None
            adm = self.endpoint.audDevManager()
            return adm.getCaptureDevMedia(), adm.getPlaybackDevMedia()
        port = getattr(self.audio, "port", None)
        return None if port is None else (port, port)

    def _resolve(
        self, key: str, headset: tuple[pj.AudioMedia, pj.AudioMedia], *, sink: bool
    ) -> Any:
        if key == _HEADSET:
            return headset[1] if sink else headset[0]
        if key == _LEG:
            return self.leg.media if self.leg is not None else None
        return self._media.get(int(key[1:]))

    def _connect(
        self, src: str, sink: str, level: float, headset: tuple[pj.AudioMedia, pj.AudioMedia]
    ) -> None:
        source = self._resolve(src, headset, sink=False)
        target = self._resolve(sink, headset, sink=True)
        if source is None or target is None:
            return
        try:
            if level == FULL_LEVEL:
                source.startTransmit(target)
            else:
                prm = pj.AudioMediaTransmitParam()
                prm.level = level
                source.startTransmit2(target, prm)
        except pj.Error as exc:
            log.warning("bridge: connect %s->%s: %s", src, sink, exc.info())

    def _disconnect(
        self, src: str, sink: str, headset: tuple[pj.AudioMedia, pj.AudioMedia]
    ) -> None:
        source = self._resolve(src, headset, sink=False)
        target = self._resolve(sink, headset, sink=True)
        if source is None or target is None:
            return
        # pjsua2 asserts (aborts) on a negative conference slot: skip what is already gone
        if source.getPortId() < 0 or target.getPortId() < 0:
            return
        try:
            source.stopTransmit(target)
        except pj.Error as exc:
            log.debug("bridge: disconnect %s->%s: %s", src, sink, exc.info())

    def play_zip_tone(self) -> None:
        """Two short beeps telling the agent a call was auto-answered."""
        if self.tone is None or self.endpoint is None:
            return
        try:
            tones = pj.ToneDescVector()
            for _ in range(2):
                desc = pj.ToneDesc()
                desc.freq1 = ZIP_TONE_HZ
                desc.freq2 = 0
                desc.on_msec = 80
                desc.off_msec = 60
                desc.volume = 0
                tones.append(desc)
            self.tone.play(tones, False)
            # Into the agent's headset when the attachment exposes its conference port
            # (optional `port` attribute, see media.py); else to the (null) playback device.
            sink = getattr(self.audio, "port", None) if self.audio is not None else None
            if sink is None:
                sink = self.endpoint.audDevManager().getPlaybackDevMedia()
            self.tone.startTransmit(sink)
        except Exception as exc:
            log.debug("zip tone: %s", exc)


def _gone(media: pj.AudioMedia, slot: int | None) -> bool:
    """True when `media`'s conference port is no longer the call's (removed by pjsua)."""
    return slot is None or slot < 0 or slot != media.getPortId()


def _customer(call_id: int) -> str:
    return f"c{call_id}"


def _keys(conns: frozenset[Conn], call_id: int) -> set[_Key]:
    names = {Node.HEADSET: _HEADSET, Node.LEG: _LEG, Node.CUSTOMER: _customer(call_id)}
    return {(names[c.source], names[c.sink], c.level) for c in conns}


_LIVE_MEDIA = (
    pj.PJSUA_CALL_MEDIA_ACTIVE,
    pj.PJSUA_CALL_MEDIA_LOCAL_HOLD,
    pj.PJSUA_CALL_MEDIA_REMOTE_HOLD,
)


def measure_quality(call: pj.Call) -> CallQuality | None:
    """RTCP figures of the call's audio stream, or None when it has none (yet / any more).

    A call that is ending has no stream left to ask: pjsip would log PJ_EINVAL (an ERROR
    line at every hang-up), so only a live stream is read."""
    try:
        info = call.getInfo()
        if info.state == pj.PJSIP_INV_STATE_DISCONNECTED:
            return None
        for media in info.media:
            if media.type != pj.PJMEDIA_TYPE_AUDIO or media.status not in _LIVE_MEDIA:
                continue
            stat = call.getStreamStat(media.index).rtcp
            codec = str(call.getStreamInfo(media.index).codecName)
            return build_quality(
                rx_lost=int(stat.rxStat.loss),
                rx_received=int(stat.rxStat.pkt),
                tx_lost=int(stat.txStat.loss),
                tx_sent=int(stat.txStat.pkt),
                jitter_ms=float(stat.rxStat.jitterUsec.mean) / 1000.0,
                rtt_ms=float(stat.rttUsec.mean) / 1000.0,
                codec=codec,
            )
    except Exception as exc:  # no stream (never connected, already destroyed)
        log.debug("no stream statistics: %s", exc)
    return None
