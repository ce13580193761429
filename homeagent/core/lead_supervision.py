"""The team lead's side of live call supervision, Qt-free (docs/supervision-contract.md,
"Lead console").

One session at a time::

    idle ─start→ requesting ─POST answer→ connecting ─engine connected→ connected
      ▲              │ refused                │ 10 s without audio            │ mode (PATCH)
      └── notice ◄───┴────────────────────────┴──── stop / ended ◄────────────┘

- `start(agent, mode)`: `POST /agents/{id}/supervision` on the caller's background lane;
  its answer arms the lead's engine (`ExpectSupervision(id, token)`). A refusal (409
  `already_supervised` — who —, `not_in_call`, `lead_busy`, 403 `supervision_off`,
  `forbidden`…) arms nothing and leaves a short notice.
- The engine's `SupervisionChanged(side="lead")` for the session: `connected` starts the
  clock; `ended` ends it here at once and, unless the stream says why within
  `END_GRACE_S` (the agent's app usually tells the server first: `call_ended`,
  `transferred`), on the server too (idempotent: its answer gives the reason that won).
- `set_mode`: `PATCH /supervision/{id}`; the mode shown changes when the server took it.
- `stop()`: `POST …/end {"reason": "lead_stopped"}` and `StopSupervision(id)`.
- The stream's `supervision_ended` (or a `supervision_session` that says `ended`) for the
  session: `StopSupervision` to the engine, the reason shown.
- A session that does not connect within `CONNECT_TIMEOUT_S`: stopped, said so.
- `shutdown()` (the app closes, the lead signs out): the session ends (`lead_stopped`).

Time is a monotonic clock read at each input, and `tick()` (the console's 1 s clock)
runs the deadlines; nothing here owns a timer or a thread. The token goes to the engine
and nowhere else: never in a view, a notice or a log line.
"""

from __future__ import annotations

import enum
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Protocol, TypeVar

from homeagent.core.commands import Command, ExpectSupervision, StopSupervision
from homeagent.core.events import SupervisionChanged
from homeagent.core.supervision import (
    END_REASONS,
    MODES,
    SessionRecord,
    StartedSession,
    SupervisionApi,
    holder_of,
)

__all__ = [
    "CONNECT_TIMEOUT_S",
    "END_GRACE_S",
    "Blocked",
    "LeadSupervision",
    "Notice",
    "Phase",
    "SupervisedAgents",
    "SupervisionView",
]

log = logging.getLogger(__name__)
T = TypeVar("T")

CONNECT_TIMEOUT_S = 10.0  # POST answered, no audio yet: stop and say so
END_GRACE_S = 2.0  # the engine saw the end first: wait this long for the stream's reason
ENDED_NOTICE_S = 6.0  # "Appel terminé" stays this long, then the bar clears
REFUSED_NOTICE_S = 8.0  # a refusal's sentence stays a little longer
TIMEOUT_REASON = "timeout"  # a notice's code: the leg never connected


class Runner(Protocol):
    """A background lane (`homeagent.ui.qt.tasks.TaskRunner.run`): the job off the GUI
    thread, its answer or error back on it."""

    def __call__(
        self,
        job: Callable[[], T],
        on_done: Callable[[T], object] | None = ...,
        on_error: Callable[[BaseException], object] | None = ...,
    ) -> None: ...


class Phase(enum.Enum):
    IDLE = "idle"
    REQUESTING = "requesting"  # the POST is on its way
    CONNECTING = "connecting"  # the engine is armed; the agent's app places the leg
    CONNECTED = "connected"  # the lead hears the call


class Blocked(enum.Enum):
    """Why the lead may not start a session on a row now."""

    NO_LINE = "no_line"  # the lead has no SIP account
    OWN_CALL = "own_call"  # the lead is in a call of their own
    BUSY = "busy"  # a session of this lead is already open
    NOT_ON_CALL = "not_on_call"  # the agent is not in a customer call
    SUPERVISED = "supervised"  # another lead is there already


@dataclass(frozen=True, slots=True)
class Notice:
    """What the bar says after a session (or an attempt) ended, until `until`.

    kind: "refused" (the POST said no: `code` is the server's code, `by` who is there
    already, `detail` the server's sentence), "ended" (`code` an end reason or
    `TIMEOUT_REASON`), "mode_failed" (a PATCH refused; the session goes on)."""

    kind: str
    code: str
    agent_name: str
    until: float
    by: str = ""
    detail: str = ""


@dataclass(frozen=True, slots=True)
class SupervisionView:
    """The lead's supervision as the bar renders it."""

    phase: Phase = Phase.IDLE
    agent_id: str = ""
    agent_name: str = ""
    session_id: int = 0
    mode: str = "listen"  # what the server took
    switching_to: str = ""  # a mode asked for, not answered yet
    connected_at: float | None = None  # monotonic
    notice: Notice | None = None

    @property
    def active(self) -> bool:
        return self.phase is not Phase.IDLE

    def elapsed_s(self, now: float) -> int:
        return 0 if self.connected_at is None else max(0, int(now - self.connected_at))


def refusal_of(exc: BaseException) -> tuple[str, str, str]:
    """(code, who is there already, the server's sentence) of a refused POST.

    Reads the client's `ApiError` by its attributes (`status`, `code`, `message`, and the
    409's holder in `extra["by"]`, see `supervision.holder_of`): core never imports the
    client."""
    code = getattr(exc, "code", None)
    status = getattr(exc, "status", None)
    if not isinstance(code, str) or not code:
        code = "unreachable" if status is None else "error"
    elif status == 403 and code not in ("supervision_off", "forbidden"):
        code = "forbidden"
    holder = holder_of(getattr(exc, "extra", None))
    message = getattr(exc, "message", None)
    name = holder.name if holder is not None else ""
    return code, name, str(message) if isinstance(message, str) else ""


class SupervisedAgents:
    """The team's open sessions, from `GET /teams/{id}/supervision` and the stream's
    `supervision_session` events (every lead's: leads do not collide)."""

    def __init__(self) -> None:
        self._sessions: dict[int, SessionRecord] = {}

    def replace_all(self, records: Iterable[SessionRecord]) -> set[str]:
        """A fresh list; the agents whose mark changed."""
        before = self.by_agent()
        self._sessions = {r.id: r for r in records if r.open}
        return _changed(before, self.by_agent())

    def apply(self, record: SessionRecord) -> set[str]:
        """One session's news; the agents whose mark changed."""
        before = self.by_agent()
        if record.open:
            self._sessions[record.id] = record
        else:
            self._sessions.pop(record.id, None)
        return _changed(before, self.by_agent())

    def drop(self, session_id: int) -> set[str]:
        before = self.by_agent()
        self._sessions.pop(session_id, None)
        return _changed(before, self.by_agent())

    def by_agent(self) -> dict[str, SessionRecord]:
        """agent id → its open session (the newest when the server ever had two)."""
        found: dict[str, SessionRecord] = {}
        for record in sorted(self._sessions.values(), key=lambda r: r.id):
            found[record.agent_id] = record
        return found

    def of(self, agent_id: str) -> SessionRecord | None:
        return self.by_agent().get(agent_id)


def _changed(before: dict[str, SessionRecord], after: dict[str, SessionRecord]) -> set[str]:
    return {a for a in set(before) | set(after) if before.get(a) != after.get(a)}


class LeadSupervision:
    """See the module docstring.

    api: the server's supervision routes; submit: commands to the lead's own engine;
    run: the background lane; write_log(event, **fields): the app's event log;
    on_change(view): after every change; me_id: the lead's user id (their own sessions
    on the board are not "another lead")."""

    def __init__(
        self,
        *,
        api: SupervisionApi,
        submit: Callable[[Command], None],
        run: Runner,
        write_log: Callable[..., None] = lambda event, **fields: None,
        on_change: Callable[[SupervisionView], None] = lambda view: None,
        clock: Callable[[], float] = time.monotonic,
        me_id: str = "",
        has_line: bool = True,
    ) -> None:
        self._api = api
        self._submit = submit
        self._run = run
        self._log = write_log
        self._on_change = on_change
        self._clock = clock
        self.me_id = me_id
        self.has_line = has_line
        self.own_call = False
        self.view = SupervisionView()
        self._deadline: float | None = None  # connecting: give up at
        self._server_end_at: float | None = None  # engine ended: end on the server at
        self._server_end_reason = ""
        self._server_end_id = 0
        self._ended_ids: set[int] = set()  # sessions this app ended or saw end
        self._early_ends: dict[int, str] = {}  # ended on the stream before the POST answer
        self._cancelled = False  # stopped while the POST was on its way
        self._attempt = 0  # which start() an answer belongs to
        self._closed = False

    # -- may the lead start one? ---------------------------------------------------------

    def blocked(
        self, *, on_call: bool, supervised_by: SessionRecord | None = None
    ) -> Blocked | None:
        """Why a session on an agent (`on_call`: their board row is `on_call`; the open
        session on them, if any) cannot start now; None when it can."""
        if not self.has_line:
            return Blocked.NO_LINE
        if self.own_call:
            return Blocked.OWN_CALL
        if self.view.active:
            return Blocked.BUSY
        if not on_call:
            return Blocked.NOT_ON_CALL
        if supervised_by is not None and supervised_by.id not in self._ended_ids:
            return Blocked.SUPERVISED
        return None

    # -- the lead's intents ----------------------------------------------------------------

    def start(self, agent_id: str, agent_name: str, mode: str) -> bool:
        """Ask the server for a session; False when one is open already (or can't be)."""
        if self._closed or self.view.active or mode not in MODES or not self.has_line:
            return False
        self._attempt += 1
        attempt = self._attempt
        self._cancelled = False
        if self._server_end_at is not None:  # the last one's end: on the server now
            self._server_end_at = None
            self._end_on_server(self._server_end_id, self._server_end_reason, renotice=True)
        self._set(SupervisionView(Phase.REQUESTING, agent_id, agent_name, mode=mode))
        api = self._api
        self._run(
            lambda: api.start_supervision(agent_id, mode),
            lambda started: self._on_started(attempt, started),
            lambda exc: self._on_start_failed(attempt, exc),
        )
        return True

    def set_mode(self, mode: str) -> bool:
        """Switch the open session's mode (PATCH); False when there is nothing to switch."""
        view = self.view
        if (
            mode not in MODES
            or view.phase not in (Phase.CONNECTING, Phase.CONNECTED)
            or view.switching_to
            or mode == view.mode
        ):
            return False
        session_id = view.session_id
        self._set(replace(view, switching_to=mode, notice=None))
        api = self._api
        self._run(
            lambda: api.set_supervision_mode(session_id, mode),
            lambda record: self._on_mode_set(session_id, record),
            lambda exc: self._on_mode_failed(session_id, mode, exc),
        )
        return True

    def stop(self) -> bool:
        """The lead stops (Arrêter): False when nothing was open."""
        return self._end_here("lead_stopped")

    def shutdown(self) -> Callable[[], object] | None:
        """The app closes or the lead signs out: the leg hangs up now; the returned job
        (run it before the lanes close) ends the session on the server."""
        self._closed = True
        view = self.view
        api = self._api
        if self._server_end_at is not None:  # the engine saw the end; the server not yet
            self._server_end_at = None
            session_id, reason = self._server_end_id, self._server_end_reason
            self._log("supervision_ended", id=session_id, reason=reason)
            return lambda: api.end_supervision(session_id, reason)
        if view.phase is Phase.REQUESTING:
            self._cancelled = True
            return None
        if view.phase not in (Phase.CONNECTING, Phase.CONNECTED):
            return None
        session_id = view.session_id
        self._finish("lead_stopped", stop_leg=True)
        return lambda: api.end_supervision(session_id, "lead_stopped")

    def set_own_call(self, in_call: bool) -> None:
        """The lead's own desk has a call (ringing or connected)."""
        if in_call == self.own_call:
            return
        self.own_call = in_call
        self._on_change(self.view)

    # -- the engine (GUI thread) -------------------------------------------------------------

    def engine_event(self, event: SupervisionChanged) -> bool:
        """The lead's engine moved a leg; True when it was about this lead's session."""
        if event.side != "lead":
            return False
        view = self.view
        ours = view.phase in (Phase.CONNECTING, Phase.CONNECTED) and event.session_id == (
            view.session_id
        )
        if not ours:
            if event.phase == "connected" and event.session_id in self._ended_ids:
                # a leg of a session this app already ended: hang it up
                self._submit(StopSupervision(event.session_id, "lead_stopped"))
            return False
        if event.phase == "connected" and view.phase is Phase.CONNECTING:
            self._deadline = None
            self._set(replace(view, phase=Phase.CONNECTED, connected_at=self._clock()))
            self._log("supervision_connected", id=view.session_id)
            return True
        if event.phase == "ended":
            reason = event.reason if event.reason in END_REASONS else "lead_lost"
            # the agent's app usually tells the server why (call_ended, transferred) at
            # the same moment: the stream's reason is waited for a little, then logged
            self._finish(reason, stop_leg=False, tell_log=False)
            self._server_end_at = self._clock() + END_GRACE_S
            self._server_end_reason = reason
            self._server_end_id = view.session_id
            return True
        return False

    # -- the stream (GUI thread) -------------------------------------------------------------

    def stream_ended(self, session_id: int, reason: str) -> bool:
        """`supervision_ended {id, reason}` on the lead's stream."""
        view = self.view
        if self._server_end_at is not None and session_id == self._server_end_id:
            self._server_end_at = None  # the server knows, and why
            self._log("supervision_ended", id=session_id, reason=reason or "ended")
            self._renotice(reason)
            return True
        if view.phase not in (Phase.CONNECTING, Phase.CONNECTED) or session_id != view.session_id:
            if view.phase is Phase.REQUESTING:  # maybe ours: the stream beat the POST answer
                self._early_ends[session_id] = reason
            return False
        self._finish(reason, stop_leg=True, tell_log=True)
        return True

    def stream_session(self, record: SessionRecord) -> bool:
        """A `supervision_session` about this lead's session: its end or its mode."""
        view = self.view
        if record.id != view.session_id or view.phase not in (Phase.CONNECTING, Phase.CONNECTED):
            if (
                not record.open
                and self._server_end_at is not None
                and (record.id == self._server_end_id)
            ):
                return self.stream_ended(record.id, record.end_reason or "")
            return False
        if not record.open:
            return self.stream_ended(record.id, record.end_reason or "")
        if record.mode != view.mode and not view.switching_to:
            self._set(replace(view, mode=record.mode))
            self._log("supervision_mode", id=record.id, mode=record.mode)
            return True
        return False

    # -- the clock ---------------------------------------------------------------------------

    def tick(self) -> None:
        """The console's 1 s clock: deadlines and the notice's end."""
        now = self._clock()
        view = self.view
        if view.phase is Phase.CONNECTING and self._deadline is not None and now >= self._deadline:
            log.warning("supervision %s: no audio within %s s", view.session_id, CONNECT_TIMEOUT_S)
            session_id = view.session_id
            self._finish(TIMEOUT_REASON, stop_leg=True, log_reason="failed")
            self._end_on_server(session_id, "failed")
            return
        if self._server_end_at is not None and now >= self._server_end_at:
            self._server_end_at = None
            self._end_on_server(self._server_end_id, self._server_end_reason, renotice=True)
        notice = self.view.notice
        if notice is not None and now >= notice.until and not self.view.active:
            self._set(replace(self.view, notice=None))

    # -- answers -------------------------------------------------------------------------------

    def _on_started(self, attempt: int, started: StartedSession) -> None:
        session = started.session
        self._log(
            "supervision_requested", id=session.id, agent_id=session.agent_id, mode=session.mode
        )
        if attempt != self._attempt or self._cancelled or self.view.phase is not Phase.REQUESTING:
            # stopped (or the app closing) while the POST was on its way: nothing is armed
            self._ended_ids.add(session.id)
            self._log("supervision_ended", id=session.id, reason="lead_stopped")
            self._end_on_server(session.id, "lead_stopped")
            return
        early, self._early_ends = self._early_ends.get(session.id), {}
        name = session.agent_name or self.view.agent_name
        connecting = replace(
            self.view, phase=Phase.CONNECTING, session_id=session.id, mode=session.mode,
            agent_name=name,
        )  # fmt: skip
        if early is not None:  # over before it began (the agent's call ended meanwhile)
            self.view = connecting
            self._finish(early, stop_leg=False)
            return
        self._submit(ExpectSupervision(session.id, started.token))
        self._deadline = self._clock() + CONNECT_TIMEOUT_S
        self._set(connecting)

    def _on_start_failed(self, attempt: int, exc: BaseException) -> None:
        if attempt != self._attempt or self.view.phase is not Phase.REQUESTING:
            return
        code, by, detail = refusal_of(exc)
        view = self.view
        notice = Notice("refused", code, view.agent_name, self._clock() + REFUSED_NOTICE_S,
                        by=by, detail=detail)  # fmt: skip
        self._set(SupervisionView(agent_id=view.agent_id, agent_name=view.agent_name,
                                  mode=view.mode, notice=notice))  # fmt: skip

    def _on_mode_set(self, session_id: int, record: SessionRecord) -> None:
        view = self.view
        if session_id != view.session_id or not view.active:
            return
        if not record.open:
            self._finish(record.end_reason or "", stop_leg=True, tell_log=True)
            return
        self._set(replace(view, mode=record.mode, switching_to=""))
        self._log("supervision_mode", id=session_id, mode=record.mode)

    def _on_mode_failed(self, session_id: int, mode: str, exc: BaseException) -> None:
        view = self.view
        if session_id != view.session_id or not view.active:
            return
        code, _by, detail = refusal_of(exc)
        if code == "ended":  # the session is over on the server: the stream says why
            self._finish("", stop_leg=True, tell_log=True)
            return
        notice = Notice("mode_failed", code, view.agent_name,
                        self._clock() + REFUSED_NOTICE_S, detail=detail)  # fmt: skip
        self._set(replace(view, switching_to="", notice=notice))

    # -- endings ---------------------------------------------------------------------------------

    def _end_here(self, reason: str) -> bool:
        view = self.view
        if view.phase is Phase.REQUESTING:
            self._cancelled = True  # its answer ends it on the server
            self._set(SupervisionView(agent_id=view.agent_id, agent_name=view.agent_name,
                                      mode=view.mode, notice=self._notice(reason)))  # fmt: skip
            return True
        if view.phase not in (Phase.CONNECTING, Phase.CONNECTED):
            return False
        session_id = view.session_id
        self._finish(reason, stop_leg=True)
        self._end_on_server(session_id, reason)
        return True

    def _finish(
        self, reason: str, *, stop_leg: bool, tell_log: bool = True, log_reason: str = ""
    ) -> None:
        """The open session ends here: the leg (when asked), the log, the notice."""
        view = self.view
        session_id = view.session_id
        self._deadline = None
        self._ended_ids.add(session_id)
        ended = SupervisionView(
            agent_id=view.agent_id,
            agent_name=view.agent_name,
            session_id=session_id,
            mode=view.mode,
            notice=self._notice(reason),
        )
        self.view = ended  # before the engine hears of it: its "ended" is then not news
        if stop_leg:
            self._submit(StopSupervision(session_id, log_reason or _engine_reason(reason)))
        if tell_log:
            self._log("supervision_ended", id=session_id, reason=log_reason or reason or "ended")
        self._set(ended)

    def _notice(self, reason: str) -> Notice:
        return Notice("ended", reason, self.view.agent_name, self._clock() + ENDED_NOTICE_S)

    def _renotice(self, reason: str) -> None:
        """The reason that won on the server, in the notice still shown."""
        notice = self.view.notice
        if notice is None or notice.kind != "ended" or not reason or reason == notice.code:
            return
        if self.view.active:
            return
        self._set(replace(self.view, notice=replace(notice, code=reason)))

    def _end_on_server(self, session_id: int, reason: str, *, renotice: bool = False) -> None:
        """POST …/end (idempotent). With `renotice` (the engine saw the end first), the
        reason that won on the server is logged and shown."""
        api = self._api

        def done(record: SessionRecord) -> None:
            if renotice:
                final = record.end_reason or reason
                self._log("supervision_ended", id=session_id, reason=final)
                self._renotice(final)

        def failed(exc: BaseException) -> None:
            if renotice:
                self._log("supervision_ended", id=session_id, reason=reason)

        self._run(lambda: api.end_supervision(session_id, reason), done, failed)

    def _set(self, view: SupervisionView) -> None:
        self.view = view
        self._on_change(view)


def _engine_reason(reason: str) -> str:
    return reason if reason in END_REASONS else "failed"
