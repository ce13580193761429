"""The audio page's decisions: lists, choices by identity, meter scale, fallback names."""

from __future__ import annotations

from homeagent.core.audio_setup import AudioPagePresenter, AudioRole, OptionKind, meter_percent
from homeagent.core.events import AudioDevice

MIC = AudioDevice("mic-builtin", "Microphone interne", True, True)
HEADSET_MIC = AudioDevice("mic-jabra", "Jabra Mono", True)
SPEAKERS = AudioDevice("out-builtin", "Haut-parleurs", False, True)
HEADSET = AudioDevice("out-jabra", "Jabra Stéréo", False)


def _presenter(**chosen: str | None) -> AudioPagePresenter:
    p = AudioPagePresenter({AudioRole(k): v for k, v in chosen.items()})
    p.set_devices((MIC, HEADSET_MIC), (SPEAKERS, HEADSET))
    return p


def test_default_first_named_after_the_current_default() -> None:
    view = _presenter().view()
    first = view.speaker.options[0]
    assert first.kind is OptionKind.SYSTEM_DEFAULT
    assert first.name == "Haut-parleurs"
    assert [o.device_id for o in view.speaker.options] == [None, "out-builtin", "out-jabra"]
    assert view.speaker.selected == 0
    assert view.speaker.in_use_name == "Haut-parleurs"
    assert view.ringer_volume_pct == 80


def test_choose_reports_only_changes() -> None:
    p = _presenter()
    assert p.choose(AudioRole.SPEAKER, 2) == (True, "out-jabra")
    assert p.choose(AudioRole.SPEAKER, 2) == (False, "out-jabra")
    assert p.choose(AudioRole.SPEAKER, 9) == (False, "out-jabra")
    assert p.view().speaker.selected == 2
    assert p.choose(AudioRole.SPEAKER, 0) == (True, None)


def test_an_unplugged_choice_stays_listed_and_selected() -> None:
    p = _presenter(speaker="out-jabra")
    p.set_devices((MIC,), (SPEAKERS,))
    rv = p.view().speaker
    assert rv.options[1].kind is OptionKind.MISSING
    assert rv.options[1].name == "Jabra Stéréo"  # remembered from when it was listed
    assert rv.selected == 1
    assert rv.in_use_name == "Haut-parleurs"
    assert p.choose(AudioRole.SPEAKER, 1) == (False, "out-jabra")
    never_seen = AudioPagePresenter({AudioRole.RINGER: "usb-gone"})
    assert never_seen.view().ringer.options[1].name == "usb-gone"


def test_fallback_names_the_lost_device_and_the_one_in_use() -> None:
    p = _presenter(microphone="mic-jabra")
    p.set_devices((MIC,), (SPEAKERS, HEADSET))
    notice = p.fallback("microphone", "mic-jabra", "mic-builtin")
    assert (notice.role, notice.lost_name, notice.now_name) == (
        AudioRole.MICROPHONE,
        "Jabra Mono",
        "Microphone interne",
    )
    assert not p.is_back("mic-jabra", AudioRole.MICROPHONE)
    p.set_devices((MIC, HEADSET_MIC), (SPEAKERS,))
    assert p.is_back("mic-jabra", AudioRole.MICROPHONE)


def test_volume_in_percent() -> None:
    p = _presenter()
    assert p.set_volume_pct(80) == (False, 0.8)
    assert p.set_volume_pct(35) == (True, 0.35)
    assert p.set_volume_pct(150) == (True, 1.0)


def test_meter_is_on_a_db_scale() -> None:
    assert meter_percent(0.0) == 0
    assert meter_percent(0.0005) == 0  # under -60 dBFS
    assert meter_percent(0.001) == 0
    assert meter_percent(0.01) == 33
    assert meter_percent(0.1) == 67
    assert meter_percent(1.0) == 100
    assert meter_percent(3.0) == 100


def test_names_are_stored_with_the_choices_and_read_back() -> None:
    from homeagent.core.audio_setup import stored_names, with_names

    data = {"version": 1, "microphone_id": None, "speaker_id": "out-jabra", "ringer_id": None}
    saved = with_names(data, {"out-jabra": "Jabra Stéréo", "other": "Autre"})
    assert saved["device_names"] == {"out-jabra": "Jabra Stéréo"}
    assert stored_names(saved) == {"out-jabra": "Jabra Stéréo"}
    assert stored_names({"device_names": ["bad"]}) == {}
    assert stored_names(None) == {}
    p = AudioPagePresenter({AudioRole.SPEAKER: "out-jabra"}, names=stored_names(saved))
    assert p.view().speaker.options[1].name == "Jabra Stéréo"
    assert p.fallback("speaker", "out-jabra", "").now_name == ""
