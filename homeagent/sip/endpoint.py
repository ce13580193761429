"""Build the pjsua2 configuration objects from our settings (engine thread only).

Everything DESIGN.md lists as an unsafe default of the 2.15.1 wheel is overridden here:
TLS verifies the server against the configured CA with TLS 1.2 only, no ICE/STUN/TURN/UPnP,
no pjsip DNS resolver, no presence, only G.722/PCMA/PCMU, short first registration retry.
"""

from __future__ import annotations

import contextlib
import logging

import pjsua2 as pj

from homeagent.core.sip_config import EngineConfig, SipAccountConfig, SrtpMode, Transport
from homeagent.sip.pjlog import PjsipLogFilter, redact

__all__ = [
    "CONTACT_REWRITE_ALWAYS_UPDATE",
    "CONTACT_REWRITE_NO_UNREG",
    "CONTACT_REWRITE_UNREGISTER",
    "JB_DISCARD",
    "TRANSPORT_TYPES",
    "PythonLogWriter",
    "account_config",
    "endpoint_config",
    "quiet_pjlib_until_configured",
    "redact",
    "set_codec_priorities",
    "set_jb_discard",
    "transport_config",
]

log = logging.getLogger("homeagent.sip.pjsip")

# Without a SIP trace pjsip's level is capped at 3 and messages are not dumped
# (msgLogging=0); what pjsip still prints goes through PjsipLogFilter (see pjlog.py).
MAX_PJ_LOG_LEVEL = 3
TRACE_PJ_LOG_LEVEL = 4  # pjsip logs the messages it sends and receives at level 4

TRANSPORT_TYPES = {
    Transport.UDP: pj.PJSIP_TRANSPORT_UDP,
    Transport.TCP: pj.PJSIP_TRANSPORT_TCP,
    Transport.TLS: pj.PJSIP_TRANSPORT_TLS,
}

# pjsua's contact rewrite methods (pjsua.h; the wheel's SWIG module does not export them)
CONTACT_REWRITE_UNREGISTER = 1  # unregister the old contact, then register the new one
CONTACT_REWRITE_NO_UNREG = 2
CONTACT_REWRITE_ALWAYS_UPDATE = 4  # also when only the port changed

_SRTP = {
    SrtpMode.DISABLED: pj.PJMEDIA_SRTP_DISABLED,
    SrtpMode.OPTIONAL: pj.PJMEDIA_SRTP_OPTIONAL,
    SrtpMode.MANDATORY: pj.PJMEDIA_SRTP_MANDATORY,
}


class PythonLogWriter(pj.LogWriter):  # type: ignore[misc]
    """Send pjsip's log to Python logging through a :class:`PjsipLogFilter`.

    Called from pjsip's threads, also while the endpoint is being destroyed: never raises.
    pjsua2's libDestroy() deletes the C++ side, so the engine disowns it and keeps the
    Python object (and its filter) referenced until after libDestroy().
    """

    def __init__(self, log_filter: PjsipLogFilter | None = None) -> None:
        super().__init__()
        self.filter = log_filter or PjsipLogFilter(log)

    def write(self, entry: pj.LogEntry) -> None:
        # raising into pjsip would abort the process
        with contextlib.suppress(Exception):
            self.filter.write(int(entry.level), str(entry.msg))


def quiet_pjlib_until_configured() -> None:
    """Silence pjlib's console log before libCreate (its banner went to stdout).

    libInit() then applies our LogConfig (level + writer). pjlib's ``pj_log_set_level`` is
    exported by the wheel's extension module; if it cannot be reached, nothing worse
    happens than the banner on stdout.
    """
    try:
        import ctypes

        import pjsua2.pjsua2 as swig

        lib = ctypes.CDLL(swig._pjsua2.__file__)
        lib.pj_log_set_level(ctypes.c_int(0))
    except Exception as exc:
        log.debug("pj_log_set_level unavailable: %s", exc)


JB_INIT_MS = 80
JB_MIN_PREFETCH_MS = 60
JB_MAX_PREFETCH_MS = 160
JB_MAX_MS = 500


def endpoint_config(config: EngineConfig, writer: pj.LogWriter, max_calls: int) -> pj.EpConfig:
    """The EpConfig: one thread (ours), no worker threads, null audio, no DNS resolver."""
    ep_cfg = pj.EpConfig()
    ua = ep_cfg.uaConfig
    ua.threadCnt = 0
    ua.mainThreadOnly = True
    ua.maxCalls = max_calls
    ua.userAgent = config.user_agent
    ua.nameserver = pj.StringVector()  # no pjsip DNS resolver (advisories fixed in 2.17)
    ua.stunServer = pj.StringVector()
    ua.enableUpnp = False
    ua.mwiUnsolicitedEnabled = False
    lc = ep_cfg.logConfig
    if config.sip_trace or config.sip_trace_file:
        # diagnosis (credentials still redacted) or the bundle's masked trace file
        lc.level = max(config.log_level, TRACE_PJ_LOG_LEVEL)
        lc.msgLogging = 1
    else:
        lc.level = min(max(config.log_level, 0), MAX_PJ_LOG_LEVEL)
        lc.msgLogging = 0
    lc.consoleLevel = lc.level  # pjsua2 hands the writer what passes consoleLevel
    lc.writer = writer
    lc.decor = 0  # no time/thread decoration: Python logging adds its own
    med = ep_cfg.medConfig
    med.threadCnt = 0  # media events are polled by our loop too
    med.hasIoqueue = True
    med.noVad = True
    med.ecTailLen = 0  # no echo canceller on the null device; the headset path owns it
    med.clockRate = 16000
    med.sndClockRate = 16000
    # Jitter buffer (ms). With pjsua2's defaults (-1: pjmedia's adaptive buffer, no floor
    # on the prefetch) PESQ-WB through 3 % loss and 30 ms jitter was 1.3; with a 60 ms
    # floor about 2.0 (benchmarks/audio_quality.py, benchmarks/README.md "Audio bridge and
    # call quality"), for up to ~60 ms more delay on a jittery line.
    med.jbInit = JB_INIT_MS
    med.jbMinPre = JB_MIN_PREFETCH_MS
    med.jbMaxPre = JB_MAX_PREFETCH_MS
    med.jbMax = JB_MAX_MS
    return ep_cfg


# pjmedia_jb_discard_algo. pjmedia's default is progressive (it shrinks the buffer back
# after a burst); "none" never shrinks it. Measured in benchmarks/README.md ("Call quality").
JB_DISCARD = {"none": 0, "static": 1, "progressive": 2}


def set_jb_discard(med: pj.MediaConfig, algo: str) -> None:
    """Choose the jitter buffer's discard algorithm on `med`.

    SWIG gives `jbDiscardAlgo` to Python as an opaque enum pointer that cannot be set; the
    field does go through pjsua2's own serialisation, so it is set by writing `med` to a
    JSON document, changing the number and reading it back. Needs pjlib up (after
    `libCreate`), as anything that builds an `EpConfig` for `libInit` has.
    """
    import json

    value = JB_DISCARD[algo]  # KeyError before any pjlib object is made
    doc = pj.JsonDocument()
    doc.writeObject(med)
    data = json.loads(doc.saveString())
    data["MediaConfig"]["jbDiscardAlgo"] = value
    back = pj.JsonDocument()
    back.loadString(json.dumps(data))
    back.readObject(med)


def transport_config(config: EngineConfig, account: SipAccountConfig) -> pj.TransportConfig:
    """The signalling transport; for TLS: verify the server against the CA, TLS 1.2 only."""
    tc = pj.TransportConfig()
    tc.port = config.local_port
    tc.boundAddress = config.bind_address
    if account.transport is Transport.TLS:
        tls = tc.tlsConfig
        tls.CaListFile = account.ca_file or ""
        tls.verifyServer = True
        tls.verifyClient = False
        tls.method = pj.PJSIP_TLSV1_2_METHOD
        tls.proto = 0  # 0 = derive the protocol set from `method` alone
        tls.msecTimeout = 5000
    return tc


def set_codec_priorities(ep: pj.Endpoint, wanted: tuple[str, ...]) -> list[str]:
    """Disable every codec but `wanted`, ranked in the given order; return enabled ids."""
    enabled: list[str] = []
    ranks = {name.lower(): len(wanted) - i for i, name in enumerate(wanted)}
    for info in ep.codecEnum2():
        codec_id = str(info.codecId)
        base = codec_id.rsplit("/", 1)[0].lower() if codec_id.count("/") >= 2 else codec_id
        rank = ranks.get(base, 0)
        # 0 disables a codec; keep ours well above pjsua2's default of 128.
        ep.codecSetPriority(codec_id, 200 + rank if rank else 0)
        if rank:
            enabled.append(codec_id)
    return enabled


def account_config(
    config: EngineConfig, account: SipAccountConfig, transport_id: int
) -> pj.AccountConfig:
    """Registration, digest credentials, retry policy, keep-alives, SRTP, no ICE/presence."""
    acfg = pj.AccountConfig()
    display = account.display_name.replace('"', "")
    acfg.idUri = f'"{display}" <{account.aor}>' if display else account.aor
    reg = acfg.regConfig
    reg.registrarUri = account.registrar_uri
    reg.timeoutSec = account.register_expiry_s
    reg.firstRetryIntervalSec = account.first_retry_s
    reg.retryIntervalSec = account.retry_interval_s
    # +/- 1 s so a fleet of agents does not re-register in lock-step after an outage
    reg.randomRetryIntervalSec = 1 if account.first_retry_s >= 2 else 0
    reg.dropCallsOnFail = False
    reg.unregWaitMsec = 1000
    sipc = acfg.sipConfig
    sipc.transportId = transport_id
    outbound = pj.StringVector()
    outbound.append(account.registrar_uri + ";lr")
    sipc.proxies = outbound  # every request goes through the pinned proxy
    cred = pj.AuthCredInfo(
        "digest", "*", account.auth_username or account.username, 0, account.password
    )
    creds = pj.AuthCredInfoVector()
    creds.append(cred)
    sipc.authCreds = creds
    nat = acfg.natConfig
    nat.iceEnabled = False
    nat.turnEnabled = False
    nat.sipStunUse = pj.PJSUA_STUN_USE_DISABLED
    nat.mediaStunUse = pj.PJSUA_STUN_USE_DISABLED
    nat.sdpNatRewriteUse = 0
    nat.udpKaIntervalSec = account.keepalive_s
    nat.contactRewriteUse = 1
    # When our address changes (Wi-Fi → wired, a new public port behind the home router),
    # unregister the old contact: pjsua's default (NO_UNREG) leaves it bound, and the proxy
    # then forks every call to the dead address as well.
    nat.contactRewriteMethod = CONTACT_REWRITE_UNREGISTER | CONTACT_REWRITE_ALWAYS_UPDATE
    media = acfg.mediaConfig
    media.srtpUse = _SRTP[account.srtp]
    # 1 would demand TLS on the first hop for SRTP; we ask for it only when we have TLS.
    media.srtpSecureSignaling = 1 if account.transport is Transport.TLS else 0
    media.transportConfig.boundAddress = config.bind_address
    media.transportConfig.port = 0
    acfg.presConfig.publishEnabled = False
    acfg.mwiConfig.enabled = False
    return acfg
