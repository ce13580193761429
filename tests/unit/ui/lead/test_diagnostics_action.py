"""The console's "Ask for a diagnostic report" row action: a request, never a report."""

from __future__ import annotations

from homeagent.client.errors import ServerUnreachable
from homeagent.testing.lead_harness import FakeConsole

from .test_console import select


def test_the_action_asks_each_selected_agent_and_says_so(lead: FakeConsole) -> None:
    actions = lead.console.row_actions
    assert not actions.diagnostics.isEnabled()  # nobody selected
    first, second = list(lead.server.rows)[:2]
    select(lead, first, second)
    assert actions.diagnostics.isEnabled()
    assert actions.diagnostics.shortcut().toString() == "Ctrl+Shift+G"
    menu = actions.context_menu(lead.console)
    assert actions.diagnostics in menu.actions()
    actions.diagnostics.trigger()
    asked = [args for name, args in lead.server.calls if name == "request_diagnostics"]
    assert asked == [(first, ""), (second, "")]
    assert "is asked for a diagnostic report: they approve it first" in lead.console.status.text()


def test_a_server_away_is_said_inline(lead: FakeConsole) -> None:
    agent = next(iter(lead.server.rows))
    select(lead, agent)
    lead.server.fail_next = ServerUnreachable("POST /agents/x/diagnostics/requests: refused")
    lead.console.row_actions.diagnostics.trigger()
    assert "the report was not asked for" in lead.console.status.text()


def test_the_agent_s_answer_is_said_in_the_status_line(lead: FakeConsole) -> None:
    agent = next(iter(lead.server.rows))
    name = lead.board.row_of(agent).label  # type: ignore[union-attr]
    handle = lead.controller.handle_event
    assert handle("diagnostics_answered", {"agent_id": agent, "status": "declined"})
    assert lead.console.status.text() == f"{name} declined the diagnostic report"
    assert handle("diagnostics_answered", {"agent_id": agent, "status": "sent", "bundle_id": 3})
    assert lead.console.status.text() == f"{name} sent the diagnostic report (IT can read it)"
    assert not handle("diagnostics_answered", ["not", "an", "object"])
