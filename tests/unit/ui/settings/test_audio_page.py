"""The audio settings page over the fake audio service (same methods as `AudioService`)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from homeagent.core.audio_settings import AudioSettings, NoiseStatus, NoiseTestPhase
from homeagent.core.audio_setup import AudioRole, AudioSettingsFile
from homeagent.core.events import AudioDevice
from homeagent.testing.audio_preview import (
    BUILT_IN_MIC,
    BUILT_IN_OUT,
    HDMI_OUT,
    HEADSET_MIC,
    HEADSET_OUT,
    FakeAudioService,
)
from homeagent.ui.qt.dispatcher import Dispatcher
from homeagent.ui.settings.audio_page import (
    AudioSettingsController,
    AudioSettingsPage,
    SettingsSaver,
)
from homeagent.ui.shell.banner import Banner
from tests.unit.ui.conftest import make_desk

SPEAKERPHONE = AudioDevice("alsa_output.usb-Poly_Sync_20-00.analog-stereo", "Poly Sync 20", False)


def _texts(page: AudioSettingsPage, role: AudioRole) -> list[str]:
    combo = page.combos[role]
    return [combo.itemText(i) for i in range(combo.count())]


class Rig:
    """A fake service, the dispatcher it posts through, and the controller with its page."""

    def __init__(
        self,
        qtbot,  # type: ignore[no-untyped-def]
        settings: AudioSettings | None = None,
        saver: SettingsSaver | None = None,
        **kw,  # type: ignore[no-untyped-def]
    ) -> None:
        self.qtbot = qtbot
        self.dispatcher = Dispatcher()
        self.banner = Banner("missed")
        self.audio = FakeAudioService(
            self.dispatcher.post, settings, on_settings_changed=saver, **kw
        )
        self.controller = AudioSettingsController(
            audio=self.audio, dispatcher=self.dispatcher, banner=self.banner, saver=saver
        )

    def open(self) -> AudioSettingsPage:
        page = self.controller.open_page()
        self.qtbot.addWidget(page)
        self.qtbot.waitExposed(page)
        return page


@pytest.fixture
def rig(qtbot) -> Iterator[Rig]:  # type: ignore[no-untyped-def]
    rig = Rig(qtbot)
    yield rig
    rig.controller.stop()


def test_lists_show_system_default_first_then_devices_by_name(qtbot, rig) -> None:  # type: ignore[no-untyped-def]
    page = rig.open()
    assert _texts(page, AudioRole.MICROPHONE) == [
        "System default device (Microphone interne)",
        "Microphone interne",  # chosen by name: stays even when the system default changes
        "Jabra Evolve2 40 Mono",
    ]
    assert _texts(page, AudioRole.SPEAKER) == [
        "System default device (Haut-parleurs intégrés)",
        "Haut-parleurs intégrés",
        "Jabra Evolve2 40 Stéréo",
        "Écran HDMI (DELL P2419H)",
    ]
    assert _texts(page, AudioRole.RINGER) == _texts(page, AudioRole.SPEAKER)
    assert all(c.currentIndex() == 0 for c in page.combos.values())
    assert page.volume.value() == 80


def test_lists_follow_hot_plug(qtbot, rig) -> None:  # type: ignore[no-untyped-def]
    page = rig.open()
    rig.audio.plug(SPEAKERPHONE)
    qtbot.waitUntil(lambda: "Poly Sync 20" in _texts(page, AudioRole.SPEAKER))
    assert "Poly Sync 20" in _texts(page, AudioRole.RINGER)
    assert "Poly Sync 20" not in _texts(page, AudioRole.MICROPHONE)
    rig.audio.unplug(HDMI_OUT.id)
    qtbot.waitUntil(lambda: "Écran HDMI (DELL P2419H)" not in _texts(page, AudioRole.SPEAKER))


def test_choosing_a_device_calls_select_and_keeps_the_choice_when_unplugged(qtbot, rig) -> None:  # type: ignore[no-untyped-def]
    page = rig.open()
    combo = page.combos[AudioRole.SPEAKER]
    combo.setFocus()
    qtbot.keyClick(combo, Qt.Key.Key_Down)  # the keyboard alone picks a device
    assert rig.audio.calls[-1] == ("select_speaker", BUILT_IN_OUT.id)
    qtbot.keyClick(combo, Qt.Key.Key_Down)
    assert rig.audio.calls[-1] == ("select_speaker", HEADSET_OUT.id)
    assert rig.audio.settings.speaker_id == HEADSET_OUT.id
    page.combos[AudioRole.MICROPHONE].activated.emit(2)
    page.combos[AudioRole.RINGER].activated.emit(2)
    assert ("select_microphone", HEADSET_MIC.id) in rig.audio.calls
    assert ("select_ringer", HEADSET_OUT.id) in rig.audio.calls
    # the headset goes away: still chosen, shown as unplugged, with what is used now
    rig.audio.unplug(HEADSET_OUT.id)
    qtbot.waitUntil(lambda: combo.currentText() == "Jabra Evolve2 40 Stéréo (unplugged)")
    note = page.in_use[AudioRole.SPEAKER]
    assert note.isVisible()
    assert "Haut-parleurs intégrés" in note.text()
    calls = len(rig.audio.calls)
    page.combos[AudioRole.SPEAKER].activated.emit(1)  # the unplugged entry again: no change
    assert len(rig.audio.calls) == calls
    page.combos[AudioRole.SPEAKER].activated.emit(0)  # back to the system default
    assert rig.audio.calls[-1] == ("select_speaker", None)
    assert combo.count() == 3  # the unplugged entry is gone once not chosen
    rig.audio.plug(HEADSET_OUT)
    qtbot.waitUntil(lambda: combo.count() == 4 and "Stéréo" in combo.itemText(3))
    assert combo.currentIndex() == 0


def test_meter_runs_only_while_the_page_is_open_and_moves_with_the_level(qtbot, rig) -> None:  # type: ignore[no-untyped-def]
    assert not rig.audio.meter_on
    page = rig.open()
    assert rig.audio.meter_on
    assert page.meter.value() == 0
    rig.audio.level(0.5)  # -6 dBFS
    qtbot.waitUntil(lambda: page.meter.value() == 90)
    rig.audio.level(0.01)  # -40 dBFS
    qtbot.waitUntil(lambda: page.meter.value() == 33)
    page.close()
    assert not rig.audio.meter_on
    assert page.meter.value() == 0
    assert ("set_mic_meter", False) in rig.audio.calls


def test_test_button_plays_the_tone_and_volume_is_sent(qtbot, rig) -> None:  # type: ignore[no-untyped-def]
    page = rig.open()
    idle_text = page.test.text()
    qtbot.mouseClick(page.test, Qt.MouseButton.LeftButton)
    assert rig.audio.calls[-1][0] == "play_test_tone"
    assert page.test.text() != idle_text  # says it plays ("Lecture…")
    assert not page.test.isEnabled()
    qtbot.waitUntil(lambda: page.test.text() == idle_text, timeout=4000)
    assert page.test.isEnabled()
    page.volume.setFocus()
    qtbot.keyClick(page.volume, Qt.Key.Key_PageDown)  # 80 -> 70
    assert rig.audio.calls[-1] == ("set_ringer_volume", 0.7)
    assert page.volume_value.text() == "70 %"
    assert rig.audio.settings.ringer_volume == 0.7


def test_choices_are_stored_by_identity_and_come_back_after_a_restart(
    qtbot,  # type: ignore[no-untyped-def]
    tmp_path: Path,
) -> None:
    file = AudioSettingsFile(tmp_path / "data" / "audio.json")
    assert file.load() is None
    first = Rig(qtbot, AudioSettings.from_dict(file.load()), SettingsSaver(file))
    page = first.open()
    page.combos[AudioRole.MICROPHONE].activated.emit(2)
    page.combos[AudioRole.SPEAKER].activated.emit(2)
    page.combos[AudioRole.RINGER].activated.emit(3)
    page.volume.setValue(35)
    first.controller.stop()
    stored = json.loads(file.path.read_text(encoding="utf-8"))
    assert stored == {
        "version": 1,
        "microphone_id": HEADSET_MIC.id,
        "speaker_id": HEADSET_OUT.id,
        "ringer_id": HDMI_OUT.id,
        "ringer_volume": 0.35,
        "noise_suppression": True,
        "device_names": {
            HEADSET_MIC.id: HEADSET_MIC.name,
            HEADSET_OUT.id: HEADSET_OUT.name,
            HDMI_OUT.id: HDMI_OUT.name,
        },
    }
    # the next start: the devices are listed in another order, the choices still hold
    data = file.load()
    again = Rig(
        qtbot,
        AudioSettings.from_dict(data),
        SettingsSaver(file, None, data),
        inputs=(HEADSET_MIC, BUILT_IN_MIC),
        outputs=(HDMI_OUT, HEADSET_OUT, BUILT_IN_OUT),
    )
    page = again.open()
    assert page.combos[AudioRole.MICROPHONE].currentText() == "Jabra Evolve2 40 Mono"
    assert page.combos[AudioRole.SPEAKER].currentText() == "Jabra Evolve2 40 Stéréo"
    assert page.combos[AudioRole.RINGER].currentText() == "Écran HDMI (DELL P2419H)"
    assert page.volume.value() == 35
    again.controller.stop()
    # and a start without the headset: still chosen, shown by the name the agent knows
    data = file.load()
    unplugged = Rig(
        qtbot,
        AudioSettings.from_dict(data),
        SettingsSaver(file, None, data),
        inputs=(BUILT_IN_MIC,),
        outputs=(BUILT_IN_OUT,),
    )
    page = unplugged.open()
    assert page.combos[AudioRole.SPEAKER].currentText() == "Jabra Evolve2 40 Stéréo (unplugged)"
    assert page.in_use[AudioRole.SPEAKER].text() == "Unplugged: now using Haut-parleurs intégrés"
    assert unplugged.audio.settings.speaker_id == HEADSET_OUT.id
    unplugged.controller.stop()


def test_settings_saver_can_write_off_the_gui_thread(tmp_path: Path) -> None:
    file = AudioSettingsFile(tmp_path / "audio.json")
    jobs: list[object] = []
    save = SettingsSaver(file, jobs.append)
    save(AudioSettings(speaker_id="x"))
    assert not file.path.exists()
    assert len(jobs) == 1
    jobs[0]()  # type: ignore[operator]
    assert AudioSettings.from_dict(file.load()).speaker_id == "x"


def test_unreadable_file_means_defaults(tmp_path: Path) -> None:
    path = tmp_path / "audio.json"
    path.write_text("{not json", encoding="utf-8")
    assert AudioSettings.from_dict(AudioSettingsFile(path).load()) == AudioSettings()


def test_fallback_banner_names_the_lost_device_and_never_takes_focus(qtbot) -> None:  # type: ignore[no-untyped-def]
    desk = make_desk(qtbot)
    try:
        w = desk.window
        audio = FakeAudioService(desk.dispatcher.post, AudioSettings(speaker_id=HEADSET_OUT.id))
        controller = AudioSettingsController(
            audio=audio, dispatcher=desk.dispatcher, banner=w.audio_banner, parent_widget=w
        )
        field = w.idle.search.field  # idle: the centre has the one search
        field.setFocus()
        qtbot.waitUntil(field.hasFocus)
        qtbot.keyClicks(field, "Dub")
        audio.unplug(HEADSET_OUT.id, in_use_as=AudioRole.SPEAKER)
        qtbot.waitUntil(w.audio_banner.isVisible)
        text = w.audio_banner.text.text()
        assert "Jabra Evolve2 40 Stéréo" in text
        assert "Haut-parleurs intégrés" in text
        assert QApplication.activeModalWidget() is None
        assert field.hasFocus()
        qtbot.keyClicks(field, "ois")
        assert field.text() == "Dubois"
        # plugged in again: the banner goes by itself
        audio.plug(HEADSET_OUT)
        qtbot.waitUntil(lambda: not w.audio_banner.isVisible())
        audio.unplug(HEADSET_MIC.id, in_use_as=AudioRole.MICROPHONE)
        qtbot.waitUntil(w.audio_banner.isVisible)
        assert "Microphone interne" in w.audio_banner.text.text()
        qtbot.mouseClick(w.audio_banner.button, Qt.MouseButton.LeftButton)  # OK
        assert not w.audio_banner.isVisible()
        controller.stop()
    finally:
        desk.controller.stop()
        desk.lanes.close()


def test_reachable_from_the_top_bar_and_a_shortcut_listed_in_f1(qtbot) -> None:  # type: ignore[no-untyped-def]
    desk = make_desk(qtbot)
    try:
        w = desk.window
        audio = FakeAudioService(desk.dispatcher.post)
        controller = AudioSettingsController(
            audio=audio, dispatcher=desk.dispatcher, banner=w.audio_banner, parent_widget=w
        )
        w.audio_settings_requested.connect(controller.open_page)
        w.activateWindow()
        field = w.idle.search.field  # a field of this window has the keyboard
        field.setFocus()
        qtbot.waitUntil(lambda: QApplication.focusWidget() is field)
        qtbot.keyClick(field, Qt.Key.Key_A, _CTRL_SHIFT)
        qtbot.waitUntil(lambda: controller.page is not None, timeout=3000)
        page = controller.page
        assert page is not None
        assert page.isVisible()
        assert not page.isModal()
        page.close()
        qtbot.mouseClick(w.top.audio, Qt.MouseButton.LeftButton)
        assert page.isVisible()
        assert controller.page is page
        sheet = w.show_shortcut_sheet()
        qtbot.addWidget(sheet)
        rows = {
            sheet.table.item(r, 0).text(): sheet.table.item(r, 1).text()
            for r in range(sheet.table.rowCount())
        }
        assert "Audio settings (microphone, headset, ringer)" in rows
        controller.stop()
    finally:
        desk.controller.stop()
        desk.lanes.close()


_CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


def test_the_page_speaks_french(qtbot, french) -> None:  # type: ignore[no-untyped-def]
    rig = Rig(qtbot, AudioSettings(ringer_id=HDMI_OUT.id))
    page = rig.open()
    form_labels = {lbl.text() for lbl in page.findChildren(type(page.volume_value))}
    assert {"&Microphone", "&Casque", "&Sonnerie", "&Volume de la sonnerie"} <= form_labels
    assert page.test.text() == "&Tester"
    assert page.windowTitle() == "Réglages audio"
    assert (
        _texts(page, AudioRole.MICROPHONE)[0]
        == "Périphérique par défaut du système (Microphone interne)"
    )
    rig.audio.unplug(HDMI_OUT.id, in_use_as=AudioRole.RINGER)
    qtbot.waitUntil(rig.banner.isVisible)
    assert rig.banner.text.text() == (
        "Sonnerie « Écran HDMI (DELL P2419H) » débranchée : "
        "les appels sonnent maintenant sur « Haut-parleurs intégrés »."
    )
    assert page.combos[AudioRole.RINGER].currentText() == "Écran HDMI (DELL P2419H) (débranché)"
    rig.controller.stop()


def test_page_dies_with_its_window_and_the_meter_stops(qtbot) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QWidget

    window = QWidget()
    dispatcher = Dispatcher()
    audio = FakeAudioService(dispatcher.post)
    controller = AudioSettingsController(audio=audio, dispatcher=dispatcher, parent_widget=window)
    controller.open_page()
    assert audio.meter_on
    window.deleteLater()
    qtbot.waitUntil(lambda: controller.page is None)
    assert not audio.meter_on
    audio.plug(SPEAKERPHONE)  # events after the window went: nothing to render, no error
    audio.level(0.5)
    qtbot.wait(20)
    controller.stop()


def test_noise_filter_is_on_by_default_switchable_and_remembered(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    file = AudioSettingsFile(tmp_path / "audio.json")
    rig = Rig(qtbot, saver=SettingsSaver(file))
    page = rig.open()
    assert page.noise.isChecked()
    assert page.noise.isEnabled()
    assert "less of the noise" in page.noise_note.text()
    page.noise.setFocus()
    qtbot.keyClick(page.noise, Qt.Key.Key_Space)  # the keyboard alone switches it
    assert rig.audio.calls[-1] == ("set_noise_suppression", False)
    assert json.loads((tmp_path / "audio.json").read_text())["noise_suppression"] is False
    qtbot.waitUntil(lambda: "hears everything" in page.noise_note.text())
    rig.controller.stop()
    again = Rig(qtbot, settings=AudioSettings.from_dict(file.load()))
    assert not again.open().noise.isChecked()
    again.controller.stop()


def test_noise_filter_missing_or_failed_is_said_and_never_blocks(qtbot, rig) -> None:  # type: ignore[no-untyped-def]
    page = rig.open()
    rig.audio._set_noise_status(NoiseStatus.FAILED)
    qtbot.waitUntil(lambda: "stopped after an error" in page.noise_note.text())
    assert page.noise.isEnabled()
    rig.audio._set_noise_status(NoiseStatus.UNAVAILABLE)
    qtbot.waitUntil(lambda: "not installed" in page.noise_note.text())
    assert not page.noise.isEnabled()
    assert page.noise_test.isEnabled()  # the listening test still plays (twice unfiltered)


def test_listening_test_says_each_step_and_gives_the_button_back(qtbot, rig) -> None:  # type: ignore[no-untyped-def]
    page = rig.open()
    qtbot.mouseClick(page.noise_test, Qt.MouseButton.LeftButton)
    assert rig.audio.calls[-1] == ("record_noise_test", 3.0)
    qtbot.waitUntil(lambda: "Recording" in page.noise_note.text())
    assert not page.noise_test.isEnabled()
    rig.audio.noise_test_step(NoiseTestPhase.PLAYING_RAW)
    qtbot.waitUntil(lambda: "without the filter" in page.noise_note.text())
    rig.audio.noise_test_step(NoiseTestPhase.PLAYING_FILTERED)
    qtbot.waitUntil(lambda: "with the filter" in page.noise_note.text())
    rig.audio.noise_test_step(NoiseTestPhase.DONE)
    qtbot.waitUntil(page.noise_test.isEnabled)
    assert "what the customer hears" in page.noise_note.text()
    qtbot.mouseClick(page.noise_test, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not page.noise_test.isEnabled())
    rig.audio.noise_test_step(NoiseTestPhase.CANCELLED)  # a call came in
    qtbot.waitUntil(lambda: "a call came first" in page.noise_note.text())
    assert page.noise_test.isEnabled()
