"""EventStream connection states without a server."""

from __future__ import annotations

from homeagent.client.events import ConnectionState, EventStream
from homeagent.client.server import ServerClient
from tests.helpers.procs import free_port, wait_until
from tests.unit.client.test_server_client import Tokens


def test_unreachable_server_goes_reconnecting_then_offline_and_stops() -> None:
    client = ServerClient(f"http://127.0.0.1:{free_port()}", Tokens())
    states: list[ConnectionState] = []
    stream = EventStream(
        client,
        lambda _e: None,
        on_state=states.append,
        backoff_s=0.01,
        max_backoff_s=0.02,
        offline_after_failures=3,
    )
    stream.start()
    try:
        wait_until(lambda: ConnectionState.OFFLINE in states, timeout_s=10)
        assert states[0] is ConnectionState.RECONNECTING
        assert "refresh" in stream.last_error
    finally:
        stream.stop()
        client.close()
    assert stream.state is ConnectionState.OFFLINE
