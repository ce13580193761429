"""uvicorn's HTTP/1.1 protocol with a deadline on the request head and a connection cap.

uvicorn (h11) waits forever for the head of a first request and accepts any number of
connections: 200 half-sent heads were held for 55 s. Here a connection that has not sent
a complete head within `header_timeout_s` (after connecting, or after its previous
answer) is closed, and connections past `max_connections` are closed at once. The body
deadline lives in BodyLimitMiddleware (it reads the bodies).
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol

from homeagent.server.limits import Limits

_DEFAULTS = Limits()


class GuardedH11Protocol(H11Protocol):
    header_timeout_s: float = _DEFAULTS.header_timeout_s
    max_connections: int = _DEFAULTS.max_connections

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._head_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        if len(self.connections) > self.max_connections:
            self.logger.warning("connection refused: %d connections open", self.max_connections)
            transport.close()
            return
        self._arm_head_timer()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.cycle is not None and not self.cycle.response_complete:
            self._cancel_head_timer()  # a complete head arrived: the app has the request

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if self.cycle is None or self.cycle.response_complete:
            self._arm_head_timer()  # waiting for the next request's head

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_head_timer()
        super().connection_lost(exc)

    def _arm_head_timer(self) -> None:
        self._cancel_head_timer()
        self._head_timer = self.loop.call_later(self.header_timeout_s, self._head_too_slow)

    def _cancel_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_too_slow(self) -> None:
        self._head_timer = None
        if self.cycle is None or self.cycle.response_complete:
            self.transport.close()


def guarded_protocol(limits: Limits) -> type[GuardedH11Protocol]:
    """The protocol class for `uvicorn.run(http=...)` with these limits."""
    return type(
        "GuardedH11Protocol",
        (GuardedH11Protocol,),
        {"header_timeout_s": limits.header_timeout_s, "max_connections": limits.max_connections},
    )
