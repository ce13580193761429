"""Canned network lines for the pre-shift check's window, and its screenshots.

`canned_network("good" | "wifi")` stands in for `NetworkCheck.run` (a home line on a
cable; a lossy Wi-Fi with a server slow to answer), built by the real decisions
(`homeagent.core.preshift`) from figures of the kind the echo test measures, and
delivered from a thread with small pauses like the real one. `check_shots` opens the
real window over them and saves `check_green` and `check_red`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

from homeagent.core import preshift as ps
from homeagent.testing.audio_preview import FakeAudioService
from homeagent.ui.check.controller import CheckController, CheckPorts
from homeagent.ui.qt.dispatcher import Dispatcher

Progress = Callable[[ps.Item], None]

GOOD_ECHO = ps.EchoFigures(
    sent=400, received=400, loss_pct=0.0, up_loss_pct=0.0, down_loss_pct=0.0,
    rtt_ms=24.3, jitter_ms=2.1, up_jitter_ms=2.1, down_jitter_ms=1.4,
)  # fmt: skip
WIFI_ECHO = ps.EchoFigures(
    sent=400, received=349, loss_pct=12.75, up_loss_pct=7.2, down_loss_pct=6.0,
    rtt_ms=96.0, jitter_ms=38.5, up_jitter_ms=38.5, down_jitter_ms=21.0, burst_r=1.6,
)  # fmt: skip


def network_items(kind: str) -> list[ps.Item]:
    """The four network lines of a "good" line or a lossy "wifi" one."""
    if kind == "good":
        return [
            ps.judge_server(31.0),
            ps.judge_echo(GOOD_ECHO),
            ps.judge_bandwidth(ps.BurstFigures(0.0, 0.0, 25.0, 160.0), GOOD_ECHO),
            ps.judge_clock(0.2),
        ]
    return [
        ps.judge_server(212.0),
        ps.judge_echo(WIFI_ECHO),
        ps.judge_bandwidth(ps.BurstFigures(15.5, 6.5, 260.0, 160.0), WIFI_ECHO),
        ps.judge_clock(-94.0),
    ]


def canned_network(
    kind: str, pause_s: float = 0.05
) -> Callable[[Progress, threading.Event], list[ps.Item]]:
    def run(progress: Progress, cancel: threading.Event) -> list[ps.Item]:
        items = network_items(kind)
        for item in items:
            if cancel.wait(pause_s):
                break
            progress(item)
        return items

    return run


def check_controller(
    dispatcher: Dispatcher,
    kind: str,
    *,
    registered: bool = True,
    parent_widget: object = None,
    mic_test_s: float = 1.0,
) -> tuple[CheckController, FakeAudioService, list[ps.CheckReport]]:
    """A real controller over canned lines and the fake audio; saved reports listed."""
    audio = FakeAudioService(dispatcher.post)
    saved: list[ps.CheckReport] = []
    controller = CheckController(
        CheckPorts(
            run_network=canned_network(kind),
            registered=lambda: registered,
            save=saved.append,
            audio=audio,  # type: ignore[arg-type]
        ),
        dispatcher=dispatcher,
        parent_widget=parent_widget,
    )
    controller.mic_test_s = mic_test_s
    return controller, audio, saved


def check_shots(
    dispatcher: Dispatcher, out: Path, pump: Callable[[int], None], suffix: str = ""
) -> list[Path]:
    """The window all green, and with red lines (Wi-Fi loss, no phone line, mic silent)."""
    saved: list[Path] = []
    for kind, name in (("good", "check_green"), ("wifi", "check_red")):
        controller, audio, _ = check_controller(dispatcher, kind, registered=kind == "good")
        dialog = controller.open()
        dialog.resize(760, dialog.sizeHint().height())
        deadline = time.monotonic() + 5
        while controller.running and time.monotonic() < deadline:
            pump(50)
        dialog.mic_button.click()
        for _ in range(6):
            audio.level(0.42 if kind == "good" else 0.0)
            pump(40)
        _wait_mic(controller, pump)
        heard = kind == "good"
        for button in (dialog.heard[ps.ItemId.HEADSET], dialog.heard[ps.ItemId.RINGER]):
            (button[1] if heard else button[2]).click()
        if kind == "wifi":  # the ringer was heard: one green among the reds
            dialog.heard[ps.ItemId.RINGER][1].click()
        pump(150)
        dialog.resize(760, dialog.sizeHint().height())
        pump(100)
        path = out / f"{name}{suffix}.png"
        dialog.grab().save(str(path))
        saved.append(path)
        controller.stop()
        dialog.deleteLater()
        pump(50)
    return saved


def _wait_mic(controller: CheckController, pump: Callable[[int], None]) -> None:
    deadline = time.monotonic() + 5
    while controller._mic_testing and time.monotonic() < deadline:
        pump(50)
