"""Parsing the contact-centre facts out of an INVITE."""

from __future__ import annotations

from homeagent.sip.headers import (
    parse_header_block,
    parse_invite,
    source_host,
    split_name_addr,
    uri_user,
)

INVITE = (
    "INVITE sip:1001@10.0.0.5:5060 SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK1\r\n"
    'f: "Dupont, Jean \\"JD\\"" <sip:0612345678@cc.example>;tag=abc\r\n'
    "t: <sip:1001@cc.example>\r\n"
    "i: 42@cc\r\n"
    "P-Asserted-Identity: <sip:+33612345678@cc.example>, <tel:+33612345678>\r\n"
    "x-contact-id: C-77\r\n"
    "X-Queue: ventes\r\n"
    "Call-Info: <https://crm/c/77>;purpose=info\r\n"
    "Subject: first line\r\n"
    "  continued\r\n"
    "Authorization: Digest response=secret\r\n"
    "Content-Length: 4\r\n"
    "\r\n"
    "X-Queue: body-not-header\r\n"
)


def test_parse_invite_reads_caller_and_contact_centre_headers() -> None:
    facts = parse_invite(INVITE)
    assert facts.remote_uri == "sip:0612345678@cc.example"
    assert facts.remote_number == "+33612345678"  # P-Asserted-Identity wins over From
    assert facts.display_name == 'Dupont, Jean "JD"'
    assert facts.contact_id == "C-77"
    assert facts.queue == "ventes"
    assert facts.call_info == "<https://crm/c/77>;purpose=info"
    assert facts.sip_call_id == "42@cc"
    assert facts.headers["Subject"] == "first line continued"
    assert "Authorization" not in facts.headers
    assert "Via" not in facts.headers


def test_without_pai_the_number_comes_from_from() -> None:
    facts = parse_invite("INVITE sip:a@b SIP/2.0\r\nFrom: sip:+3311@x;tag=1\r\n\r\n")
    assert facts.remote_number == "+3311"
    assert facts.display_name == ""
    assert facts.asserted_identity == ""
    assert facts.contact_id == ""


def test_pai_display_name_used_when_from_has_none() -> None:
    facts = parse_invite(
        "INVITE sip:a@b SIP/2.0\r\nFrom: <sip:anonymous@anonymous.invalid>;tag=1\r\n"
        'P-Asserted-Identity: "Mme Martin" <sip:0140000000@pstn>\r\n\r\n'
    )
    assert facts.display_name == "Mme Martin"
    assert facts.remote_number == "0140000000"


def test_header_block_first_occurrence_wins_and_values_are_capped() -> None:
    headers = parse_header_block(
        "INVITE x SIP/2.0\nX-Queue: one\nX-Queue: two\nX-Long: " + "a" * 2000 + "\n\n"
    )
    assert headers["X-Queue"] == "one"
    assert len(headers["X-Long"]) == 512


def test_garbage_never_raises() -> None:
    for text in ["", "\r\n", "INVITE", ":::\r\n: x\r\n", "\x00\xff", "A\nB: <\nC: >>>"]:
        parse_invite(text)


def test_helpers() -> None:
    assert split_name_addr("Bob <sip:b@x>;tag=1") == ("Bob", "sip:b@x")
    assert split_name_addr("sip:b@x;tag=1") == ("", "sip:b@x")
    assert uri_user("sips:+33@x:5061;user=phone") == "+33"
    assert uri_user("tel:+331;phone-context=x") == "+331"
    assert uri_user("sip:host.only") == ""
    assert uri_user("http://x") == ""
    assert source_host("10.0.0.1:5060") == "10.0.0.1"
    assert source_host("[::1]:5060") == "::1"
