"""The server's side of the agent's routes, in memory, as docs/api.md and
docs/lead-contract.md state them: what the outbox sends is answered, and what a team
lead does (a remote state change, a message, "J'arrive") reaches the desk as the stream
events the real server publishes.

`FakeServer.request` is the outbox's `Sender`; `push(type, data)` is how its events
reach the device (`homeagent.testing.device.FakeDevice` wires both).
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
import secrets
from collections.abc import Callable
from typing import Any

from homeagent.client.errors import ApiError

CALL_STATES = ("ringing", "on_call", "wrap_up")
LEAD = {"id": "lead-1", "name": "Claire M."}
T0 = dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.UTC)
_RECEIPT = re.compile(r"^/messages/(\d+)/(delivered|read|ack)$")


def _iso(when: dt.datetime | None) -> str | None:
    return None if when is None else when.isoformat().replace("+00:00", "Z")


class FakeServer:
    """One agent's server, answering like the real one (see the module docstring)."""

    def __init__(
        self, agent_id: str = "u-1", push: Callable[[str, dict[str, Any]], None] | None = None
    ) -> None:
        self.agent_id = agent_id
        self.push = push or (lambda _type, _data: None)
        self.requests: list[tuple[str, str, Any]] = []  # (method, path, body) as received
        self.state: dict[str, Any] = self._state_row("offline", "")
        self.pending: dict[str, Any] | None = None
        self.messages: dict[int, dict[str, Any]] = {}
        self.receipts: dict[int, dict[str, Any]] = {}  # the agent's receipt per message
        self.helps: dict[int, dict[str, Any]] = {}
        self.supervisions: dict[int, dict[str, Any]] = {}  # id -> Session (no token)
        self._ids = itertools.count(1)
        self._ticks = itertools.count(1)
        self.refuse: Callable[[str, str], ApiError | None] | None = None  # per request

    def _now(self) -> dt.datetime:
        return T0 + dt.timedelta(seconds=next(self._ticks))

    def _state_row(
        self, state: str, reason: str, by: dict[str, str] | None = None, note: str = ""
    ) -> dict[str, Any]:
        now = T0 if not hasattr(self, "_ticks") else self._now()
        return {
            "agent_id": self.agent_id, "state": state, "reason": reason, "since": _iso(now),
            "changed_by": by, "note": note,
        }  # fmt: skip

    # -- the outbox's requests ---------------------------------------------------------

    def request(
        self, method: str, path: str, body: Any = None, *, idempotency_key: str | None = None
    ) -> Any:
        self.requests.append((method, path, body))
        refusal = self.refuse(method, path) if self.refuse is not None else None
        if refusal is not None:
            raise refusal
        if (method, path) == ("PUT", "/agents/me/state"):
            return self._put_state(str(body["state"]), str(body.get("reason") or ""))
        if (method, path) == ("POST", "/messages/to-lead"):
            return self._to_lead(str(body["body"]))
        if (method, path) == ("POST", "/help-requests"):
            return self._help(body)
        found = _RECEIPT.match(path) if method == "POST" else None
        if found is not None:
            return self._receipt(int(found.group(1)), found.group(2))
        return {}

    def _put_state(self, state: str, reason: str) -> dict[str, Any]:
        if state == "ringing":  # set by the ACD only: answers the current state
            return dict(self.state)
        if state == "available" and self.pending is not None:
            # the agent's next move to Available becomes the lead's pending change
            p, self.pending = self.pending, None
            self.state = self._state_row(p["state"], p["reason"], p["by"], p["note"])
            self.push("agent_state", dict(self.state))
            return dict(self.state)
        if (state, reason) == (self.state["state"], self.state["reason"]):
            return dict(self.state)  # unchanged: no event
        self.state = self._state_row(state, reason)
        self.push("agent_state", dict(self.state))
        return dict(self.state)

    def _message_out(self, m: dict[str, Any]) -> dict[str, Any]:
        receipt = self.receipts.get(m["id"])
        out = {k: v for k, v in m.items() if not k.startswith("_")}
        return {**out, "receipt": dict(receipt) if receipt is not None else None, "counts": None}

    def _to_lead(self, body: str) -> dict[str, Any]:
        m: dict[str, Any] = {
            "id": next(self._ids), "sender_id": self.agent_id, "sender_name": "Alice Robert",
            "to_agent_id": None, "to_team_id": None, "thread_agent_id": self.agent_id,
            "body": body, "priority": "normal", "created_at": _iso(self._now()),
        }  # fmt: skip
        self.messages[m["id"]] = m
        return self._message_out(m)

    def _receipt(self, message_id: int, what: str) -> dict[str, Any]:
        receipt = self.receipts.get(message_id)
        if receipt is None:
            raise ApiError(404, "not_found", "No such message for you.")
        if what == "ack" and self.messages[message_id]["priority"] != "urgent":
            raise ApiError(409, "not_urgent", "Only an urgent message is acknowledged.")
        now = _iso(self._now())
        order = ("delivered_at", "read_at", "acked_at")
        for name in order[: order.index(f"{what}_at" if what != "ack" else "acked_at") + 1]:
            receipt[name] = receipt[name] or now  # ack implies read, read implies delivered
        return {"message_id": message_id, "agent_id": self.agent_id, **receipt}

    def _help(self, body: dict[str, Any]) -> dict[str, Any]:
        h: dict[str, Any] = {
            "id": next(self._ids), "agent_id": self.agent_id, "agent_name": "Alice Robert",
            "team_id": "t-1", "text": str(body.get("text") or ""),
            "call_context": dict(body.get("call_context") or {}),
            "created_at": _iso(self._now()), "status": "open", "acked_by": None,
            "acked_at": None, "resolved_at": None,
        }  # fmt: skip
        self.helps[h["id"]] = h
        return dict(h)

    # -- what a team lead does ---------------------------------------------------------

    def lead_sets_state(
        self, state: str, reason: str = "", note: str = "", by: dict[str, str] | None = None
    ) -> dict[str, Any]:
        """POST /agents/{id}/state: pending during a call, else applied now."""
        lead = dict(by or LEAD)
        if self.state["state"] in CALL_STATES:
            self.pending = {
                "state": state, "reason": reason, "by": lead, "note": note,
                "at": _iso(self._now()),
            }  # fmt: skip
            self.push("state_change_pending", {"agent_id": self.agent_id, "pending": self.pending})
            return {"applied": False, "state": dict(self.state), "pending": self.pending}
        self.state = self._state_row(state, reason, lead, note)
        self.push("agent_state", dict(self.state))
        return {"applied": True, "state": dict(self.state), "pending": None}

    def lead_cancels_pending(self) -> None:
        """DELETE /agents/{id}/pending-state."""
        self.pending = None
        self.push("state_change_pending", {"agent_id": self.agent_id, "pending": None})

    def lead_sends(self, body: str, priority: str = "normal") -> dict[str, Any]:
        """POST /messages to the agent: the `message` event as the agent sees it."""
        m: dict[str, Any] = {
            "id": next(self._ids), "sender_id": LEAD["id"], "sender_name": LEAD["name"],
            "to_agent_id": self.agent_id, "to_team_id": None,
            "thread_agent_id": self.agent_id, "body": body,
            "priority": "urgent" if priority == "high" else priority,
            "created_at": _iso(self._now()),
        }  # fmt: skip
        self.messages[m["id"]] = m
        self.receipts[m["id"]] = {"delivered_at": None, "read_at": None, "acked_at": None}
        out = self._message_out(m)
        self.push("message", out)
        return out

    def lead_updates_help(self, help_id: int, status: str) -> dict[str, Any]:
        """POST /help-requests/{id}/ack ("J'arrive") or /resolve."""
        h = self.helps[help_id]
        now = _iso(self._now())
        if status == "acknowledged":
            h.update(status=status, acked_by=dict(LEAD), acked_at=now)
        else:
            h.update(status=status, resolved_at=now)
        self.push("help_request_updated", dict(h))
        return dict(h)

    def conversation(self, after_id: int = 0) -> list[dict[str, Any]]:
        """GET /messages for the agent: to them (with their receipt) and their own."""
        return [
            self._message_out(m)
            for m_id, m in sorted(self.messages.items())
            if m_id > after_id and (m_id in self.receipts or m["sender_id"] == self.agent_id)
        ]

    def sent(self, path: str) -> list[Any]:
        """The bodies the server received on `path`, in order."""
        return [body for _method, p, body in self.requests if p == path]

    # -- live supervision (docs/supervision-contract.md), the agent's side -------------

    def lead_supervises(self, mode: str = "listen", *, announce: bool = True) -> dict[str, Any]:
        """POST /agents/{id}/supervision by the lead: the session (with its token, as the
        lead's app gets it); `supervision_requested` reaches the agent."""
        now = _iso(self._now())
        session: dict[str, Any] = {
            "id": next(self._ids), "agent_id": self.agent_id, "agent_name": "Alice Robert",
            "lead_id": LEAD["id"], "lead_name": LEAD["name"], "team_id": "t-1",
            "mode": mode, "status": "requested", "created_at": now, "connected_at": None,
            "ended_at": None, "end_reason": None,
        }  # fmt: skip
        token = secrets.token_urlsafe(32)
        self.supervisions[session["id"]] = session
        self.push("supervision_requested", {
            "id": session["id"], "token": token, "mode": mode, "lead": dict(LEAD),
            "lead_sip_uri": "sip:claire@demo.local", "announce": announce,
        })  # fmt: skip
        return {**session, "token": token}

    def lead_switches(self, session_id: int, mode: str, *, announce: bool = True) -> None:
        """PATCH /supervision/{id}: `supervision_mode` reaches the agent."""
        self.supervisions[session_id]["mode"] = mode
        self.push(
            "supervision_mode",
            {"id": session_id, "mode": mode, "lead": dict(LEAD), "announce": announce},
        )

    def lead_stops(self, session_id: int, reason: str = "lead_stopped") -> None:
        """POST /supervision/{id}/end by the lead: `supervision_ended` reaches the agent."""
        self._end_supervision(session_id, reason)

    def supervision_request(self, method: str, path: str, reason: str = "") -> dict[str, Any]:
        """The agent's app's POST …/connected and …/end (the client's supervision routes)."""
        self.requests.append((method, path, {"reason": reason} if reason else None))
        refusal = self.refuse(method, path) if self.refuse is not None else None
        if refusal is not None:
            raise refusal
        found = re.match(r"^/supervision/(\d+)/(connected|end)$", path)
        session = self.supervisions.get(int(found.group(1))) if found else None
        if found is None or session is None:
            raise ApiError(404, "not_found", "No such supervision session.")
        if found.group(2) == "connected" and session["status"] == "requested":
            session.update(status="connected", connected_at=_iso(self._now()))
        elif found.group(2) == "end":
            self._end_supervision(session["id"], reason)
        return dict(session)

    def _end_supervision(self, session_id: int, reason: str) -> None:
        session = self.supervisions[session_id]
        if session["status"] == "ended":
            return  # idempotent: answered as it is, nothing published again
        session.update(status="ended", ended_at=_iso(self._now()), end_reason=reason)
        self.push("supervision_ended", {"id": session_id, "reason": reason})
