"""The window an agent sees at once: the desk's frame while the desk is built behind it.

`run_desk` shows it right after the Qt application and the theme, before anything that
can wait (the profile check, the keyring, the cache, the SIP engine, the desk's own
modules): a bare Qt window paints in about 0.1 s, the whole desk in about 0.5 s. It has
the desk's size, title and top bar (the same style-sheet names), and one line that says
what is happening; the dialogs of a first start (profile, sign-in) open over it. When the
desk is ready it takes this window's place (`place`) and this one closes.

Only QtCore/QtGui/QtWidgets are imported here: this module is on the path to the first
paint (`tests/unit/desktop/test_start_order.py` holds that).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QHBoxLayout, QLabel, QVBoxLayout, QWidget

DESK_SIZE = (1366, 740)  # the desk's first size (`desktop/app.py` gives the desk the same)
DESK_MIN_SIZE = (1024, 640)


class StartWindow(QWidget):
    """See the module docstring."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("StartWindow")
        self.setWindowTitle("HomeAgent")
        bar = QWidget(self)
        bar.setObjectName("TopBar")  # the desk's top bar colours (the style sheet)
        bar.setFixedHeight(52)
        row = QHBoxLayout(bar)
        row.setContentsMargins(16, 0, 16, 0)
        name = QLabel("HomeAgent", bar)
        name.setObjectName("StartName")
        font = name.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.2)
        name.setFont(font)
        row.addWidget(name)
        row.addStretch(1)
        self.status = QLabel(self.tr("Starting…"), self)
        self.status.setObjectName("StartStatus")
        self.status.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.status.setAccessibleName(self.tr("HomeAgent is starting"))
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(bar)
        box.addWidget(self.status, 1)
        self.resize(*DESK_SIZE)
        self.setMinimumSize(*DESK_MIN_SIZE)

    def show_now(self) -> None:
        """Show and paint now (the event loop is not running yet)."""
        self.show()
        self.repaint()
        QApplication.processEvents()

    def opening_desk(self) -> None:
        """The line registers; the desk is being built: say so (painted at once)."""
        self.status.setText(self.tr("Opening your desk…"))
        self.status.repaint()

    def place(self, window: QWidget) -> None:
        """Give the desk this window's geometry before it is shown, so that it appears
        where the agent saw this one; the caller then closes this one."""
        if self.isVisible():
            window.setGeometry(self.geometry())
