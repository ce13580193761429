"""The pjsua2 Account and Endpoint subclasses: they only forward callbacks (engine thread)."""

from __future__ import annotations

import logging
from typing import Protocol

import pjsua2 as pj

log = logging.getLogger(__name__)


class AccountListener(Protocol):
    """Who receives the account's reports (the engine's controller)."""

    def registration_reported(self, code: int, reason: str, expiration_s: int) -> None: ...

    def incoming_call(self, pj_call_id: int, whole_msg: str, src_address: str) -> None: ...

    def transport_failed(self, message: str) -> None: ...


class EngineAccount(pj.Account):  # type: ignore[misc]
    """The agent's SIP account."""

    def __init__(self, listener: AccountListener) -> None:
        super().__init__()
        self.listener = listener

    def onRegState(self, prm: pj.OnRegStateParam) -> None:
        try:
            self.listener.registration_reported(int(prm.code), str(prm.reason), int(prm.expiration))
        except Exception:  # a director callback must never raise into pjsip
            log.exception("onRegState")

    def onIncomingCall(self, prm: pj.OnIncomingCallParam) -> None:
        # Only record the call here: answering or rejecting inside this callback aborts
        # the process on some malformed INVITEs (see DESIGN.md); the decision is taken on
        # the next turn of the engine loop.
        try:
            rdata = prm.rdata
            self.listener.incoming_call(int(prm.callId), str(rdata.wholeMsg), str(rdata.srcAddress))
        except Exception:
            log.exception("onIncomingCall")

    def onIncomingSubscribe(self, prm: pj.OnIncomingSubscribeParam) -> None:
        # No presence-server role: refuse every SUBSCRIBE.
        prm.code = 403
        prm.reason = "Forbidden"


class EngineEndpoint(pj.Endpoint):  # type: ignore[misc]
    """The process's Endpoint; reports transport failures such as a refused certificate."""

    def __init__(self, listener: AccountListener) -> None:
        super().__init__()
        self.listener = listener

    def onTransportState(self, prm: pj.OnTransportStateParam) -> None:
        try:
            tls = prm.tlsInfo
            if not tls.isEmpty() and tls.verifyStatus != 0:
                details = "; ".join(str(m) for m in tls.verifyMsgs) or "verification failed"
                self.listener.transport_failed(
                    f"TLS certificate of the registrar refused: {details}"
                )
            elif prm.state == pj.PJSIP_TP_STATE_DISCONNECTED and prm.lastError != 0:
                self.listener.transport_failed(
                    f"transport to the registrar failed: {self.utilStrError(prm.lastError)}"
                )
        except Exception:
            log.exception("onTransportState")
