"""Device choices remembered by identity, and which device a role actually uses."""

from __future__ import annotations

import json

from homeagent.core.audio_settings import AudioSettings, effective_device
from homeagent.core.audio_setup import AudioRole
from homeagent.core.events import AudioDevice

BUILTIN = AudioDevice("alsa_output.pci-0000_00_1f.3.analog-stereo", "Built-in Audio", False, True)
USB = AudioDevice("alsa_output.usb-Jabra_Evolve_20-00.analog-stereo", "Jabra Evolve 20", False)


def test_round_trip_through_json() -> None:
    s = AudioSettings(microphone_id="mic-1", speaker_id=USB.id, ringer_id=None, ringer_volume=0.5)
    back = AudioSettings.from_dict(json.loads(json.dumps(s.to_dict())))
    assert back == s


def test_missing_or_malformed_values_fall_back_to_defaults() -> None:
    assert AudioSettings.from_dict(None) == AudioSettings()
    odd = AudioSettings.from_dict({"speaker_id": 42, "microphone_id": "", "ringer_volume": "x"})
    assert odd == AudioSettings()
    assert AudioSettings.from_dict({"ringer_volume": 7}).ringer_volume == 1.0


def test_with_choice_changes_only_that_role() -> None:
    s = AudioSettings().with_choice(AudioRole.RINGER, BUILTIN.id)
    assert s.chosen(AudioRole.RINGER) == BUILTIN.id
    assert s.chosen(AudioRole.SPEAKER) is None
    assert s.with_choice(AudioRole.SPEAKER, USB.id).speaker_id == USB.id


def test_chosen_device_is_used_when_present_else_the_default() -> None:
    assert effective_device(USB.id, [BUILTIN, USB]) == USB
    # Unplugged: fall back to the system default, but the choice is kept for when it returns.
    assert effective_device(USB.id, [BUILTIN]) == BUILTIN
    assert effective_device(None, [USB, BUILTIN]) == BUILTIN
    assert effective_device(None, [USB]) == USB  # no default flagged: first one
    assert effective_device(USB.id, []) is None
