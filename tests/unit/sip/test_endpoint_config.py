"""The pjsua2 account configuration the engine builds (no endpoint needed)."""

from __future__ import annotations

import json
import subprocess
import sys

import pjsua2 as pj
import pytest

from homeagent.core.sip_config import EngineConfig, SipAccountConfig
from homeagent.sip.endpoint import (
    CONTACT_REWRITE_ALWAYS_UPDATE,
    CONTACT_REWRITE_UNREGISTER,
    JB_DISCARD,
    account_config,
    set_jb_discard,
)


def test_a_changed_address_unregisters_the_old_contact() -> None:
    # Wi-Fi → wired (or the home router's new public port): pjsua registers the new
    # contact. Its default keeps the old one registered (NO_UNREG), so the proxy forks
    # every call to the dead address too, and the caller gets 408 after the proxy's timer
    # instead of the agent's answer (seen in tests/integration/net/test_link_faults.py).
    account = SipAccountConfig("10.0.0.1", 5060, "cc.example", "1001", "pw")
    acfg = account_config(EngineConfig(), account, 0)
    assert acfg.natConfig.contactRewriteUse == 1
    assert acfg.natConfig.contactRewriteMethod == (
        CONTACT_REWRITE_UNREGISTER | CONTACT_REWRITE_ALWAYS_UPDATE
    )


_DISCARD_PROBE = """
import json, sys
import pjsua2 as pj
from homeagent.sip.endpoint import set_jb_discard

def algo(med):
    doc = pj.JsonDocument()
    doc.writeObject(med)
    return json.loads(doc.saveString())["MediaConfig"]["jbDiscardAlgo"]

ep = pj.Endpoint()
ep.libCreate()  # as in the engine and the peer: pjlib is up when the config is built
cfg = pj.EpConfig()
med = cfg.medConfig
med.jbInit, med.jbMinPre, med.ecTailLen = 80, 60, 0
before = algo(cfg.medConfig)
set_jb_discard(med, sys.argv[1])
print("RESULT", json.dumps([before, algo(cfg.medConfig), med.jbInit, med.jbMinPre, med.ecTailLen]))
ep.libDestroy()
"""


@pytest.mark.parametrize("algo", ["none", "static", "progressive"])
def test_the_jitter_buffers_discard_algorithm_can_be_chosen(algo: str) -> None:
    # SWIG hands the enum field over as an opaque pointer that cannot be assigned; the
    # helper goes through pjsua2's own serialisation, and must not touch the other fields.
    # In a process of its own: pjlib's document pools need a live library, and a library
    # torn down by another test aborts the process.
    out = subprocess.run(
        [sys.executable, "-c", _DISCARD_PROBE, algo],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    result = next(line for line in out.splitlines() if line.startswith("RESULT "))
    before, after, *others = json.loads(result.removeprefix("RESULT "))
    assert before == JB_DISCARD["progressive"]  # pjmedia's default
    assert after == JB_DISCARD[algo]
    assert others == [80, 60, 0]


def test_an_unknown_discard_algorithm_is_refused() -> None:
    with pytest.raises(KeyError):
        set_jb_discard(pj.MediaConfig(), "adaptive")
