"""The team-lead console's board server, in memory (docs/lead-contract.md): a team, its
queues and settings in wire shapes, answered through the product's parsers, emitting the
contract's events."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable

from homeagent.core.desk_types import (
    Contact,
    Disposition,
    TeamSettings,
)

DEMO_TEAM = TeamSettings(
    name="Service client",
    pause_reasons=("Déjeuner", "Café", "Formation", "Personnelle"),
    wrap_up_s=60,
    auto_answer_s=None,
    auto_available_after_wrap_up=True,
    dispositions=(
        Disposition("resolved", "Résolu"),
        Disposition("callback", "À rappeler"),
        Disposition("escalated", "Transmis au niveau 2"),
        Disposition("sale", "Vente"),
        Disposition("wrong_number", "Faux numéro"),
    ),
)

DEMO_CONTACTS = (
    Contact(
        "c-001",
        "Camille",
        "Martin",
        "Boulangerie Martin",
        ("+33612345678",),
        "camille.martin@example.fr",
        "CL-10234",
        ("VIP", "Fibre"),
        "A signalé une coupure internet le 18/11 ; technicien passé le 20/11.",
    ),
    Contact("c-002", "Julien", "Bernard", "", ("+33698765432",), "", "CL-20871", ("Mobile",)),
    Contact("c-003", "Sophie", "Dubois", "Cabinet Dubois", ("+33145678901",), "", "CL-31002"),
    Contact("c-004", "Thomas", "Petit", "", ("+33687654321",), "", "CL-40417", ("Nouveau",)),
    Contact("c-005", "Léa", "Moreau", "", ("+33611223344",), "", "CL-55120"),
    Contact("c-006", "Hugo", "Laurent", "Garage Laurent", ("+33472000111",), "", "CL-60088"),
)


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
        from homeagent.core.lead_records import DEFAULT_SETTINGS

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
        from homeagent.core.lead_records import parse_team_settings

        self._call("read_team_settings", team_id)
        return parse_team_settings(self.settings)

    def write_team_settings(self, team_id: str, settings):  # type: ignore[no-untyped-def]
        from homeagent.core.lead_records import parse_team_settings, validate_settings

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

    def queue(self, queue: str, **figures: object) -> None:
        q = self.queues[queue]
        q.update(figures)
        self._emit("queue_stats", dict(q))
