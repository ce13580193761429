"""The desk's pre-shift check wired in a session: offered at sign-in, run against the
server client, saved at <data dir>/last-check.json (0600) and posted."""

from __future__ import annotations

import json
import stat
from pathlib import Path
from typing import Any

from homeagent.client.errors import ApiError, ServerUnreachable
from homeagent.client.preshift import LAST_CHECK_FILE
from homeagent.core import preshift as ps
from homeagent.testing.device import FakeDevice, FakeServerClient
from tests.unit.desktop.conftest import running_session


class ProbingClient(FakeServerClient):
    """The fake server client with the check's one-shot requests (no echo service)."""

    base_url = "https://acd.example.fr/api/v1"

    def __init__(self, *, down: bool = False) -> None:
        super().__init__()
        self.down = down
        self.probes: list[tuple[str, str, Any]] = []

    def probe(
        self, method: str, path: str, body: Any = None, *, timeout_s: float, auth: bool = True
    ) -> Any:
        self.probes.append((method, path, body))
        if self.down:
            raise ServerUnreachable(f"{method} {path}: timed out")
        if path == "/network-check/echo-session":
            raise ApiError(503, "echo_unavailable", "This server runs no echo service.")
        return {"status": "ok"} if path == "/health" else {}


def test_offered_at_sign_in_run_saved_and_posted(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    device = FakeDevice(data_dir=tmp_path, enrolled=True)
    client = ProbingClient()
    device.client = client
    with running_session(qtbot, device, tmp_path / "events.jsonl") as s:
        window = s.window
        qtbot.waitUntil(lambda: window.check_banner.isVisible(), timeout=3000)
        assert window.top.check.isVisible()
        window.check_banner.button.click()
        controller = s.check.controller
        assert controller.dialog is not None
        assert not window.check_banner.isVisible()
        qtbot.waitUntil(lambda: not controller.running, timeout=5000)
        echo = controller.items[ps.ItemId.ECHO]
        assert echo.advice is ps.Advice.ECHO_UNAVAILABLE
        assert controller.items[ps.ItemId.SERVER].level is ps.Level.GREEN
        saved = tmp_path / LAST_CHECK_FILE
        qtbot.waitUntil(saved.exists, timeout=3000)
        assert stat.S_IMODE(saved.stat().st_mode) == 0o600
        assert json.loads(saved.read_text())["items"][1]["advice"] == "echo_unavailable"
        qtbot.waitUntil(
            lambda: any(p[1] == "/agents/me/network-check" for p in client.probes), timeout=3000
        )
        body = next(p[2] for p in client.probes if p[1] == "/agents/me/network-check")
        assert body["level"] in ("amber", "red")
        assert body["mos_g722"] is None  # no echo test, no MOS
    # the next start today: no banner, this PC was checked already
    with running_session(qtbot, device, tmp_path / "events2.jsonl") as s:
        qtbot.wait(300)
        assert not s.window.check_banner.isVisible()


def test_a_server_that_is_down_gives_red_lines_not_a_wait(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    device = FakeDevice(data_dir=tmp_path, enrolled=True)
    device.client = ProbingClient(down=True)
    with running_session(qtbot, device, tmp_path / "events.jsonl") as s:
        s.window.check_requested.emit()
        controller = s.check.controller
        qtbot.waitUntil(lambda: not controller.running, timeout=3000)
        assert controller.items[ps.ItemId.SERVER].advice is ps.Advice.SERVER_DOWN
        assert controller.items[ps.ItemId.ECHO].level is ps.Level.RED
