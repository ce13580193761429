"""The agent desk without Qt, over real parts: the desk model on a "GUI thread" of its own.

`GuiThread` stands in for the Qt event loop: one thread runs every desk call in order
(engine events, outbox and event-stream news, the agent's intents), as the dispatcher
does in the app. `DiskLane` is the app's serial disk lane (jobs on a worker, their
results back on the GUI thread). `DeskHarness` builds a `DeskModel` over an enrolled
device (`DeviceSession`: encrypted store, outbox, event stream) with the app's own sink
(`AppSink`) and directory, or over a `RecordingSink` when the test is about SIP only, and
records every snapshot with its time.
"""

from __future__ import annotations

import queue
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from homeagent.core.agent_state import Presence
from homeagent.core.commands import Command
from homeagent.core.desk import DeskModel
from homeagent.core.desk_snapshot import DeskSnapshot
from homeagent.core.desk_types import Contact, Delivery, ServerLink
from homeagent.core.eventlog import EventLog
from homeagent.core.events import Event

T = TypeVar("T")


class GuiThread:
    """One thread that runs posted callables in order (the app's GUI thread)."""

    def __init__(self) -> None:
        self._queue: queue.Queue[Callable[[], object] | None] = queue.Queue()
        self.errors: list[BaseException] = []
        self._thread = threading.Thread(target=self._run, name="gui", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while (job := self._queue.get()) is not None:
            try:
                job()
            except BaseException as exc:
                self.errors.append(exc)

    def post(self, job: Callable[[], object]) -> None:
        self._queue.put(job)

    def call(self, job: Callable[[], T], timeout_s: float = 10.0) -> T:
        """Run `job` on the GUI thread and return its result."""
        done = threading.Event()
        box: list[Any] = []

        def run() -> None:
            try:
                box.append((True, job()))
            except BaseException as exc:
                box.append((False, exc))
            done.set()

        self.post(run)
        if not done.wait(timeout_s):
            raise TimeoutError("the GUI thread did not answer")
        ok, value = box[0]
        if not ok:
            raise value
        return value  # type: ignore[no-any-return]

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join(5)


class DiskLane:
    """The app's serial disk lane: `run(job, on_done, on_error)` like ui.qt.tasks.TaskRunner."""

    def __init__(self, gui: GuiThread) -> None:
        self._gui = gui
        self._queue: queue.Queue[tuple[Any, Any, Any] | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="disk-lane", daemon=True)
        self._thread.start()

    def run(
        self,
        job: Callable[[], T],
        on_done: Callable[[T], object] | None = None,
        on_error: Callable[[BaseException], object] | None = None,
    ) -> None:
        self._queue.put((job, on_done, on_error))

    def _run(self) -> None:
        while (item := self._queue.get()) is not None:
            job, on_done, on_error = item
            try:
                result = job()
            except Exception as exc:
                if on_error is not None:
                    self._gui.post(lambda f=on_error, e=exc: f(e))
                continue
            if on_done is not None:
                self._gui.post(lambda f=on_done, r=result: f(r))

    def drain(self, timeout_s: float = 10.0) -> None:
        """Wait until every job queued so far has run (and its callback was posted)."""
        done = threading.Event()
        self.run(done.set)
        if not done.wait(timeout_s):
            raise TimeoutError("the disk lane did not drain")

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join(10)


class RecordingSink:
    """A `DeskSink` that forwards commands to the engine and records the rest."""

    def __init__(self, submit: Callable[[Command], None]) -> None:
        self._submit = submit
        self.states: list[Presence] = []
        self.interactions: list[Any] = []
        self.wrap_ups: list[Any] = []

    def submit(self, command: Command) -> None:
        self._submit(command)

    def publish_state(self, presence: Presence) -> None:
        self.states.append(presence)

    def log_interaction(self, record: Any) -> None:
        self.interactions.append(record)

    def save_wrap_up(self, record: Any) -> None:
        self.wrap_ups.append(record)

    def request_help(self, request: Any) -> None:
        pass

    def create_contact(self, contact: Contact) -> None:
        pass

    def mark_message_read(self, message_id: str) -> None:
        pass

    def ack_message(self, message_id: str) -> None:
        pass

    def send_to_lead(self, message_id: str, body: str) -> None:
        pass

    def publish_quality(self, sample: Any) -> None:
        pass


class NoContacts:
    def lookup_number(self, number: str) -> Contact | None:
        return None

    def get(self, contact_id: str) -> Contact | None:
        return None


@dataclass(frozen=True)
class Seen:
    at: float  # time.monotonic()
    snap: DeskSnapshot


class DeskHarness:
    """A desk model on its GUI thread; `engine_event` is what the engine calls."""

    def __init__(self, model_factory: Callable[[GuiThread], DeskModel], log_path: Path) -> None:
        self.gui = GuiThread()
        self.log_path = log_path
        self.model: DeskModel = self.gui.call(lambda: model_factory(self.gui))
        self.snapshots: list[Seen] = []
        self._cond = threading.Condition()
        self.gui.call(lambda: self.model.subscribe(self._seen))

    def _seen(self, snap: DeskSnapshot) -> None:
        with self._cond:
            self.snapshots.append(Seen(time.monotonic(), snap))
            self._cond.notify_all()

    def engine_event(self, event: Event) -> None:  # engine thread
        self.gui.post(lambda: self.model.handle(event))

    def do(self, intent: Callable[[DeskModel], T]) -> T:
        """Run an agent intent on the GUI thread."""
        return self.gui.call(lambda: intent(self.model))

    @property
    def now(self) -> DeskSnapshot:
        with self._cond:
            return self.snapshots[-1].snap

    def wait_for(
        self, predicate: Callable[[DeskSnapshot], bool], timeout_s: float = 15.0, what: str = ""
    ) -> Seen:
        deadline = time.monotonic() + timeout_s
        with self._cond:
            while True:
                for seen in reversed(self.snapshots):
                    if predicate(seen.snap):
                        return seen
                    break  # only the current snapshot counts
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    last = self.snapshots[-1].snap
                    raise TimeoutError(
                        f"desk: not {what or 'as expected'} within {timeout_s} s; now: "
                        f"screen={last.screen} presence={last.presence.state} "
                        f"registration={last.registration} server={last.server} "
                        f"notice={last.notice} delivery={last.last_delivery}"
                    )
                self._cond.wait(remaining)

    def since(self, t0: float) -> list[Seen]:
        with self._cond:
            return [s for s in self.snapshots if s.at >= t0]

    def close(self) -> None:
        self.gui.close()


def server_links(seen: list[Seen]) -> list[ServerLink]:
    """The distinct successive server-link states in `seen`."""
    out: list[ServerLink] = []
    for s in seen:
        if not out or out[-1] is not s.snap.server:
            out.append(s.snap.server)
    return out


def deliveries(seen: list[Seen]) -> list[Delivery | None]:
    return [s.snap.last_delivery for s in seen]


def make_event_log(path: Path) -> EventLog:
    return EventLog(path)


class MemoryVault:
    """A `SecretStore` in memory (the OS keyring is not what these tests are about)."""

    def __init__(self) -> None:
        self._secrets: dict[str, str] = {}

    def get_sip_secret(self) -> str | None:
        return self._secrets.get("sip")

    def set_sip_secret(self, value: str) -> None:
        self._secrets["sip"] = value

    def get_refresh_token(self) -> str | None:
        return self._secrets.get("refresh")

    def set_refresh_token(self, value: str) -> None:
        self._secrets["refresh"] = value

    def data_key(self) -> bytes:
        return bytes.fromhex(self._secrets.setdefault("data", secrets.token_hex(32)))

    def has_data_key(self) -> bool:
        return "data" in self._secrets

    def wipe(self) -> None:
        self._secrets.clear()
