"""English and French each read as one language (item 6): dates and times from the UI
language when the system has no locale (C/POSIX), one Alt+letter per wrap-up field per
language with no clash, one name for the inbox (top bar button and side tab)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QCoreApplication, QLocale, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication, QLabel

from homeagent.core.desk_snapshot import Screen
from homeagent.testing.fakes import demo_messages
from homeagent.testing.harness import FakeDesk
from homeagent.ui.desk.models import local_date_time, local_time
from homeagent.ui.qt.i18n import ui_locale
from tests.unit.ui.conftest import make_desk, ring


@pytest.fixture
def c_locale() -> Iterator[None]:
    yield
    QLocale.setDefault(QLocale("C"))


def test_dates_under_a_c_locale_follow_the_ui_language(c_locale: None) -> None:
    when = dt.datetime(2026, 10, 7, 10, 50)  # naive: local time
    QLocale.setDefault(QLocale("C"))
    assert local_date_time(when) == "7 10 2026 10:50"  # the defect: no locale at all
    QLocale.setDefault(ui_locale("en", QLocale("C")))
    assert local_date_time(when) == "07/10/2026 10:50"
    assert local_time(when) == "10:50"
    QLocale.setDefault(ui_locale("en", QLocale("POSIX")))
    assert local_date_time(when) == "07/10/2026 10:50"
    QLocale.setDefault(ui_locale("fr", QLocale("C")))
    assert local_date_time(when) == "07/10/2026 10:50"
    assert ui_locale("en", QLocale("en_US")).name() == "en_US"  # a real system locale stays
    assert ui_locale("fr", QLocale("en_US")).name() == "fr_FR"


@pytest.fixture(params=["en", "fr"])
def desk(request: pytest.FixtureRequest, qtbot) -> Iterator[FakeDesk]:  # type: ignore[no-untyped-def]
    if request.param == "fr":
        request.getfixturevalue("french")
    desk = make_desk(qtbot)
    desk.lang = request.param  # type: ignore[attr-defined]
    yield desk
    desk.controller.stop()
    desk.lanes.close()


EXPECTED_FIELD_KEY = {"en": ("Disposition", "Alt+D"), "fr": ("Qualification", "Alt+Q")}


def test_each_wrap_up_field_has_one_alt_key_per_language(qtbot, desk: FakeDesk) -> None:  # type: ignore[no-untyped-def]
    w = desk.window
    call_id = ring(qtbot, desk)
    desk.model.answer()
    qtbot.waitUntil(lambda: desk.model.snapshot().screen is Screen.IN_CALL, timeout=3000)
    desk.engine.remote_hangup(call_id)
    qtbot.waitUntil(lambda: w.actions_stack.currentWidget() is w.wrap_up, timeout=3000)
    form = w.wrap_up
    qtbot.waitUntil(form.notes.hasFocus, timeout=1000)
    qtbot.keyClicks(form.notes, "Client rappele")
    # every mnemonic of the window's visible labels and buttons, and the window shortcuts
    mnemonics = [
        QKeySequence.mnemonic(label.text()).toString()
        for label in w.findChildren(QLabel)
        if label.isVisible() and "&" in label.text().replace("&&", "")
    ]
    assert len(mnemonics) == len(set(mnemonics)) == 3, mnemonics
    taken = {s.toString() for a in w.shortcut_actions.values() for s in a.shortcuts()}
    assert not taken & set(mnemonics)
    rows = form.mnemonics()
    field, key = EXPECTED_FIELD_KEY[desk.lang]  # type: ignore[attr-defined]
    assert any(field in action and k == key for action, k in rows), rows
    assert set(rows) <= set(w.shortcut_rows())  # the F1 sheet lists them
    for _action, keys in rows:
        form.notes.setFocus()
        letter = keys.removeprefix("Alt+")
        qtbot.keyClick(
            QApplication.focusWidget(),
            getattr(Qt.Key, f"Key_{letter}"),
            Qt.KeyboardModifier.AltModifier,
        )
        QCoreApplication.processEvents()
        assert not form.notes.hasFocus() or letter == "N", keys  # the field, not the text
        assert form.notes.toPlainText() == "Client rappele"  # the letter was not typed
    assert form.disposition.hasFocus() or form.callback.hasFocus()


def test_one_name_for_the_inbox(qtbot, desk: FakeDesk) -> None:  # type: ignore[no-untyped-def]
    for message in demo_messages(dt.datetime.now(dt.UTC)):
        desk.model.add_message(message)
    w = desk.window
    side_tab = w.side.tabText(w.side.indexOf(w.side.inbox))
    button = w.top.inbox.text().removeprefix("✉").strip()
    assert button == side_tab == {"en": "Inbox (2)", "fr": "Messages (2)"}[desk.lang]  # type: ignore[attr-defined]
    action = w.shortcut_actions["inbox"].text()
    assert {"en": "inbox", "fr": "messages"}[desk.lang] in action  # type: ignore[attr-defined]
