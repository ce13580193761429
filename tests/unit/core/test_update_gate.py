"""Never during a call or a wrap-up: the pure decision to install a verified update."""

from __future__ import annotations

import datetime as dt

import pytest

from homeagent.core.agent_state import AgentState, Presence
from homeagent.core.desk_snapshot import CallView, DeskSnapshot, Screen, WrapUpView
from homeagent.core.desk_types import ServerLink, TeamSettings
from homeagent.core.events import CallDirection, CallPhase, RegistrationState
from homeagent.core.update_gate import Acceptance, Verdict, busy_reason, may_install
from homeagent.core.update_policy import InstallWindow, UpdatePolicy

NOON = dt.time(12, 0)


def _snap(state: AgentState = AgentState.AVAILABLE, screen: Screen = Screen.IDLE,
          phase: CallPhase | None = None, wrap_up: bool = False) -> DeskSnapshot:  # fmt: skip
    call = None if phase is None else CallView(1, CallDirection.INBOUND, phase, "+33612345678")
    return DeskSnapshot(
        presence=Presence(state),
        screen=screen,
        registration=RegistrationState.REGISTERED,
        server=ServerLink.ONLINE,
        agent_name="Alice",
        team=TeamSettings(),
        call=call,
        wrap_up=WrapUpView("i1", deadline_s=0.0) if wrap_up else None,
    )


BUSY = {
    "ringing": _snap(AgentState.RINGING, Screen.RINGING, CallPhase.RINGING),
    "dialling": _snap(AgentState.ON_CALL, Screen.IN_CALL, CallPhase.DIALING),
    "active": _snap(AgentState.ON_CALL, Screen.IN_CALL, CallPhase.ACTIVE),
    "held": _snap(AgentState.ON_CALL, Screen.IN_CALL, CallPhase.HELD),
    "wrap-up": _snap(AgentState.WRAP_UP, Screen.WRAP_UP, wrap_up=True),
    "wrap-up state only": _snap(AgentState.WRAP_UP),
}


@pytest.mark.parametrize("name", list(BUSY))
def test_nothing_is_installed_during_a_call_or_a_wrap_up(name: str) -> None:
    snap = BUSY[name]
    assert busy_reason(snap)
    result = may_install(snap, UpdatePolicy(), Acceptance.NOW, NOON)
    assert result.verdict is Verdict.WAIT
    assert result.reason.startswith("not during a call or wrap-up")


@pytest.mark.parametrize("state", [AgentState.AVAILABLE, AgentState.BREAK, AgentState.OFFLINE,
                                   AgentState.NOT_READY])  # fmt: skip
def test_an_idle_desk_that_accepted_installs_now(state: AgentState) -> None:
    result = may_install(_snap(state), UpdatePolicy(), Acceptance.NOW, NOON)
    assert result.verdict is Verdict.INSTALL_NOW


def test_without_an_answer_the_agent_is_asked() -> None:
    assert may_install(_snap(), UpdatePolicy(), Acceptance.NONE, NOON).verdict is Verdict.ASK


def test_at_restart_by_the_agent_or_by_policy_never_installs_now() -> None:
    assert may_install(_snap(), UpdatePolicy(), Acceptance.AT_RESTART, NOON).verdict is (
        Verdict.AT_RESTART
    )
    policy = UpdatePolicy(install="at-restart")
    for acceptance in Acceptance:
        assert may_install(_snap(), policy, acceptance, NOON).verdict is Verdict.AT_RESTART


def test_the_install_window_is_honoured() -> None:
    policy = UpdatePolicy(window=InstallWindow(dt.time(12, 30), dt.time(13, 30)))
    early = may_install(_snap(), policy, Acceptance.NOW, NOON)
    assert early.verdict is Verdict.WAIT
    assert "outside the install window 12:30-13:30" in early.reason
    assert may_install(_snap(), policy, Acceptance.NOW, dt.time(13, 0)).verdict is (
        Verdict.INSTALL_NOW
    )
    # inside the window but on a call: still no
    assert may_install(BUSY["active"], policy, Acceptance.NOW, dt.time(13, 0)).verdict is (
        Verdict.WAIT
    )
