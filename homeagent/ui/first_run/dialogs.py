"""First run: import the provisioning profile, then enrol with user name and password.

Both dialogs report problems inline (no message boxes) and never block the GUI thread:
the enrolment talks to the server on the task runner's worker.
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from homeagent.ui.qt.tasks import TaskRunner


class ProfileDialog(QDialog):
    """Pick or drop the profile file IT sent; `importer(path)` verifies and installs it."""

    def __init__(self, importer: Callable[[Path], Any], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._importer = importer
        self.result_profile: Any = None
        self.setWindowTitle(self.tr("Welcome to HomeAgent"))
        self.setAcceptDrops(True)
        intro = QLabel(
            self.tr(
                "Import the connection profile your organisation sent you "
                "(a .json file): choose it, or drop it on this window."
            ),
            self,
        )
        intro.setWordWrap(True)
        self.choose = QPushButton(self.tr("Choose the profile file…"), self)
        self.choose.clicked.connect(self._on_choose_clicked)
        self.error = QLabel(self)
        self.error.setObjectName("Notice")
        self.error.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.choose)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.resize(480, 200)

    def try_import(self, path: Path) -> bool:
        """Import `path`; on refusal say why and stay open."""
        try:
            self.result_profile = self._importer(path)
        except Exception as exc:  # ProfileError and friends carry a sentence for the user
            self.error.setText(self.tr("This profile was refused: {why}").format(why=exc))
            return False
        self.accept()
        return True

    def _on_choose_clicked(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self, self.tr("Connection profile"), str(Path.home()), self.tr("Profiles (*.json)")
        )
        if name:
            self.try_import(Path(name))

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        urls = [u for u in event.mimeData().urls() if u.isLocalFile()]
        if urls:
            event.acceptProposedAction()
            self.try_import(Path(urls[0].toLocalFile()))


class EnrolDialog(QDialog):
    """User name + password once; `enrol(user, password, device)` runs on the worker.

    `revoked` says the dialog comes back because IT revoked this device."""

    def __init__(
        self,
        enrol: Callable[[str, str, str], Any],
        tasks: TaskRunner,
        organisation: str = "",
        parent: QWidget | None = None,
        *,
        revoked: bool = False,
    ) -> None:
        super().__init__(parent)
        self._enrol = enrol
        self._tasks = tasks
        self.setWindowTitle(self.tr("Sign in to {org}").format(org=organisation or "HomeAgent"))
        self.username = QLineEdit(self)
        self.password = QLineEdit(self)
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.status = QLabel(self)
        self.status.setObjectName("Notice")
        self.status.setWordWrap(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Sign in"))
        self.buttons.accepted.connect(self._on_buttons_accepted)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow(self.tr("User name"), self.username)
        form.addRow(self.tr("Password"), self.password)
        layout = QVBoxLayout(self)
        note = QLabel(self.tr("Your password is not stored; this computer keeps a device key."))
        note.setProperty("role", "muted")
        note.setWordWrap(True)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)
        if revoked:  # the desk just closed under the agent: say why
            self.status.setText(
                self.tr(
                    "Your organisation disconnected this computer and erased its local data. "
                    "Sign in again to continue."
                )
            )
        self.username.setFocus(Qt.FocusReason.OtherFocusReason)

    def _on_buttons_accepted(self) -> None:
        user, password = self.username.text().strip(), self.password.text()
        if not user or not password:
            self.status.setText(self.tr("Enter your user name and password."))
            return
        self.password.clear()
        self.buttons.setEnabled(False)
        self.status.setText(self.tr("Signing in…"))
        device_name = socket.gethostname()
        self._tasks.run(
            lambda: self._enrol(user, password, device_name),
            lambda _result: self.accept(),
            self._on_enrol_failed,
        )

    def _on_enrol_failed(self, exc: BaseException) -> None:
        self.buttons.setEnabled(True)
        self.status.setText(self.tr("Sign-in failed: {why}").format(why=exc))
