"""`AgentSession` wires the audio page: settings loaded at start, saved on a choice."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import homeagent.sip.audio.service as audio_service
from homeagent.core.audio_setup import AUDIO_SETTINGS_FILE, AudioRole
from homeagent.core.desk_snapshot import Screen
from homeagent.core.eventlog import EventLog
from homeagent.core.sip_config import EngineConfig, SipAccountConfig
from homeagent.desktop.session import AgentSession
from homeagent.testing.audio_preview import HDMI_OUT, HEADSET_OUT, FakeAudioService
from homeagent.testing.device import FakeDevice
from homeagent.testing.fakes import FakeEngine


def _factory(config: EngineConfig, account: SipAccountConfig, on_event, audio=None):  # type: ignore[no-untyped-def]
    return FakeEngine(on_event, threaded=True)


def _start(qtbot, tmp_path: Path, *, use_audio: bool) -> AgentSession:  # type: ignore[no-untyped-def]
    log = EventLog(tmp_path / "events.jsonl")
    s = AgentSession(
        device=FakeDevice(data_dir=tmp_path, enrolled=True),
        event_log=log,
        engine_factory=_factory,
        use_audio=use_audio,
    )
    window = s.start()
    qtbot.addWidget(window)
    window.show()
    return s


def test_choices_are_loaded_at_start_and_saved_on_change(
    qtbot,  # type: ignore[no-untyped-def]
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    made: list[FakeAudioService] = []

    def fake(*args: Any, **kw: Any) -> FakeAudioService:
        made.append(FakeAudioService(*args, **kw))
        return made[-1]

    monkeypatch.setattr(audio_service, "AudioService", fake)
    path = tmp_path / AUDIO_SETTINGS_FILE
    path.write_text(json.dumps({"version": 1, "speaker_id": HEADSET_OUT.id, "ringer_volume": 0.5}))
    s = _start(qtbot, tmp_path, use_audio=True)
    try:
        audio = made[0]
        assert audio.settings.speaker_id == HEADSET_OUT.id
        assert audio.settings.ringer_volume == 0.5
        assert s.window is not None
        assert s.window.top.audio.isVisible()
        s.window.audio_settings_requested.emit()
        page = s.audio_settings.page if s.audio_settings else None
        assert page is not None
        qtbot.waitUntil(page.isVisible)
        assert page.combos[AudioRole.SPEAKER].currentText() == HEADSET_OUT.name
        page.combos[AudioRole.RINGER].activated.emit(3)  # default, built-in, headset, HDMI
        assert audio.calls[-1] == ("select_ringer", HDMI_OUT.id)
        qtbot.waitUntil(  # written by the task runner, off the GUI thread
            lambda: json.loads(path.read_text()).get("ringer_id") == HDMI_OUT.id
        )
        stored = json.loads(path.read_text())
        assert stored["speaker_id"] == HEADSET_OUT.id
        assert stored["device_names"][HDMI_OUT.id] == HDMI_OUT.name
    finally:
        s.stop()
        s.log.close()  # the session does not own the log
    assert not audio.meter_on


def test_without_audio_the_page_is_not_offered(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    s = _start(qtbot, tmp_path, use_audio=False)
    try:
        assert s.window is not None
        assert not s.window.top.audio.isVisible()
        assert not s.window.shortcut_actions["audio_settings"].isEnabled()
        assert s.audio_settings is None
    finally:
        s.stop()
        s.log.close()  # the session does not own the log


def test_a_ringer_that_fails_does_not_hide_the_ringing_call(
    qtbot,  # type: ignore[no-untyped-def]
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    class BrokenRinger(FakeAudioService):
        def start_ringing(self) -> None:
            raise RuntimeError("the sound server went away")

    monkeypatch.setattr(audio_service, "AudioService", BrokenRinger)
    s = _start(qtbot, tmp_path, use_audio=True)
    try:
        engine = s.engine
        assert isinstance(engine, FakeEngine)
        qtbot.waitUntil(lambda: s.model.snapshot().agent_name == "Alice Robert", timeout=3000)
        engine.ring("+33612345678")
        qtbot.waitUntil(lambda: s.model.snapshot().screen is Screen.RINGING, timeout=3000)
        window = s.window
        assert window.centre.currentWidget() is window.call_page
        assert window.actions_stack.currentWidget() is window.ringing
        window.ringing.answer.click()
        qtbot.waitUntil(lambda: s.model.snapshot().screen is Screen.IN_CALL, timeout=3000)
    finally:
        s.stop()
        s.log.close()
