"""May the verified update be installed now? Never during a call or a wrap-up.

The decision is pure: the desk's snapshot (what the agent is doing), IT's policy (install
mode and window) and the agent's answer to the banner. Installing quits the app, so a
ringing, active, held or consulting call, or an unsaved wrap-up, always says "not now".
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

from homeagent.core.agent_state import AgentState
from homeagent.core.desk_snapshot import DeskSnapshot, Screen
from homeagent.core.update_policy import UpdatePolicy


class Acceptance(enum.Enum):
    """The agent's answer to "Update X ready"."""

    NONE = "none"  # not answered yet (banner shown, or not shown yet)
    NOW = "now"  # "Install now": at the first idle moment
    AT_RESTART = "at_restart"  # "At restart": when the app quits


class Verdict(enum.Enum):
    """What to do with a verified update at this moment."""

    INSTALL_NOW = "install_now"  # quit and hand the file to the installer
    WAIT = "wait"  # busy (call, wrap-up) or outside the window: ask again later
    ASK = "ask"  # show the banner and wait for the agent
    AT_RESTART = "at_restart"  # installed when the app quits, not before


@dataclass(frozen=True, slots=True)
class GateResult:
    verdict: Verdict
    reason: str


_BUSY_STATES = frozenset({AgentState.RINGING, AgentState.ON_CALL, AgentState.WRAP_UP})


def busy_reason(snap: DeskSnapshot) -> str:
    """Why the desk is busy ("" when idle): a call in any phase, or a wrap-up."""
    if snap.call is not None or snap.consult is not None:
        return f"a call is {snap.call.phase.value if snap.call else 'up'}"
    if snap.screen is not Screen.IDLE:
        return f"the desk shows {snap.screen.value}"
    if snap.wrap_up is not None:
        return "a wrap-up is open"
    if snap.presence.state in _BUSY_STATES:
        return f"the agent is {snap.presence.state.value}"
    return ""


def may_install(
    snap: DeskSnapshot, policy: UpdatePolicy, acceptance: Acceptance, now: dt.time
) -> GateResult:
    """The verdict for a verified update, given the desk, the policy and the agent."""
    if policy.install == "at-restart" or acceptance is Acceptance.AT_RESTART:
        return GateResult(Verdict.AT_RESTART, "installed when the app quits")
    if acceptance is Acceptance.NONE:
        return GateResult(Verdict.ASK, "waiting for the agent's answer")
    busy = busy_reason(snap)
    if busy:
        return GateResult(Verdict.WAIT, f"not during a call or wrap-up: {busy}")
    if policy.window is not None and not policy.window.contains(now):
        return GateResult(Verdict.WAIT, f"outside the install window {policy.window}")
    return GateResult(Verdict.INSTALL_NOW, "idle, accepted and inside the window")
