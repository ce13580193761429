"""Wire text made clean: what SWIG hands us (surrogate-escaped bytes) becomes readable."""

from __future__ import annotations

import dataclasses
from types import MappingProxyType

import pytest

from homeagent.core.events import CallDirection, CallRinging
from homeagent.core.text import clean_text, clean_value, decode_wire, is_clean


def _as_swig_gives_it(raw: bytes) -> str:
    return raw.decode("utf-8", errors="surrogateescape")


@pytest.mark.parametrize(
    ("raw", "want"),
    [
        (b"Fran\xe7ais", "Français"),  # Latin-1
        ("Français".encode(), "Français"),  # UTF-8 untouched
        (b"caf\xc3\xa9 \xe9t\xe9", "cafÃ© été"),  # mixed on one line: read as Windows-1252
        (b"a\x00b\x07c\x9f", "a\ufffdb\ufffdc\u0178"),  # controls replaced; 0x9f is Ÿ
        (b"\x81\x8d", "\ufffd\ufffd"),  # bytes undefined in Windows-1252
    ],
)
def test_clean_text_of_surrogate_escaped_bytes(raw: bytes, want: str) -> None:
    got = clean_text(_as_swig_gives_it(raw))
    assert got == want
    assert is_clean(got)
    got.encode("utf-8")  # strict


def test_each_line_is_decoded_on_its_own() -> None:
    message = b"X-Queue: Fran\xe7ais\r\nSubject: caf\xc3\xa9\r\n"
    assert decode_wire(message) == "X-Queue: Français\r\nSubject: café\r\n"


def test_lone_surrogates_that_are_not_bytes_become_replacement_characters() -> None:
    assert clean_text("a\ud800b") == "a\ufffdb"


def test_clean_value_rebuilds_only_what_needs_it() -> None:
    clean = CallRinging(1, CallDirection.INBOUND, "sip:a@b", "+331", queue="Support")
    assert clean_value(clean) is clean
    dirty = dataclasses.replace(
        clean,
        queue=_as_swig_gives_it(b"Fran\xe7ais"),
        headers=MappingProxyType({"X-Queue": _as_swig_gives_it(b"Fran\xe7ais")}),
    )
    fixed = clean_value(dirty)
    assert fixed.queue == "Français"
    assert fixed.headers["X-Queue"] == "Français"
    assert isinstance(fixed.headers, MappingProxyType)
    assert fixed.remote_uri is dirty.remote_uri
