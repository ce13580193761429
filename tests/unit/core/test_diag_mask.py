"""The diagnostics bundle's masking rules: credentials, tokens, names, numbers in any form."""

from __future__ import annotations

import re

import pytest

from homeagent.core.diag_mask import NAME_MARK, SECRET_MARK, TOKEN_MARK, Masker, mask_digits

REGISTER = (
    "REGISTER sip:127.0.0.1 SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 127.0.0.1:5070;rport;branch=z9hG4bKPj1234567890abcdef\r\n"
    'From: "Agent Alice" <sip:1001@homeagent>;tag=8123456789\r\n'
    'Authorization: Digest username="dev-1001", realm="homeagent",\r\n'
    ' nonce="Y2FmZWJhYmUxMjM0NTY3ODkw", uri="sip:127.0.0.1",\r\n'
    '\tresponse="0a1b2c3d4e5f60718293a4b5c6d7e8f9", algorithm=MD5, cnonce="q1w2e3r4",\r\n'
    '  qop=auth, nc=00000001, opaque="5ccc069c403ebaf9f0171e9517f40e41"\r\n'
    'Proxy-Authorization: Digest username="x", response=deadbeefcafe\r\n'
    'WWW-Authenticate: Digest realm="homeagent", nonce="abc123abc123"\r\n'
    "Content-Length:  0\r\n\r\n"
)


def test_digest_parameters_are_masked_across_folded_header_lines() -> None:
    masker = Masker()
    out = masker.text(REGISTER)
    for secret in (
        "Y2FmZWJhYmUxMjM0NTY3ODkw",
        "0a1b2c3d4e5f60718293a4b5c6d7e8f9",
        "q1w2e3r4",
        "5ccc069c403ebaf9f0171e9517f40e41",
        "deadbeefcafe",
        "abc123abc123",
    ):
        assert secret not in out
    assert 'realm="homeagent"' in out
    assert 'username="dev-1001"' in out
    assert "algorithm=MD5" in out
    assert "Content-Length:  0" in out
    assert masker.summary()["digest"] == 6


def test_the_supervision_token_is_masked_even_when_folded() -> None:
    text = (
        "INVITE sip:lead SIP/2.0\r\nX-HomeAgent-Supervision:\r\n   tok-9f8e7d6c5b4a\r\nTo: <sip:x>"
    )
    out = Masker().text(text)
    assert "tok-9f8e7d6c5b4a" not in out
    assert f"X-HomeAgent-Supervision: {TOKEN_MARK}" in out
    assert out.endswith("To: <sip:x>")  # the next header is untouched
    assert "x-homeagent-supervision: [token]" in Masker().text("x-homeagent-supervision: abc")


@pytest.mark.parametrize(
    ("text", "gone"),
    [
        ("Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1In0.c2lnbmF0dXJl", "eyJ"),
        ("Authorization: Basic YWxpY2U6c2VjcmV0MTIz", "YWxpY2U6c2VjcmV0MTIz"),
        ('{"access_token": "abc.def.ghi-123", "mos": 4.1}', "abc.def.ghi-123"),
        ('{"refresh_token":"r3fr3sh\\"quoted"}', "r3fr3sh"),
        ("login ok password=hunter2hunter2 next", "hunter2hunter2"),
        ("sip_secret: Zx9-Qw8_Er7", "Zx9-Qw8_Er7"),
        ("token=0123456789abcdef&x=1", "0123456789abcdef"),
    ],
)
def test_tokens_and_secret_values_are_masked(text: str, gone: str) -> None:
    out = Masker().text(text)
    assert gone not in out


def test_known_secrets_are_masked_wherever_they_appear() -> None:
    masker = Masker(secrets=["Sup3rS3cret!", "a" * 32, "short"])
    out = masker.text("pw Sup3rS3cret! in a line; ha1 " + "a" * 32 + " ; short stays")
    assert "Sup3rS3cret!" not in out
    assert "a" * 32 not in out
    assert out.count(SECRET_MARK) == 2
    assert "short stays" in out  # too short to be a secret worth hunting (common words)


@pytest.mark.parametrize(
    ("number", "kept"),
    [
        ("+33612345678", "78"),
        ("0612345678", "78"),
        ("06 12 34 56 78", "78"),
        ("06.12.34.56.78", "78"),
        ("06-12-34-56-78", "78"),
        ("+33 6 12 34 56 78", "78"),
        ("+33 (0)6 12 34 56 78", "78"),
        ("0033612345678", "78"),
        ("(555) 123-4567", "67"),
        ("+1-555-123-4567", "67"),
        ("+44 20 7946 0958", "58"),
        ("1234567", "67"),
    ],
)
def test_numbers_in_every_format_keep_only_their_last_two_digits(number: str, kept: str) -> None:
    for text in (
        f"call from {number} ended",
        f"sip:{number.replace(' ', '')}@127.0.0.1",
        f"<tel:{number}>",
        f'"remote_number": "{number}"',
    ):
        out = Masker().text(text)
        digits = re.sub(r"\D", "", number)
        assert digits not in re.sub(r"[^\d]", "", out.replace("127.0.0.1", "")), (text, out)
        assert kept in out
    assert "%2B*********78" in Masker().text("sip:%2B33612345678@x")


@pytest.mark.parametrize(
    "text",
    [
        "2026-12-02T01:52:23.123Z",
        "2026-12-02 01:52:23,123",
        "Via: SIP/2.0/UDP 192.168.100.200:5060",
        "sent 1048 bytes; ptime 20; port 40000",
        '"mos": 4.38, "ts": 1764640000.125',
        "CSeq: 102 INVITE",
        "code 171050",
        "branch=z9hG4bKPj1234567890",
    ],
)
def test_what_is_not_a_number_stays_readable(text: str) -> None:
    assert Masker().text(text) == text


def test_two_numbers_side_by_side_are_both_masked() -> None:
    out = Masker().text("0612345678 0698765432")
    assert "12345678" not in out
    assert "98765432" not in out


def test_display_names_and_cache_names_are_masked_any_case_any_accent() -> None:
    masker = Masker(names=["Hélène", "Dupont", "ACME Plomberie", "Jean-Pierre"])
    text = (
        'From: "Totally Unknown" <sip:+33612345678@x>;tag=1\r\n'
        "t: Bob Smith <sip:2@x>\r\n"
        "note: helene DUPONT rappelle; Jean-Pierre aussi; acme plomberie SARL; Dupontel"
    )
    out = masker.text(text)
    for name in ("Totally", "Bob Smith", "helene", "DUPONT", "Jean", "Pierre", "acme", "plomberie"):
        assert name not in out, name
    assert f"From: {NAME_MARK} <sip:" in out
    assert "Dupontel" in out  # a longer word is not the name
    assert "SARL" in out


def test_non_utf8_bytes_are_decoded_and_still_masked() -> None:
    masker = Masker(names=["Hélène"], secrets=["p4ssw0rd!"])
    raw = (
        b'From: "H\xe9l\xe8ne" <sip:0612345678@x>\n'  # Windows-1252, as old PBXs send it
        b"note H\xc3\xa9l\xc3\xa8ne p4ssw0rd! \xff\xfe\n"  # UTF-8, then garbage bytes
    )
    out = masker.data(raw)
    assert "Hélène" not in out
    assert "H\ufffdl" not in out
    assert "p4ssw0rd!" not in out
    assert "12345678" not in out
    out.encode("utf-8")  # valid text, whatever came in


def test_mask_digits_keeps_the_shape() -> None:
    assert mask_digits("+33 6 12 34 56 78") == "+** * ** ** ** 78"
    assert mask_digits("12") == "12"


def test_the_summary_counts_by_rule() -> None:
    masker = Masker(secrets=["s3cr3t-value"], names=["Dupont"])
    masker.text('s3cr3t-value Dupont 0612345678 nonce="abcdefgh"')
    assert masker.summary() == {"digest": 1, "name": 1, "number": 1, "secret": 1}


def test_sdp_lists_stay_readable_but_a_number_in_sdp_does_not() -> None:
    sdp = (
        "v=0\r\no=- 3912345678 3912345679 IN IP4 127.0.0.1\r\n"
        "m=audio 4000 RTP/AVP 96 97 98 99 3 0 8 9 120\r\n"
        "a=rtpmap:9 G722/8000\r\np=+33 6 12 34 56 78\r\ni=call from +33612345678\r\n"
    )
    out = Masker().text(sdp)
    assert "m=audio 4000 RTP/AVP 96 97 98 99 3 0 8 9 120" in out
    assert "a=rtpmap:9 G722/8000" in out
    assert "p=+** * ** ** ** 78" in out
    assert "612345678" not in out
    assert Masker().text("m=audio 4000 RTP/AVP 0 8 101") == "m=audio 4000 RTP/AVP 0 8 101"
