"""vCard import and export from the Contacts tab of the fake desk (item 2): the file is read
on the disk lane, the summary is inline and in French, new contacts are queued to the
server like a quick-created one and found by the search at once."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from homeagent.testing.harness import FakeDesk
from tests.unit.ui.conftest import make_desk

CARDS = """BEGIN:VCARD
VERSION:3.0
N:Girard;Paul
ORG:Girard & Fils
TEL;TYPE=CELL:06 01 02 03 04
EMAIL:paul@example.fr
CATEGORIES:Tableur
END:VCARD
BEGIN:VCARD
VERSION:4.0
FN:Camille Martin
TEL:+33612345678
END:VCARD
BEGIN:VCARD
VERSION:3.0
TEL:0699999999
END:VCARD
"""


@pytest.fixture
def desk(qtbot) -> Iterator[FakeDesk]:  # type: ignore[no-untyped-def]
    desk = make_desk(qtbot)
    yield desk
    desk.controller.stop()
    desk.lanes.close()


def _chooser(path: Path):  # type: ignore[no-untyped-def]
    return lambda _parent, _title, _filters: path


def test_import_from_the_contacts_tab(qtbot, desk: FakeDesk, tmp_path: Path, french) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "tableur.vcf"
    path.write_bytes(CARDS.encode("cp1252"))  # as a Windows spreadsheet writes it
    bar, files = desk.window.side.files, desk.controller.files
    assert files is not None
    assert bar.isVisible()
    files.choose_open = _chooser(path)
    desk.files.delay_s = 0.3  # a slow disk: the window goes on meanwhile
    qtbot.mouseClick(bar.import_button, Qt.MouseButton.LeftButton)
    assert not bar.import_button.isEnabled()
    assert "tableur.vcf" in bar.status.text()
    qtbot.waitUntil(lambda: bar.import_button.isEnabled(), timeout=5000)
    assert bar.status.text() == (
        "1 contact importé, 2 ignorés : Camille Martin (déjà dans vos contacts), fiche 3 (sans nom)"
    )
    assert desk.files.threads == [t for t in desk.files.threads if t.startswith("homeagent-disk")]
    assert threading.main_thread().name not in desk.files.threads
    (paul,) = desk.sink.created  # queued to the server like a quick-created contact
    assert (paul.first_name, paul.last_name, paul.company) == ("Paul", "Girard", "Girard & Fils")
    assert paul.phones == ("+33601020304",)
    assert paul.tags == ("Tableur",)
    box = desk.window.side.contacts
    box.field.setText("girard")
    qtbot.waitUntil(lambda: box.model.rowCount() == 1, timeout=3000)


def test_a_refused_file_says_why_and_imports_nothing(qtbot, desk: FakeDesk, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "clients.csv"
    path.write_text("Nom;Téléphone\nMartin;0612345678\n", encoding="utf-8")
    files, bar = desk.controller.files, desk.window.side.files
    assert files is not None
    files.import_file(path)
    qtbot.waitUntil(lambda: bar.import_button.isEnabled(), timeout=3000)
    assert bar.status.text() == "This file holds no vCard contact: nothing was imported."
    assert desk.sink.created == []


def test_export_writes_every_contact_as_vcard_4(qtbot, desk: FakeDesk, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "export.vcf"
    files, bar = desk.controller.files, desk.window.side.files
    assert files is not None
    files.choose_save = _chooser(path)
    qtbot.mouseClick(bar.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bar.import_button.isEnabled() and path.exists(), timeout=3000)
    assert bar.status.text() == "6 contacts exported to export.vcf."
    data = path.read_bytes()
    assert data.count(b"BEGIN:VCARD\r\nVERSION:4.0\r\n") == 6
    assert b"Boulangerie Martin" in data
