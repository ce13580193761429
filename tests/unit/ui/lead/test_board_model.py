"""The board model: order, numeric sort, filters, thresholds, ticking, live events."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, QModelRoleData, QModelRoleDataSpan, Qt
from PySide6.QtGui import QIcon

from homeagent.core import lead_board as lb
from homeagent.core.agent_state import AgentState
from homeagent.testing.lead_harness import FakeConsole
from homeagent.ui.lead.board_model import LEVEL_ROLE, PENDING_ROLE, SORT_ROLE
from homeagent.ui.lead.board_text import (
    COL_AGENT,
    COL_AHT,
    COL_BREAKS,
    COL_CALL,
    COL_MISSED,
    COL_NETWORK,
    COL_QUALITY,
    COL_STATE,
    COL_TIME,
    COLUMN_COUNT,
)

from .conftest import FakeClock

DISPLAY = Qt.ItemDataRole.DisplayRole


def cell(fake: FakeConsole, agent_id: str, col: int, role: int = DISPLAY) -> Any:
    row = fake.board.source_row(agent_id)
    return fake.board.index(row, col).data(role)


def proxy_column(fake: FakeConsole, col: int) -> list[str]:
    proxy = fake.console.proxy
    return [str(proxy.index(r, col).data(DISPLAY)) for r in range(proxy.rowCount())]


def test_the_board_starts_from_the_server_in_its_order(lead: FakeConsole) -> None:
    assert lead.board.rowCount() == 6
    assert [r.display_name for r in lead.board.rows()][:3] == [
        "Léa Moreau",
        "Hugo Laurent",
        "Inès Girard",
    ]
    assert lead.board.columnCount() == COLUMN_COUNT
    assert ("read_board", ("t-1",)) in lead.server.calls


def test_numbers_sort_as_numbers(lead: FakeConsole) -> None:
    for agent_id, missed in zip(lead.server.rows, (9, 10, 2, 0, 100, 1), strict=True):
        lead.server.figures(agent_id, missed=missed)
    lead.console.view.sortByColumn(COL_MISSED, Qt.SortOrder.AscendingOrder)
    # as text "10" < "100" < "2" < "9"; as numbers:
    assert [int(v.split()[-1]) for v in proxy_column(lead, COL_MISSED)] == [0, 1, 2, 9, 10, 100]
    lead.console.view.sortByColumn(COL_MISSED, Qt.SortOrder.DescendingOrder)
    assert next(int(v.split()[-1]) for v in proxy_column(lead, COL_MISSED)) == 100


def test_times_sort_by_seconds_not_text(lead: FakeConsole, clock: FakeClock) -> None:
    ids = list(lead.server.rows)
    clock.advance(2 * 3600)
    lead.server.set_state(ids[0], "break", "Café", since=clock() - dt.timedelta(seconds=65 * 60))
    lead.server.set_state(ids[1], "break", "Café", since=clock() - dt.timedelta(seconds=9 * 60))
    lead.board.tick()
    lead.console.view.sortByColumn(COL_TIME, Qt.SortOrder.AscendingOrder)
    shown = [v.split()[-1] for v in proxy_column(lead, COL_TIME)]
    # as text "1:05:00" < "09:00" < "2:00:00"; as durations 09:00 < 1:05:00 < 2:00:00
    assert shown == ["09:00", "1:05:00", "2:00:00", "2:00:00", "2:00:00", "2:00:00"]


def test_filter_by_state_and_search_by_name(lead: FakeConsole) -> None:
    ids = list(lead.server.rows)
    lead.server.set_state(ids[0], "break", "Café")
    lead.server.start_call(ids[1])
    proxy = lead.console.proxy
    lead.console.filter.setCurrentIndex(lead.console.filter.findText("Break"))
    assert [proxy.agent_id(r) for r in range(proxy.rowCount())] == [ids[0]]
    lead.console.filter.setCurrentIndex(2)  # in a call
    assert [proxy.agent_id(r) for r in range(proxy.rowCount())] == [ids[1]]
    lead.console.filter.setCurrentIndex(0)
    lead.console.search.setText("INÈS")
    assert proxy_column(lead, COL_AGENT) == ["Inès Girard"]
    lead.console.search.setText("laurent")  # the display name, case-insensitive
    assert proxy_column(lead, COL_AGENT) == ["Hugo Laurent"]
    assert lead.console.count.text() == "1 of 6 agents"
    lead.console.search.clear()
    assert proxy.rowCount() == 6


def test_thresholds_colour_mark_and_explain_the_cell(lead: FakeConsole, clock: FakeClock) -> None:
    agent = next(iter(lead.server.rows))
    lead.server.set_state(agent, "break", "Café")
    assert cell(lead, agent, COL_TIME, LEVEL_ROLE) == lb.Level.OK
    assert cell(lead, agent, COL_TIME, Qt.ItemDataRole.BackgroundRole) is None
    clock.advance(10 * 60)  # warn at 10:00
    lead.board.tick()
    assert cell(lead, agent, COL_TIME, LEVEL_ROLE) == lb.Level.WARN
    assert cell(lead, agent, COL_TIME) == "▲ 10:00"
    assert cell(lead, agent, COL_TIME, Qt.ItemDataRole.FontRole).bold()
    assert cell(lead, agent, COL_TIME, Qt.ItemDataRole.BackgroundRole) is not None
    tip = cell(lead, agent, COL_TIME, Qt.ItemDataRole.ToolTipRole)
    assert "warning threshold (10:00)" in tip
    assert "alarm at 15:00" in tip
    clock.advance(5 * 60)
    lead.board.tick()
    assert cell(lead, agent, COL_TIME) == "▲▲ 15:00"
    assert "alarm threshold (15:00)" in cell(lead, agent, COL_TIME, Qt.ItemDataRole.ToolTipRole)
    lead.server.quality(agent, 3.0)
    assert cell(lead, agent, COL_QUALITY, LEVEL_ROLE) == lb.Level.ALARM
    assert cell(lead, agent, COL_QUALITY).startswith("▲▲ MOS 3.0")
    lead.server.figures(agent, calls_handled=2, avg_handle_s=400, missed=2)
    assert cell(lead, agent, COL_AHT, LEVEL_ROLE) == lb.Level.WARN
    assert cell(lead, agent, COL_MISSED) == "▲ 2"


def test_new_settings_recolour_without_a_reset(lead: FakeConsole, qtbot) -> None:  # type: ignore[no-untyped-def]
    from dataclasses import replace

    from homeagent.core.lead_settings import Threshold

    agent = next(iter(lead.server.rows))
    lead.server.figures(agent, calls_handled=1, missed=1)
    assert cell(lead, agent, COL_MISSED, LEVEL_ROLE) == lb.Level.OK
    stricter = replace(
        lead.board.settings,
        thresholds=replace(lead.board.settings.thresholds, missed=Threshold(1, 3)),
    )
    with qtbot.assertNotEmitted(lead.board.modelReset):
        lead.server.write_team_settings("t-1", stricter)  # the PUT publishes team_settings
    assert cell(lead, agent, COL_MISSED, LEVEL_ROLE) == lb.Level.WARN


def test_the_clock_repaints_only_the_ticking_columns(lead: FakeConsole, clock: FakeClock) -> None:
    agent, resting = list(lead.server.rows)[:2]
    lead.server.start_call(agent)
    lead.server.set_state(resting, "break", "Café")
    lead.board.flush()
    lead.console.proxy.reorder()  # the events' re-sort, done
    changes: list[tuple[int, int, int, int]] = []
    lead.board.dataChanged.connect(
        lambda a, b, _r=None: changes.append((a.row(), a.column(), b.row(), b.column()))
    )
    resets: list[int] = []
    lead.board.modelReset.connect(lambda: resets.append(1))
    clock.advance(75)
    lead.board.tick()
    last = lead.board.rowCount() - 1
    live = lead.board.live_rows()
    on_call = {
        i for i, r in enumerate(live) if r.row.call and r.row.state is not AgentState.WRAP_UP
    }
    on_break = {i for i, r in enumerate(live) if r.row.state is AgentState.BREAK}
    assert lead.board.source_row(agent) in on_call
    assert lead.board.source_row(resting) in on_break

    def repainted(col: int) -> set[int]:
        return {r for a, c, b, _ in changes if c == col for r in range(a, b + 1)}

    assert all(a == b and c == d for a, c, b, d in changes)  # one cell each: the board
    # is sorted, so a run of model rows would repaint every row between its ends on screen
    assert repainted(COL_TIME) == set(range(last + 1))  # every row's time in state
    assert repainted(COL_CALL) == on_call  # a call's duration, only during a call
    assert repainted(COL_BREAKS) == on_break  # the break total, only on a break
    assert {c for _, c, _, d in changes} | {d for _, _, _, d in changes} == {
        COL_TIME, COL_CALL, COL_BREAKS,
    }  # fmt: skip
    assert not lead.console.proxy._reorder.isActive()  # the clock moves no row
    changes.clear()
    lead.board.tick()  # the same second: nothing shown has moved, nothing is repainted
    assert changes == []
    assert resets == []
    assert cell(lead, agent, COL_TIME) == "01:15"
    assert cell(lead, agent, COL_CALL) == "01:15 · Support Fibre"


def test_an_agent_state_event_changes_exactly_one_row(lead: FakeConsole) -> None:
    ids = list(lead.server.rows)
    before = {a: [cell(lead, a, c) for c in range(COLUMN_COUNT)] for a in ids}
    changes: list[tuple[int, int]] = []
    lead.board.dataChanged.connect(lambda a, b, _r=None: changes.append((a.row(), b.row())))
    lead.server.set_state(ids[2], "break", "Déjeuner")
    lead.server.set_state(ids[2], "break", "Déjeuner")  # the same again: no change
    lead.server.quality(ids[2], 4.2)
    assert changes == []  # the views hear of it once, after the events queued now
    lead.board.flush()
    target = lead.board.source_row(ids[2])
    assert changes == [(target, target)]
    assert cell(lead, ids[2], COL_STATE) == "Break — Déjeuner"
    assert cell(lead, ids[2], COL_STATE, Qt.ItemDataRole.UserRole + 3) is AgentState.BREAK
    for a in ids:
        if a != ids[2]:
            assert [cell(lead, a, c) for c in range(COLUMN_COUNT)] == before[a]


def test_a_malformed_event_is_dropped_with_a_warning_and_nothing_is_lost(
    lead: FakeConsole, caplog: pytest.LogCaptureFixture
) -> None:
    ids = list(lead.server.rows)
    lead.server.set_state(ids[0], "break", "Café")
    with caplog.at_level(logging.WARNING):
        assert not lead.feed(
            "agent_state", {"agent_id": ids[0], "state": "lunch", "reason": "", "since": "x"}, 41
        )
        assert not lead.feed(
            "agent_figures", {"agent_id": ids[0], "today": {"calls_handled": -1}}, 42
        )
        assert not lead.feed("call_quality", ["not", "an", "object"], 43)
    assert lead.board.dropped_events == 3
    assert "event 41 (agent_state): state: not one of" in caplog.text
    assert cell(lead, ids[0], COL_STATE) == "Break — Café"  # the row kept what it had
    lead.server.set_state(ids[0], "available")  # and the next good event applies
    assert cell(lead, ids[0], COL_STATE) == "Available"


def test_an_older_state_event_does_not_move_a_row_back(lead: FakeConsole, clock: FakeClock) -> None:
    agent = next(iter(lead.server.rows))
    lead.server.set_state(agent, "break", "Café")
    stale = {"agent_id": agent, "state": "available", "reason": "",
             "since": (clock() - dt.timedelta(minutes=5)).isoformat()}  # fmt: skip
    assert not lead.feed("agent_state", stale)
    assert cell(lead, agent, COL_STATE) == "Break — Café"


def test_events_for_agents_not_on_the_board_are_ignored(lead: FakeConsole) -> None:
    changes: list[QModelIndex] = []
    lead.board.dataChanged.connect(lambda a, *_: changes.append(a))
    other = {"agent_id": "someone-else", "state": "break", "reason": "Café",
             "since": "2026-12-01T10:00:00Z"}  # fmt: skip
    assert not lead.feed("agent_state", other)
    assert changes == []


def test_a_pending_change_is_written_on_the_row(lead: FakeConsole) -> None:
    agent = next(iter(lead.server.rows))
    lead.server.start_call(agent)
    lead.server.set_agent_state_remote(agent, "break", "Déjeuner", "Pense à manger")
    assert cell(lead, agent, COL_STATE, PENDING_ROLE) == (
        "Break — Déjeuner at the end of the call — by Claire M."
    )
    assert "Note: Pense à manger" in cell(lead, agent, COL_STATE, Qt.ItemDataRole.ToolTipRole)
    lead.server.end_call(agent)
    assert cell(lead, agent, COL_STATE, PENDING_ROLE)  # still pending during the wrap-up
    lead.server.set_state(agent, "available")  # the server applies it instead
    assert cell(lead, agent, COL_STATE) == "Break — Déjeuner"
    assert cell(lead, agent, COL_STATE, PENDING_ROLE) == ""
    assert "Set by Claire Martin" in cell(lead, agent, COL_STATE, Qt.ItemDataRole.ToolTipRole)


def test_the_pending_change_reads_in_french(lead: FakeConsole, french) -> None:  # type: ignore[no-untyped-def]
    agent = next(iter(lead.server.rows))
    lead.server.start_call(agent)
    lead.server.set_agent_state_remote(agent, "break", "Déjeuner", "")
    assert (
        cell(lead, agent, COL_STATE, PENDING_ROLE)
        == "Pause — Déjeuner à la fin de l'appel — par Claire M."
    )


def test_events_during_a_board_read_are_held_then_applied(qtbot, clock: FakeClock) -> None:  # type: ignore[no-untyped-def]
    from homeagent.testing.lead_harness import build_fake_console

    pending: list[Any] = []

    def later(job: Any, on_done: Any = None, on_error: Any = None) -> None:
        pending.append((job, on_done, on_error))

    fake = build_fake_console(agents=3, clock=clock, run=later)
    qtbot.addWidget(fake.console)
    fake.controller.start()
    job, on_done, _ = pending.pop()
    answer = job()  # the server answered…
    agent = next(iter(fake.server.rows))
    clock.advance(5)
    fake.server.set_state(agent, "break", "Café")  # …and an event arrived before the answer landed
    assert fake.board.rowCount() == 0
    on_done(answer)
    assert cell(fake, agent, COL_STATE) == "Break — Café"
    fake.controller.stop()


def test_a_reconnect_reads_the_board_again(lead: FakeConsole) -> None:
    reads = lambda: sum(1 for name, _ in lead.server.calls if name == "read_board")  # noqa: E731
    assert reads() == 1
    lead.controller.connection_changed(True)  # still online: nothing to do
    assert reads() == 1
    lead.controller.connection_changed(False)
    lead.server.rows[next(iter(lead.server.rows))]["state"] = (
        "offline"  # changed while we were away
    )
    lead.controller.connection_changed(True)
    assert reads() == 2
    assert lead.board.rows()[0].state is AgentState.OFFLINE


def test_a_failed_board_read_says_so_inline(qtbot, clock: FakeClock) -> None:  # type: ignore[no-untyped-def]
    from homeagent.client.errors import ServerUnreachable
    from homeagent.testing.lead_harness import build_fake_console

    fake = build_fake_console(agents=2, clock=clock)
    qtbot.addWidget(fake.console)
    fake.server.fail_next = ServerUnreachable("GET /teams/t-1/board: connection refused")
    fake.controller.start()
    assert "could not be read" in fake.console.status.text()
    assert "connection refused" in fake.console.status.text()
    assert "trying again in 5 s" in fake.console.status.text()
    assert fake.controller._retry.isActive()
    fake.server.fail_next = ServerUnreachable("still down")
    fake.controller._retry.timeout.emit()  # the wait is over (no sleeping in tests)
    assert "trying again in 15 s" in fake.console.status.text()
    fake.controller.connection_changed(False)
    fake.controller.connection_changed(True)
    assert fake.board.rowCount() == 2
    fake.controller.stop()


def test_the_call_column_shows_the_queue_and_no_clock_in_wrap_up(
    lead: FakeConsole, clock: FakeClock
) -> None:
    agent = next(iter(lead.server.rows))
    lead.server.start_call(agent, "billing")
    clock.advance(30)
    lead.board.tick()
    assert cell(lead, agent, COL_CALL) == "00:30 · Facturation"  # the queue's label
    lead.server.end_call(agent)
    assert cell(lead, agent, COL_CALL) == "after Facturation"
    assert cell(lead, agent, 4) == "1"  # handled


def test_a_flood_of_events_is_one_change_per_row(lead: FakeConsole, qtbot) -> None:  # type: ignore[no-untyped-def]
    ids = list(lead.server.rows)
    changes: list[int] = []
    lead.board.dataChanged.connect(lambda a, b, _r=None: changes.append(a.row()))
    for _ in range(20):
        for agent in ids[:3]:
            lead.server.quality(agent, 3.9)
            lead.server.quality(agent, 4.1)
    qtbot.waitUntil(lambda: len(changes) == 3, timeout=1000)
    assert sorted(changes) == sorted(lead.board.source_row(a) for a in ids[:3])


def test_a_rona_reads_as_words(lead: FakeConsole) -> None:
    agent = next(iter(lead.server.rows))
    lead.server.set_state(agent, "not_ready", "missed")
    assert cell(lead, agent, COL_STATE) == "Not ready — missed call"


def test_the_alerts_page_can_flag_an_agent_on_the_board(lead: FakeConsole) -> None:
    ids = list(lead.server.rows)
    changes: list[tuple[int, int]] = []
    lead.board.dataChanged.connect(lambda a, b, _r=None: changes.append((a.row(), a.column())))
    lead.board.set_alerted({ids[1]: "Break over 15:00"})
    assert changes == [(lead.board.source_row(ids[1]), COL_AGENT)]
    assert cell(lead, ids[1], COL_AGENT) == "⚑ Hugo Laurent"
    assert cell(lead, ids[1], COL_AGENT, Qt.ItemDataRole.FontRole).bold()
    assert cell(lead, ids[1], COL_AGENT, Qt.ItemDataRole.ToolTipRole) == "Break over 15:00"
    assert cell(lead, ids[0], COL_AGENT) == "Léa Moreau"
    lead.board.set_alerted({})
    assert cell(lead, ids[1], COL_AGENT) == "Hugo Laurent"


def test_live_changes_reorder_the_sorted_board_twice_a_second_at_most(
    lead: FakeConsole, qtbot
) -> None:  # type: ignore[no-untyped-def]
    ids = list(lead.server.rows)
    lead.console.view.sortByColumn(COL_MISSED, Qt.SortOrder.DescendingOrder)
    proxy = lead.console.proxy
    first = proxy.agent_id(0)
    last = ids[-1] if ids[-1] != first else ids[0]
    lead.server.figures(last, missed=50)  # a live event: its cell shows it at once…
    assert cell(lead, last, COL_MISSED).split()[-1] == "50"
    assert proxy.agent_id(0) == first  # …its place waits for the next reorder
    qtbot.waitUntil(lambda: proxy.agent_id(0) == last, timeout=2000)
    lead.server.set_state(last, "offline")
    lead.console.filter.setCurrentIndex(lead.console.filter.findText("Available"))
    assert last not in [proxy.agent_id(r) for r in range(proxy.rowCount())]


def test_the_network_badge_shows_the_pre_shift_check(lead: FakeConsole) -> None:
    agent, other = list(lead.server.rows)[:2]
    assert cell(lead, agent, COL_NETWORK) == "–"  # no check today
    assert cell(lead, agent, COL_NETWORK, LEVEL_ROLE) == lb.Level.OK
    assert "No pre-shift check" in cell(lead, agent, COL_NETWORK, Qt.ItemDataRole.ToolTipRole)
    lead.server.network(agent, "red", mos=2.4, loss_pct=9.5, jitter_ms=38, rtt_ms=96)
    lead.server.network(other, "green", mos=4.3, loss_pct=0.0)
    lead.board.flush()
    assert cell(lead, agent, COL_NETWORK) == "▲▲ Poor"
    assert cell(lead, agent, COL_NETWORK, LEVEL_ROLE) == lb.Level.ALARM
    assert cell(lead, agent, COL_NETWORK, Qt.ItemDataRole.BackgroundRole) is not None
    tip = cell(lead, agent, COL_NETWORK, Qt.ItemDataRole.ToolTipRole)
    assert "MOS 2.4 (G.722)" in tip
    assert "loss 9.5 %" in tip
    assert "round trip 96 ms" in tip
    assert cell(lead, other, COL_NETWORK) == "● Good"  # colour is not the only signal
    assert cell(lead, other, COL_NETWORK, Qt.ItemDataRole.ForegroundRole) is not None
    lead.console.view.sortByColumn(COL_NETWORK, Qt.SortOrder.DescendingOrder)
    assert proxy_column(lead, COL_NETWORK)[:2] == ["▲▲ Poor", "● Good"]
    # a malformed event is dropped, the badge stays
    dropped = lead.board.dropped_events
    lead.board.apply_event("network_check", {"agent_id": agent, "level": "purple", "at": "x"})
    assert lead.board.dropped_events == dropped + 1
    assert cell(lead, agent, COL_NETWORK) == "▲▲ Poor"


def test_a_cells_roles_in_one_call_are_its_roles_one_by_one(lead: FakeConsole) -> None:
    """The views paint through `multiData` (one call per cell): the same values as `data`."""
    agent = next(iter(lead.server.rows))
    lead.server.start_call(agent, "billing")
    lead.board.flush()
    proxy = lead.console.proxy
    roles = [
        Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.FontRole, Qt.ItemDataRole.BackgroundRole,
        Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.TextAlignmentRole,
        Qt.ItemDataRole.DecorationRole, Qt.ItemDataRole.CheckStateRole, SORT_ROLE,
    ]  # fmt: skip
    seen = 0
    for row in range(proxy.rowCount()):
        for col in range(COLUMN_COUNT):
            index = proxy.index(row, col)
            for role in roles:
                item = QModelRoleData(int(role))
                proxy.multiData(index, QModelRoleDataSpan(item))
                assert item.data() == index.data(role), (row, col, role)
                seen += item.data() is not None
    assert seen > proxy.rowCount() * COLUMN_COUNT  # texts, sort keys, alignments at least


def test_a_paints_roles_in_one_span_are_the_cells_roles_one_by_one(lead: FakeConsole) -> None:
    """A paint asks seven roles at once (`multiData` answers them without `data`): the same
    values as `data`, with bold, tints, the headset and the network's ink among them."""
    ids = list(lead.server.rows)
    lead.server.start_call(ids[0], "billing")
    lead.server.set_state(ids[1], "break", "Café")
    lead.board.set_alerted({ids[2]: "Break over 15:00"})
    lead.board.set_supervised({ids[0]: "Écoute : Claire M."})
    lead.server.network(ids[3], "green", mos=4.3, loss_pct=0.0)
    lead.board.flush()
    proxy = lead.console.proxy
    roles = [
        Qt.ItemDataRole.FontRole, Qt.ItemDataRole.TextAlignmentRole,
        Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.CheckStateRole,
        Qt.ItemDataRole.DecorationRole, Qt.ItemDataRole.DisplayRole,
        Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.ToolTipRole, SORT_ROLE, LEVEL_ROLE,
    ]  # fmt: skip
    shown: set[int] = set()
    for row in range(proxy.rowCount()):
        for col in range(COLUMN_COUNT):
            index = proxy.index(row, col)
            items = [QModelRoleData(int(role)) for role in roles]
            # (PySide6 builds a span of one item only; the model reads any sequence)
            proxy.multiData(index, items)  # type: ignore[arg-type]
            for role, item in zip(roles, items, strict=True):
                got, expected = item.data(), index.data(role)
                if isinstance(expected, QIcon):  # (no equality: the same icon, by its key)
                    got, expected = got.cacheKey(), expected.cacheKey()
                assert got == expected, (row, col, role)
                if item.data() is not None:
                    shown.add(int(role))
    painted = {Qt.ItemDataRole.FontRole, Qt.ItemDataRole.BackgroundRole,
               Qt.ItemDataRole.DecorationRole, Qt.ItemDataRole.ForegroundRole}  # fmt: skip
    assert {int(r) for r in painted} <= shown
    # The items of a paint are reused from cell to cell (the views' delegate does: a
    # headset, a tint, bold once showed on every cell after the first supervised one):
    # a role the cell has nothing for is cleared, not left as the last cell's.
    items = [QModelRoleData(int(role)) for role in roles]
    for row in range(proxy.rowCount()):
        for col in range(COLUMN_COUNT):
            index = proxy.index(row, col)
            proxy.multiData(index, items)  # type: ignore[arg-type]
            for role, item in zip(roles, items, strict=True):
                got, expected = item.data(), index.data(role)
                if isinstance(expected, QIcon):
                    got, expected = got.cacheKey(), expected.cacheKey()
                assert got == expected, ("reused", row, col, role)
    outside = QModelRoleData(int(Qt.ItemDataRole.DisplayRole))
    lead.board.multiData(lead.board.index(proxy.rowCount() + 5, 0), QModelRoleDataSpan(outside))
    assert outside.data() is None  # a row past the end answers nothing
