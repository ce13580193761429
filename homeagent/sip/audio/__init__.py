"""Real headset audio: Qt Multimedia devices bridged to pjsua2's null sound device.

- `AudioService` (service.py): the facade the app and settings page use; owns the audio
  thread; its `bridge` is the SIP engine's `AudioAttachment`.
- `PjAudioBridge` (bridge.py): the pjsua2 media port; engine thread only.
- `DriftBuffer` (ringbuffer.py): the bounded buffers between the two clocks.
The agent's choices (`AudioSettings`, `AudioRole`) are plain data in `homeagent.core`.
"""

from homeagent.sip.audio.bridge import PjAudioBridge
from homeagent.sip.audio.ringbuffer import DriftBuffer, DriftStats
from homeagent.sip.audio.service import AudioService, BridgeStats

__all__ = [
    "AudioService",
    "BridgeStats",
    "DriftBuffer",
    "DriftStats",
    "PjAudioBridge",
]
