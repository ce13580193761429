"""`homeagent demo --direct`: customers ring the agent's own address through the ACD
Kamailio (GATEWAY_DIRECT), which the agent's device reaches with its own SIP credential."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import httpx
import pytest

from homeagent.demo.world import SIP_DOMAIN, DemoWorld
from tests.helpers.acd_kamailio import register
from tests.helpers.procs import require_tool

pytestmark = pytest.mark.integration


def test_a_direct_customer_call_rings_the_agents_device(tmp_path: Path) -> None:
    require_tool("kamailio")
    world = DemoWorld(tmp_path / "demo", contacts=40, acd=False)
    phone = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        world.start()
        api = f"{world.server_url}/api/v1"
        login = {"username": world.agent_login, "password": world.password, "device_name": "t"}
        with httpx.Client(base_url=api, timeout=10) as client:
            r = client.post("/auth/login", json=login)
            assert r.status_code == 200, r.text
            client.headers["Authorization"] = f"Bearer {r.json()['access_token']}"
            sip = client.post("/provisioning/sip").json()
        phone.bind(("127.0.0.1", 0))
        code = register(
            world.sip_port, sip["username"], sip["password"], phone.getsockname()[1],
            auth_user=sip["auth_username"], domain=SIP_DOMAIN,
        )  # fmt: skip
        assert code == 200
        # the user-wide name is no identity any more, with this or any secret
        assert (
            register(world.sip_port, sip["username"], sip["password"], 9, domain=SIP_DOMAIN) == 403
        )
        world.call_once(world.customers[0], talk_s=2)
        phone.settimeout(10)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            packet = phone.recv(65535)
            if packet.startswith(b"INVITE "):
                break
        else:
            pytest.fail("the customer's direct call never reached the agent's device")
        assert f"sip:{world.agent_sip_user}@".encode() in packet.split(b"\r\n", 1)[0]
    finally:
        phone.close()
        world.stop()
