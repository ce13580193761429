"""The ACD's offer says when its RONA comes; the engine hands that header to the desk."""

from __future__ import annotations

from homeagent.sip.headers import parse_invite

INVITE = (
    "INVITE sip:1001@127.0.0.1 SIP/2.0\r\n"
    'From: "Client" <sip:+33612345678@gw>;tag=1\r\n'
    "To: <sip:queue-ventes@acd>\r\n"
    "Call-ID: abc@gw\r\n"
    "x-acd-rona-ms: 15000\r\n"
    "Content-Length: 0\r\n\r\n"
)


def test_the_rona_time_of_an_acd_offer_reaches_the_desk() -> None:
    assert parse_invite(INVITE).headers["X-Acd-Rona-Ms"] == "15000"
