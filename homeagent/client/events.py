"""The live event stream (Server-Sent Events) on its own thread.

- Resumes from the last event id (`Last-Event-ID`), so nothing is missed across a
  reconnect; events whose id is not above the last one are dropped, so nothing is
  delivered twice.
- Reconnects with exponential backoff and jitter; `wake()` skips the wait (network
  change, app back from sleep).
- Connection state for the UI: ONLINE (stream open), RECONNECTING (lost, retrying),
  OFFLINE (several attempts failed, or stopped). Changes go to `on_state`.
- `device_revoked` for this device -> the client's revocation listeners; the stream stops.

Callbacks (`on_event`, `on_state`) run on the reader thread: the UI marshals them to
the GUI thread itself (a queued signal); they must not block for long.
"""

from __future__ import annotations

import contextlib
import enum
import json
import logging
import random
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from homeagent.client.errors import (
    AuthenticationFailed,
    ClientError,
    DeviceRevoked,
    TlsVerificationFailed,
)
from homeagent.client.server import ServerClient

log = logging.getLogger(__name__)


class ConnectionState(enum.Enum):
    ONLINE = "online"
    RECONNECTING = "reconnecting"
    OFFLINE = "offline"


@dataclass(frozen=True, slots=True)
class StreamEvent:
    id: int
    type: str
    data: Any  # the decoded JSON payload


class EventStream:
    """Reads `/events` until stopped; see the module docstring."""

    def __init__(
        self,
        client: ServerClient,
        on_event: Callable[[StreamEvent], None],
        *,
        on_state: Callable[[ConnectionState], None] | None = None,
        last_event_id: int | None = None,
        read_timeout_s: float = 45.0,  # the server pings every 15 s
        backoff_s: float = 0.5,
        max_backoff_s: float = 30.0,
        offline_after_failures: int = 3,
    ) -> None:
        self._client = client
        self._on_event = on_event
        self._on_state = on_state
        self._last_id = last_event_id
        self._read_timeout_s = read_timeout_s
        self._backoff_s = backoff_s
        self._max_backoff_s = max_backoff_s
        self._offline_after = offline_after_failures
        self._state = ConnectionState.OFFLINE
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._response: Any = None
        self._resp_lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._connected = False
        self.last_error: str = ""

    @property
    def state(self) -> ConnectionState:
        return self._state

    @property
    def last_event_id(self) -> int | None:
        """Persist this (e.g. in the local store) to resume after a restart."""
        return self._last_id

    def start(self) -> None:
        if self._thread is not None:
            raise RuntimeError("already started")
        self._thread = threading.Thread(target=self._run, name="event-stream", daemon=True)
        self._thread.start()

    def stop(self, timeout_s: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        self._abort_response()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout_s)
        self._set_state(ConnectionState.OFFLINE)

    def wake(self) -> None:
        """Reconnect now instead of waiting for the backoff delay."""
        self._wake.set()

    def drop_connection(self) -> None:
        """Close the current connection (as a network cut would); the reader reconnects."""
        self._abort_response()

    # --- reader thread ---------------------------------------------------------------

    def _run(self) -> None:
        failures = 0
        while not self._stop.is_set():
            self._connected = False
            try:
                for event in self._read_once():
                    self._dispatch(event)
                if self._stop.is_set():
                    break
                self.last_error = "the server closed the stream"
            except DeviceRevoked:
                break  # the client told the revocation listeners
            except (TlsVerificationFailed, AuthenticationFailed, ClientError) as exc:
                self.last_error = str(exc)
            except Exception as exc:  # a torn connection shows up as many exception types
                if self._stop.is_set():
                    break
                self.last_error = f"{type(exc).__name__}: {exc}"
            failures = 1 if self._connected else failures + 1
            self._set_state(
                ConnectionState.OFFLINE
                if failures >= self._offline_after
                else ConnectionState.RECONNECTING
            )
            log.info("event stream lost (%s); retry #%d", self.last_error[:120], failures)
            delay = min(self._max_backoff_s, self._backoff_s * 2 ** (failures - 1))
            self._wake.clear()
            self._wake.wait(random.uniform(delay / 2, delay))  # noqa: S311 (jitter)
        self._set_state(ConnectionState.OFFLINE)

    def _read_once(self) -> Iterator[StreamEvent]:
        headers = {"Accept": "text/event-stream", "Cache-Control": "no-cache"}
        if self._last_id is not None:
            headers["Last-Event-ID"] = str(self._last_id)
        resp = self._client.open_stream("/events", headers, self._read_timeout_s)
        with self._resp_lock:
            self._response = resp
        try:
            if self._stop.is_set():
                return
            self._connected = True
            self._set_state(ConnectionState.ONLINE)
            yield from _parse_sse(resp.raw.stream(None, decode_content=True))
        finally:
            with self._resp_lock:
                self._response = None
            resp.close()

    def _dispatch(self, event: StreamEvent) -> None:
        if self._last_id is not None and event.id <= self._last_id:
            return  # already delivered before a reconnect
        if event.type == "device_revoked":
            mine = self._client.device_id
            target = event.data.get("device_id") if isinstance(event.data, dict) else None
            if mine is None or target is None or str(target) == mine:
                self._last_id = event.id
                self._stop.set()
                self._client.notify_revoked()
                return
        try:
            self._on_event(event)
        except Exception:
            log.exception("event handler failed for a %s event", event.type)
        self._last_id = event.id

    def _set_state(self, state: ConnectionState) -> None:
        if state is self._state:
            return
        self._state = state
        if self._on_state is not None:
            try:
                self._on_state(state)
            except Exception:
                log.exception("connection-state callback failed")

    def _abort_response(self) -> None:
        with self._resp_lock:
            resp = self._response
        if resp is None:
            return
        # Closing the response alone does not wake a thread blocked in recv(): shut the
        # socket down so the reader sees the end of the stream at once.
        sock = getattr(getattr(resp.raw, "connection", None), "sock", None)
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        with contextlib.suppress(Exception):
            resp.close()


def _parse_sse(chunks: Iterator[bytes]) -> Iterator[StreamEvent]:
    """Decode an SSE byte stream; yields events that carry a numeric id."""
    buffer = b""
    ev_id: str | None = None
    ev_type = "message"
    data: list[str] = []
    for chunk in chunks:
        buffer += chunk
        while True:
            nl = buffer.find(b"\n")
            if nl < 0:
                break
            raw, buffer = buffer[:nl], buffer[nl + 1 :]
            line = raw.rstrip(b"\r").decode("utf-8", errors="replace")
            if not line:
                if data and ev_id is not None and ev_id.isdigit():
                    text = "\n".join(data)
                    try:
                        payload = json.loads(text)
                    except ValueError:
                        payload = text
                    yield StreamEvent(int(ev_id), ev_type, payload)
                ev_id, ev_type, data = None, "message", []
                continue
            if line.startswith(":"):
                continue  # comment / keep-alive ping
            field, _, value = line.partition(":")
            value = value.removeprefix(" ")
            if field == "id":
                ev_id = value
            elif field == "event":
                ev_type = value
            elif field == "data":
                data.append(value)
