"""Ending a pjsua2 endpoint in the registrar's round trip, not in a fixed second.

`Endpoint.libDestroy()` unregisters what is still registered, then always sleeps about a
second "to allow unregistration and ICE/TURN transports shutdown to complete"
(pjsua_destroy2 in pjsua_core.c), unless it is told that no message may be received. So
the owner of an endpoint unregisters its accounts itself (`unregister`: the un-REGISTER,
its digest challenge and the registrar's answer, on the owner's loop), then destroys with
`PJSUA_DESTROY_NO_RX_MSG` (`destroy`). No ICE, STUN or TURN runs here (endpoint.py), so
nothing else needed that second. Engine thread (the endpoint's owner) only.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pjsua2 as pj

# The loop's turn while waiting for the registrar (as the engine's own loop).
POLL_MS = 20


def unregister(
    ep: pj.Endpoint,
    accounts: list[tuple[pj.Account, Callable[[], bool]]],
    deadline_s: float,
) -> bool:
    """Unregister every `(account, is_registered)` pair whose `is_registered()` is true,
    and run the endpoint's loop until none is (the registrar answered, or refused) or
    `time.monotonic()` passes `deadline_s`. True when none is registered any more.

    A REGISTER already in flight (a refresh) makes `setRegistration` raise: its answer is
    awaited and the un-REGISTER sent after it."""
    sent: set[int] = set()
    while True:
        waiting = [(i, account) for i, (account, registered) in enumerate(accounts) if registered()]
        if not waiting or time.monotonic() >= deadline_s:
            return not waiting
        for i, account in waiting:
            if i not in sent:
                try:
                    account.setRegistration(False)
                    sent.add(i)
                except pj.Error:
                    pass
        ep.libHandleEvents(POLL_MS)


def destroy(ep: pj.Endpoint) -> None:
    """`libDestroy` without its second of sleep: call `unregister` first."""
    ep.libDestroy(pj.PJSUA_DESTROY_NO_RX_MSG)
