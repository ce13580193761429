"""Import and export of contacts as vCard files, in the Contacts tab.

The file dialog runs on the GUI thread; reading, writing and the cache's work run on the
disk lane; the summary ("12 contacts importés, 2 ignorés : …") is shown inline under the
buttons (nothing blocks, no message box)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QObject, Signal
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from homeagent.core.contact_files import (
    ContactFiles,
    ExportSummary,
    FileProblem,
    ImportSummary,
    SkippedCard,
    SkipReason,
)
from homeagent.ui.qt.tasks import TaskRunner

SHOWN_REASONS = 3  # the summary names this many skipped cards, then "…"

# (parent, title, filter) -> the chosen path, or None (cancelled); tests pass their own
FileChooser = Callable[[QWidget, str, str], Path | None]


def _open_dialog(parent: QWidget, title: str, filters: str) -> Path | None:
    name, _ = QFileDialog.getOpenFileName(parent, title, "", filters)
    return Path(name) if name else None


def _save_dialog(parent: QWidget, title: str, filters: str) -> Path | None:
    name, _ = QFileDialog.getSaveFileName(parent, title, "contacts.vcf", filters)
    if not name:
        return None
    path = Path(name)
    return path if path.suffix else path.with_suffix(".vcf")


class ContactFilesBar(QWidget):
    """Two buttons and the last import's or export's summary."""

    import_requested = Signal()  # payload: none
    export_requested = Signal()  # payload: none

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.import_button = QPushButton(self.tr("Import contacts (vCard)…"), self)
        self.export_button = QPushButton(self.tr("Export (vCard)…"), self)
        self.status = QLabel(self)
        self.status.setProperty("role", "muted")
        self.status.setWordWrap(True)
        self.status.setVisible(False)
        self.import_button.clicked.connect(self.import_requested)
        self.export_button.clicked.connect(self.export_requested)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.import_button)
        row.addWidget(self.export_button)
        row.addStretch(1)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addLayout(row)
        box.addWidget(self.status)

    def set_busy(self, busy: bool, text: str = "") -> None:
        """Buttons off while a file is read or written; `text` says what happens."""
        self.import_button.setEnabled(not busy)
        self.export_button.setEnabled(not busy)
        if text:
            self.show_status(text)

    def show_status(self, text: str) -> None:
        self.status.setText(text)
        self.status.setVisible(bool(text))


def skip_reason_text(reason: SkipReason) -> str:
    """Why a card was left out, in words."""
    return {
        SkipReason.NO_NAME: QCoreApplication.translate("ContactFiles", "no name"),
        SkipReason.UNREADABLE: QCoreApplication.translate("ContactFiles", "unreadable"),
        SkipReason.ALREADY_KNOWN: QCoreApplication.translate(
            "ContactFiles", "already in your contacts"
        ),
    }[reason]


def _skipped_text(card: SkippedCard) -> str:
    reason = skip_reason_text(card.reason)
    if card.name:
        return QCoreApplication.translate("ContactFiles", "{name} ({reason})").format(
            name=card.name, reason=reason
        )
    return QCoreApplication.translate("ContactFiles", "card {n} ({reason})").format(
        n=card.position, reason=reason
    )


def problem_text(problem: FileProblem, limit: int = 0, detail: str = "") -> str:
    """Why a whole file was refused, in words."""
    if problem is FileProblem.TOO_BIG:
        return QCoreApplication.translate(
            "ContactFiles", "This file is too big (more than {mb} MB): nothing was imported."
        ).format(mb=max(1, limit // (1024 * 1024)))
    if problem is FileProblem.TOO_MANY:
        return QCoreApplication.translate(
            "ContactFiles",
            "This file has more than {n} contacts: nothing was imported. Split it and "
            "import each part.",
        ).format(n=limit)
    if problem is FileProblem.NOT_VCARD:
        return QCoreApplication.translate(
            "ContactFiles", "This file holds no vCard contact: nothing was imported."
        )
    return QCoreApplication.translate(
        "ContactFiles", "The file could not be read or written: {why}"
    ).format(why=detail or "?")


def import_summary_text(summary: ImportSummary) -> str:
    """ "12 contacts imported, 2 skipped: …" in the UI language."""
    if summary.problem is not None:
        return problem_text(summary.problem, summary.limit, summary.detail)
    n = summary.imported
    parts = [
        QCoreApplication.translate("ContactFiles", "1 contact imported")
        if n == 1
        else QCoreApplication.translate("ContactFiles", "{n} contacts imported").format(n=n)
    ]
    skipped = summary.skipped
    if skipped:
        names = ", ".join(_skipped_text(s) for s in skipped[:SHOWN_REASONS])
        if len(skipped) > SHOWN_REASONS:
            names += ", …"
        count = (
            QCoreApplication.translate("ContactFiles", "1 skipped")
            if len(skipped) == 1
            else QCoreApplication.translate("ContactFiles", "{n} skipped").format(n=len(skipped))
        )
        parts.append(
            QCoreApplication.translate("ContactFiles", "{count}: {names}").format(
                count=count, names=names
            )
        )
    text = parts[0]
    if len(parts) > 1:
        text = QCoreApplication.translate("ContactFiles", "{imported}, {skipped}").format(
            imported=parts[0], skipped=parts[1]
        )
    if summary.numbers_dropped:
        text += " " + QCoreApplication.translate(
            "ContactFiles", "({n} numbers that are not phone numbers were left out.)"
        ).format(n=summary.numbers_dropped)
    return text


def export_summary_text(summary: ExportSummary, path: Path) -> str:
    if summary.problem is not None:
        return problem_text(summary.problem, detail=summary.detail)
    if summary.exported == 1:
        return QCoreApplication.translate("ContactFiles", "1 contact exported to {file}.").format(
            file=path.name
        )
    return QCoreApplication.translate("ContactFiles", "{n} contacts exported to {file}.").format(
        n=summary.exported, file=path.name
    )


class ContactFilesController(QObject):
    """Buttons → file dialog → the disk lane → summary; `imported` after a good import."""

    imported = Signal(int)  # payload: how many contacts were added (the searches reload)

    def __init__(
        self,
        *,
        bar: ContactFilesBar,
        files: ContactFiles,
        disk: TaskRunner,
        choose_open: FileChooser = _open_dialog,
        choose_save: FileChooser = _save_dialog,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.bar = bar
        self._files = files
        self._disk = disk
        self.choose_open = choose_open
        self.choose_save = choose_save
        bar.import_requested.connect(self.choose_and_import)
        bar.export_requested.connect(self.choose_and_export)
        bar.setVisible(True)

    def _filters(self) -> str:
        return self.tr("vCard files (*.vcf *.vcard);;All files (*)")

    def choose_and_import(self) -> None:
        path = self.choose_open(self.bar, self.tr("Import contacts (vCard)"), self._filters())
        if path is not None:
            self.import_file(path)

    def choose_and_export(self) -> None:
        path = self.choose_save(self.bar, self.tr("Export contacts (vCard)"), self._filters())
        if path is not None:
            self.export_file(path)

    def import_file(self, path: Path) -> None:
        """Read `path` on the disk lane; the summary follows."""
        self.bar.set_busy(True, self.tr("Importing {file}…").format(file=path.name))
        self._disk.run(lambda: self._files.import_vcard(path), self._imported, self._failed)

    def export_file(self, path: Path) -> None:
        """Write the cache's contacts to `path` on the disk lane; the summary follows."""
        self.bar.set_busy(True, self.tr("Exporting to {file}…").format(file=path.name))
        self._disk.run(
            lambda: self._files.export_vcard(path),
            lambda summary: self._exported(summary, path),
            self._failed,
        )

    def _imported(self, summary: ImportSummary) -> None:
        self.bar.set_busy(False)
        self.bar.show_status(import_summary_text(summary))
        if summary.imported:
            self.imported.emit(summary.imported)

    def _exported(self, summary: ExportSummary, path: Path) -> None:
        self.bar.set_busy(False)
        self.bar.show_status(export_summary_text(summary, path))

    def _failed(self, exc: BaseException) -> None:
        self.bar.set_busy(False)
        self.bar.show_status(problem_text(FileProblem.UNREADABLE, detail=str(exc)))
