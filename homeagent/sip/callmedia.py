"""A call's media on the engine thread: where its audio goes, its RTCP figures, zip tone."""

from __future__ import annotations

import logging

import pjsua2 as pj

from homeagent.core.events import CallQuality
from homeagent.sip.calls import CallRecord
from homeagent.sip.media import AudioAttachment
from homeagent.sip.quality import build_quality

log = logging.getLogger(__name__)

ZIP_TONE_HZ = 1400


class CallMedia:
    """Connects calls' audio to the attachment (or the null device) and plays the zip tone."""

    def __init__(self, audio: AudioAttachment | None) -> None:
        self.audio = audio
        self.endpoint: pj.Endpoint | None = None
        self.tone: pj.ToneGenerator | None = None
        self._media: dict[int, pj.AudioMedia] = {}

    def attach(self, record: CallRecord, call: pj.Call, index: int) -> None:
        """The call's audio became active: connect it (once) and apply the mute state."""
        if record.attached:
            return
        media = call.getAudioMedia(index)
        self._media[record.call_id] = media
        if self.audio is not None:
            self.audio.attach(media)
        else:
            assert self.endpoint is not None
            adm = self.endpoint.audDevManager()
            media.startTransmit(adm.getPlaybackDevMedia())
            adm.getCaptureDevMedia().startTransmit(media)
        record.attached = True
        self.apply_mute(record)

    def apply_mute(self, record: CallRecord) -> None:
        """Muted: the bridge sends silence to the far end (transmit level 0)."""
        media = self._media.get(record.call_id)
        if media is not None and record.attached:
            media.adjustTxLevel(0.0 if record.muted else 1.0)

    def detach(self, record: CallRecord) -> None:
        """The call's audio stopped being active (hold, end): disconnect it (idempotent)."""
        media = self._media.get(record.call_id)
        if media is None or not record.attached:
            return
        record.attached = False
        try:
            if self.audio is not None:
                self.audio.detach(media)
            else:
                assert self.endpoint is not None
                adm = self.endpoint.audDevManager()
                media.stopTransmit(adm.getPlaybackDevMedia())
                adm.getCaptureDevMedia().stopTransmit(media)
        except Exception as exc:  # the conference port may already be gone at call end
            log.debug("detach of call %s: %s", record.call_id, exc)

    def forget(self, call_id: int) -> None:
        self._media.pop(call_id, None)

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
