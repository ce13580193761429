"""The audio settings page (microphone, headset, ringer) and its GUI-thread controller.

`AudioSettingsPage` is a thin non-modal dialog: it renders `AudioPageView`s and emits
what the agent did. `AudioSettingsController` binds it to the audio service: device lists
and levels arrive as events through the dispatcher, choices go to `select_*`, and the
fallback banner tells the agent when a device in use was unplugged. The decisions live in
`homeagent.core.audio_setup`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QHideEvent, QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from homeagent.core.audio_settings import NoiseStatus, NoiseTestPhase
from homeagent.core.audio_setup import (
    AudioPagePresenter,
    AudioPageView,
    AudioRole,
    AudioSettingsFile,
    DeviceOption,
    FallbackNotice,
    OptionKind,
    RoleView,
    meter_percent,
    stored_names,
    with_names,
)
from homeagent.core.events import (
    AudioDeviceFellBack,
    AudioDevicesChanged,
    Event,
    MicLevelMeasured,
    NoiseSuppressionChanged,
    NoiseTestProgressed,
)
from homeagent.core.ports import AudioService
from homeagent.ui.qt.dispatcher import Dispatcher
from homeagent.ui.shell.banner import Banner

TEST_TONE_S = 1.5  # the headset test tone's length
NOISE_TEST_S = 3.0  # the listening test's recording


class SettingsSaver:
    """The audio service's `on_settings_changed`: stores the settings as JSON in `file`.

    Writes `settings.to_dict()` plus the names of the chosen devices, so an unplugged
    headset is still shown by its name after a restart. `run` moves the write off the GUI
    thread (e.g. `TaskRunner.run`); without it the write happens at once.
    """

    def __init__(
        self,
        file: AudioSettingsFile,
        run: Callable[[Callable[[], None]], None] | None = None,
        stored: Mapping[str, object] | None = None,
    ) -> None:
        self.file = file
        self._run = run
        self.names = stored_names(stored)  # shared with the page's presenter

    def __call__(self, settings: Any) -> None:
        data = with_names(settings.to_dict(), self.names)
        if self._run is None:
            self.file.save(data)
        else:
            self._run(lambda: self.file.save(data))


def option_text(option: DeviceOption) -> str:
    """How one entry of a device list reads."""
    if option.kind is OptionKind.SYSTEM_DEFAULT:
        if option.name:
            text = QCoreApplication.translate("AudioSettingsPage", "System default device ({name})")
            return text.format(name=option.name)
        return QCoreApplication.translate("AudioSettingsPage", "System default device")
    if option.kind is OptionKind.MISSING:
        text = QCoreApplication.translate("AudioSettingsPage", "{name} (unplugged)")
        return text.format(name=option.name)
    return option.name


class AudioSettingsPage(QDialog):
    """Three device lists, a microphone meter, a test button and the ringer volume."""

    device_chosen = Signal(object, int)  # payload: (core.audio_setup.AudioRole, list index)
    volume_chosen = Signal(int)  # payload: ringer volume in percent, 0 .. 100
    test_requested = Signal()  # payload: none (play the test tone on the headset)
    noise_chosen = Signal(bool)  # payload: noise filter wanted on (True) or off
    noise_test_requested = Signal()  # payload: none (record, play back raw then filtered)
    visibility_changed = Signal(bool)  # payload: shown (True) or hidden (False)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("AudioSettingsPage")
        self.setWindowTitle(self.tr("Audio settings"))
        self.setModal(False)
        self._rendering = False
        self.combos: dict[AudioRole, QComboBox] = {}
        self.in_use: dict[AudioRole, QLabel] = {}
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        labels = {
            AudioRole.MICROPHONE: self.tr("&Microphone"),
            AudioRole.SPEAKER: self.tr("&Headset"),
            AudioRole.RINGER: self.tr("&Ringer"),
        }
        for role, label in labels.items():
            combo = QComboBox(self)
            combo.setObjectName(f"{role.value}_combo")
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            combo.setMinimumContentsLength(28)
            combo.activated.connect(lambda i, r=role: self._on_combo_activated(r, i))
            note = QLabel(self)
            note.setProperty("role", "muted")
            note.setWordWrap(True)
            note.setVisible(False)
            self.combos[role] = combo
            self.in_use[role] = note
            caption = QLabel(label, self)
            caption.setBuddy(combo)  # Alt+M / Alt+C / Alt+S reach the list
            if role is AudioRole.SPEAKER:
                self.test = QPushButton(self.tr("&Test"), self)
                self.test.setObjectName("TestTone")
                self.test.setToolTip(self.tr("Play a short tone in the headset"))
                self.test.clicked.connect(self.test_requested)
                self._test_text = self.test.text()
                row = QHBoxLayout()
                row.addWidget(combo, 1)
                row.addWidget(self.test)
                form.addRow(caption, row)
            else:
                form.addRow(caption, combo)
            if role is AudioRole.MICROPHONE:
                self.meter = QProgressBar(self)
                self.meter.setObjectName("MicMeter")
                self.meter.setRange(0, 100)
                self.meter.setTextVisible(False)
                self.meter.setFixedHeight(10)
                self.meter.setValue(0)
                self.meter.setAccessibleName(self.tr("Microphone level"))
                form.addRow(self.tr("Level"), self.meter)
            form.addRow("", note)
        self.volume = QSlider(Qt.Orientation.Horizontal, self)
        self.volume.setObjectName("RingerVolume")
        self.volume.setRange(0, 100)
        self.volume.setSingleStep(5)
        self.volume.setPageStep(10)
        self.volume.setAccessibleName(self.tr("Ringer volume"))
        self.volume.valueChanged.connect(self._on_volume_value_changed)
        self.volume.sliderReleased.connect(self._on_volume_slider_released)
        self.volume_value = QLabel(self)
        self.volume_value.setMinimumWidth(40)
        volume_row = QHBoxLayout()
        volume_row.addWidget(self.volume, 1)
        volume_row.addWidget(self.volume_value)
        volume_label = QLabel(self.tr("Ringer &volume"), self)
        volume_label.setBuddy(self.volume)
        form.addRow(volume_label, volume_row)
        self.noise = QCheckBox(self.tr("&Filter background noise from my microphone"), self)
        self.noise.setObjectName("NoiseSuppression")
        self.noise.setToolTip(
            self.tr("Children, television, a fan: the customer hears your voice, not the house")
        )
        self.noise.toggled.connect(self._on_noise_toggled)
        self.noise_test = QPushButton(self.tr("&Listen: before / after"), self)
        self.noise_test.setObjectName("NoiseTest")
        self.noise_test.setToolTip(
            self.tr("Speak for 3 seconds, then hear yourself without and with the filter")
        )
        self.noise_test.clicked.connect(self.noise_test_requested)
        noise_row = QHBoxLayout()
        noise_row.addWidget(self.noise, 1)
        noise_row.addWidget(self.noise_test)
        form.addRow(self.tr("Noise"), noise_row)
        self.noise_note = QLabel(self)
        self.noise_note.setObjectName("NoiseNote")
        self.noise_note.setProperty("role", "muted")
        self.noise_note.setWordWrap(True)
        form.addRow("", self.noise_note)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.close)
        hint = QLabel(self.tr("Your choices are remembered, even when a device is unplugged."))
        hint.setProperty("role", "muted")
        hint.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 16, 12)
        layout.setSpacing(10)
        layout.addLayout(form)
        layout.addWidget(hint)
        layout.addWidget(buttons)
        self.resize(560, 0)

    # -- rendering ---------------------------------------------------------------------

    def show_view(self, view: AudioPageView) -> None:
        """Render the lists, the selected entries and the ringer volume."""
        self._rendering = True
        try:
            for role, combo in self.combos.items():
                self._show_role(combo, view.role(role))
            if not self.volume.isSliderDown():
                self.volume.setValue(view.ringer_volume_pct)
            self.volume_value.setText(f"{self.volume.value()} %")
        finally:
            self._rendering = False

    def _show_role(self, combo: QComboBox, rv: RoleView) -> None:
        texts = [option_text(o) for o in rv.options]
        if [combo.itemText(i) for i in range(combo.count())] != texts:
            combo.clear()
            combo.addItems(texts)
        combo.setCurrentIndex(rv.selected)
        combo.setAccessibleDescription(texts[rv.selected] if texts else "")
        note = self.in_use[rv.role]
        missing = rv.options[rv.selected].kind is OptionKind.MISSING if rv.options else False
        if missing:
            text = (
                self.tr("Unplugged: now using {name}").format(name=rv.in_use_name)
                if rv.in_use_name
                else self.tr("Unplugged: no other device available")
            )
            note.setText(text)
        note.setVisible(missing)

    def show_playing(self, duration_s: float) -> None:
        """The test button says the tone plays, until it has played."""
        self.test.setEnabled(False)
        self.test.setText(self.tr("Playing…"))

        def done() -> None:
            self.test.setText(self._test_text)
            self.test.setEnabled(True)

        QTimer.singleShot(int(duration_s * 1000), self, done)

    def show_noise(self, wanted: bool, status: NoiseStatus) -> None:
        """The noise filter's switch and a sentence when it cannot work."""
        self._rendering = True
        try:
            self.noise.setChecked(wanted)
        finally:
            self._rendering = False
        usable = status is not NoiseStatus.UNAVAILABLE
        self.noise.setEnabled(usable)
        texts = {
            NoiseStatus.UNAVAILABLE: self.tr(
                "The noise filter is not installed on this computer: calls work, unfiltered."
            ),
            NoiseStatus.FAILED: self.tr(
                "The noise filter stopped after an error: calls go on without it."
                " It will be back after restarting the application."
            ),
        }
        if status in texts:
            self.noise_note.setText(texts[status])
        elif not self.noise_test.isEnabled():
            return  # a listening test is telling where it is
        else:
            self.noise_note.setText(
                self.tr("On: the customer hears less of the noise around you.")
                if wanted
                else self.tr("Off: the customer hears everything your microphone picks up.")
            )

    def show_noise_test(self, phase: NoiseTestPhase, filtered: bool) -> None:
        """Where the listening test is; the button is back when it ended."""
        texts = {
            NoiseTestPhase.RECORDING: self.tr("Recording: speak normally for 3 seconds…"),
            NoiseTestPhase.PLAYING_RAW: self.tr("Playing back: without the filter…"),
            NoiseTestPhase.PLAYING_FILTERED: self.tr("Playing back: with the filter…")
            if filtered
            else self.tr("Playing back again: the filter is not available, so unfiltered…"),
            NoiseTestPhase.DONE: self.tr("Done. The second playback is what the customer hears."),
            NoiseTestPhase.CANCELLED: self.tr("Listening test stopped: a call came first."),
            NoiseTestPhase.FAILED: self.tr(
                "Nothing was recorded: check that the microphone is plugged in and not muted."
            ),
        }
        running = phase in (
            NoiseTestPhase.RECORDING,
            NoiseTestPhase.PLAYING_RAW,
            NoiseTestPhase.PLAYING_FILTERED,
        )
        self.noise_test.setEnabled(not running)
        self.noise_note.setText(texts[phase])

    def show_level(self, pct: int) -> None:
        """The microphone meter (0 .. 100)."""
        self.meter.setValue(pct)

    # -- events ------------------------------------------------------------------------

    def _on_combo_activated(self, role: AudioRole, index: int) -> None:
        if not self._rendering:
            self.device_chosen.emit(role, index)

    def _on_volume_value_changed(self, value: int) -> None:
        self.volume_value.setText(f"{value} %")
        # while dragging, the volume is committed once on release (one settings write)
        if not self._rendering and not self.volume.isSliderDown():
            self.volume_chosen.emit(value)

    def _on_noise_toggled(self, on: bool) -> None:
        if not self._rendering:
            self.noise_chosen.emit(on)

    def _on_volume_slider_released(self) -> None:
        self.volume_chosen.emit(self.volume.value())

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.visibility_changed.emit(True)

    def hideEvent(self, event: QHideEvent) -> None:
        super().hideEvent(event)
        self.visibility_changed.emit(False)


class AudioSettingsController(QObject):
    """GUI-thread glue between the audio service, the page and the fallback banner."""

    def __init__(
        self,
        *,
        audio: AudioService,
        dispatcher: Dispatcher,
        banner: Banner | None = None,
        parent_widget: QWidget | None = None,
        saver: SettingsSaver | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.audio = audio
        self.banner = banner
        self._parent_widget = parent_widget
        self.presenter = AudioPagePresenter(names=saver.names if saver is not None else None)
        self.page: AudioSettingsPage | None = None
        self.notice: FallbackNotice | None = None
        self._notice_lost_id = ""
        self._meter_on = False
        self._sync_settings()
        current = audio.devices()
        self.presenter.set_devices(current.inputs, current.outputs)
        dispatcher.event_delivered.connect(self._on_dispatcher_event_delivered)
        if banner is not None:
            banner.action_clicked.connect(self._on_banner_action_clicked)

    def open_page(self) -> AudioSettingsPage:
        """Show the page (created once, then raised); it never blocks the window."""
        if self.page is None:
            page = AudioSettingsPage(self._parent_widget)
            page.device_chosen.connect(self._on_page_device_chosen)
            page.volume_chosen.connect(self._on_page_volume_chosen)
            page.test_requested.connect(self._on_page_test_requested)
            page.noise_chosen.connect(self._on_page_noise_chosen)
            page.noise_test_requested.connect(self._on_page_noise_test_requested)
            page.visibility_changed.connect(self._on_page_visibility_changed)
            page.destroyed.connect(self._on_page_destroyed)  # with its parent window
            self.page = page
        self._sync_settings()
        self.page.show_view(self.presenter.view())
        self._render_noise()
        self.page.show()
        self.page.raise_()
        self.page.activateWindow()
        return self.page

    def stop(self) -> None:
        """Close the page and stop metering (before the audio service stops)."""
        if self.page is not None:
            self.page.close()
        self._set_meter(False)

    # -- inputs ------------------------------------------------------------------------

    def _on_dispatcher_event_delivered(self, event: Event) -> None:
        if isinstance(event, AudioDevicesChanged):
            self.presenter.set_devices(event.inputs, event.outputs)
            if self.notice is not None and self.presenter.is_back(
                self._notice_lost_id, self.notice.role
            ):
                self._hide_notice()
            self._render()
        elif isinstance(event, MicLevelMeasured):
            if self.page is not None and self.page.isVisible():
                self.page.show_level(meter_percent(event.level))
        elif isinstance(event, AudioDeviceFellBack):
            self._show_notice(event)
        elif isinstance(event, NoiseSuppressionChanged):
            self._render_noise()
        elif isinstance(event, NoiseTestProgressed) and self.page is not None:
            self.page.show_noise_test(NoiseTestPhase(event.phase), event.filtered)

    def _on_page_device_chosen(self, role: AudioRole, index: int) -> None:
        changed, device_id = self.presenter.choose(role, index)
        if changed:
            select = {
                AudioRole.MICROPHONE: self.audio.select_microphone,
                AudioRole.SPEAKER: self.audio.select_speaker,
                AudioRole.RINGER: self.audio.select_ringer,
            }[role]
            select(device_id)
        self._sync_settings()
        self._render()

    def _on_page_volume_chosen(self, pct: int) -> None:
        changed, volume = self.presenter.set_volume_pct(pct)
        if changed:
            self.audio.set_ringer_volume(volume)

    def _on_page_test_requested(self) -> None:
        self.audio.play_test_tone(duration_s=TEST_TONE_S)
        if self.page is not None:
            self.page.show_playing(TEST_TONE_S)

    def _on_page_noise_chosen(self, on: bool) -> None:
        self.audio.set_noise_suppression(on)
        self._render_noise()

    def _on_page_noise_test_requested(self) -> None:
        try:
            self.audio.record_noise_test(NOISE_TEST_S)
        except RuntimeError:  # the audio service is not running
            if self.page is not None:
                self.page.show_noise_test(NoiseTestPhase.FAILED, False)

    def _on_page_visibility_changed(self, shown: bool) -> None:
        self._set_meter(shown)
        if not shown and self.page is not None:
            self.page.show_level(0)

    def _on_page_destroyed(self) -> None:
        self.page = None
        self._set_meter(False)

    def _on_banner_action_clicked(self) -> None:
        self._hide_notice()

    # -- helpers -----------------------------------------------------------------------

    def _sync_settings(self) -> None:
        s = self.audio.settings
        self.presenter.set_settings(
            microphone_id=s.microphone_id,
            speaker_id=s.speaker_id,
            ringer_id=s.ringer_id,
            ringer_volume=s.ringer_volume,
        )

    def _render(self) -> None:
        if self.page is not None:
            self.page.show_view(self.presenter.view())

    def _render_noise(self) -> None:
        if self.page is not None:
            self.page.show_noise(self.audio.settings.noise_suppression, self.audio.noise_status)

    def _set_meter(self, on: bool) -> None:
        if on != self._meter_on:
            self._meter_on = on
            with contextlib.suppress(RuntimeError):  # the service already stopped
                self.audio.set_mic_meter(on)

    def _show_notice(self, event: AudioDeviceFellBack) -> None:
        notice = self.presenter.fallback(event.role, event.lost_id, event.now_id)
        self.notice, self._notice_lost_id = notice, event.lost_id
        if self.banner is not None:
            self.banner.show_text(
                fallback_text(notice), QCoreApplication.translate("AudioSettingsPage", "OK")
            )
        self._render()

    def _hide_notice(self) -> None:
        self.notice, self._notice_lost_id = None, ""
        if self.banner is not None:
            self.banner.setVisible(False)


def fallback_text(notice: FallbackNotice) -> str:
    """The banner's sentence: which device was lost and what is used now."""
    texts = {
        AudioRole.MICROPHONE: QCoreApplication.translate(
            "AudioSettingsPage", "Microphone “{lost}” unplugged: now using “{now}”."
        ),
        AudioRole.SPEAKER: QCoreApplication.translate(
            "AudioSettingsPage", "Headset “{lost}” unplugged: you now hear calls on “{now}”."
        ),
        AudioRole.RINGER: QCoreApplication.translate(
            "AudioSettingsPage", "Ringer “{lost}” unplugged: calls now ring on “{now}”."
        ),
    }
    if not notice.now_name:
        text = QCoreApplication.translate(
            "AudioSettingsPage", "“{lost}” unplugged: no other sound device is available."
        )
        return text.format(lost=notice.lost_name)
    return texts[notice.role].format(lost=notice.lost_name, now=notice.now_name)
