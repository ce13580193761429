"""The desk's diagnostic report: shown before anything is sent, sent only on consent; a
lead's request is approved or declined by the agent; a server away keeps it on the PC."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from homeagent.testing.device import FakeDevice
from homeagent.ui.shell.diagnostics import DiagnosticsDialog
from tests.unit.desktop.conftest import running_session

REQUEST = {
    "id": 7,
    "agent_id": "u-1",
    "requested_by": {"id": "u-9", "name": "Claire Martin"},
    "note": "coupures hier soir",
    "requested_at": "2026-12-02T09:00:00Z",
    "status": "pending",
    "answered_at": None,
    "bundle_id": None,
}


@pytest.fixture
def session(qtbot, tmp_path: Path):  # type: ignore[no-untyped-def]
    device = FakeDevice(data_dir=tmp_path, enrolled=True)
    with running_session(qtbot, device, tmp_path / "events.jsonl") as s:
        qtbot.waitUntil(lambda: s.model.snapshot().agent_name == "Alice Robert", timeout=3000)
        yield s


def _dialog(qtbot, session) -> DiagnosticsDialog:  # type: ignore[no-untyped-def]
    controller = session.diagnostics
    qtbot.waitUntil(
        lambda: controller.dialog is not None and controller.dialog.isVisible(), timeout=10000
    )
    dialog = controller.dialog
    assert dialog is not None
    qtbot.addWidget(dialog)
    return dialog


def test_the_help_menu_builds_a_report_that_waits_for_consent(qtbot, session) -> None:  # type: ignore[no-untyped-def]
    client = session.device.client
    window = session.window
    assert window.diagnostics_action in window.top.help_menu.actions()
    window.diagnostics_action.trigger()
    assert window.diagnostics_notice.text.text() == "Preparing the diagnostic report…"
    dialog = _dialog(qtbot, session)
    assert not window.diagnostics_notice.isVisible()
    names = [dialog.files.item(i).text().split("  ·  ")[0] for i in range(dialog.files.count())]
    assert names[0] == "manifest.json"
    assert {"versions.json", "events.jsonl", "outbox.json"} <= set(names)
    dialog.files.setCurrentRow(names.index("events.jsonl"))
    assert "app_started" in dialog.viewer.toPlainText()  # the agent reads what goes out
    assert client.diagnostics_sent == []  # nothing sent by building or reading
    path = Path(dialog.preview.path)
    assert path.exists()
    assert path.parent == Path(session.device.data_dir) / "diagnostics"
    dialog.send.click()
    qtbot.waitUntil(lambda: dialog.sent, timeout=5000)
    assert client.diagnostics_sent == [(path.read_bytes(), None)]
    assert "Sent" in dialog.status.text()
    with zipfile.ZipFile(path) as zf:
        assert "manifest.json" in zf.namelist()


def test_closing_the_preview_sends_nothing(qtbot, session) -> None:  # type: ignore[no-untyped-def]
    session.window.diagnostics_action.trigger()
    dialog = _dialog(qtbot, session)
    dialog.close_button.click()
    qtbot.wait(200)
    assert session.device.client.diagnostics_sent == []
    assert Path(dialog.preview.path).exists()  # kept on this PC only


def test_a_lead_s_request_is_declined_and_nothing_is_sent(qtbot, session) -> None:  # type: ignore[no-untyped-def]
    notice = session.window.diagnostics_notice
    session.device.push("diagnostics_requested", REQUEST)
    qtbot.waitUntil(notice.isVisible, timeout=3000)
    assert notice.text.text() == (
        "Claire Martin, your team lead, asks for a diagnostic report. « coupures hier soir »"
    )
    assert (notice.button.text(), notice.decline.text()) == ("See the report", "Decline")
    notice.decline.click()
    client = session.device.client
    qtbot.waitUntil(lambda: client.diagnostics_declined == [7], timeout=3000)
    assert not notice.isVisible()
    assert client.diagnostics_sent == []
    assert session.diagnostics.dialog is None  # no report was even built


def test_a_lead_s_request_approved_sends_the_report_for_that_request(qtbot, session) -> None:  # type: ignore[no-untyped-def]
    notice = session.window.diagnostics_notice
    session.device.push("diagnostics_requested", REQUEST)
    qtbot.waitUntil(notice.isVisible, timeout=3000)
    notice.button.click()  # "Voir le rapport": a preview first
    dialog = _dialog(qtbot, session)
    client = session.device.client
    assert client.diagnostics_sent == []
    dialog.close_button.click()  # not now: the request is asked again
    qtbot.waitUntil(notice.isVisible, timeout=3000)
    assert client.diagnostics_sent == []
    assert client.diagnostics_declined == []
    notice.button.click()
    qtbot.waitUntil(lambda: session.diagnostics.dialog is not dialog, timeout=10000)
    second = _dialog(qtbot, session)
    second.send.click()
    qtbot.waitUntil(lambda: second.sent, timeout=5000)
    assert [rid for _content, rid in client.diagnostics_sent] == [7]


def test_a_server_away_keeps_the_report_and_says_so(qtbot, session) -> None:  # type: ignore[no-untyped-def]
    client = session.device.client
    client.diagnostics_offline = True
    session.window.diagnostics_action.trigger()
    dialog = _dialog(qtbot, session)
    dialog.send.click()
    qtbot.waitUntil(lambda: dialog.send.isEnabled(), timeout=5000)
    assert "Not sent: the server cannot be reached" in dialog.status.text()
    assert dialog.preview.path in dialog.status.text()
    assert Path(dialog.preview.path).exists()
    assert dialog.send.text() == "Try again"
    client.diagnostics_offline = False
    dialog.send.click()
    qtbot.waitUntil(lambda: dialog.sent, timeout=5000)
    assert len(client.diagnostics_sent) == 1


def test_a_request_pending_at_start_is_asked_and_a_malformed_one_ignored(
    qtbot, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    device = FakeDevice(data_dir=tmp_path, enrolled=True)
    device.client.diagnostics_pending = [REQUEST]  # type: ignore[attr-defined]
    with running_session(qtbot, device, tmp_path / "events.jsonl") as s:
        notice = s.window.diagnostics_notice
        qtbot.waitUntil(notice.isVisible, timeout=3000)
        assert s.diagnostics.request is not None
        assert s.diagnostics.request.id == 7
        s.device.push("diagnostics_requested", {"id": "x"})  # malformed: logged, ignored
        qtbot.wait(100)
        assert s.diagnostics.request.id == 7
