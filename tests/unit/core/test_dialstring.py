from __future__ import annotations

import pytest

from homeagent.core.dialstring import InvalidDestination, normalise_destination


@pytest.mark.parametrize(
    ("typed", "uri"),
    [
        ("01 23 45 67 89", "sip:0123456789@example.org"),
        ("+33 (0)1-23.45", "sip:+33012345@example.org"),
        ("1002", "sip:1002@example.org"),
        ("alice@pbx.example", "sip:alice@pbx.example"),
        ("sip:bob@host:5070", "sip:bob@host:5070"),
        ("  sips:carol@secure.example ", "sips:carol@secure.example"),
    ],
)
def test_normalises(typed: str, uri: str) -> None:
    assert normalise_destination(typed, "example.org") == uri


@pytest.mark.parametrize("typed", ["", "   ", "hello", "12a4", "sip:", "a b@host", "@host"])
def test_rejects(typed: str) -> None:
    with pytest.raises(InvalidDestination):
        normalise_destination(typed, "example.org")
