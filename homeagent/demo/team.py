"""The demo's simulated team: `python -m homeagent.demo.team --config FILE`.

A process of its own (pjsua2 allows one Endpoint per process and the demo agent's desk
has one), spawned by `DemoWorld` for `homeagent demo --lead`, one per simulated agent
(see :mod:`homeagent.sip.bank` for why not several). For each of its agents it signs in
through the REST API like a device, registers a SIP account to the ACD's Kamailio (on a
:class:`homeagent.sip.bank.PhoneBank`), and follows a shift script
(:mod:`homeagent.demo.shift`, seeded): Available; an ACD call rings and is answered after
1–6 s (or never: the ACD's RONA sets the agent Not ready "missed", back Available a while
later); a talk of 20–90 s (the customer or the agent hangs up) with call-quality reports
every 5 s; the call logged (POST /interactions with the SIP Call-ID); a wrap-up with a
disposition; now and then a break with one of the team's pause reasons, a help request
during a call, a message to the lead; the lead's messages delivered, read and (urgent
ones) acknowledged. A state the lead sets remotely (a break, Not ready, signed out —
applied at once, or when the agent's call is over) is lived for a believable while, then
the agent comes back Available. Every state the board shows changes on the server,
through the API and the real ACD; an error (the server restarting, a refused change) is
logged and the agent tries again 5 s later.

FILE is JSON, readable by its owner only (it holds the demo's password):
``{"server_url", "password", "agents": [login, ...], "first_index", "queue", "seed",
"pace"}`` — `first_index`: the team position of the process's first agent, which seeds
its shift script.
The process stops on SIGTERM/SIGINT, and by itself when its parent (the demo) is gone.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import logging
import os
import queue
import signal
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from homeagent.core.sip_config import EngineConfig, SipAccountConfig
from homeagent.demo.shift import TALK_S, CallPlan, ShiftScript
from homeagent.demo.team_api import AgentApi, ApiFailure
from homeagent.sip.bank import PhoneBank, PhoneEvent

log = logging.getLogger("homeagent.demo.team")

QUALITY_EVERY_S = 5.0
MESSAGES_EVERY_S = 4.0
REGISTER_TIMEOUT_S = 20.0
STATE_CHECK_S = 5.0  # while idle: does the server (a lead) say another state?
RETRY_S = 5


class Stopped(Exception):
    """The team is stopping: leave the shift where it is."""


def iso(moment: dt.datetime) -> str:
    """ISO-8601 UTC with Z, milliseconds."""
    return moment.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def now() -> dt.datetime:
    """The current UTC time."""
    return dt.datetime.now(dt.UTC)


@dataclass
class _Pending:
    """A lead's message the agent will read (and maybe acknowledge) later."""

    message_id: int
    urgent: bool
    read_at_s: float
    ack_at_s: float | None = None


@dataclass
class TeamStats:
    """What the team did (logged at the end, and read by tests from the log)."""

    answered: int = 0
    wrapped: int = 0
    missed: int = 0
    abandoned: int = 0
    breaks: int = 0
    help_requests: int = 0
    messages_read: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, name: str) -> None:
        with self.lock:
            setattr(self, name, getattr(self, name) + 1)


class SimAgent:
    """One simulated agent, on a thread of its own; SIP events arrive on `events`."""

    def __init__(
        self,
        index: int,
        api: AgentApi,
        bank: PhoneBank,
        *,
        seed: int,
        pace: float,
        stop: threading.Event,
        stats: TeamStats,
        queue_name: str = "",
    ) -> None:
        self.index = index
        self.api = api
        self.bank = bank
        self.key = api.login_name
        self.seed = seed
        self.pace = pace
        self.stop = stop
        self.stats = stats
        self.events: queue.Queue[PhoneEvent] = queue.Queue()
        self.script: ShiftScript | None = None
        self.thread = threading.Thread(target=self._main, name=f"agent-{index}", daemon=True)
        self._after_message_id = 0
        self._next_messages_s = 0.0
        self._pending: list[_Pending] = []
        self._queue = queue_name
        self._my_id = ""

    # -- the thread ----------------------------------------------------------------------

    def _main(self) -> None:
        try:
            self._sign_in_and_register()
            while not self.stop.is_set():
                try:
                    self._work()
                except (ApiFailure, requests.RequestException, TimeoutError) as exc:
                    # the server restarted, a token was refused, a state change was
                    # refused: a real agent would try again, so does this one
                    log.warning("%s: %s; back in %d s", self.key, exc, RETRY_S)
                    self._wait(RETRY_S)
                    if isinstance(exc, ApiFailure) and exc.status == 401:
                        self.api.sign_in()
        except Stopped:
            pass
        except Exception:
            log.exception("%s: the shift stopped on an error", self.key)
        finally:
            with contextlib.suppress(Exception):
                self.api.call("PUT", "/agents/me/state", {"state": "offline"}, timeout_s=2)
            self.api.close()

    def _sign_in_and_register(self) -> None:
        me_user = self.api.sign_in()
        self._my_id = str(me_user.get("id", ""))
        me = self.api.call("GET", "/me")
        team = me.get("team") or {}
        self.script = ShiftScript.for_agent(
            self.seed,
            self.index,
            pause_reasons=list(team.get("pause_reasons") or ()),
            dispositions=[d["code"] for d in team.get("dispositions") or ()] or ["resolved"],
            pace=self.pace,
        )
        self._wait(self.script.first_available_s())
        sip = self.api.call("POST", "/provisioning/sip")  # this agent's own SIP credential
        self.bank.add_account(
            self.key,
            SipAccountConfig(
                registrar_host=sip["registrar_host"],
                registrar_port=int(sip["registrar_port"]),
                domain=sip["domain"],
                username=sip["username"],
                auth_username=sip["auth_username"],
                password=sip["password"],
                display_name=sip.get("display_name", ""),
                first_retry_s=2,
            ),
        )
        registered = self._next(lambda e: e.kind == "registered" and 200 <= e.code < 300,
                                REGISTER_TIMEOUT_S)  # fmt: skip
        if registered is None:
            raise RuntimeError(f"{self.key}: SIP registration to the ACD failed")
        log.info("%s (%s) registered, signing in Available", self.key, self._my_id)

    def _work(self) -> None:
        """Available, taking the calls the ACD offers; following the server's word."""
        self._become_available()
        next_check = time.monotonic() + STATE_CHECK_S
        while not self.stop.is_set():
            event = self._next(lambda e: e.kind == "incoming", 1.0)
            if event is not None:
                self._offered(event)
                next_check = time.monotonic() + STATE_CHECK_S
            elif time.monotonic() >= next_check:
                next_check = time.monotonic() + STATE_CHECK_S
                here = self.api.call("GET", "/agents/me/state")
                if here["state"] in ("break", "not_ready", "offline"):
                    log.info("%s was set %s %s on the server", self.key, here["state"],
                             here.get("reason", ""))  # fmt: skip
                    self._live(here["state"], here.get("reason", ""))
                    self._become_available()

    def _become_available(self) -> None:
        """PUT available. When the server answers another state (a lead's change that
        waited for the end of the call), live it, then come back."""
        for _ in range(5):
            out = self._set("available")
            state = str(out.get("state", "available")) if isinstance(out, dict) else "available"
            if state in ("available", "ringing"):
                return
            log.info("%s: the server says %s, not available", self.key, state)
            self._live(state, str(out.get("reason", "")))

    def _live(self, state: str, reason: str) -> None:
        """Stay in a state someone else set (the lead, the ACD) for a believable while."""
        assert self.script is not None
        if state == "break":
            self.stats.add("breaks")
            self._wait(self.script.break_s(reason))
        elif state == "offline":
            self._wait(self.script.signed_out_s())
        elif state == "not_ready":
            self._wait(self.script.missed_recovery_s())
        else:  # a call state we did not expect: let it settle
            self._wait(2.0)

    # -- one call ------------------------------------------------------------------------

    def _offered(self, ring: PhoneEvent) -> None:
        assert self.script is not None
        plan = self.script.offered()
        started = now()
        rang_from = time.monotonic()
        rona_s = _int(ring.headers.get("X-Acd-Rona-Ms"), 15000) / 1000.0
        self._queue = ring.headers.get("X-Queue", "") or self._queue
        call = ring.call
        ended_early = self._ended(call, rona_s + 10.0 if plan.ring_s is None else plan.ring_s)
        if ended_early is not None:  # RONA, or the customer gave up while it rang
            rang_s = time.monotonic() - rang_from
            rona = plan.ring_s is None and rang_s >= rona_s - 1.0
            self._log_call(ring, started, None, now(), "missed" if rona else "abandoned")
            if rona:  # the ACD set us Not ready "missed"
                self.stats.add("missed")
                log.info("%s let a call ring out (RONA): Not ready", self.key)
                self._wait(self.script.missed_recovery_s())
                self._become_available()
            else:
                self.stats.add("abandoned")
            return
        if plan.ring_s is None:  # nobody CANCELled in time: give up on it
            self.bank.hangup(self.key, call)
            self._ended(call, 5.0)
            return
        if not self.bank.answer(self.key, call):
            return
        confirmed = self._next(lambda e: e.call == call and e.kind in ("confirmed", "ended"), 8.0)
        if confirmed is None or confirmed.kind == "ended":
            self._log_call(ring, started, None, now(), "abandoned")
            self.stats.add("abandoned")
            return
        answered = now()
        self.stats.add("answered")
        self._talk(ring, plan, started, answered)

    def _talk(
        self, ring: PhoneEvent, plan: CallPlan, started: dt.datetime, answered: dt.datetime
    ) -> None:
        assert self.script is not None
        call = ring.call
        # the customer usually ends it; a customer who never does is let go in the end
        longest_s = max(plan.talk_s, TALK_S[1] * self.pace) + 30.0
        talk_until = time.monotonic() + (plan.talk_s if plan.agent_hangs_up else longest_s)
        help_at = time.monotonic() + min(plan.talk_s / 2, 10.0) if plan.asks_help else None
        next_quality = time.monotonic() + QUALITY_EVERY_S
        last_quality: dict[str, Any] | None = None
        ended = None
        while ended is None and time.monotonic() < talk_until:
            if self.stop.is_set():
                raise Stopped
            step = min(next_quality, talk_until) - time.monotonic()
            ended = self._ended(call, max(step, 0.05))
            if ended is None and time.monotonic() >= next_quality:
                next_quality += QUALITY_EVERY_S
                last_quality = self._quality(ring, final=False) or last_quality
            if ended is None and help_at is not None and time.monotonic() >= help_at:
                help_at = None
                self._ask_help(ring, answered)
        if ended is None:  # the agent ends the call
            last_quality = self._quality(ring, final=False) or last_quality
            self.bank.hangup(self.key, call)
            self._ended(call, 5.0)
        ended_at = now()
        if last_quality is not None:
            self._post_quality(dict(last_quality, final=True))
        interaction = self._log_call(ring, started, answered, ended_at, "answered")
        self._wrap_up(interaction)

    def _wrap_up(self, interaction_id: str) -> None:
        assert self.script is not None
        self._set("wrap_up")
        self._wait(self.script.wrap_up_s())
        self.api.call(
            "POST",
            f"/interactions/{interaction_id}/wrap-up",
            {"disposition": self.script.disposition(), "notes": self.script.notes()},
        )
        self.stats.add("wrapped")
        text = self.script.message_to_lead()
        if text is not None:
            self.api.call("POST", "/messages/to-lead", {"body": text}, optional="messages to lead")
        pause = self.script.after_wrap_up()
        if pause is not None:
            self._set("break", pause.reason)
            self.stats.add("breaks")
            log.info("%s takes a break: %s (%.0f s)", self.key, pause.reason, pause.duration_s)
            self._wait(pause.duration_s)
        self._become_available()

    def _log_call(
        self,
        ring: PhoneEvent,
        started: dt.datetime,
        answered: dt.datetime | None,
        ended: dt.datetime,
        outcome: str,
    ) -> str:
        interaction_id = str(uuid.uuid4())
        contact = ring.headers.get("X-Contact-Id", "")
        body: dict[str, Any] = {
            "id": interaction_id,
            "contact_id": contact if _is_uuid(contact) else None,
            "direction": "inbound",
            "queue": self._queue,
            "remote_number": ring.remote_number[:20],
            "started_at": iso(started),
            "answered_at": iso(answered) if answered is not None else None,
            "ended_at": iso(ended),
            "outcome": outcome,
            "sip_call_id": ring.sip_call_id[:255],
        }
        self.api.call("POST", "/interactions", body)
        return interaction_id

    def _quality(self, ring: PhoneEvent, *, final: bool) -> dict[str, Any] | None:
        try:
            q = self.bank.quality(self.key, ring.call)
        except (RuntimeError, TimeoutError):
            return None
        if q is None:
            return None
        body = {
            "sip_call_id": ring.sip_call_id,
            "mos": min(max(q.mos, 1.0), 4.5),
            "loss_pct": min(max(q.rx_loss_pct, q.tx_loss_pct), 100.0),
            "jitter_ms": min(q.jitter_ms, 60000.0),
            "rtt_ms": min(q.rtt_ms, 60000.0),
            "final": final,
        }
        self._post_quality(body)
        return {k: v for k, v in body.items() if k != "final"}

    def _post_quality(self, body: dict[str, Any]) -> None:
        try:
            self.api.call("POST", "/agents/me/call-quality", body, optional="call quality")
        except ApiFailure as exc:  # 429 if two reports collide: the next one goes
            log.info("%s: call quality not taken: %s", self.key, exc)

    def _ask_help(self, ring: PhoneEvent, answered: dt.datetime) -> None:
        assert self.script is not None
        contact = ring.headers.get("X-Contact-Id", "")
        number = ring.remote_number
        masked = (number[:4] + "*" * max(len(number) - 6, 0) + number[-2:])[:20]
        self.api.call(
            "POST",
            "/help-requests",
            {
                "call_context": {
                    "queue": self._queue,
                    "contact_id": contact if _is_uuid(contact) else None,
                    "remote_number_masked": masked,
                    "call_started_at": iso(answered),
                },
                "text": self.script.help_text(),
            },
        )
        self.stats.add("help_requests")
        log.info("%s asked the lead for help", self.key)

    # -- messages ------------------------------------------------------------------------

    def _messages(self) -> None:
        """Fetch new messages every few seconds; read and acknowledge them when due."""
        mono = time.monotonic()
        if mono >= self._next_messages_s:
            self._next_messages_s = mono + MESSAGES_EVERY_S
            self._fetch_messages()
        for item in list(self._pending):
            if item.read_at_s <= mono and item.ack_at_s is None:
                self.api.call("POST", f"/messages/{item.message_id}/read")
                self.stats.add("messages_read")
                if not item.urgent:
                    self._pending.remove(item)
                    continue
                assert self.script is not None
                item.ack_at_s = mono + self.script.ack_delay_s()
            elif item.ack_at_s is not None and item.ack_at_s <= mono:
                self._pending.remove(item)
                self.api.call("POST", f"/messages/{item.message_id}/ack",
                              optional="message acknowledgement")  # fmt: skip

    def _fetch_messages(self) -> None:
        assert self.script is not None
        found = self.api.call("GET", f"/messages?after_id={self._after_message_id}")
        for m in found or ():
            self._after_message_id = max(self._after_message_id, int(m["id"]))
            receipt = m.get("receipt") or {}
            if m.get("sender_id") == self._my_id or receipt.get("read_at") or m.get("read_at"):
                continue
            self.api.call("POST", f"/messages/{m['id']}/delivered",
                          optional="message delivery")  # fmt: skip
            urgent = m.get("priority") in ("urgent", "high")
            self._pending.append(
                _Pending(int(m["id"]), urgent, time.monotonic() + self.script.read_delay_s())
            )

    # -- waiting -------------------------------------------------------------------------

    def _set(self, state: str, reason: str = "") -> Any:
        return self.api.call("PUT", "/agents/me/state", {"state": state, "reason": reason})

    def _next(self, wanted: Any, timeout_s: float) -> PhoneEvent | None:
        """The next SIP event `wanted` accepts within `timeout_s`; others are handled."""
        deadline = time.monotonic() + timeout_s
        while True:
            if self.stop.is_set():
                raise Stopped
            self._messages_safely()
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            try:
                event = self.events.get(timeout=min(left, 0.5))
            except queue.Empty:
                continue
            if wanted(event):
                return event
            if event.kind == "incoming":  # offered while not waiting for a call: busy
                log.info("%s: a call came while busy; refusing it", self.key)
                self.bank.answer(self.key, event.call, 486)

    def _ended(self, call: int, timeout_s: float) -> PhoneEvent | None:
        return self._next(lambda e: e.call == call and e.kind == "ended", timeout_s)

    def _wait(self, seconds: float) -> None:
        """Let `seconds` pass (reading messages, turning calls away) unless stopping."""
        self._next(lambda e: False, seconds)

    def _messages_safely(self) -> None:
        if self.script is None:
            return
        try:
            self._messages()
        except ApiFailure as exc:
            log.info("%s: messages: %s", self.key, exc)


def _int(text: str | None, default: int) -> int:
    try:
        return int(text or "")
    except ValueError:
        return default


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return len(text) == 36


# -- the process -----------------------------------------------------------------------


def load_config(path: Path) -> dict[str, Any]:
    """The team's JSON configuration; refused unless readable by its owner only."""
    if path.stat().st_mode & 0o077:
        raise SystemExit(f"team: {path} must be readable by its owner only (chmod 600)")
    config: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    for key in ("server_url", "password", "agents"):
        if key not in config:
            raise SystemExit(f"team: {path} has no {key!r}")
    return config


def run(config: dict[str, Any], stop: threading.Event) -> TeamStats:
    """Run the team until `stop` is set; returns what it did."""
    agents: dict[str, SimAgent] = {}

    def on_event(event: PhoneEvent) -> None:  # the bank's thread: never block
        agent = agents.get(event.account)
        if agent is not None:
            agent.events.put(event)

    stats = TeamStats()
    bank = PhoneBank(EngineConfig(bind_address="127.0.0.1", user_agent="HomeAgent-Team"),
                     on_event)  # fmt: skip
    bank.start()
    try:
        first = int(config.get("first_index", 0))  # this process's share of the team
        for i, login in enumerate(config["agents"], start=first):
            api = AgentApi(config["server_url"], login, config["password"])
            agents[login] = SimAgent(
                i, api, bank, seed=int(config.get("seed", 11)),
                pace=float(config.get("pace", 1.0)), stop=stop, stats=stats,
                queue_name=str(config.get("queue", "")),
            )  # fmt: skip
        for agent in agents.values():
            agent.thread.start()
        log.info("%d simulated agents started", len(agents))
        parent = os.getppid()
        while not stop.wait(0.5):
            if os.getppid() != parent:  # the demo is gone (even kill -9): stop too
                log.warning("the demo process is gone; the team stops")
                stop.set()
    finally:
        stop.set()
        for agent in agents.values():
            agent.thread.join(4)
        bank.stop()
        log.info(
            "team stopped: %d answered, %d wrapped up, %d missed, %d abandoned, %d breaks, "
            "%d help requests, %d messages read",
            stats.answered, stats.wrapped, stats.missed, stats.abandoned, stats.breaks,
            stats.help_requests, stats.messages_read,
        )  # fmt: skip
    return stats


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m homeagent.demo.team", description=__doc__)
    p.add_argument("--config", type=Path, required=True)
    args = p.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(threadName)s %(name)s: %(message)s",
    )  # fmt: skip
    logging.getLogger("urllib3").setLevel(logging.WARNING)
    config = load_config(args.config)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    run(config, stop)
    return 0


if __name__ == "__main__":
    code = main()
    sys.stderr.flush()
    os._exit(code)  # pjsua2 is gone; skip finalisation (daemon threads may hold locks)
