"""French is the first translation: it compiles, loads, and the key words are French."""

from __future__ import annotations

import shutil
from pathlib import Path

from homeagent.core.agent_state import RONA_REASON, AgentState, Presence
from homeagent.ui.qt.i18n import TRANSLATIONS, choose_language, update_catalogue
from homeagent.ui.qt.labels import presence_text, state_name
from tests.unit.ui.conftest import make_desk, ring


def test_language_choice() -> None:
    assert choose_language("en", system="fr_FR") == "en"
    assert choose_language(None, system="fr_BE") == "fr"
    assert choose_language(None, system="de_DE") == "en"
    assert choose_language("xx", system="fr_CA") == "fr"


def test_the_catalogue_holds_every_string_of_the_code_translated(tmp_path: Path) -> None:
    """pyside6-lupdate over the code adds nothing to the .ts and leaves nothing unfinished."""
    ts = tmp_path / "homeagent_fr.ts"
    shutil.copy(TRANSLATIONS / "homeagent_fr.ts", ts)
    before = ts.read_text(encoding="utf-8")
    update_catalogue(ts)
    after = ts.read_text(encoding="utf-8")
    missing = [
        line.strip()
        for line, nxt in zip(after.splitlines(), after.splitlines()[1:], strict=False)
        if "<source>" in line and 'type="unfinished"' in nxt
    ]
    assert not missing, f"strings without a French translation: {missing}"
    assert after.count("<source>") == before.count("<source>"), "the .ts is not up to date"


def test_every_source_string_has_a_french_translation() -> None:
    text = (TRANSLATIONS / "homeagent_fr.ts").read_text(encoding="utf-8")
    assert 'type="unfinished"' not in text
    assert text.count("<translation>") == text.count("<source>") > 100


def test_state_vocabulary_is_french(french) -> None:  # type: ignore[no-untyped-def]
    assert state_name(AgentState.AVAILABLE) == "Disponible"
    assert state_name(AgentState.BREAK) == "En pause"
    assert state_name(AgentState.OFFLINE) == "Hors ligne"
    assert state_name(AgentState.ON_CALL) == "En appel"
    assert state_name(AgentState.RINGING) == "Sonnerie"
    assert state_name(AgentState.WRAP_UP) == "Post-appel"
    assert presence_text(Presence(AgentState.BREAK, "Déjeuner")) == "Pause — Déjeuner"
    # the ACD's code for a call that rang out is never shown as it is (the desk's presence
    # button, the window title, the tray and the lead's board all read this)
    assert presence_text(Presence(AgentState.NOT_READY, RONA_REASON)) == "Non prêt — appel manqué"
    assert presence_text(Presence(AgentState.NOT_READY, "Formation")) == "Non prêt — Formation"


def test_window_speaks_french(qtbot, french) -> None:  # type: ignore[no-untyped-def]
    desk = make_desk(qtbot)
    try:
        w = desk.window
        assert "Disponible" in w.top.presence.text()
        assert w.side.tabText(1) == "Historique"
        assert w.idle.callbacks_title.text() == "Rappels du jour"
        ring(qtbot, desk, "+33700000042")
        assert w.card.name.text() == "Appelant inconnu"
        assert w.ringing.answer.text().startswith("Décrocher")
        assert w.ringing.decline.text().startswith("Refuser  (")
        desk.model.answer()
        qtbot.waitUntil(lambda: w.actions_stack.currentWidget() is w.controls)
        assert w.controls.help.text() == "Demande d'aide"
        desk.model.hang_up()
        qtbot.waitUntil(lambda: w.actions_stack.currentWidget() is w.wrap_up)
        assert w.wrap_up.heading.text() == "Post-appel"
        assert w.wrap_up.form.labelForField(w.wrap_up.disposition).text() == "&Qualification *"
        assert w.wrap_up.countdown.text().startswith("Reste ")
    finally:
        desk.controller.stop()
        desk.lanes.close()
