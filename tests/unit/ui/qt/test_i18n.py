"""French is the first translation: it compiles, loads, and the key words are French."""

from __future__ import annotations

from homeagent.core.agent_state import AgentState, Presence
from homeagent.ui.qt.i18n import TRANSLATIONS, choose_language
from homeagent.ui.qt.labels import presence_text, state_name
from tests.unit.ui.conftest import make_desk, ring


def test_language_choice() -> None:
    assert choose_language("en", system="fr_FR") == "en"
    assert choose_language(None, system="fr_BE") == "fr"
    assert choose_language(None, system="de_DE") == "en"
    assert choose_language("xx", system="fr_CA") == "fr"


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
        assert w.ringing.decline.text() == "Refuser"
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
