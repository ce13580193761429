"""The discreet line saying a verified update is ready, with its two answers."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QPushButton, QWidget

from homeagent.ui.shell.banner import Banner


class UpdateBanner(Banner):
    """ "Update 0.2.0 ready" with "Install now" and "At restart"; never takes focus.

    The desk decides when it is shown (never over a ringing or active call); the buttons
    only say what the agent chose.
    """

    install_now_requested = Signal()  # payload: none ("Install now": at the next idle moment)
    at_restart_requested = Signal()  # payload: none ("At restart": when the app quits)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("info", parent)
        self.setObjectName("UpdateBanner")
        self.later = QPushButton(self)
        self.later.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.layout().addWidget(self.later)  # type: ignore[union-attr]
        self.action_clicked.connect(self.install_now_requested)
        self.later.clicked.connect(self.at_restart_requested)
        self.version = ""

    def show_ready(self, version: str) -> None:
        """The question: install now (at the next idle moment) or at restart."""
        self.version = version
        self.show_text(
            self.tr("Update {version} ready").format(version=version), self.tr("Install now")
        )
        self.later.setText(self.tr("At restart"))
        self.later.setVisible(True)

    def show_note(self, text: str) -> None:
        """A line without question (installed at restart, after this call, through apt…)."""
        self.show_text(text)
        self.later.setVisible(False)

    def show_scheduled_restart(self, version: str) -> None:
        self.version = version
        self.show_note(
            self.tr("Update {version} will be installed when you quit HomeAgent").format(
                version=version
            )
        )

    def show_waiting(self, version: str) -> None:
        self.version = version
        self.show_note(
            self.tr("Update {version} will be installed at the next quiet moment").format(
                version=version
            )
        )

    def show_system_update(self, version: str) -> None:
        self.version = version
        self.show_note(
            self.tr("Update {version} is available: it comes with the system updates").format(
                version=version
            )
        )
