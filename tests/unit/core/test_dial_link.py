"""tel: (RFC 3966) and sip:/sips: links: what the desk accepts to prepare, and what not."""

from __future__ import annotations

import pytest

from homeagent.core.dial_link import DialLink, InvalidDialLink, is_dial_link, parse_dial_link


@pytest.mark.parametrize(
    ("link", "expected"),
    [
        ("tel:+33612345678", DialLink("tel", "+33612345678")),
        ("tel:+33-6-12-34-56-78", DialLink("tel", "+33612345678")),  # visual separators
        ("tel:+33.6.12.34.56.78", DialLink("tel", "+33612345678")),
        ("tel:+33 (6) 12 34 56 78", DialLink("tel", "+33612345678")),
        ("TEL:+33612345678", DialLink("tel", "+33612345678")),  # schemes are case-insensitive
        ("tel:%2B33%206%2012%2034%2056%2078", DialLink("tel", "+33612345678")),  # escaped
        ("tel:0612345678;phone-context=+33", DialLink("tel", "0612345678")),  # local number
        ("tel:3949", DialLink("tel", "3949")),
        ("tel:+33145678901;ext=204", DialLink("tel", "+33145678901", "204")),
        ("tel://0612345678", DialLink("tel", "0612345678")),  # as some pages write it
        ("sip:alice@example.org", DialLink("sip", "sip:alice@example.org")),
        ("sips:alice@example.org:5061", DialLink("sips", "sips:alice@example.org:5061")),
        ("sip:alice@example.org;transport=tcp", DialLink("sip", "sip:alice@example.org")),
        (
            "sip:alice@example.org?Subject=hi&Priority=urgent",
            DialLink("sip", "sip:alice@example.org"),
        ),
        (
            "sip:+33-6-12-34-56-78@pbx.example.org",
            DialLink("sip", "sip:+33612345678@pbx.example.org"),
        ),
        ("sip:bob@192.0.2.10", DialLink("sip", "sip:bob@192.0.2.10")),
        ("sip:bob@[2001:db8::1]:5060", DialLink("sip", "sip:bob@[2001:db8::1]:5060")),
    ],
)
def test_valid_links(link: str, expected: DialLink) -> None:
    assert is_dial_link(link)
    assert parse_dial_link(link) == expected


@pytest.mark.parametrize(
    "link",
    [
        "",
        "tel:",
        "tel:+",
        "tel:hello",
        "tel:+33 6 12 34 56 78 <script>",
        "tel:" + "1" * 25,
        "tel:+33612345678;ext=12a",
        "tel:+33612345678" + ";x=" + "a" * 600,  # too long
        "sip:",
        "sip:example.org",
        "sip:@example.org",
        "sip:al ice@example.org",
        "sip:alice@",
        "sip:alice@exa_mple.org",
        "sip:alice@example.org:0",
        "sip:alice@example.org:70000",
        "sip:<alice>@example.org",
        "http://example.org/tel:+33612345678",
        "mailto:alice@example.org",
        "callto:+33612345678",
        "+33612345678",  # a number is not a link
    ],
)
def test_garbage_is_refused(link: str) -> None:
    with pytest.raises(InvalidDialLink):
        parse_dial_link(link)


def test_the_refusal_never_quotes_the_number() -> None:
    with pytest.raises(InvalidDialLink) as info:
        parse_dial_link("tel:+33612345678;ext=zz")
    assert "612345678" not in str(info.value)
