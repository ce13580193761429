"""The account's registration as the desk hears it (engine thread, owned by the controller).

Each pjsua2 ``onRegState`` report becomes one ``RegistrationChanged`` (failures counted,
a transport's error leading the reason); over UDP a refresh REGISTER is sent every
``reregister_s`` while registered, and one left unanswered is reported at once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import pjsua2 as pj

from homeagent.core.events import Event, RegistrationChanged, RegistrationState
from homeagent.core.sip_config import SipAccountConfig, Transport
from homeagent.sip.policy import registration_event

log = logging.getLogger(__name__)

# A refresh REGISTER unanswered this long means the registrar cannot be reached (a home
# link that died silently): the desk hears the line is reconnecting at once, instead of
# when pjsip's transaction times out (32 s); the 200 OK on the link's return restores it.
REGISTRAR_SILENT_S = 5.0


class Registration:
    """Turns the account's reports into events and refreshes a UDP registration.

    Every method runs on the engine thread: the reports from the account's callbacks
    (through the controller, the account's listener), `refresh` from the loop's turn."""

    def __init__(
        self,
        account_cfg: SipAccountConfig,
        emit: Callable[[Event], None],
        account: Callable[[], pj.Account | None],
    ) -> None:
        self.account_cfg = account_cfg
        self._emit = emit
        self._account = account  # the controller's: set once the engine created it
        self._reg_failures = 0
        self._registered = False
        self._next_refresh_s: float | None = None  # UDP: when to re-REGISTER (see refresh)
        self._refresh_sent_s: float | None = None  # our refresh, while unanswered
        self._silence_reported = False
        self._transport_error = ""

    @property
    def registered(self) -> bool:
        """The registrar's last answer was a binding (not an unregistration, not a failure)."""
        return self._registered

    def reported(self, code: int, reason: str, expiration_s: int) -> None:
        ok = 200 <= code < 300
        self._reg_failures = 0 if ok else self._reg_failures + 1
        self._registered = ok and expiration_s > 0
        self._refresh_sent_s = None
        self._silence_reported = False
        event = registration_event(
            aor=self.account_cfg.aor,
            code=code,
            reason=reason,
            expiration_s=expiration_s,
            transport_error="" if ok else self._transport_error,
            failures=self._reg_failures,
            first_retry_s=self.account_cfg.first_retry_s,
            retry_interval_s=self.account_cfg.retry_interval_s,
        )
        if ok:
            self._transport_error = ""
        self._emit(event)

    def transport_failed(self, message: str) -> None:
        self._transport_error = message

    def registering(self) -> None:
        self._emit(RegistrationChanged(self.account_cfg.aor, RegistrationState.REGISTERING))

    def refresh(self, now_s: float) -> None:
        """UDP: re-REGISTER every `reregister_s` while registered (a registrar restarted
        with its bindings lost would otherwise not reach us until the binding expires)."""
        every = self.account_cfg.reregister_s
        if self.account_cfg.transport is not Transport.UDP or every <= 0 or not self._registered:
            self._next_refresh_s = None
            return
        sent = self._refresh_sent_s
        if sent is not None:  # unanswered: pjsip retransmits it; never start a second one
            if now_s - sent >= REGISTRAR_SILENT_S and not self._silence_reported:
                self._silence_reported = True
                log.warning("no answer from the registrar for %.0f s", now_s - sent)
                self._emit(
                    RegistrationChanged(
                        self.account_cfg.aor,
                        RegistrationState.REGISTERING,
                        reason="no answer from the registrar: reconnecting",
                    )
                )
            return
        if self._next_refresh_s is None:
            self._next_refresh_s = now_s + every
        elif now_s >= self._next_refresh_s and (account := self._account()) is not None:
            self._next_refresh_s = now_s + every
            try:
                account.setRegistration(True)
            except pj.Error as exc:  # e.g. a REGISTER of pjsip's own in progress
                log.debug("registration refresh: %s", exc.info())
                return
            self._refresh_sent_s = now_s
