"""`FakeLeadComms`: the lead contract's messages, help requests, alerts and days in memory.

It keeps the wire shapes (JSON-ready dicts, exactly as docs/lead-contract.md writes them)
and answers the `LeadCommsApi` methods by parsing them with the product's own parsers, so
a fake that drifts from the contract fails the same way the real client would. `handle()`
serves the same state per HTTP method and path: the contract test puts it behind a local
HTTP server and runs `ServerClient` against it, case for case with the fake.

Every change it makes publishes the event the server would to the leads (`events`, a list
of `(type, data)` to feed the console's `apply_event`); the `agent_*` and `raise_alert`
helpers play the agents' and the server's side.
"""

from __future__ import annotations

import copy
import datetime as dt
import itertools
import threading
from collections.abc import Callable, Sequence
from typing import Any

from homeagent.client.errors import ApiError
from homeagent.core import lead_comms as lc

Json = dict[str, Any]


def _iso(moment: dt.datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


class FakeLeadComms:
    """An in-memory server side of one team for the console (see the module docstring)."""

    def __init__(
        self,
        team_id: str = "team-1",
        agents: Sequence[tuple[str, str, str]] = (
            ("a-1", "alice", "Alice Martin"),
            ("a-2", "bruno", "Bruno Petit"),
        ),
        lead: tuple[str, str] = ("lead-1", "Léa Chef"),
        *,
        now: Callable[[], dt.datetime] | None = None,
    ) -> None:
        self.team_id = team_id
        self.agents: dict[str, tuple[str, str]] = {a: (n, d) for a, n, d in agents}
        self.lead_id, self.lead_name = lead
        self._now = now or (lambda: dt.datetime.now(dt.UTC))
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self.messages: dict[int, Json] = {}
        self.receipts: dict[int, dict[str, Json]] = {}  # message → recipient → times
        self.help: dict[int, Json] = {}
        self.alerts: dict[int, Json] = {}
        self.days: dict[tuple[str, str, dt.date], Json] = {}  # ("team"|"agent", id, day)
        self.events: list[tuple[str, Json]] = []
        self.calls: list[str] = []  # "METHOD /path" of every API call, in order
        self.fail_with: Exception | None = None  # raised by the next API call, then cleared
        self.audit: list[tuple[str, Any]] = []

    # --- the server's side: wire state -------------------------------------------------

    def _publish(self, event_type: str, data: Json) -> None:
        self.events.append((event_type, copy.deepcopy(data)))

    def drain_events(self) -> list[tuple[str, Json]]:
        """The events published since the last drain."""
        out, self.events = self.events, []
        return out

    def _message_out(self, message_id: int, *, for_lead: bool = True) -> Json:
        msg = dict(self.messages[message_id])
        rec = self.receipts.get(message_id, {})
        lead_rec = rec.get(self.lead_id)
        agents = {k: v for k, v in rec.items() if k != self.lead_id}
        msg["receipt"] = dict(lead_rec) if lead_rec is not None else None
        if for_lead and not msg["_from_agent"]:
            msg["counts"] = {
                "recipients": len(agents),
                "delivered": sum(1 for r in agents.values() if r["delivered_at"]),
                "read": sum(1 for r in agents.values() if r["read_at"]),
                "acked": sum(1 for r in agents.values() if r["acked_at"]),
            }
        else:
            msg["counts"] = None
        return {k: v for k, v in msg.items() if not k.startswith("_")}

    def _new_message(
        self,
        sender: tuple[str, str],
        body: str,
        priority: str,
        recipients: list[str],
        **target: Any,
    ) -> int:
        message_id = next(self._ids)
        self.messages[message_id] = {
            "id": message_id,
            "sender_id": sender[0],
            "sender_name": sender[1],
            "to_agent_id": target.get("to_agent_id"),
            "to_team_id": target.get("to_team_id"),
            "thread_agent_id": target.get("thread_agent_id"),
            "body": body,
            "priority": priority,
            "created_at": _iso(self._now()),
            "_from_agent": target.get("from_agent", False),
            "_recipients": recipients,
        }
        self.receipts[message_id] = {
            r: {"delivered_at": None, "read_at": None, "acked_at": None} for r in recipients
        }
        self._publish("message", self._message_out(message_id))
        return message_id

    def _post_message(self, body: Json) -> Json:
        targets = [k for k in ("to_agent_ids", "to_agent_id", "to_team_id") if body.get(k)]
        if len(targets) != 1:
            raise ApiError(422, "validation_error", "exactly one of the three targets")
        text = body.get("body")
        if not isinstance(text, str) or not 1 <= len(text) <= 5000:
            raise ApiError(422, "validation_error", "body: 1 to 5000 characters")
        priority = {"high": "urgent"}.get(body.get("priority", "normal"), body.get("priority"))
        if priority not in ("normal", "urgent"):
            raise ApiError(422, "validation_error", "priority")
        target: dict[str, Any] = {}
        if targets[0] == "to_team_id":
            if body["to_team_id"] != self.team_id:
                raise ApiError(404, "not_found", "no such team")
            recipients = list(self.agents)
            target["to_team_id"] = self.team_id
        else:
            ids = body["to_agent_ids"] if targets[0] == "to_agent_ids" else [body["to_agent_id"]]
            if not 1 <= len(ids) <= 200 or any(a not in self.agents for a in ids):
                raise ApiError(404, "not_found", "no such agent")
            recipients = list(dict.fromkeys(ids))
            if targets[0] == "to_agent_id":
                target = {"to_agent_id": ids[0], "thread_agent_id": ids[0]}
        message_id = self._new_message(
            (self.lead_id, self.lead_name), text, priority, recipients, **target
        )
        return self._message_out(message_id)

    def _receipt_change(self, message_id: int, agent_id: str, what: str) -> Json:
        if message_id not in self.messages or agent_id not in self.receipts[message_id]:
            raise ApiError(404, "not_found", "no such message")
        if what == "ack" and self.messages[message_id]["priority"] != "urgent":
            raise ApiError(409, "not_urgent", "only an urgent message is acknowledged")
        rec = self.receipts[message_id][agent_id]
        at = _iso(self._now())
        changed = False
        for field in {"delivered": ("delivered_at",), "read": ("delivered_at", "read_at"),
                      "ack": ("delivered_at", "read_at", "acked_at")}[what]:  # fmt: skip
            if rec[field] is None:
                rec[field] = at
                changed = True
        out = {"message_id": message_id, "agent_id": agent_id, **rec}
        if changed:
            self._publish("message_receipt", out)
        return out

    def _list_messages(self, after_id: int | None, agent_id: str | None) -> list[Json]:
        out = []
        for mid in sorted(self.messages):
            msg = self.messages[mid]
            if after_id is not None and mid <= after_id:
                continue
            if agent_id is not None:
                one_to_one = msg["thread_agent_id"] == agent_id
                broadcast = msg["thread_agent_id"] is None and agent_id in msg["_recipients"]
                if not (one_to_one or broadcast):
                    continue
            out.append(self._message_out(mid))
        return out

    def _receipts_list(self, message_id: int) -> list[Json]:
        if message_id not in self.messages:
            raise ApiError(404, "not_found", "no such message")
        return [
            {"agent_id": a, "name": self.agents[a][0], "display_name": self.agents[a][1], **r}
            for a, r in self.receipts[message_id].items()
            if a in self.agents
        ]

    def _help_change(self, request_id: int, what: str) -> Json:
        req = self.help.get(request_id)
        if req is None:
            raise ApiError(404, "not_found", "no such help request")
        if what == "ack" and req["status"] == "open":
            req.update(status="acknowledged", acked_at=_iso(self._now()),
                       acked_by={"id": self.lead_id, "name": self.lead_name})  # fmt: skip
            self.audit.append(("help_ack", request_id))
            self._publish("help_request_updated", req)
        elif what == "resolve" and req["status"] != "resolved":
            req.update(status="resolved", resolved_at=_iso(self._now()))
            self.audit.append(("help_resolve", request_id))
            self._publish("help_request_updated", req)
        return dict(req)

    def _alert_ack(self, alert_id: int) -> Json:
        alert = self.alerts.get(alert_id)
        if alert is None:
            raise ApiError(404, "not_found", "no such alert")
        if alert["acked_at"] is None:
            alert.update(acked_at=_iso(self._now()),
                         acked_by={"id": self.lead_id, "name": self.lead_name})  # fmt: skip
            self.audit.append(("alert_ack", alert_id))
            self._publish("alert_updated", alert)
        return dict(alert)

    def handle(self, method: str, path: str, query: dict[str, str], body: Any) -> Any:
        """One request of the contract, answered as the server would (raises ApiError)."""
        with self._lock:
            return self._route(method, path.strip("/").split("/"), query, body or {})

    def _route(self, method: str, parts: list[str], q: dict[str, str], body: Any) -> Any:
        def num(text: str) -> int:
            if not text.isdigit():
                raise ApiError(404, "not_found", "no such resource")
            return int(text)

        match method, parts:
            case "POST", ["messages"]:
                return self._post_message(body)
            case "GET", ["messages"]:
                after = num(q["after_id"]) if "after_id" in q else None
                return self._list_messages(after, q.get("agent_id"))
            case "GET", ["messages", mid, "receipts"]:
                return self._receipts_list(num(mid))
            case "POST", ["messages", mid, ("delivered" | "read" | "ack") as what]:
                return self._receipt_change(num(mid), self.lead_id, what)
            case "GET", ["help-requests"]:
                status = q.get("status")
                after = num(q["after_id"]) if "after_id" in q else 0
                return [dict(h) for i, h in sorted(self.help.items())
                        if i > after and (status is None or h["status"] == status)]  # fmt: skip
            case "POST", ["help-requests", rid, ("ack" | "resolve") as what]:
                return self._help_change(num(rid), what)
            case "GET", ["teams", team, "alerts"]:
                if team != self.team_id:
                    raise ApiError(404, "not_found", "no such team")
                day = q.get("day")
                out = [dict(a) for _, a in sorted(self.alerts.items())]
                if day:
                    out = [a for a in out if a["raised_at"].startswith(day)]
                if q.get("open") == "true":
                    out = [a for a in out if a["cleared_at"] is None]
                return out
            case "POST", ["alerts", aid, "ack"]:
                return self._alert_ack(num(aid))
            case "GET", [("teams" | "agents") as kind, owner, "day"]:
                which = dt.date.fromisoformat(q["day"])
                found = self.days.get((kind.rstrip("s"), owner, which))
                if found is None:
                    raise ApiError(404, "not_found", "no such day")
                return copy.deepcopy(found)
        raise ApiError(404, "not_found", f"no route {method} /{'/'.join(parts)}")

    # --- the product's side: LeadCommsApi --------------------------------------------

    def _call(self, method: str, path: str, query: dict[str, str] | None = None,
              body: Any = None) -> Any:  # fmt: skip
        self.calls.append(f"{method} {path}")
        failure, self.fail_with = self.fail_with, None
        if failure is not None:
            raise failure
        return copy.deepcopy(self.handle(method, path, query or {}, body))

    def send_lead_message(
        self,
        body: str,
        *,
        priority: lc.MessagePriority = "normal",
        to_agent_ids: Sequence[str] = (),
        to_team_id: str | None = None,
        idempotency_key: str,
    ) -> lc.LeadMessage:
        target: Json = (
            {"to_team_id": to_team_id}
            if to_team_id is not None
            else {"to_agent_id": to_agent_ids[0]}
            if len(to_agent_ids) == 1
            else {"to_agent_ids": list(to_agent_ids)}
        )
        answer = self._call("POST", "/messages", body={**target, "body": body,
                                                       "priority": priority})  # fmt: skip
        return lc.parse_lead_message(answer)

    def read_lead_messages(
        self, after_id: int | None = None, agent_id: str | None = None
    ) -> tuple[lc.LeadMessage, ...]:
        q = {k: str(v) for k, v in (("after_id", after_id), ("agent_id", agent_id)) if v}
        return lc.parse_lead_messages(self._call("GET", "/messages", q))

    def read_message_receipts(self, message_id: int) -> tuple[lc.RecipientReceipt, ...]:
        return lc.parse_receipts(self._call("GET", f"/messages/{message_id}/receipts"))

    def mark_message_read(self, message_id: int) -> lc.ReceiptUpdate:
        return lc.parse_receipt_update(self._call("POST", f"/messages/{message_id}/read"))

    def read_help_requests(
        self, status: lc.HelpStatus, after_id: int | None = None
    ) -> tuple[lc.HelpRequest, ...]:
        q = {"status": status, **({"after_id": str(after_id)} if after_id else {})}
        return lc.parse_help_requests(self._call("GET", "/help-requests", q))

    def ack_help_request(self, request_id: int) -> lc.HelpRequest:
        return lc.parse_help_request(self._call("POST", f"/help-requests/{request_id}/ack"))

    def resolve_help_request(self, request_id: int) -> lc.HelpRequest:
        return lc.parse_help_request(self._call("POST", f"/help-requests/{request_id}/resolve"))

    def read_alerts(
        self, team_id: str, day: dt.date | None = None, *, open_only: bool = False
    ) -> tuple[lc.Alert, ...]:
        q = {**({"day": day.isoformat()} if day else {}), **({"open": "true"} if open_only else {})}
        return lc.parse_alerts(self._call("GET", f"/teams/{team_id}/alerts", q))

    def ack_alert(self, alert_id: int | str) -> lc.Alert:
        return lc.parse_alert(self._call("POST", f"/alerts/{alert_id}/ack"))

    def read_team_day(self, team_id: str, day: dt.date) -> lc.DayReport:
        return lc.parse_day(self._call("GET", f"/teams/{team_id}/day", {"day": day.isoformat()}))

    def read_agent_day(self, agent_id: str, day: dt.date) -> lc.DayReport:
        found = self._call("GET", f"/agents/{agent_id}/day", {"day": day.isoformat()})
        return lc.parse_day(found)

    # --- the agents' and the server's side (simulation) ------------------------------

    def agent_receipt(self, message_id: int, agent_id: str, what: str = "read") -> Json:
        """An agent's app says delivered / read / ack; publishes `message_receipt`."""
        with self._lock:
            return self._receipt_change(message_id, agent_id, what)

    def agent_writes(self, agent_id: str, body: str) -> int:
        """An agent writes to the leads (POST /messages/to-lead); returns the message id."""
        with self._lock:
            name = self.agents[agent_id][1]
            return self._new_message(
                (agent_id, name), body, "normal", [self.lead_id],
                thread_agent_id=agent_id, from_agent=True,
            )  # fmt: skip

    def agent_asks_help(
        self,
        agent_id: str,
        text: str,
        *,
        queue: str = "support",
        remote_number_masked: str = "+*********678",
        call_started_at: dt.datetime | None = None,
        contact_id: str | None = None,
    ) -> int:
        """An agent raises a help request during a call; publishes `help_request`."""
        with self._lock:
            request_id = next(self._ids)
            self.help[request_id] = {
                "id": request_id,
                "agent_id": agent_id,
                "agent_name": self.agents[agent_id][1],
                "team_id": self.team_id,
                "text": text,
                "call_context": {
                    "queue": queue,
                    "contact_id": contact_id,
                    "remote_number_masked": remote_number_masked,
                    "call_started_at": _iso(call_started_at),
                },
                "created_at": _iso(self._now()),
                "status": "open",
                "acked_by": None,
                "acked_at": None,
                "resolved_at": None,
            }
            self._publish("help_request", self.help[request_id])
            return request_id

    def raise_alert(self, agent_id: str, kind: str, value: float, threshold: float) -> int:
        """The server's evaluation raises an alert; publishes `alert`."""
        with self._lock:
            alert_id = next(self._ids)
            self.alerts[alert_id] = {
                "id": alert_id,
                "team_id": self.team_id,
                "agent_id": agent_id,
                "agent_name": self.agents[agent_id][1],
                "kind": kind,
                "detail": {"value": value, "threshold": threshold},
                "raised_at": _iso(self._now()),
                "cleared_at": None,
                "acked_at": None,
                "acked_by": None,
            }
            self._publish("alert", self.alerts[alert_id])
            return alert_id

    def clear_alert(self, alert_id: int) -> None:
        """The episode ended (the break is over…); publishes `alert_updated`."""
        with self._lock:
            self.alerts[alert_id]["cleared_at"] = _iso(self._now())
            self._publish("alert_updated", self.alerts[alert_id])

    def set_day(self, kind: str, owner: str, day: dt.date, payload: Json) -> None:
        """The day payload GET /teams|agents/{id}/day answers (`kind`: team or agent)."""
        self.days[(kind, owner, day)] = copy.deepcopy(payload)


def sample_day(
    day: dt.date,
    agents: Sequence[tuple[str, str, str]] = (
        ("a-1", "alice", "Alice Martin"),
        ("a-2", "bruno", "Bruno Petit"),
    ),
    *,
    start_hour_utc: int = 7,
    calls_each: int = 12,
) -> Json:
    """A plausible, self-consistent GET /teams/{id}/day payload: each agent signs in at
    `start_hour_utc` (+ a few minutes per agent), takes `calls_each` calls (talk + 60 s of
    wrap-up) with a coffee break in the middle, and signs out; figures match the
    timeline (the definitions of docs/api.md)."""  # fmt: skip
    midnight = dt.datetime.combine(day, dt.time(0), tzinfo=dt.UTC)
    rows: list[Json] = []
    team_calls = [0] * 24
    team_handle: list[list[int]] = [[] for _ in range(24)]
    totals = {"calls_handled": 0, "talk_s": 0, "wrap_up_s": 0, "count": 0, "duration_s": 0}
    for n, (agent_id, name, display) in enumerate(agents):
        t = midnight + dt.timedelta(hours=start_hour_utc, minutes=7 * n)
        timeline: list[Json] = [{"state": "offline", "reason": "", "start": _iso(midnight),
                                 "end": _iso(t)}]  # fmt: skip
        calls, handle = [0] * 24, [[] for _ in range(24)]  # type: list[int], list[list[int]]
        talk_total = wrap_total = 0

        def add(
            state: str, seconds: int, reason: str = "", timeline: list[Json] = timeline
        ) -> None:
            nonlocal t
            end = t + dt.timedelta(seconds=seconds)
            timeline.append({"state": state, "reason": reason, "start": _iso(t), "end": _iso(end)})
            t = end

        for k in range(calls_each):
            add("available", 600 + 290 * ((k + n) % 5))
            talk = 180 + 45 * ((k * 3 + n) % 7)
            hour = t.hour
            add("ringing", 8)
            add("on_call", talk)
            add("wrap_up", 60)
            calls[hour] += 1
            handle[hour].append(talk + 60)
            talk_total, wrap_total = talk_total + talk, wrap_total + 60
            if k == calls_each // 2:
                add("break", 900, "Café")
        add("available", 600)
        timeline.append({"state": "offline", "reason": "", "start": _iso(t),
                         "end": _iso(midnight + dt.timedelta(days=1))})  # fmt: skip
        handled = calls_each
        figures = {
            "day": day.isoformat(), "calls_handled": handled, "missed": n % 2, "declined": 0,
            "talk_s": talk_total, "wrap_up_s": wrap_total, "handle_s": talk_total + wrap_total,
            "avg_handle_s": round((talk_total + wrap_total) / handled),
            "avg_wrap_up_s": round(wrap_total / handled),
            "breaks": {"count": 1, "duration_s": 900},
        }  # fmt: skip
        rows.append({
            "agent_id": agent_id, "name": name, "display_name": display, "figures": figures,
            "calls_per_hour": calls,
            "handle_by_hour": [round(sum(h) / len(h)) if h else None for h in handle],
            "timeline": timeline,
        })  # fmt: skip
        for h in range(24):
            team_calls[h] += calls[h]
            team_handle[h] += handle[h]
        totals["calls_handled"] += handled
        totals["talk_s"] += talk_total
        totals["wrap_up_s"] += wrap_total
        totals["count"] += 1
        totals["duration_s"] += 900
    handled = totals["calls_handled"]
    team_figures = {
        "day": day.isoformat(), "calls_handled": handled,
        "missed": sum(r["figures"]["missed"] for r in rows), "declined": 0,
        "talk_s": totals["talk_s"], "wrap_up_s": totals["wrap_up_s"],
        "handle_s": totals["talk_s"] + totals["wrap_up_s"],
        "avg_handle_s": round((totals["talk_s"] + totals["wrap_up_s"]) / handled) if handled else 0,
        "avg_wrap_up_s": round(totals["wrap_up_s"] / handled) if handled else 0,
        "breaks": {"count": totals["count"], "duration_s": totals["duration_s"]},
    }  # fmt: skip
    return {
        "day": day.isoformat(),
        "agents": rows,
        "team": {
            "figures": team_figures,
            "calls_per_hour": team_calls,
            "handle_by_hour": [round(sum(h) / len(h)) if h else None for h in team_handle],
        },
    }
