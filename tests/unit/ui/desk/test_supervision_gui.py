"""Live supervision on the agent's window, in French (docs/supervision-contract.md, "Agent
desk"): the call view's indicator (words, icon and colour; calm for listen, prominent for
barge-in; never focused) and today's sessions in "Ma journée"."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt

from homeagent.core.desk_snapshot import Screen, SupervisionView
from homeagent.core.lead_comms import parse_day
from homeagent.core.supervision import DaySupervision
from homeagent.testing.lead_comms import sample_day
from homeagent.ui.desk.my_day import MyDayTab
from homeagent.ui.desk.supervision_indicator import SupervisionIndicator
from tests.unit.ui.conftest import ring

DAY = dt.date(2026, 12, 1)


def _local(hour: int, minute: int) -> dt.datetime:
    return dt.datetime(2026, 12, 1, hour, minute).astimezone()  # the agent's own clock


def _in_call(qtbot, desk) -> int:  # type: ignore[no-untyped-def]
    call_id = ring(qtbot, desk)
    desk.model.answer()
    qtbot.waitUntil(lambda: desk.model.snapshot().screen is Screen.IN_CALL, timeout=3000)
    return call_id


def test_the_indicator_says_who_and_how_and_follows_the_mode(qtbot, french, desk) -> None:  # type: ignore[no-untyped-def]
    call_id = _in_call(qtbot, desk)
    notes = desk.window.controls.notes
    notes.setFocus()
    qtbot.waitUntil(notes.hasFocus, timeout=3000)
    indicator = desk.window.controls.supervision
    assert not indicator.isVisible()
    model = desk.model
    model.show_supervision(SupervisionView(5, call_id, "listen", "Claire Martin"))
    assert indicator.isVisible()
    assert indicator.text.text() == "Écoute : Claire Martin · connexion…"
    model.show_supervision(SupervisionView(5, call_id, "listen", "Claire Martin", True))
    assert indicator.text.text() == "Écoute : Claire Martin"
    assert indicator.accessibleName() == "Écoute : Claire Martin"
    assert indicator.accessibleDescription() == (
        "Votre chef d'équipe entend l'appel ; personne ne l'entend."
    )
    assert not indicator.icon.pixmap().isNull()  # an icon with the words
    model.show_supervision(SupervisionView(5, call_id, "whisper", "Claire Martin", True))
    assert indicator.text.text() == "Chuchotement : Claire Martin"
    model.show_supervision(SupervisionView(5, call_id, "barge", "Claire Martin", True))
    assert indicator.text.text() == "Intervention : Claire Martin"
    assert (
        indicator.detail.text()
        == "Votre chef d'équipe a rejoint l'appel : le client l'entend aussi."
    )
    assert indicator.focusPolicy() is Qt.FocusPolicy.NoFocus
    assert notes.hasFocus()  # never took the focus
    model.show_supervision(None)
    assert not indicator.isVisible()


def test_barge_in_looks_more_prominent_than_listening(qtbot, desk) -> None:  # type: ignore[no-untyped-def]
    call_id = _in_call(qtbot, desk)
    indicator = desk.window.controls.supervision
    desk.model.show_supervision(SupervisionView(5, call_id, "listen", "Claire Martin", True))
    calm_font = indicator.text.font()
    calm = indicator.grab().toImage()
    calm_icon = indicator.icon.pixmap().toImage()
    desk.model.show_supervision(SupervisionView(5, call_id, "barge", "Claire Martin", True))
    loud_font = indicator.text.font()
    assert indicator.property("mode") == "barge"
    assert loud_font.weight() > calm_font.weight()
    assert loud_font.pixelSize() > calm_font.pixelSize() or (
        loud_font.pointSizeF() > calm_font.pointSizeF()
    )
    loud = indicator.grab().toImage()
    centre = (4, loud.height() // 2)  # inside the frame, left of the icon: its fill
    assert loud.pixelColor(*centre) != calm.pixelColor(*centre)  # another colour too
    assert indicator.icon.pixmap().toImage() != calm_icon  # and another icon


def test_the_indicator_reads_in_english_too(qtbot) -> None:  # type: ignore[no-untyped-def]
    indicator = SupervisionIndicator()
    qtbot.addWidget(indicator)
    for mode, words in (("listen", "Listening"), ("whisper", "Whispering"), ("barge", "Barged in")):
        indicator.show_view(SupervisionView(1, 1, mode, "Claire Martin", True))
        assert indicator.text.text() == f"{words}: Claire Martin"
        assert indicator.accessibleName() == indicator.text.text()


def test_my_day_lists_today_s_sessions_in_french(qtbot, french) -> None:  # type: ignore[no-untyped-def]
    tab = MyDayTab()
    qtbot.addWidget(tab)
    tab.show()
    assert not tab.supervisions.isVisible()
    tab.show_supervisions(
        [
            DaySupervision(3, "Claire Martin", ("listen", "whisper"), _local(10, 42),
                           _local(10, 47), "lead_stopped"),
            DaySupervision(4, "Paul Henry", ("barge",), _local(14, 5), None, None),
        ]
    )  # fmt: skip
    assert tab.supervisions.isVisible()
    assert tab.supervisions_title.text() == "Double écoute aujourd'hui"
    assert tab.supervisions.text().splitlines() == [
        "10:42–10:47 · Claire Martin · Écoute, Chuchotement",
        "14:05 – en cours · Paul Henry · Intervention",
    ]
    assert "Claire Martin" in tab.supervisions.accessibleName()
    tab.show_supervisions([])
    assert not tab.supervisions.isVisible()
    assert not tab.supervisions_title.isVisible()


def test_the_day_s_sessions_reach_my_day_and_an_older_server_shows_none(qtbot, desk) -> None:  # type: ignore[no-untyped-def]
    payload = {**sample_day(DAY, (("u-1", "alice", "Alice Robert"),)), "team": None}
    older = parse_day(payload, route="GET /agents/{id}/day")
    assert older.supervisions == ()  # no field: no sessions, no error
    newer = parse_day(
        {
            **payload,
            "supervisions": [
                {"id": 9, "lead_name": "Claire Martin", "modes": ["listen"],
                 "started_at": "2026-12-01T09:42:00Z", "ended_at": "2026-12-01T09:47:00Z",
                 "end_reason": "lead_stopped"},
            ],
        },
        route="GET /agents/{id}/day",
    )  # fmt: skip
    assert [s.id for s in newer.supervisions] == [9]
    idle_day = desk.window.idle.day
    desk.data.day = older
    desk.controller.lists.reload()
    qtbot.wait(200)
    assert not idle_day.supervisions.isVisible()
    desk.data.day = newer
    desk.controller.lists.reload()
    qtbot.waitUntil(idle_day.supervisions.isVisible, timeout=3000)
    assert "Claire Martin" in idle_day.supervisions.text()
    assert "Claire Martin" in desk.window.side.my_day.supervisions.text()
    desk.data.day = None  # the server cannot tell now: what happened stays shown
    desk.controller.lists.reload()
    qtbot.wait(200)
    assert idle_day.supervisions.isVisible()
