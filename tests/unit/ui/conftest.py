"""A desk over the fakes for every UI test, and the French translation once per session."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QLocale, QTranslator
from PySide6.QtWidgets import QApplication

from homeagent.core.desk_types import TeamSettings
from homeagent.testing.demo_team import DEMO_TEAM
from homeagent.testing.harness import FakeDesk, build_fake_desk, go_available
from homeagent.ui.qt.i18n import compile_catalogue
from homeagent.ui.qt.theme import apply_theme


@pytest.fixture(scope="session", autouse=True)
def _widgets_app(qapp):  # type: ignore[no-untyped-def]
    """The QApplication exists before a test can make a bare QCoreApplication (diagnose)."""
    return qapp


@pytest.fixture(scope="session")
def french_qm(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The French catalogue compiled from the .ts with pyside6-lrelease."""
    return compile_catalogue("fr", tmp_path_factory.mktemp("qm"))


@pytest.fixture
def french(qapp, french_qm: Path):  # type: ignore[no-untyped-def]
    """The French catalogue installed for one test."""
    app = QCoreApplication.instance()
    assert app is not None
    translator = QTranslator()
    assert translator.load(str(french_qm))
    app.installTranslator(translator)
    yield translator
    app.removeTranslator(translator)
    QLocale.setDefault(QLocale("C"))


def make_desk(qtbot, team: TeamSettings = DEMO_TEAM) -> FakeDesk:  # type: ignore[no-untyped-def]
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    apply_theme(app, dark=False)
    desk = build_fake_desk(team=team)
    qtbot.addWidget(desk.window)
    desk.window.show()
    qtbot.waitExposed(desk.window)
    desk.window.activateWindow()
    go_available(desk)
    return desk


@pytest.fixture
def desk(qtbot) -> Iterator[FakeDesk]:  # type: ignore[no-untyped-def]
    desk = make_desk(qtbot)
    yield desk
    desk.controller.stop()
    desk.lanes.close()


def ring(qtbot, desk: FakeDesk, number: str = "0612345678", **kw: str) -> int:  # type: ignore[no-untyped-def]
    """A customer calls; wait until the engine's event crossed the dispatcher."""
    call_id = desk.engine.ring(number, **kw)
    qtbot.waitUntil(lambda: desk.model.snapshot().call is not None, timeout=3000)
    QCoreApplication.processEvents()
    return call_id
