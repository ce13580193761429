"""The desk's headset audio for a session (`session.py`, step 3 and its settings page).

The audio service starts on the agent's device choices, remembered by device identity
across restarts in the data folder; without a sound server it is None and calls still
work on the null device. The audio page is wired to the window only when there is audio.
"""

from __future__ import annotations

import logging
from pathlib import Path

from homeagent.core.audio_settings import AudioSettings
from homeagent.core.audio_setup import AUDIO_SETTINGS_FILE, AudioSettingsFile
from homeagent.core.eventlog import EventLog
from homeagent.core.ports import AudioService
from homeagent.ui.qt.dispatcher import Dispatcher
from homeagent.ui.qt.tasks import TaskLanes
from homeagent.ui.settings.audio_page import AudioSettingsController, SettingsSaver
from homeagent.ui.shell.main_window import MainWindow

log = logging.getLogger(__name__)


def start_audio(
    *, data_dir: Path, dispatcher: Dispatcher, lanes: TaskLanes, event_log: EventLog
) -> tuple[AudioService | None, SettingsSaver | None]:
    """The started audio service (None: unavailable) and the saver of its settings."""
    saver: SettingsSaver | None = None
    try:
        from homeagent.sip.audio.service import AudioService as RealAudioService

        # the agent's device choices, remembered by device identity across restarts
        file = AudioSettingsFile(data_dir / AUDIO_SETTINGS_FILE)
        stored = file.load()
        saver = SettingsSaver(file, lanes.disk.run, stored)
        service = RealAudioService(
            dispatcher.post,
            AudioSettings.from_dict(stored),
            on_settings_changed=saver,
        )
        service.start()
        return service, saver
    except Exception as exc:  # no sound server: calls still work on the null device
        log.warning("audio unavailable: %s", exc)
        event_log.write("audio_unavailable", message=str(exc))
        return None, saver


def wire_audio_page(
    *,
    window: MainWindow,
    audio: AudioService | None,
    dispatcher: Dispatcher,
    saver: SettingsSaver | None,
) -> AudioSettingsController | None:
    """The audio settings page, opened from the top bar; None (its entries hidden) when
    there is no audio."""
    if audio is None:  # no sound server: nothing to choose
        window.top.audio.setVisible(False)
        window.shortcut_actions["audio_settings"].setEnabled(False)
        return None
    page = AudioSettingsController(
        audio=audio,
        dispatcher=dispatcher,
        banner=window.audio_banner,
        parent_widget=window,
        saver=saver,
    )
    window.audio_settings_requested.connect(page.open_page)
    return page
