"""The SIP stack's part of ``homeagent --self-test``: pjsua2 starts and stops.

An endpoint is created, initialised on the null sound device with one UDP transport on
127.0.0.1 (an ephemeral port; no account, nothing sent), started and destroyed, on the
calling thread. It proves the binary bindings load (a frozen bundle without
``pjsua2.pjsua2`` fails here with "PJSUA2 binary bindings are not staged").
"""

from __future__ import annotations

import pjsua2 as pj

from homeagent.sip.endpoint import quiet_pjlib_until_configured
from homeagent.sip.teardown import destroy


def check_endpoint() -> str:
    """Start and destroy a bare endpoint; return pjsua2's version. Raises on failure."""
    quiet_pjlib_until_configured()
    ep = pj.Endpoint()
    ep.libCreate()
    try:
        cfg = pj.EpConfig()
        cfg.uaConfig.threadCnt = 0
        cfg.uaConfig.mainThreadOnly = True
        cfg.logConfig.level = 0
        cfg.logConfig.consoleLevel = 0
        ep.libInit(cfg)
        ep.audDevManager().setNullDev()
        transport = pj.TransportConfig()
        transport.boundAddress = "127.0.0.1"
        transport.port = 0
        ep.transportCreate(pj.PJSIP_TRANSPORT_UDP, transport)
        ep.libStart()
        ep.libHandleEvents(10)
        version = str(ep.libVersion().full)
    finally:
        destroy(ep)  # nothing registered: no second of sleep
    del ep
    return version
