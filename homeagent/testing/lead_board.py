"""The team-lead console's board server, in memory (docs/lead-contract.md): a team, its
queues and settings in wire shapes, answered through the product's parsers, emitting the
contract's events."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable

from homeagent.testing.demo_team import DEMO_TEAM

LEAD_DEMO_NAMES = (
    "Léa Moreau", "Hugo Laurent", "Inès Girard", "Karim Benali", "Manon Roux", "Lucas Fontaine",
    "Chloé Lambert", "Nathan Mercier", "Sarah Faure", "Yanis Chevalier", "Emma Garnier",
    "Théo Rousseau",
)  # fmt: skip
LEAD_DEMO_QUEUES = (("support", "Support Fibre"), ("sales", "Ventes"), ("billing", "Facturation"))


def _wire_time(when: dt.datetime) -> str:
    return when.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


class FakeLeadBoardServer:
    """The board side of the lead contract in memory: a team, its queues and settings.

    Implements `homeagent.core.ports.LeadBoardApi` (answers are wire JSON passed through
    the real parsers, so the console reads exactly what a server would send) and emits
    the contract's events through `on_event(type, data)` as the team lives: `set_state`,
    `start_call` / `end_call`, `figures`, `quality`, `queue`. A remote state change on an
    agent in a call is pending until the agent leaves the wrap-up, as on the server.
    `fail_next` makes the next call raise that exception (a server that refuses).
    """

    def __init__(
        self,
        *,
        agents: int = 10,
        team_id: str = "t-1",
        team_name: str = "Service client",
        pause_reasons: tuple[str, ...] = DEMO_TEAM.pause_reasons,
        now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
        on_event: Callable[[str, dict[str, object]], None] | None = None,
    ) -> None:
        from homeagent.core.lead_settings import DEFAULT_SETTINGS

        self.team_id = team_id
        self.team_name = team_name
        self.pause_reasons = pause_reasons
        self.now = now
        self.on_event = on_event
        self.lead = {"id": "u-lead", "name": "Claire Martin"}
        self.calls: list[tuple[str, tuple[object, ...]]] = []
        self.fail_next: BaseException | None = None
        self.events: list[tuple[str, dict[str, object]]] = []
        start = now()
        self.rows: dict[str, dict[str, object]] = {}
        for i in range(agents):
            name = LEAD_DEMO_NAMES[i % len(LEAD_DEMO_NAMES)]
            if i >= len(LEAD_DEMO_NAMES):
                name = f"{name} {i // len(LEAD_DEMO_NAMES) + 1}"
            agent_id = f"a-{i + 1:03d}"
            self.rows[agent_id] = {
                "agent_id": agent_id, "name": name.split()[0].lower() + str(i + 1),
                "display_name": name, "state": "available", "reason": "",
                "since": _wire_time(start), "changed_by": None, "pending": None, "call": None,
                "today": {"calls_handled": 0, "avg_handle_s": 0, "missed": 0,
                          "missed_in_row": 0, "breaks": {"count": 0, "duration_s": 0}},
                "quality": None, "network": None,
            }  # fmt: skip
        self.queues: dict[str, dict[str, object]] = {
            q: {
                "queue": q,
                "label": label,
                "team_id": team_id,
                "waiting": 0,
                "longest_wait_s": 0,
                "oldest_since": None,
                "offered": 0,
                "answered": 0,
                "abandoned": 0,
                "timed_out": 0,
                "service_level_pct": None,
                "sl_threshold_s": 20,
                "asa_s": None,
                "day": start.date().isoformat(),
            }
            for q, label in LEAD_DEMO_QUEUES
        }
        self.settings: dict[str, object] = DEFAULT_SETTINGS.to_wire()
        self._lock = threading.Lock()

    # -- LeadBoardApi --------------------------------------------------------------------

    def _call(self, name: str, *args: object) -> None:
        self.calls.append((name, args))
        failure, self.fail_next = self.fail_next, None
        if failure is not None:
            raise failure

    def read_teams(self):  # type: ignore[no-untyped-def]
        from homeagent.core.lead_records import parse_teams

        self._call("read_teams")
        return parse_teams(
            [
                {
                    "id": self.team_id,
                    "name": self.team_name,
                    "pause_reasons": list(self.pause_reasons),
                },
                {"id": "t-2", "name": "Ventes", "pause_reasons": ["Déjeuner"]},
            ]
        )

    def board_wire(self) -> dict[str, object]:
        with self._lock:
            rows = [dict(r) for r in self.rows.values()]
        return {
            "team_id": self.team_id, "team_name": self.team_name, "wrap_up_s": DEMO_TEAM.wrap_up_s,
            "generated_at": _wire_time(self.now()), "agents": rows,
        }  # fmt: skip

    def read_board(self, team_id: str):  # type: ignore[no-untyped-def]
        from homeagent.core.lead_records import parse_board

        self._call("read_board", team_id)
        if team_id != self.team_id:
            return parse_board(
                {**self.board_wire(), "team_id": team_id, "team_name": "Ventes", "agents": []}
            )
        return parse_board(self.board_wire())

    def read_queue_stats(self, team_id: str):  # type: ignore[no-untyped-def]
        from homeagent.core.lead_records import parse_queues

        self._call("read_queue_stats", team_id)
        return parse_queues([q for q in self.queues.values() if q["team_id"] == team_id])

    def read_team_settings(self, team_id: str):  # type: ignore[no-untyped-def]
        from homeagent.core.lead_settings import parse_team_settings

        self._call("read_team_settings", team_id)
        return parse_team_settings(self.settings)

    def write_team_settings(self, team_id: str, settings):  # type: ignore[no-untyped-def]
        from homeagent.core.lead_settings import parse_team_settings, validate_settings

        self._call("write_team_settings", team_id, settings)
        if validate_settings(settings):
            from homeagent.client.errors import ApiError

            raise ApiError(422, "invalid_input", "a threshold is out of range")
        self.settings = settings.to_wire()
        self._emit("team_settings", {**self.settings, "team_id": team_id})
        return parse_team_settings(self.settings)

    def set_agent_state_remote(self, agent_id: str, state: str, reason: str, note: str):  # type: ignore[no-untyped-def]
        from homeagent.core.lead_records import parse_remote_state

        self._call("set_agent_state_remote", agent_id, state, reason, note)
        row = self.rows[agent_id]
        if state == "break" and reason not in self.pause_reasons:
            from homeagent.client.errors import ApiError

            raise ApiError(422, "invalid_input", "reason: not one of the team's pause reasons")
        if row["state"] in ("ringing", "on_call", "wrap_up"):
            pending = {"state": state, "reason": reason, "by": self.lead, "note": note,
                       "at": _wire_time(self.now())}  # fmt: skip
            row["pending"] = pending
            self._emit("state_change_pending", {"agent_id": agent_id, "pending": pending})
            applied = False
        else:
            self.set_state(agent_id, state, reason, changed_by=self.lead, note=note)
            applied, pending = True, None
        state_out = {k: row[k] for k in ("agent_id", "state", "reason", "since")}
        return parse_remote_state({"applied": applied, "state": state_out, "pending": pending})

    def request_diagnostics(self, agent_id: str, note: str = "") -> object:
        self._call("request_diagnostics", agent_id, note)
        return {"id": len(self.calls), "agent_id": agent_id, "status": "pending"}

    def cancel_pending_state(self, agent_id: str) -> None:
        self._call("cancel_pending_state", agent_id)
        self.rows[agent_id]["pending"] = None
        self._emit("state_change_pending", {"agent_id": agent_id, "pending": None})

    # -- the team lives ------------------------------------------------------------------

    def _emit(self, event_type: str, data: dict[str, object]) -> None:
        self.events.append((event_type, data))
        if self.on_event is not None:
            self.on_event(event_type, data)

    def set_state(
        self,
        agent_id: str,
        state: str,
        reason: str = "",
        *,
        changed_by: dict[str, str] | None = None,
        note: str = "",
        since: dt.datetime | None = None,
    ) -> dict[str, object]:
        """The agent moves; a pending change replaces a move to available."""
        row = self.rows[agent_id]
        pending = row["pending"]
        if state == "available" and isinstance(pending, dict):
            state, reason = str(pending["state"]), str(pending["reason"])
            changed_by, note = dict(pending["by"]), str(pending["note"])  # type: ignore[call-overload]
            row["pending"] = None
        if state not in ("ringing", "on_call", "wrap_up"):
            row["call"] = None
        with self._lock:
            row.update(state=state, reason=reason, since=_wire_time(since or self.now()),
                       changed_by=changed_by)  # fmt: skip
        data = {"agent_id": agent_id, "state": state, "reason": reason, "since": row["since"],
                "changed_by": changed_by, "note": note, "call": row["call"]}  # fmt: skip
        self._emit("agent_state", data)
        return data

    def start_call(
        self, agent_id: str, queue: str = "support", *, started_at: dt.datetime | None = None
    ) -> None:
        row = self.rows[agent_id]
        row["call"] = {"started_at": _wire_time(started_at or self.now()), "queue": queue,
                       "direction": "inbound"}  # fmt: skip
        self.set_state(agent_id, "on_call", since=started_at)

    def end_call(self, agent_id: str) -> None:
        """On call → wrap-up (the call stays on the row), then one more handled call."""
        self.set_state(agent_id, "wrap_up")
        today = dict(self.rows[agent_id]["today"])  # type: ignore[call-overload]
        today["calls_handled"] = int(today["calls_handled"]) + 1
        self.figures(agent_id, **today)

    def figures(self, agent_id: str, **today: object) -> None:
        merged = {**dict(self.rows[agent_id]["today"]), **today}  # type: ignore[call-overload]
        self.rows[agent_id]["today"] = merged
        self._emit("agent_figures", {"agent_id": agent_id, "today": merged})

    def quality(self, agent_id: str, mos: float, loss_pct: float = 0.0, jitter_ms: float = 8.0,
                rtt_ms: float = 40.0, final: bool = False) -> None:  # fmt: skip
        q = {"mos": mos, "loss_pct": loss_pct, "jitter_ms": jitter_ms, "rtt_ms": rtt_ms,
             "at": _wire_time(self.now()), "final": final}  # fmt: skip
        self.rows[agent_id]["quality"] = q
        self._emit("call_quality", {"agent_id": agent_id, **q})

    def network(self, agent_id: str, level: str, mos: float | None = 4.3,
                loss_pct: float | None = 0.2, jitter_ms: float | None = 3.0,
                rtt_ms: float | None = 30.0) -> None:  # fmt: skip
        """The agent's desk reported a pre-shift check (the board's network badge)."""
        n = {"level": level, "mos": mos, "loss_pct": loss_pct, "jitter_ms": jitter_ms,
             "rtt_ms": rtt_ms, "at": _wire_time(self.now())}  # fmt: skip
        self.rows[agent_id]["network"] = n
        self._emit("network_check", {"agent_id": agent_id, **n})

    def queue(self, queue: str, **figures: object) -> None:
        q = self.queues[queue]
        q.update(figures)
        self._emit("queue_stats", dict(q))


class FakeSupervisionServer:
    """The supervision routes of docs/supervision-contract.md over a `FakeLeadBoardServer`
    team (implements `homeagent.core.supervision.SupervisionApi`; answers pass through the
    product's strict parsers; events go out through the team's `on_event`).

    The lead is the team's (`team.lead`); `other_lead_starts(agent_id, name)` puts another
    lead on an agent. An agent leaving `on_call` ends their open session (`call_ended`),
    as the server does — call `agent_left_call(agent_id)` after the team moved them (the
    console harness does it on the team's `agent_state` events).
    """

    def __init__(self, team: FakeLeadBoardServer, *, policy: str = "announced") -> None:
        self.team = team
        self.policy = policy
        self.sessions: dict[int, dict[str, object]] = {}
        self.tokens: dict[int, str] = {}
        self.calls: list[tuple[str, tuple[object, ...]]] = []
        self.fail_next: BaseException | None = None
        self._next = 1

    # -- SupervisionApi ---------------------------------------------------------------

    def _call(self, name: str, *args: object) -> None:
        self.calls.append((name, args))
        failure, self.fail_next = self.fail_next, None
        if failure is not None:
            raise failure

    def start_supervision(self, agent_id: str, mode: str):  # type: ignore[no-untyped-def]
        import secrets

        from homeagent.client.errors import ApiError
        from homeagent.core.supervision import MODES, parse_started

        self._call("start_supervision", agent_id, mode)
        lead = self.team.lead
        if self.policy == "off":
            raise ApiError(403, "supervision_off", "supervision is off in this organisation")
        if mode not in MODES:
            raise ApiError(422, "invalid_input", "mode: not one of listen, whisper, barge")
        row = self.team.rows.get(agent_id)
        if row is None:
            raise ApiError(404, "not_found", "no such agent")
        if row["state"] != "on_call":
            raise ApiError(409, "not_in_call", "the agent is not in a call")
        for s in self._open():
            if s["lead_id"] == lead["id"]:
                raise ApiError(409, "lead_busy", "you are supervising another call")
        for s in self._open():
            if s["agent_id"] == agent_id:
                raise ApiError(
                    409,
                    "already_supervised",
                    f"{s['lead_name']} is there already",
                    extra={"by": {"id": s["lead_id"], "name": s["lead_name"]}},
                )
        session = self._new(agent_id, lead, mode)
        token = secrets.token_urlsafe(32)
        self.tokens[int(str(session["id"]))] = token
        return parse_started({**session, "token": token})

    def set_supervision_mode(self, session_id: int, mode: str):  # type: ignore[no-untyped-def]
        from homeagent.client.errors import ApiError
        from homeagent.core.supervision import parse_session

        self._call("set_supervision_mode", session_id, mode)
        session = self._session(session_id)
        if session["status"] == "ended":
            raise ApiError(409, "ended", "the session has ended")
        session["mode"] = mode
        self.team._emit("supervision_session", dict(session))
        return parse_session(session)

    def supervision_connected(self, session_id: int):  # type: ignore[no-untyped-def]
        from homeagent.core.supervision import parse_session

        self._call("supervision_connected", session_id)
        session = self._session(session_id)
        if session["status"] == "requested":
            session.update(status="connected", connected_at=_wire_time(self.team.now()))
            self.team._emit("supervision_session", dict(session))
        return parse_session(session)

    def end_supervision(self, session_id: int, reason: str):  # type: ignore[no-untyped-def]
        from homeagent.core.supervision import parse_session

        self._call("end_supervision", session_id, reason)
        session = self._session(session_id)
        if session["status"] != "ended":
            self._end(session, reason)
        return parse_session(session)

    def read_supervision_policy(self) -> str:
        self._call("read_supervision_policy")
        return self.policy

    def read_team_supervision(self, team_id: str):  # type: ignore[no-untyped-def]
        from homeagent.core.supervision import parse_sessions

        self._call("read_team_supervision", team_id)
        return parse_sessions([s for s in self._open() if s["team_id"] == team_id])

    # -- the world moves ----------------------------------------------------------------

    def other_lead_starts(
        self, agent_id: str, name: str = "Marc Petit", mode: str = "listen"
    ) -> int:
        """Another lead of the team supervises `agent_id` (connected at once)."""
        session = self._new(agent_id, {"id": "u-lead-2", "name": name}, mode)
        return int(str(session["id"]))

    def agent_left_call(self, agent_id: str) -> None:
        """The agent's state left on_call: the agent's open sessions end (call_ended)."""
        for session in self._open():
            if session["agent_id"] == agent_id:
                self._end(session, "call_ended")

    def end(self, session_id: int, reason: str) -> None:
        """The agent's app ends the session (the leg ended: transferred, lead_lost…)."""
        session = self._session(session_id)
        if session["status"] != "ended":
            self._end(session, reason)

    # -- inside -------------------------------------------------------------------------

    def _open(self) -> list[dict[str, object]]:
        return [s for s in self.sessions.values() if s["status"] != "ended"]

    def _session(self, session_id: int) -> dict[str, object]:
        from homeagent.client.errors import ApiError

        session = self.sessions.get(session_id)
        if session is None:
            raise ApiError(404, "not_found", "no such supervision session")
        return session

    def _new(self, agent_id: str, lead: dict[str, str], mode: str) -> dict[str, object]:
        row = self.team.rows[agent_id]
        session_id, self._next = self._next, self._next + 1
        session: dict[str, object] = {
            "id": session_id, "agent_id": agent_id,
            "agent_name": row["display_name"] or row["name"], "lead_id": lead["id"],
            "lead_name": lead["name"], "team_id": self.team.team_id, "mode": mode,
            "status": "requested", "created_at": _wire_time(self.team.now()),
            "connected_at": None, "ended_at": None, "end_reason": None,
        }  # fmt: skip
        self.sessions[session_id] = session
        self.team._emit("supervision_session", dict(session))
        return session

    def _end(self, session: dict[str, object], reason: str) -> None:
        session.update(status="ended", ended_at=_wire_time(self.team.now()), end_reason=reason)
        self.team._emit("supervision_ended", {"id": session["id"], "reason": reason})
        self.team._emit("supervision_session", dict(session))


class FakeLeadLeg:
    """The lead's engine as supervision sees it: `submit` takes ExpectSupervision /
    StopSupervision; `connect(id)` answers the agent's leg (only with an armed token, as
    the engine does), `hang_up(id, reason)` ends it from the far side. Events go to
    `on_event` (the console's supervision)."""

    def __init__(self, on_event: Callable[[object], object] | None = None) -> None:
        self.on_event = on_event
        self.commands: list[object] = []
        self.armed: dict[int, str] = {}
        self.up: dict[int, str] = {}  # connected legs: session id -> mode

    def submit(self, command: object) -> None:
        from homeagent.core.commands import ExpectSupervision, StopSupervision

        self.commands.append(command)
        if isinstance(command, ExpectSupervision):
            self.armed[command.session_id] = command.token
        elif isinstance(command, StopSupervision):
            self.armed.pop(command.session_id, None)
            if self.up.pop(command.session_id, None) is not None:
                self._emit(command.session_id, "ended", command.reason)

    def connect(self, session_id: int, token: str, mode: str = "listen") -> bool:
        """The agent's leg arrives with `token`: answered when armed with it (one use)."""
        from homeagent.core.events import SupervisionRefused

        if self.armed.get(session_id) != token:
            if self.on_event is not None:
                self.on_event(SupervisionRefused("token unknown or used"))
            return False
        del self.armed[session_id]
        self.up[session_id] = mode
        self._emit(session_id, "connected")
        return True

    def hang_up(self, session_id: int, reason: str = "call_ended") -> None:
        if self.up.pop(session_id, None) is not None:
            self._emit(session_id, "ended", reason)

    def _emit(self, session_id: int, phase: str, reason: str = "") -> None:
        from homeagent.core.events import SupervisionChanged

        if self.on_event is not None:
            self.on_event(SupervisionChanged(session_id, "lead", phase, reason=reason))
