"""First run: the profile dialog (file, drop) and the enrolment dialog, errors inline."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QApplication

from homeagent.ui.first_run.dialogs import EnrolDialog, ProfileDialog
from homeagent.ui.qt.dispatcher import Dispatcher
from homeagent.ui.qt.tasks import TaskRunner


def test_refused_profile_says_why_and_stays_open(qtbot, tmp_path: Path) -> None:
    def importer(path: Path) -> str:
        raise ValueError("signature invalide")

    dialog = ProfileDialog(importer)
    qtbot.addWidget(dialog)
    assert dialog.try_import(tmp_path / "p.json") is False
    assert "signature invalide" in dialog.error.text()


def test_dropped_profile_is_imported(qtbot, tmp_path: Path) -> None:
    seen: list[Path] = []
    dialog = ProfileDialog(lambda p: seen.append(p) or "profile")
    qtbot.addWidget(dialog)
    file = tmp_path / "profil.json"
    file.write_text("{}")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(file))])
    event = QDropEvent(
        QPointF(5, 5), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )  # fmt: skip
    dialog.dropEvent(event)
    assert seen == [file]
    assert dialog.result_profile == "profile"


def test_enrolment_runs_off_the_gui_thread_and_reports_failure_inline(qtbot) -> None:
    tasks = TaskRunner(Dispatcher())
    calls: list[tuple[str, str]] = []

    def enrol(user: str, password: str, device: str) -> None:
        calls.append((user, password))
        raise RuntimeError("mot de passe incorrect")

    dialog = EnrolDialog(enrol, tasks, "Démo")
    qtbot.addWidget(dialog)
    dialog.username.setText("alice")
    dialog.password.setText("secret")
    dialog.buttons.accepted.emit()
    assert dialog.password.text() == ""  # not kept in the widget
    qtbot.waitUntil(lambda: "incorrect" in dialog.status.text(), timeout=3000)
    assert calls == [("alice", "secret")]
    assert dialog.buttons.isEnabled()
    tasks.close()
    assert QApplication.instance() is not None
