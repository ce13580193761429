"""The agent desk's side of live call supervision, Qt-free (docs/supervision-contract.md,
"Agent desk").

A team lead asks the server to listen, whisper or barge in; the server sends the agent's
device a `supervision_requested` event on its authenticated stream, and this class has the
SIP engine place the *leg* to the lead's softphone, mixed with the customer call. It tells
the server when the leg is up and when it ends, shows the indicator through the desk
(`SupervisedDesk`), and writes the event log (never the session's token).

Only the stream starts a session: the desk composition calls `requested` for a
`supervision_requested` stream event and nothing else calls it — a dial link's headers,
the single-instance IPC and an incoming INVITE's headers never reach it
(tests/unit/core/test_desk_supervision_sources.py checks every call site).

One session at a time, the newest wins. The server allows one open session per agent
(409 `already_supervised` for a second lead), so a request while a leg still runs means
the server has already closed the older session (its `supervision_ended` is late or was
lost): the old leg is hung up (`lead_stopped`) before the new one is placed. Refusing the
newer request instead would leave the lead the server just let in without audio, and keep
a leg the server no longer knows about.

Replays are ignored: a session id seen once is never started again (a stream that
replays after a reconnect, a duplicated event).

Server calls go through `run` (the desk's network lane): the GUI thread never waits for
them, a failure is logged and never raised, and a ringing call is never delayed. An end the
server could not be told is sent again when the stream is back (3 tries).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from homeagent.core.commands import Command, SetSupervisionMode, StartSupervision, StopSupervision
from homeagent.core.desk_snapshot import SupervisionView
from homeagent.core.eventlog import EventLog
from homeagent.core.events import CallEnded, Event, SupervisionChanged
from homeagent.core.supervision import (
    END_REASONS,
    MalformedPayload,
    SupervisionApi,
    parse_ended,
    parse_mode_changed,
    parse_request,
)

_pylog = logging.getLogger(__name__)

SERVER_LOST_S = 5.0  # the stream down longer than this during a session ends the leg
MAX_END_TRIES = 3  # POST …/end attempts for one session (the first and two after reconnects)


class SupervisedDesk(Protocol):
    """What supervision needs of the desk model (`homeagent.core.desk.DeskModel`)."""

    def customer_call_id(self) -> int | None:
        """The connected customer call (active or on hold), or None."""
        ...

    def show_supervision(self, view: SupervisionView | None) -> None:
        """Show the indicator (None: clear it)."""
        ...


class Runner(Protocol):
    """Runs blocking work off the GUI thread, answers back on it
    (`homeagent.ui.qt.tasks.TaskRunner.run`)."""

    def __call__(
        self,
        job: Callable[[], Any],
        on_done: Callable[[Any], object] | None = None,
        on_error: Callable[[BaseException], object] | None = None,
    ) -> None: ...


@dataclass(slots=True)
class _Leg:
    """A session the engine may still have a leg for (until its `ended`)."""

    id: int
    call_id: int
    mode: str
    lead_name: str
    announce: bool
    connected: bool = False
    server_ended: bool = False  # the server closed it: no POST …/end from here


class DeskSupervision:
    """See the module docstring. Every method runs on the GUI thread and returns at once.

    `call_later(delay_s, fn)` runs `fn` once on the GUI thread after `delay_s`;
    `on_ended()` is called when a session's leg is over (e.g. to reload "Ma journée").
    `api` None: this server client has no supervision routes, so no request is taken.
    """

    def __init__(
        self,
        *,
        desk: SupervisedDesk,
        submit: Callable[[Command], None],
        api: SupervisionApi | None,
        run: Runner,
        call_later: Callable[[float, Callable[[], None]], object],
        log: EventLog,
        on_ended: Callable[[], None] | None = None,
    ) -> None:
        self._desk = desk
        self._submit = submit
        self._api = api
        self._run = run
        self._call_later = call_later
        self._log = log
        self._on_ended = on_ended
        self._legs: dict[int, _Leg] = {}
        self._current: int | None = None  # the leg the indicator shows
        self._seen: set[int] = set()  # session ids handled once (replays are ignored)
        self._unsent: dict[int, tuple[str, int]] = {}  # id -> (reason, tries so far)
        self._online = True  # a session only ever starts from the stream: it was up
        self._link_epoch = 0  # bumped on every link change: a stale timer does nothing

    @property
    def active(self) -> int | None:
        """The session whose leg runs now (the one the indicator shows), or None."""
        return self._current

    # -- the server's stream ------------------------------------------------------------

    def requested(self, data: object, where: str = "event supervision_requested") -> None:
        """`supervision_requested` from the stream: place the leg, or end it `not_in_call`."""
        try:
            request = parse_request(data, route=where)
        except MalformedPayload as exc:  # names the field, never a value (nor the token)
            _pylog.warning("%s: supervision request ignored", exc)
            return
        if request.id in self._seen:
            _pylog.info("supervision session %d: already handled, ignored", request.id)
            return
        self._seen.add(request.id)
        if self._api is None:
            _pylog.warning("supervision session %d: no supervision routes, ignored", request.id)
            return
        call_id = self._desk.customer_call_id()
        if call_id is None:
            self._write("supervision_ended", id=request.id, reason="not_in_call")
            self._end_on_server(request.id, "not_in_call")
            return
        older = self._legs.get(self._current) if self._current is not None else None
        if older is not None:  # the newest wins (the module docstring says why)
            _pylog.info("supervision session %d replaces session %d", request.id, older.id)
            self._submit_safely(StopSupervision(older.id, "lead_stopped"))
        self._legs[request.id] = _Leg(
            request.id, call_id, request.mode, request.lead_name, request.announce
        )
        self._current = request.id
        self._submit_safely(
            StartSupervision(request.id, call_id, request.lead_sip_uri, request.token, request.mode)
        )
        self._write("supervision_started", id=request.id, mode=request.mode)
        self._show()

    def mode_changed(self, data: object, where: str = "event supervision_mode") -> None:
        """`supervision_mode` from the stream: the lead switched listen/whisper/barge."""
        try:
            change = parse_mode_changed(data, route=where)
        except MalformedPayload as exc:
            _pylog.warning("%s: supervision mode change ignored", exc)
            return
        leg = self._legs.get(change.id)
        if leg is None or change.id != self._current or leg.server_ended:
            _pylog.info("supervision session %d: no leg running, mode ignored", change.id)
            return
        moved = change.mode != leg.mode
        leg.mode, leg.announce = change.mode, change.announce
        leg.lead_name = change.lead_name or leg.lead_name
        if moved:
            self._submit_safely(SetSupervisionMode(change.id, change.mode))
            self._write("supervision_mode", id=change.id, mode=change.mode)
        self._show()

    def ended(self, data: object, where: str = "event supervision_ended") -> None:
        """`supervision_ended` from the stream: the server closed it; hang up the leg."""
        try:
            end = parse_ended(data, route=where)
        except MalformedPayload as exc:
            _pylog.warning("%s: supervision end ignored", exc)
            return
        self._seen.add(end.id)  # a late request for it is never placed
        self._unsent.pop(end.id, None)  # the server knows: nothing left to tell it
        leg = self._legs.get(end.id)
        if leg is None:
            return
        leg.server_ended = True
        reason = end.reason if end.reason in END_REASONS else "lead_stopped"
        self._submit_safely(StopSupervision(end.id, reason))

    def link_changed(self, online: bool) -> None:
        """The stream's connection changed: more than `SERVER_LOST_S` down during a
        session ends its leg (`server_lost`); back online, the ends not yet told go."""
        if online == self._online:
            return
        self._online = online
        self._link_epoch += 1
        if online:
            for session_id, (reason, tries) in list(self._unsent.items()):
                del self._unsent[session_id]
                self._end_on_server(session_id, reason, tries)
        elif self._legs:
            epoch = self._link_epoch
            self._call_later(SERVER_LOST_S, lambda: self._server_lost(epoch))

    def _server_lost(self, epoch: int) -> None:
        if epoch != self._link_epoch or self._online:
            return  # the stream came back in time (or went down again since: a later timer)
        for leg in list(self._legs.values()):
            if not leg.server_ended:
                _pylog.warning("supervision session %d: the server is unreachable", leg.id)
                self._submit_safely(StopSupervision(leg.id, "server_lost"))

    # -- the engine ---------------------------------------------------------------------

    def handle(self, event: Event) -> None:
        """An engine event (every one goes by; only the agent side's legs concern us)."""
        try:
            if isinstance(event, SupervisionChanged) and event.side == "agent":
                self._on_leg(event)
            elif isinstance(event, CallEnded):
                self._on_call_ended(event.call_id)
        except Exception:  # supervision must never disturb the call's own handling
            _pylog.exception("supervision: handling %s failed", type(event).__name__)

    def _on_leg(self, event: SupervisionChanged) -> None:
        leg = self._legs.get(event.session_id)
        if leg is None:
            return
        if event.phase == "connected" and not leg.connected:
            leg.connected = True
            self._write("supervision_connected", id=leg.id)
            if not leg.server_ended:
                self._tell_connected(leg.id)
            self._show()
        elif event.phase == "ended":
            del self._legs[leg.id]
            reason = event.reason if event.reason in END_REASONS else "failed"
            self._write("supervision_ended", id=leg.id, reason=reason)
            if not leg.server_ended:
                self._end_on_server(leg.id, reason)
            if self._current == leg.id:
                self._current = None
                self._show()
            if self._on_ended is not None:
                try:
                    self._on_ended()
                except Exception:
                    _pylog.exception("after the end of supervision session %d", leg.id)

    def _on_call_ended(self, call_id: int) -> None:
        """The customer call is over: the engine ends its leg itself; asking again is a
        no-op then, and ends a leg that would have outlived its call otherwise."""
        for leg in list(self._legs.values()):
            if leg.call_id == call_id:
                self._submit_safely(StopSupervision(leg.id, "call_ended"))

    # -- helpers ------------------------------------------------------------------------

    def _show(self) -> None:
        leg = self._legs.get(self._current) if self._current is not None else None
        view = None
        if leg is not None and leg.announce:
            view = SupervisionView(leg.id, leg.call_id, leg.mode, leg.lead_name, leg.connected)
        try:
            self._desk.show_supervision(view)
        except Exception:
            _pylog.exception("showing the supervision indicator failed")

    def _submit_safely(self, command: Command) -> None:
        try:
            self._submit(command)
        except Exception:  # the engine's queue refused: say so, the desk goes on
            _pylog.exception("submitting %s failed", type(command).__name__)

    def _tell_connected(self, session_id: int) -> None:
        api = self._api
        if api is None:
            return

        def failed(exc: BaseException) -> None:
            _pylog.warning(
                "supervision session %d: POST connected failed: %s", session_id, _why(exc)
            )

        self._run(lambda: api.supervision_connected(session_id), None, failed)

    def _end_on_server(self, session_id: int, reason: str, tries: int = 0) -> None:
        api = self._api
        if api is None:
            return

        def failed(exc: BaseException) -> None:
            status = getattr(exc, "status", None)
            refused = isinstance(status, int) and 400 <= status < 500
            again = not refused and tries + 1 < MAX_END_TRIES
            _pylog.warning(
                "supervision session %d: POST end (%s) failed%s: %s",
                session_id,
                reason,
                ", sent again once the server is back" if again else "",
                _why(exc),
            )
            if again:
                self._unsent[session_id] = (reason, tries + 1)

        self._run(lambda: api.end_supervision(session_id, reason), None, failed)

    def _write(self, event: str, **fields: object) -> None:
        try:
            self._log.write(event, **fields)
        except Exception:
            _pylog.exception("event log write %r failed", event)


def _why(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"
