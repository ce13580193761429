"""The diagnostics report for IT, as the agent sees it: a preview, consent, a request.

- :class:`DiagnosticsDialog`: every file of the bundle (size, what was masked), its text
  to read, what could not be included; "Envoyer au service informatique" sends it, "Ne
  pas envoyer" keeps it on this PC only; "Ouvrir le dossier" shows the zip.
- :class:`DiagnosticsNotice`: "Votre responsable demande un rapport de diagnostic", with
  "Voir le rapport" (build and preview it: nothing leaves before "Envoyer") and "Refuser".
- :class:`DiagnosticsController`: the glue, with the building, sending and declining
  injected (the composition runs them on worker lanes). Nothing is ever
  sent without the agent's click on "Envoyer"; a server that cannot be reached leaves the
  report on this PC and says where.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QSize, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QFontDatabase
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from homeagent.core.diagnostics import BundlePreview, DiagnosticsRequest, PreviewFile
from homeagent.ui.shell.banner import Banner

log = logging.getLogger(__name__)

MAX_SHOWN_CHARS = 400_000  # the viewer shows the start of a larger file (the zip has all)
Run = Callable[
    [Callable[[], Any], Callable[[Any], object], Callable[[BaseException], object]], None
]


def _size_text(size_bytes: int) -> str:
    """A size as people read it ("12 Ko"), in the UI's language."""
    from PySide6.QtCore import QCoreApplication, QLocale

    locale = QLocale()
    if size_bytes < 1024:
        return QCoreApplication.translate("Diagnostics", "{n} bytes").format(n=size_bytes)
    if size_bytes < 1024 * 1024:
        return QCoreApplication.translate("Diagnostics", "{n} KB").format(
            n=locale.toString(size_bytes / 1024, "f", 0)
        )
    return QCoreApplication.translate("Diagnostics", "{n} MB").format(
        n=locale.toString(size_bytes / 1048576, "f", 1)
    )


def rule_label(rule: str) -> str:
    """The words for a masking rule (never the code)."""
    from PySide6.QtCore import QCoreApplication

    labels = {
        "secret": QCoreApplication.translate("Diagnostics", "passwords and keys"),
        "digest": QCoreApplication.translate("Diagnostics", "sign-in codes"),
        "token": QCoreApplication.translate("Diagnostics", "tokens"),
        "name": QCoreApplication.translate("Diagnostics", "names"),
        "number": QCoreApplication.translate("Diagnostics", "phone numbers"),
    }
    return labels.get(rule, QCoreApplication.translate("Diagnostics", "other values"))


class DiagnosticsDialog(QDialog):
    """The bundle's files, their text, and the agent's choice to send it or not."""

    send_requested = Signal()  # payload: none (the agent agreed to send this bundle)
    folder_requested = Signal()  # payload: none (show the zip in the file manager)

    def __init__(self, preview: BundlePreview, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("DiagnosticsDialog")
        self.setWindowTitle(self.tr("Diagnostic report for IT"))
        self.preview = preview
        intro = QLabel(self)
        intro.setWordWrap(True)
        intro.setText(
            self.tr(
                "This report helps IT understand a problem with your computer, your "
                "connection or your headset. Passwords, phone numbers and customers' names "
                "are masked. Read it if you wish: nothing is sent without your consent."
            )
        )
        self.files = QListWidget(self)
        self.files.setObjectName("DiagnosticsFiles")
        self.files.setUniformItemSizes(True)
        row_px = self.files.fontMetrics().height() + 12  # the style's item padding
        for f in preview.files:
            item = QListWidgetItem(f"{f.name}  ·  {_size_text(f.size_bytes)}", self.files)
            item.setToolTip(self._masked_text(f))
            item.setSizeHint(QSize(0, row_px))
        self.files.currentRowChanged.connect(self._on_files_current_row_changed)
        self.viewer = QPlainTextEdit(self)
        self.viewer.setObjectName("DiagnosticsText")
        self.viewer.setReadOnly(True)
        self.viewer.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.viewer.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.masked = QLabel(self)
        self.masked.setWordWrap(True)
        right = QWidget(self)
        right_box = QVBoxLayout(right)
        right_box.setContentsMargins(0, 0, 0, 0)
        right_box.addWidget(self.masked)
        right_box.addWidget(self.viewer, 1)
        split = QSplitter(Qt.Orientation.Horizontal, self)
        split.addWidget(self.files)
        split.addWidget(right)
        split.setStretchFactor(1, 3)
        split.setSizes([230, 640])
        self.skipped = QLabel(self)
        self.skipped.setWordWrap(True)
        if preview.skipped:
            parts = ", ".join(name for name, _why in preview.skipped)
            self.skipped.setText(
                self.tr("Not included (missing or unreadable): {parts}").format(parts=parts)
            )
            self.skipped.setToolTip("\n".join(f"{n}: {why}" for n, why in preview.skipped))
        self.skipped.setVisible(bool(preview.skipped))
        self.status = QLabel(self)
        self.status.setObjectName("DiagnosticsStatus")
        self.status.setWordWrap(True)
        self.status.setText(
            self.tr("Kept on this computer: {path} ({size})").format(
                path=preview.path, size=_size_text(preview.size_bytes)
            )
        )
        self.buttons = QDialogButtonBox(self)
        self.send = QPushButton(self.tr("Send to IT"), self)
        self.send.setDefault(True)
        self.close_button = QPushButton(self.tr("Do not send"), self)
        self.folder = QPushButton(self.tr("Open the folder"), self)
        self.buttons.addButton(self.send, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(self.close_button, QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.addButton(self.folder, QDialogButtonBox.ButtonRole.ActionRole)
        self.send.clicked.connect(self._on_send_clicked)
        self.close_button.clicked.connect(self.reject)
        self.folder.clicked.connect(self.folder_requested)
        box = QVBoxLayout(self)
        box.addWidget(intro)
        box.addWidget(split, 1)
        box.addWidget(self.skipped)
        row = QHBoxLayout()
        row.addWidget(self.status, 1)
        box.addLayout(row)
        box.addWidget(self.buttons)
        self.resize(960, 620)
        if preview.files:
            self.files.setCurrentRow(0)
        self.sent = False

    def _masked_text(self, f: PreviewFile) -> str:
        if not f.masked and f.masked_at_source:
            text = self.tr("Masked as soon as it was written on this computer, checked again.")
        elif not f.masked:
            text = self.tr("Nothing needed masking in this file.")
        else:
            parts = ", ".join(f"{n} {rule_label(rule)}" for rule, n in f.masked)
            text = self.tr("Masked: {parts}.").format(parts=parts)
        if f.truncated:
            text += " " + self.tr("Only the most recent part is included.")
        return text

    def _on_files_current_row_changed(self, row: int) -> None:
        if not 0 <= row < len(self.preview.files):
            return
        f = self.preview.files[row]
        self.masked.setText(self._masked_text(f))
        text = f.text
        if len(text) > MAX_SHOWN_CHARS:
            text = text[:MAX_SHOWN_CHARS] + "\n…"
        self.viewer.setPlainText(text)

    def _on_send_clicked(self) -> None:
        self.send.setEnabled(False)
        self.status.setText(self.tr("Sending…"))
        self.send_requested.emit()

    def show_sent(self) -> None:
        """The server has the report."""
        self.sent = True
        self.status.setText(self.tr("Sent to IT. Thank you."))
        self.send.setVisible(False)
        self.close_button.setText(self.tr("Close"))

    def show_failed(self, why: str) -> None:
        """It could not be sent: it stays on this PC; the agent may try again."""
        self.status.setText(
            self.tr(
                "Not sent: {why}. The report is kept on this computer ({path}); "
                "you can try again later."
            ).format(why=why, path=self.preview.path)
        )
        self.send.setEnabled(True)
        self.send.setText(self.tr("Try again"))


class DiagnosticsNotice(Banner):
    """A lead's or IT's request: "Voir le rapport" (preview first) or "Refuser"."""

    decline_clicked = Signal()  # payload: none

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("info", parent)
        self.setObjectName("DiagnosticsNotice")
        self.decline = QPushButton(self)
        self.decline.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.decline.clicked.connect(self.decline_clicked)
        layout = self.layout()
        assert layout is not None
        layout.addWidget(self.decline)
        self.decline.setVisible(False)

    def show_preparing(self) -> None:
        """While the report is built (seconds for a long trace): say so, no button."""
        self.show_text(self.tr("Preparing the diagnostic report…"))
        self.decline.setVisible(False)

    def show_request(self, request: DiagnosticsRequest) -> None:
        if request.requested_by:
            text = self.tr("{name}, your team lead, asks for a diagnostic report.").format(
                name=request.requested_by
            )
        else:
            text = self.tr("Your team lead asks for a diagnostic report.")
        if request.note:
            text += f" « {request.note} »"
        self.show_text(text, self.tr("See the report"))
        self.decline.setText(self.tr("Decline"))
        self.decline.setVisible(True)


class DiagnosticsController(QObject):
    """See the module docstring. `build(request_id)` runs on the GUI thread (it may read
    what only that thread can: the audio devices) and returns the job that builds the
    `BundlePreview` (`run_build`: a worker); `send(preview)` uploads it (`run_send`);
    `decline(request_id)` says no (`run_decline`)."""

    def __init__(
        self,
        *,
        notice: DiagnosticsNotice,
        parent_widget: QWidget,
        build: Callable[[int | None], Callable[[], BundlePreview]],
        send: Callable[[BundlePreview], object],
        decline: Callable[[int], object],
        run_build: Run,
        run_send: Run,
        run_decline: Run,
        describe_error: Callable[[BaseException], str] = str,
        on_event: Callable[[str], None] | None = None,
        on_close: Callable[[], None] | None = None,
    ) -> None:
        super().__init__(parent_widget)
        self._notice = notice
        self._parent = parent_widget
        self._build, self._send, self._decline = build, send, decline
        self._run_build, self._run_send, self._run_decline = run_build, run_send, run_decline
        self._on_close = on_close
        self._describe = describe_error
        self._on_event = on_event or (lambda _name: None)
        self.request: DiagnosticsRequest | None = None
        self.dialog: DiagnosticsDialog | None = None
        self.building = False
        notice.action_clicked.connect(self._on_notice_action_clicked)
        notice.decline_clicked.connect(self._on_notice_decline_clicked)

    def close(self) -> None:
        """The desk stops: no more building or sending (a running one is let go)."""
        if self._on_close is not None:
            self._on_close()
            self._on_close = None

    # -- entry points ----------------------------------------------------------------

    def open_report(self) -> None:
        """The help menu's "Créer un rapport de diagnostic…": build it, then preview."""
        self._start(self.request.id if self.request is not None else None)

    def request_arrived(self, request: DiagnosticsRequest) -> None:
        """A lead's or IT's request arrived: the notice asks the agent."""
        if self.request is not None and self.request.id == request.id:
            return
        self.request = request
        self._notice.show_request(request)
        self._on_event("diagnostics_request_shown")

    # -- the notice ------------------------------------------------------------------

    def _on_notice_action_clicked(self) -> None:
        self._notice.setVisible(False)
        self.open_report()

    def _on_notice_decline_clicked(self) -> None:
        self._notice.setVisible(False)
        request, self.request = self.request, None
        if request is not None:
            self._on_event("diagnostics_declined")
            self._run_decline(
                lambda: self._decline(request.id),
                lambda _answer: None,
                lambda exc: log.info("declining the diagnostics request: %s", exc),
            )

    # -- building and sending --------------------------------------------------------

    def _start(self, request_id: int | None) -> None:
        if self.building:
            return
        if self.dialog is not None and self.dialog.isVisible():
            self.dialog.raise_()
            return
        try:
            job = self._build(request_id)
        except Exception as exc:
            self._on_build_failed(exc)
            return
        self.building = True
        self._notice.show_preparing()
        self._run_build(job, self._on_built, self._on_build_failed)

    def _on_built(self, preview: BundlePreview) -> None:
        self.building = False
        self._notice.setVisible(False)
        self._on_event("diagnostics_built")
        dialog = self.dialog = DiagnosticsDialog(preview, self._parent)
        dialog.send_requested.connect(lambda: self._on_dialog_send_requested(dialog))
        dialog.folder_requested.connect(
            lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(Path(preview.path).parent)))
        )
        dialog.rejected.connect(lambda: self._on_dialog_rejected(dialog))
        dialog.show()

    def _on_build_failed(self, exc: BaseException) -> None:
        self.building = False
        self._notice.setVisible(False)
        if self.request is not None:  # the request still waits for an answer
            self._notice.show_request(self.request)
        log.warning("diagnostics bundle not built: %s", type(exc).__name__)
        from PySide6.QtWidgets import QMessageBox

        QMessageBox.warning(
            self._parent,
            self.tr("Diagnostic report"),
            self.tr("The report could not be created: {why}").format(why=self._describe(exc)),
        )

    def _on_dialog_send_requested(self, dialog: DiagnosticsDialog) -> None:
        preview = dialog.preview
        self._on_event("diagnostics_send_requested")
        self._run_send(
            lambda: self._send(preview),
            lambda _answer: self._on_sent(dialog),
            lambda exc: self._on_send_failed(dialog, exc),
        )

    def _on_sent(self, dialog: DiagnosticsDialog) -> None:
        self._on_event("diagnostics_sent")
        if self.request is not None and dialog.preview.request_id == self.request.id:
            self.request = None
        dialog.show_sent()

    def _on_send_failed(self, dialog: DiagnosticsDialog, exc: BaseException) -> None:
        self._on_event("diagnostics_send_failed")
        dialog.show_failed(self._describe(exc))

    def _on_dialog_rejected(self, dialog: DiagnosticsDialog) -> None:
        """Closed without sending: a request it answered stays open (the notice again)."""
        if dialog.sent:
            return
        if self.request is not None and dialog.preview.request_id == self.request.id:
            self._notice.show_request(self.request)
