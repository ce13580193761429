"""How long the SIP engine takes to stop (the agent quits), registered at a real Kamailio.

Run from the repository root::

    .venv/bin/python -m benchmarks.engine_stop --runs 10

Each run starts a `SipEngine` in this process, waits for its REGISTER's 200 OK (digest auth
over UDP on loopback), then times `engine.stop()` (hang-ups, unregistration, pjsua2's
destroy, the thread joined). After each stop a pjsua2 peer calls the agent: Kamailio must
answer 404 (no binding left), or the run counts as "still reachable".
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import threading
import time
from pathlib import Path

from homeagent.core.events import Event, RegistrationChanged, RegistrationState
from homeagent.core.sip_config import EngineConfig, SipAccountConfig
from homeagent.sip.engine import SipEngine
from tests.helpers.kamailio import Kamailio, start_kamailio
from tests.integration.sip.peers import Peers


def one_stop(kam: Kamailio, peers: Peers) -> tuple[float, int]:
    """Seconds `stop()` took, and the code a call to the agent got afterwards."""
    registered = threading.Event()

    def on_event(event: Event) -> None:
        if isinstance(event, RegistrationChanged) and event.state is RegistrationState.REGISTERED:
            registered.set()

    account = SipAccountConfig(
        kam.host, kam.udp_port, kam.domain, "1001", kam.passwords["1001"], first_retry_s=2
    )
    engine = SipEngine(EngineConfig(max_calls=4, log_level=1), account, on_event)
    engine.start()
    if not registered.wait(15):
        engine.stop()
        raise RuntimeError("the engine did not register")
    started = time.perf_counter()
    engine.stop()
    took = time.perf_counter() - started
    caller = peers.start("--call", f"sip:1001@{kam.domain}", kamailio=kam, user="2002")
    code = int(caller.wait_for("ended", timeout_s=40)["code"])
    caller.stop()
    return took, code


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "kamailio").mkdir()
        kamailio = start_kamailio(root / "kamailio", tls=False)
        kam = next(kamailio)
        try:
            peers = Peers(root)
            results = [one_stop(kam, peers) for _ in range(args.runs)]
        finally:
            kamailio.close()
    stops = [t * 1000 for t, _ in results]
    report = {
        "runs": args.runs,
        "stop_ms": {
            "median": round(statistics.median(stops), 1),
            "min": round(min(stops), 1),
            "max": round(max(stops), 1),
        },
        "call_after_stop": sorted({code for _, code in results}),
        "still_reachable": sum(code != 404 for _, code in results),
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
