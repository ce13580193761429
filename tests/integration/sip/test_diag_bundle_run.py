"""A real run, then its diagnostics bundle: nothing secret, no full number, no name in it.

The desk (`AgentSession`: real store, outbox, event log, desk model) over the real SIP
engine registered to a real Kamailio with its SIP trace on; a pjsua2 customer calls with
the customer's number and name in its identity headers and a supervision token; the agent
answers, talks, hangs up and writes a wrap-up that names the customer and their number.
The bundle of that run must hold the SIP trace of the call and none of: the SIP secret or
its HA1, the access and refresh tokens, the cache key, any form of the number, the name.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import zipfile
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from homeagent.core.agent_state import AgentState
from homeagent.core.desk_snapshot import Screen
from homeagent.core.eventlog import EventLog
from homeagent.core.events import CallQualityMeasured
from homeagent.core.sip_config import EngineConfig
from homeagent.desktop.diag_desk import build_preview
from homeagent.desktop.session import AgentSession
from homeagent.sip.engine import SipEngine
from homeagent.testing.device import FakeDevice
from homeagent.testing.vault import MemoryVault
from tests.helpers.kamailio import Kamailio
from tests.integration.sip.conftest import account_for
from tests.integration.sip.peers import Peers
from tests.unit.ui.conftest import _widgets_app

__all__ = ["_widgets_app"]

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]

NUMBER = "+33612345678"
NUMBER_FORMS = ("+33612345678", "33612345678", "0612345678", "06 12 34 56 78", "612345678")
FIRST, LAST = "Jeanne", "Martinez"
SUPERVISION_TOKEN = "sv_" + "Z" * 40


def test_the_bundle_of_a_real_call_holds_no_secret(
    qtbot: Any, tmp_path: Path, kamailio: Kamailio, peers: Peers
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    sip_secret = kamailio.passwords["1001"]
    refresh, access = secrets.token_urlsafe(32), secrets.token_urlsafe(40)
    vault = MemoryVault()
    device = FakeDevice(vault=vault, data_dir=data, enrolled=True)
    device.profile = SimpleNamespace(
        default_region="FR", sip=SimpleNamespace(domain=kamailio.domain, registrar_host="x")
    )
    vault.set_sip_secret(sip_secret)
    vault.set_refresh_token(refresh)
    device.client._access_token = access  # type: ignore[attr-defined]  # as the real client
    (data / "device.json").write_text(
        json.dumps({"user": {"id": "u-1"}, "sip": {"username": "1001", "realm": kamailio.domain}})
    )
    ha1 = hashlib.md5(f"1001:{kamailio.domain}:{sip_secret}".encode()).hexdigest()
    cache_key = vault.data_key().hex()
    device.store.apply_contact_changes(
        [{"id": "c-1", "first_name": FIRST, "last_name": LAST, "phones": [NUMBER]}]
    )

    def real_engine(config: EngineConfig, _account: Any, on_event: Any, audio: Any = None) -> Any:
        assert config.sip_trace_file == str(data / "logs" / "sip-trace.log")  # the desk's
        return SipEngine(config, account_for(kamailio, "1001"), on_event)

    log = EventLog(data / "events.jsonl")
    session = AgentSession(
        device=device,
        event_log=log,
        engine_factory=real_engine,
        engine_config=EngineConfig(bind_address="127.0.0.1"),
        use_audio=False,
    )
    qualities: list[CallQualityMeasured] = []
    session.dispatcher.event_delivered.connect(
        lambda ev: qualities.append(ev) if isinstance(ev, CallQualityMeasured) else None
    )
    try:
        window = session.start()
        qtbot.addWidget(window)
        qtbot.waitUntil(lambda: session.model.snapshot().registration.value == "registered",
                        timeout=15000)  # fmt: skip
        session.model.set_presence(AgentState.AVAILABLE)
        # a supervision leg's INVITE with a token this engine never armed: refused (403),
        # but its token is in the trace
        forged = peers.start(
            "--call", f"sip:1001@{kamailio.domain}",
            "--header", f"X-HomeAgent-Supervision: {SUPERVISION_TOKEN}",
            kamailio=kamailio, user="2002",
        )  # fmt: skip
        assert forged.wait_for("ended")["code"] == 403
        caller = peers.start(
            "--call", f"sip:1001@{kamailio.domain}",
            "--tone", "440",
            "--header", f'P-Asserted-Identity: "{FIRST} {LAST}" <sip:{NUMBER}@{kamailio.domain}>',
            "--header", f"X-Caller-Number: {NUMBER}",
            kamailio=kamailio, user="2001",
        )  # fmt: skip
        qtbot.waitUntil(lambda: session.model.snapshot().screen is Screen.RINGING, timeout=15000)
        session.model.answer()
        qtbot.waitUntil(lambda: session.model.snapshot().screen is Screen.IN_CALL, timeout=10000)
        qtbot.waitUntil(lambda: bool(qualities), timeout=12000)  # RTCP: a MOS for the bundle
        session.model.hang_up()
        caller.wait_for("ended")
        qtbot.waitUntil(lambda: session.model.snapshot().screen is Screen.WRAP_UP, timeout=10000)
        session.model.edit_wrap_up(
            notes=f"{FIRST} {LAST} rappelle au 06 12 34 56 78", disposition="ok", callback_at=None
        )
        assert session.model.submit_wrap_up()
        qtbot.waitUntil(lambda: device.outbox.status().pending > 0, timeout=5000)
        preview = build_preview(device, data, None, None)
    finally:
        session.stop()
        log.close()

    with zipfile.ZipFile(preview.path) as zf:
        texts = {name: zf.read(name) for name in zf.namelist()}
    trace = texts["sip-trace.log"].decode()
    # the trace is the real call's: registration with a digest, the INVITE, its answer, BYE
    assert "REGISTER sip:" in trace
    assert "Authorization: Digest" in trace
    assert "INVITE sip:1001@" in trace
    assert "SIP/2.0 200 OK" in trace
    assert "BYE sip:" in trace
    assert 'response="[masked]"' in trace
    assert "X-HomeAgent-Supervision: [token]" in trace
    calls = json.loads(texts["call-quality.json"])["calls"]
    assert calls
    assert calls[-1]["answered"] is True
    assert calls[-1]["mos"] > 1
    manifest = json.loads(texts["manifest.json"])
    masked = {f["name"]: f["masked"] for f in manifest["files"]}
    assert "sip:+*********78@" in trace  # masked when the engine wrote it
    assert masked["events.jsonl"].get("name", 0) == 0  # the event log never had names
    assert json.loads(texts["outbox.json"])["pending"] >= 1

    forbidden = {
        "the SIP secret": sip_secret,
        "its HA1": ha1,
        "the refresh token": refresh,
        "the access token": access,
        "the cache key": cache_key,
        "the cache key (upper case)": cache_key.upper(),
        "the supervision token": SUPERVISION_TOKEN,
        "the first name": FIRST,
        "the last name": LAST,
        **{f"the number as {form!r}": form for form in NUMBER_FORMS},
    }
    for name, blob in texts.items():
        lowered = blob.decode("utf-8", errors="replace").casefold()
        for what, value in forbidden.items():
            assert value.casefold() not in lowered, f"{name} holds {what}"
        digits = "".join(ch for ch in lowered if ch.isdigit())
        assert "612345678" not in digits or name == "versions.json", f"{name}: the number's digits"
