"""The pjsua2 account configuration the engine builds (no endpoint needed)."""

from __future__ import annotations

from homeagent.core.sip_config import EngineConfig, SipAccountConfig
from homeagent.sip.endpoint import (
    CONTACT_REWRITE_ALWAYS_UPDATE,
    CONTACT_REWRITE_UNREGISTER,
    account_config,
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
